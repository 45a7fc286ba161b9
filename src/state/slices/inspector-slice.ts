import type { InspectRequest, TaskHint } from '../../engine/session/inspect-request'
import type { SessionDetail } from '../../engine/session/inspection'
import { TraceBuffer } from '../trace-buffer'
import type { SessionSlice } from './slice'

/** While a run goes on, the inspector asks the engine at most this often (milliseconds). */
export const RUNNING_REFRESH_MS = 250

export interface InspectorState {
  /** The VM shown in detail (1-based). */
  readonly vm: number
  /** The linear address whose page walk is shown, or null. */
  readonly address: number | null
  /** The engine's answer, or null before the first one (or without a session). */
  readonly detail: SessionDetail | null
  /** Requests answered so far (tests and views wait on it). */
  readonly answers: number
}

export interface InspectorSlice {
  readonly inspector: InspectorState
  /**
   * The event stream kept for the timeline and the counters (not React state: read it when `stream`
   * changes, at most once per frame, or in an animation frame).
   */
  readonly trace: TraceBuffer
  selectVm(vm: number): void
  /** Picks the address to walk (null: none). */
  pickAddress(address: number | null): void
  /** Where the guest keeps its current task (from its symbol map), so the inspector can name it. */
  setTaskHint(hint: TaskHint | null): void
  /** The symbol map of the guest image the session runs (guest/tools/mkmap.mjs), as bytes; null when there is none. */
  guestMapBytes(): Promise<Uint8Array | null>
}

const INITIAL: InspectorState = { vm: 1, address: null, detail: null, answers: 0 }

/**
 * The inspector's data and the kept event stream. The inspector's view comes from the engine's
 * `inspectVm` command: after every step, pause and stop, and at most every {@link RUNNING_REFRESH_MS}
 * while running; the timeline's records come from the client's event batches as they arrive.
 */
export const createInspectorSlice: SessionSlice<InspectorSlice> = (
  set,
  get,
  { client, report, track, subscribe, now, guests },
) => {
  const trace = new TraceBuffer()
  const setInspector = (patch: Partial<InspectorState>) =>
    set((s) => ({ inspector: { ...s.inspector, ...patch } }))
  let task: TaskHint | null = null
  let inFlight = false
  let again = false
  let timer: ReturnType<typeof setTimeout> | null = null
  let lastAsked = -Infinity
  /** Increases with each session: an answer about an older one is dropped. */
  let generation = 0

  track(client.onEvents(trace.consume))

  const running = () => get().live.running || get().live.status?.state === 'running'

  async function ask(): Promise<void> {
    if (get().live.session === null) return
    if (inFlight) {
      again = true
      return
    }
    inFlight = true
    const gen = generation
    const { vm, address } = get().inspector
    const request: InspectRequest = {
      vm,
      ...(address === null ? {} : { linear: address }),
      ...(task === null ? {} : { task }),
    }
    try {
      lastAsked = now()
      const detail = await client.call('inspectVm', request)
      if (gen === generation) setInspector({ detail, answers: get().inspector.answers + 1 })
    } catch (err) {
      // A session that went away meanwhile is not an error worth showing.
      if (gen === generation && get().live.session !== null) report(err)
    } finally {
      inFlight = false
      if (again) {
        again = false
        requestAnswer()
      }
    }
  }

  /** Asks now when paused, else no more often than the running rate. */
  function requestAnswer(): void {
    const live = running()
    if (timer !== null) {
      if (live) return
      clearTimeout(timer)
      timer = null
    }
    const wait = live ? Math.max(0, lastAsked + RUNNING_REFRESH_MS - now()) : 0
    if (wait === 0) void ask()
    else
      timer = setTimeout(() => {
        timer = null
        void ask()
      }, wait)
  }

  track(
    subscribe((s, prev) => {
      if (s.live.session !== prev.live.session) {
        generation++
        trace.clear()
        setInspector({ detail: null, vm: Math.min(s.inspector.vm, s.live.session?.vms.length ?? 1) })
        if (s.live.session !== null) requestAnswer()
      } else if (s.live.status !== prev.live.status || s.live.running !== prev.live.running) {
        if (s.live.status !== null && s.live.status.epoch !== prev.live.status?.epoch) trace.clear()
        requestAnswer()
      }
    }),
  )
  track({
    dispose: () => {
      if (timer !== null) clearTimeout(timer)
    },
  })

  return {
    inspector: INITIAL,
    trace,
    selectVm: (vm) => {
      const vms = get().live.session?.vms.length ?? 1
      setInspector({ vm: Math.max(1, Math.min(vms, Math.floor(vm))) })
      requestAnswer()
    },
    pickAddress: (address) => {
      setInspector({ address: address === null ? null : address >>> 0 })
      requestAnswer()
    },
    setTaskHint: (hint) => {
      task = hint
      requestAnswer()
    },
    guestMapBytes: async () => {
      // The image the session runs (the one asked for may not run on the architecture).
      const name = get().live.image
      if (guests === null || name === null) return null
      const map = (await guests.images()).find((i) => i.name === name)?.map
      return map === undefined ? null : guests.file(map)
    },
  }
}
