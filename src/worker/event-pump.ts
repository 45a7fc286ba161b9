import { EventBatcher } from '../engine/trace/batcher'
import { RecordView } from '../engine/trace/codec'
import { EventKind } from '../engine/trace/schema'
import type { EventSink } from '../engine/trace/sink'
import type { EventRing } from '../engine/trace/transport-ring'
import type { FromWorker, TransportMode } from './protocol'

/** Where finished batches go: a message per batch, a shared ring, or a direct call (in-process). */
export interface EventOutlet {
  readonly mode: TransportMode
  /** Records that {@link send} can take right now. */
  room(): number
  /** Delivers `count` records of `view`. Returns true if the view's buffer may be refilled at once. */
  send(view: RecordView, count: number): boolean
  /** Resolves when {@link room} is at least `records` (or the outlet can make no more progress). */
  waitForRoom(records: number): Promise<void>
}

/**
 * Moves events from an engine {@link EventSink} to an {@link EventOutlet} in batches, and never holds
 * more than one batch plus the outlet's bounded backlog: when the outlet is full, the batcher drops
 * and counts (DESIGN §9), and the pump reports the count in the stream as one `Dropped` event at the
 * next safe point, so the consumer sees both the gap in sequence numbers and its size.
 */
export class EventPump {
  readonly batcher: EventBatcher
  private sink: EventSink | null = null
  private unreported = 0

  constructor(
    private readonly outlet: EventOutlet,
    batchRecords: number,
  ) {
    this.batcher = new EventBatcher(batchRecords, () => void this.deliver())
  }

  /** Collects the events of `sink` from now on (a sink feeds one pump; the previous sink is detached). */
  attach(sink: EventSink): void {
    if (this.sink === sink) return
    this.flush()
    this.sink?.attach(null)
    this.sink = sink
    sink.attach(this.batcher)
  }

  /** Records dropped since the pump was made. */
  get dropped(): number {
    return this.batcher.dropped
  }

  /** Gives a transferred batch buffer back for reuse. */
  recycle(buffer: ArrayBuffer): void {
    this.batcher.recycle(buffer)
  }

  /**
   * Sends the current batch if the outlet has room, then reports drops. Call between engine slices
   * (never from inside an emit). Returns true when nothing is left waiting.
   */
  flush(): boolean {
    if (!this.deliver()) return false
    if (this.unreported > 0 && this.sink !== null) {
      const n = this.unreported
      this.unreported = 0
      this.sink.emit(EventKind.Dropped, 0, n)
    }
    return this.batcher.size === 0 && this.unreported === 0
  }

  /** Flushes, waiting for room as long as needed, until every event and drop report has been sent. */
  async drain(): Promise<void> {
    while (!this.flush()) await this.outlet.waitForRoom(Math.max(1, this.batcher.size))
  }

  private deliver(): boolean {
    const n = this.batcher.size
    if (n === 0) return true
    if (this.outlet.room() < n) return false
    const batch = this.batcher.take()
    this.unreported += batch.dropped
    if (this.outlet.send(new RecordView(batch.buffer), batch.count)) this.batcher.recycle(batch.buffer)
    return true
  }
}

type Post = (message: FromWorker, transfer?: Transferable[]) => void

/**
 * Batches as transferred ArrayBuffers (zero-copy), at most `maxInFlight` unacknowledged. The main
 * thread acknowledges each batch by transferring its buffer back, which bounds memory both ways.
 */
export class TransferOutlet implements EventOutlet {
  readonly mode = 'transfer'
  private inFlight = 0
  private waiters: Array<() => void> = []

  constructor(
    private readonly post: Post,
    private readonly maxInFlight: number,
  ) {}

  room(): number {
    return this.inFlight < this.maxInFlight ? Number.MAX_SAFE_INTEGER : 0
  }

  send(view: RecordView, count: number): boolean {
    this.inFlight++
    const buffer = view.buffer as ArrayBuffer
    this.post({ t: 'batch', buffer, count }, [buffer])
    return false
  }

  /** The main thread consumed one batch. */
  acknowledged(): void {
    this.inFlight = Math.max(0, this.inFlight - 1)
    const waiters = this.waiters
    this.waiters = []
    for (const w of waiters) w()
  }

  waitForRoom(): Promise<void> {
    if (this.room() > 0) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push(resolve))
  }
}

/** Batches copied into a SharedArrayBuffer {@link EventRing}; a message only when the consumer sleeps. */
export class RingOutlet implements EventOutlet {
  readonly mode = 'ring'

  constructor(
    private readonly ring: EventRing,
    private readonly post: Post,
    private readonly yieldToEventLoop: () => Promise<void>,
  ) {}

  room(): number {
    return this.ring.free()
  }

  send(view: RecordView, count: number): boolean {
    this.ring.write(view, count)
    if (this.ring.takeDoorbell()) this.post({ t: 'ring' })
    return true
  }

  async waitForRoom(records: number): Promise<void> {
    const need = Math.min(records, this.ring.capacity)
    // Block briefly on the consumer's read index (allowed in a worker), then let messages in.
    while (this.ring.free() < need) {
      this.ring.waitForRead(4)
      if (this.ring.free() >= need) return
      await this.yieldToEventLoop()
    }
  }
}

/** In-process delivery: the consumer runs inside `send`, so there is always room. */
export class DirectOutlet implements EventOutlet {
  readonly mode = 'direct'

  constructor(private readonly consume: (view: RecordView, start: number, count: number) => void) {}

  room(): number {
    return Number.MAX_SAFE_INTEGER
  }

  send(view: RecordView, count: number): boolean {
    this.consume(view, 0, count)
    return true
  }

  waitForRoom(): Promise<void> {
    return Promise.resolve()
  }
}
