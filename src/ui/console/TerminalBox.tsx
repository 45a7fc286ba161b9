import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { selectTheme } from '../../state/app-store'
import { useApp } from '../../state/context'
import { registry } from '../actions/actions'
import type { TerminalHandle } from './xterm-host'

/** Tab leaves the terminal (no keyboard trap); the page's shortcuts with modifiers stay the page's. */
function passKey(e: KeyboardEvent): boolean {
  if (e.key === 'Tab' && !e.ctrlKey && !e.altKey && !e.metaKey) return true
  return (e.altKey || e.ctrlKey || e.metaKey) && registry.forKey(e) !== undefined
}

/**
 * A terminal, loaded on first use (xterm.js and its CSS are a chunk of their own). `connect` wires it
 * to its source once it exists and returns what undoes that.
 */
export function TerminalBox({
  testId,
  label,
  note = null,
  convertEol = false,
  data = {},
  connect,
}: {
  testId: string
  /** `data-` attributes for tests (the management shell's tools). */
  data?: Readonly<Record<string, string | undefined>>
  label: string
  /** Shown after the title (e.g. that the machine is paused). */
  note?: string | null
  convertEol?: boolean
  connect: (terminal: TerminalHandle) => () => void
}) {
  const { t } = useTranslation()
  const theme = useApp(selectTheme)
  const screen = useRef<HTMLDivElement>(null)
  const [handle, setHandle] = useState<TerminalHandle | null>(null)
  const [failed, setFailed] = useState(false)
  const connectRef = useRef(connect)
  const labelRef = useRef(label)
  useEffect(() => {
    connectRef.current = connect
    labelRef.current = label
  })

  useEffect(() => {
    let gone = false
    let made: TerminalHandle | null = null
    let undo: (() => void) | null = null
    import('./xterm-host').then(
      ({ openTerminal }) => {
        const el = screen.current
        if (gone || el === null) return
        made = openTerminal(el, { label: labelRef.current, convertEol, passKey })
        undo = connectRef.current(made)
        setHandle(made)
      },
      () => !gone && setFailed(true),
    )
    return () => {
      gone = true
      undo?.()
      made?.dispose()
      setHandle(null)
    }
  }, [convertEol])

  useEffect(() => handle?.setLabel(label), [handle, label])
  useEffect(() => handle?.restyle(), [handle, theme])

  return (
    <div
      className="rs-term"
      role="group"
      aria-label={label}
      data-testid={testId}
      data-ready={handle !== null}
      {...Object.fromEntries(Object.entries(data).map(([k, v]) => [`data-${k}`, v]))}
    >
      <div className="rs-term-title">
        {label}
        {note !== null && <span className="rs-term-note"> — {note}</span>}
      </div>
      {handle === null && <p className="rs-empty">{failed ? label : t('console.loading')}</p>}
      <div className="rs-term-screen" ref={screen} />
    </div>
  )
}
