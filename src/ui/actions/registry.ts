import type { MessageKey } from '../../i18n/messages'
import type { AppStore } from '../../state/app-store'
import type { SessionStore } from '../../state/session-store'

export const REGIONS = ['diagram', 'consoles', 'inspector', 'timeline'] as const
export type RegionId = (typeof REGIONS)[number]

/** What an action may touch. */
export interface ActionContext {
  readonly app: AppStore
  readonly session: SessionStore
  focusRegion(region: RegionId): void
}

/**
 * One thing a user can do, used alike by the toolbar, menus, key bindings and tests (DESIGN §7).
 * Key bindings are written `Alt+Shift+L`: modifiers, then a letter, a digit or a key name
 * (KeyboardEvent.key, e.g. `?`, `F2`).
 */
export interface Action {
  readonly id: string
  readonly label: MessageKey
  readonly keys?: readonly string[]
  perform(ctx: ActionContext): void | Promise<void>
}

interface Chord {
  readonly alt: boolean
  readonly ctrl: boolean
  readonly meta: boolean
  readonly shift: boolean
  readonly key: string
}

const MODIFIERS = new Set(['Alt', 'Ctrl', 'Meta', 'Shift'])

export function parseChord(binding: string): Chord {
  const parts = binding.split('+')
  const key = parts.pop() ?? ''
  for (const m of parts)
    if (!MODIFIERS.has(m)) throw new Error(`key binding ${binding}: unknown modifier ${m}`)
  if (key === '') throw new Error(`key binding ${binding}: no key`)
  return {
    alt: parts.includes('Alt'),
    ctrl: parts.includes('Ctrl'),
    meta: parts.includes('Meta'),
    shift: parts.includes('Shift'),
    key,
  }
}

/** The parts of a KeyboardEvent a binding is matched against. */
export type KeyInput = Pick<KeyboardEvent, 'key' | 'code' | 'altKey' | 'ctrlKey' | 'metaKey' | 'shiftKey'>

/**
 * Letters and digits match the physical key (KeyboardEvent.code), so `Alt+Shift+L` works whatever
 * Alt and Shift do to the character on the user's layout. Other keys match the character, and Shift
 * is then part of the character (`?` is Shift+/ on a US layout and needs no `Shift+`).
 */
export function matchesChord(chord: Chord, e: KeyInput): boolean {
  if (chord.alt !== e.altKey || chord.ctrl !== e.ctrlKey || chord.meta !== e.metaKey) return false
  if (/^[A-Z]$/.test(chord.key)) return chord.shift === e.shiftKey && e.code === `Key${chord.key}`
  if (/^[0-9]$/.test(chord.key)) return chord.shift === e.shiftKey && e.code === `Digit${chord.key}`
  return e.key === chord.key && (!chord.shift || e.shiftKey)
}

export class ActionRegistry {
  private readonly byId = new Map<string, Action>()
  private readonly bindings: Array<{ chord: Chord; action: Action }> = []

  constructor(readonly actions: readonly Action[]) {
    for (const a of actions) {
      if (this.byId.has(a.id)) throw new Error(`duplicate action ${a.id}`)
      this.byId.set(a.id, a)
      for (const k of a.keys ?? []) {
        const chord = parseChord(k)
        if (this.bindings.some((b) => JSON.stringify(b.chord) === JSON.stringify(chord)))
          throw new Error(`key ${k} bound twice`)
        this.bindings.push({ chord, action: a })
      }
    }
  }

  get(id: string): Action {
    const a = this.byId.get(id)
    if (!a) throw new Error(`no action ${id}`)
    return a
  }

  perform(id: string, ctx: ActionContext): void | Promise<void> {
    return this.get(id).perform(ctx)
  }

  /** The action bound to this key press, if any. */
  forKey(e: KeyInput): Action | undefined {
    return this.bindings.find((b) => matchesChord(b.chord, e))?.action
  }
}
