import { select, type Selection } from 'd3'
import type { Row, Topology } from '../../engine/hv/topology'
import { contextLabel, decodeContext } from '../../engine/privilege'
import { FlowPlayer, type Speed, type TokenFrame } from './flow-player'
import {
  curvePath,
  pointOnCurve,
  route,
  type ComponentLayout,
  type Curve,
  type DiagramLayout,
  type EdgeLayout,
} from './layout'
import { fill, type DiagramTexts } from './texts'
import type { DiagramDriver, DiagramFlow } from './trace-adapter'

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

type Svg = Selection<SVGSVGElement, unknown, null, undefined>
type G = Selection<SVGGElement, unknown, null, undefined>

/** The theme token colouring each row's privilege context (rings 1 and 2 share ring 1's colour). */
const CONTEXT_COLOR: Readonly<Record<Row, string>> = {
  r0: '--rs-ctx-r0',
  r1: '--rs-ctx-r1',
  r2: '--rs-ctx-r1',
  r3: '--rs-ctx-r3',
  'root-r0': '--rs-ctx-root-r0',
  'root-r1': '--rs-ctx-r1',
  'root-r2': '--rs-ctx-r1',
  'root-r3': '--rs-ctx-root-r3',
  'nr-r0': '--rs-ctx-nr-r0',
  'nr-r1': '--rs-ctx-nr-r0',
  'nr-r2': '--rs-ctx-nr-r0',
  'nr-r3': '--rs-ctx-nr-r3',
  hw: '--rs-ctx-hardware',
}

const contextColor = (row: Row) => `var(${CONTEXT_COLOR[row]})`

function formatRate(rate: number, locale: string): string {
  return rate >= 100
    ? Math.round(rate).toLocaleString(locale)
    : rate.toLocaleString(locale, { maximumFractionDigits: 1 })
}

/**
 * Draws a diagram layout into an SVG element with d3 and keeps it live: the component where the
 * CPU runs, the current privilege context on the row axis, flow tokens, heat. Colours, fonts and
 * sizes come from the --rs- tokens through CSS classes (diagram.css), so themes need no code here.
 */
export class DiagramView implements DiagramDriver {
  private readonly svg: Svg
  private layout: DiagramLayout | null = null
  private topology: Topology | null = null
  private texts: DiagramTexts | null = null
  private readonly player = new FlowPlayer()
  private raf = 0
  private lastFrameKey = ''
  private active: number | null = null
  private context: number | null = null
  /** What the SVG shows now (instance id, encoded context). */
  private drawnActive: string | null = null
  private drawnContext: number | null = null
  private focus: Record<DiagramItem['type'], number> = { component: 0, edge: 0 }
  private locale = 'en'
  private token: G | null = null
  private heatAt = 0

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
    this.applyActive()
    this.applyHeat()
    this.lastFrameKey = ''
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
      .attr('data-testid', (c) => `component-${c.baseId}`)
      .attr('data-id', (c) => c.id)
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

  setSpeed(speed: Speed): void {
    this.player.setSpeed(speed, this.now())
    this.svg.attr('data-heat', speed === 'full' ? 'true' : null)
    this.applyHeat()
    this.schedule()
  }

  setPaused(paused: boolean): void {
    this.player.setPaused(paused, this.now())
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
    this.applyActive()
    const frame = this.player.frame(now)
    const key = frame === null ? '' : `${frame.serial}:${frame.hop}`
    if (key !== this.lastFrameKey) {
      this.lastFrameKey = key
      const hop = frame?.flow.hops[frame.hop]
      this.edgeLayers().attr('data-current', (e) =>
        hop !== undefined && e.from === hop.from && e.to === hop.to ? 'true' : null,
      )
      if (hop !== undefined)
        this.edgeLayers()
          .filter((e) => e.from === hop.from && e.to === hop.to)
          .attr('data-used', 'true')
      if (this.topology !== null) this.callbacks.frame(frame, this.topology, this.player.skipped)
    }
    this.drawToken(frame)
    const heat = this.player.speed === 'full'
    if (heat && now - this.heatAt >= 250) this.applyHeat(now)
    const heatLeft = heat && this.player.componentHeat.read(now).size > 0
    if ((this.player.busy && !this.player.paused) || heatLeft) this.schedule()
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

  private drawToken(frame: TokenFrame | null): void {
    const token = this.token
    const l = this.layout
    const texts = this.texts
    if (token === null || l === null || texts === null) return
    const hop = frame?.flow.hops[frame.hop]
    const curve = hop === undefined ? null : this.curveOf(hop.from, hop.to)
    if (frame === null || hop === undefined || curve === null) {
      token.style('display', 'none').attr('data-hop', null)
      return
    }
    const p = pointOnCurve(curve, frame.t)
    const cost = hop.cost === null ? '' : ` · ${texts.cycles(hop.cost, this.locale)}`
    const text = `${frame.flow.label} — ${texts.cause(hop.cause)}${cost}`
    token.style('display', null).attr('data-hop', frame.hop).attr('data-label', frame.flow.label)
    token.select('circle').attr('cx', p.x).attr('cy', p.y)
    const label = token.select<SVGTextElement>('text').text(text)
    // Keep the label inside the diagram.
    const w = (label.node()?.getComputedTextLength() ?? text.length * 7) + 10
    const h = l.smallLineHeight + 6
    const x = Math.max(2, Math.min(l.width - w - 2, p.x + 12))
    const y = Math.max(2, Math.min(l.height - h - 2, p.y - h - 6))
    token.select('rect').attr('x', x).attr('y', y).attr('width', w).attr('height', h)
    label.attr('x', x + 5).attr('y', y + h - 6)
  }

  private applyHeat(now = this.now()): void {
    this.heatAt = now
    const full = this.player.speed === 'full'
    const comps = full ? this.player.componentHeat.read(now) : new Map<number, number>()
    const edges = full ? this.player.edgeHeat.read(now) : new Map<string, number>()
    const level = (rate: number) => Math.min(1, Math.log10(1 + rate) / 3)
    const texts = this.texts
    const locale = this.locale
    this.svg
      .selectAll<SVGGElement, ComponentLayout>('g.rs-dg-comp')
      .attr('data-rate', (c) => (comps.has(c.index) ? (comps.get(c.index) ?? 0).toFixed(1) : null))
      .style('--rs-dg-heat', (c) => level(comps.get(c.index) ?? 0).toFixed(3))
      .select('g.rs-dg-rate')
      .each(function (c) {
        const rate = comps.get(c.index)
        const label =
          rate === undefined || texts === null
            ? ''
            : fill(texts.msgs.diagram.rate, { rate: formatRate(rate, locale) })
        const g = select(this)
        const text = g.select<SVGTextElement>('text').text(label)
        const w = label === '' ? 0 : (text.node()?.getComputedTextLength() ?? 0) + 10
        g.select('rect')
          .attr('x', c.x + c.width - w + 1)
          .attr('width', w)
      })
    this.edgeLayers()
      .attr('data-rate', (e) =>
        edges.has(`${e.from}>${e.to}`) ? (edges.get(`${e.from}>${e.to}`) ?? 0).toFixed(1) : null,
      )
      .style('--rs-dg-heat', (e) => level(edges.get(`${e.from}>${e.to}`) ?? 0).toFixed(3))
  }

  dispose(): void {
    if (this.raf !== 0) this.cancelFrame(this.raf)
    this.raf = 0
    this.svg.selectChildren().remove()
  }
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
