import { describe, expect, it } from 'vitest'
import { ARCH_IDS, TOPOLOGIES, type ArchId } from '../../engine/hv/architectures'
import { instantiateTopology } from '../../engine/hv/topology'
import { architecturesEn } from '../../i18n/locales/architectures.en'
import { architecturesZhCN } from '../../i18n/locales/architectures.zh-CN'
import {
  cellRect,
  layoutDiagram,
  pointOnCurve,
  type DiagramLayout,
  type LayoutMetrics,
  type Rect,
} from './layout'
import { textWidth, wrapText } from './text-metrics'
import { DiagramTexts } from './texts'

const DEFAULT: LayoutMetrics = { fontSize: 15, smallFontSize: 13, gap: 8, pad: 8 }
const PROJECTOR: LayoutMetrics = { fontSize: 20, smallFontSize: 18, gap: 8, pad: 8 }

function layout(
  arch: ArchId,
  vms: number,
  width: number,
  height = 400,
  lang: 'en' | 'zh' = 'en',
  metrics = DEFAULT,
) {
  const topology = instantiateTopology(TOPOLOGIES[arch], vms)
  const texts = new DiagramTexts(lang === 'en' ? architecturesEn : architecturesZhCN, arch, topology)
  return { topology, l: layoutDiagram({ topology, texts: texts.layoutTexts(), metrics, width, height }) }
}

const inside = (outer: Rect, inner: Rect, eps = 0.01) =>
  inner.x >= outer.x - eps &&
  inner.y >= outer.y - eps &&
  inner.x + inner.width <= outer.x + outer.width + eps &&
  inner.y + inner.height <= outer.y + outer.height + eps

const overlap = (a: Rect, b: Rect) =>
  Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x) > 0.01 &&
  Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y) > 0.01

function checkInvariants(arch: ArchId, vms: number, l: DiagramLayout, metrics: LayoutMetrics) {
  const t = instantiateTopology(TOPOLOGIES[arch], vms)
  // Stable ids: one box per component instance, at its index, with the topology's instance id.
  expect(l.components.map((c) => c.id)).toEqual(t.components.map((c) => c.id))
  expect(l.edges.map((e) => e.id)).toEqual(
    t.edges.map((e) => `${t.components[e.from].id}>${t.components[e.to].id}`),
  )
  expect(new Set(l.edges.map((e) => e.id)).size).toBe(l.edges.length)

  // Rows in the topology's order, stacked without gaps; columns are the non-hardware domains, side by side.
  expect(l.rows.map((r) => r.id)).toEqual(t.rows)
  let y = l.headerHeight
  for (const r of l.rows) {
    expect(r.y).toBeCloseTo(y)
    y += r.height
  }
  expect(y).toBeCloseTo(l.height)
  expect(l.columns.map((c) => c.id)).toEqual(t.domains.filter((d) => d.kind !== 'hardware').map((d) => d.id))
  let x = l.axisWidth
  for (const c of l.columns) {
    expect(c.x).toBeCloseTo(x)
    x += c.width
  }
  expect(x).toBeLessThanOrEqual(l.width + 0.01)

  const whole = { x: 0, y: 0, width: l.width, height: l.height }
  for (const c of l.components) {
    const inst = t.components[c.index]
    expect(inside(whole, c), `${c.id} inside the diagram`).toBe(true)
    expect(c.width).toBeGreaterThan(0)
    expect(c.height).toBeGreaterThan(0)
    // In its own row and column (the hardware spans the width) …
    expect(c.column).toBe(inst.row === 'hw' ? 'hardware' : inst.domain)
    expect(inside(cellRect(l, inst.row, c.column), c), `${arch}/${vms}: ${c.id} inside its cell`).toBe(true)
    // … and inside the component it runs within.
    if (c.parent !== null) {
      const p = l.components[c.parent]
      expect(t.components[c.parent].baseId).toBe(inst.within)
      expect(inside(p, c), `${c.id} inside ${p.id}`).toBe(true)
      expect(c.y).toBeGreaterThanOrEqual(p.y + p.header - 0.01)
    }
    // Text fits the box (by the same estimate the layout used).
    for (const line of c.title)
      expect(textWidth(line, metrics.fontSize)).toBeLessThanOrEqual(c.width - 2 * metrics.pad + 0.01)
    for (const line of c.detail)
      expect(textWidth(line, metrics.smallFontSize)).toBeLessThanOrEqual(c.width - 2 * metrics.pad + 0.01)
  }
  // No overlaps between siblings (top-level boxes, or the boxes inside one container).
  for (const a of l.components)
    for (const b of l.components)
      if (a.index < b.index && a.parent === b.parent)
        expect(overlap(a, b), `${arch}/${vms}: ${a.id} overlaps ${b.id}`).toBe(false)

  // Bands: the non-root band is exactly the VMX non-root rows.
  const nr = l.bands.filter((b) => b.mode === 'nonroot').flatMap((b) => b.rows)
  expect(nr).toEqual(t.rows.filter((r) => r.startsWith('nr-')))

  // Edges run from one box to the other.
  const near = (r: Rect, p: { x: number; y: number }) =>
    inside(
      {
        x: r.x - metrics.gap - 1,
        y: r.y - metrics.gap - 1,
        width: r.width + 2 * metrics.gap + 2,
        height: r.height + 2 * metrics.gap + 2,
      },
      { ...p, width: 0, height: 0 },
    )
  for (const e of l.edges) {
    expect(near(l.components[e.from], pointOnCurve(e.curve, 0)), `${e.id} starts at its source`).toBe(true)
    expect(near(l.components[e.to], pointOnCurve(e.curve, 1)), `${e.id} ends at its target`).toBe(true)
  }
}

describe('diagram layout', () => {
  for (const arch of ARCH_IDS)
    for (const vms of [1, 2, 3])
      it(`${arch} with ${vms} VM(s): every component in its cell, no overlaps, stable ids`, () => {
        for (const width of [320, 900, 1800])
          for (const lang of ['en', 'zh'] as const)
            for (const metrics of [DEFAULT, PROJECTOR]) {
              const { l } = layout(arch, vms, width, 400, lang, metrics)
              checkInvariants(arch, vms, l, metrics)
            }
      })

  it('is a pure function of its input', () => {
    expect(layout('xen-hvm', 2, 900).l).toEqual(layout('xen-hvm', 2, 900).l)
  })

  it('fills the width available and grows past it only when the content cannot fit', () => {
    expect(layout('kvm', 1, 1400).l.width).toBe(1400)
    const narrow = layout('kvm', 3, 200).l
    expect(narrow.width).toBeGreaterThan(200)
    // Three VMs fit a 1280×720 screen's diagram panel without scrolling sideways.
    expect(layout('kvm', 3, 880).l.width).toBeLessThanOrEqual(880)
    expect(layout('xen-hvm', 3, 880).l.width).toBeLessThanOrEqual(880)
  })

  it('stretches rows into the height available, within bounds', () => {
    const short = layout('bare', 1, 900, 100).l
    const tall = layout('bare', 1, 900, 600).l
    expect(tall.height).toBeGreaterThan(short.height)
    expect(tall.height).toBeLessThanOrEqual(600)
  })

  it('draws kvm.ko inside the host kernel in the ring −1 row, labelled VMX root', () => {
    const { l } = layout('kvm', 2, 900)
    const kvm = l.components.find((c) => c.id === 'kvm')
    const host = l.components.find((c) => c.id === 'host-kernel')
    expect(kvm?.parent).toBe(host?.index)
    expect(kvm?.row).toBe('root-r0')
    const row = l.rows.find((r) => r.id === 'root-r0')
    expect(row?.label).toEqual(['Ring −1'])
    expect(row?.note).toEqual(['VMX root'])
    // vhost is per VM, inside the shared host kernel, and says which VM it serves.
    const vhost2 = l.components.find((c) => c.id === 'vhost@2')
    expect(vhost2?.parent).toBe(host?.index)
    expect(vhost2?.detail).toEqual(['VM 2'])
  })

  it('puts hostd in the VMkernel column with the management mark, and the Hyper-V root kernel in a non-root row', () => {
    const esxi = layout('esxi', 1, 900).l
    const hostd = esxi.components.find((c) => c.id === 'hostd')
    expect(hostd?.column).toBe('vmkernel')
    expect(hostd?.detail).toEqual(['▣ management'])
    const zh = layout('esxi', 1, 900, 400, 'zh').l
    expect(zh.components.find((c) => c.id === 'hostd')?.detail).toEqual(['▣ 管理平面'])
    const hv = layout('hyperv', 2, 900).l
    const root = hv.components.find((c) => c.id === 'root-kernel')
    expect(root?.column).toBe('root')
    expect(hv.rows.find((r) => r.id === root?.row)?.mode).toBe('nonroot')
    expect(hv.columns.map((c) => c.label.join(' '))).toEqual([
      'Hypervisor',
      'Root partition',
      'Child partition 1',
      'Child partition 2',
    ])
  })

  it('has no VMX rows for containers: one kernel, no ring −1', () => {
    const { l } = layout('container', 2, 900)
    expect(l.rows.map((r) => r.id)).toEqual(['r3', 'r0', 'hw'])
    expect(l.bands.map((b) => b.mode)).toEqual(['off', 'hw'])
  })
})

describe('text wrapping', () => {
  it('breaks between words, between CJK characters, and inside a word only when it must', () => {
    expect(wrapText('kvm.ko + kvm-intel', textWidth('kvm-intel', 15), 15)).toEqual(['kvm.ko +', 'kvm-intel'])
    const zh = wrapText('客户机用户程序', textWidth('客户机', 15), 15)
    expect(zh).toEqual(['客户机', '用户程', '序'])
    for (const line of wrapText('supercalifragilistic', 60, 15))
      expect(textWidth(line, 15)).toBeLessThanOrEqual(60)
  })

  it('cuts with an ellipsis past the line limit', () => {
    const lines = wrapText('one two three four five six', textWidth('three', 15), 15, 2)
    expect(lines).toHaveLength(2)
    expect(lines[1].endsWith('…')).toBe(true)
  })
})
