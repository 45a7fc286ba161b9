import { RecordView } from './codec'
import { RECORD_BYTES } from './schema'

/** A finished batch: `count` records at the start of `buffer`, and how many were dropped before it. */
export interface EventBatch {
  readonly buffer: ArrayBuffer
  readonly count: number
  readonly dropped: number
}

/**
 * Collects event records into a fixed-capacity buffer. It never grows: when the buffer is full and
 * nobody has taken it, further records are dropped and counted (DESIGN §9 "buffers are bounded").
 * The consumer calls {@link take} (per animation frame, per run slice, or when `onFull` fires) to get
 * the finished batch; the batcher continues in a recycled or fresh buffer.
 */
export class EventBatcher {
  private view: RecordView
  private count = 0
  private droppedSinceTake = 0
  private droppedTotal = 0
  private readonly spare: ArrayBuffer[] = []

  /**
   * @param capacity records per batch
   * @param onFull called for each record that finds the buffer full (the first, and every later one
   *   while the buffer stays full); it may call {@link take} to make room (then that record is kept),
   *   or leave the buffer full (then that record is dropped and counted).
   */
  constructor(
    readonly capacity: number,
    private readonly onFull?: (b: EventBatcher) => void,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`batch capacity must be a positive integer, got ${capacity}`)
    this.view = new RecordView(new ArrayBuffer(capacity * RECORD_BYTES))
  }

  /** Records in the current batch. */
  get size(): number {
    return this.count
  }

  /** Records dropped since the batcher was made. */
  get dropped(): number {
    return this.droppedTotal
  }

  /**
   * Reserves the next record slot and returns its views and index, or -1 when the record must be
   * dropped. The caller writes the fields through {@link current}.
   */
  reserve(): number {
    if (this.count === this.capacity) {
      this.onFull?.(this)
      if (this.count === this.capacity) {
        this.droppedSinceTake++
        this.droppedTotal++
        return -1
      }
    }
    return this.count++
  }

  /** The views of the batch being filled. */
  get current(): RecordView {
    return this.view
  }

  /** Hands over the current batch (possibly empty) and starts a new one. */
  take(): EventBatch {
    const batch: EventBatch = {
      buffer: this.view.buffer as ArrayBuffer,
      count: this.count,
      dropped: this.droppedSinceTake,
    }
    const next = this.spare.pop() ?? new ArrayBuffer(this.capacity * RECORD_BYTES)
    this.view = new RecordView(next)
    this.count = 0
    this.droppedSinceTake = 0
    return batch
  }

  /** Gives a consumed batch's buffer back for reuse (it must not be used by the caller afterwards). */
  recycle(buffer: ArrayBuffer): void {
    if (buffer.byteLength === this.capacity * RECORD_BYTES && this.spare.length < 4) this.spare.push(buffer)
  }
}
