import { contextLabel, decodeContext } from '../../engine/privilege'
import { STATE_COUNT, STATE_HARDWARE, STATE_IDLE } from '../../state/trace-buffer'
import { NO_STATE, bucketize, makeColumns, type Columns, type TimelineSource } from './buckets'
import { CONTEXT_TOKEN } from '../theme/context-colors'
import type { Viewport } from './viewport'

/** The token colouring a timeline state (a context code, hardware or idle). */
export function stateToken(state: number): string {
  if (state === STATE_HARDWARE) return '--rs-ctx-hardware'
  if (state === STATE_IDLE) return '--rs-separator'
  return CONTEXT_TOKEN[contextLabel(decodeContext(state))]
}

/** Geometry in CSS pixels. */
export interface TimelineGeometry {
  readonly gutter: number
  readonly axis: number
  readonly lane: number
  readonly density: number
  readonly gap: number
}

interface Palette {
  readonly states: readonly string[]
  readonly text: string
  readonly muted: string
  readonly grid: string
  readonly accent: string
  readonly surface: string
  readonly font: string
}

const tickFormats = new Map<string, Intl.NumberFormat>()

/** A compact tick label with as many digits as the tick step needs to tell neighbours apart. */
export function formatTick(cycle: number, step: number, language: string): string {
  const digits = Math.min(21, Math.max(2, Math.ceil(Math.log10(Math.max(1, cycle) / step)) + 1))
  const key = `${language} ${digits}`
  let f = tickFormats.get(key)
  if (f === undefined) {
    f = new Intl.NumberFormat(language, { notation: 'compact', maximumSignificantDigits: digits })
    tickFormats.set(key, f)
  }
  return f.format(cycle)
}

/** Tick step of about `pixels` px: 1, 2 or 5 × a power of ten cycles. */
export function tickStep(cyclesPerPixel: number, pixels = 110): number {
  const raw = Math.max(1, cyclesPerPixel * pixels)
  const p = 10 ** Math.floor(Math.log10(raw))
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p
  return 10 * p
}

/**
 * Draws the timeline into a canvas: one lane per physical CPU and per vCPU, each a strip of per-pixel
 * columns coloured by the state that held longest (bucketize), the physical CPU's event density under
 * its lane, a cycle axis, and the selected event. One draw per animation frame at most (the caller
 * schedules it); the work is O(width) whatever the number of events.
 */
export class TimelineRenderer {
  private readonly ctx: CanvasRenderingContext2D
  private columns: Columns | null = null
  private palette: Palette | null = null
  private width = 0
  private height = 0

  constructor(
    private readonly canvas: HTMLCanvasElement,
    readonly geometry: TimelineGeometry,
  ) {
    const ctx = canvas.getContext('2d', { alpha: false })
    if (ctx === null) throw new Error('no 2D canvas context')
    this.ctx = ctx
  }

  /** Reads the theme's colours (call again when the theme changes). */
  readColors(el: Element): void {
    const css = getComputedStyle(el)
    const v = (name: string) => css.getPropertyValue(name).trim() || '#888'
    this.palette = {
      states: Array.from({ length: STATE_COUNT }, (_, s) => v(stateToken(s))),
      text: v('--rs-text'),
      muted: v('--rs-text-muted'),
      grid: v('--rs-separator'),
      accent: v('--rs-focus'),
      surface: v('--rs-surface'),
      font: `${v('--rs-font-size-small')} ${css.getPropertyValue('--rs-font-sans')}`,
    }
  }

  resize(width: number, height: number, dpr: number): void {
    this.width = width
    this.height = height
    this.canvas.width = Math.max(1, Math.round(width * dpr))
    this.canvas.height = Math.max(1, Math.round(height * dpr))
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
  }

  get plotWidth(): number {
    return Math.max(1, this.width - this.geometry.gutter)
  }

  /** The cycle at x (CSS px from the canvas's left edge). */
  cycleAt(x: number, v: Viewport): number {
    return v.from + ((x - this.geometry.gutter) / this.plotWidth) * (v.to - v.from)
  }

  laneTop(lane: number): number {
    const g = this.geometry
    return g.axis + lane * (g.lane + g.gap) + (lane > 0 ? g.density + g.gap : 0)
  }

  draw(
    src: TimelineSource,
    v: Viewport,
    end: number,
    labels: readonly string[],
    selected: number | null,
    formatCycle: (cycle: number, step: number) => string,
  ): void {
    const p = this.palette
    if (p === null) return
    const ctx = this.ctx
    const g = this.geometry
    const w = this.plotWidth
    const cols = Math.max(1, Math.floor(w))
    if (this.columns === null || this.columns.columns !== cols || this.columns.lanes.length !== labels.length)
      this.columns = makeColumns(cols, labels.length - 1)
    const c = this.columns
    bucketize(src, v.from, v.to, end, c)

    ctx.fillStyle = p.surface
    ctx.fillRect(0, 0, this.width, this.height)
    ctx.font = p.font
    ctx.textBaseline = 'middle'

    // Axis: ticks every 1/2/5 × 10^k cycles.
    const span = v.to - v.from
    const step = tickStep(span / w)
    ctx.strokeStyle = p.grid
    ctx.fillStyle = p.muted
    ctx.lineWidth = 1
    ctx.beginPath()
    for (let t = Math.max(0, Math.ceil(v.from / step) * step); t < v.to; t += step) {
      const x = Math.round(g.gutter + ((t - v.from) / span) * w) + 0.5
      ctx.moveTo(x, g.axis - 4)
      ctx.lineTo(x, this.height)
      ctx.fillText(formatCycle(t, step), x + 3, g.axis / 2)
    }
    ctx.stroke()

    // Lanes: runs of equal state drawn as one rectangle each.
    labels.forEach((label, lane) => {
      const top = this.laneTop(lane)
      ctx.fillStyle = p.text
      ctx.fillText(label, 4, top + g.lane / 2, g.gutter - 8)
      const states = c.lanes[lane]!
      let run = 0
      for (let x = 1; x <= cols; x++) {
        if (x < cols && states[x] === states[run]) continue
        const s = states[run]!
        if (s !== NO_STATE) {
          ctx.fillStyle = p.states[s]!
          const idle = s === STATE_IDLE
          ctx.fillRect(g.gutter + run, idle ? top + g.lane / 2 - 1 : top, x - run, idle ? 2 : g.lane)
        }
        run = x
      }
    })

    // Event density of the physical CPU, on a log scale.
    let max = 0
    for (let x = 0; x < cols; x++) max = Math.max(max, c.count[x]!)
    if (max > 0) {
      const top = this.laneTop(0) + g.lane + g.gap
      const scale = g.density / Math.log2(1 + max)
      ctx.fillStyle = p.muted
      for (let x = 0; x < cols; x++) {
        const n = c.count[x]!
        if (n === 0) continue
        const h = Math.max(1, Math.log2(1 + n) * scale)
        ctx.fillRect(g.gutter + x, top + g.density - h, 1, h)
      }
    }

    if (selected !== null && selected >= v.from && selected <= v.to) {
      const x = Math.round(g.gutter + ((selected - v.from) / span) * w) + 0.5
      ctx.strokeStyle = p.accent
      ctx.lineWidth = 2
      ctx.beginPath()
      ctx.moveTo(x, g.axis)
      ctx.lineTo(x, this.height)
      ctx.stroke()
    }
  }
}
