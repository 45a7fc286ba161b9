import type { StateReader, StateWriter } from '../snapshot'

/**
 * A VM console's output: what has not yet been handed to the UI, and a bounded history (so a snapshot
 * restore can redraw the terminal as it was). Console output is never dropped silently: when the UI
 * does not drain it, the oldest history is trimmed and the count of trimmed bytes is kept.
 */
export class ConsoleLog {
  private pending: number[] = []
  private history: number[] = []
  /** Bytes trimmed from the front of the history (or of pending output nobody drained). */
  trimmed = 0

  constructor(readonly limit = 1 << 16) {}

  write(bytes: Uint8Array): void {
    for (const b of bytes) {
      this.pending.push(b)
      this.history.push(b)
    }
    if (this.history.length > this.limit * 2) this.trim(this.history)
    if (this.pending.length > this.limit * 2) this.trim(this.pending)
  }

  /** Output since the last take. */
  take(): Uint8Array {
    const out = Uint8Array.from(this.pending)
    this.pending = []
    return out
  }

  /** The retained history (the last `limit` bytes or more). */
  all(): Uint8Array {
    return Uint8Array.from(this.history)
  }

  private trim(a: number[]): void {
    const cut = a.length - this.limit
    a.splice(0, cut)
    this.trimmed += cut
  }

  saveState(w: StateWriter): void {
    w.f64(this.trimmed)
    w.bytes(Uint8Array.from(this.history.slice(-this.limit)))
  }

  /** Restores the history; everything restored is pending again, so the UI redraws it. */
  loadState(r: StateReader): void {
    this.trimmed = r.f64()
    this.history = Array.from(r.bytes())
    this.pending = this.history.slice()
  }
}
