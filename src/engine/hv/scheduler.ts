import type { Vm } from '../session/vm'
import type { StateReader, StateWriter } from '../snapshot'
import { EventKind } from '../trace/schema'
import type { EventSink } from '../trace/sink'

/**
 * How a hypervisor shares the physical CPU between runnable vCPUs, in the spirit of each
 * architecture's scheduler (issue 7 §6) — each a modelling choice [R] that keeps the policy's
 * character, not its every detail:
 *
 * - `cfs` (Linux CFS, scheduling KVM's vCPU threads): pick the lowest virtual runtime; a time slice of
 *   `sched_latency` (6 ms) divided among the runnable, never below `min_granularity` (0.75 ms); a
 *   vCPU that wakes gets no more than half a latency of credit (sleeper fairness).
 * - `credit` (Xen's credit scheduler): a 30 ms time slice; a vCPU that wakes from blocking runs
 *   first (BOOST); otherwise vCPUs with credit left (UNDER) before those that used theirs (OVER),
 *   credit replenished every 30 ms accounting period.
 * - `proportional` (the VMkernel's proportional-share scheduler with equal shares): the least
 *   consumed share first, 50 ms quantum.
 * - `round-robin` (Hyper-V's classic scheduler, and the default): in turn, 10 ms quantum.
 */
export type SchedulerPolicy = 'cfs' | 'credit' | 'proportional' | 'round-robin'

const MS = 1_000_000
const POLICY_CODE: Record<SchedulerPolicy, number> = { cfs: 1, credit: 2, proportional: 3, 'round-robin': 4 }
const SLICE: Record<SchedulerPolicy, number> = {
  cfs: 6 * MS,
  credit: 30 * MS,
  proportional: 50 * MS,
  'round-robin': 10 * MS,
}
const CFS_MIN_GRANULARITY = 0.75 * MS
const CREDIT_PERIOD = 30 * MS

export class VcpuScheduler {
  /** Per VM index: virtual runtime (CFS), consumed share, or credit used this period. */
  private readonly used = new Map<number, number>()
  private readonly boosted = new Set<number>()
  private periodStart = 0
  private rr = 0
  /** The VM whose vCPU holds the physical CPU (0: none). */
  private current = 0
  private sliceStart = 0

  constructor(
    readonly policy: SchedulerPolicy,
    private readonly sink: EventSink,
  ) {}

  /** A vCPU that had blocked (HLT) became runnable again. */
  woke(vm: Vm): void {
    if (this.policy === 'credit') this.boosted.add(vm.index)
    if (this.policy === 'cfs') {
      // Sleeper fairness: a waking vCPU's vruntime is raised to at least min_vruntime − latency/2.
      const min = Math.min(...[...this.used.values(), Infinity])
      if (Number.isFinite(min))
        this.used.set(vm.index, Math.max(this.used.get(vm.index) ?? 0, min - SLICE.cfs / 2))
    }
  }

  /** Charges `cycles` of physical CPU time to `vm`'s vCPU. */
  ran(vm: Vm, cycles: number): void {
    this.used.set(vm.index, (this.used.get(vm.index) ?? 0) + cycles)
    this.boosted.delete(vm.index)
  }

  /**
   * Chooses the vCPU to run from `runnable` (non-empty) at virtual time `now`, emitting a Schedule
   * event when the physical CPU switches; returns it and the cycle at which its slice ends.
   */
  pick(runnable: readonly Vm[], now: number): { readonly vm: Vm; readonly sliceEnd: number } {
    const n = runnable.length
    let vm: Vm
    if (this.policy === 'credit' && now - this.periodStart >= CREDIT_PERIOD) {
      this.periodStart = now
      this.used.clear()
    }
    const current = runnable.find((v) => v.index === this.current)
    const sliceLeft = current !== undefined && now - this.sliceStart < this.slice(n)
    const boosted = runnable.find((v) => this.boosted.has(v.index))
    if (this.policy === 'credit' && boosted) vm = boosted
    else if (sliceLeft && current) vm = current
    else if (this.policy === 'round-robin' || n === 1) {
      const i = runnable.findIndex((v) => v.index > this.rr)
      vm = runnable[i < 0 ? 0 : i]!
    } else {
      const use = (v: Vm) => this.used.get(v.index) ?? 0
      vm = runnable.reduce((a, b) => (use(b) < use(a) ? b : a))
      if (this.policy === 'credit' && use(vm) >= SLICE.credit) vm = current ?? vm
    }
    if (vm.index !== this.current) {
      this.sink.emit(EventKind.Schedule, POLICY_CODE[this.policy], this.current, vm.index)
      this.current = vm.index
      this.sliceStart = now
    } else if (!sliceLeft) {
      // The same vCPU again after its slice ended (it still has the least runtime): a new slice.
      this.sliceStart = now
    }
    this.rr = vm.index
    return { vm, sliceEnd: n > 1 ? this.sliceStart + this.slice(n) : Infinity }
  }

  /** The physical CPU went idle (no runnable vCPU). */
  idle(): void {
    if (this.current !== 0) this.sink.emit(EventKind.Schedule, POLICY_CODE[this.policy], this.current, 0)
    this.current = 0
  }

  private slice(n: number): number {
    return this.policy === 'cfs'
      ? Math.max(SLICE.cfs / Math.max(1, n), CFS_MIN_GRANULARITY)
      : SLICE[this.policy]
  }

  saveState(w: StateWriter): void {
    w.section('scheduler')
    w.json({
      used: [...this.used],
      boosted: [...this.boosted],
      periodStart: this.periodStart,
      rr: this.rr,
      current: this.current,
      sliceStart: this.sliceStart,
    })
  }

  loadState(r: StateReader): void {
    r.section('scheduler')
    const s = r.json<{
      used: [number, number][]
      boosted: number[]
      periodStart: number
      rr: number
      current: number
      sliceStart: number
    }>()
    this.used.clear()
    for (const [k, v] of s.used) this.used.set(k, v)
    this.boosted.clear()
    for (const b of s.boosted) this.boosted.add(b)
    this.periodStart = s.periodStart
    this.rr = s.rr
    this.current = s.current
    this.sliceStart = s.sliceStart
  }
}
