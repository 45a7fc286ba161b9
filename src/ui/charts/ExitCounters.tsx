import { useEffect, useId, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { exitReasonName } from '../../engine/vmx/exit-reasons'
import { useSessionStoreApi } from '../../state/context'
import type { SessionState } from '../../state/session-store'
import { useSessionTexts } from '../controls/session-texts'
import { fill, formatNumber, inspectorMessages, usesVmx } from '../inspector/texts'
import { flowKindName } from '../timeline/event-text'
import { btHistoryOf, type BtCacheHistory, type BtFigures } from './bt-cache'
import { BtCacheChart } from './BtCacheChart'
import './charts.css'

/** Recent intervals shown as stacked columns. */
const HISTORY = 24
const PALETTE = 8

interface Figures {
  readonly exits: readonly (readonly [number, number])[]
  readonly flows: readonly (readonly [number, number])[]
  readonly dropped: number
  readonly cycles: readonly number[] | null
  readonly clock: number
  readonly bt: BtFigures
}

/** Cycles by component at successive inspector answers: the stacked columns are their differences. */
type History = readonly { readonly clock: number; readonly cycles: readonly number[] }[]

function extend(h: History, f: Figures): History {
  if (f.cycles === null) return h
  const last = h[h.length - 1]
  if (last === undefined || f.clock < last.clock || f.cycles.length !== last.cycles.length)
    return [{ clock: f.clock, cycles: f.cycles }]
  return f.clock > last.clock ? [...h, { clock: f.clock, cycles: f.cycles }].slice(-(HISTORY + 1)) : h
}

function read(s: SessionState, bt: BtCacheHistory): Figures {
  const t = s.trace
  const pairs = (a: Float64Array) =>
    Array.from(a, (n, i) => [i, n] as const)
      .filter(([, n]) => n > 0)
      .sort((x, y) => y[1] - x[1])
  const d = s.inspector.detail
  return {
    exits: pairs(t.exitsByReason),
    flows: pairs(t.flowsByKind),
    dropped: t.dropped,
    cycles: d?.cyclesByComponent ?? null,
    clock: d?.cycles ?? 0,
    bt: bt.figures(),
  }
}

const same = (a: Figures, b: Figures) => JSON.stringify(a) === JSON.stringify(b)

/** How often the figures may change while events stream in (milliseconds): they are read, not watched. */
const FIGURES_MS = 250

/** The figures, re-read at most every FIGURES_MS when the stream or the inspector's answer moves. */
function useFigures(active: boolean): { figures: Figures; history: History } {
  const store = useSessionStoreApi()
  const bt = btHistoryOf(store)
  const [state, setState] = useState(() => {
    const figures = read(store.getState(), bt)
    return { figures, history: extend([], figures) }
  })
  useEffect(() => {
    if (!active) return
    let timer: ReturnType<typeof setTimeout> | null = null
    let readAt = -Infinity
    const update = () => {
      timer = null
      readAt = performance.now()
      const next = read(store.getState(), bt)
      setState((prev) =>
        same(prev.figures, next) ? prev : { figures: next, history: extend(prev.history, next) },
      )
    }
    update()
    const unsubscribe = store.subscribe((s, prev) => {
      if (
        s.stream === prev.stream &&
        s.inspector.detail === prev.inspector.detail &&
        s.live.session === prev.live.session
      )
        return
      if (timer === null) timer = setTimeout(update, Math.max(0, readAt + FIGURES_MS - performance.now()))
    })
    return () => {
      unsubscribe()
      if (timer !== null) clearTimeout(timer)
    }
  }, [store, bt, active])
  return state
}

function Bars({
  rows,
  testId,
  label,
  language,
}: {
  rows: readonly { key: number; name: string; count: number }[]
  testId: string
  label: string
  language: string
}) {
  const max = Math.max(1, ...rows.map((r) => r.count))
  return (
    <table className="rs-ch-bars" aria-label={label}>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key} data-testid={`${testId}-${r.key}`} data-count={r.count}>
            <th scope="row">{r.name}</th>
            <td className="rs-ch-bar-cell">
              <span className="rs-ch-bar" style={{ width: `${(r.count / max) * 100}%` }} />
            </td>
            <td className="rs-ch-num">{formatNumber(r.count, language)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

export default function ExitCounters({ active = true }: { active?: boolean }) {
  const { i18n } = useTranslation()
  const language = i18n.language
  const all = inspectorMessages(language)
  const c = all.counters
  const { figures, history } = useFigures(active)
  const texts = useSessionTexts()
  const arch = texts?.arch ?? null
  const cycles = figures.cycles
  const vmx = arch !== null && usesVmx(arch)
  const archName = texts?.archName ?? ''
  const ids = { exits: useId(), cycles: useId(), flows: useId() }
  const n = (x: number) => formatNumber(x, language)

  const components = texts === null || cycles === null ? [] : texts.topology.components
  const charged = components
    .map((comp, i) => ({ comp, i, cycles: cycles?.[i] ?? 0 }))
    .filter((x) => x.cycles > 0)
  const total = charged.reduce((a, x) => a + x.cycles, 0)
  const colour = (i: number) => `var(--rs-chart-${i % PALETTE})`

  const intervals = history.slice(1).map((s, k) => {
    const prev = history[k]!
    return charged.map((x) => Math.max(0, (s.cycles[x.i] ?? 0) - (prev.cycles[x.i] ?? 0)))
  })
  const peak = Math.max(1, ...intervals.map((d) => d.reduce((a, b) => a + b, 0)))

  return (
    <div className="rs-counters" data-testid="exit-counters" data-arch={arch ?? ''}>
      {figures.dropped > 0 && <p className="rs-ch-note">{c.lowerBound}</p>}
      <section aria-labelledby={ids.exits}>
        <h3 id={ids.exits}>{c.exits}</h3>
        {!vmx && arch !== null ? (
          <p data-testid="no-exits">
            {fill(arch === 'bare' ? c.exitsBare : c.exitsNoVmx, { arch: archName })}
          </p>
        ) : figures.exits.length === 0 ? (
          <p>{c.exitsNone}</p>
        ) : (
          <Bars
            label={c.exits}
            language={language}
            testId="exit-count"
            rows={figures.exits.map(([reason, count]) => ({
              key: reason,
              name: `${reason} ${exitReasonName(reason)}`,
              count,
            }))}
          />
        )}
      </section>
      {arch === 'vmware-bt' && <BtCacheChart figures={figures.bt} language={language} />}
      <section aria-labelledby={ids.cycles}>
        <h3 id={ids.cycles}>{c.cycles}</h3>
        <p className="rs-ch-note">{c.cyclesNote}</p>
        {charged.length === 0 ? (
          <p>{c.cyclesNone}</p>
        ) : (
          <>
            <div className="rs-ch-stack" aria-hidden="true">
              {charged.map((x) => (
                <span key={x.i} style={{ flexGrow: x.cycles, background: colour(x.i) }} />
              ))}
            </div>
            {intervals.length > 0 && (
              <svg
                className="rs-ch-history"
                viewBox={`0 0 ${HISTORY * 10} 60`}
                preserveAspectRatio="none"
                aria-hidden="true"
              >
                {intervals.map((d, col) => {
                  let y = 60
                  const x = (HISTORY - intervals.length + col) * 10
                  return d.map((v, k) => {
                    const h = (v / peak) * 58
                    y -= h
                    return h > 0 ? (
                      <rect
                        key={`${col}-${k}`}
                        x={x + 1}
                        y={y}
                        width={8}
                        height={h}
                        fill={colour(charged[k]!.i)}
                      />
                    ) : null
                  })
                })}
              </svg>
            )}
            <table className="rs-ch-legend" data-testid="cycles-by-component">
              <tbody>
                {charged.map((x) => (
                  <tr key={x.i} data-testid={`cycles-component-${x.comp.id}`} data-cycles={x.cycles}>
                    <th scope="row">
                      <span className="rs-ch-swatch" style={{ background: colour(x.i) }} aria-hidden="true" />
                      {texts!.componentFullName(x.comp)}
                    </th>
                    <td className="rs-ch-num">{n(x.cycles)}</td>
                    <td className="rs-ch-num">{((x.cycles / total) * 100).toFixed(1)} %</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="rs-ch-note">{fill(c.cyclesTotal, { n: n(total) })}</p>
          </>
        )}
      </section>
      <section aria-labelledby={ids.flows}>
        <h3 id={ids.flows}>{c.flows}</h3>
        {figures.flows.length === 0 ? (
          <p>{c.flowsNone}</p>
        ) : (
          <Bars
            label={c.flows}
            language={language}
            testId="flow-count"
            rows={figures.flows.map(([kind, count]) => ({
              key: kind,
              name: flowKindName(kind, all.timeline),
              count,
            }))}
          />
        )}
      </section>
    </div>
  )
}
