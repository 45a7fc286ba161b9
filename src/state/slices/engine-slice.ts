import type { ClientStatus } from '../../client/engine-client'
import type { EngineErrorInfo, HelloResult } from '../../worker/protocol'
import type { SessionSlice } from './slice'

/** The engine connection as the UI shows it. */
export interface EngineState {
  readonly status: ClientStatus
  readonly hello: HelloResult | null
  /** The last failure, until dismissed or the engine restarts. */
  readonly error: EngineErrorInfo | null
  readonly pingMs: number | null
}

export interface EngineSlice {
  readonly engine: EngineState
  connect(): Promise<void>
  restart(): Promise<void>
  ping(): Promise<void>
  dismissError(): void
}

export const createEngineSlice: SessionSlice<EngineSlice> = (set, _get, { client, now, report }) => {
  const setEngine = (patch: Partial<EngineState>) => set((s) => ({ engine: { ...s.engine, ...patch } }))
  return {
    engine: { status: client.status, hello: client.hello, error: null, pingMs: null },
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
  }
}
