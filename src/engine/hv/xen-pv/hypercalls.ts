import { FAULT } from '../../cpu/fault'
import { iret } from '../../cpu/interrupts'
import { CYCLES_PER_MS } from '../../machine/clock'
import { PAGE_SHIFT } from '../../machine/memory'
import { utf8Decode, utf8Encode } from '../../util/utf8'
import {
  CONSOLEIO_write,
  DOMID_SELF,
  Errno,
  EvtchnOp,
  FIRST_RESERVED_GDT_PAGE,
  Gntst,
  GnttabOp,
  HYPERVISOR_VIRT_START,
  Hypercall,
  Mmuext,
  MmuCmd,
  SchedOp,
  Shutdown,
  UVMF_FLUSHTYPE_MASK,
  UVMF_INVLPG,
  UVMF_TLB_FLUSH,
  VcpuOp,
  VIRQ_TIMER,
  XEN_MAJOR,
  XEN_MINOR,
  XENVER_version,
} from './abi'
import { writePerdomainMap } from './domain-builder'
import type { XenDomain } from './domain'
import { GuestMemory } from './guest-memory'
import { PageType } from './page-types'
import type { Xen } from './xen'

/** Registers as the 32-bit PV hypercall ABI names them (EAX number; EBX, ECX, EDX, ESI, EDI arguments). */
const EAX = 0
const ECX = 1
const EDX = 2
const EBX = 3
const ESP = 4
const ESI = 6

/** What a hypercall did, for the model's flow and counters. */
export interface HypercallOutcome {
  /** The value left in EAX (0 or a negative errno, or the hypercall's result). */
  readonly result: number
  /** Page-table entries Xen validated (mmu_update, update_va_mapping, pins of new tables). */
  readonly validated: number
  /** mmuext_op commands performed, by number. */
  readonly mmuext: readonly number[]
  /** The hypercall returned to ring 3 (HYPERVISOR_iret to user mode). */
  readonly toUser: boolean
  /** The vCPU blocked. */
  readonly blocked: boolean
  /** The domain is gone (shutdown, or crashed on a bad frame). */
  readonly ended: boolean
}

interface Ctx {
  readonly xen: Xen
  readonly dom: XenDomain
  readonly g: GuestMemory
  validated: number
  mmuext: number[]
  toUser: boolean
  blocked: boolean
  ended: boolean
}

/**
 * The hypercall dispatcher (xen/arch/x86/pv/hypercall.c, the 32-bit table): the vCPU executed INT
 * 0x82 in ring 1 with the number in EAX (EIP is already past the INT); the result goes to EAX. Guest
 * pointers are read and written through the vCPU's page tables (a bad one is -EFAULT). Every
 * validation failure is an error return, as in Xen; nothing here throws for guest input.
 */
export function hypercall(xen: Xen, dom: XenDomain): HypercallOutcome {
  const c = dom.cpu
  const ctx: Ctx = {
    xen,
    dom,
    g: new GuestMemory(c, xen.mem),
    validated: 0,
    mmuext: [],
    toUser: false,
    blocked: false,
    ended: false,
  }
  const r = c.r
  const a1 = r[EBX]! >>> 0
  const a2 = r[ECX]! >>> 0
  const a3 = r[EDX]! >>> 0
  const a4 = r[ESI]! >>> 0
  let result: number
  switch (r[EAX]! >>> 0) {
    case Hypercall.set_trap_table:
      result = setTrapTable(ctx, a1)
      break
    case Hypercall.mmu_update:
      result = mmuUpdate(ctx, a1, a2, a3, a4)
      break
    case Hypercall.set_gdt:
      result = setGdt(ctx, a1, a2)
      break
    case Hypercall.stack_switch:
      xen.stackSwitch(dom, a1, a2)
      result = 0
      break
    case Hypercall.set_callbacks:
      xen.setCallbacks(dom, { cs: a1, eip: a2 }, { cs: a3, eip: a4 })
      result = 0
      break
    case Hypercall.update_va_mapping:
      result = updateVaMapping(ctx, a1, a2, a3)
      break
    case Hypercall.set_timer_op:
      result = setTimer(ctx, a1 + a2 * 0x100000000)
      break
    case Hypercall.xen_version:
      result = a1 === XENVER_version ? (XEN_MAJOR << 16) | XEN_MINOR : -Errno.ENOSYS
      break
    case Hypercall.console_io:
      result = consoleIo(ctx, a1, a2, a3)
      break
    case Hypercall.grant_table_op:
      result = grantTableOp(ctx, a1, a2, a3)
      break
    case Hypercall.iret:
      result = hyperIret(ctx)
      break
    case Hypercall.vcpu_op:
      result = vcpuOp(ctx, a1, a2, a3)
      break
    case Hypercall.mmuext_op:
      result = mmuextOp(ctx, a1, a2, a3, a4)
      break
    case Hypercall.sched_op:
      result = schedOp(ctx, a1, a2)
      break
    case Hypercall.event_channel_op:
      result = eventChannelOp(ctx, a1, a2)
      break
    default:
      result = -Errno.ENOSYS
  }
  if (!ctx.ended) r[EAX] = result
  return {
    result,
    validated: ctx.validated,
    mmuext: ctx.mmuext,
    toUser: ctx.toUser,
    blocked: ctx.blocked,
    ended: ctx.ended,
  }
}

function notSelf(domid: number): boolean {
  return domid !== DOMID_SELF
}

/** set_trap_table: entries {vector, flags, cs, address} until address 0; NULL clears the table. */
function setTrapTable(ctx: Ctx, list: number): number {
  const { xen, dom, g } = ctx
  if (list === 0) {
    xen.clearTraps(dom)
    return 0
  }
  for (let i = 0; i < 256; i++) {
    const e = g.read(list + i * 8, 8)
    if (e === null) return -Errno.EFAULT
    const address = (e[4]! | (e[5]! << 8) | (e[6]! << 16) | (e[7]! << 24)) >>> 0
    if (address === 0) break
    xen.setTrap(dom, e[0]!, e[1]!, e[2]! | (e[3]! << 8), address)
  }
  return 0
}

/** mmu_update(reqs, count, success_count, domid): each {ptr, val} validated; stops at the first refusal. */
function mmuUpdate(ctx: Ctx, reqs: number, count: number, pdone: number, domid: number): number {
  const { xen, dom, g } = ctx
  if (notSelf(domid)) return -Errno.ESRCH
  let rc = 0
  let done = 0
  for (; done < count; done++) {
    const e = g.read(reqs + done * 16, 16)
    if (e === null) {
      rc = -Errno.EFAULT
      break
    }
    const v = new DataView(e.buffer)
    const ptr = v.getUint32(0, true)
    const val = v.getUint32(8, true)
    if (v.getUint32(4, true) !== 0 || v.getUint32(12, true) !== 0) {
      rc = -Errno.EINVAL // 64-bit values belong to PAE guests
      break
    }
    rc = xen.types.mmuUpdate(dom.domid, ptr, val)
    if ((ptr & 3) !== MmuCmd.MACHPHYS_UPDATE) ctx.validated++
    if (rc !== 0) break
  }
  if (pdone !== 0) g.write32(pdone, done)
  return rc
}

/** set_gdt(frames, entries): the guest's GDT frames, each validated as a descriptor page. */
function setGdt(ctx: Ctx, list: number, entries: number): number {
  const { xen, dom, g } = ctx
  if (entries > FIRST_RESERVED_GDT_PAGE * 512) return -Errno.EINVAL
  const n = Math.ceil(entries / 512)
  const frames: number[] = []
  for (let i = 0; i < n; i++) {
    const f = g.read32(list + i * 4)
    if (f === null) return -Errno.EFAULT
    frames.push(f)
  }
  for (let i = 0; i < frames.length; i++) {
    if (xen.types.getType(dom.domid, frames[i]!, PageType.SegDesc) !== 0) {
      for (let j = 0; j < i; j++) xen.types.putType(frames[j]!)
      return -Errno.EINVAL
    }
  }
  for (const f of dom.s.gdtFrames) xen.types.putType(f)
  dom.s.gdtFrames = frames
  dom.s.gdtEntries = entries
  writePerdomainMap(xen.mem, dom, frames)
  dom.cpu.flushTlb(true)
  return 0
}

/** The L1 entry that maps `va` in the loaded page tables, as a machine address, or -1. */
function l1EntryFor(ctx: Ctx, va: number): number {
  const { xen, dom } = ctx
  const pde = xen.mem.read32(((dom.cpu.cr3 & 0xfffff000) >>> 0) + (va >>> 22) * 4)
  if ((pde & 1) === 0) return -1
  const l1 = pde >>> PAGE_SHIFT
  if (xen.types.type[l1] !== PageType.L1 || xen.types.typeCount[l1] === 0) return -1
  return (l1 << PAGE_SHIFT) + ((va >>> 12) & 0x3ff) * 4
}

/** update_va_mapping(va, pte, flags): one validated L1 update for `va`, then the flush asked for. */
function updateVaMapping(ctx: Ctx, va: number, val: number, flags: number): number {
  const { xen, dom } = ctx
  if (va >= HYPERVISOR_VIRT_START) return -Errno.EINVAL
  const at = l1EntryFor(ctx, va)
  if (at < 0) return -Errno.EINVAL
  ctx.validated++
  const rc = xen.types.writeEntry(dom.domid, at, val)
  if (rc !== 0) return rc
  switch (flags & UVMF_FLUSHTYPE_MASK) {
    case UVMF_INVLPG:
      dom.cpu.invlpg(va)
      break
    case UVMF_TLB_FLUSH:
      dom.cpu.flushTlb(false)
      break
  }
  return 0
}

/** set_timer_op(timeout): a single-shot VIRQ_TIMER at Xen system time `ns` (0 cancels). */
function setTimer(ctx: Ctx, ns: number): number {
  const { xen, dom } = ctx
  dom.s.singleshotAt = ns === 0 ? Infinity : nsToCycles(ns)
  if (dom.s.singleshotAt <= xen.host.clock.cycles) xen.runTimers(dom, xen.host.clock.cycles)
  xen.host.timersChanged(dom)
  return 0
}

/** Xen system time is nanoseconds since boot; Ringside's clock runs at 1 GHz. */
function nsToCycles(ns: number): number {
  return Math.round((ns * CYCLES_PER_MS) / 1_000_000)
}

/**
 * console_io(CONSOLEIO_write, count, buffer): Xen's own console. Real Xen takes it from DomUs only in
 * debug builds; Ringside's Xen does [R] and prints it on the domain's console.
 */
function consoleIo(ctx: Ctx, cmd: number, count: number, buf: number): number {
  if (cmd !== CONSOLEIO_write) return -Errno.ENOSYS
  const n = Math.min(count, 1024)
  const bytes = ctx.g.read(buf, n)
  if (bytes === null) return -Errno.EFAULT
  ctx.dom.vm.console.write(utf8Encode(`(XEN) ${utf8Decode(bytes)}`))
  return n
}

/** grant_table_op: a DomU sets up its table (GNTTABOP_setup_table); mapping is for backends (Dom0). */
function grantTableOp(ctx: Ctx, cmd: number, uop: number, count: number): number {
  const { dom, g } = ctx
  if (cmd !== GnttabOp.setup_table) return -Errno.ENOSYS
  for (let i = 0; i < count; i++) {
    const at = uop + i * 16
    const e = g.read(at, 16)
    if (e === null) return -Errno.EFAULT
    const v = new DataView(e.buffer)
    const domid = v.getUint16(0, true)
    const nrFrames = v.getUint32(4, true)
    const list = v.getUint32(12, true)
    let status: number = Gntst.okay
    if (domid !== DOMID_SELF && domid !== dom.domid) status = Gntst.bad_domain
    else if (nrFrames !== 1)
      status = Gntst.general_error // one frame of 512 entries [R]
    else if (!g.write32(list, dom.pages.grantTable >>> PAGE_SHIFT)) return -Errno.EFAULT
    if (!g.write(at + 8, Uint8Array.of(status & 0xff, (status >> 8) & 0xff))) return -Errno.EFAULT
  }
  return 0
}

/**
 * HYPERVISOR_iret (x86_32 do_iret): the guest jumped to the stub, which pushed EAX; on its stack are
 * EAX, EIP, CS, EFLAGS (and ESP, SS when returning to ring 3). Xen restores EAX, returns like IRET and
 * sets the event mask from the frame's IF. A bad frame crashes the domain.
 */
function hyperIret(ctx: Ctx): number {
  const { xen, dom, g } = ctx
  const c = dom.cpu
  const sp = c.r[ESP]! >>> 0
  const frame = g.read(sp, 16)
  if (frame === null) {
    ctx.ended = true
    xen.host.shutdown(dom, true, 'HYPERVISOR_iret: the frame is not readable')
    return 0
  }
  const v = new DataView(frame.buffer)
  const eax = v.getUint32(0, true)
  const cs = v.getUint32(8, true) & 0xffff
  const eflags = v.getUint32(12, true)
  if ((cs & 3) === 0) {
    ctx.ended = true
    xen.host.shutdown(dom, true, 'HYPERVISOR_iret to ring 0')
    return 0
  }
  c.r[ESP] = (sp + 4) | 0
  try {
    iret(c, 4)
  } catch (e) {
    if (e !== FAULT) throw e
    ctx.ended = true
    xen.host.shutdown(dom, true, `HYPERVISOR_iret: the return frame faulted (#${c.excVector})`)
    return 0
  }
  xen.setUpcallMask(dom, eflags & 0x200 ? 0 : 1)
  ctx.toUser = (cs & 3) === 3
  return eax | 0
}

/** vcpu_op(cmd, vcpu, arg): the periodic and single-shot timers of vCPU 0. */
function vcpuOp(ctx: Ctx, cmd: number, vcpu: number, arg: number): number {
  const { xen, dom, g } = ctx
  if (vcpu !== 0) return -Errno.ENOENT
  const now = xen.host.clock.cycles
  const u64 = (): number | null => {
    const b = g.read(arg, 8)
    return b === null
      ? null
      : new DataView(b.buffer).getUint32(0, true) + new DataView(b.buffer).getUint32(4, true) * 0x100000000
  }
  switch (cmd) {
    case VcpuOp.set_periodic_timer: {
      const ns = u64()
      if (ns === null) return -Errno.EFAULT
      if (ns < 1_000_000) return -Errno.EINVAL // at least 1 ms (vcpu.h)
      dom.s.periodicPeriod = nsToCycles(ns)
      dom.s.periodicNext = now + dom.s.periodicPeriod
      break
    }
    case VcpuOp.stop_periodic_timer:
      dom.s.periodicPeriod = 0
      dom.s.periodicNext = Infinity
      break
    case VcpuOp.set_singleshot_timer: {
      const ns = u64()
      if (ns === null) return -Errno.EFAULT
      dom.s.singleshotAt = nsToCycles(ns)
      if (dom.s.singleshotAt <= now) xen.runTimers(dom, now)
      break
    }
    case VcpuOp.stop_singleshot_timer:
      dom.s.singleshotAt = Infinity
      break
    default:
      return -Errno.ENOSYS
  }
  xen.host.timersChanged(dom)
  return 0
}

/** NEW_BASEPTR: a type reference on the new directory (validating it), then CR3; the old one is dropped. */
export function newBaseptr(xen: Xen, dom: XenDomain, mfn: number): number {
  const rc = xen.types.getType(dom.domid, mfn, PageType.L2)
  if (rc !== 0) return rc
  const old = dom.s.cr3Mfn
  dom.s.cr3Mfn = mfn
  if (old !== 0) xen.types.putType(old)
  dom.cpu.cr3 = mfn << PAGE_SHIFT
  dom.cpu.flushTlb(false)
  return 0
}

/** mmuext_op(ops, count, success_count, domid): 12-byte {cmd, arg1, arg2} operations. */
function mmuextOp(ctx: Ctx, ops: number, count: number, pdone: number, domid: number): number {
  const { xen, dom, g } = ctx
  if (notSelf(domid)) return -Errno.ESRCH
  let rc = 0
  let done = 0
  for (; done < count; done++) {
    const e = g.read(ops + done * 12, 12)
    if (e === null) {
      rc = -Errno.EFAULT
      break
    }
    const v = new DataView(e.buffer)
    const cmd = v.getUint32(0, true)
    const arg1 = v.getUint32(4, true)
    ctx.mmuext.push(cmd)
    switch (cmd) {
      case Mmuext.PIN_L1_TABLE:
      case Mmuext.PIN_L2_TABLE:
        rc = xen.types.pin(dom.domid, arg1, cmd === Mmuext.PIN_L1_TABLE ? PageType.L1 : PageType.L2)
        break
      case Mmuext.UNPIN_TABLE:
        rc = xen.types.unpin(dom.domid, arg1)
        break
      case Mmuext.NEW_BASEPTR:
        rc = newBaseptr(xen, dom, arg1)
        break
      case Mmuext.TLB_FLUSH_LOCAL:
      case Mmuext.TLB_FLUSH_MULTI:
      case Mmuext.TLB_FLUSH_ALL:
        dom.cpu.flushTlb(false)
        break
      case Mmuext.INVLPG_LOCAL:
      case Mmuext.INVLPG_MULTI:
      case Mmuext.INVLPG_ALL:
        dom.cpu.invlpg(arg1)
        break
      default:
        rc = -Errno.EINVAL // L3/L4 tables do not exist in 2-level paging; the rest are not offered [R]
    }
    if (rc !== 0) break
  }
  if (pdone !== 0) g.write32(pdone, done)
  return rc
}

/**
 * sched_op(cmd, arg): yield; block (enables events: a pending one returns at once, otherwise the vCPU
 * sleeps until one is); shutdown (the domain ends with the reason in *arg).
 */
function schedOp(ctx: Ctx, cmd: number, arg: number): number {
  const { xen, dom, g } = ctx
  switch (cmd) {
    case SchedOp.yield:
      return 0
    case SchedOp.block:
      xen.setUpcallMask(dom, 0)
      if (!xen.upcallPending(dom)) {
        dom.s.blocked = true
        ctx.blocked = true
        xen.host.block(dom)
      }
      return 0
    case SchedOp.shutdown: {
      const reason = g.read32(arg)
      if (reason === null) return -Errno.EFAULT
      dom.s.shutdown = reason
      ctx.ended = true
      xen.host.shutdown(dom, reason === Shutdown.crash, `SCHEDOP_shutdown (reason ${reason})`)
      return 0
    }
    default:
      return -Errno.ENOSYS
  }
}

/** event_channel_op(cmd, arg): the operations a frontend needs, on `struct evtchn_*` at `arg`. */
function eventChannelOp(ctx: Ctx, cmd: number, arg: number): number {
  const { xen, dom, g } = ctx
  const d = dom.domid
  const word = (off: number) => g.read32(arg + off)
  switch (cmd) {
    case EvtchnOp.send: {
      const port = word(0)
      if (port === null) return -Errno.EFAULT
      return xen.onBehalfOf(d, () => xen.evtchn.send(d, port))
    }
    case EvtchnOp.unmask: {
      const port = word(0)
      return port === null ? -Errno.EFAULT : xen.evtchn.unmask(d, port)
    }
    case EvtchnOp.close: {
      const port = word(0)
      return port === null ? -Errno.EFAULT : xen.evtchn.close(d, port)
    }
    case EvtchnOp.bind_virq: {
      const virq = word(0)
      if (virq === null) return -Errno.EFAULT
      if (virq !== VIRQ_TIMER || word(4) !== 0) return -Errno.EINVAL // VIRQ_TIMER on vCPU 0 only [R]
      const port = xen.evtchn.bindVirq(d, virq)
      return port < 0 ? port : g.write32(arg + 8, port) ? 0 : -Errno.EFAULT
    }
    case EvtchnOp.alloc_unbound: {
      const doms = word(0)
      if (doms === null) return -Errno.EFAULT
      const self = doms & 0xffff
      if (self !== DOMID_SELF && self !== d) return -Errno.EPERM
      const port = xen.evtchn.allocUnbound(d, doms >>> 16)
      return port < 0 ? port : g.write32(arg + 4, port) ? 0 : -Errno.EFAULT
    }
    case EvtchnOp.bind_interdomain: {
      const remoteDom = word(0)
      const remotePort = word(4)
      if (remoteDom === null || remotePort === null) return -Errno.EFAULT
      const port = xen.evtchn.bindInterdomain(d, remoteDom & 0xffff, remotePort)
      return port < 0 ? port : g.write32(arg + 8, port) ? 0 : -Errno.EFAULT
    }
    default:
      return -Errno.ENOSYS
  }
}
