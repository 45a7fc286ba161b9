import { createContext, useCallback, useContext, useEffect } from 'react'
import { registry } from './actions'
import type { ActionContext } from './registry'

export const ActionContextReact = createContext<ActionContext | null>(null)

function useActionContext(): ActionContext {
  const ctx = useContext(ActionContextReact)
  if (ctx === null) throw new Error('actions used outside ActionContextReact')
  return ctx
}

/** Returns a function that performs the registered action `id`. */
export function usePerform(): (id: string) => void {
  const ctx = useActionContext()
  return useCallback((id: string) => void registry.perform(id, ctx), [ctx])
}

function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  return (
    target.isContentEditable ||
    ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) ||
    target.closest('.xterm') !== null
  )
}

/**
 * Performs the action bound to each key press on the page. Plain keys are left to text fields and
 * terminals; while a modal dialog is open, the dialog has the keyboard.
 */
export function useKeyBindings(): void {
  const ctx = useActionContext()
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.repeat || document.querySelector('dialog[open]')) return
      const action = registry.forKey(e)
      if (!action) return
      if (isEditable(e.target) && !e.altKey && !e.ctrlKey && !e.metaKey) return
      e.preventDefault()
      void action.perform(ctx)
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [ctx])
}
