/**
 * A bare-metal machine: one CPU on a {@link Pc}, and the run loop that ties them together — the CPU
 * runs until the next device deadline, the devices advance, and when the CPU halts waiting for an
 * interrupt, virtual time jumps to the next deadline (nothing reads a wall clock). The headless
 * runner (src/cli) and the session layer both drive guests through this.
 */
import { Cpu, type StopReason } from '../cpu/cpu'
import { type LoadOptions, type LoadedImage, loadImage } from '../loader/load-image'
import { StateReader, StateWriter } from '../snapshot'
import { EventKind } from '../trace/schema'
import { EventSink } from '../trace/sink'
import type { PhysicalMemory } from './memory'
import { Console, Pc, loadSparseBytes, saveSparseBytes } from './pc'

export interface BareMetalOptions {
  /** RAM in MiB (default 64). */
  readonly memMiB?: number
  /** Raw disk image for the ATA and virtio-blk disk (modified in place). */
  readonly disk?: Uint8Array
  /** Event sink (default: a counting-only sink on this machine's clock). A sink made outside should stamp events from `clock`. */
  readonly sink?: EventSink
  /** The machine's cycle counter (default: a new one). */
  readonly clock?: { cycles: number }
}

/**
 * Why a bare-metal run ended: `halt` (HLT with IF = 0, or waiting for an interrupt that nothing can
 * raise any more), `debug-exit` (a write to the isa-debug-exit port), `shutdown` (triple fault),
 * `max-insns` (the step budget ran out), `idle` (every console keystroke was taken and the guest has
 * since spent `idleAfterCycles` halted without a console byte in or out: an interactive guest waiting
 * for more input).
 */
export type BareMetalStop = 'halt' | 'debug-exit' | 'shutdown' | 'max-insns' | 'idle'

export class BareMetal {
  readonly clock: { cycles: number }
  readonly sink: EventSink
  readonly pc: Pc<PhysicalMemory>
  readonly cpu: Cpu
  /** Steps taken by all runs (instructions, REP iterations, delivered interrupts, faulting attempts). */
  steps = 0
  private debugExitPending = false

  constructor(opts: BareMetalOptions = {}) {
    this.clock = opts.clock ?? { cycles: 0 }
    this.sink = opts.sink ?? new EventSink(this.clock)
    this.pc = new Pc({ memMiB: opts.memMiB, disk: opts.disk, sink: this.sink, clock: this.clock })
    this.cpu = new Cpu({
      mem: this.pc.mem,
      ports: this.pc.ports,
      mmio: this.pc.mmio,
      intc: this.pc.pic,
      sink: this.sink,
      clock: this.clock,
    })
    this.pc.onStop = () => {
      this.debugExitPending = true
      this.cpu.requestStop()
    }
    this.pc.onDeadlineChange = (d) => this.cpu.limitUntil(d)
    this.pc.advance(0)
  }

  /** Loads an image and puts the CPU in the multiboot entry state with ESP at the top of RAM. */
  load(image: Uint8Array, opts: LoadOptions = {}): LoadedImage {
    const img = loadImage(this.pc.mem, image, opts)
    this.cpu.resetFlat(img.entry, this.pc.mem.size, img.eax, img.ebx)
    return img
  }

  /** Queues keystrokes for COM1; the UART hands them to the guest as it reads. */
  input(bytes: Uint8Array): void {
    this.pc.queueConsoleInput(Console.com1, bytes)
  }

  /**
   * Runs for at most `maxSteps` steps or until the guest stops; with `idleAfterCycles`, also once all
   * console input has been taken and the guest has spent that many cycles halted since the last
   * console byte (in total: a periodic timer wakes an idle guest every few milliseconds).
   */
  run(maxSteps: number, idleAfterCycles = Infinity): BareMetalStop {
    const { cpu, pc, clock } = this
    let left = maxSteps
    let halted = 0
    let consoleBytes = -1
    for (;;) {
      const reason: StopReason = cpu.run({ maxInsns: left, untilCycle: pc.deadline })
      left -= cpu.lastRunSteps
      this.steps += cpu.lastRunSteps
      switch (reason) {
        case 'until-cycle':
          pc.advance(clock.cycles)
          continue
        case 'idle':
          // Nothing can happen before the next device deadline: skip the idle time.
          if (pc.deadline === Infinity) return 'halt'
          if (pc.pendingConsoleInput() > 0 || this.sink.counts[EventKind.ConsoleByte] !== consoleBytes) {
            consoleBytes = this.sink.counts[EventKind.ConsoleByte]
            halted = 0
          }
          halted += Math.max(0, pc.deadline - clock.cycles)
          if (clock.cycles < pc.deadline) clock.cycles = pc.deadline
          pc.advance(clock.cycles)
          if (halted >= idleAfterCycles) return 'idle'
          continue
        case 'stop':
          if (this.debugExitPending) {
            this.debugExitPending = false
            return 'debug-exit'
          }
          continue
        case 'halted':
          return 'halt'
        case 'shutdown':
          return 'shutdown'
        case 'max-insns':
          return 'max-insns'
      }
    }
  }

  /** The whole machine: clock, event counters, CPU, devices, disk and RAM. */
  snapshot(): Uint8Array {
    const w = new StateWriter()
    w.section('bare-metal')
    w.f64(this.clock.cycles)
    w.f64(this.steps)
    w.json(this.sink.saveState())
    this.cpu.saveState(w)
    this.pc.saveState(w)
    saveSparseBytes(w, this.pc.mem.u8)
    return w.finish()
  }

  restore(bytes: Uint8Array): void {
    const r = new StateReader(bytes)
    r.section('bare-metal')
    this.clock.cycles = r.f64()
    this.steps = r.f64()
    this.sink.loadState(r.json())
    this.cpu.loadState(r)
    this.pc.loadState(r)
    loadSparseBytes(r, this.pc.mem.u8)
    this.cpu.flushBlocks()
    this.debugExitPending = false
  }
}
