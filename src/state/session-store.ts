import { createStore, type StoreApi } from 'zustand/vanilla'
import { EngineError, type Disposable, type EngineClient } from '../client/engine-client'
import type { GuestLibrary } from '../client/guest-images'
import { toErrorInfo } from '../worker/protocol'
import { EventCounter } from './event-counter'
import { createDiagnosticsSlice, type DiagnosticsSlice } from './slices/diagnostics-slice'
import { createEngineSlice, type EngineSlice } from './slices/engine-slice'
import { createInspectorSlice, type InspectorSlice } from './slices/inspector-slice'
import { createLiveSlice, type LiveSlice } from './slices/live-slice'
import type { SessionDeps } from './slices/slice'

export type { EngineState } from './slices/engine-slice'
export type { SynthOutcome } from './slices/diagnostics-slice'

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

export interface StreamSlice {
  readonly stream: StreamStats
}

/** A session's state: the union of its slices (src/state/slices/). */
export type SessionState = EngineSlice & StreamSlice & DiagnosticsSlice & LiveSlice & InspectorSlice

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
  /** Guest images for live sessions (public/guests/ beside the page). */
  readonly guests?: GuestLibrary
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
  const tracked: Disposable[] = []

  const store = createStore<SessionState>()((set, get, api) => {
    const deps: SessionDeps = {
      client,
      counter,
      now,
      guests: options.guests ?? null,
      track: (d) => void tracked.push(d),
      subscribe: (listener) => {
        const unsubscribe = api.subscribe(listener)
        return { dispose: unsubscribe }
      },
      report: (err) => {
        if (err instanceof EngineError && err.code === 'disposed') return
        const error = err instanceof EngineError ? err.toInfo() : toErrorInfo(err)
        set((s) => ({ engine: { ...s.engine, error } }))
      },
    }
    return {
      ...createEngineSlice(set, get, deps),
      stream: EMPTY_STATS,
      ...createDiagnosticsSlice(set, get, deps),
      ...createLiveSlice(set, get, deps),
      ...createInspectorSlice(set, get, deps),
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
      for (const d of tracked.splice(0)) d.dispose()
    },
  })
}
