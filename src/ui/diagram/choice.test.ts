import { describe, expect, it } from 'vitest'
import { createAppStore, selectDiagram } from '../../state/app-store'
import { DEFAULT_DIAGRAM, SETTINGS_KEY, parseSettings, type KeyValueStorage } from '../../state/settings'

class MemoryStorage implements KeyValueStorage {
  readonly map = new Map<string, string>()
  getItem(key: string): string | null {
    return this.map.get(key) ?? null
  }
  setItem(key: string, value: string): void {
    this.map.set(key, value)
  }
}

describe('the diagram choice in the settings', () => {
  it('survives a reload: architecture and VM count are saved and read back', () => {
    const storage = new MemoryStorage()
    const first = createAppStore({ language: 'en', theme: 'light' }, storage)
    expect(selectDiagram(first.getState())).toEqual(DEFAULT_DIAGRAM)
    first.getState().setDiagram({ arch: 'xen-hvm' })
    first.getState().setDiagram({ vms: 3 })
    const reloaded = createAppStore({ language: 'en', theme: 'light' }, storage)
    expect(selectDiagram(reloaded.getState())).toEqual({ arch: 'xen-hvm', vms: 3 })
  })

  it('keeps valid parts of stored data and defaults the rest', () => {
    const parse = (diagram: unknown) => parseSettings(JSON.stringify({ diagram })).diagram
    expect(parse({ arch: 'esxi', vms: 2 })).toEqual({ arch: 'esxi', vms: 2 })
    expect(parse({ arch: 'vax', vms: 2 })).toEqual({ arch: DEFAULT_DIAGRAM.arch, vms: 2 })
    expect(parse({ arch: 'hyperv', vms: 99 })).toEqual({ arch: 'hyperv', vms: DEFAULT_DIAGRAM.vms })
    expect(parse({ arch: 'hyperv', vms: 1.5 })).toEqual({ arch: 'hyperv', vms: DEFAULT_DIAGRAM.vms })
    expect(parse({ arch: '__proto__' })).toEqual(DEFAULT_DIAGRAM)
    expect(parse('kvm')).toBeUndefined()
    expect(parseSettings(null).diagram).toBeUndefined()
    expect(SETTINGS_KEY).toMatch(/^ringside\./)
  })
})
