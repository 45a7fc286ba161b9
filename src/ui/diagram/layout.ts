import type { ComponentInstance, DomainInstance, EdgeKind, Row, Topology } from '../../engine/hv/topology'
import { parseContextLabel } from '../../engine/privilege'
import { textWidth, wrapText } from './text-metrics'

/**
 * The architecture diagram's layout: a pure function from a topology (and the texts and sizes it is
 * drawn with) to positions. Rows are privilege contexts top to bottom, columns are domains, the
 * hardware row spans the width; components nested `within` another sit inside it. Drawing is
 * separate (draw.ts). Bump LAYOUT_VERSION when the same input would be placed differently.
 */
export const LAYOUT_VERSION = 1

export interface LayoutMetrics {
  /** Pixels of the main text (--rs-font-size). */
  readonly fontSize: number
  /** Pixels of secondary text (--rs-font-size-small). */
  readonly smallFontSize: number
  /** Space between boxes. */
  readonly gap: number
  /** Space inside boxes. */
  readonly pad: number
}

export interface ComponentLabel {
  readonly title: string
  /** A second, smaller line: the VM a per-VM instance serves, the management mark. */
  readonly detail: string | null
}

export interface RowLabel {
  readonly label: string
  /** Shown beside the label ("VMX root" beside "Ring −1"). */
  readonly note: string | null
}

export interface LayoutTexts {
  component(c: ComponentInstance): ComponentLabel
  row(row: Row): RowLabel
  domain(d: DomainInstance): string
  /** The marker of the CPU's current context on the row axis. */
  readonly marker: string
}

export interface LayoutInput {
  readonly topology: Topology
  readonly texts: LayoutTexts
  readonly metrics: LayoutMetrics
  /** The space available, in pixels; the layout grows beyond it only when its content cannot fit. */
  readonly width: number
  readonly height: number
}

export interface Point {
  readonly x: number
  readonly y: number
}

export interface Rect {
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
}

/** VMX non-root, VMX root, no VMX, hardware. */
export type RowMode = 'nonroot' | 'root' | 'off' | 'hw'

export interface RowLayout extends Rect {
  readonly id: Row
  readonly mode: RowMode
  readonly label: readonly string[]
  readonly note: readonly string[]
}

export interface ColumnLayout extends Rect {
  /** Domain instance id (`host`, `vm-2`, …). */
  readonly id: string
  readonly domain: DomainInstance
  readonly label: readonly string[]
}

/** Consecutive rows of one VMX mode, shaded together (the non-root band where guests run). */
export interface BandLayout extends Rect {
  readonly mode: RowMode
  readonly rows: readonly Row[]
}

export interface ComponentLayout extends Rect {
  readonly index: number
  readonly id: string
  readonly baseId: string
  readonly vm: number | null
  readonly row: Row
  /** Its column's id; `hardware` for the hardware row. */
  readonly column: string
  /** Index of the component this one is drawn inside. */
  readonly parent: number | null
  readonly children: readonly number[]
  readonly title: readonly string[]
  readonly detail: readonly string[]
  readonly management: boolean
  /** Height of the text block at the top (the whole box for a component without children). */
  readonly header: number
}

/** A cubic Bézier curve. */
export interface Curve {
  readonly p0: Point
  readonly c1: Point
  readonly c2: Point
  readonly p3: Point
}

export interface EdgeLayout {
  /** `<from instance id>><to instance id>`. */
  readonly id: string
  readonly from: number
  readonly to: number
  readonly kind: EdgeKind
  readonly curve: Curve
}

export interface DiagramLayout {
  readonly version: number
  readonly width: number
  readonly height: number
  readonly axisWidth: number
  /** Width kept free at the right of the row axis for the marker of the CPU's current context. */
  readonly markerWidth: number
  readonly headerHeight: number
  readonly lineHeight: number
  readonly smallLineHeight: number
  readonly rows: readonly RowLayout[]
  readonly columns: readonly ColumnLayout[]
  readonly bands: readonly BandLayout[]
  /** By component index. */
  readonly components: readonly ComponentLayout[]
  readonly edges: readonly EdgeLayout[]
}

export function rowMode(row: Row): RowMode {
  if (row === 'hw') return 'hw'
  const ctx = parseContextLabel(row)
  return ctx === undefined || ctx.vmx === 'off' ? 'off' : ctx.vmx
}

/** The rectangle a component of `row` and `column` must lie in. */
export function cellRect(layout: DiagramLayout, row: Row, column: string): Rect {
  return cellOf(layout.rows, layout.columns, layout.axisWidth, layout.width, row, column)
}

function cellOf(
  rows: readonly RowLayout[],
  columns: readonly ColumnLayout[],
  axisWidth: number,
  width: number,
  row: Row,
  column: string,
): Rect {
  const r = rows.find((x) => x.id === row)
  if (r === undefined) throw new Error(`no row ${row}`)
  if (column === 'hardware') return { x: axisWidth, y: r.y, width: width - axisWidth, height: r.height }
  const c = columns.find((x) => x.id === column)
  if (c === undefined) throw new Error(`no column ${column}`)
  return { x: c.x, y: r.y, width: c.width, height: r.height }
}

interface Sizer {
  readonly lineHeight: number
  readonly smallLineHeight: number
  readonly m: LayoutMetrics
  readonly minText: number
  readonly maxText: number
}

/** A component sized for a given width, with its children placed relative to it. */
interface Sized {
  readonly index: number
  readonly width: number
  readonly height: number
  readonly header: number
  readonly title: string[]
  readonly detail: string[]
  readonly children: Array<{ readonly dx: number; readonly dy: number; readonly box: Sized }>
}

interface Node {
  readonly c: ComponentInstance
  readonly label: ComponentLabel
  readonly children: Node[]
}

function textBlock(s: Sizer, label: ComponentLabel, textW: number) {
  const title = wrapText(label.title, textW, s.m.fontSize)
  const detail = label.detail === null ? [] : wrapText(label.detail, textW, s.m.smallFontSize, 2)
  const h = title.length * s.lineHeight + detail.length * s.smallLineHeight + s.m.pad
  return { title, detail, h }
}

function prefWidth(s: Sizer, n: Node): number {
  const own =
    Math.min(
      s.maxText,
      Math.max(
        s.minText,
        textWidth(n.label.title, s.m.fontSize),
        textWidth(n.label.detail ?? '', s.m.smallFontSize),
      ),
    ) +
    2 * s.m.pad
  if (n.children.length === 0) return own
  const kids = n.children.reduce((sum, k) => sum + prefWidth(s, k), 0) + s.m.gap * (n.children.length - 1)
  return Math.max(own, kids + 2 * s.m.pad)
}

function minWidth(s: Sizer, n: Node): number {
  const own = s.minText + 2 * s.m.pad
  if (n.children.length === 0) return own
  return Math.max(own, Math.max(...n.children.map((k) => minWidth(s, k))) + 2 * s.m.pad)
}

interface Flowed {
  readonly items: Array<{ readonly dx: number; readonly dy: number; readonly box: Sized }>
  readonly width: number
  readonly height: number
}

/** Places boxes left to right, wrapping into lines no wider than `maxWidth`; each line is centred in it. */
function flow(boxes: readonly Sized[], maxWidth: number, gap: number): Flowed {
  const lines: Sized[][] = []
  let line: Sized[] = []
  let lineW = 0
  for (const b of boxes) {
    if (line.length > 0 && lineW + gap + b.width > maxWidth) {
      lines.push(line)
      line = []
      lineW = 0
    }
    lineW += (line.length > 0 ? gap : 0) + b.width
    line.push(b)
  }
  if (line.length > 0) lines.push(line)
  const widths = lines.map((l) => l.reduce((sum, b) => sum + b.width, 0) + gap * (l.length - 1))
  const width = Math.max(0, ...widths)
  const items: Flowed['items'] = []
  let y = 0
  lines.forEach((l, i) => {
    let x = (width - widths[i]) / 2
    const h = Math.max(...l.map((b) => b.height))
    for (const b of l) {
      items.push({ dx: x, dy: y + (h - b.height) / 2, box: b })
      x += b.width + gap
    }
    y += h + gap
  })
  return { items, width, height: Math.max(0, y - gap) }
}

/** Sizes a component to at most `maxWidth` pixels. */
function size(s: Sizer, n: Node, maxWidth: number): Sized {
  const width = Math.max(minWidth(s, n), Math.min(maxWidth, prefWidth(s, n)))
  const text = textBlock(s, n.label, width - 2 * s.m.pad)
  if (n.children.length === 0)
    return {
      index: n.c.index,
      width,
      height: text.h,
      header: text.h,
      title: text.title,
      detail: text.detail,
      children: [],
    }
  const inner = width - 2 * s.m.pad
  const kids = flow(
    n.children.map((k) => size(s, k, inner)),
    inner,
    s.m.gap,
  )
  const dx = s.m.pad + (inner - kids.width) / 2
  return {
    index: n.c.index,
    width,
    height: text.h + kids.height + s.m.pad,
    header: text.h,
    title: text.title,
    detail: text.detail,
    children: kids.items.map((it) => ({ dx: dx + it.dx, dy: text.h + it.dy, box: it.box })),
  }
}

/** Lays out the diagram of `input.topology`; see the module comment. */
export function layoutDiagram(input: LayoutInput): DiagramLayout {
  const { topology: t, texts, metrics: m } = input
  const s: Sizer = {
    m,
    lineHeight: Math.round(m.fontSize * 1.3),
    smallLineHeight: Math.round(m.smallFontSize * 1.3),
    minText: m.fontSize * 4.5,
    maxText: m.fontSize * 12,
  }

  // Nesting: a component `within` another of the same row and domain is drawn inside it.
  const nodes = t.components.map<Node>((c) => ({ c, label: texts.component(c), children: [] }))
  const parentOf = new Map<number, number>()
  for (const c of t.components) {
    if (c.within === null) continue
    const p = t.components.find(
      (x) =>
        x.baseId === c.within && (x.vm === null || x.vm === c.vm) && x.row === c.row && x.domain === c.domain,
    )
    if (p === undefined) continue
    parentOf.set(c.index, p.index)
    nodes[p.index].children.push(nodes[c.index])
  }
  const topLevel = nodes.filter((n) => !parentOf.has(n.c.index))

  // The row axis.
  const axisText = m.fontSize * 9
  const rowTexts = t.rows.map((row) => {
    const l = texts.row(row)
    return {
      label: wrapText(l.label, axisText, m.fontSize, 2),
      note: l.note === null ? [] : wrapText(l.note, axisText, m.smallFontSize, 2),
    }
  })
  const markerWidth = Math.ceil(textWidth(texts.marker, m.smallFontSize) + m.pad)
  const axisWidth = Math.ceil(
    markerWidth +
      Math.max(
        m.fontSize * 5,
        ...rowTexts.flatMap((r) => [
          ...r.label.map((x) => textWidth(x, m.fontSize)),
          ...r.note.map((x) => textWidth(x, m.smallFontSize)),
        ]),
      ) +
      2 * m.pad,
  )

  // Columns: one per domain except the hardware, which spans the width.
  const domains = t.domains.filter((d) => d.kind !== 'hardware')
  const cellNodes = (row: Row, column: string) =>
    topLevel.filter((n) => n.c.row === row && n.c.domain === column)
  const cellPref = (ns: Node[]) => ns.reduce((sum, n) => sum + prefWidth(s, n), 0) + m.gap * (ns.length + 1)
  const cellMin = (ns: Node[]) => Math.max(0, ...ns.map((n) => minWidth(s, n))) + 2 * m.gap
  const bodyRows = t.rows.filter((r) => r !== 'hw')
  const colText = domains.map((d) => texts.domain(d))
  const colMin = domains.map((d, i) =>
    Math.max(
      s.minText + 2 * m.pad,
      ...bodyRows.map((r) => cellMin(cellNodes(r, d.id))),
      ...colText[i].split(' ').map((w) => textWidth(w, m.fontSize) + 2 * m.pad),
    ),
  )
  const colPref = domains.map((d, i) =>
    Math.max(
      colMin[i],
      textWidth(colText[i], m.fontSize) + 2 * m.pad,
      ...bodyRows.map((r) => cellPref(cellNodes(r, d.id))),
    ),
  )
  const avail = Math.max(0, input.width - axisWidth)
  const sumMin = colMin.reduce((a, b) => a + b, 0)
  const sumPref = colPref.reduce((a, b) => a + b, 0)
  let colWidth: number[]
  if (sumPref <= avail) colWidth = colPref.map((p) => p + ((avail - sumPref) * p) / sumPref)
  else if (sumMin < avail)
    colWidth = colMin.map((mn, i) => mn + ((avail - sumMin) * (colPref[i] - mn)) / (sumPref - sumMin))
  else colWidth = colMin
  colWidth = colWidth.map((w) => Math.floor(w))
  if (colWidth.length > 0 && sumMin < avail)
    colWidth[colWidth.length - 1] += avail - colWidth.reduce((a, b) => a + b, 0)
  const bodyWidth = colWidth.reduce((a, b) => a + b, 0)
  const width = axisWidth + bodyWidth

  const colLabels = domains.map((_, i) => wrapText(colText[i], colWidth[i] - 2 * m.pad, m.fontSize, 2))
  const headerHeight = Math.max(1, ...colLabels.map((l) => l.length)) * s.lineHeight + m.pad

  // Size every cell at its column's width, and the hardware row at the full width.
  const cells = new Map<string, Flowed>()
  const cellKey = (row: Row, column: string) => `${row}|${column}`
  for (const row of t.rows) {
    const columns =
      row === 'hw'
        ? [{ id: 'hardware', width: bodyWidth }]
        : domains.map((d, i) => ({ id: d.id, width: colWidth[i] }))
    for (const col of columns) {
      const ns = row === 'hw' ? topLevel.filter((n) => n.c.row === 'hw') : cellNodes(row, col.id)
      if (ns.length === 0) continue
      const inner = col.width - 2 * m.gap
      cells.set(
        cellKey(row, col.id),
        flow(
          ns.map((n) => size(s, n, inner)),
          inner,
          m.gap,
        ),
      )
    }
  }

  // Row heights: natural, then stretched (at most 2.5×) to fill the height available.
  const natural = t.rows.map((row, i) =>
    Math.max(
      s.lineHeight + m.pad + 2 * m.gap,
      rowTexts[i].label.length * s.lineHeight + rowTexts[i].note.length * s.smallLineHeight + m.pad,
      ...[...cells.entries()].filter(([k]) => k.startsWith(`${row}|`)).map(([, f]) => f.height + 2 * m.gap),
    ),
  )
  const naturalTotal = headerHeight + natural.reduce((a, b) => a + b, 0)
  const spare = Math.max(0, input.height - naturalTotal)
  const rowHeights = natural.map((h) => Math.floor(h + Math.min(1.5 * h, spare / natural.length)))

  const rows: RowLayout[] = []
  let y = headerHeight
  t.rows.forEach((row, i) => {
    rows.push({ id: row, mode: rowMode(row), x: 0, y, width, height: rowHeights[i], ...rowTexts[i] })
    y += rowHeights[i]
  })
  const height = y
  const hwRow = rows.find((r) => r.id === 'hw')
  const columnsBottom = hwRow === undefined ? height : hwRow.y
  const columns: ColumnLayout[] = []
  let x = axisWidth
  domains.forEach((d, i) => {
    columns.push({
      id: d.id,
      domain: d,
      label: colLabels[i],
      x,
      y: 0,
      width: colWidth[i],
      height: columnsBottom,
    })
    x += colWidth[i]
  })

  const bands: BandLayout[] = []
  for (const r of rows) {
    const last = bands[bands.length - 1]
    if (last !== undefined && last.mode === r.mode)
      bands[bands.length - 1] = { ...last, height: last.height + r.height, rows: [...last.rows, r.id] }
    else bands.push({ mode: r.mode, rows: [r.id], x: 0, y: r.y, width, height: r.height })
  }

  // Absolute positions: each cell's content centred in its cell.
  const placed: ComponentLayout[] = new Array<ComponentLayout>(t.components.length)
  const place = (box: Sized, bx: number, by: number, column: string, parent: number | null) => {
    const c = t.components[box.index]
    placed[box.index] = {
      index: c.index,
      id: c.id,
      baseId: c.baseId,
      vm: c.vm,
      row: c.row,
      column,
      parent,
      children: box.children.map((k) => k.box.index),
      title: box.title,
      detail: box.detail,
      management: c.management,
      header: box.header,
      x: bx,
      y: by,
      width: box.width,
      height: box.height,
    }
    for (const k of box.children) place(k.box, bx + k.dx, by + k.dy, column, c.index)
  }
  for (const [key, f] of cells) {
    const [row, column] = key.split('|') as [Row, string]
    const cell = cellOf(rows, columns, axisWidth, width, row, column)
    const ox = cell.x + (cell.width - f.width) / 2
    const oy = cell.y + (cell.height - f.height) / 2
    for (const it of f.items) place(it.box, ox + it.dx, oy + it.dy, column, null)
  }

  const edges = t.edges.map<EdgeLayout>((e) => ({
    id: `${t.components[e.from].id}>${t.components[e.to].id}`,
    from: e.from,
    to: e.to,
    kind: e.kind,
    curve: route(placed[e.from], placed[e.to], m.gap),
  }))

  return {
    version: LAYOUT_VERSION,
    width,
    height,
    axisWidth,
    markerWidth,
    headerHeight,
    lineHeight: s.lineHeight,
    smallLineHeight: s.smallLineHeight,
    rows,
    columns,
    bands,
    components: placed,
    edges,
  }
}

function contains(outer: Rect, inner: Rect): boolean {
  return (
    inner.x >= outer.x &&
    inner.y >= outer.y &&
    inner.x + inner.width <= outer.x + outer.width &&
    inner.y + inner.height <= outer.y + outer.height
  )
}

/**
 * The curve an edge (or a flow hop) takes between two component boxes: from the side of `a` facing
 * `b` to the side of `b` facing `a`, vertical when the boxes are above one another, horizontal when
 * side by side, from a container's header into a box inside it. The two directions of a pair are
 * offset so that both stay visible.
 */
export function route(
  a: Rect & { readonly index: number },
  b: Rect & { readonly index: number },
  gap: number,
): Curve {
  const sign = a.index < b.index ? -1 : 1
  const ax = a.x + a.width / 2
  const bx = b.x + b.width / 2
  const ay = a.y + a.height / 2
  const by = b.y + b.height / 2
  const aInB = contains(b, a)
  const bInA = contains(a, b)
  if (aInB || bInA) {
    const inner = aInB ? a : b
    const ox = inner.x + inner.width / 2 + sign * Math.min(inner.width / 6, gap)
    const top = inner.y
    const p = { x: ox, y: top }
    const q = { x: ox, y: top - Math.max(gap, 6) }
    const [p0, p3] = aInB ? [p, q] : [q, p]
    return { p0, c1: p0, c2: p3, p3 }
  }
  const overlapY = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)
  if (overlapY > 0) {
    const dir = bx >= ax ? 1 : -1
    const off = sign * Math.min(Math.min(a.height, b.height) / 6, gap)
    const p0 = { x: dir > 0 ? a.x + a.width : a.x, y: ay + off }
    const p3 = { x: dir > 0 ? b.x : b.x + b.width, y: by + off }
    const dx = (p3.x - p0.x) / 2
    return { p0, c1: { x: p0.x + dx, y: p0.y }, c2: { x: p3.x - dx, y: p3.y }, p3 }
  }
  const dir = by >= ay ? 1 : -1
  const off = sign * Math.min(Math.min(a.width, b.width) / 6, gap)
  const p0 = { x: ax + off, y: dir > 0 ? a.y + a.height : a.y }
  const p3 = { x: bx + off, y: dir > 0 ? b.y : b.y + b.height }
  const dy = (p3.y - p0.y) / 2
  return { p0, c1: { x: p0.x, y: p0.y + dy }, c2: { x: p3.x, y: p3.y - dy }, p3 }
}

/** The point at parameter `t` (0–1) of a curve. */
export function pointOnCurve(c: Curve, t: number): Point {
  const u = 1 - t
  const a = u * u * u
  const b = 3 * u * u * t
  const d = 3 * u * t * t
  const e = t * t * t
  return {
    x: a * c.p0.x + b * c.c1.x + d * c.c2.x + e * c.p3.x,
    y: a * c.p0.y + b * c.c1.y + d * c.c2.y + e * c.p3.y,
  }
}

/** SVG path data of a curve. */
export function curvePath(c: Curve): string {
  const f = (p: Point) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`
  return `M${f(c.p0)} C${f(c.c1)} ${f(c.c2)} ${f(c.p3)}`
}
