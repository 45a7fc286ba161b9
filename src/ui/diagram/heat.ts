/** Rates halve every HALF_LIFE ms without new passes. */
const HALF_LIFE = 1000
/** Passes per second below this count as none. */
const FLOOR = 0.05
const PER_SECOND = (Math.LN2 * 1000) / HALF_LIFE

/**
 * Heat: passes per second through each component and along each edge (from → to) of a topology,
 * decaying with a one-second half-life. Hops are counted as they arrive (a few loads and stores, no
 * allocation) and folded into the rates at most once per frame. Time is the caller's (ms).
 */
export class HeatMap {
  private n = 0
  private at = 0
  private pendingComponents = new Float64Array(0)
  private pendingEdges = new Float64Array(0)
  private components = new Float64Array(0)
  private edges = new Float64Array(0)
  private pending = false

  /** Starts over for a topology of `components` components. */
  reset(components: number, now: number): void {
    if (components !== this.n) {
      this.n = components
      this.pendingComponents = new Float64Array(components)
      this.pendingEdges = new Float64Array(components * components)
      this.components = new Float64Array(components)
      this.edges = new Float64Array(components * components)
    } else this.clear()
    this.at = now
  }

  clear(): void {
    this.pendingComponents.fill(0)
    this.pendingEdges.fill(0)
    this.components.fill(0)
    this.edges.fill(0)
    this.pending = false
  }

  /** One pass from component `from` to component `to` (indices of the topology; others are ignored). */
  count(from: number, to: number): void {
    const n = this.n
    if (from >= n || to >= n) return
    this.pendingEdges[from * n + to]++
    this.pendingComponents[to]++
    this.pending = true
  }

  /** Brings the rates to `now`: what has decayed since the last fold, plus the passes counted since. */
  fold(now: number): void {
    const k = Math.pow(2, -Math.max(0, now - this.at) / HALF_LIFE)
    this.at = Math.max(this.at, now)
    foldInto(this.components, this.pendingComponents, k)
    foldInto(this.edges, this.pendingEdges, k)
    this.pending = false
  }

  /** Passes per second through component `i` at the last fold; 0 below a visible floor. */
  componentRate(i: number): number {
    return visible(this.components[i] ?? 0)
  }

  /** Passes per second from `from` to `to` at the last fold; 0 below a visible floor. */
  edgeRate(from: number, to: number): number {
    return from < this.n && to < this.n ? visible(this.edges[from * this.n + to]) : 0
  }

  /** True while anything is warm (counted and not folded yet, or above the floor). */
  get warm(): boolean {
    if (this.pending) return true
    for (let i = 0; i < this.n; i++) if (visible(this.components[i]) > 0) return true
    return false
  }
}

function foldInto(rates: Float64Array, pending: Float64Array, k: number): void {
  for (let i = 0; i < rates.length; i++) {
    rates[i] = rates[i] * k + pending[i]
    pending[i] = 0
  }
}

function visible(decayedPasses: number): number {
  const rate = decayedPasses * PER_SECOND
  return rate >= FLOOR ? rate : 0
}
