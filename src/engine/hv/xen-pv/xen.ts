import { FAULT } from '../../cpu/fault'
import { IF } from '../../cpu/flags'
import { deliverThroughIdt } from '../../cpu/interrupts'
import { PAGE_SHIFT, type PhysicalMemory } from '../../machine/memory'
import type { StateReader, StateWriter } from '../../snapshot'
import { HopCause } from '../../trace/schema'
import type { EventSink } from '../../trace/sink'
import type { Vm } from '../../session/vm'
import {
  CALLBACK_GATE_OFFSET,
  FAILSAFE_GATE_OFFSET,
  IDT_LIMIT,
  IDT_VIRT,
  SharedInfo,
  TI_DPL_MASK,
  TI_SET_IF,
  TSS_OFFSET,
  VIRQ_TIMER,
} from './abi'
import { buildDomain, initXenPages } from './domain-builder'
import { Dom0 } from './dom0'
import { initialDomainState, XenDomain, type Callback, type DomainState, type XenTrace } from './domain'
import { DOM0, EventChannels } from './event-channels'
import { GrantTables } from './grant-table'
import { domainPages, MAX_DOMUS } from './memory-layout'
import { PageTypes } from './page-types'
import { Xenstored } from './xenstored'

/** What Xen needs from the model that runs it: virtual time, scheduling of vCPUs, the timer hardware. */
export interface XenHost {
  readonly clock: { cycles: number }
  readonly sink: EventSink
  readonly trace: XenTrace
  /** The vCPU blocked (SCHEDOP_block, or HLT emulated as it): do not run it until woken. */
  block(dom: XenDomain): void
  /** An event became pending for a blocked vCPU: it may run again. */
  wake(dom: XenDomain): void
  /** The domain shut down (SCHEDOP_shutdown) or crashed: its VM stops. */
  shutdown(dom: XenDomain, crashed: boolean, why: string): void
  /** The domain's timers changed: the hardware timer must fire at the earliest. */
  timersChanged(dom: XenDomain): void
  /** Xen gives the physical CPU to another domain (0 = Dom0). */
  switchTo(domid: number): void
}

/**
 * Ringside's Xen for 32-bit PV domains: its memory (the frame table and M2P), event channels, grant
 * tables, the domains (built by its domain builder) and Dom0 with its backends and xenstored. The
 * hypercall dispatcher (hypercalls.ts) and the trap handlers (traps.ts) work on this state; the model
 * (model.ts) connects it to the session's vCPUs and reports flows.
 */
export class Xen {
  readonly types: PageTypes
  readonly evtchn: EventChannels
  readonly grants: GrantTables
  readonly dom0: Dom0
  readonly domains = new Map<number, XenDomain>()
  /** Dom0 is running (its backends are at work) on behalf of the domain in `dom0For`. */
  private dom0Active = false
  private dom0For = 0

  constructor(
    readonly mem: PhysicalMemory,
    readonly host: XenHost,
  ) {
    initXenPages(mem)
    this.types = new PageTypes(mem, (d) => domainPages(d).perdomainL1)
    this.evtchn = new EventChannels(mem, {
      sharedInfo: (d) => domainPages(d).sharedInfo,
      kick: (d) => this.kick(d),
      dom0Event: (port) => this.dom0Event(port),
    })
    this.grants = new GrantTables(
      mem,
      (d) => (this.domains.has(d) ? domainPages(d).grantTable : -1),
      (d, mfn) => this.domains.get(d)?.owns(mfn) === true,
    )
    const xenstored = new Xenstored(mem, (path, token) => this.dom0.watchFired(path, token))
    this.dom0 = new Dom0(mem, host.sink, host.trace, this.evtchn, this.grants, xenstored, (d) =>
      this.domains.get(d),
    )
  }

  get trace(): XenTrace {
    return this.host.trace
  }

  /**
   * Creates and builds a domain for `vm` (whose image is loaded and whose vCPU exists): its frames are
   * the VM's memory window. Returns the domain, or why the builder refused the image.
   */
  createDomain(vm: Vm): XenDomain | string {
    const domid = vm.index
    if (domid > MAX_DOMUS) return `Ringside's Xen has room for ${MAX_DOMUS} domains`
    this.destroyDomain(domid)
    const dom = new XenDomain(
      domid,
      vm,
      vm.memory.base >>> PAGE_SHIFT,
      vm.memory.size >>> PAGE_SHIFT,
      domainPages(domid),
      initialDomainState(),
    )
    this.domains.set(domid, dom)
    const { storePort, consolePort } = this.dom0.attach(dom)
    const built = buildDomain(this.mem, this.types, dom, {
      storeEvtchn: storePort,
      consoleEvtchn: consolePort,
      cmdline: vm.spec.cmdline ?? '',
    })
    if (typeof built === 'string') {
      this.destroyDomain(domid)
      return built
    }
    this.dom0.introduce(dom)
    return dom
  }

  destroyDomain(domid: number): void {
    const dom = this.domains.get(domid)
    if (!dom) return
    this.dom0.detach(domid)
    this.evtchn.closeAll(domid)
    this.grants.forget(domid)
    this.types.release(domid)
    for (let f = dom.baseMfn; f < dom.baseMfn + dom.nrPages; f++) this.types.setM2p(f, 0xffffffff)
    this.domains.delete(domid)
  }

  // ---------------------------------------------------------------- shared_info

  upcallMask(dom: XenDomain): number {
    return this.mem.read8(dom.pages.sharedInfo + SharedInfo.upcall_mask)
  }

  setUpcallMask(dom: XenDomain, v: number): void {
    this.mem.write8(dom.pages.sharedInfo + SharedInfo.upcall_mask, v)
  }

  upcallPending(dom: XenDomain): boolean {
    return this.mem.read8(dom.pages.sharedInfo + SharedInfo.upcall_pending) !== 0
  }

  /** An upcall could be delivered now: pending, unmasked, and the guest has an event callback. */
  upcallDeliverable(dom: XenDomain): boolean {
    return this.upcallPending(dom) && this.upcallMask(dom) === 0 && dom.s.eventCallback !== null
  }

  private kick(domid: number): void {
    const dom = this.domains.get(domid)
    if (dom && dom.s.blocked) this.host.wake(dom)
  }

  // ---------------------------------------------------------------- bounce frames

  /**
   * Builds a bounce frame (xen/arch/x86/x86_32/entry.S, create_bounce_frame): transfers to the guest
   * kernel's handler as the CPU would through a trap gate — on the guest kernel stack (TSS.SS1:ESP1,
   * set by stack_switch) when coming from ring 3, with the interrupted EFLAGS whose IF is the virtual
   * one (!evtchn_upcall_mask). Ringside's Xen keeps the gates in its IDT page and lets the CPU push
   * the frame [R: real Xen writes it from its own entry code]. A frame that cannot be written crashes
   * the domain, as in Xen. Returns false then.
   */
  bounce(
    dom: XenDomain,
    gate: { base: number; limit: number; vector: number },
    errorCode: number,
    length: number,
    mask: boolean,
  ): boolean {
    const c = dom.cpu
    const virtualIf = this.upcallMask(dom) === 0
    c.setEflags(virtualIf ? c.eflags | IF : c.eflags & ~IF)
    try {
      deliverThroughIdt(c, gate.vector, errorCode, 'external', length, gate.base | 0, gate.limit)
    } catch (e) {
      if (e !== FAULT) throw e
      c.setEflags(c.eflags | IF)
      this.host.shutdown(dom, true, `cannot build a bounce frame on the guest kernel stack (#${c.excVector})`)
      return false
    }
    c.setEflags(c.eflags | IF)
    if (mask) this.setUpcallMask(dom, 1)
    return true
  }

  /** Reflects exception or software interrupt `vector` to the guest's trap-table handler. */
  bounceTrap(dom: XenDomain, vector: number, errorCode: number, length: number): boolean {
    const t = dom.s.trapTable[vector]
    if (!t) {
      this.host.shutdown(dom, true, `unhandled trap ${vector}: no handler in the trap table`)
      return false
    }
    return this.bounce(
      dom,
      { base: IDT_VIRT, limit: IDT_LIMIT, vector },
      errorCode,
      length,
      (t.flags & TI_SET_IF) !== 0,
    )
  }

  /**
   * Delivers a pending upcall if it can go now (the event callback, events masked on entry). The
   * caller reports the hop. Returns whether it did.
   */
  deliverUpcall(dom: XenDomain): boolean {
    if (!this.upcallDeliverable(dom) || dom.vm.state !== 'running') return false
    return this.bounce(dom, { base: IDT_VIRT + CALLBACK_GATE_OFFSET, limit: 7, vector: 0 }, -1, 0, true)
  }

  // ---------------------------------------------------------------- guest tables

  /** An IDT gate (SDM Vol. 3A Figure 6-2): a 32-bit trap gate to cs:eip with the given DPL. */
  private writeGate(at: number, cs: number, eip: number, dpl: number): void {
    this.mem.write32(at, ((cs & 0xffff) << 16) | (eip & 0xffff))
    this.mem.write32(at + 4, (eip & 0xffff0000) | 0x8f00 | ((dpl & 3) << 13))
  }

  /** set_trap_table: one entry per vector, also as a trap gate in Xen's IDT page (see `bounce`). */
  setTrap(dom: XenDomain, vector: number, flags: number, cs: number, address: number): void {
    cs = fixupSelector(cs)
    dom.s.trapTable[vector] = { flags, cs, address }
    this.writeGate(dom.pages.idt + vector * 8, cs, address, flags & TI_DPL_MASK)
    if (vector === 0x80) dom.s.int80Direct = (flags & TI_SET_IF) === 0
  }

  clearTraps(dom: XenDomain): void {
    dom.s.trapTable.fill(null)
    this.mem.u8.fill(0, dom.pages.idt, dom.pages.idt + 256 * 8)
    dom.s.int80Direct = false
  }

  setCallbacks(dom: XenDomain, event: Callback, failsafe: Callback): void {
    dom.s.eventCallback = { cs: fixupSelector(event.cs), eip: event.eip }
    dom.s.failsafeCallback = { cs: fixupSelector(failsafe.cs), eip: failsafe.eip }
    this.writeGate(dom.pages.idt + CALLBACK_GATE_OFFSET, dom.s.eventCallback.cs, event.eip, 1)
    this.writeGate(dom.pages.idt + FAILSAFE_GATE_OFFSET, dom.s.failsafeCallback.cs, failsafe.eip, 1)
  }

  /** stack_switch: the kernel stack for entries from ring 3, also in Xen's TSS (SS1:ESP1) for the CPU. */
  stackSwitch(dom: XenDomain, ss: number, esp: number): void {
    dom.s.kernelSs = fixupSelector(ss)
    dom.s.kernelSp = esp >>> 0
    this.mem.write32(dom.pages.idt + TSS_OFFSET + 12, esp)
    this.mem.write32(dom.pages.idt + TSS_OFFSET + 16, dom.s.kernelSs)
  }

  // ---------------------------------------------------------------- time

  /** Runs the domain's expired timers (Xen's timer softirq): VIRQ_TIMER for each. */
  runTimers(dom: XenDomain, now: number): boolean {
    const s = dom.s
    let fired = false
    if (now >= s.singleshotAt) {
      s.singleshotAt = Infinity
      fired = true
    }
    if (s.periodicPeriod > 0 && now >= s.periodicNext) {
      // The next period from the one that expired [R: Xen re-arms from the handler's time, and drifts].
      while (s.periodicNext <= now) s.periodicNext += s.periodicPeriod
      fired = true
    }
    if (fired) this.evtchn.raiseVirq(dom.domid, VIRQ_TIMER)
    return fired
  }

  nextTimer(dom: XenDomain): number {
    return Math.min(dom.s.singleshotAt, dom.s.periodicPeriod > 0 ? dom.s.periodicNext : Infinity)
  }

  // ---------------------------------------------------------------- Dom0

  /**
   * A notification for Dom0: Xen switches the CPU to Dom0 (its vCPU is woken with priority, so it runs
   * at once — the credit scheduler's BOOST [R]), Dom0's kernel handles the port, Dom0 blocks again and
   * Xen switches back. Nested notifications while Dom0 runs are handled in the same run.
   */
  private dom0Event(port: number): void {
    if (this.dom0Active) {
      this.dom0.event(port)
      return
    }
    const on = this.dom0For
    this.trace.hop(on, 'xen', 'dom0-kernel', HopCause.Upcall, ['xen-domain-switch', 'xen-exit'], port)
    this.dom0Active = true
    this.host.switchTo(DOM0)
    try {
      this.dom0.event(port)
    } finally {
      this.dom0Active = false
    }
    this.trace.hop(on, 'dom0-kernel', 'xen', HopCause.Trap, ['xen-entry', 'xen-domain-switch'])
    this.host.switchTo(on)
  }

  /** Runs `fn` with Dom0's work attributed to domain `domid` (whose action caused it). */
  onBehalfOf<T>(domid: number, fn: () => T): T {
    const prev = this.dom0For
    this.dom0For = domid
    try {
      return fn()
    } finally {
      this.dom0For = prev
    }
  }

  /** Console input at the domain's physical console: Xen's interrupt wakes Dom0, consoleback fills the ring. */
  consoleInput(dom: XenDomain): boolean {
    if (!this.dom0.consoleInputWaiting(dom)) return false
    this.onBehalfOf(dom.domid, () => {
      this.trace.hop(dom.domid, 'uart', 'xen', HopCause.Signal, 'xen-entry')
      this.trace.hop(dom.domid, 'xen', 'dom0-kernel', HopCause.Upcall, ['xen-domain-switch', 'xen-exit'])
      this.host.switchTo(DOM0)
      this.dom0Active = true
      try {
        this.trace.hop(dom.domid, 'dom0-kernel', 'consoleback', HopCause.Call, 'dom0-evtchn')
        this.dom0.consoleInput(dom)
      } finally {
        this.dom0Active = false
      }
      this.trace.hop(dom.domid, 'dom0-kernel', 'xen', HopCause.Trap, ['xen-entry', 'xen-domain-switch'])
    })
    return true
  }

  // ---------------------------------------------------------------- snapshots

  saveState(w: StateWriter): void {
    w.json([...this.domains.values()].map((d) => [d.domid, serializeState(d.s)]))
    const t = this.types
    w.bytes(t.owner)
    w.bytes(t.type)
    w.words(t.typeCount)
    w.words(t.writeCount)
    w.bytes(t.pinned)
    this.evtchn.saveState(w)
    this.grants.saveState(w)
    this.dom0.saveState(w)
  }

  /** Restores Xen's state; `vmOf` gives the VM of a domain (the session restored the VMs first). */
  loadState(r: StateReader, vmOf: (domid: number) => Vm): void {
    this.domains.clear()
    for (const [domid, s] of r.json<[number, DomainState][]>()) {
      const vm = vmOf(domid)
      this.domains.set(
        domid,
        new XenDomain(
          domid,
          vm,
          vm.memory.base >>> PAGE_SHIFT,
          vm.memory.size >>> PAGE_SHIFT,
          domainPages(domid),
          deserializeState(s),
        ),
      )
    }
    const t = this.types
    t.owner.set(r.bytes())
    t.type.set(r.bytes())
    r.words(t.typeCount)
    r.words(t.writeCount)
    t.pinned.set(r.bytes())
    this.evtchn.loadState(r)
    this.grants.loadState(r)
    this.dom0.loadState(r)
  }
}

/** A selector the guest gives for its kernel: RPL 0 becomes 1 (fixup_guest_code_selector). */
function fixupSelector(sel: number): number {
  return (sel & 3) === 0 ? sel | 1 : sel
}

/** JSON has no Infinity: timers that are off are saved as -1. */
function serializeState(s: DomainState): DomainState {
  return {
    ...s,
    singleshotAt: s.singleshotAt === Infinity ? -1 : s.singleshotAt,
    periodicNext: s.periodicNext === Infinity ? -1 : s.periodicNext,
  }
}

function deserializeState(s: DomainState): DomainState {
  return {
    ...s,
    singleshotAt: s.singleshotAt < 0 ? Infinity : s.singleshotAt,
    periodicNext: s.periodicNext < 0 ? Infinity : s.periodicNext,
  }
}
