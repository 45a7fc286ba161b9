import { select, type Selection } from 'd3'
import type { Row, Topology } from '../../engine/hv/topology'
import { contextLabel, decodeContext } from '../../engine/privilege'
import { FlowPlayer, type Speed, type TokenFrame } from './flow-player'
import { CONTEXT_TOKEN } from '../theme/context-colors'
import { HeatMap } from './heat'
import {
  curvePath,
  pointOnCurve,
  route,
  type ComponentLayout,
  type Curve,
  type DiagramLayout,
  type EdgeLayout,
} from './layout'
import { textWidth } from './text-metrics'
import { fill, type DiagramTexts } from './texts'
import type { DiagramFlow } from './trace-adapter'

/** A focusable thing in the diagram. */
export type DiagramItem =
  { readonly type: 'component'; readonly index: number } | { readonly type: 'edge'; readonly index: number }

/** What the view reports; each call names the topology it was drawn from. */
export interface DiagramCallbacks {
  /** Enter, Space or a click on an item. */
  open(item: DiagramItem, topology: Topology): void
  /** Pointer or keyboard focus entered (item and its box in viewport coordinates) or left (null). */
  hover(item: DiagramItem | null, anchor: DOMRect | null, topology: Topology): void
  /** The token moved to another flow or hop (null: nothing playing); `skipped` flows were not animated. */
  frame(frame: TokenFrame | null, topology: Topology, skipped: number): void
}

/** What the live feed drives on a drawn diagram (DiagramView; a stand-in in tests). */
export interface LiveDiagram {
  /** Marks where the CPU runs (component index or null) and its encoded privilege context. */
  setActive(component: number | null, context: number): void
  /** One pass from component `from` to `to`, for heat. */
  countHop(from: number, to: number): void
  playFlow(flow: DiagramFlow): void
  /** A flow that came faster than the pace allows and was not built. */
  skipFlow(): void
  setSpeed(speed: Speed): void
  setPaused(paused: boolean): void
}

/** A component or edge layer whose heat is drawn, with what it shows now. */
interface HeatTarget {
  readonly el: SVGGElement
  readonly from: number
  readonly to: number
  shown: string
}

type Svg = Selection<SVGSVGElement, unknown, null, undefined>
type G = Selection<SVGGElement, unknown, null, undefined>

const contextColor = (row: Row) => `var(${CONTEXT_TOKEN[row]})`

/** Heat drawn as a level 0–1: log scale, 1000 passes per second and more are the hottest. */
const heatLevel = (rate: number) => Math.min(1, Math.log10(1 + rate) / 3).toFixed(3)
/** How often the heat is redrawn (milliseconds): rates are read, not watched. */
const HEAT_MS = 250

/**
 * Draws a diagram layout into an SVG element with d3 and keeps it live: the component where the
 * CPU runs, the current privilege context on the row axis, flow tokens, heat. Colours, fonts and
 * sizes come from the --rs- tokens through CSS classes (diagram.css), so themes need no code here.
 */
export class DiagramView implements LiveDiagram {
  private readonly svg: Svg
  private layout: DiagramLayout | null = null
  private topology: Topology | null = null
  private texts: DiagramTexts | null = null
  private readonly player = new FlowPlayer()
  private readonly heat = new HeatMap()
  private heatComponents: HeatTarget[] = []
  private heatEdges: HeatTarget[] = []
  private rateFormat: { locale: string; whole: Intl.NumberFormat; tenths: Intl.NumberFormat } | null = null
  private raf = 0
  /** The flow serial and hop last reported to the callbacks (-1: none). */
  private shownSerial = -1
  private shownHop = -1
  private tokenWidth = 0
  private tokenAt = { x: NaN, y: NaN }
  private active: number | null = null
  private context: number | null = null
  /** What the SVG shows now (instance id, encoded context). */
  private drawnActive: string | null = null
  private drawnContext: number | null = null
  private focus: Record<DiagramItem['type'], number> = { component: 0, edge: 0 }
  private locale = 'en'
  private token: G | null = null
  private heatAt = 0
  private activeAt = -Infinity

  constructor(
    svgElement: SVGSVGElement,
    private readonly callbacks: DiagramCallbacks,
    private readonly now: () => number = () => performance.now(),
    private readonly requestFrame: (cb: () => void) => number = (cb) => requestAnimationFrame(cb),
    private readonly cancelFrame: (id: number) => void = (id) => cancelAnimationFrame(id),
  ) {
    this.svg = select(svgElement)
  }

  /** Redraws everything for a new layout (another architecture, VM count, size, language or theme). */
  render(
    layout: DiagramLayout,
    scale: number,
    topology: Topology,
    texts: DiagramTexts,
    locale: string,
  ): void {
    const sameTopology = this.topology === topology
    this.layout = layout
    this.topology = topology
    this.texts = texts
    this.locale = locale
    if (!sameTopology) {
      this.player.clear()
      this.heat.reset(topology.components.length, this.now())
      this.active = null
      this.context = null
      this.focus = { component: 0, edge: 0 }
    }
    const refocus = sameTopology ? this.focusedItem() : null
    this.drawnActive = null
    this.drawnContext = null
    const svg = this.svg
    svg.selectChildren().remove()
    svg
      .attr('width', Math.round(layout.width * scale))
      .attr('height', Math.round(layout.height * scale))
      .attr('viewBox', `0 0 ${layout.width} ${layout.height}`)
      .attr('role', 'group')
      .attr('aria-label', fill(texts.msgs.diagram.label, { arch: texts.archName }))

    this.drawBackground(svg.append('g').attr('class', 'rs-dg-background').attr('aria-hidden', 'true'), layout)
    // Paint order: edge lines under the boxes, focusable edge hit areas above them. Tab order:
    // components first, then edges (each group is one tab stop).
    this.drawEdgeLines(svg.append('g').attr('class', 'rs-dg-edge-lines').attr('aria-hidden', 'true'), layout)
    const comps = svg
      .append('g')
      .attr('class', 'rs-dg-components')
      .attr('role', 'group')
      .attr('aria-label', texts.msgs.diagram.components)
    this.drawComponents(comps, layout, texts)
    const edges = svg
      .append('g')
      .attr('class', 'rs-dg-edges')
      .attr('role', 'group')
      .attr('aria-label', texts.msgs.diagram.edges)
    this.drawEdges(edges, layout, topology, texts)
    this.token = svg
      .append('g')
      .attr('class', 'rs-dg-token')
      .attr('data-testid', 'flow-token')
      .attr('aria-hidden', 'true')
      .style('display', 'none')
    this.token.append('circle').attr('r', 7)
    this.token.append('rect').attr('class', 'rs-dg-token-bg').attr('rx', 4)
    this.token.append('text').attr('class', 'rs-dg-token-label')
    this.heatComponents = svg
      .selectAll<SVGGElement, ComponentLayout>('g.rs-dg-comp')
      .nodes()
      .map((el) => {
        const index = select<SVGGElement, ComponentLayout>(el).datum().index
        return { el, from: index, to: index, shown: '' }
      })
    this.heatEdges = this.edgeLayers()
      .nodes()
      .map((el) => {
        const e = select<SVGGElement, EdgeLayout>(el).datum()
        return { el, from: e.from, to: e.to, shown: '' }
      })
    this.applyActive()
    this.applyHeat()
    this.shownSerial = -1
    this.shownHop = -1
    this.schedule()
    if (refocus !== null) this.focusItem(refocus)
  }

  /** The item that has the keyboard focus, if the focus is in the diagram. */
  private focusedItem(): DiagramItem | null {
    const el = this.svg.node()?.ownerDocument.activeElement
    if (!(el instanceof SVGGElement) || !this.svg.node()?.contains(el)) return null
    const id = el.getAttribute('data-id')
    const edge = el.getAttribute('data-edge')
    const index =
      id !== null
        ? (this.topology?.components.findIndex((c) => c.id === id) ?? -1)
        : (this.layout?.edges.findIndex((e) => e.id === edge) ?? -1)
    if (index < 0) return null
    return { type: id !== null ? 'component' : 'edge', index }
  }

  private drawBackground(g: G, l: DiagramLayout): void {
    g.selectAll('rect.rs-dg-band')
      .data(l.bands)
      .join('rect')
      .attr('class', (b) => `rs-dg-band rs-dg-band-${b.mode}`)
      .attr('x', (b) => b.x)
      .attr('y', (b) => b.y)
      .attr('width', (b) => b.width)
      .attr('height', (b) => b.height)
    g.selectAll('rect.rs-dg-column')
      .data(l.columns)
      .join('rect')
      .attr('class', 'rs-dg-column')
      .attr('data-column', (c) => c.id)
      .attr('x', (c) => c.x)
      .attr('y', 0)
      .attr('width', (c) => c.width)
      .attr('height', (c) => c.height)
    g.selectAll('line.rs-dg-rowline')
      .data(l.rows.slice(1))
      .join('line')
      .attr('class', 'rs-dg-rowline')
      .attr('x1', 0)
      .attr('x2', l.width)
      .attr('y1', (r) => r.y)
      .attr('y2', (r) => r.y)
    const heads = g
      .selectAll('text.rs-dg-column-label')
      .data(l.columns)
      .join('text')
      .attr('class', 'rs-dg-column-label')
      .attr('x', (c) => c.x + c.width / 2)
      .attr('y', 0)
    heads
      .selectAll('tspan')
      .data((c) => c.label.map((s) => ({ s, x: c.x + c.width / 2 })))
      .join('tspan')
      .attr('x', (d) => d.x)
      .attr('dy', (_, i) => (i === 0 ? l.lineHeight * 0.95 : l.lineHeight))
      .text((d) => d.s)
  }

  private drawComponents(g: G, l: DiagramLayout, texts: DiagramTexts): void {
    // The row axis: label, mode note, and the CPU marker when the current context is this row.
    const axis = g.append('g').attr('class', 'rs-dg-axis')
    const rows = axis
      .selectAll('g.rs-dg-row')
      .data(l.rows)
      .join('g')
      .attr('class', 'rs-dg-row')
      .attr('data-row', (r) => r.id)
      .style('--rs-dg-ctx', (r) => contextColor(r.id))
    rows
      .append('rect')
      .attr('class', 'rs-dg-row-stripe')
      .attr('x', 0)
      .attr('y', (r) => r.y + 2)
      .attr('width', 5)
      .attr('height', (r) => r.height - 4)
    const label = rows
      .append('text')
      .attr('class', 'rs-dg-row-label')
      .attr('x', 12)
      .attr(
        'y',
        (r) => r.y + (r.height - r.label.length * l.lineHeight - r.note.length * l.smallLineHeight) / 2,
      )
    label
      .selectAll('tspan.rs-dg-row-main')
      .data((r) => r.label)
      .join('tspan')
      .attr('class', 'rs-dg-row-main')
      .attr('x', 12)
      .attr('dy', (_, i) => (i === 0 ? 0.8 : 1) * l.lineHeight)
      .text((s) => s)
    label
      .selectAll('tspan.rs-dg-row-note')
      .data((r) => r.note)
      .join('tspan')
      .attr('class', 'rs-dg-row-note')
      .attr('x', 12)
      .attr('dy', l.smallLineHeight)
      .text((s) => s)
    const marker = rows.append('g').attr('class', 'rs-dg-cpu-marker')
    marker
      .append('rect')
      .attr('x', l.axisWidth - l.markerWidth)
      .attr('y', (r) => r.y + 3)
      .attr('width', l.markerWidth - 4)
      .attr('height', l.smallLineHeight + 2)
      .attr('rx', 3)
    marker
      .append('text')
      .attr('x', l.axisWidth - l.markerWidth / 2 - 2)
      .attr('y', (r) => r.y + 3 + l.smallLineHeight * 0.85)
      .text(texts.msgs.diagram.cpuHere)

    // Components in reading order, each container before the boxes inside it.
    const rowIndex = new Map(l.rows.map((r, i) => [r.id, i]))
    const order = [...l.components].sort(
      (a, b) =>
        (rowIndex.get(a.row) ?? 0) - (rowIndex.get(b.row) ?? 0) ||
        depth(l, a) - depth(l, b) ||
        a.x - b.x ||
        a.y - b.y,
    )
    const boxes = g
      .selectAll<SVGGElement, ComponentLayout>('g.rs-dg-comp')
      .data(order, (c) => c.id)
      .join('g')
      .attr('class', (c) => (c.children.length > 0 ? 'rs-dg-comp rs-dg-container' : 'rs-dg-comp'))
      .attr('data-testid', (c) => `component-${c.id}`)
      .attr('data-id', (c) => c.id)
      .attr('data-base-id', (c) => c.baseId)
      .attr('data-vm', (c) => c.vm)
      .attr('data-row', (c) => c.row)
      .attr('data-column', (c) => c.column)
      .attr('data-management', (c) => (c.management ? 'true' : null))
      .attr('role', 'button')
      .attr('aria-label', (c) => this.componentLabel(c.index))
      .attr('tabindex', -1)
      .style('--rs-dg-ctx', (c) => contextColor(c.row))
    boxes
      .append('rect')
      .attr('class', 'rs-dg-box')
      .attr('x', (c) => c.x)
      .attr('y', (c) => c.y)
      .attr('width', (c) => c.width)
      .attr('height', (c) => c.height)
      .attr('rx', 5)
    boxes
      .append('rect')
      .attr('class', 'rs-dg-heat')
      .attr('x', (c) => c.x)
      .attr('y', (c) => c.y)
      .attr('width', (c) => c.width)
      .attr('height', (c) => c.header)
      .attr('rx', 5)
    const text = boxes
      .append('text')
      .attr('class', 'rs-dg-label')
      .attr('x', (c) => c.x + c.width / 2)
      .attr(
        'y',
        (c) => c.y + (c.header - c.title.length * l.lineHeight - c.detail.length * l.smallLineHeight) / 2,
      )
    text
      .selectAll('tspan.rs-dg-title')
      .data((c) => c.title.map((s) => ({ s, x: c.x + c.width / 2 })))
      .join('tspan')
      .attr('class', 'rs-dg-title')
      .attr('x', (d) => d.x)
      .attr('dy', (_, i) => (i === 0 ? 0.8 : 1) * l.lineHeight)
      .text((d) => d.s)
    text
      .selectAll('tspan.rs-dg-detail')
      .data((c) => c.detail.map((s) => ({ s, x: c.x + c.width / 2 })))
      .join('tspan')
      .attr('class', 'rs-dg-detail')
      .attr('x', (d) => d.x)
      .attr('dy', l.smallLineHeight)
      .text((d) => d.s)
    // The heat badge sits on the box's top-right corner (sized when a rate is shown).
    const badge = boxes.append('g').attr('class', 'rs-dg-rate')
    badge
      .append('rect')
      .attr('y', (c) => c.y - l.smallLineHeight / 2)
      .attr('height', l.smallLineHeight)
      .attr('rx', l.smallLineHeight / 2)
    badge
      .append('text')
      .attr('x', (c) => c.x + c.width - 4)
      .attr('y', (c) => c.y + l.smallLineHeight * 0.3)
    this.wireItems(
      boxes,
      'component',
      order.map((c) => c.index),
    )
  }

  private drawEdgeLines(g: G, l: DiagramLayout): void {
    const lines = g
      .selectAll<SVGGElement, EdgeLayout>('g')
      .data(l.edges, (e) => e.id)
      .join('g')
      .attr('class', (e) => `rs-dg-edge-visual rs-dg-edge-${e.kind}`)
      .attr('data-edge', (e) => e.id)
    lines
      .append('path')
      .attr('class', 'rs-dg-edge-line')
      .attr('d', (e) => curvePath(e.curve))
    lines
      .append('path')
      .attr('class', 'rs-dg-edge-head')
      .attr('d', (e) => arrowHead(e.curve))
  }

  private drawEdges(g: G, l: DiagramLayout, t: Topology, texts: DiagramTexts): void {
    const edges = g
      .selectAll<SVGGElement, EdgeLayout>('g')
      .data(l.edges, (e) => e.id)
      .join('g')
      .attr('class', 'rs-dg-edge')
      .attr('data-edge', (e) => e.id)
      .attr('role', 'button')
      .attr('tabindex', -1)
      .attr('aria-label', (e) => texts.edgeName(e.kind, t.components[e.from], t.components[e.to]))
    edges
      .append('path')
      .attr('class', 'rs-dg-edge-hit')
      .attr('d', (e) => curvePath(e.curve))
    edges
      .append('path')
      .attr('class', 'rs-dg-edge-focus')
      .attr('d', (e) => curvePath(e.curve))
    this.wireItems(
      edges,
      'edge',
      l.edges.map((_, i) => i),
    )
  }

  /** Both layers of every edge (lines below, focusable areas above). */
  private edgeLayers() {
    return this.svg.selectAll<SVGGElement, EdgeLayout>('[data-edge]')
  }

  /** Roving tabindex over one group of items, with arrow keys, Enter/Space, hover and focus. */
  private wireItems<D>(
    sel: Selection<SVGGElement, D, SVGGElement, unknown>,
    type: DiagramItem['type'],
    order: number[],
  ): void {
    const nodes = sel.nodes()
    const indexOfNode = new Map(nodes.map((n, i) => [n, order[i]]))
    const nodeOf = (index: number) => nodes[order.indexOf(index)]
    const current = order.includes(this.focus[type]) ? this.focus[type] : order[0]
    if (current === undefined) return
    this.focus[type] = current
    nodeOf(current)?.setAttribute('tabindex', '0')
    const moveTo = (index: number) => {
      for (const n of nodes) n.setAttribute('tabindex', '-1')
      const n = nodeOf(index)
      n.setAttribute('tabindex', '0')
      this.focus[type] = index
      n.focus()
    }
    const l = this.layout
    sel
      .on('click', (ev: MouseEvent) => {
        const index = indexOfNode.get(ev.currentTarget as SVGGElement)
        if (index === undefined) return
        moveTo(index)
        this.open({ type, index })
      })
      .on('keydown', (ev: KeyboardEvent) => {
        const index = indexOfNode.get(ev.currentTarget as SVGGElement)
        if (index === undefined || l === null) return
        const at = order.indexOf(index)
        let next: number | undefined
        switch (ev.key) {
          case 'Enter':
          case ' ':
            ev.preventDefault()
            this.open({ type, index })
            return
          case 'ArrowRight':
            next = order[Math.min(order.length - 1, at + 1)]
            break
          case 'ArrowLeft':
            next = order[Math.max(0, at - 1)]
            break
          case 'ArrowDown':
          case 'ArrowUp':
            next =
              type === 'component'
                ? verticalNeighbour(l, index, ev.key === 'ArrowDown' ? 1 : -1)
                : order[Math.max(0, Math.min(order.length - 1, at + (ev.key === 'ArrowDown' ? 1 : -1)))]
            break
          case 'Home':
            next = order[0]
            break
          case 'End':
            next = order[order.length - 1]
            break
          default:
            return
        }
        ev.preventDefault()
        ev.stopPropagation()
        if (next !== undefined) moveTo(next)
      })
      .on('focus', (ev: FocusEvent) => this.hover(ev.currentTarget as SVGGElement, type, indexOfNode))
      .on('mouseenter', (ev: MouseEvent) => this.hover(ev.currentTarget as SVGGElement, type, indexOfNode))
      .on('blur mouseleave', () => {
        if (this.topology !== null) this.callbacks.hover(null, null, this.topology)
      })
  }

  private hover(node: SVGGElement, type: DiagramItem['type'], indexOfNode: Map<SVGGElement, number>): void {
    const index = indexOfNode.get(node)
    if (index === undefined) return
    const target = node.querySelector(type === 'component' ? '.rs-dg-box' : '.rs-dg-edge-focus') ?? node
    if (this.topology !== null)
      this.callbacks.hover({ type, index }, target.getBoundingClientRect(), this.topology)
  }

  private open(item: DiagramItem): void {
    if (this.topology !== null) this.callbacks.open(item, this.topology)
  }

  /** Moves keyboard focus to an item (after its details close). */
  focusItem(item: DiagramItem): void {
    const sel =
      item.type === 'component'
        ? `g.rs-dg-comp[data-id="${this.topology?.components[item.index]?.id}"]`
        : `g.rs-dg-edge[data-edge="${this.layout?.edges[item.index]?.id}"]`
    const node = this.svg.select<SVGGElement>(sel).node()
    node?.focus()
  }

  private componentLabel(index: number): string {
    const t = this.topology
    const texts = this.texts
    if (t === null || texts === null) return ''
    const c = t.components[index]
    const parts = [texts.componentFullName(c), texts.row(c.row)]
    if (c.management) parts.push(texts.managementMark())
    if (index === this.active) parts.push(texts.msgs.diagram.runsHere)
    return parts.join(', ')
  }

  /** Marks where the CPU runs; drawn at the next animation frame, however often it is called. */
  setActive(component: number | null, context: number): void {
    if (component === this.active && context === this.context) return
    this.active = component
    this.context = context
    this.schedule()
  }

  private applyActive(): void {
    const t = this.topology
    if (t === null) return
    const activeId = this.active === null ? null : t.components[this.active]?.id
    if (activeId === this.drawnActive && this.context === this.drawnContext) return
    const previousId = this.drawnActive
    this.drawnActive = activeId ?? null
    this.drawnContext = this.context
    this.svg
      .selectAll<SVGGElement, ComponentLayout>('g.rs-dg-comp')
      .filter((c) => c.id === previousId || c.id === activeId)
      .attr('data-active', (c) => (c.id === activeId ? 'true' : null))
      .attr('aria-current', (c) => (c.id === activeId ? 'true' : null))
      .attr('aria-label', (c) => this.componentLabel(c.index))
    const row = this.context === null ? null : contextLabel(decodeContext(this.context))
    this.svg
      .selectAll<SVGGElement, { id: Row }>('g.rs-dg-row')
      .attr('data-current', (r) => (r.id === row ? 'true' : null))
  }

  playFlow(flow: DiagramFlow): void {
    this.player.enqueue(flow, this.now())
    this.schedule()
  }

  /** A demonstration flow: shown as the engine's flows are, and counted towards heat. */
  playDemo(flow: DiagramFlow): void {
    for (const h of flow.hops) this.countHop(h.from, h.to)
    this.playFlow(flow)
  }

  countHop(from: number, to: number): void {
    this.heat.count(from, to)
    if (this.player.speed === 'full') this.schedule()
  }

  skipFlow(): void {
    this.player.skip()
  }

  setSpeed(speed: Speed): void {
    this.player.setSpeed(speed, this.now())
    this.svg.attr('data-heat', speed === 'full' ? 'true' : null)
    this.applyHeat()
    this.schedule()
  }

  setPaused(paused: boolean): void {
    this.player.setPaused(paused, this.now())
    this.svg.attr('data-paused', paused ? 'true' : null)
    this.schedule()
  }

  setReducedMotion(reduced: boolean): void {
    this.player.reducedMotion = reduced
    this.schedule()
  }

  private schedule(): void {
    if (this.raf === 0) this.raf = this.requestFrame(() => this.tick())
  }

  private tick(): void {
    this.raf = 0
    const now = this.now()
    const heat = this.player.speed === 'full'
    // At full speed the CPU changes place thousands of times a second: it is shown at the heat's pace.
    const activeDue = !heat || now - this.activeAt >= HEAT_MS
    if (activeDue) {
      this.activeAt = now
      this.applyActive()
    }
    const frame = this.player.frame(now)
    const serial = frame?.serial ?? -1
    const hopIndex = frame?.hop ?? -1
    const changed = serial !== this.shownSerial || hopIndex !== this.shownHop
    if (changed) {
      this.shownSerial = serial
      this.shownHop = hopIndex
      const hop = frame?.flow.hops[hopIndex]
      this.edgeLayers().attr('data-current', (e) =>
        hop !== undefined && e.from === hop.from && e.to === hop.to ? 'true' : null,
      )
      if (hop !== undefined)
        this.edgeLayers()
          .filter((e) => e.from === hop.from && e.to === hop.to)
          .attr('data-used', 'true')
      if (this.topology !== null) this.callbacks.frame(frame, this.topology, this.player.skipped)
    }
    this.drawToken(frame, changed)
    if (heat && now - this.heatAt >= HEAT_MS) this.applyHeat(now)
    if ((this.player.busy && !this.player.paused) || (heat && this.heat.warm) || !activeDue) this.schedule()
    else if (heat) this.applyHeat(now)
  }

  private curveOf(from: number, to: number): Curve | null {
    const l = this.layout
    if (l === null) return null
    const edge = l.edges.find((e) => e.from === from && e.to === to)
    if (edge !== undefined) return edge.curve
    const a = l.components[from]
    const b = l.components[to]
    return a === undefined || b === undefined ? null : route(a, b, 8)
  }

  /** Moves the token; its label and size change only with the hop (`changed`). */
  private drawToken(frame: TokenFrame | null, changed: boolean): void {
    const token = this.token
    const l = this.layout
    const texts = this.texts
    if (token === null || l === null || texts === null) return
    const hop = frame?.flow.hops[frame.hop]
    const curve = hop === undefined ? null : this.curveOf(hop.from, hop.to)
    if (frame === null || hop === undefined || curve === null) {
      if (changed) token.style('display', 'none').attr('data-hop', null)
      return
    }
    const label = token.select<SVGTextElement>('text')
    if (changed) {
      const cost = hop.cost === null ? '' : ` · ${texts.cycles(hop.cost, this.locale)}`
      const text = `${frame.flow.label} — ${texts.cause(hop.cause)}${cost}`
      token.style('display', null).attr('data-hop', frame.hop).attr('data-label', frame.flow.label)
      label.text(text)
      this.tokenWidth = (label.node()?.getComputedTextLength() ?? text.length * 7) + 10
    }
    const p = pointOnCurve(curve, frame.t)
    if (!changed && p.x === this.tokenAt.x && p.y === this.tokenAt.y) return
    this.tokenAt = p
    token.select('circle').attr('cx', p.x).attr('cy', p.y)
    // Keep the label inside the diagram.
    const w = this.tokenWidth
    const h = l.smallLineHeight + 6
    const x = Math.max(2, Math.min(l.width - w - 2, p.x + 12))
    const y = Math.max(2, Math.min(l.height - h - 2, p.y - h - 6))
    token.select('rect').attr('x', x).attr('y', y).attr('width', w).attr('height', h)
    label.attr('x', x + 5).attr('y', y + h - 6)
  }

  /** Draws the heat at `now` (nothing unless at full speed); writes only what changed. */
  private applyHeat(now = this.now()): void {
    this.heatAt = now
    const full = this.player.speed === 'full'
    if (full) this.heat.fold(now)
    const l = this.layout
    const texts = this.texts
    if (l === null || texts === null) return
    const smallFont = l.smallLineHeight / 1.3
    for (const c of this.heatComponents) {
      const rate = full ? this.heat.componentRate(c.from) : 0
      const shown = rate === 0 ? '' : rate.toFixed(1)
      if (shown === c.shown) continue
      c.shown = shown
      const label = rate === 0 ? '' : fill(texts.msgs.diagram.rate, { rate: this.formatRate(rate) })
      setHeat(c.el, shown, rate)
      const badge = c.el.querySelector('g.rs-dg-rate')
      const box = l.components[c.from]
      if (badge === null || box === undefined) continue
      const w = label === '' ? 0 : textWidth(label, smallFont) + 10
      badge.querySelector('text')!.textContent = label
      const rect = badge.querySelector('rect')!
      rect.setAttribute('x', String(box.x + box.width - w + 1))
      rect.setAttribute('width', String(w))
    }
    for (const e of this.heatEdges) {
      const rate = full ? this.heat.edgeRate(e.from, e.to) : 0
      const shown = rate === 0 ? '' : rate.toFixed(1)
      if (shown === e.shown) continue
      e.shown = shown
      setHeat(e.el, shown, rate)
    }
  }

  private formatRate(rate: number): string {
    let f = this.rateFormat
    if (f === null || f.locale !== this.locale) {
      f = {
        locale: this.locale,
        whole: new Intl.NumberFormat(this.locale, { maximumFractionDigits: 0 }),
        tenths: new Intl.NumberFormat(this.locale, { maximumFractionDigits: 1 }),
      }
      this.rateFormat = f
    }
    return (rate >= 100 ? f.whole : f.tenths).format(rate)
  }

  dispose(): void {
    if (this.raf !== 0) this.cancelFrame(this.raf)
    this.raf = 0
    this.svg.selectChildren().remove()
  }
}

function setHeat(el: SVGGElement, rate: string, value: number): void {
  if (rate === '') el.removeAttribute('data-rate')
  else el.setAttribute('data-rate', rate)
  el.style.setProperty('--rs-dg-heat', heatLevel(value))
}

function depth(l: DiagramLayout, c: ComponentLayout): number {
  let d = 0
  for (let p = c.parent; p !== null; p = l.components[p].parent) d++
  return d
}

/** The component in the next row up or down (rows with components only) nearest in x. */
function verticalNeighbour(l: DiagramLayout, index: number, dir: 1 | -1): number | undefined {
  const c = l.components[index]
  const rowIndex = (r: Row) => l.rows.findIndex((x) => x.id === r)
  const cx = c.x + c.width / 2
  const here = rowIndex(c.row)
  for (let r = here + dir; r >= 0 && r < l.rows.length; r += dir) {
    const inRow = l.components.filter((x) => rowIndex(x.row) === r)
    if (inRow.length === 0) continue
    return inRow.reduce((best, x) =>
      Math.abs(x.x + x.width / 2 - cx) < Math.abs(best.x + best.width / 2 - cx) ? x : best,
    ).index
  }
  return undefined
}

/** A small arrow head at the end of a curve, pointing along its last segment. */
function arrowHead(c: Curve): string {
  const end = c.p3
  const from = c.c2.x === end.x && c.c2.y === end.y ? c.p0 : c.c2
  const dx = end.x - from.x
  const dy = end.y - from.y
  const len = Math.hypot(dx, dy) || 1
  const ux = dx / len
  const uy = dy / len
  const s = 6
  const a = { x: end.x - ux * s - uy * s * 0.6, y: end.y - uy * s + ux * s * 0.6 }
  const b = { x: end.x - ux * s + uy * s * 0.6, y: end.y - uy * s - ux * s * 0.6 }
  return `M${a.x.toFixed(1)},${a.y.toFixed(1)} L${end.x.toFixed(1)},${end.y.toFixed(1)} L${b.x.toFixed(1)},${b.y.toFixed(1)}`
}
