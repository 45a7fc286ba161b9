import { EventKind } from '../../engine/trace/schema'
import type { FaultMode, SynthPace } from '../../worker/protocol'
import type { SessionSlice } from './slice'

export interface SynthOutcome {
  readonly requested: number
  /** Generated events that arrived (Dropped reports not counted). */
  readonly received: number
  readonly dropped: number
  readonly seqErrors: number
  readonly ms: number
  readonly eventsPerSecond: number
}

/** Probes of the engine from the About panel: synthetic event runs and fault drills. */
export interface DiagnosticsSlice {
  readonly synth: { readonly running: boolean; readonly outcome: SynthOutcome | null }
  /** Runs the synthetic generator and measures, on this thread, what arrived and how fast. */
  runSynth(count: number, pace: SynthPace): Promise<SynthOutcome | null>
  fault(mode: FaultMode): Promise<void>
}

export const createDiagnosticsSlice: SessionSlice<DiagnosticsSlice> = (
  set,
  get,
  { client, counter, now, report },
) => ({
  synth: { running: false, outcome: null },
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
})
