import { RecordView } from './codec'
import { RECORD_BYTES, RECORD_WORDS } from './schema'

/**
 * Control words of the ring, as Int32 indices into the SharedArrayBuffer. The producer's word and the
 * consumer's word sit on different 64-byte cache lines so that the two threads do not invalidate each
 * other's line on every update.
 */
const WRITE = 0
const MAGIC = 1
const CAPACITY = 2
const RECORD_SIZE = 3
const READ = 16
const DOORBELL = 32
const HEADER_BYTES = 192
const RING_MAGIC = 0x52535452 // "RSTR"

/** Called with consecutive records `start … start + count − 1` of `view`. */
export type RecordConsumer = (view: RecordView, start: number, count: number) => void

/**
 * A single-producer, single-consumer ring of event records in a SharedArrayBuffer: the worker writes
 * records, the main thread reads them, and no message is needed per batch. Both indices count records
 * modulo 2^32 and the capacity is a power of two, so `write − read` is the fill level even across
 * wrap-around.
 *
 * Ordering follows the ECMAScript memory model (ECMA-262 §29): plain writes of record words happen
 * before the `Atomics.store` that publishes the new write index, and a reader that observes that index
 * with `Atomics.load` also observes the records.
 *
 * The ring never grows. A producer that finds too little room either waits ({@link waitForRead}, in a
 * worker only: the main thread may not block) or drops and counts (the worker's event pump does that).
 *
 * Wake-ups use a doorbell word: a consumer that has drained the ring sets it ({@link arm}); the
 * producer that next writes clears it ({@link takeDoorbell}) and sends one message. A consumer that
 * keeps up therefore costs one message per idle-to-busy transition, not one per batch.
 */
export class EventRing {
  readonly capacity: number
  private readonly ctl: Int32Array
  private readonly view: RecordView
  private readonly mask: number

  /** Bytes of SharedArrayBuffer needed for a ring of `capacity` records. */
  static byteLength(capacity: number): number {
    return HEADER_BYTES + capacity * RECORD_BYTES
  }

  /** Allocates and initialises a ring; `capacity` must be a power of two between 2 and 2^24. */
  static allocate(capacity: number): SharedArrayBuffer {
    if (
      !Number.isInteger(capacity) ||
      capacity < 2 ||
      capacity > 1 << 24 ||
      (capacity & (capacity - 1)) !== 0
    )
      throw new RangeError(`ring capacity must be a power of two in [2, 2^24], got ${capacity}`)
    const sab = new SharedArrayBuffer(EventRing.byteLength(capacity))
    const ctl = new Int32Array(sab, 0, HEADER_BYTES / 4)
    ctl[MAGIC] = RING_MAGIC
    ctl[CAPACITY] = capacity
    ctl[RECORD_SIZE] = RECORD_BYTES
    ctl[DOORBELL] = 1
    return sab
  }

  /** Attaches to a ring made by {@link allocate}, possibly in another thread. Throws on a foreign buffer. */
  constructor(readonly buffer: SharedArrayBuffer) {
    if (buffer.byteLength < HEADER_BYTES) throw new RangeError('event ring: buffer too small')
    this.ctl = new Int32Array(buffer, 0, HEADER_BYTES / 4)
    const capacity = this.ctl[CAPACITY]
    if (
      this.ctl[MAGIC] !== RING_MAGIC ||
      this.ctl[RECORD_SIZE] !== RECORD_BYTES ||
      buffer.byteLength !== EventRing.byteLength(capacity)
    )
      throw new RangeError('event ring: not a ring buffer of this record format')
    this.capacity = capacity
    this.mask = capacity - 1
    this.view = new RecordView(buffer, HEADER_BYTES, capacity)
  }

  /** Records written and not yet read. */
  available(): number {
    return (Atomics.load(this.ctl, WRITE) - Atomics.load(this.ctl, READ)) >>> 0
  }

  /** Records the producer may write now. */
  free(): number {
    return this.capacity - this.available()
  }

  /**
   * Producer: copies the first `count` records of `src` into the ring, or as many as fit, and
   * publishes them. Returns how many were written.
   */
  write(src: RecordView, count: number): number {
    const w = Atomics.load(this.ctl, WRITE)
    const n = Math.min(count, this.capacity - ((w - Atomics.load(this.ctl, READ)) >>> 0))
    if (n <= 0) return 0
    const slot = w & this.mask
    const first = Math.min(n, this.capacity - slot)
    const dst = this.view.u32
    dst.set(src.u32.subarray(0, first * RECORD_WORDS), slot * RECORD_WORDS)
    if (n > first) dst.set(src.u32.subarray(first * RECORD_WORDS, n * RECORD_WORDS), 0)
    Atomics.store(this.ctl, WRITE, (w + n) | 0)
    return n
  }

  /** Producer: true when the consumer asked to be woken; the flag is cleared, so send exactly one message. */
  takeDoorbell(): boolean {
    return Atomics.load(this.ctl, DOORBELL) === 1 && Atomics.exchange(this.ctl, DOORBELL, 0) === 1
  }

  /**
   * Producer, in a worker only: blocks until the consumer reads something or `timeoutMs` passes.
   * Returns false on timeout.
   */
  waitForRead(timeoutMs: number): boolean {
    const r = Atomics.load(this.ctl, READ)
    return Atomics.wait(this.ctl, READ, r, timeoutMs) !== 'timed-out'
  }

  /**
   * Consumer: hands the available records, at most `max` of them, to `consume` (in at most two
   * contiguous runs, because of wrap-around), then frees their slots. The records must not be used
   * after `consume` returns. Returns the number of records read.
   */
  read(consume: RecordConsumer, max = Infinity): number {
    const r = Atomics.load(this.ctl, READ)
    const n = Math.min((Atomics.load(this.ctl, WRITE) - r) >>> 0, max)
    if (n <= 0) return 0
    const slot = r & this.mask
    const first = Math.min(n, this.capacity - slot)
    consume(this.view, slot, first)
    if (n > first) consume(this.view, 0, n - first)
    Atomics.store(this.ctl, READ, (r + n) | 0)
    Atomics.notify(this.ctl, READ)
    return n
  }

  /**
   * Consumer: asks for a doorbell on the next write. Returns true if the ring is still empty (safe to
   * wait for the message) and false if records arrived meanwhile (read again: the doorbell may or may
   * not ring for them).
   */
  arm(): boolean {
    Atomics.store(this.ctl, DOORBELL, 1)
    return this.available() === 0
  }
}
