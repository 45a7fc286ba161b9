import { useMemo } from 'react'
import { useTranslation } from 'react-i18next'
import { useShallow } from 'zustand/react/shallow'
import { isArchId } from '../../engine/hv/architectures'
import { CPU_HZ } from '../../engine/machine/clock'
import {
  SCENARIOS,
  isScenarioId,
  scenario as scenarioById,
  scenarioRuns,
} from '../../engine/session/scenarios'
import type { StepUnit } from '../../engine/session/session'
import { selectLive } from '../../state/app-store'
import { useApp, useSession } from '../../state/context'
import { RUN_SPEEDS } from '../../state/slices/run-speed'
import { STEP_UNITS } from '../../state/settings'
import type { SessionStatus } from '../../worker/protocol'
import { ActionButton } from '../actions/ActionButton'
import { architectureMessages } from '../diagram/texts'
import { FlowCaption } from './FlowCaption'
import { useLiveSync } from './live-feed'
import { useVmName } from './session-texts'
import './controls.css'

function StatusLine() {
  const { t, i18n } = useTranslation()
  const live = useSession(
    useShallow((s) => ({
      phase: s.live.phase,
      status: s.live.status,
      running: s.live.running,
      progress: s.live.progress,
      problem: s.live.problem,
      scenario: s.live.scenario,
      config: s.live.config,
      vmsRunning: s.live.session?.vms.length ?? null,
    })),
  )
  const vmName = useVmName()
  const archName = (id: string) => (isArchId(id) ? architectureMessages(i18n.language).names[id] : id)
  const { number, seconds, kilobytes } = useMemo(
    () => ({
      number: new Intl.NumberFormat(i18n.language),
      seconds: new Intl.NumberFormat(i18n.language, { minimumFractionDigits: 6, maximumFractionDigits: 6 }),
      kilobytes: (bytes: number) =>
        new Intl.NumberFormat(i18n.language, {
          style: 'unit',
          unit: 'kilobyte',
          maximumFractionDigits: 0,
        }).format(bytes / 1000),
    }),
    [i18n.language],
  )
  const s = live.status
  // The state is announced (a live region); the figures, which change many times a second, are not.
  const state: string[] = []
  const figures: string[] = []
  if (live.phase === 'loading') state.push(t('live.state.loading'))
  else if (s === null) state.push(t('live.state.none'))
  else {
    state.push(t(`live.state.${live.running && s.state === 'paused' ? 'running' : s.state}`))
    if (!live.running && s.stop !== null && s.state !== 'running')
      state.push(t(`live.stop.${s.stop}`, { code: s.exitCode ?? '' }))
    figures.push(t('live.time', { time: seconds.format(s.cycles / CPU_HZ) }))
    figures.push(t('live.instructions', { count: number.format(s.instructions) }))
  }
  const vmNotes = (s?.vms ?? []).flatMap((vm) =>
    vm.state === 'crashed'
      ? [t('live.vmCrashed', { vm: vmName(vm.index) })]
      : vm.halted
        ? [t('live.vmHalted', { vm: vmName(vm.index) })]
        : vm.state === 'off'
          ? [t('live.vmOff', { vm: vmName(vm.index) })]
          : [],
  )
  const p = live.progress
  const problem = live.problem
  const scenario = live.scenario
  return (
    <div className="rs-live-status">
      <p
        data-testid="live-status"
        data-state={live.phase === 'loading' ? 'loading' : (s?.state ?? 'none')}
        data-running={live.running}
        data-stop={s?.stop ?? undefined}
        data-cycles={s?.cycles}
        data-instructions={s?.instructions}
      >
        <span role="status">
          {state.join(' · ')}
          {vmNotes.length > 0 && <strong data-testid="vm-stopped"> · {vmNotes.join(' · ')}</strong>}
        </span>
        {figures.length > 0 && ` · ${figures.join(' · ')}`}
      </p>
      {p !== null && (
        <p className="rs-live-progress">
          <progress value={p.loaded} max={p.total ?? undefined} aria-labelledby="rs-live-progress-label" />
          <span id="rs-live-progress-label">
            {p.total === null
              ? t('live.loading', { file: p.file, loaded: kilobytes(p.loaded) })
              : t('live.loadingOf', { file: p.file, loaded: kilobytes(p.loaded), total: kilobytes(p.total) })}
          </span>
        </p>
      )}
      {problem !== null && (
        <p className="rs-live-problem" data-testid="live-problem" data-kind={problem.kind}>
          {problem.kind === 'no-model'
            ? t('live.noModel', {
                arch: archName(problem.arch),
                available: problem.available.map(archName).join(i18n.language.startsWith('zh') ? '、' : ', '),
              })
            : problem.kind === 'no-guest'
              ? t('live.noGuest', { arch: archName(problem.arch) })
              : t('live.loadFailed', { message: problem.message })}
        </p>
      )}
      {live.config !== null && live.vmsRunning !== null && live.vmsRunning < live.config.vms && (
        <p className="rs-live-note">
          {t('live.vmLimit', { arch: archName(live.config.arch), max: live.vmsRunning, n: live.vmsRunning })}
        </p>
      )}
      {scenario !== null && (
        <p className="rs-live-note" data-testid="scenario-state" data-state={scenario.state}>
          {t(`live.scenarioState.${scenario.state}`, {
            name: t(`live.scenarios.${scenario.id}`),
            done: Math.min(scenario.done + 1, scenario.steps),
            steps: scenario.steps,
          })}
        </p>
      )}
    </div>
  )
}

const canStep = (s: SessionStatus | null) => s !== null && s.state !== 'stopped' && s.state !== 'failed'

/**
 * The live view's controls: scenario, run, pause, step (with its unit), restart and speed, and where
 * the machine is (state, stop reason, virtual time, instructions) with the current flow's caption.
 */
export function LiveControls() {
  useLiveSync()
  const { t, i18n } = useTranslation()
  const live = useApp(useShallow(selectLive))
  const setLive = useApp((s) => s.setLive)
  const { stepping, running, hasSession, shell, images, image, arch } = useSession(
    useShallow((s) => ({
      arch: s.live.config?.arch ?? null,
      stepping: canStep(s.live.status),
      running: s.live.running,
      hasSession: s.live.session !== null,
      shell: s.live.session?.shell ?? null,
      images: s.live.images,
      image: s.live.image,
    })),
  )
  const speedIndex = Math.max(
    0,
    RUN_SPEEDS.findIndex((s) => s.id === live.speed),
  )
  const archName = useSession((s) => s.live.session?.arch ?? '')
  const msgs = architectureMessages(i18n.language)
  const shellArch = isArchId(archName) ? msgs.names[archName] : archName
  return (
    <section className="rs-live" aria-labelledby="rs-live-title" data-testid="live-controls">
      <h2 id="rs-live-title" className="rs-visually-hidden">
        {t('live.toolbar')}
      </h2>
      <div className="rs-live-row">
        <div className="rs-live-group">
          <label className="rs-field">
            <span>{t('live.scenario')}</span>
            <select
              data-testid="scenario-picker"
              value={live.scenario}
              onChange={(e) => isScenarioId(e.target.value) && setLive({ scenario: e.target.value })}
            >
              {SCENARIOS.map((s) => {
                const runs = !hasSession || scenarioRuns(s, shell)
                return (
                  <option
                    key={s.id}
                    value={s.id}
                    disabled={!runs}
                    title={runs ? undefined : t('live.scenarioNeedsShell', { arch: shellArch })}
                  >
                    {t(`live.scenarios.${s.id}`)}
                  </option>
                )
              })}
            </select>
          </label>
          <ActionButton
            action="live.scenario"
            testId="scenario-run"
            disabled={!hasSession || !scenarioRuns(scenarioById(live.scenario), shell)}
          />
        </div>
        <div className="rs-live-group">
          <ActionButton action="live.run" testId="run" primary disabled={!stepping || running} />
          <ActionButton action="live.pause" testId="pause" disabled={!running} />
          <ActionButton action="live.step" testId="step" disabled={!stepping} />
          <label className="rs-field">
            <span>{t('live.stepUnit')}</span>
            <select
              data-testid="step-unit"
              value={live.stepUnit}
              onChange={(e) => {
                const unit = STEP_UNITS.find((u) => u === e.target.value)
                if (unit !== undefined) setLive({ stepUnit: unit as StepUnit })
              }}
            >
              {STEP_UNITS.map((u) => (
                <option key={u} value={u}>
                  {t(`live.stepUnits.${u}`)}
                </option>
              ))}
            </select>
          </label>
          <ActionButton action="live.reset" testId="reset" disabled={!hasSession} />
        </div>
        <div className="rs-live-group">
          <label className="rs-field rs-live-speed">
            <span>{t('live.speed')}</span>
            <input
              type="range"
              data-testid="speed"
              min={0}
              max={RUN_SPEEDS.length - 1}
              step={1}
              value={speedIndex}
              aria-valuetext={t(`live.speeds.${live.speed}`)}
              onChange={(e) => {
                const next = RUN_SPEEDS[Number(e.target.value)]?.id
                if (next === undefined) return
                setLive({ speed: next })
              }}
            />
            <output data-testid="speed-label" data-speed={live.speed}>
              {t(`live.speeds.${live.speed}`)}
            </output>
          </label>
          {images.length > 1 && image !== null && arch !== null && (
            <label className="rs-field">
              <span>{t('live.guest')}</span>
              <select
                data-testid="guest-picker"
                value={image}
                onChange={(e) => setLive({ guests: { ...live.guests, [arch]: e.target.value } })}
              >
                {images.map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </select>
            </label>
          )}
        </div>
      </div>
      <StatusLine />
      <FlowCaption speed={live.speed} />
    </section>
  )
}
