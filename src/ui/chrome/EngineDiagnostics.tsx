import { useId, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useShallow } from 'zustand/react/shallow'
import { useSession } from '../../state/context'
import { MAX_SYNTH_EVENTS, PROTOCOL_VERSION, type SynthPace } from '../../worker/protocol'
import { ActionButton } from '../actions/ActionButton'

/** The engine's identity and a few probes of the real worker: ping, synthetic events, fault drills. */
export function EngineDiagnostics() {
  const { t, i18n } = useTranslation()
  const { hello, pingMs } = useSession(
    useShallow((s) => ({ hello: s.engine.hello, pingMs: s.engine.pingMs })),
  )
  const synth = useSession((s) => s.synth)
  const runSynth = useSession((s) => s.runSynth)
  const [count, setCount] = useState(1_000_000)
  const [pace, setPace] = useState<SynthPace>('lossless')
  const ids = { count: useId(), pace: useId() }
  const n = new Intl.NumberFormat(i18n.language)
  const decimal = new Intl.NumberFormat(i18n.language, { maximumFractionDigits: 1 })
  const o = synth.outcome
  const state = synth.running ? 'running' : o ? 'done' : 'idle'

  return (
    <section aria-labelledby="about-diagnostics">
      <h3 id="about-diagnostics">{t('about.diagnostics')}</h3>
      <dl className="rs-facts">
        <dt>{t('about.engineVersion')}</dt>
        <dd data-testid="engine-version">{hello?.engineVersion ?? '—'}</dd>
        <dt>{t('about.protocol')}</dt>
        <dd>{hello?.protocol ?? PROTOCOL_VERSION}</dd>
        <dt>{t('about.isolation')}</dt>
        <dd data-testid="engine-isolated">
          {hello ? (hello.isolated ? t('about.yes') : t('about.no')) : '—'}
        </dd>
        <dt>{t('about.transport')}</dt>
        <dd data-testid="engine-transport">{hello ? t(`engine.transport.${hello.transport}`) : '—'}</dd>
      </dl>
      <div className="rs-controls">
        <ActionButton action="engine.ping" testId="ping" />
        <output data-testid="ping-result">
          {pingMs === null ? '' : t('about.pingResult', { ms: decimal.format(pingMs) })}
        </output>
      </div>
      <form
        className="rs-controls"
        onSubmit={(e) => {
          e.preventDefault()
          void runSynth(count, pace)
        }}
      >
        <label htmlFor={ids.count}>{t('about.synthCount')}</label>
        <input
          id={ids.count}
          data-testid="synth-count"
          type="number"
          min={1}
          max={MAX_SYNTH_EVENTS}
          step={1}
          value={count}
          onChange={(e) =>
            setCount(Math.min(MAX_SYNTH_EVENTS, Math.max(1, Math.floor(Number(e.target.value) || 1))))
          }
        />
        <label htmlFor={ids.pace}>{t('about.synthPace')}</label>
        <select
          id={ids.pace}
          data-testid="synth-pace"
          value={pace}
          onChange={(e) => setPace(e.target.value === 'flat-out' ? 'flat-out' : 'lossless')}
        >
          <option value="lossless">{t('about.paceLossless')}</option>
          <option value="flat-out">{t('about.paceFlatOut')}</option>
        </select>
        <button type="submit" data-testid="synth-run" disabled={synth.running || hello === null}>
          {synth.running ? t('about.synthRunning') : t('about.synthRun')}
        </button>
      </form>
      <output
        data-testid="synth-result"
        data-state={state}
        data-received={o?.received}
        data-dropped={o?.dropped}
        data-seq-errors={o?.seqErrors}
        data-ms={o?.ms}
        data-events-per-second={o?.eventsPerSecond}
      >
        {o && !synth.running
          ? t('about.synthResult', {
              received: n.format(o.received),
              dropped: n.format(o.dropped),
              ms: decimal.format(o.ms),
              rate: n.format(Math.round(o.eventsPerSecond)),
            })
          : ''}
      </output>
      <h3>{t('about.faultTitle')}</h3>
      <div className="rs-controls">
        <ActionButton action="engine.faultThrow" testId="fault-throw" />
        <ActionButton action="engine.faultCrash" testId="fault-crash" />
      </div>
    </section>
  )
}
