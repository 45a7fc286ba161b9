import { useEffect, useRef } from 'react'
import { useTranslation } from 'react-i18next'
import { useSession, useSessionStoreApi } from '../../state/context'

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

/** How often the figures may change while events stream in (milliseconds): they are read, not watched. */
const FIGURES_MS = 250

/** Event-stream figures, written straight into the DOM (no React render), at most every FIGURES_MS. */
function StreamFigures() {
  const { t, i18n } = useTranslation()
  const store = useSessionStoreApi()
  const ref = useRef<HTMLSpanElement>(null)
  useEffect(() => {
    const count = new Intl.NumberFormat(i18n.language)
    const rate = new Intl.NumberFormat(i18n.language, { notation: 'compact', maximumFractionDigits: 1 })
    let shownAt = -Infinity
    let timer: ReturnType<typeof setTimeout> | null = null
    const render = () => {
      timer = null
      shownAt = performance.now()
      const el = ref.current
      const s = store.getState().stream
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
    render()
    const unsubscribe = store.subscribe((s, prev) => {
      if (s.stream === prev.stream || timer !== null) return
      // The last figures always show: a change within the interval is drawn at its end.
      timer = setTimeout(render, Math.max(0, shownAt + FIGURES_MS - performance.now()))
    })
    return () => {
      unsubscribe()
      if (timer !== null) clearTimeout(timer)
    }
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
