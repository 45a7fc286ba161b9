/**
 * The timeline's visible window of virtual time: [from, to) in cycles. `follow`: the window keeps
 * its width and slides with the newest record (what a running machine shows until the user zooms or
 * pans).
 */
export interface Viewport {
  readonly from: number
  readonly to: number
  readonly follow: boolean
}

/** The narrowest window: a few dozen cycles, so single events stand apart. */
export const MIN_SPAN = 40

export const INITIAL_VIEWPORT: Viewport = { from: 0, to: 1_000_000, follow: true }

function clampSpan(span: number, dataSpan: number): number {
  return Math.max(MIN_SPAN, Math.min(span, Math.max(MIN_SPAN, dataSpan * 1.25)))
}

/** The window with its right edge at `newest` (following; never before cycle 0) or as it is. */
export function follow(v: Viewport, newest: number): Viewport {
  if (!v.follow) return v
  const span = v.to - v.from
  const from = Math.max(0, newest - span)
  return { from, to: from + span, follow: true }
}

/** Zooms by `factor` (< 1 zooms in) about `at` (a cycle inside the window), keeping `at` where it is. */
export function zoom(
  v: Viewport,
  factor: number,
  at: number,
  data: { from: number; to: number } | null,
): Viewport {
  const span = v.to - v.from
  const next = clampSpan(span * factor, data === null ? span : data.to - data.from)
  const ratio = span === 0 ? 0.5 : (at - v.from) / span
  const from = at - ratio * next
  // Zooming in while following keeps the newest record in view at the right edge.
  if (v.follow && factor < 1) return { from: v.to - next, to: v.to, follow: true }
  return { from, to: from + next, follow: v.follow && factor >= 1 }
}

/** Moves the window by `delta` cycles (negative: towards older records); stops following. */
export function pan(v: Viewport, delta: number): Viewport {
  return { from: v.from + delta, to: v.to + delta, follow: false }
}

/** The whole of the data in view, with a small margin. */
export function fit(data: { from: number; to: number } | null, following: boolean): Viewport {
  if (data === null) return { ...INITIAL_VIEWPORT, follow: following }
  const span = Math.max(MIN_SPAN, data.to - data.from)
  const margin = span * 0.02
  return { from: data.from - margin, to: data.from + span + margin, follow: following }
}
