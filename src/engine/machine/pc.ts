/**
 * The Ringside PC: memory, the port and MMIO buses, and the devices of {@link PcLayout} wired to their
 * ports, windows and IRQ lines — 8259A pair, 8254 PIT, COM1/COM2 16550As, a PIO ATA disk on the
 * primary channel, virtio-mmio console and block, and QEMU's isa-debug-exit.
 *
 * One `Pc` is one machine's device set and holds no global state, so a hypervisor model builds one per
 * VM over that VM's `MemoryWindow` (devices DMA to guest-physical addresses through it).
 *
 * What the CPU uses: {@link Pc.mem}, {@link Pc.ports}, {@link Pc.mmio}, {@link Pc.pic} (`intr` at
 * instruction boundaries, `acknowledge()` on INTA) and {@link Pc.advance} whenever the cycle counter
 * reaches {@link Pc.deadline} (a port or MMIO access can lower the deadline, e.g. by reprogramming the PIT).
 */

import type { StateReader, StateWriter, Snapshottable } from '../snapshot'
import type { CycleSource, EventSink } from '../trace/sink'
import { AtaDisk } from './ata'
import { MmioBus, PortBus, type AccessSize } from './bus'
import type { ClockedDevice } from './clock'
import { DebugExit, DEBUG_EXIT_IOSIZE } from './debug-exit'
import { DiskImage } from './disk-image'
import { Irq, PcLayout } from './layout'
import { PAGE_SIZE, PhysicalMemory, type DmaMemory } from './memory'
import { PicPair } from './pic8259'
import { Pit8254 } from './pit8254'
import { Uart16550 } from './uart16550'
import { VirtioBlock } from './virtio-block'
import { VirtioConsole } from './virtio-console'

/** Console indices, as carried in `ConsoleByte` events and used by {@link Pc.queueConsoleInput}. */
export const Console = { com1: 0, com2: 1, virtio: 2 } as const

export interface PcOptions<M extends DmaMemory> {
  /** RAM size when `memory` is not given (default {@link PcLayout.defaultMemMiB}). */
  readonly memMiB?: number
  /** The memory devices DMA into (default: a new PhysicalMemory of `memMiB`). */
  readonly memory?: M
  /** A raw disk image for the ATA disk and virtio-blk (modified in place by guest writes). */
  readonly disk?: Uint8Array
  readonly sink: EventSink
  /** The machine's cycle counter (the CPU's, or a vCPU's), read when a port access needs the time. */
  readonly clock: CycleSource
}

export type StopReason = 'debug-exit'

export class Pc<M extends DmaMemory = PhysicalMemory> implements ClockedDevice, Snapshottable {
  readonly mem: M
  readonly ports = new PortBus()
  readonly mmio = new MmioBus()
  readonly pic: PicPair
  readonly pit: Pit8254
  readonly com1: Uart16550
  readonly com2: Uart16550
  readonly ata: AtaDisk
  readonly virtioConsole: VirtioConsole
  readonly virtioBlock: VirtioBlock
  readonly debugExit: DebugExit
  readonly diskImage: DiskImage | null
  /** The cycle at which {@link advance} must next be called (Infinity: nothing scheduled). */
  deadline = Infinity
  /**
   * Called when a guest port write moved {@link deadline} earlier (e.g. it programmed the PIT), so a
   * CPU running towards the old deadline can stop early (e.g. with `requestStop()`) and advance the machine.
   */
  onDeadlineChange: ((deadline: number) => void) | null = null
  /** The guest asked the machine to stop (isa-debug-exit), with its exit code. */
  onStop: ((reason: StopReason, code: number) => void) | null = null
  /** Bytes a guest console transmitted: console index ({@link Console}) and the bytes of one device operation. */
  onConsoleOutput: ((console: number, bytes: Uint8Array) => void) | null = null
  private readonly clocked: readonly ClockedDevice[]

  constructor(opts: PcOptions<M>) {
    const { sink, clock } = opts
    // Without `memory`, M is its default, PhysicalMemory, which is what is created here.
    this.mem =
      opts.memory ?? (new PhysicalMemory((opts.memMiB ?? PcLayout.defaultMemMiB) << 20) as DmaMemory as M)
    this.diskImage = opts.disk ? new DiskImage(opts.disk) : null

    const pic = (this.pic = new PicPair(PcLayout.picMaster, PcLayout.picSlave))
    this.ports.register(PcLayout.picMaster, PcLayout.picMaster + 1, pic)
    this.ports.register(PcLayout.picSlave, PcLayout.picSlave + 1, pic)

    const pit = (this.pit = new Pit8254(PcLayout.pit, pic.line(Irq.pit), sink))
    // The PIT computes its counters from time, so every access first brings it to the current cycle,
    // and a write (which may reprogram counter 0) refreshes the deadline.
    this.ports.register(PcLayout.pit, PcLayout.pit + 3, {
      name: pit.name,
      portIn: (port: number, size: AccessSize) => {
        this.advance(clock.cycles)
        return pit.portIn(port, size)
      },
      portOut: (port: number, size: AccessSize, value: number) => {
        const before = this.advance(clock.cycles)
        pit.portOut(port, size, value)
        if (this.advance(clock.cycles) < before) this.onDeadlineChange?.(this.deadline)
      },
    })

    this.com1 = new Uart16550(PcLayout.com1, pic.line(Irq.com1), sink, Console.com1)
    this.com2 = new Uart16550(PcLayout.com2, pic.line(Irq.com2), sink, Console.com2)
    for (const uart of [this.com1, this.com2]) {
      this.ports.register(uart.base, uart.base + 7, uart)
      uart.onOutput = (bytes) => this.onConsoleOutput?.(uart.console, bytes)
    }

    this.ata = new AtaDisk(PcLayout.ataCommand, PcLayout.ataControl, pic.line(Irq.ata), sink, this.diskImage)
    this.ports.register(PcLayout.ataCommand, PcLayout.ataCommand + 7, this.ata)
    this.ports.register(PcLayout.ataControl, PcLayout.ataControl, this.ata)

    const slot = (n: number) => PcLayout.virtioMmioBase + n * PcLayout.virtioMmioStride
    this.virtioConsole = new VirtioConsole(this.mem, pic.line(Irq.virtioConsole), sink, Console.virtio)
    this.virtioConsole.onOutput = (bytes) => this.onConsoleOutput?.(Console.virtio, bytes)
    this.mmio.map(slot(PcLayout.virtioConsoleSlot), PcLayout.virtioMmioStride, this.virtioConsole)
    this.virtioBlock = new VirtioBlock(this.mem, pic.line(Irq.virtioBlock), sink, this.diskImage)
    this.mmio.map(slot(PcLayout.virtioBlockSlot), PcLayout.virtioMmioStride, this.virtioBlock)

    this.debugExit = new DebugExit(sink)
    this.debugExit.onExit = (code) => this.onStop?.('debug-exit', code)
    this.ports.register(PcLayout.debugExit, PcLayout.debugExit + DEBUG_EXIT_IOSIZE - 1, this.debugExit)

    this.clocked = [pit]
  }

  /** The disk image (modified by guest writes), or null when the machine has no disk. */
  get disk(): Uint8Array | null {
    return this.diskImage?.bytes ?? null
  }

  /** Brings every clocked device to cycle `now`; returns (and stores in {@link deadline}) the next deadline. */
  advance(now: number): number {
    let next = Infinity
    for (const d of this.clocked) next = Math.min(next, d.advance(now))
    this.deadline = next
    return next
  }

  /** Keystrokes for console `console` ({@link Console}); they wait until the guest's device takes them. */
  queueConsoleInput(console: number, bytes: Uint8Array): void {
    switch (console) {
      case Console.com1:
        this.com1.queueInput(bytes)
        return
      case Console.com2:
        this.com2.queueInput(bytes)
        return
      case Console.virtio:
        this.virtioConsole.queueInput(bytes)
        return
      default:
        throw new RangeError(`no console ${console}`)
    }
  }

  /** Keystrokes queued for any console that the guest has not taken yet. */
  pendingConsoleInput(): number {
    return this.com1.pendingInput + this.com2.pendingInput + this.virtioConsole.pendingInput
  }

  /** Every device's state and the disk contents (memory is saved separately, see {@link saveSparseBytes}). */
  saveState(w: StateWriter): void {
    w.section('pc')
    w.f64(this.deadline)
    for (const d of this.devices()) d.saveState(w)
    w.bool(this.diskImage !== null)
    if (this.diskImage) saveSparseBytes(w, this.diskImage.bytes)
  }

  loadState(r: StateReader): void {
    r.section('pc')
    this.deadline = r.f64()
    for (const d of this.devices()) d.loadState(r)
    const hasDisk = r.bool()
    if (hasDisk !== (this.diskImage !== null))
      throw new Error('snapshot and machine disagree on whether there is a disk')
    if (this.diskImage) loadSparseBytes(r, this.diskImage.bytes)
  }

  private devices(): Snapshottable[] {
    return [
      this.pic,
      this.pit,
      this.com1,
      this.com2,
      this.ata,
      this.virtioConsole,
      this.virtioBlock,
      this.debugExit,
    ]
  }
}

const SPARSE_END = 0xffffffff

function pageIsZero(bytes: Uint8Array, words: Int32Array | null, start: number, end: number): boolean {
  if (words) {
    for (let i = start >> 2; i < end >> 2; i++) if (words[i] !== 0) return false
    return true
  }
  for (let i = start; i < end; i++) if (bytes[i] !== 0) return false
  return true
}

/**
 * Writes a byte array (RAM, a disk image) compactly: its length, then only the 4 KiB pages that are not
 * all zero, each as its index and contents. A freshly booted 64 MiB machine costs a few hundred KiB.
 */
export function saveSparseBytes(w: StateWriter, bytes: Uint8Array): void {
  const aligned = bytes.byteOffset % 4 === 0 && bytes.length % 4 === 0
  const words = aligned ? new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2) : null
  w.u32(bytes.length)
  for (let start = 0, page = 0; start < bytes.length; start += PAGE_SIZE, page++) {
    const end = Math.min(start + PAGE_SIZE, bytes.length)
    if (pageIsZero(bytes, words, start, end)) continue
    w.u32(page)
    w.bytes(bytes.subarray(start, end))
  }
  w.u32(SPARSE_END)
}

/**
 * Restores what {@link saveSparseBytes} wrote into `into`, which must have the saved length. Writes go
 * straight to the array: a CPU holding decoded code must drop its decoded-instruction cache after a
 * restore.
 */
export function loadSparseBytes(r: StateReader, into: Uint8Array): void {
  const n = r.u32()
  if (n !== into.length) throw new Error(`snapshot holds ${n} bytes where ${into.length} are expected`)
  into.fill(0)
  for (let page = r.u32(); page !== SPARSE_END; page = r.u32()) {
    const data = r.bytes()
    const at = page * PAGE_SIZE
    if (at + data.length > into.length) throw new Error('snapshot page lies outside the array')
    into.set(data, at)
  }
}
