import type { FetchProgress } from '../../client/guest-images'
import type { ArchId } from '../../engine/hv/architectures'
import type { ShellResult } from '../../engine/hv/management'
import { manageLine, scenario as scenarioById, type ScenarioId } from '../../engine/session/scenarios'
import type { StepUnit } from '../../engine/session/session'
import { utf8Encode } from '../../engine/util/utf8'
import type { ModelInfo, SessionInfo, SessionStatus } from '../../worker/protocol'
import { ConsoleBuffers } from '../console-buffers'
import { chooseGuest, runsOn } from './guest-platforms'
import { DEFAULT_SPEED, runSpeed, type RunSpeedId } from './run-speed'
import type { SessionSlice } from './slice'

/** What the user asked to run: the diagram's architecture and VM count, and a guest image. */
export interface LiveConfig {
  readonly arch: ArchId
  readonly vms: number
  /** The image to boot, if it runs on `arch` (else the architecture's default: {@link chooseGuest}). */
  readonly guest: string
}

/** Why there is no session to run. */
export type LiveProblem =
  | { readonly kind: 'no-model'; readonly arch: string; readonly available: readonly string[] }
  /** No image in guests.json runs on the architecture. */
  | { readonly kind: 'no-guest'; readonly arch: string }
  | { readonly kind: 'load'; readonly message: string }

export interface ScenarioProgress {
  readonly id: ScenarioId
  /** Steps done. */
  readonly done: number
  readonly steps: number
  readonly state: 'running' | 'done' | 'failed' | 'cancelled'
}

/** One command of the management shell and what it printed. */
export interface ManagementEntry {
  readonly id: number
  readonly line: string
  readonly output: string
  readonly exitCode: number
  readonly attachConsole?: number
  /** Typed in the shell terminal, or run by a scenario (the terminal then shows the line too). */
  readonly source: 'terminal' | 'scenario'
}

export interface LiveState {
  /** `loading`: fetching the guest or creating the session; `ready`: a session exists; `unavailable`: see `problem`. */
  readonly phase: 'idle' | 'loading' | 'ready' | 'unavailable'
  readonly config: LiveConfig | null
  readonly progress: FetchProgress | null
  readonly session: SessionInfo | null
  readonly status: SessionStatus | null
  /** The user's run is going (continuous, or flow by flow in slow motion). */
  readonly running: boolean
  /** The diagram's animation holds still: the user paused, and has not run, stepped or asked for a demonstration since. */
  readonly held: boolean
  readonly problem: LiveProblem | null
  readonly scenario: ScenarioProgress | null
  readonly management: readonly ManagementEntry[]
  /** The guest images guests.json offers for the architecture, by name (known once a session has been opened). */
  readonly images: readonly string[]
  /** The image the session runs: the chosen one if it runs on the architecture, else its default. */
  readonly image: string | null
  /** Counts openSession calls: views of a session (a terminal's contents) start over when it changes. */
  readonly serial: number
}

/**
 * Shows one flow before the next is asked for (slow motion); resolves when the diagram is done with
 * the flows delivered so far. The UI sets it; without one, the next flow follows after a pause.
 */
export type FlowPacer = () => Promise<void>

export interface LiveSlice {
  readonly live: LiveState
  /** Every VM console's output (not React state: terminals subscribe to it). */
  readonly consoles: ConsoleBuffers
  /** Starts a session for `config` (again, if it is the current one); waits for the engine if needed. */
  openSession(config: LiveConfig): Promise<void>
  /** The same session afresh: VMs powered on from their images. */
  resetSession(): Promise<void>
  /** Runs at the speed set with {@link setSpeed} until paused or the machine stops. */
  run(): Promise<void>
  /** The speed of runs from now on, and of the one in progress. */
  setSpeed(speed: RunSpeedId): Promise<void>
  /** Stops the run; the diagram's animation holds still until the next run, step or scenario. */
  pause(): Promise<void>
  /** Holds the diagram's animation still, or lets it go on (a demonstration while paused). */
  setHeld(held: boolean): void
  step(unit: StepUnit): Promise<void>
  typeInto(vm: number, text: string): void
  manage(line: string, source?: ManagementEntry['source']): Promise<ShellResult | null>
  runScenario(id: ScenarioId): Promise<void>
  setFlowPacer(pacer: FlowPacer | null): void
}

const MAX_MANAGEMENT_ENTRIES = 200
const DEFAULT_FLOW_PAUSE_MS = 1500

const INITIAL: LiveState = {
  phase: 'idle',
  config: null,
  progress: null,
  session: null,
  status: null,
  running: false,
  held: false,
  problem: null,
  scenario: null,
  management: [],
  images: [],
  image: null,
  serial: 0,
}

/**
 * The live session: choosing and loading what runs, running it at a speed (the worker paces virtual
 * time; slow motion is driven from here, one flow at a time), stepping, console input, the management
 * shell, and scenarios as sequences of those same commands. An engine restart re-creates the session
 * with the same choices.
 */
export const createLiveSlice: SessionSlice<LiveSlice> = (
  set,
  get,
  { client, counter, report, guests, track },
) => {
  const consoles = new ConsoleBuffers()
  const setLive = (patch: Partial<LiveState>) => set((s) => ({ live: { ...s.live, ...patch } }))
  let models: Promise<readonly ModelInfo[]> | null = null
  /** Increases with each openSession: an older one that is still loading gives up. */
  let generation = 0
  /** Increases when a run or scenario must stop (pause, another run, a new session). */
  let runToken = 0
  let pacer: FlowPacer | null = null
  let speed: RunSpeedId = DEFAULT_SPEED
  /** The worker's continuous run in progress, if any. */
  let workerRun: { untilIdle: boolean } | null = null
  let nextEntry = 1

  track(client.onConsole((chunk) => consoles.append(chunk)))
  track(
    client.onSession((status) => {
      if (get().live.session !== null) setLive({ status })
    }),
  )
  track(
    client.onStatus((change) => {
      if (change.status === 'ready') {
        models = null
        const config = get().live.config
        if (config !== null) void get().openSession(config)
      } else if (change.status === 'failed' || change.status === 'connecting') {
        runToken++
        setLive({
          running: false,
          session: null,
          status: null,
          // A dead engine is shown by the engine's error; a new one brings the session back.
          phase: change.status === 'connecting' && get().live.config !== null ? 'loading' : 'idle',
        })
      }
    }),
  )

  const stopped = (s: SessionStatus) => s.state === 'stopped' || s.state === 'failed'

  /**
   * Runs at the current speed until paused, stopped, or (with `until`) until it says so: the worker's
   * paced run, or slow motion flow by flow, each flow shown before the next is asked for. A change of
   * speed while running retunes the worker's pace or switches between the two.
   */
  async function runAt(token: number, until: (() => boolean) | null): Promise<SessionStatus | null> {
    for (;;) {
      const { cyclesPerSecond } = runSpeed(speed)
      if (cyclesPerSecond === null) {
        const status = await client.call('step', { unit: 'flow' })
        if (token !== runToken || stopped(status) || (until?.() ?? false)) return status
        await (pacer ?? (() => new Promise<void>((r) => setTimeout(r, DEFAULT_FLOW_PAUSE_MS))))()
        if (token !== runToken) return null
        continue
      }
      workerRun = { untilIdle: until !== null }
      const status = await client.call('run', { cyclesPerSecond, untilIdle: until !== null }).finally(() => {
        workerRun = null
      })
      // Paused to switch to slow motion: go on flow by flow.
      if (token === runToken && status.state === 'paused' && runSpeed(speed).cyclesPerSecond === null)
        continue
      return status
    }
  }

  async function stopRunning(): Promise<void> {
    runToken++
    if (get().live.running && get().live.session !== null) await client.call('pause', {})
  }

  async function manage(line: string, source: ManagementEntry['source']): Promise<ShellResult | null> {
    try {
      const r = await client.call('manage', { line })
      const entry: ManagementEntry = { id: nextEntry++, line, source, ...r }
      setLive({ management: [...get().live.management, entry].slice(-MAX_MANAGEMENT_ENTRIES) })
      return r
    } catch (err) {
      report(err)
      return null
    }
  }

  return {
    live: INITIAL,
    consoles,

    openSession: async (config) => {
      const gen = ++generation
      runToken++
      consoles.clear()
      setLive({
        ...INITIAL,
        config,
        phase: 'loading',
        images: get().live.images,
        serial: get().live.serial + 1,
        scenario: get().live.scenario?.state === 'running' ? get().live.scenario : null,
      })
      if (client.status !== 'ready') return // the engine's `ready` opens it
      const current = () => gen === generation
      try {
        models ??= client.call('architectures', {})
        const model = (await models).find((m) => m.id === config.arch)
        if (!current()) return
        if (model === undefined) {
          const available = (await models).map((m) => m.id)
          return setLive({
            phase: 'unavailable',
            problem: { kind: 'no-model', arch: config.arch, available },
          })
        }
        if (guests === null) throw new Error('no guest images')
        const all = await guests.images()
        const images = all.filter((i) => runsOn(config.arch, i.platform))
        const image = chooseGuest(config.arch, all, config.guest)
        if (!current()) return
        setLive({ images: images.map((i) => i.name), image: image?.name ?? null })
        if (image === undefined)
          return setLive({ phase: 'unavailable', problem: { kind: 'no-guest', arch: config.arch } })
        const progress = (p: FetchProgress) => current() && setLive({ progress: p })
        const elf = await guests.file(image.elf, progress)
        const disk = image.disk === null ? undefined : await guests.file(image.disk, progress)
        if (!current()) return
        const vms = Array.from({ length: Math.min(config.vms, model.maxVms) }, () => ({
          image: elf,
          platform: image.platform,
          ...(disk === undefined ? {} : { disk }),
        }))
        const info = await client.call('createSession', { arch: config.arch, vms })
        if (!current()) return
        counter.newStream()
        setLive({ phase: 'ready', progress: null, session: info, status: info.status })
      } catch (err) {
        if (!current()) return
        report(err)
        const message = err instanceof Error ? err.message : String(err)
        setLive({ phase: 'unavailable', progress: null, problem: { kind: 'load', message } })
      }
    },

    resetSession: async () => {
      const config = get().live.config
      if (config !== null) await get().openSession(config)
    },

    run: async () => {
      if (get().live.session === null) return
      await stopRunning()
      const token = runToken
      setLive({ running: true, held: false })
      try {
        await runAt(token, null)
      } catch (err) {
        report(err)
      } finally {
        if (token === runToken) setLive({ running: false })
      }
    },

    setSpeed: async (next) => {
      const was = runSpeed(speed).cyclesPerSecond
      speed = next
      const now = runSpeed(next).cyclesPerSecond
      if (workerRun === null) return
      try {
        // The worker retunes the run in progress; slow motion takes over once it has paused.
        if (now === null) await client.call('pause', {})
        else if (now !== was)
          void client.call('run', { cyclesPerSecond: now, untilIdle: workerRun.untilIdle }).catch(report)
      } catch (err) {
        report(err)
      }
    },

    pause: async () => {
      try {
        await stopRunning()
      } catch (err) {
        report(err)
      }
      setLive({ running: false, held: true })
      const s = get().live.scenario
      if (s?.state === 'running') setLive({ scenario: { ...s, state: 'cancelled' } })
    },

    setHeld: (held) => setLive({ held }),

    step: async (unit) => {
      if (get().live.session === null) return
      await get().pause()
      setLive({ held: false })
      try {
        await client.call('step', { unit })
      } catch (err) {
        report(err)
      }
    },

    typeInto: (vm, text) => {
      if (get().live.session === null || text.length === 0) return
      const bytes = utf8Encode(text)
      for (let at = 0; at < bytes.length; at += 4096)
        client.call('input', { vm, bytes: bytes.subarray(at, at + 4096) }).catch(report)
    },

    manage: (line, source = 'terminal') => manage(line, source),

    runScenario: async (id) => {
      const steps = scenarioById(id).steps
      const progress = (done: number, state: ScenarioProgress['state']) =>
        setLive({ scenario: { id, done, steps: steps.length, state } })
      await stopRunning()
      let token = runToken
      progress(0, 'running')
      setLive({ running: true, held: false })
      // Console bytes of the VM when the last line was typed: a wait needs new output ending in the prompt.
      let typedAt = -1
      try {
        for (const [i, step] of steps.entries()) {
          if (token !== runToken) return progress(i, 'cancelled')
          switch (step.kind) {
            case 'reset':
              await get().resetSession()
              if (get().live.session === null) return progress(i, 'failed')
              token = ++runToken
              setLive({ running: true })
              break
            case 'wait': {
              const prompted = () =>
                consoles.total(step.vm) > typedAt && consoles.endsWith(step.vm, step.prompt)
              const status = await runAt(token, prompted)
              if (status !== null && stopped(status)) return progress(i, 'failed')
              break
            }
            case 'type':
              typedAt = consoles.total(step.vm)
              await client.call('input', { vm: step.vm, bytes: utf8Encode(step.text) })
              break
            case 'manage': {
              const line = manageLine(step, get().live.session?.shell ?? [])
              if (line === null) return progress(i, 'failed')
              await manage(line, 'scenario')
              break
            }
          }
          if (token !== runToken) return progress(i, 'cancelled')
          progress(i + 1, 'running')
        }
        progress(steps.length, 'done')
        // The machine goes on running, so what the user types next is answered.
        await runAt(token, null)
      } catch (err) {
        report(err)
        progress(get().live.scenario?.done ?? 0, 'failed')
      } finally {
        if (token === runToken) setLive({ running: false })
      }
    },

    setFlowPacer: (p) => {
      pacer = p
    },
  }
}
