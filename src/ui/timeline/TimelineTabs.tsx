import { lazy, Suspense, useId, useRef, useState, type KeyboardEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { useSessionStoreApi } from '../../state/context'
import { btHistoryOf } from '../charts/bt-cache'
import { inspectorMessages } from '../inspector/texts'
import './tabs.css'

const Timeline = lazy(() => import('./Timeline'))
const ExitCounters = lazy(() => import('../charts/ExitCounters'))

const TABS = ['timeline', 'counters'] as const
type Tab = (typeof TABS)[number]

/** The timeline panel's two views, as WAI-ARIA tabs (arrow keys move between them). */
export function TimelineTabs({ fallback }: { fallback: React.ReactNode }) {
  const { i18n } = useTranslation()
  const t = inspectorMessages(i18n.language).timeline
  // The translator's history follows the stream from the start, before the counters are first shown.
  btHistoryOf(useSessionStoreApi())
  const [tab, setTab] = useState<Tab>('timeline')
  const id = useId()
  const buttons = useRef<Record<Tab, HTMLButtonElement | null>>({ timeline: null, counters: null })
  const label: Record<Tab, string> = { timeline: t.tabTimeline, counters: t.tabCounters }
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight' && e.key !== 'Home' && e.key !== 'End') return
    e.preventDefault()
    const i = TABS.indexOf(tab)
    const next =
      e.key === 'Home'
        ? TABS[0]
        : e.key === 'End'
          ? TABS[TABS.length - 1]
          : TABS[(i + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length]
    setTab(next)
    buttons.current[next]?.focus()
  }
  return (
    <div className="rs-tl-tabs">
      <div role="tablist" aria-label={t.tabs} onKeyDown={onKeyDown}>
        {TABS.map((k) => (
          <button
            key={k}
            ref={(el) => {
              buttons.current[k] = el
            }}
            type="button"
            role="tab"
            id={`${id}-${k}-tab`}
            data-testid={`tab-${k}`}
            aria-selected={tab === k}
            aria-controls={`${id}-${k}`}
            tabIndex={tab === k ? 0 : -1}
            onClick={() => setTab(k)}
          >
            {label[k]}
          </button>
        ))}
      </div>
      <Suspense fallback={fallback}>
        <div
          role="tabpanel"
          id={`${id}-timeline`}
          aria-labelledby={`${id}-timeline-tab`}
          hidden={tab !== 'timeline'}
          className="rs-tl-tabpanel"
        >
          <Timeline />
        </div>
        <div
          role="tabpanel"
          id={`${id}-counters`}
          aria-labelledby={`${id}-counters-tab`}
          hidden={tab !== 'counters'}
          className="rs-tl-tabpanel"
        >
          <ExitCounters active={tab === 'counters'} />
        </div>
      </Suspense>
    </div>
  )
}
