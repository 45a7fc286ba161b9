import { useCallback } from 'react'
import { useTranslation } from 'react-i18next'
import { useSessionStoreApi } from '../../state/context'
import { useVmName } from '../controls/session-texts'
import { TerminalBox } from './TerminalBox'
import type { TerminalHandle } from './xterm-host'

function joined(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0))
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.length
  }
  return out
}

/** VM `vm`'s console: what the guest writes (one write per chunk that arrives), and keystrokes to it. */
export function VmConsole({ vm, paused }: { vm: number; paused: boolean }) {
  const { t } = useTranslation()
  const store = useSessionStoreApi()
  const vmName = useVmName()
  const connect = useCallback(
    (term: TerminalHandle) => {
      const { consoles, typeInto } = store.getState()
      term.write(joined(consoles.history(vm)))
      const output = consoles.subscribe(vm, (bytes, redraw) => {
        if (redraw) term.reset()
        if (bytes.length > 0) term.write(bytes)
      })
      const input = term.onData((data) => typeInto(vm, data))
      return () => {
        output.dispose()
        input.dispose()
      }
    },
    [store, vm],
  )
  return (
    <TerminalBox
      testId={`console-${vm}`}
      label={t('console.vm', { vm: vmName(vm) })}
      note={paused ? t('console.paused') : null}
      connect={connect}
    />
  )
}
