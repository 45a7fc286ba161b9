import { describe, expect, it } from 'vitest'
import { ARCH_IDS, TOPOLOGIES } from '../../engine/hv/architectures'
import { architecturesEn } from './architectures.en'
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
})
