import { useEffect, useRef } from 'react'
import { useTranslation } from 'react-i18next'
import { useSession, useSessionStoreApi } from '../../state/context'
import type { StreamStats } from '../../state/session-store'

function EngineStatus() {
  const { t } = useTranslation()
  const status = useSession((s) => s.engine.status)
  const hello = useSession((s) => s.engine.hello)
  const parts = [t(`engine.status.${status}`)]
  if (hello) {
    parts.push(t('engine.version', { version: hello.engineVersion }))
    parts.push(hello.isolated ? t('engine.isolated') : t('engine.notIsolated'))
    parts.push(t(`engine.transport.${hello.transport}`))
  }
  return (
    <span
      role="status"
      data-testid="engine-status"
      data-status={status}
      data-version={hello?.engineVersion}
      data-transport={hello?.transport}
    >
      {parts.join(' · ')}
    </span>
  )
}

/** Event-stream figures, written straight into the DOM on each published frame (no React render). */
function StreamFigures() {
  const { t, i18n } = useTranslation()
  const store = useSessionStoreApi()
  const ref = useRef<HTMLSpanElement>(null)
  useEffect(() => {
    const count = new Intl.NumberFormat(i18n.language)
    const rate = new Intl.NumberFormat(i18n.language, { notation: 'compact', maximumFractionDigits: 1 })
    const render = (s: StreamStats) => {
      const el = ref.current
      if (!el) return
      el.textContent = [
        t('events.received', { count: count.format(s.received) }),
        t('events.rate', { rate: rate.format(s.rate) }),
        t('events.dropped', { count: count.format(s.dropped) }),
      ].join(' · ')
      el.dataset.received = String(s.received)
      el.dataset.dropped = String(s.dropped)
      el.dataset.seqErrors = String(s.seqErrors)
    }
    render(store.getState().stream)
    return store.subscribe((s, prev) => s.stream !== prev.stream && render(s.stream))
  }, [store, t, i18n.language])
  return <span ref={ref} className="rs-figures" data-testid="event-stream" />
}

export function StatusBar() {
  return (
    <footer className="rs-status">
      <EngineStatus />
      <StreamFigures />
    </footer>
  )
}
