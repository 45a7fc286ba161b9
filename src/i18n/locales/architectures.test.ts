import { describe, expect, it } from 'vitest'
import { ARCH_IDS, TOPOLOGIES } from '../../engine/hv/architectures'
import { isSourceId } from '../../engine/hv/sources'
import { architecturesEn } from './architectures.en'
import { EDGE_SOURCES } from './architectures.edges'
import { architecturesZhCN } from './architectures.zh-CN'

function keys(obj: object, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) =>
    typeof v === 'string' ? [`${prefix}${k}`] : keys(v as object, `${prefix}${k}.`),
  )
}

describe('architecture texts', () => {
  it('have the same keys in zh-CN and en, none empty', () => {
    expect(keys(architecturesEn).sort()).toEqual(keys(architecturesZhCN).sort())
    for (const [locale, texts] of [
      ['en', architecturesEn],
      ['zh-CN', architecturesZhCN],
    ] as const) {
      for (const k of keys(texts)) {
        const v = k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], texts)
        expect(typeof v === 'string' && v.trim().length > 0, `${locale} ${k}`).toBe(true)
      }
    }
  })

  it.each(ARCH_IDS)(
    'cover every component, domain and row of %s, and say why control reaches each non-hardware component',
    (arch) => {
      const spec = TOPOLOGIES[arch]
      for (const texts of [architecturesEn, architecturesZhCN]) {
        expect(texts.names[arch]).toBeTruthy()
        expect(texts.summaries[arch]).toBeTruthy()
        for (const d of spec.domains)
          expect(texts.domains[d.id as keyof typeof texts.domains], d.id).toBeTruthy()
        for (const c of spec.components) {
          expect(texts.components[c.id as keyof typeof texts.components], c.id).toBeTruthy()
          expect(texts.rows[c.row], c.row).toBeTruthy()
          if (c.kind !== 'hardware') {
            const why = texts.why[arch] as Record<string, string>
            expect(why[c.id], `${arch}: why ${c.id}`).toBeTruthy()
          }
        }
        for (const e of spec.edges) expect(texts.edgeKinds[e.kind]).toMatch(/\{\{from\}\}.*\{\{to\}\}/)
      }
    },
  )

  it('use the glossary terms in Chinese', () => {
    const zh = JSON.stringify(architecturesZhCN)
    for (const term of [
      '虚拟机退出',
      '超级调用',
      '根模式',
      '非根模式',
      '特权域',
      '前端驱动',
      '后端驱动',
      '事件通道',
      '授权',
      '影子页表',
      '二进制翻译',
      '陷入与模拟',
      '根分区',
      '子分区',
      '命名空间',
      '控制组',
    ]) {
      expect(zh).toContain(term)
    }
  })

  it.each(ARCH_IDS)('give every edge of %s its own text in both languages, with known sources', (arch) => {
    const edges = TOPOLOGIES[arch].edges.map((e) => `${e.from}>${e.to}`)
    const sources: Readonly<Record<string, readonly string[]>> = EDGE_SOURCES[arch]
    // No edge without a text, and no text for an edge the topology no longer has.
    expect(Object.keys(sources).sort()).toEqual([...edges].sort())
    for (const texts of [architecturesEn, architecturesZhCN])
      expect(Object.keys(texts.edges[arch]).sort()).toEqual([...edges].sort())
    const en: Readonly<Record<string, string>> = architecturesEn.edges[arch]
    const zh: Readonly<Record<string, string>> = architecturesZhCN.edges[arch]
    for (const edge of edges) {
      expect(sources[edge]!.length, `${arch} ${edge}: sources`).toBeGreaterThan(0)
      for (const s of sources[edge]!) expect(isSourceId(s), `${arch} ${edge}: source ${s}`).toBe(true)
      // The generic kind template is not an edge's own text.
      expect(en[edge], `${arch} ${edge}`).not.toMatch(/\{\{/)
      expect(zh[edge], `${arch} ${edge}`).not.toMatch(/\{\{/)
    }
  })

  it.each(ARCH_IDS)(
    'say in both languages which edges of %s are modelling choices or not drawn, and cite the model for them',
    (arch) => {
      const en: Readonly<Record<string, string>> = architecturesEn.edges[arch]
      const zh: Readonly<Record<string, string>> = architecturesZhCN.edges[arch]
      const sources: Readonly<Record<string, readonly string[]>> = EDGE_SOURCES[arch]
      const marks = [
        ['modelling choice', '建模选择'],
        ["Not used by Ringside's model", 'Ringside 的模型不使用这条边'],
        ["not drawn by Ringside's model", 'Ringside 的模型不画出这一步'],
      ] as const
      for (const edge of Object.keys(sources)) {
        const said = marks.filter(([m]) => en[edge]!.toLowerCase().includes(m.toLowerCase()))
        for (const [m, z] of marks)
          expect(zh[edge]!.includes(z), `${arch} ${edge}: "${m}" in en ⇔ "${z}" in zh-CN`).toBe(
            said.some(([x]) => x === m),
          )
        expect(sources[edge]!.includes('ringside-model'), `${arch} ${edge}: cites ringside-model`).toBe(
          said.length > 0,
        )
      }
    },
  )
})
