/**
 * What a Hyper-V child partition sees of its hypervisor beyond the bare CPU (TLFS: feature-discovery.md,
 * the synthetic MSRs of hypercall-interface.md, inter-partition-communication.md and timers.md): the
 * CPUID leaves 0x40000000–0x40000005, the synthetic MSRs with their read/write rules, the hypercall
 * page overlay, and — behind them — the SynIC, the synthetic timers and the root partition's VMBus with
 * its console and storage VSPs. {@link HypervPartition} is the one object a Hyper-V model keeps per
 * child: it applies the effects of a RDMSR/WRMSR or VMCALL exit and of time passing, and returns
 * {@link HvNotice}s for the model to turn into flows. It emits no events itself.
 * docs/hyperv-abi.md is the contract with the guest.
 */
import { defaultLeaf } from '../../cpu/cpuid'
import type { DmaMemory } from '../../machine/memory'
import type { StateReader, StateWriter } from '../../snapshot'
import { performHypercall, type HypercallOutcome, type HypercallRegs } from './hypercalls'
import { SINT_COUNT, Synic, type SynicNotice } from './synic'
import { ReferenceClock, STIMER_COUNT, SyntheticTimers, type TimerNotice } from './synic-timer'
import { VmbusHost, type VmbusNotice } from './vmbus'
import { VmbusConsole } from './vmbus-console'
import { VmbusStorage } from './vmbus-storage'

/** Synthetic MSRs (TLFS; Linux arch/x86/include/asm/hyperv-tlfs.h). */
export const HvMsr = {
  guestOsId: 0x40000000,
  hypercall: 0x40000001,
  vpIndex: 0x40000002,
  timeRefCount: 0x40000020,
  scontrol: 0x40000080,
  sversion: 0x40000081,
  siefp: 0x40000082,
  simp: 0x40000083,
  eom: 0x40000084,
  sint0: 0x40000090,
  stimer0Config: 0x400000b0,
} as const

/** The hypervisor's MSR range: Microsoft reserves 0x40000000–0x400000FF for synthetic MSRs. */
export const SYNTHETIC_MSR_FIRST = 0x40000000
export const SYNTHETIC_MSR_LAST = 0x400000ff

/** The hypercall page stub for Intel VT-x: `vmcall; ret` (AMD's is `vmmcall; ret`). */
export const HYPERCALL_STUB = Uint8Array.of(0x0f, 0x01, 0xc1, 0xc3)
/** What fills the rest of the overlay page [R]: `int3`. */
const OVERLAY_FILL = 0xcc

function str4(s: string): number {
  return (s.charCodeAt(0) | (s.charCodeAt(1) << 8) | (s.charCodeAt(2) << 16) | (s.charCodeAt(3) << 24)) >>> 0
}

/** The page address in bits 31:12 of an MSR value. */
function pageOf(v: number): number {
  return (v & 0xfffff000) >>> 0
}

type Leaf = readonly [number, number, number, number]

/**
 * CPUID as a Hyper-V child sees it (TLFS feature-discovery.md; docs/hyperv-abi.md §1): leaf 1 with
 * the hypervisor-present bit (ECX 31) set and VMX (ECX 5) clear [R: no nested virtualization], and the
 * hypervisor leaves. A model installs them in `Cpu.cpuidOverrides`.
 */
export function hypervCpuidLeaves(): ReadonlyMap<number, Leaf> {
  const [a, b, c, d] = defaultLeaf(1)
  return new Map<number, Leaf>([
    [1, [a, b, ((c | 0x80000000) & ~(1 << 5)) >>> 0, d]],
    [0x40000000, [0x40000005, str4('Micr'), str4('osof'), str4('t Hv')]],
    [0x40000001, [str4('Hv#1'), 0, 0, 0]],
    // [R] Windows Server 2019: build 17763, version 10.0.
    [0x40000002, [17763, 0x000a0000, 0, 0]],
    // Privileges: reference counter, SynIC, synthetic timers, hypercall MSRs, VP index (EAX);
    // PostMessages, SignalEvents (EBX). EDX 19: direct-mode synthetic timers.
    [0x40000003, [0x6e, 0x30, 0, 1 << 19]],
    [0x40000004, [0, 0xffffffff, 0, 0]],
    [0x40000005, [1, 1, 0, 0]],
  ])
}

/** The hypercall page was enabled (overlaid at `gpa`) or disabled. */
export interface HypercallPageNotice {
  readonly kind: 'hypercall-page'
  readonly gpa: number
  readonly enabled: boolean
}

/** Everything the partition reports to the model, in the order it happened. */
export type HvNotice = SynicNotice | TimerNotice | VmbusNotice | HypercallPageNotice

/** A RDMSR of a synthetic MSR: its value in EDX:EAX, or #GP. */
export type MsrRead =
  { readonly kind: 'value'; readonly eax: number; readonly edx: number } | { readonly kind: 'gp' }
/** A WRMSR of a synthetic MSR: done (with what it caused), or #GP. */
export type MsrWrite =
  { readonly kind: 'ok'; readonly notices: readonly HvNotice[] } | { readonly kind: 'gp' }
/** A VMCALL: #UD, or the result for EDX:EAX and what the call caused. */
export type HypercallResult =
  | { readonly kind: 'ud'; readonly reason: 'cpl' | 'disabled' }
  | (Extract<HypercallOutcome, { kind: 'done' }> & { readonly notices: readonly HvNotice[] })

export interface HypervPartitionOptions {
  /** The child's guest-physical memory. */
  readonly mem: DmaMemory
  /** The VM's disk image, served by the storage VSP (modified in place). */
  readonly disk?: Uint8Array | null
  /** The cycle at which the partition is created: its reference time 0. */
  readonly createdAt: number
}

/**
 * One child partition with one virtual processor, as the hypervisor and the root partition keep it.
 * Each entry point takes the current cycle and returns the notices of what it caused.
 */
export class HypervPartition {
  readonly synic: Synic
  readonly timers: SyntheticTimers
  readonly vmbus: VmbusHost
  readonly console = new VmbusConsole()
  readonly storage: VmbusStorage
  guestOsIdLo = 0
  guestOsIdHi = 0
  /** HV_X64_MSR_HYPERCALL, low half (enable, locked, page address). */
  hypercallMsr = 0
  /** The guest page the hypercall overlay hides, while it is enabled. */
  private hiddenPage: Uint8Array | null = null
  private readonly mem: DmaMemory
  private notices: HvNotice[] = []

  constructor(opts: HypervPartitionOptions) {
    this.mem = opts.mem
    const notify = (n: HvNotice): void => {
      this.notices.push(n)
    }
    this.synic = new Synic(opts.mem, notify)
    this.timers = new SyntheticTimers(
      new ReferenceClock(opts.createdAt),
      (s, m) => this.synic.post(s, m),
      notify,
    )
    this.storage = new VmbusStorage(opts.mem, opts.disk ?? null)
    this.vmbus = new VmbusHost(opts.mem, this.synic, notify, [this.console, this.storage])
  }

  /** Receives each console write of the guest (the console VSP's output). */
  set onConsoleOutput(f: ((bytes: Uint8Array) => void) | null) {
    this.console.onOutput = f
  }

  /** Keystrokes the console VSP has not yet put into the guest's ring. */
  get pendingConsoleInput(): number {
    return this.console.input.length
  }

  private collect(): HvNotice[] {
    const out = this.notices
    this.notices = []
    return out
  }

  /** True for the hypervisor's MSR range: the model hands RDMSR/WRMSR of these to this partition. */
  static isSyntheticMsr(index: number): boolean {
    return index >>> 0 >= SYNTHETIC_MSR_FIRST && index >>> 0 <= SYNTHETIC_MSR_LAST
  }

  /** RDMSR of a synthetic MSR at cycle `now` (docs/hyperv-abi.md §2); unknown ones raise #GP. */
  rdmsr(index: number, now: number): MsrRead {
    const value = (eax: number, edx = 0): MsrRead => ({ kind: 'value', eax: eax >>> 0, edx: edx >>> 0 })
    const i = index >>> 0
    switch (i) {
      case HvMsr.guestOsId:
        return value(this.guestOsIdLo, this.guestOsIdHi)
      case HvMsr.hypercall:
        return value(this.hypercallMsr)
      case HvMsr.vpIndex:
        return value(0)
      case HvMsr.timeRefCount: {
        const ref = this.timers.clock.at(now)
        return value(ref % 0x1_0000_0000, Math.floor(ref / 0x1_0000_0000))
      }
      case HvMsr.scontrol:
        return value(this.synic.scontrol)
      case HvMsr.sversion:
        return value(1)
      case HvMsr.siefp:
        return value(this.synic.siefp)
      case HvMsr.simp:
        return value(this.synic.simp)
      case HvMsr.eom:
        return value(0)
    }
    if (i >= HvMsr.sint0 && i < HvMsr.sint0 + SINT_COUNT) return value(this.synic.sints[i - HvMsr.sint0])
    if (i >= HvMsr.stimer0Config && i < HvMsr.stimer0Config + 2 * STIMER_COUNT) {
      const n = (i - HvMsr.stimer0Config) >> 1
      return i & 1 ? value(...this.timers.readCount(n)) : value(this.timers.readConfig(n))
    }
    return { kind: 'gp' }
  }

  /** WRMSR of a synthetic MSR (EDX:EAX = `hi`:`lo`) at cycle `now`; read-only and unknown ones raise #GP. */
  wrmsr(index: number, lo: number, hi: number, now: number): MsrWrite {
    const ok = this.write(index >>> 0, lo >>> 0, hi >>> 0, now)
    const notices = this.collect()
    return ok ? { kind: 'ok', notices } : { kind: 'gp' }
  }

  private write(i: number, lo: number, hi: number, now: number): boolean {
    switch (i) {
      case HvMsr.guestOsId:
        this.guestOsIdLo = lo
        this.guestOsIdHi = hi
        // KVM: a zero guest OS id disables the hypercall page.
        if (lo === 0 && hi === 0) this.setHypercallMsr(this.hypercallMsr & ~1)
        return true
      case HvMsr.hypercall:
        // Locked (bit 1): immutable until reset. Without a guest OS id the page stays disabled (KVM).
        if (this.hypercallMsr & 2) return true
        if (lo & 1 && this.guestOsIdLo === 0 && this.guestOsIdHi === 0) return true
        if (lo & 1 && (hi !== 0 || pageOf(lo) + 0x1000 > this.mem.size)) return false // [R] outside RAM
        this.setHypercallMsr(lo & 0xfffff003)
        return true
      case HvMsr.scontrol:
        this.synic.writeScontrol(lo)
        return true
      case HvMsr.siefp:
        return this.synic.writePage('siefp', lo, hi)
      case HvMsr.simp:
        return this.synic.writePage('simp', lo, hi)
      case HvMsr.eom:
        this.synic.endOfMessage()
        return true
    }
    if (i >= HvMsr.sint0 && i < HvMsr.sint0 + SINT_COUNT) return this.synic.writeSint(i - HvMsr.sint0, lo)
    if (i >= HvMsr.stimer0Config && i < HvMsr.stimer0Config + 2 * STIMER_COUNT) {
      const n = (i - HvMsr.stimer0Config) >> 1
      if (i & 1) this.timers.writeCount(n, lo, hi, now)
      else return this.timers.writeConfig(n, lo, now)
      return true
    }
    return false // VP_INDEX, TIME_REF_COUNT, SVERSION are read-only; the rest do not exist
  }

  /**
   * Moves the hypercall overlay (TLFS "Establishing the Hypercall Interface"): enabling hides the
   * guest page under the stub; disabling shows the page's own contents again.
   */
  private setHypercallMsr(value: number): void {
    const was = this.hypercallMsr
    this.hypercallMsr = value >>> 0
    const oldGpa = pageOf(was)
    const newGpa = pageOf(value)
    if (was & 1 && (!(value & 1) || oldGpa !== newGpa) && this.hiddenPage) {
      this.mem.writeBytes(oldGpa, this.hiddenPage)
      this.hiddenPage = null
      this.notices.push({ kind: 'hypercall-page', gpa: oldGpa, enabled: false })
    }
    if (value & 1 && (!(was & 1) || oldGpa !== newGpa)) {
      this.hiddenPage = this.mem.readBytes(newGpa, 0x1000)
      const page = new Uint8Array(0x1000).fill(OVERLAY_FILL)
      page.set(HYPERCALL_STUB)
      this.mem.writeBytes(newGpa, page)
      this.notices.push({ kind: 'hypercall-page', gpa: newGpa, enabled: true })
    }
  }

  /**
   * A VMCALL exit from the guest at privilege level `cpl` (TLFS hypercall-interface.md). On `done`
   * the model writes `eax`/`edx` back and moves EIP past the VMCALL; on `ud` it injects #UD.
   */
  hypercall(regs: HypercallRegs, cpl: number): HypercallResult {
    const out = performHypercall(regs, cpl, (this.hypercallMsr & 1) !== 0, this.mem, this.vmbus)
    const notices = this.collect()
    return out.kind === 'ud' ? out : { ...out, notices }
  }

  /** The cycle at which {@link advance} must run next (a synthetic timer's expiry), or Infinity. */
  nextDeadline(): number {
    return this.timers.nextDeadline()
  }

  /** Brings the timers to cycle `now`: what expired. */
  advance(now: number): HvNotice[] {
    this.timers.advance(now)
    return this.collect()
  }

  /** Keystrokes for the guest's console: queued, and put into its ring as far as it has room. */
  consoleInput(bytes: Uint8Array): HvNotice[] {
    this.console.queueInput(bytes, this.vmbus.channel('console'))
    return this.collect()
  }

  saveState(w: StateWriter): void {
    w.section('hyperv-partition')
    w.u32(this.guestOsIdLo)
    w.u32(this.guestOsIdHi)
    w.u32(this.hypercallMsr)
    w.bool(this.hiddenPage !== null)
    if (this.hiddenPage) w.bytes(this.hiddenPage)
    this.synic.saveState(w)
    this.timers.saveState(w)
    this.vmbus.saveState(w)
  }

  loadState(r: StateReader): void {
    r.section('hyperv-partition')
    this.guestOsIdLo = r.u32()
    this.guestOsIdHi = r.u32()
    this.hypercallMsr = r.u32()
    this.hiddenPage = r.bool() ? r.bytes() : null
    this.synic.loadState(r)
    this.timers.loadState(r)
    this.vmbus.loadState(r)
    this.notices = []
  }
}
