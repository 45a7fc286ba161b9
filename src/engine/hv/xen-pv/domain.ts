import type { Cpu } from '../../cpu/cpu'
import type { HopCause } from '../../trace/schema'
import type { Vm } from '../../session/vm'
import type { XenPvCostId } from './costs'
import type { DomainPages } from './memory-layout'

/** Component ids of the xen-pv topology (src/engine/hv/xen-pv/topology.ts), as flows name them. */
export type XenComponent =
  | 'xen'
  | 'dom0-kernel'
  | 'blkback'
  | 'consoleback'
  | 'xenstored'
  | 'domU-kernel'
  | 'domU-user'
  | 'disk'
  | 'uart'
  | 'timer'
  | 'cpu'

/**
 * How Xen's code reports what it does: hops between components of the topology (a DomU's components
 * are those of domain `domid`'s column) and work inside one. The model records them into the open flow.
 */
export interface XenTrace {
  hop(
    domid: number,
    from: XenComponent,
    to: XenComponent,
    cause: HopCause,
    cost: XenPvCostId | readonly XenPvCostId[],
    arg0?: number,
    arg1?: number,
  ): void
  work(domid: number, at: XenComponent, cost: XenPvCostId | readonly XenPvCostId[]): void
}

/** A trap_info entry Xen keeps for a vector (set_trap_table). */
export interface TrapEntry {
  readonly flags: number
  readonly cs: number
  readonly address: number
}

/** A callback the guest registered (set_callbacks): selector and entry point. */
export interface Callback {
  readonly cs: number
  readonly eip: number
}

/** The per-domain state Xen keeps that is not in guest or Xen memory (saved with the model). */
export interface DomainState {
  trapTable: (TrapEntry | null)[]
  eventCallback: Callback | null
  failsafeCallback: Callback | null
  /** The guest kernel's stack for entries from ring 3 (stack_switch): SS, ESP. */
  kernelSs: number
  kernelSp: number
  /** Machine frames of the guest's GDT (set_gdt) and its entry count. */
  gdtFrames: number[]
  gdtEntries: number
  /** The directory Xen holds a type reference on for CR3. */
  cr3Mfn: number
  /** The faulting address of the last #PF bounced to the guest (its virtual CR2). */
  cr2: number
  /** Periodic timer: period in cycles (0: off) and the next expiry. */
  periodicPeriod: number
  periodicNext: number
  /** Single-shot timer expiry in cycles (Infinity: none). */
  singleshotAt: number
  /** Blocked in SCHEDOP_block until an event is pending. */
  blocked: boolean
  /** Xen's IDT holds the direct INT 0x80 gate (the guest's 0x80 entry does not mask events). */
  int80Direct: boolean
  /** Event channels Xen bound at build time: store and console (DomU side and Dom0 side). */
  storePort: number
  storeDom0Port: number
  consolePort: number
  consoleDom0Port: number
  storeMfn: number
  consoleMfn: number
  /** SCHEDOP_shutdown reason, once the domain shut itself down. */
  shutdown: number | null
}

/**
 * A PV domain as Xen sees it (xen/include/xen/sched.h, struct domain / struct vcpu, one vCPU): its
 * VM (memory window, console, vCPU), its frames, Xen's pages for it and the state above.
 */
export class XenDomain {
  constructor(
    readonly domid: number,
    readonly vm: Vm,
    /** Machine frame of pseudo-physical frame 0: the domain's memory is one run of frames [R]. */
    readonly baseMfn: number,
    readonly nrPages: number,
    readonly pages: DomainPages,
    public s: DomainState,
  ) {}

  get cpu(): Cpu {
    return this.vm.cpu
  }

  mfn(pfn: number): number {
    return this.baseMfn + pfn
  }

  owns(mfn: number): boolean {
    return mfn >= this.baseMfn && mfn < this.baseMfn + this.nrPages
  }
}

export function initialDomainState(): DomainState {
  return {
    trapTable: Array<TrapEntry | null>(256).fill(null),
    eventCallback: null,
    failsafeCallback: null,
    kernelSs: 0,
    kernelSp: 0,
    gdtFrames: [],
    gdtEntries: 0,
    cr3Mfn: 0,
    cr2: 0,
    periodicPeriod: 0,
    periodicNext: Infinity,
    singleshotAt: Infinity,
    blocked: false,
    int80Direct: false,
    storePort: 0,
    storeDom0Port: 0,
    consolePort: 0,
    consoleDom0Port: 0,
    storeMfn: 0,
    consoleMfn: 0,
    shutdown: null,
  }
}
