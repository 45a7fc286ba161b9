import { describe, expect, it } from 'vitest'
import { createI18n, detectLanguage } from './i18n'
import { en } from './locales/en'
import { zhCN } from './locales/zh-CN'

/** Dotted key → message. */
function flatten(obj: object, prefix = ''): Map<string, string> {
  return new Map(
    Object.entries(obj).flatMap(([k, v]): Array<[string, string]> =>
      typeof v === 'string' ? [[prefix + k, v]] : [...flatten(v as object, `${prefix}${k}.`)],
    ),
  )
}

const placeholders = (m: string) => [...m.matchAll(/\{\{(\w+)\}\}/g)].map((x) => x[1]).sort()
const cjk = /[\u4e00-\u9fff]/

describe('locales', () => {
  const zh = flatten(zhCN)
  const english = flatten(en)

  it('zh-CN and en have exactly the same keys', () => {
    expect([...english.keys()].sort()).toEqual([...zh.keys()].sort())
  })

  it('every message is non-empty, uses the source placeholders, and is in its language', () => {
    for (const [key, source] of zh) {
      const translated = english.get(key) ?? ''
      expect(source, key).not.toBe('')
      expect(translated, key).not.toBe('')
      expect(placeholders(translated), key).toEqual(placeholders(source))
      expect(cjk.test(translated), `${key} is English`).toBe(false)
      // A source message without Chinese text is a name (Ringside), shared by both languages.
      expect(cjk.test(source) || translated === source, `${key} is Chinese`).toBe(true)
    }
  })
})

describe('language', () => {
  it('follows the first Chinese or English entry of the browser list', () => {
    expect(detectLanguage(['zh-TW', 'en'])).toBe('zh-CN')
    expect(detectLanguage(['fr-FR', 'en-GB', 'zh-CN'])).toBe('en')
    expect(detectLanguage(['ja'])).toBe('en')
    expect(detectLanguage([])).toBe('en')
  })

  it('interpolates in both languages', () => {
    expect(createI18n('zh-CN').t('engine.version', { version: '0.1.0' })).toBe('引擎 0.1.0')
    expect(createI18n('en').t('engine.version', { version: '0.1.0' })).toBe('Engine 0.1.0')
  })
})
