import { useCallback } from 'react'
import { useTranslation } from 'react-i18next'
import { useSessionStoreApi } from '../../state/context'
import type { ManagementEntry } from '../../state/slices/live-slice'
import { LineEditor } from './line-editor'
import { managementPrompt } from './prompts'
import { TerminalBox } from './TerminalBox'
import type { TerminalHandle } from './xterm-host'

const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n')

/**
 * The architecture's management shell: a prompt with line editing and history; each line goes to the
 * session's management command and its flow animates on the diagram. Lines a scenario runs appear
 * here too, as if typed.
 */
export function ManagementConsole({
  label,
  tools,
  banner,
}: {
  label: string
  tools: readonly string[] | null
  /** Written once at the top (what this shell is, where there is no management plane). */
  banner: string | null
}) {
  const { t } = useTranslation()
  const store = useSessionStoreApi()
  const connect = useCallback(
    (term: TerminalHandle) => {
      const prompt = managementPrompt(tools)
      const editor = new LineEditor(prompt)
      let busy = false
      let seen = 0
      const show = (e: ManagementEntry) => {
        const typed = e.source === 'terminal' ? '' : `\r\x1b[K${prompt}${e.line}\r\n`
        term.write(`${typed}${crlf(e.output)}${editor.redraw()}`)
        if (e.attachConsole !== undefined)
          document.querySelector<HTMLElement>(`[data-testid="console-${e.attachConsole}"] textarea`)?.focus()
      }
      if (banner !== null) term.write(`${banner}\r\n`)
      const entries = store.getState().live.management
      for (const e of entries) term.write(`${prompt}${e.line}\r\n${crlf(e.output)}`)
      seen = entries.at(-1)?.id ?? 0
      term.write(editor.redraw())
      const log = store.subscribe((s) => {
        for (const e of s.live.management) {
          if (e.id <= seen) continue
          seen = e.id
          if (e.source === 'terminal') busy = false
          show(e)
        }
      })
      const input = term.onData((data) => {
        if (busy) return
        const { echo, lines } = editor.feed(data)
        term.write(echo)
        for (const line of lines) {
          if (line.trim() === '') {
            term.write(editor.redraw())
            continue
          }
          busy = true
          void store
            .getState()
            .manage(line, 'terminal')
            .then((r) => {
              // A failed command (reported as an engine error) leaves no entry: give the prompt back.
              if (r === null && busy) {
                busy = false
                term.write(editor.redraw())
              }
            })
          break
        }
      })
      return () => {
        log()
        input.dispose()
      }
    },
    [store, tools, banner],
  )
  return (
    <TerminalBox
      testId="mgmt-console"
      data={{ tools: tools?.join(',') }}
      label={label || t('console.management')}
      convertEol
      connect={connect}
    />
  )
}
