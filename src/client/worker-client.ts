import { RecordView } from '../engine/trace/codec'
import { EventRing } from '../engine/trace/transport-ring'
import { assertNever } from '../engine/types'
import { parseFromWorker, type CommandName, type ToWorker, type TransportSetup } from '../worker/protocol'
import { ClientBase } from './client-base'

/** The main thread's side of a worker: a Worker, or a MessagePort in tests. */
export interface WorkerEndpoint {
  post(message: ToWorker, transfer: Transferable[]): void
  /** Registers the handlers; called once, right after the endpoint is made. */
  listen(onMessage: (data: unknown) => void, onError: (message: string) => void): void
  terminate(): void
}

export interface WorkerClientOptions {
  readonly spawn: () => WorkerEndpoint
  readonly transport: 'transfer' | 'ring'
  /** Records per batch (default 16384: 768 KiB). */
  readonly batchRecords?: number
  /** Transfer mode: unacknowledged batches before the worker drops (default 8). */
  readonly maxInFlight?: number
  /** Ring mode: ring capacity in records, a power of two (default 2^17: 6 MiB). */
  readonly ringRecords?: number
  readonly connectTimeoutMs?: number
}

/** Wraps a module Worker as an endpoint. */
export function workerEndpoint(worker: Worker): WorkerEndpoint {
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    listen(onMessage, onError) {
      worker.onmessage = (ev) => onMessage(ev.data)
      worker.onerror = (ev) => {
        ev.preventDefault()
        onError(ev.message || 'the engine worker failed to start or threw an uncaught error')
      }
      worker.onmessageerror = () => onError('a message from the engine worker could not be read')
    },
    terminate: () => worker.terminate(),
  }
}

/** Spawns the engine worker that Vite builds from src/worker/engine.worker.ts. */
export function spawnEngineWorker(): WorkerEndpoint {
  return workerEndpoint(
    new Worker(new URL('../worker/engine.worker.ts', import.meta.url), {
      type: 'module',
      name: 'ringside-engine',
    }),
  )
}

/**
 * The transport a page can use: the SharedArrayBuffer ring needs cross-origin isolation
 * (COOP same-origin + COEP require-corp); otherwise batches are transferred.
 */
export function pickTransport(requested: string | null, isolated: boolean): 'transfer' | 'ring' {
  if (requested === 'transfer') return 'transfer'
  return isolated && typeof SharedArrayBuffer === 'function' ? 'ring' : 'transfer'
}

/** Main-thread time one task may spend reading the ring (milliseconds). */
const DRAIN_MS = 6
/** Records read between two looks at the clock. */
const DRAIN_RUN = 4096

/** A macrotask on the main thread that is not clamped like nested timeouts. */
function postTask(): (task: () => void) => void {
  const channel = new MessageChannel()
  let queued: (() => void) | null = null
  channel.port1.onmessage = () => {
    const task = queued
    queued = null
    task?.()
  }
  return (task) => {
    queued = task
    channel.port2.postMessage(null)
  }
}

/**
 * {@link EngineClient} over a Web Worker. Commands are posted as `call` messages; events arrive as
 * transferred batches (each acknowledged by transferring the buffer back, which bounds the worker's
 * backlog) or through a SharedArrayBuffer {@link EventRing} drained when its doorbell rings.
 */
export class WorkerClient extends ClientBase {
  private endpoint: WorkerEndpoint | null = null
  private ring: EventRing | null = null
  private generation = 0
  private drainQueued = false
  private readonly later = postTask()
  private readonly consume = (view: RecordView, start: number, count: number) =>
    this.dispatch(view, start, count)

  constructor(private readonly options: WorkerClientOptions) {
    super()
    if (options.connectTimeoutMs !== undefined) this.connectTimeoutMs = options.connectTimeoutMs
  }

  protected start(): void {
    const generation = ++this.generation
    const endpoint = this.options.spawn()
    this.endpoint = endpoint
    endpoint.listen(
      (data) => generation === this.generation && this.receive(data),
      (message) => generation === this.generation && this.fail({ code: 'crashed', message }),
    )
    const batchRecords = this.options.batchRecords ?? 16_384
    let transport: TransportSetup
    if (this.options.transport === 'ring') {
      this.ring = new EventRing(EventRing.allocate(this.options.ringRecords ?? 1 << 17))
      transport = { mode: 'ring', batchRecords, ring: this.ring.buffer }
    } else {
      this.ring = null
      transport = { mode: 'transfer', batchRecords, maxInFlight: this.options.maxInFlight ?? 8 }
    }
    endpoint.post({ t: 'open', transport }, [])
  }

  protected stop(): void {
    this.generation++
    this.endpoint?.terminate()
    this.endpoint = null
    this.ring = null
  }

  protected send(id: number, cmd: CommandName, args: unknown): void {
    this.endpoint?.post({ t: 'call', id, cmd, args }, [])
  }

  private receive(data: unknown): void {
    const msg = parseFromWorker(data)
    if (msg === undefined)
      return this.fail({ code: 'protocol', message: 'unreadable message from the engine worker' })
    switch (msg.t) {
      case 'batch': {
        try {
          this.dispatch(new RecordView(msg.buffer), 0, msg.count)
        } finally {
          this.endpoint?.post({ t: 'ack', buffer: msg.buffer }, [msg.buffer])
        }
        return
      }
      case 'ring':
        return this.drainRing()
      case 'result':
        // Events emitted before the command finished are delivered before its result.
        this.drainRing()
        return msg.ok
          ? this.settle(msg.id, true, msg.value)
          : this.settle(msg.id, false, undefined, msg.error)
      case 'fatal':
        return this.fail(msg.error)
      case 'console':
      case 'session':
        // Like results: after the events the session emitted before it.
        this.drainRing()
        return this.notice(msg)
      default:
        assertNever(msg, 'message')
    }
  }

  /**
   * Reads the ring until it is empty and the doorbell is armed. A producer that keeps it busy gets
   * {@link DRAIN_MS} of the main thread per task (read in runs of {@link DRAIN_RUN} records), so the
   * page still renders between tasks; meanwhile the ring fills and the worker drops and counts.
   */
  private drainRing(): void {
    const ring = this.ring
    if (ring === null) return
    const end = performance.now() + DRAIN_MS
    for (;;) {
      ring.read(this.consume, DRAIN_RUN)
      if (ring.arm()) return
      if (performance.now() >= end) break
    }
    if (this.drainQueued) return
    this.drainQueued = true
    this.later(() => {
      this.drainQueued = false
      this.drainRing()
    })
  }
}
