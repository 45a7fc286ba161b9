/**
 * The virtio console device (virtio 1.1 §5.3), device ID 3, without multiport: receiveq (queue 0)
 * carries input to the driver in buffers it posts, transmitq (queue 1) carries output. No feature bits
 * are offered (no VIRTIO_CONSOLE_F_SIZE, _MULTIPORT or _EMERG_WRITE), so the config space is present
 * but meaningless to the driver (§5.3.4).
 */

import type { StateReader, StateWriter } from '../snapshot'
import { EventKind } from '../trace/schema'
import type { EventSink } from '../trace/sink'
import { ConsoleInput } from './console-input'
import type { IrqLine } from './irq'
import type { DmaMemory } from './memory'
import { VirtioMmioDevice } from './virtio-mmio'
import { segmentsLength, writeSegments } from './virtqueue'

export const VIRTIO_ID_CONSOLE = 3
const RECEIVEQ = 0
const TRANSMITQ = 1

export class VirtioConsole extends VirtioMmioDevice {
  readonly name = 'virtio-console'
  /** struct virtio_console_config: cols u16, rows u16, max_nr_ports u32, emerg_wr u32. */
  protected readonly config = new Uint8Array(12)
  /** Called with the bytes of each transmit-queue kick. */
  onOutput: ((bytes: Uint8Array) => void) | null = null
  /** Keystrokes waiting for receive buffers. */
  readonly input = new ConsoleInput()

  constructor(
    mem: DmaMemory,
    irq: IrqLine,
    sink: EventSink | null,
    /** The index reported in `ConsoleByte` events. */
    readonly console: number,
  ) {
    super(VIRTIO_ID_CONSOLE, 2, 0, mem, irq, sink)
  }

  /** Keystrokes not yet delivered into the driver's receive buffers. */
  get pendingInput(): number {
    return this.input.length
  }

  /** Queues input; it is delivered as soon as (and as far as) the driver has posted receive buffers. */
  queueInput(bytes: Uint8Array): void {
    this.input.push(bytes, (b) => this.sink?.emit(EventKind.ConsoleByte, this.console | 0x100, b))
    this.deliverInput()
  }

  protected processQueue(q: number): void {
    if (q === TRANSMITQ) this.transmit()
    else if (q === RECEIVEQ) this.deliverInput()
  }

  protected override driverReady(): void {
    this.deliverInput()
  }

  /** Fills posted receive buffers from the input queue, each with as many bytes as it holds. */
  private deliverInput(): void {
    const queue = this.usable(RECEIVEQ)
    if (!queue || this.input.length === 0) return
    let used = false
    while (this.input.length > 0 && queue.hasAvailable()) {
      const chain = this.pop(queue)
      if (!chain) break
      const bytes = this.input.take(segmentsLength(chain.writable))
      queue.push(chain.head, writeSegments(this.mem, chain.writable, 0, bytes))
      used = true
    }
    if (used) this.notifyUsed(queue)
  }

  /** Drains the transmit queue: every readable byte of every chain is output, in order. */
  private transmit(): void {
    const queue = this.queues[TRANSMITQ]
    const out: Uint8Array[] = []
    let used = false
    for (let chain = this.pop(queue); chain; chain = this.pop(queue)) {
      for (const s of chain.readable) out.push(this.mem.readBytes(s.addr, s.len))
      queue.push(chain.head, 0)
      used = true
    }
    if (used) this.notifyUsed(queue)
    const total = out.reduce((n, b) => n + b.length, 0)
    if (total === 0) return
    const bytes = new Uint8Array(total)
    let at = 0
    for (const b of out) {
      bytes.set(b, at)
      at += b.length
    }
    if (this.sink) for (const b of bytes) this.sink.emit(EventKind.ConsoleByte, this.console, b)
    this.onOutput?.(bytes)
  }

  protected resetDevice(): void {
    // Queued input is the user's and survives a driver reset.
  }

  protected saveDevice(w: StateWriter): void {
    this.input.saveState(w)
  }

  protected loadDevice(r: StateReader): void {
    this.input.loadState(r)
  }
}
