import { useCallback, useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { TOPOLOGIES } from '../../engine/hv/architectures'
import { encodeContext, parseContextLabel } from '../../engine/privilege'
import type { TraceEvent } from '../../engine/trace/schema'
import { selectTheme } from '../../state/app-store'
import { useApp, useSession, useSessionStoreApi } from '../../state/context'
import { useSessionTexts, useVmName } from '../controls/session-texts'
import { fill, formatNumber, inspectorMessages } from '../inspector/texts'
import { nearestRecord } from './buckets'
import { TimelineRenderer, formatTick, stateToken } from './draw'
import { describeEvent } from './event-text'
import { INITIAL_VIEWPORT, fit, follow, pan, zoom, type Viewport } from './viewport'
import { STATE_HARDWARE, STATE_IDLE } from '../../state/trace-buffer'
import './timeline.css'

const GEOMETRY = { gutter: 120, axis: 20, lane: 22, density: 14, gap: 6 }
/** How often the text summary and the data attributes follow the drawing (milliseconds). */
const SUMMARY_MS = 500

export default function Timeline() {
  const { t: translate, i18n } = useTranslation()
  const language = i18n.language
  const t = inspectorMessages(language).timeline
  const store = useSessionStoreApi()
  const trace = useSession((s) => s.trace)
  const session = useSession((s) => s.live.session)
  const theme = useApp(selectTheme)
  const texts = useSessionTexts()
  const vmName = useVmName()
  const arch = texts?.arch ?? null
  const vms = session?.vms.length ?? 0
  // The contexts this architecture has rows for, then device time and idle.
  const legend = useMemo(() => {
    const rows = new Set(arch === null ? [] : TOPOLOGIES[arch].components.map((c) => c.row))
    return [...rows].flatMap((row) => {
      const ctx = parseContextLabel(row)
      return ctx === undefined ? [] : [{ state: encodeContext(ctx), label: texts?.msgs.rows[row] ?? row }]
    })
  }, [arch, texts])
  const labels = useMemo(
    () => [
      fill(t.lanePcpu, { n: 0 }),
      ...Array.from({ length: vms }, (_, i) => fill(t.laneVcpu, { vm: vmName(i + 1), n: 0 })),
    ],
    [t, vms, vmName],
  )

  const wrap = useRef<HTMLDivElement>(null)
  const canvas = useRef<HTMLCanvasElement>(null)
  const renderer = useRef<TimelineRenderer | null>(null)
  const viewport = useRef<Viewport>(INITIAL_VIEWPORT)
  const [following, setFollowing] = useState(true)
  const [selected, setSelected] = useState<TraceEvent | null>(null)
  const [summary, setSummary] = useState('')
  const frame = useRef(0)
  const summaryAt = useRef(-Infinity)
  const summaryId = useId()

  const endCycle = useCallback(() => {
    const span = trace.span()
    return Math.max(store.getState().live.status?.cycles ?? 0, span === null ? 0 : span.to)
  }, [store, trace])

  const formatCycle = useCallback((c: number, step: number) => formatTick(c, step, language), [language])

  const draw = useCallback(() => {
    const r = renderer.current
    const el = wrap.current
    if (r === null || el === null) return
    const end = endCycle()
    viewport.current = follow(viewport.current, end)
    const v = viewport.current
    r.draw(trace, v, end, labels, selected?.cycle ?? null, formatCycle)
    const now = performance.now()
    if (now - summaryAt.current >= SUMMARY_MS) {
      summaryAt.current = now
      el.dataset.from = String(Math.round(v.from))
      el.dataset.to = String(Math.round(v.to))
      el.dataset.events = String(trace.size)
      const span = trace.span()
      const n = (x: number) => formatNumber(x, language)
      setSummary(
        span === null
          ? t.summaryEmpty
          : fill(t.summary, {
              count: n(trace.size),
              from: n(span.from),
              to: n(span.to),
              vfrom: n(Math.max(0, v.from)),
              vto: n(v.to),
            }),
      )
    }
  }, [trace, labels, selected, formatCycle, endCycle, language, t])

  // At most one draw per animation frame, always with the latest state.
  const drawRef = useRef(draw)
  useLayoutEffect(() => {
    drawRef.current = draw
  }, [draw])
  const requestDraw = useCallback(() => {
    if (frame.current === 0)
      frame.current = requestAnimationFrame(() => {
        frame.current = 0
        drawRef.current()
      })
  }, [])

  useEffect(() => {
    const c = canvas.current
    const el = wrap.current
    if (c === null || el === null) return
    const r = new TimelineRenderer(c, GEOMETRY)
    renderer.current = r
    r.readColors(el)
    const resize = () => {
      r.resize(el.clientWidth, el.clientHeight, window.devicePixelRatio || 1)
      requestDraw()
    }
    resize()
    const ro = new ResizeObserver(resize)
    ro.observe(el)
    return () => {
      ro.disconnect()
      renderer.current = null
    }
  }, [requestDraw])

  useEffect(() => {
    if (wrap.current !== null) renderer.current?.readColors(wrap.current)
    requestDraw()
  }, [theme, requestDraw])

  useEffect(
    () =>
      store.subscribe((s, prev) => {
        if (s.stream !== prev.stream || s.live.status !== prev.live.status) requestDraw()
        if (s.live.session !== prev.live.session) {
          setSelected(null)
          viewport.current = INITIAL_VIEWPORT
          setFollowing(true)
        }
      }),
    [store, requestDraw],
  )

  useEffect(() => {
    requestDraw()
  }, [draw, requestDraw])
  useEffect(
    () => () => {
      cancelAnimationFrame(frame.current)
      frame.current = 0
    },
    [],
  )

  const setViewport = useCallback(
    (v: Viewport) => {
      viewport.current = v
      setFollowing(v.follow)
      summaryAt.current = -Infinity
      requestDraw()
    },
    [requestDraw],
  )

  const zoomBy = useCallback(
    (factor: number, at?: number) => {
      const v = viewport.current
      setViewport(zoom(v, factor, at ?? selected?.cycle ?? (v.from + v.to) / 2, trace.span()))
    },
    [setViewport, selected, trace],
  )

  const selectIndex = useCallback(
    (i: number) => {
      if (i < 0 || i >= trace.size) return
      const e = trace.event(i)
      setSelected(e)
      const v = viewport.current
      if (e.cycle < v.from || e.cycle > v.to) setViewport(pan(v, e.cycle - (v.from + v.to) / 2))
    },
    [trace, setViewport],
  )

  /** Index of the selected event in the kept stream, or -1 when it is gone. */
  const selectedIndex = useCallback(() => {
    if (selected === null) return -1
    for (let i = trace.lowerBound(selected.cycle); i < trace.size && trace.cycle(i) === selected.cycle; i++)
      if (trace.event(i).seq === selected.seq) return i
    return -1
  }, [selected, trace])

  // Wheel zoom needs a non-passive listener to keep the page from scrolling.
  useEffect(() => {
    const el = wrap.current
    if (el === null) return
    const onWheel = (e: WheelEvent) => {
      const r = renderer.current
      if (r === null || e.deltaY === 0) return
      e.preventDefault()
      const rect = el.getBoundingClientRect()
      zoomBy(e.deltaY > 0 ? 1.25 : 0.8, r.cycleAt(e.clientX - rect.left, viewport.current))
    }
    el.addEventListener('wheel', onWheel, { passive: false })
    return () => el.removeEventListener('wheel', onWheel)
  }, [zoomBy])

  const drag = useRef<{ x: number; view: Viewport; moved: boolean } | null>(null)

  const onKeyDown = (e: React.KeyboardEvent) => {
    const v = viewport.current
    const span = v.to - v.from
    let handled = true
    if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
      const dir = e.key === 'ArrowLeft' ? -1 : 1
      if (e.shiftKey) {
        const i = selectedIndex()
        // With nothing selected: the first event in view (→) or the last (←).
        const start = dir > 0 ? trace.lowerBound(v.from) : trace.lowerBound(v.to) - 1
        selectIndex(i < 0 ? Math.max(0, Math.min(trace.size - 1, start)) : i + dir)
      } else setViewport(pan(v, dir * span * 0.1))
    } else if (e.key === '+' || e.key === '=') zoomBy(0.5)
    else if (e.key === '-' || e.key === '_') zoomBy(2)
    else if (e.key === 'Home') setViewport(fit(trace.span(), false))
    else if (e.key === 'End') setViewport({ ...v, follow: true })
    else if (e.key === 'Escape') setSelected(null)
    else handled = false
    if (handled) e.preventDefault()
  }

  const details = selected === null ? null : describeEvent(selected, t, texts, language)
  return (
    <div className="rs-timeline" data-testid="timeline">
      <div className="rs-tl-toolbar" role="group" aria-label={t.tabTimeline}>
        <button type="button" data-testid="timeline-zoom-in" onClick={() => zoomBy(0.5)}>
          {t.zoomIn}
        </button>
        <button type="button" data-testid="timeline-zoom-out" onClick={() => zoomBy(2)}>
          {t.zoomOut}
        </button>
        <button
          type="button"
          data-testid="timeline-fit"
          onClick={() => setViewport(fit(trace.span(), false))}
        >
          {t.fit}
        </button>
        <button
          type="button"
          data-testid="timeline-follow"
          aria-pressed={following}
          onClick={() => setViewport({ ...viewport.current, follow: !following })}
        >
          {t.follow}
        </button>
      </div>
      <div
        ref={wrap}
        className="rs-tl-canvas"
        data-testid="timeline-canvas"
        tabIndex={0}
        role="group"
        aria-roledescription={t.tabTimeline}
        aria-label={t.canvas}
        aria-describedby={summaryId}
        onKeyDown={onKeyDown}
        onPointerDown={(e) => {
          e.currentTarget.setPointerCapture(e.pointerId)
          drag.current = { x: e.clientX, view: viewport.current, moved: false }
        }}
        onPointerMove={(e) => {
          const d = drag.current
          const r = renderer.current
          if (d === null || r === null) return
          const dx = e.clientX - d.x
          if (Math.abs(dx) > 3) d.moved = true
          if (d.moved) setViewport(pan(d.view, (-dx / r.plotWidth) * (d.view.to - d.view.from)))
        }}
        onPointerUp={(e) => {
          const d = drag.current
          drag.current = null
          const r = renderer.current
          if (d === null || d.moved || r === null) return
          const x = e.clientX - e.currentTarget.getBoundingClientRect().left
          const v = viewport.current
          const i = nearestRecord(trace, r.cycleAt(x, v), (4 / r.plotWidth) * (v.to - v.from))
          if (i >= 0) selectIndex(i)
          else setSelected(null)
        }}
      >
        <canvas ref={canvas} aria-hidden="true" />
      </div>
      {session === null ? (
        <p id={summaryId} className="rs-tl-summary" data-testid="empty-timeline">
          {translate('panels.timeline.empty')}
        </p>
      ) : (
        <p id={summaryId} className="rs-tl-summary" data-testid="timeline-summary">
          {summary}
          {trace.overwritten > 0 &&
            ` ${fill(t.overwritten, { count: formatNumber(trace.overwritten, language), capacity: formatNumber(trace.capacity, language) })}`}
          {trace.dropped > 0 && ` ${fill(t.dropped, { count: formatNumber(trace.dropped, language) })}`}
        </p>
      )}
      <ul className="rs-tl-legend" aria-label={t.legend}>
        {[...legend, { state: STATE_HARDWARE, label: t.hardware }, { state: STATE_IDLE, label: t.idle }].map(
          (l) => (
            <li key={l.state}>
              <span
                className="rs-tl-swatch"
                style={{ background: `var(${stateToken(l.state)})` }}
                aria-hidden="true"
              />
              {l.label}
            </li>
          ),
        )}
      </ul>
      <section
        className="rs-tl-details"
        aria-labelledby={`${summaryId}-details`}
        data-testid="timeline-details"
      >
        <h3 id={`${summaryId}-details`}>{t.details}</h3>
        {details === null ? (
          <p className="rs-tl-summary">{t.noSelection}</p>
        ) : (
          <dl>
            {details.map((f) => (
              <div key={f.label}>
                <dt>{f.label}</dt>
                <dd>{f.value}</dd>
              </div>
            ))}
          </dl>
        )}
      </section>
    </div>
  )
}
