import type { EventBatcher } from './batcher'
import { NO_COMPONENT, NO_VM, RECORD_WORDS, W, type EventKind } from './schema'

/** The clock the sink stamps events with: the machine's virtual cycle counter. */
export interface CycleSource {
  readonly cycles: number
}

/**
 * Where the engine reports events. Producers check {@link enabled} before building arguments for
 * frequent events (page walks, instruction samples), so tracing costs nothing when nobody listens.
 *
 * The sink stamps each record with the next sequence number, the virtual cycle, and the current
 * physical CPU / VM / vCPU (which the session updates when it schedules another vCPU), and counts
 * events by kind even when no batcher is attached (the runner's summary needs only the counts).
 */
export class EventSink {
  /** True when records are being collected (a batcher is attached). Counting always happens. */
  enabled = false
  pcpu = 0
  vm = NO_VM
  vcpu = 0
  /** Current flow id, stamped on every event; 0 when no flow is open. */
  flow = 0
  private nextFlow = 1
  private seq = 0
  private batcher: EventBatcher | null = null
  /** Events emitted, by kind (index = EventKind value). */
  readonly counts = new Float64Array(64)
  /** Called after every event is counted (the session uses it to step by event or by flow). */
  onEmit: ((kind: EventKind) => void) | null = null

  constructor(private readonly clock: CycleSource) {}

  attach(batcher: EventBatcher | null): void {
    this.batcher = batcher
    this.enabled = batcher !== null
  }

  /** Sequence number the next event will get. */
  get nextSeq(): number {
    return this.seq
  }

  /** Opens a new flow and returns its id; subsequent events carry it until {@link endFlow}. */
  beginFlow(): number {
    this.flow = this.nextFlow++
    return this.flow
  }

  endFlow(): void {
    this.flow = 0
  }

  emit(
    kind: EventKind,
    reason: number,
    arg0: number,
    arg1 = 0,
    arg2 = 0,
    fromCtx = 0,
    toCtx = 0,
    from = NO_COMPONENT,
    to = NO_COMPONENT,
    cost = 0,
  ): void {
    this.counts[kind]++
    const seq = this.seq++
    if (this.onEmit !== null) this.onEmit(kind)
    const batcher = this.batcher
    if (batcher === null) return
    const i = batcher.reserve()
    if (i < 0) return
    const v = batcher.current
    const b = i * RECORD_WORDS
    v.f64[(b + W.seq) >> 1] = seq
    v.f64[(b + W.cycle) >> 1] = this.clock.cycles
    v.u32[b + W.head] = kind | (this.pcpu << 8) | (this.vm << 16) | (this.vcpu << 24)
    v.u32[b + W.reason] = (reason & 0xffff) | ((fromCtx & 0xff) << 16) | ((toCtx & 0xff) << 24)
    v.u32[b + W.comps] = (from & 0xffff) | ((to & 0xffff) << 16)
    v.u32[b + W.cost] = cost
    v.u32[b + W.arg0] = arg0
    v.u32[b + W.arg1] = arg1
    v.u32[b + W.flow] = this.flow
    v.u32[b + W.arg2] = arg2
  }

  /** Snapshot support: the counters that make the stream continue identically after a restore. */
  saveState(): { seq: number; nextFlow: number; flow: number; counts: number[] } {
    return { seq: this.seq, nextFlow: this.nextFlow, flow: this.flow, counts: Array.from(this.counts) }
  }

  loadState(s: { seq: number; nextFlow: number; flow: number; counts: readonly number[] }): void {
    this.seq = s.seq
    this.nextFlow = s.nextFlow
    this.flow = s.flow
    this.counts.set(s.counts)
  }
}
