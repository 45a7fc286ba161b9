/**
 * Keystrokes waiting for a guest console device (a UART's RX FIFO, a virtio console's receive
 * buffers). Input is paced by the guest: bytes wait here until the device has room, so nothing typed
 * is overrun. The queue is bounded (DESIGN §9): beyond {@link CONSOLE_INPUT_LIMIT} bytes, input is
 * dropped and counted.
 */

import type { StateReader, StateWriter } from '../snapshot'

export const CONSOLE_INPUT_LIMIT = 1 << 16

export class ConsoleInput {
  /** Bytes refused because the queue was full. */
  dropped = 0
  private buf: number[] = []
  private head = 0

  get length(): number {
    return this.buf.length - this.head
  }

  /** Appends what fits; calls `accepted` for each byte taken (devices report input events there). */
  push(bytes: Uint8Array, accepted: (b: number) => void): void {
    for (const b of bytes) {
      if (this.length >= CONSOLE_INPUT_LIMIT) {
        this.dropped++
        continue
      }
      this.buf.push(b)
      accepted(b)
    }
  }

  /** Removes and returns up to `n` bytes from the front. */
  take(n: number): Uint8Array {
    const end = Math.min(this.head + n, this.buf.length)
    const out = Uint8Array.from(this.buf.slice(this.head, end))
    this.head = end
    if (this.head >= 4096 || this.head === this.buf.length) {
      this.buf = this.buf.slice(this.head)
      this.head = 0
    }
    return out
  }

  saveState(w: StateWriter): void {
    w.u32(this.dropped)
    w.bytes(Uint8Array.from(this.buf.slice(this.head)))
  }

  loadState(r: StateReader): void {
    this.dropped = r.u32()
    this.buf = Array.from(r.bytes())
    this.head = 0
  }
}
