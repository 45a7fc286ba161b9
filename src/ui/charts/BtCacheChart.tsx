import { useId } from 'react'
import { liveExtrasMessages } from '../../i18n/locales/live-extras'
import { fill, formatNumber } from '../inspector/texts'
import { BT_BOUNDS, BT_SERIES, type BtFigures } from './bt-cache'

/** Columns drawn at least, so the first seconds do not stretch across the whole chart. */
const MIN_COLUMNS = 16
const HEIGHT = 60

/** Virtual cycles as time at the engine's 1 GHz clock (src/engine/machine/clock.ts). */
function formatTime(cycles: number, language: string): string {
  const [value, unit] =
    cycles >= 1e9 ? [cycles / 1e9, 's'] : cycles >= 1e6 ? [cycles / 1e6, 'ms'] : [cycles / 1e3, 'µs']
  return `${value.toLocaleString(language, { maximumSignificantDigits: 3 })} ${unit}`
}

const percent = (part: number, whole: number) => `${Math.round((part / whole) * 100)} %`
const colour = (series: number) => `var(--rs-chart-${series})`

/**
 * The translation cache warming up (VMware BT): per span of virtual time on a logarithmic axis, the
 * shares of blocks translated, cache hits, call-outs and invalidations, with the totals below.
 */
export function BtCacheChart({ figures, language }: { figures: BtFigures; language: string }) {
  const m = liveExtrasMessages(language).bt
  const id = useId()
  const { buckets, totals } = figures
  const columns = Math.max(MIN_COLUMNS, buckets.length)
  const active = buckets.flatMap((b, k) => (b[0] + b[1] + b[2] + b[3] > 0 ? [k] : []))
  const first = active[0]
  const last = active.at(-1)
  const sum = (k: number) => buckets[k]!.reduce((a, b) => a + b, 0)
  const ticks = BT_BOUNDS.flatMap((bound, i) =>
    i % 3 === 0 && i + 1 < columns ? [{ at: i + 1, text: formatTime(bound, language) }] : [],
  ).filter((_, i) => i % 2 === 0)
  return (
    <section aria-labelledby={id} className="rs-ch-bt" data-testid="bt-cache">
      <h3 id={id}>{m.title}</h3>
      <p className="rs-ch-note">{m.note}</p>
      {first === undefined || last === undefined ? (
        <p>{m.none}</p>
      ) : (
        <>
          <svg
            className="rs-ch-history"
            viewBox={`0 0 ${columns * 10} ${HEIGHT}`}
            preserveAspectRatio="none"
            aria-hidden="true"
          >
            {buckets.map((b, k) => {
              const total = sum(k)
              let y = HEIGHT
              return b.map((n, s) => {
                const h = total === 0 ? 0 : (n / total) * HEIGHT
                y -= h
                return h > 0 ? (
                  <rect key={`${k}-${s}`} x={k * 10 + 1} y={y} width={8} height={h} fill={colour(s)} />
                ) : null
              })
            })}
          </svg>
          <div className="rs-ch-axis" aria-hidden="true">
            {ticks.map((t) => (
              <span key={t.at} style={{ left: `${(t.at / columns) * 100}%` }}>
                {t.text}
              </span>
            ))}
          </div>
          <p className="rs-ch-note">{m.axis}</p>
          <p data-testid="bt-summary">
            {fill(m.summary, {
              from: formatTime(BT_BOUNDS[Math.min(first, BT_BOUNDS.length - 1)]!, language),
              early: percent(buckets[first]![0], sum(first)),
              to: formatTime(last === 0 ? 0 : BT_BOUNDS[last - 1]!, language),
              late: percent(buckets[last]![1], sum(last)),
            })}
          </p>
        </>
      )}
      <table className="rs-ch-legend" aria-label={m.title}>
        <tbody>
          {BT_SERIES.map((s, i) => (
            <tr key={s} data-testid={`bt-count-${s}`} data-count={totals[i]}>
              <th scope="row">
                <span className="rs-ch-swatch" style={{ background: colour(i) }} aria-hidden="true" />
                {m.series[s]}
              </th>
              <td className="rs-ch-num">{formatNumber(totals[i]!, language)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}
