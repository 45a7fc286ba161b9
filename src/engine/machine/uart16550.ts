/**
 * The National Semiconductor NS16550A UART, as specified by the TI PC16550D datasheet (SNLS378):
 * registers at base … base + 7 (RBR/THR/DLL, IER/DLM, IIR/FCR, LCR, MCR, LSR, MSR, SCR), 16-byte
 * FIFOs, interrupt identification with its priorities (datasheet, "Interrupt Identification
 * Register" and its table of interrupt control functions), loopback. On the PC, MCR OUT2 gates the chip's INTRPT output onto the ISA IRQ line
 * (IBM PC/AT Technical Reference, serial/parallel adapter), which is why drivers set OUT2.
 *
 * Modelling choices [R]: transmission is instantaneous (THR and the shift register are empty again as
 * soon as a byte is written; the divisor latch is stored but has no timing effect), and the character
 * timeout fires immediately whenever the RX FIFO holds data below its trigger level, instead of after
 * four character times. Input is paced by the guest's reads: bytes wait in an input queue and refill
 * the RX FIFO whenever it has room, so a keystroke is never overrun.
 */

import type { StateReader, StateWriter, Snapshottable } from '../snapshot'
import { EventKind } from '../trace/schema'
import type { EventSink } from '../trace/sink'
import type { AccessSize, PortDevice } from './bus'
import { ConsoleInput } from './console-input'
import type { IrqLine } from './irq'

/** IER bits. */
const IER_RDA = 0x01
const IER_THRE = 0x02
const IER_RLS = 0x04
const IER_MS = 0x08
/** IIR interrupt identification (bits 3:0) in priority order. */
const IIR_NONE = 0x01
const IIR_RLS = 0x06
const IIR_RDA = 0x04
const IIR_TIMEOUT = 0x0c
const IIR_THRE = 0x02
const IIR_MS = 0x00
const IIR_FIFO = 0xc0
/** FCR bits. */
const FCR_ENABLE = 0x01
const FCR_CLEAR_RX = 0x02
/** LCR bit 7: divisor latch access. */
const LCR_DLAB = 0x80
/** MCR bits. */
const MCR_DTR = 0x01
const MCR_RTS = 0x02
const MCR_OUT1 = 0x04
const MCR_OUT2 = 0x08
const MCR_LOOP = 0x10
/** LSR bits. */
const LSR_DR = 0x01
const LSR_OE = 0x02
const LSR_THRE = 0x20
const LSR_TEMT = 0x40
/** MSR bits: deltas in 3:0, lines in 7:4 (CTS, DSR, RI, DCD). */
const MSR_CTS = 0x10
const MSR_DSR = 0x20
const MSR_RI = 0x40
const MSR_DCD = 0x80
const MSR_TERI = 0x04

const FIFO_SIZE = 16
const TRIGGER_LEVELS = [1, 4, 8, 14] as const

/**
 * Modem inputs with nothing but a terminal attached: CTS, DSR and DCD asserted, RI not (as QEMU's
 * serial model presents a connected chardev) [R].
 */
const MSR_CONNECTED = MSR_CTS | MSR_DSR | MSR_DCD

/** One NS16550A. `console` is the index reported in `ConsoleByte` events (0 COM1, 1 COM2). */
export class Uart16550 implements PortDevice, Snapshottable {
  readonly name: string
  /** Called with each transmitted byte (outside loopback). */
  onOutput: ((bytes: Uint8Array) => void) | null = null
  /** Keystrokes not yet in the RX FIFO. */
  readonly input = new ConsoleInput()

  private ier = 0
  private fcr = 0
  private lcr = 0
  private mcr = 0
  private lsrErrors = 0
  private msr = MSR_CONNECTED
  private scr = 0
  private dll = 0
  private dlm = 0
  private rx: number[] = []
  /** THR-empty interrupt pending (set when THR empties or ETBEI is enabled; cleared by IIR read or THR write). */
  private threPending = true
  private irqLevel = false

  constructor(
    readonly base: number,
    private readonly irq: IrqLine,
    private readonly sink: EventSink | null,
    readonly console: number,
  ) {
    this.name = `uart16550@${base.toString(16)}`
  }

  private get fifoEnabled(): boolean {
    return (this.fcr & FCR_ENABLE) !== 0
  }
  private get rxCapacity(): number {
    return this.fifoEnabled ? FIFO_SIZE : 1
  }
  private get trigger(): number {
    return this.fifoEnabled ? TRIGGER_LEVELS[this.fcr >> 6] : 1
  }

  /** Keystrokes the guest has not read yet: those still queued and those in the RX FIFO. */
  get pendingInput(): number {
    return this.input.length + this.rx.length
  }

  /** Appends keystrokes to the input queue; they enter the RX FIFO as it has room. */
  queueInput(bytes: Uint8Array): void {
    this.input.push(bytes, (b) => this.sink?.emit(EventKind.ConsoleByte, this.console | 0x100, b))
    this.refill()
    this.update()
  }

  private refill(): void {
    const room = this.rxCapacity - this.rx.length
    if (room > 0 && this.input.length > 0) this.rx.push(...this.input.take(room))
  }

  /** The highest-priority pending interrupt's IIR code (datasheet, interrupt control functions), or IIR_NONE. */
  private interruptId(): number {
    const ier = this.ier
    if (ier & IER_RLS && this.lsrErrors) return IIR_RLS
    if (ier & IER_RDA && this.rx.length > 0) {
      if (this.rx.length >= this.trigger) return IIR_RDA
      return IIR_TIMEOUT // data below the trigger level: character timeout, immediately [R]
    }
    if (ier & IER_THRE && this.threPending) return IIR_THRE
    if (ier & IER_MS && this.msr & 0x0f) return IIR_MS
    return IIR_NONE
  }

  /** Drives the ISA line: the chip's INTRPT output, gated by MCR OUT2. Loopback disconnects it. */
  private update(): void {
    const level = this.interruptId() !== IIR_NONE && (this.mcr & (MCR_OUT2 | MCR_LOOP)) === MCR_OUT2
    if (level !== this.irqLevel) {
      this.irqLevel = level
      this.irq.set(level)
    }
  }

  private lsr(): number {
    let v = LSR_THRE | LSR_TEMT | this.lsrErrors
    if (this.rx.length > 0) v |= LSR_DR
    return v
  }

  private transmit(b: number): void {
    if (this.mcr & MCR_LOOP) {
      this.receive(b)
      return
    }
    this.sink?.emit(EventKind.ConsoleByte, this.console, b)
    this.onOutput?.(Uint8Array.of(b))
  }

  /** A byte arriving at the receiver (loopback only: queued input never overruns). */
  private receive(b: number): void {
    if (this.rx.length >= this.rxCapacity) {
      this.lsrErrors |= LSR_OE
      return
    }
    this.rx.push(b)
  }

  /** Sets the modem inputs (MSR 7:4), recording each change in its delta bit (3:0). */
  private setModemLines(lines: number): void {
    const old = this.msr & 0xf0
    let delta = (this.msr & 0x0f) | (((old ^ lines) >> 4) & 0x0b)
    if (old & MSR_RI && !(lines & MSR_RI)) delta |= MSR_TERI // trailing edge of RI
    this.msr = lines | delta
  }

  /** The modem inputs the chip sees: in loopback its own outputs (RTS→CTS, DTR→DSR, OUT1→RI, OUT2→DCD). */
  private modemInputs(mcr: number): number {
    if (!(mcr & MCR_LOOP)) return MSR_CONNECTED
    return (
      (mcr & MCR_RTS ? MSR_CTS : 0) |
      (mcr & MCR_DTR ? MSR_DSR : 0) |
      (mcr & MCR_OUT1 ? MSR_RI : 0) |
      (mcr & MCR_OUT2 ? MSR_DCD : 0)
    )
  }

  portIn(port: number, size: AccessSize): number {
    let v = 0
    for (let i = 0; i < size; i++) v |= this.readByte((port + i - this.base) & 7) << (8 * i)
    return v >>> 0
  }

  portOut(port: number, size: AccessSize, value: number): void {
    for (let i = 0; i < size; i++) this.writeByte((port + i - this.base) & 7, (value >>> (8 * i)) & 0xff)
  }

  private readByte(reg: number): number {
    let v: number
    switch (reg) {
      case 0:
        if (this.lcr & LCR_DLAB) return this.dll
        v = this.rx.length > 0 ? (this.rx.shift() as number) : 0
        this.refill()
        break
      case 1:
        return this.lcr & LCR_DLAB ? this.dlm : this.ier
      case 2: {
        const id = this.interruptId()
        if (id === IIR_THRE) this.threPending = false // reading IIR with THRE as the source clears it
        v = id | (this.fifoEnabled ? IIR_FIFO : 0)
        break
      }
      case 3:
        return this.lcr
      case 4:
        return this.mcr
      case 5:
        v = this.lsr()
        this.lsrErrors = 0
        break
      case 6:
        v = this.msr
        this.msr &= 0xf0
        break
      default:
        return this.scr
    }
    this.update()
    return v
  }

  private writeByte(reg: number, v: number): void {
    switch (reg) {
      case 0:
        if (this.lcr & LCR_DLAB) {
          this.dll = v
          return
        }
        this.threPending = false
        this.transmit(v)
        this.threPending = true // the byte left at once: THR is empty again [R]
        break
      case 1:
        if (this.lcr & LCR_DLAB) {
          this.dlm = v
          return
        }
        // Enabling ETBEI while THR is empty raises the THRE interrupt (PC16550D: "THRE … when enabled").
        if (v & IER_THRE && !(this.ier & IER_THRE)) this.threPending = true
        this.ier = v & 0x0f
        break
      case 2: {
        const toggled = (v & FCR_ENABLE) !== (this.fcr & FCR_ENABLE)
        // Changing FIFO enable clears both FIFOs; bit 1 clears the RX FIFO (TX is always empty here).
        // The other bits take effect only with bit 0 set.
        if (toggled || v & FCR_CLEAR_RX) this.rx = []
        this.fcr = v & FCR_ENABLE ? v & 0xc9 : 0
        this.refill()
        break
      }
      case 3:
        this.lcr = v
        return
      case 4:
        this.mcr = v & 0x1f
        this.setModemLines(this.modemInputs(this.mcr))
        break
      case 5:
      case 6:
        return // LSR and MSR are read-only (factory test writes are not modelled)
      default:
        this.scr = v
        return
    }
    this.update()
  }

  saveState(w: StateWriter): void {
    w.section(this.name)
    for (const v of [
      this.ier,
      this.fcr,
      this.lcr,
      this.mcr,
      this.lsrErrors,
      this.msr,
      this.scr,
      this.dll,
      this.dlm,
    ])
      w.u8(v)
    w.bool(this.threPending)
    w.bool(this.irqLevel)
    w.bytes(Uint8Array.from(this.rx))
    this.input.saveState(w)
  }

  loadState(r: StateReader): void {
    r.section(this.name)
    this.ier = r.u8()
    this.fcr = r.u8()
    this.lcr = r.u8()
    this.mcr = r.u8()
    this.lsrErrors = r.u8()
    this.msr = r.u8()
    this.scr = r.u8()
    this.dll = r.u8()
    this.dlm = r.u8()
    this.threPending = r.bool()
    this.irqLevel = r.bool()
    this.rx = Array.from(r.bytes())
    this.input.loadState(r)
  }
}
