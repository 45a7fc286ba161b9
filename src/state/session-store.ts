import { createStore, type StoreApi } from 'zustand/vanilla'
import { EngineError, type ClientStatus, type EngineClient } from '../client/engine-client'
import { EventKind } from '../engine/trace/schema'
import {
  toErrorInfo,
  type EngineErrorInfo,
  type FaultMode,
  type HelloResult,
  type SynthPace,
} from '../worker/protocol'
import { EventCounter } from './event-counter'

/** The engine connection as the UI shows it. */
export interface EngineState {
  readonly status: ClientStatus
  readonly hello: HelloResult | null
  /** The last failure, until dismissed or the engine restarts. */
  readonly error: EngineErrorInfo | null
  readonly pingMs: number | null
}

/**
 * High-rate figures about the event stream, published at most once per animation frame. Read them
 * through `store.subscribe` into the DOM, not as React state (re-rendering per frame is the cost).
 */
export interface StreamStats {
  readonly received: number
  readonly dropped: number
  readonly seqErrors: number
  /** Records per second over the last publishing interval. */
  readonly rate: number
  readonly byKind: Readonly<Float64Array>
}

export interface SynthOutcome {
  readonly requested: number
  /** Generated events that arrived (Dropped reports not counted). */
  readonly received: number
  readonly dropped: number
  readonly seqErrors: number
  readonly ms: number
  readonly eventsPerSecond: number
}

export interface SessionState {
  readonly engine: EngineState
  readonly stream: StreamStats
  readonly synth: { readonly running: boolean; readonly outcome: SynthOutcome | null }
  connect(): Promise<void>
  restart(): Promise<void>
  ping(): Promise<void>
  dismissError(): void
  runSynth(count: number, pace: SynthPace): Promise<SynthOutcome | null>
  fault(mode: FaultMode): Promise<void>
}

export type SessionStore = StoreApi<SessionState> & {
  readonly client: EngineClient
  /** Stops listening to the client (the client itself belongs to the caller). */
  dispose(): void
}

export interface SessionStoreOptions {
  /** Schedules one publication of stream figures (requestAnimationFrame in the browser). */
  readonly schedule?: (callback: () => void) => void
  /** Milliseconds, for rates and timings (performance.now in the browser). */
  readonly now?: () => number
}

const EMPTY_STATS: StreamStats = {
  received: 0,
  dropped: 0,
  seqErrors: 0,
  rate: 0,
  byKind: new Float64Array(256),
}

/**
 * One store per engine session (DESIGN §7): the UI of a side-by-side comparison is two of these,
 * each under its own provider. The store listens to its client; actions call it.
 */
export function createSessionStore(client: EngineClient, options: SessionStoreOptions = {}): SessionStore {
  const schedule = options.schedule ?? ((cb: () => void) => void setTimeout(cb, 16))
  const now = options.now ?? (() => performance.now())
  const counter = new EventCounter()
  let published = false
  let rateWindow = { at: now(), received: 0 }

  const store = createStore<SessionState>()((set, get) => {
    const setEngine = (patch: Partial<EngineState>) => set((s) => ({ engine: { ...s.engine, ...patch } }))
    const report = (err: unknown) => {
      // A command cut short by a restart or disposal is not a failure to show.
      if (err instanceof EngineError && err.code === 'disposed') return
      setEngine({ error: err instanceof EngineError ? err.toInfo() : toErrorInfo(err) })
    }
    return {
      engine: { status: client.status, hello: client.hello, error: null, pingMs: null },
      stream: EMPTY_STATS,
      synth: { running: false, outcome: null },
      connect: () => client.connect().then(() => undefined, report),
      restart: () => client.restart().then(() => undefined, report),
      dismissError: () => setEngine({ error: null }),
      ping: async () => {
        const t0 = now()
        try {
          await client.call('ping', { nonce: Math.floor(t0) })
          setEngine({ pingMs: now() - t0 })
        } catch (err) {
          report(err)
        }
      },
      runSynth: async (count, pace) => {
        if (get().synth.running) return null
        set({ synth: { running: true, outcome: get().synth.outcome } })
        const before = {
          received: counter.received,
          dropped: counter.dropped,
          reports: counter.byKind[EventKind.Dropped],
          seqErrors: counter.seqErrors,
        }
        const t0 = now()
        let outcome: SynthOutcome | null = null
        try {
          await client.call('synth', { count, seed: 1, pace })
          const ms = now() - t0
          const received =
            counter.received - before.received - (counter.byKind[EventKind.Dropped] - before.reports)
          outcome = {
            requested: count,
            received,
            dropped: counter.dropped - before.dropped,
            seqErrors: counter.seqErrors - before.seqErrors,
            ms,
            eventsPerSecond: ms > 0 ? (received / ms) * 1000 : 0,
          }
        } catch (err) {
          report(err)
        }
        set({ synth: { running: false, outcome } })
        return outcome
      },
      fault: (mode) => client.call('fault', { mode }).then(() => undefined, report),
    }
  })

  function publish(): void {
    published = false
    const t = now()
    const prev = store.getState().stream
    let rate = prev.rate
    // Rates over at least a quarter second, so the figure is readable.
    if (t - rateWindow.at >= 250) {
      rate = ((counter.received - rateWindow.received) / (t - rateWindow.at)) * 1000
      rateWindow = { at: t, received: counter.received }
    }
    if (prev.received !== counter.received || prev.rate !== rate || prev.seqErrors !== counter.seqErrors)
      store.setState({
        stream: {
          received: counter.received,
          dropped: counter.dropped,
          seqErrors: counter.seqErrors,
          rate,
          byKind: counter.byKind.slice(),
        },
      })
    // Keep measuring until the stream has been idle for a whole interval (the rate then reads 0).
    if (rate > 0) requestPublish()
  }

  function requestPublish(): void {
    if (published) return
    published = true
    schedule(publish)
  }

  const events = client.onEvents((view, start, count) => {
    counter.consume(view, start, count)
    requestPublish()
  })

  const status = client.onStatus((change) => {
    if (change.status === 'connecting') {
      counter.reset()
      rateWindow = { at: now(), received: 0 }
      store.setState({ stream: EMPTY_STATS })
    }
    store.setState((s) => ({
      engine: {
        ...s.engine,
        status: change.status,
        hello: change.hello ?? (change.status === 'ready' ? s.engine.hello : null),
        error: change.error ? change.error.toInfo() : change.status === 'connecting' ? null : s.engine.error,
        pingMs: change.status === 'ready' ? s.engine.pingMs : null,
      },
    }))
  })

  return Object.assign(store, {
    client,
    dispose: () => {
      events.dispose()
      status.dispose()
    },
  })
}
