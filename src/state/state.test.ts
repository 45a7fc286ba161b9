import { afterEach, describe, expect, it } from 'vitest'
import { InProcessClient } from '../client/in-process-client'
import { ENGINE_VERSION } from '../engine/version'
import { createAppStore, selectLanguage, selectTheme } from './app-store'
import { createSessionStore, type SessionStore } from './session-store'
import { DEFAULT_PANELS, SETTINGS_KEY, parseSettings, type KeyValueStorage } from './settings'

class MemoryStorage implements KeyValueStorage {
  readonly data = new Map<string, string>()
  getItem(key: string) {
    return this.data.get(key) ?? null
  }
  setItem(key: string, value: string) {
    this.data.set(key, value)
  }
}

describe('settings', () => {
  it('keeps valid fields of stored data and defaults the rest', () => {
    expect(
      parseSettings('{"language":"en","theme":"neon","panels":{"inspector":0.4,"bottom":"big"}}'),
    ).toEqual({
      language: 'en',
      theme: null,
      panels: { ...DEFAULT_PANELS, inspector: 0.4 },
    })
    expect(parseSettings('not json')).toEqual(parseSettings(null))
    expect(parseSettings('[1,2]').language).toBeNull()
    expect(parseSettings(JSON.stringify({ language: 'en', pad: 'x'.repeat(20_000) })).language).toBeNull()
  })

  it('clamps panel sizes to their limits', () => {
    const s = parseSettings('{"panels":{"inspector":5,"bottom":-1,"consoles":0.5}}')
    expect(s.panels).toEqual({ inspector: 0.6, bottom: 0.15, consoles: 0.5 })
  })
})

describe('app store', () => {
  const browser = { language: 'zh-CN', theme: 'dark' } as const

  it('follows the browser until the user chooses, then persists the choice across reloads', () => {
    const storage = new MemoryStorage()
    const first = createAppStore(browser, storage)
    expect(selectLanguage(first.getState())).toBe('zh-CN')
    expect(selectTheme(first.getState())).toBe('dark')
    first.getState().setLanguage('en')
    first.getState().setTheme('projector')
    first.getState().setPanel('inspector', 0.45)
    const reloaded = createAppStore(browser, storage)
    expect(selectLanguage(reloaded.getState())).toBe('en')
    expect(selectTheme(reloaded.getState())).toBe('projector')
    expect(reloaded.getState().settings.panels.inspector).toBe(0.45)
    expect(JSON.parse(storage.data.get(SETTINGS_KEY) ?? '{}')).toMatchObject({
      language: 'en',
      theme: 'projector',
    })
  })

  it('survives a storage that throws', () => {
    const broken: KeyValueStorage = {
      getItem: () => {
        throw new Error('SecurityError')
      },
      setItem: () => {
        throw new Error('QuotaExceededError')
      },
    }
    const store = createAppStore(browser, broken)
    store.getState().setLanguage('en')
    expect(selectLanguage(store.getState())).toBe('en')
  })
})

describe('session store over the in-process engine', () => {
  const stores: SessionStore[] = []
  afterEach(() => {
    for (const s of stores.splice(0)) {
      s.dispose()
      s.client.dispose()
    }
  })

  function open() {
    const frames: Array<() => void> = []
    const store = createSessionStore(new InProcessClient(1024), { schedule: (cb) => frames.push(cb) })
    stores.push(store)
    const runFrames = () => frames.splice(0).forEach((f) => f())
    return { store, runFrames }
  }

  it('connects and shows the engine version', async () => {
    const { store } = open()
    expect(store.getState().engine.status).toBe('idle')
    await store.getState().connect()
    expect(store.getState().engine.status).toBe('ready')
    expect(store.getState().engine.hello?.engineVersion).toBe(ENGINE_VERSION)
    await store.getState().ping()
    expect(store.getState().engine.pingMs).toBeGreaterThanOrEqual(0)
  })

  it('counts a synthetic run and publishes the figures through subscribe, once per frame', async () => {
    const { store, runFrames } = open()
    await store.getState().connect()
    const published: number[] = []
    store.subscribe((s, prev) => s.stream !== prev.stream && published.push(s.stream.received))
    const outcome = await store.getState().runSynth(20_000, 'lossless')
    expect(outcome).toMatchObject({ requested: 20_000, received: 20_000, dropped: 0, seqErrors: 0 })
    expect(published).toEqual([])
    runFrames()
    expect(published).toEqual([20_000])
    expect(store.getState().synth).toMatchObject({ running: false, outcome: { received: 20_000 } })
  })

  it('shows an engine exception as an error and keeps the engine running', async () => {
    const { store } = open()
    await store.getState().connect()
    await store.getState().fault('throw')
    expect(store.getState().engine.error).toMatchObject({ code: 'engine', command: 'fault' })
    expect(store.getState().engine.status).toBe('ready')
    store.getState().dismissError()
    expect(store.getState().engine.error).toBeNull()
  })

  it('shows a crash and recovers on restart with a fresh stream', async () => {
    const { store, runFrames } = open()
    await store.getState().connect()
    await store.getState().runSynth(100, 'lossless')
    runFrames()
    await store.getState().fault('crash')
    await expect.poll(() => store.getState().engine.status).toBe('failed')
    expect(store.getState().engine.error?.code).toBe('crashed')
    await store.getState().restart()
    expect(store.getState().engine).toMatchObject({ status: 'ready', error: null })
    expect(store.getState().stream.received).toBe(0)
    const again = await store.getState().runSynth(100, 'lossless')
    expect(again).toMatchObject({ received: 100, seqErrors: 0 })
  })

  it('a restart in the middle of a command shows no error and leaves a working engine', async () => {
    const { store } = open()
    await store.getState().connect()
    const running = store.getState().runSynth(50_000_000, 'lossless')
    await store.getState().restart()
    expect(await running).toBeNull()
    expect(store.getState().engine).toMatchObject({ status: 'ready', error: null })
    expect(store.getState().synth.running).toBe(false)
    expect(await store.getState().runSynth(100, 'lossless')).toMatchObject({ received: 100 })
  })
})
