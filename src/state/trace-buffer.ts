import { RecordView, decodeEvent } from '../engine/trace/codec'
import { EventKind, NO_VM, RECORD_WORDS, W, type TraceEvent } from '../engine/trace/schema'

/** What the CPU does after an event: a privilege context (privilege.ts code, vmx << 2 | cpl), or one of these. */
export const STATE_HARDWARE = 0x10
export const STATE_IDLE = 0x11
/** States: contexts 0–11, hardware, idle. */
export const STATE_COUNT = 0x12

const CHUNK_SHIFT = 16
const CHUNK = 1 << CHUNK_SHIFT
const NO_CONTEXT = 0xff

/** Highest exit reason counted (SDM Appendix C ends at 79). */
const MAX_EXIT_REASON = 127

/**
 * What the timeline draws from, per record, in flat arrays indexed by ring slot
 * (`(first + i) & mask` for the i-th oldest record): its cycle, the CPU state after it, its VM.
 */
export interface TraceColumns {
  readonly first: number
  readonly mask: number
  readonly cycles: Float64Array
  readonly states: Uint8Array
  readonly vms: Uint8Array
}

/**
 * The event stream kept on the main thread for the timeline and the counters: the newest `capacity`
 * records (a power of two), the oldest overwritten and counted. Each record keeps its wire words (in
 * chunks allocated as the ring fills) and, in flat arrays the timeline reads, its cycle, its VM and
 * the state of the physical CPU after it (which privilege context runs, or hardware time, or idle),
 * worked out as records arrive, so any span can be coloured without replaying the stream.
 *
 * Records are in arrival order, which is sequence and cycle order within one stream; a new stream
 * (a new session, a restore: the sequence number goes back) clears the buffer. A hop is stamped on
 * the wire when its cost has been paid (hv/flow.ts advances the clock, then emits); it is kept at
 * the cycle it began, so the time it took is drawn in the context it went to.
 */
export class TraceBuffer {
  private readonly chunks: RecordView[] = []
  private hot: { cycles: Float64Array; states: Uint8Array; vms: Uint8Array } | null = null
  private readonly mask: number
  /** Ring slot of the oldest record kept. */
  private first = 0
  /** Records kept. */
  private n = 0
  private lastSeq = -1
  /** The state after the last record; the vCPU contexts last seen, by VM. */
  private state = STATE_IDLE
  private readonly vmContext = new Uint8Array(256).fill(NO_CONTEXT)
  /** Records that did not fit and were overwritten. */
  overwritten = 0
  /** Events the engine dropped before they reached the page (Dropped records). */
  dropped = 0
  /** VM exits by basic exit reason. */
  readonly exitsByReason = new Float64Array(MAX_EXIT_REASON + 1)
  /** Flows begun, by FlowKind. */
  readonly flowsByKind = new Float64Array(16)
  /** The last VM exit of each VM (index = VM): exit reason (-1: none yet), qualification, guest EIP, instruction length. */
  readonly lastExitReason = new Int32Array(256).fill(-1)
  readonly lastExitQualification = new Uint32Array(256)
  readonly lastExitEip = new Uint32Array(256)
  readonly lastExitLength = new Uint32Array(256)

  constructor(readonly capacity = 1 << 20) {
    if (!Number.isInteger(capacity) || capacity < CHUNK || (capacity & (capacity - 1)) !== 0)
      throw new RangeError(`capacity must be a power of two of at least ${CHUNK}`)
    this.mask = capacity - 1
  }

  get size(): number {
    return this.n
  }

  clear(): void {
    this.first = 0
    this.n = 0
    this.lastSeq = -1
    this.state = STATE_IDLE
    this.vmContext.fill(NO_CONTEXT)
    this.overwritten = 0
    this.dropped = 0
    this.exitsByReason.fill(0)
    this.flowsByKind.fill(0)
    this.lastExitReason.fill(-1)
  }

  private chunkFor(slot: number): RecordView {
    const c = slot >>> CHUNK_SHIFT
    return (this.chunks[c] ??= new RecordView(new ArrayBuffer(CHUNK * RECORD_WORDS * 4)))
  }

  /** The flat per-record arrays (allocated with the first record). */
  get columns(): TraceColumns {
    this.hot ??= {
      cycles: new Float64Array(this.capacity),
      states: new Uint8Array(this.capacity),
      vms: new Uint8Array(this.capacity),
    }
    return { first: this.first, mask: this.mask, ...this.hot }
  }

  /** Takes records `start … start + count` of `v` (a client's onEvents consumer): whole runs at a time. */
  readonly consume = (v: RecordView, start: number, count: number): void => {
    const src = v.u32
    const seqs = v.f64
    const { cycles, states, vms } = this.columns
    for (let i = start, end = start + count; i < end;) {
      let last = seqs[(i * RECORD_WORDS + W.seq) >> 1]
      if (last <= this.lastSeq) this.clear()
      const slot = (this.first + this.n) & this.mask
      const at = slot & (CHUNK - 1)
      let len = Math.min(end - i, CHUNK - at)
      for (let k = 1; k < len; k++) {
        const seq = seqs[((i + k) * RECORD_WORDS + W.seq) >> 1]
        if (seq <= last) {
          len = k
          break
        }
        last = seq
      }
      this.lastSeq = last
      this.chunkFor(slot).u32.set(src.subarray(i * RECORD_WORDS, (i + len) * RECORD_WORDS), at * RECORD_WORDS)
      for (let k = 0; k < len; k++) {
        const b = (i + k) * RECORD_WORDS
        const head = src[b + W.head]
        states[slot + k] = this.advance(src, b)
        vms[slot + k] = (head >>> 16) & 0xff
        // A hop is stamped when its cost has been paid; it is kept at the cycle it began.
        cycles[slot + k] = seqs[(b + W.cycle) >> 1] - ((head & 0xff) === EventKind.Hop ? src[b + W.cost] : 0)
      }
      const room = this.capacity - this.n
      if (len <= room) this.n += len
      else {
        this.n = this.capacity
        this.first = (this.first + len - room) & this.mask
        this.overwritten += len - room
      }
      i += len
    }
  }

  /** The state after the record at word `b`, and the counters it moves. */
  private advance(u: Uint32Array, b: number): number {
    const head = u[b + W.head]
    const kind = head & 0xff
    const vm = (head >>> 16) & 0xff
    const reason = u[b + W.reason]
    const toCtx = reason >>> 24
    let state = this.state
    switch (kind) {
      case EventKind.RingChange:
        state = toCtx & 0xf
        if (vm !== NO_VM) this.vmContext[vm] = state
        break
      case EventKind.Hop:
        state = toCtx === NO_CONTEXT ? STATE_HARDWARE : toCtx & 0xf
        break
      case EventKind.FlowBegin: {
        const fromCtx = (reason >>> 16) & 0xff
        if (fromCtx !== NO_CONTEXT) state = fromCtx & 0xf
        this.flowsByKind[reason & 0xffff & 15]++
        break
      }
      case EventKind.Schedule: {
        // The physical CPU switches to another VM (arg1 = next VM | vCPU << 8), or to none: idle. The
        // management domain (MANAGEMENT_VM) has no context of its own here: its next hop says where it runs.
        const next = u[b + W.arg1] & 0xff
        if (next === 0) state = STATE_IDLE
        else if (this.vmContext[next] !== NO_CONTEXT) state = this.vmContext[next]
        break
      }
      case EventKind.Halt:
        state = STATE_IDLE
        break
      case EventKind.VmExit:
        this.exitsByReason[Math.min(reason & 0xffff, MAX_EXIT_REASON)]++
        this.lastExitReason[vm] = reason & 0xffff
        this.lastExitQualification[vm] = u[b + W.arg0]
        this.lastExitEip[vm] = u[b + W.arg1]
        this.lastExitLength[vm] = u[b + W.arg2]
        break
      case EventKind.Dropped:
        this.dropped += u[b + W.arg0]
        break
      case EventKind.InsnRetired:
      case EventKind.TimerTick:
        // A sample taken at the end of a run slice and a device's tick say nothing about where the CPU is.
        break
      default:
        // Any other event of a vCPU means that vCPU runs: after idle, in the context it was last seen in.
        if ((state === STATE_IDLE || state === STATE_HARDWARE) && vm !== NO_VM) {
          const known = this.vmContext[vm]
          if (known !== NO_CONTEXT) state = known
        }
    }
    this.state = state
    return state
  }

  /** Virtual cycle of record `i` (0 = the oldest kept). */
  cycle(i: number): number {
    return this.hot!.cycles[(this.first + i) & this.mask]
  }

  /** State of the physical CPU after record `i`. */
  stateAt(i: number): number {
    return this.hot!.states[(this.first + i) & this.mask]
  }

  /** VM of record `i` (0xff: none). */
  vmAt(i: number): number {
    return this.hot!.vms[(this.first + i) & this.mask]
  }

  /** Record `i` decoded (for details; not for drawing loops), at the cycle it is kept at. */
  event(i: number): TraceEvent {
    const slot = (this.first + i) & this.mask
    return { ...decodeEvent(this.chunks[slot >>> CHUNK_SHIFT]!, slot & (CHUNK - 1)), cycle: this.cycle(i) }
  }

  /** The first record whose cycle is ≥ `cycle` (`size` when there is none): binary search. */
  lowerBound(cycle: number): number {
    let lo = 0
    let hi = this.n
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.cycle(mid) < cycle) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Cycles of the oldest and newest record kept, or null when empty. */
  span(): { readonly from: number; readonly to: number } | null {
    return this.n === 0 ? null : { from: this.cycle(0), to: this.cycle(this.n - 1) }
  }
}
