import type { Cpu, CpuEnv } from '../../cpu/cpu'
import { SG_REG, Seg } from '../../cpu/decoded'
import { getReg, writeE } from '../../cpu/execute-rare'
import { IF, RF, VM } from '../../cpu/flags'
import type { PrivilegedInsn } from '../../cpu/interceptors'
import { Op } from '../../cpu/ops'
import { loadSegmentReg } from '../../cpu/segmentation'
import type { Vm } from '../../session/vm'
import type { StateReader, StateWriter } from '../../snapshot'
import { EventKind, FlowKind, HopCause, SensitiveInsn } from '../../trace/schema'
import type { HardwareId } from '../devices'
import type { ModelHost } from '../model'
import type { ShadowFault } from '../shadow-mmu'
import type { RingCompressionMonitor } from '../trap-emulate/ring-compression'
import { RingCompressionModel, type Parts } from '../trap-emulate/ring-compression-model'
import { vmControl } from '../vm-control'
import type { VmwareBtCostId } from './costs'
import { BtCpu, TranslationCache, type BtStats } from './translation-cache'
import { BT_VIM_CMD } from './vim-cmd'
import { EsxShell } from '../esxi/vim-cmd'

/**
 * `BtCallout.reason`: a privileged instruction's {@link PrivilegedInsn} value; a sensitive one's
 * {@link SensitiveInsn} value + 0x100; a traced page-table store turned into a call-out, 0x200.
 */
export const BtCalloutReason = { Sensitive: 0x100, PteStore: 0x200 } as const

/** Faults of one store on a traced page table after which the translator makes it a call-out [R: VMware gives no number]. */
export const ADAPT_AFTER = 4
/** One BtCacheHit event per this many translation-cache hits (the rest are counted). */
export const HIT_SAMPLE = 256

/** Counts the runner reports as `bt` (translation cache and call-outs, all VMs). */
export interface BtSummary extends BtStats {
  /** Sensitive and privileged instructions that became call-outs. */
  callouts: number
  /** Stores to traced page tables that faulted and were emulated. */
  tracedWrites: number
  /** Stores performed by call-outs after adaptive retranslation. */
  adaptiveCallouts: number
  /** Store sites the translator turned into call-outs. */
  calloutSites: number
}

interface VcpuBt {
  readonly tc: TranslationCache
  readonly cpu: BtCpu
  /** Traced-write faults per guest EIP. */
  readonly faults: Map<number, number>
  callouts: number
  tracedWrites: number
  adaptiveCallouts: number
  hitsSinceEvent: number
}

/**
 * VMware's classic binary translation (hypervisor-flows.md §6.3; Adams & Agesen, ASPLOS 2006): guest
 * user code runs directly in ring 3; guest kernel code runs only as translated code (`bt`, ring 1) out
 * of a translation cache (translation-cache.ts), its sensitive and privileged instructions replaced by
 * call-outs into the VMM (ring 0) that act on the virtual CPU — so POPF, PUSHF, IRET, SGDT, SMSW and
 * MOV from CS see and change the state the guest kernel believes in, with no trap. The VMM keeps the
 * real IDT, GDT and TSS and shadow page tables as a ring-compression monitor does
 * (trap-emulate/ring-compression.ts): system calls, interrupts and faults still enter it and are
 * reflected. Page-table writes are traced (the guest's tables are write-protected): a faulting store is
 * emulated, and one that keeps faulting is retranslated into a call-out (adaptive BT, "ptemod").
 * Guest user code is not translated: in ring 3 SGDT and SIDT still show the VMM's tables, as they did
 * on VMware (the "Red Pill" test).
 */
export class VmwareBtModel extends RingCompressionModel<VmwareBtCostId> {
  readonly arch = 'vmware-bt' as const
  readonly shell: EsxShell<VmwareBtCostId>
  private readonly vcpus = new Map<number, VcpuBt>()

  constructor(host: ModelHost) {
    super(
      host,
      { kernel: 'bt', monitor: 'vmm' },
      {
        trap: 'vmm-trap',
        resume: 'resume',
        reflect: 'reflect',
        guestSyscall: 'guest-syscall',
        syscallReflect: 'bt-syscall',
        shadowFill: 'shadow-fill',
        emulate: { cpu: 'bt-callout', halt: 'bt-callout', mmu: 'bt-callout-mmu', io: 'bt-callout-io' },
      },
    )
    this.shell = new EsxShell(vmControl(host), this.flows, host.topology, BT_VIM_CMD)
  }

  protected override makeCpu(env: CpuEnv): Cpu {
    return new BtCpu(env)
  }

  protected attach(vm: Vm, cpu: Cpu, mon: RingCompressionMonitor): void {
    const bt = cpu as BtCpu
    const p = this.parts(vm)
    const f = this.flows
    const sink = this.host.sink
    const v: VcpuBt = {
      cpu: bt,
      faults: new Map(),
      callouts: 0,
      tracedWrites: 0,
      adaptiveCallouts: 0,
      hitsSinceEvent: 0,
      tc: new TranslationCache(vm.memory.base, vm.memory.size, {
        translated: (eip, gpa, bytes, insns) => {
          sink.emit(EventKind.BtTranslate, 0, eip >>> 0, bytes, insns)
          f.begin(FlowKind.BinaryTranslation, eip, p.kernel, gpa)
          f.hop(p.kernel, p.monitor, HopCause.Call, 'bt-translate', eip, insns)
          f.hop(p.monitor, p.kernel, HopCause.Return, 'resume', eip)
          f.end()
        },
        hit: (eip) => {
          if (++v.hitsSinceEvent === HIT_SAMPLE) {
            sink.emit(EventKind.BtCacheHit, 0, eip >>> 0, HIT_SAMPLE)
            v.hitsSinceEvent = 0
          }
        },
        invalidated: (gpaPage, blocks) => {
          sink.emit(EventKind.BtInvalidate, 0, gpaPage >>> 0, blocks)
          f.begin(FlowKind.BinaryTranslation, gpaPage, p.kernel, blocks)
          f.hop(p.kernel, p.monitor, HopCause.Trap, 'bt-invalidate', gpaPage, blocks)
          f.hop(p.monitor, p.kernel, HopCause.Return, 'resume')
          f.end()
        },
      }),
    }
    // A rebooted or restored VM gets a new vCPU: the old one's cache must not report the new image's writes.
    const old = this.vcpus.get(vm.index)
    if (old !== undefined) old.cpu.tc = null
    this.vcpus.set(vm.index, v)
    bt.tc = v.tc
    bt.sensitiveInterceptor = (insn, slot) => this.sensitive(v, mon, p, insn, slot)
    // Guest user code runs untranslated in ring 3, where SGDT/SIDT/SLDT/STR/SMSW still read the
    // monitor's registers (x86-virtualization-facts.md §2, the "Red Pill"): the CPU reports those as
    // SensitiveNoTrap. Ring 1 is left out: there the translator rewrites POPF, PUSHF and the
    // descriptor-table stores into call-outs, and lets PUSH/POP of segment registers and IRET run as
    // they are [R] (the shadow descriptors keep the values the guest expects).
    bt.sensitiveWatch = true
    bt.sensitiveWatchMinCpl = 3
    bt.privilegedInterceptor = (insn, slot) => this.privileged(v, mon, p, insn, slot)
    bt.storeCallout = (linear, size, value) => this.storeCallout(v, mon, p, linear, size, value)
  }

  /** A call-out from translated code at `eip`: the hop into the VMM (the work is charged by the caller) and the BtCallout event. */
  private callout(v: VcpuBt, p: Parts, reason: number, eip = v.cpu.eip >>> 0): void {
    v.callouts++
    this.host.sink.emit(EventKind.BtCallout, reason, eip)
    this.flows.begin(FlowKind.BinaryTranslation, reason, p.kernel, eip)
    this.flows.hop(p.kernel, p.monitor, HopCause.Call, 'resume', eip, reason)
  }

  /** A privileged instruction of translated code: emulated by the VMM as a call-out instead of a #GP trap. */
  private privileged(
    v: VcpuBt,
    mon: RingCompressionMonitor,
    p: Parts,
    insn: PrivilegedInsn,
    slot: number,
  ): boolean {
    if (v.cpu.cpl === 3) return false // guest user code runs directly: its #GP is the guest's
    const eip = v.cpu.eip >>> 0
    const e = mon.emulate(slot)
    if (e === null) return false
    this.callout(v, p, insn, eip)
    this.emulationHops(p, mon, e)
    this.flows.end()
    mon.pump()
    return true
  }

  /**
   * A sensitive instruction of translated code, rewritten to act on the virtual CPU: PUSHF pushes the
   * virtual IF, POPF and IRET set it (the instruction itself then runs: the real IF stays set), SGDT,
   * SIDT, SLDT, STR and SMSW store the guest's own registers, and MOV/PUSH from CS or SS show ring 0.
   * [R: LAR, LSL, VERR and VERW are left as they are — ringos does not use them.]
   */
  private sensitive(
    v: VcpuBt,
    mon: RingCompressionMonitor,
    p: Parts,
    insn: SensitiveInsn,
    slot: number,
  ): boolean {
    const c = v.cpu
    if (c.cpl === 3) return false
    const d = c.dec
    const size = d.sz[slot]!
    const reg = (d.sg[slot]! & SG_REG) !== 0
    const guestSel = (s: number): number =>
      (c.sel[s]! & 3) === 1 && (s === Seg.CS || s === Seg.SS) ? c.sel[s]! & ~3 : c.sel[s]!
    let emulated = true
    switch (insn) {
      case SensitiveInsn.Pushf: {
        const flags = (c.eflags & ~(IF | VM | RF)) | (mon.vIF ? IF : 0)
        if (size === 4) c.push32(flags)
        else c.push16(flags & 0xffff)
        break
      }
      case SensitiveInsn.Popf:
      case SensitiveInsn.Iret: {
        const at = insn === SensitiveInsn.Popf ? c.r[4]! : (c.r[4]! + 2 * size) | 0
        mon.vIF = c.rd(c.segLin(Seg.SS, at, size, false), size) & IF ? 1 : 0
        emulated = false
        break
      }
      case SensitiveInsn.Sgdt:
      case SensitiveInsn.Sidt: {
        const lin = c.lin(slot, 6, true)
        const gdt = insn === SensitiveInsn.Sgdt
        c.wr16(lin, gdt ? mon.gdtLimit : mon.idtLimit)
        c.wr32((lin + 2) | 0, (gdt ? mon.gdtBase : mon.idtBase) & (size === 2 ? 0xffffff : -1))
        break
      }
      case SensitiveInsn.Sldt:
      case SensitiveInsn.Str:
        writeE(c, slot, reg ? size : 2, insn === SensitiveInsn.Str ? mon.trSel : mon.ldtSel)
        break
      case SensitiveInsn.Smsw:
        writeE(c, slot, reg ? size : 2, mon.cr0)
        break
      case SensitiveInsn.MovFromSreg:
        writeE(c, slot, reg ? size : 2, guestSel(d.ext[slot]!))
        break
      case SensitiveInsn.PushSreg: {
        const s = d.ext[slot]!
        if (s !== Seg.CS && s !== Seg.SS) return false
        if (size === 4) {
          const sp = (c.r[4]! - 4) | 0
          c.wr16(c.segLin(Seg.SS, sp, 4, true), guestSel(s))
          c.r[4] = sp
        } else c.push16(guestSel(s))
        break
      }
      case SensitiveInsn.PopSreg: {
        if (d.ext[slot] !== Seg.SS) return false
        const sel = c.rd(c.segLin(Seg.SS, c.r[4]!, size, false), size) & 0xffff
        if ((sel & 3) !== 0) return false
        loadSegmentReg(c, Seg.SS, sel | 1)
        c.r[4] = (c.r[4]! + size) | 0
        c.shadow = 2
        break
      }
      default:
        return false
    }
    const eip = c.eip >>> 0
    if (emulated) c.eip = (c.eip + d.len[slot]!) | 0
    this.callout(v, p, BtCalloutReason.Sensitive + insn, eip)
    this.flows.work(p.monitor, 'bt-callout')
    this.flows.hop(p.monitor, p.kernel, HopCause.Return, 'resume')
    this.flows.end()
    if (mon.vIF) mon.pump()
    return emulated
  }

  /** Port I/O: the virtual chipset and serial ports are in the VMM; storage goes through the VMkernel. */
  protected override deviceHops(
    p: Parts,
    dev: HardwareId,
    port: number,
    write: boolean,
    value: number,
    costs: readonly VmwareBtCostId[],
  ): void {
    const f = this.flows
    if (dev === 'cpu') {
      f.work(p.monitor, costs)
      return
    }
    if (dev !== 'disk') {
      super.deviceHops(p, dev, port, write, value, costs)
      return
    }
    const vmkernel = this.component('vmkernel')
    const disk = this.component('disk')
    f.hop(p.monitor, vmkernel, HopCause.Call, costs, port, value)
    f.hop(vmkernel, disk, write ? HopCause.Call : HopCause.Return, 'resume', port, value)
    f.hop(disk, vmkernel, HopCause.Return, 'resume', port, value)
    f.hop(vmkernel, p.monitor, HopCause.Return, 'resume', port, value)
  }

  protected override interruptHops(p: Parts, dev: number, vector: number, irq: number): void {
    if (dev !== this.component('disk')) {
      super.interruptHops(p, dev, vector, irq)
      return
    }
    const vmkernel = this.component('vmkernel')
    this.flows.hop(dev, vmkernel, HopCause.Signal, 'vmm-trap', vector, irq >>> 0)
    this.flows.hop(vmkernel, p.monitor, HopCause.Return, 'resume', vector, irq >>> 0)
  }

  /**
   * A store of translated code hit a traced (write-protected) guest page table: the VMM decodes and
   * emulates it, updating the shadow, and the page stays traced. After {@link ADAPT_AFTER} such faults
   * the translator retranslates the store into a call-out, which no longer faults. Stores it cannot
   * decode (string or read-modify-write instructions) unsync the page instead.
   */
  protected override tracedWrite(
    vm: Vm,
    mon: RingCompressionMonitor,
    p: Parts,
    from: number,
    r: ShadowFault & { kind: 'pt-write' },
    errorCode: number,
  ): void {
    const v = this.vcpus.get(vm.index)!
    const c = v.cpu
    const store = from === p.kernel && c.insnEip() === c.eip ? plainStore(c, c.cur) : null
    if (store === null) {
      super.tracedWrite(vm, mon, p, from, r, errorCode)
      return
    }
    const eip = c.eip >>> 0
    mon.mmu.writeGuestEntry(r.gpa, store.value, store.size)
    c.eip = (c.eip + c.dec.len[c.cur]!) | 0
    v.tracedWrites++
    const f = this.flows
    f.begin(FlowKind.PageTableUpdate, 14, p.kernel, r.gpa >>> 0)
    f.hop(p.kernel, p.monitor, HopCause.Trap, 'vmm-trap', c.cr2 >>> 0, errorCode >>> 0)
    f.work(p.monitor, 'traced-write')
    f.hop(p.monitor, p.kernel, HopCause.Return, 'resume')
    f.end()
    const n = (v.faults.get(eip) ?? 0) + 1
    v.faults.set(eip, n)
    if (n === ADAPT_AFTER) {
      // Adaptive BT: retranslate the block with the store as a call-out.
      c.calloutSites.add(eip)
      this.host.sink.emit(EventKind.BtTranslate, 1, eip, 0, 1)
      f.begin(FlowKind.BinaryTranslation, eip, p.kernel, r.gpa >>> 0)
      f.hop(p.kernel, p.monitor, HopCause.Call, 'bt-translate', eip, 1)
      f.hop(p.monitor, p.kernel, HopCause.Return, 'resume', eip)
      f.end()
    }
  }

  /** An adapted store site: the VMM performs the store on the traced page table itself, no fault. */
  private storeCallout(
    v: VcpuBt,
    mon: RingCompressionMonitor,
    p: Parts,
    linear: number,
    size: 1 | 2 | 4,
    value: number,
  ): boolean {
    const gpa = mon.mmu.translate(linear, true)
    if (gpa === null || !mon.mmu.isTracked(gpa) || mon.mmu.isUnsync(gpa)) return false
    mon.mmu.writeGuestEntry(gpa, value, size)
    v.adaptiveCallouts++
    this.callout(v, p, BtCalloutReason.PteStore, v.cpu.insnEip() >>> 0)
    this.flows.work(p.monitor, 'ptemod-callout')
    this.flows.hop(p.monitor, p.kernel, HopCause.Return, 'resume')
    this.flows.end()
    return true
  }

  /** Translation-cache and call-out counts over all VMs (the runner's `bt`). */
  btSummary(): BtSummary {
    const s: BtSummary = {
      translations: 0,
      translatedInsns: 0,
      hits: 0,
      indirectHits: 0,
      chains: 0,
      invalidations: 0,
      blocksInvalidated: 0,
      blocks: 0,
      callouts: 0,
      tracedWrites: 0,
      adaptiveCallouts: 0,
      calloutSites: 0,
    }
    for (const v of this.vcpus.values()) {
      for (const k of Object.keys(v.tc.stats) as (keyof BtStats)[]) s[k] += v.tc.stats[k]
      s.callouts += v.callouts
      s.tracedWrites += v.tracedWrites
      s.adaptiveCallouts += v.adaptiveCallouts
      s.calloutSites += v.cpu.calloutSites.size
    }
    return s
  }

  /** The runner's JSON gains `bt`. */
  summaryExtras(): Readonly<Record<string, unknown>> {
    return { bt: this.btSummary() }
  }

  /**
   * Also drops the CPUs' decoded blocks: the translation cache counts the lookups the CPU makes, which
   * depend on what it has chained, so the run that goes on and a run restored from this snapshot must
   * both continue from an empty decoded-block cache.
   */
  override saveState(w: StateWriter): void {
    for (const v of this.vcpus.values()) v.cpu.flushBlocks()
    super.saveState(w)
    w.section('bt')
    for (const vm of this.host.vms) {
      const v = this.vcpus.get(vm.index)
      w.json(
        v === undefined
          ? null
          : {
              tc: v.tc.save(),
              faults: [...v.faults],
              sites: [...v.cpu.calloutSites],
              counts: [v.callouts, v.tracedWrites, v.adaptiveCallouts, v.hitsSinceEvent],
            },
      )
    }
  }

  override loadState(r: StateReader): void {
    super.loadState(r)
    r.section('bt')
    for (const vm of this.host.vms) {
      const s = r.json<{
        tc: unknown
        faults: [number, number][]
        sites: number[]
        counts: number[]
      } | null>()
      const v = this.vcpus.get(vm.index)
      if (s === null || v === undefined) continue
      v.tc.load(s.tc)
      v.faults.clear()
      for (const [k, n] of s.faults) v.faults.set(k, n)
      v.cpu.calloutSites.clear()
      for (const e of s.sites) v.cpu.calloutSites.add(e)
      ;[v.callouts, v.tracedWrites, v.adaptiveCallouts, v.hitsSinceEvent] = s.counts as [
        number,
        number,
        number,
        number,
      ]
    }
  }
}

/** The value and size of a plain store (MOV to memory) in CPU slot `i`, or null for any other instruction. */
function plainStore(c: Cpu, i: number): { value: number; size: 1 | 2 | 4 } | null {
  const d = c.dec
  if (d.sg[i]! & SG_REG) return null
  switch (d.op[i]) {
    case Op.MovMR32:
      return { value: c.r[d.r1[i]!]!, size: 4 }
    case Op.MovMI32:
      return { value: d.imm[i]!, size: 4 }
    case Op.MovEG:
      return { value: getReg(c, d.sz[i]!, d.r1[i]!), size: d.sz[i] as 1 | 2 | 4 }
    case Op.MovEI:
      return { value: d.imm[i]!, size: d.sz[i] as 1 | 2 | 4 }
    default:
      return null
  }
}
