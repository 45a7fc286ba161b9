import { describe, expect, it } from 'vitest'
import { EVENT_KIND_NAMES, FLOW_KIND_NAMES } from '../../engine/trace/schema'
import { inspectorEn } from './inspector.en'
import { inspectorZhCN } from './inspector.zh-CN'

function leaves(obj: object, prefix = ''): [string, string][] {
  return Object.entries(obj).flatMap(([k, v]): [string, string][] =>
    typeof v === 'string' ? [[`${prefix}${k}`, v]] : leaves(v as object, `${prefix}${k}.`),
  )
}

describe('inspector, timeline and counter texts', () => {
  it('have the same keys and placeholders in zh-CN and en, none empty', () => {
    const zh = new Map(leaves(inspectorZhCN))
    const en = new Map(leaves(inspectorEn))
    expect([...en.keys()].sort()).toEqual([...zh.keys()].sort())
    const vars = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort()
    for (const [k, v] of zh) {
      expect(v.trim(), `zh-CN ${k}`).not.toBe('')
      expect(en.get(k)!.trim(), `en ${k}`).not.toBe('')
      expect(vars(en.get(k)!), k).toEqual(vars(v))
    }
  })

  it('name every event kind and flow kind of the trace schema', () => {
    for (const texts of [inspectorZhCN, inspectorEn]) {
      for (const id of Object.values(EVENT_KIND_NAMES)) expect(texts.timeline.kinds, id).toHaveProperty(id)
      for (const id of Object.values(FLOW_KIND_NAMES)) expect(texts.timeline.flowKinds, id).toHaveProperty(id)
    }
  })

  it('use the glossary terms in Chinese', () => {
    const zh = JSON.stringify(inspectorZhCN)
    for (const term of [
      '虚拟机退出',
      '退出原因',
      '超级调用',
      '根模式',
      '非根模式',
      '扩展页表',
      '两级地址转换',
      '系统调用',
      '中断注入',
      '影子页表',
    ])
      expect(zh).toContain(term)
  })
})
