import type { RecordView } from '../../engine/trace/codec'
import type { SessionStore } from '../../state/session-store'
import { EventKind, RECORD_WORDS, W } from '../../engine/trace/schema'

/** What the binary translator reports (trace/schema.ts Bt* events), in the chart's order. */
export const BT_SERIES = ['translations', 'hits', 'callouts', 'invalidations'] as const
export type BtSeries = (typeof BT_SERIES)[number]

/**
 * Bucket bounds in virtual cycles, 1-2-5 per decade from 10 µs to 10,000 s at the clock's 1 GHz
 * (src/engine/machine/clock.ts): bucket 0 is [0, 10 000), bucket k is [BOUNDS[k-1], BOUNDS[k]), the
 * last is open. A logarithmic time axis keeps the first milliseconds of a boot, when the cache is
 * cold, as visible as the minutes after.
 */
export const BT_BOUNDS: readonly number[] = Array.from({ length: 28 }, (_, i) => {
  const decade = 10 ** (4 + Math.floor(i / 3))
  return decade * [1, 2, 5][i % 3]!
})
export const BT_BUCKETS = BT_BOUNDS.length + 1

/** The bucket holding virtual cycle `cycle`. */
export function btBucket(cycle: number): number {
  let lo = 0
  let hi = BT_BOUNDS.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (BT_BOUNDS[mid]! <= cycle) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** A copy of the figures, as the chart draws them. */
export interface BtFigures {
  /** Per bucket (up to the one holding the newest event): translations, hits, call-outs, invalidations. */
  readonly buckets: readonly (readonly [number, number, number, number])[]
  readonly totals: readonly [number, number, number, number]
}

/**
 * The binary translator's activity over a session's virtual time, from its event stream: blocks
 * translated (BtTranslate, adaptive retranslations included), cache hits (BtCacheHit.arg1 hits per
 * event: the model samples them), call-outs into the VMM (BtCallout) and invalidations
 * (BtInvalidate), per logarithmic time bucket. A new stream (the sequence number goes back) starts
 * over. Memory is fixed; consuming a batch allocates nothing.
 */
export class BtCacheHistory {
  private readonly counts = new Float64Array(BT_BUCKETS * 4)
  private readonly sums = new Float64Array(4)
  private lastSeq = -1
  /** The bucket of the newest event of any kind: the chart reaches it. */
  private newest = -1

  readonly consume = (v: RecordView, start: number, count: number): void => {
    const u = v.u32
    const f = v.f64
    for (let i = start, end = start + count; i < end; i++) {
      const b = i * RECORD_WORDS
      const seq = f[(b + W.seq) >> 1]!
      if (seq <= this.lastSeq) this.clear()
      this.lastSeq = seq
      // BtTranslate, BtCacheHit, BtCallout and BtInvalidate are consecutive kinds, in BT_SERIES order.
      const series = (u[b + W.head]! & 0xff) - EventKind.BtTranslate
      const bt = series >= 0 && series < 4
      // The last record of a batch is the newest: the chart reaches its time.
      if (!bt && i < end - 1) continue
      const bucket = btBucket(f[(b + W.cycle) >> 1]!)
      this.newest = Math.max(this.newest, bucket)
      if (!bt) continue
      const n = series === 1 ? u[b + W.arg1]! : 1
      this.counts[bucket * 4 + series] += n
      this.sums[series] += n
    }
  }

  clear(): void {
    this.counts.fill(0)
    this.sums.fill(0)
    this.lastSeq = -1
    this.newest = -1
  }

  figures(): BtFigures {
    const c = this.counts
    const quad = (a: ArrayLike<number>, at: number) => [a[at]!, a[at + 1]!, a[at + 2]!, a[at + 3]!] as const
    return {
      buckets: Array.from({ length: this.newest + 1 }, (_, k) => quad(c, k * 4)),
      totals: quad(this.sums, 0),
    }
  }
}

const histories = new WeakMap<SessionStore, BtCacheHistory>()

/** The translator history of a session store's event stream, following its client from the first call on. */
export function btHistoryOf(store: SessionStore): BtCacheHistory {
  let h = histories.get(store)
  if (h === undefined) {
    const made = new BtCacheHistory()
    store.client.onEvents(made.consume)
    histories.set(store, made)
    h = made
  }
  return h
}
