import { describe, expect, it } from 'vitest'
import { liveExtrasMessages } from './live-extras'

function leaves(obj: object, prefix = ''): [string, string][] {
  return Object.entries(obj).flatMap(([k, v]): [string, string][] =>
    typeof v === 'string' ? [[`${prefix}${k}`, v]] : leaves(v as object, `${prefix}${k}.`),
  )
}

describe('live view extra texts', () => {
  it('have the same keys and placeholders in zh-CN and en, none empty', () => {
    const zh = new Map(leaves(liveExtrasMessages('zh-CN')))
    const en = new Map(leaves(liveExtrasMessages('en')))
    expect([...en.keys()].sort()).toEqual([...zh.keys()].sort())
    const vars = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort()
    for (const [k, v] of zh) {
      expect(v.trim(), `zh-CN ${k}`).not.toBe('')
      expect(en.get(k)!.trim(), `en ${k}`).not.toBe('')
      expect(vars(en.get(k)!), k).toEqual(vars(v))
    }
  })

  it('use the glossary terms in Chinese', () => {
    const zh = JSON.stringify(liveExtrasMessages('zh-CN'))
    for (const term of ['超级调用', '敏感指令', '陷入', '陷入与模拟', '特权指令', '二进制翻译'])
      expect(zh).toContain(term)
  })
})
