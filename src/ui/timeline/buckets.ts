import { STATE_COUNT, type TraceColumns } from '../../state/trace-buffer'

/** What the bucketing reads: records in cycle order with the CPU state after each (a TraceBuffer). */
export interface TimelineSource {
  readonly size: number
  readonly columns: TraceColumns
}

/** The first of records [lo, n) whose cycle is ≥ `cycle` (n when none is). */
function lowerBound(c: TraceColumns, lo: number, n: number, cycle: number): number {
  let hi = n
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (c.cycles[(c.first + mid) & c.mask]! < cycle) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** No state in a column of a lane (no data, or the lane's VM did not run). */
export const NO_STATE = 0xff

/**
 * Records sampled per column at most: a dense column is estimated from a sample of its records, so
 * a frame costs O(columns) whatever the number of records.
 */
export const SAMPLES_PER_COLUMN = 24

const GOLDEN = 0.6180339887498949

/** Per-pixel columns of the timeline: lane 0 is the physical CPU, lane k (1…) is VM k's vCPU. */
export interface Columns {
  readonly columns: number
  /** Records whose cycle falls in each column. */
  readonly count: Uint32Array
  /**
   * `lanes[l][c]`: the state that held longest in column c of lane l, or {@link NO_STATE}. A vCPU's
   * lane counts only the time its VM held the physical CPU (events stamped with that VM), halted
   * time included.
   */
  readonly lanes: readonly Uint8Array[]
  /** Scratch space: time per state per lane within one column. */
  readonly weights: Float64Array
}

export function makeColumns(columns: number, vms: number): Columns {
  return {
    columns,
    count: new Uint32Array(columns),
    lanes: Array.from({ length: vms + 1 }, () => new Uint8Array(columns)),
    weights: new Float64Array((vms + 1) * STATE_COUNT),
  }
}

function argmax(w: Float64Array, base: number): number {
  let best = NO_STATE
  let bestW = 0
  for (let s = 0; s < STATE_COUNT; s++) {
    const x = w[base + s]
    if (x > bestW) {
      bestW = x
      best = s
    }
  }
  return best
}

/**
 * Aggregates the records into `out.columns` columns spanning cycles [from, to): each column gets its
 * record count and, per lane, the state that held for most of its time. `end` is the cycle up to
 * which the last record's state holds (the machine's clock). Columns with at most
 * {@link SAMPLES_PER_COLUMN} records are exact; denser ones are estimated from a sample.
 */
export function bucketize(src: TimelineSource, from: number, to: number, end: number, out: Columns): void {
  const { columns, count, lanes, weights } = out
  const vms = lanes.length - 1
  count.fill(0)
  for (const l of lanes) l.fill(NO_STATE)
  const n = src.size
  if (n === 0 || to <= from) return
  const c = src.columns
  const { cycles, states, vms: vmOf, first, mask } = c
  const dt = (to - from) / columns
  let kStart = lowerBound(c, 0, n, from)
  for (let col = 0; col < columns; col++) {
    const cs = from + col * dt
    const ce = cs + dt
    const kEnd = lowerBound(c, kStart, n, ce)
    count[col] = kEnd - kStart
    if (kEnd === 0 || cs >= end) {
      kStart = kEnd
      continue
    }
    const iFrom = Math.max(0, kStart - 1)
    weights.fill(0)
    const records = kEnd - iFrom
    const samples = Math.min(records, SAMPLES_PER_COLUMN)
    // Dense columns: records at golden-ratio-jittered positions (evenly spaced ones would alias with
    // periodic streams), each weighted by its own interval and scaled up by the sampling ratio.
    const scale = records / samples
    for (let s = 0; s < samples; s++) {
      const i = samples === records ? iFrom + s : iFrom + Math.floor((s + ((s * GOLDEN) % 1)) * scale)
      const slot = (first + i) & mask
      const a = Math.max(cycles[slot]!, cs)
      const b = Math.min(i + 1 < n ? cycles[(slot + 1) & mask]! : end, ce, end)
      if (b <= a) continue
      const w = (b - a) * scale
      const state = states[slot]!
      weights[state] += w
      const vm = vmOf[slot]!
      if (vm >= 1 && vm <= vms) weights[vm * STATE_COUNT + state] += w
    }
    for (let lane = 0; lane <= vms; lane++) lanes[lane]![col] = argmax(weights, lane * STATE_COUNT)
    kStart = kEnd
  }
}

/** The record nearest to `cycle` within `tolerance` cycles, or -1. */
export function nearestRecord(src: TimelineSource, cycle: number, tolerance: number): number {
  const c = src.columns
  const k = lowerBound(c, 0, src.size, cycle)
  let best = -1
  let bestD = tolerance
  for (const i of [k - 1, k]) {
    if (i < 0 || i >= src.size) continue
    const d = Math.abs(c.cycles[(c.first + i) & c.mask]! - cycle)
    if (d <= bestD) {
      bestD = d
      best = i
    }
  }
  return best
}
