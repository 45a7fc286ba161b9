import { NO_COMPONENT, EventKind } from '../engine/trace/schema'
import { EventSink } from '../engine/trace/sink'

/** Kinds the generator draws from: what a busy hardware-assisted guest produces most. */
const KINDS: readonly EventKind[] = [
  EventKind.InsnRetired,
  EventKind.InsnRetired,
  EventKind.VmExit,
  EventKind.VmEntry,
  EventKind.Hop,
  EventKind.PortIo,
  EventKind.ConsoleByte,
  EventKind.Interrupt,
]

/**
 * A deterministic stream of plausible-looking event records for exercising the transport (the
 * transport benchmark, the end-to-end round trip). Not a model of anything: field values are drawn
 * from a xorshift32 generator (Marsaglia 2003), so the same seed yields the same records.
 * Sequence numbers continue across runs, as they do in an engine session.
 */
export class SyntheticEvents {
  private readonly clock = { cycles: 0 }
  readonly sink = new EventSink(this.clock)
  private x = 1

  /** Restarts the field generator (not the sequence numbers). */
  reseed(seed: number): void {
    this.x = seed >>> 0 || 0x9e3779b9
  }

  /** Emits `n` events into the sink. */
  emit(n: number): void {
    const sink = this.sink
    const clock = this.clock
    let x = this.x
    for (let i = 0; i < n; i++) {
      x ^= x << 13
      x ^= x >>> 17
      x ^= x << 5
      clock.cycles += 1 + (x & 15)
      const kind = KINDS[(x >>> 4) & 7]
      sink.emit(kind, (x >>> 7) & 0x3f, x >>> 0, i, 0, 0, 0, NO_COMPONENT, NO_COMPONENT, (x >>> 16) & 0xff)
    }
    this.x = x
  }
}
