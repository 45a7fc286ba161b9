import type { RecordView } from '../engine/trace/codec'
import { EventKind, RECORD_WORDS, W } from '../engine/trace/schema'

/**
 * Counts the event stream on arrival (the hot path: a few loads per record, no allocation). It also
 * checks the transport's promise: sequence numbers strictly increase, and every gap is announced by a
 * Dropped event.
 */
export class EventCounter {
  /** Records received, Dropped records included. */
  received = 0
  /** Events the engine reported as dropped (sum of Dropped.arg0). */
  dropped = 0
  /** Records whose sequence number did not increase. */
  seqErrors = 0
  lastSeq = -1
  readonly byKind = new Float64Array(256)

  readonly consume = (v: RecordView, start: number, count: number): void => {
    const u32 = v.u32
    const f64 = v.f64
    let last = this.lastSeq
    for (let i = start, end = start + count; i < end; i++) {
      const b = i * RECORD_WORDS
      const seq = f64[(b + W.seq) >> 1]
      if (seq <= last) this.seqErrors++
      last = seq
      const kind = u32[b + W.head] & 0xff
      this.byKind[kind]++
      if (kind === EventKind.Dropped) this.dropped += u32[b + W.arg0]
    }
    this.lastSeq = last
    this.received += count
  }

  /** A new session's events (or a restored one's) continue the count but number from their own start. */
  newStream(): void {
    this.lastSeq = -1
  }

  /** A new stream (a restarted engine numbers from 0 again). */
  reset(): void {
    this.received = 0
    this.dropped = 0
    this.seqErrors = 0
    this.lastSeq = -1
    this.byKind.fill(0)
  }
}
