import { describe, expect, it } from 'vitest'
import { InProcessClient } from '../../client/in-process-client'
import { createAppStore, selectLanguage, selectTheme } from '../../state/app-store'
import { createSessionStore } from '../../state/session-store'
import { DEFAULT_PANELS } from '../../state/settings'
import { ACTIONS, registry } from './actions'
import {
  ActionRegistry,
  matchesChord,
  parseChord,
  type ActionContext,
  type KeyInput,
  type RegionId,
} from './registry'

const key = (k: Partial<KeyInput>): KeyInput => ({
  key: '',
  code: '',
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  ...k,
})

function context() {
  const focused: RegionId[] = []
  const ctx: ActionContext = {
    app: createAppStore({ language: 'zh-CN', theme: 'light' }, null),
    session: createSessionStore(new InProcessClient()),
    focusRegion: (r) => focused.push(r),
  }
  return { ctx, focused }
}

describe('key bindings', () => {
  it('match letters and digits by physical key, whatever the layout makes of them', () => {
    const chord = parseChord('Alt+Shift+L')
    expect(matchesChord(chord, key({ key: 'Ò', code: 'KeyL', altKey: true, shiftKey: true }))).toBe(true)
    expect(matchesChord(chord, key({ key: 'l', code: 'KeyL', altKey: true }))).toBe(false)
    expect(
      matchesChord(
        parseChord('Alt+Shift+1'),
        key({ key: '!', code: 'Digit1', altKey: true, shiftKey: true }),
      ),
    ).toBe(true)
  })

  it('match other keys by character, with Shift implied by it', () => {
    expect(matchesChord(parseChord('?'), key({ key: '?', code: 'Slash', shiftKey: true }))).toBe(true)
    expect(
      matchesChord(parseChord('?'), key({ key: '?', code: 'Slash', shiftKey: true, ctrlKey: true })),
    ).toBe(false)
  })

  it('refuse a key bound twice and unknown modifiers', () => {
    const a = { id: 'a', label: 'actions.aboutOpen', keys: ['Alt+X'], perform: () => {} } as const
    expect(() => new ActionRegistry([a, { ...a, id: 'b' }])).toThrow(/bound twice/)
    expect(() => parseChord('Hyper+X')).toThrow(/unknown modifier/)
  })

  it('every bound key of the application reaches its action', () => {
    for (const a of ACTIONS)
      for (const k of a.keys ?? []) {
        const c = parseChord(k)
        const letter = /^[A-Z]$/.test(c.key) ? `Key${c.key}` : /^[0-9]$/.test(c.key) ? `Digit${c.key}` : ''
        const found = registry.forKey(
          key({
            key: c.key,
            code: letter,
            altKey: c.alt,
            ctrlKey: c.ctrl,
            metaKey: c.meta,
            shiftKey: c.shift,
          }),
        )
        expect(found?.id, k).toBe(a.id)
      }
  })
})

describe('actions', () => {
  it('switch language and theme in both directions', () => {
    const { ctx } = context()
    registry.perform('language.toggle', ctx)
    expect(selectLanguage(ctx.app.getState())).toBe('en')
    registry.perform('language.toggle', ctx)
    expect(selectLanguage(ctx.app.getState())).toBe('zh-CN')
    const seen = [1, 2, 3].map(() => {
      registry.perform('theme.cycle', ctx)
      return selectTheme(ctx.app.getState())
    })
    expect(seen).toEqual(['dark', 'projector', 'light'])
    registry.perform('theme.projector', ctx)
    expect(selectTheme(ctx.app.getState())).toBe('projector')
  })

  it('open the About panel, reset the layout and move focus to regions', () => {
    const { ctx, focused } = context()
    registry.perform('about.open', ctx)
    expect(ctx.app.getState().aboutOpen).toBe(true)
    ctx.app.getState().setPanel('bottom', 0.6)
    registry.perform('layout.reset', ctx)
    expect(ctx.app.getState().settings.panels.bottom).toBe(DEFAULT_PANELS.bottom)
    registry.perform('focus.inspector', ctx)
    expect(focused).toEqual(['inspector'])
  })

  it('restart the engine', async () => {
    const { ctx } = context()
    await registry.perform('engine.restart', ctx)
    expect(ctx.session.getState().engine.status).toBe('ready')
    ctx.session.client.dispose()
  })
})
