/**
 * The Intel 8259A Programmable Interrupt Controller, and the PC/AT's master/slave pair of them.
 *
 * Specified by the Intel 8259A datasheet (order no. 231468): initialisation command words ICW1–ICW4
 * ("Initialization Command Words"), operation command words OCW1–OCW3 ("Operation Command Words"),
 * priority resolution, cascading, and the INTA sequence ("Interrupt Sequence"). PC/AT wiring: master
 * at ports 0x20/0x21, slave at 0xa0/0xa1, slave INT output on master IR2 (IBM PC/AT Technical Reference).
 */

import type { StateReader, StateWriter, Snapshottable } from '../snapshot'
import type { AccessSize, PortDevice } from './bus'
import type { InterruptController, IrqLine } from './irq'

/** ICW1 bits (datasheet, "Initialization Command Word Format"). */
const ICW1_IC4 = 0x01
const ICW1_SNGL = 0x02
const ICW1_LTIM = 0x08
const ICW1_SELECT = 0x10
/** ICW4 bits. */
const ICW4_AEOI = 0x02
const ICW4_SFNM = 0x10
/** OCW3 bits (datasheet, "Operation Command Word Format"). */
const OCW3_SELECT = 0x08
const OCW3_RIS = 0x01
const OCW3_RR = 0x02
const OCW3_POLL = 0x04
const OCW3_SMM = 0x20
const OCW3_ESMM = 0x40

/** Where the chip is in the ICW sequence: 0 = initialised (OCWs accepted), else the ICW it expects next. */
const enum Icw {
  Done = 0,
  Icw2 = 2,
  Icw3 = 3,
  Icw4 = 4,
}

/**
 * One 8259A. The pair ({@link PicPair}) drives it; on its own it knows nothing about the other chip
 * except, for the master, which inputs have slaves (ICW3) and, for the slave, its identity (ICW3).
 */
export class Pic8259 {
  /** Interrupt request register. */
  irr = 0
  /** In-service register. */
  isr = 0
  /** Interrupt mask register (OCW1). */
  imr = 0xff
  /** Input levels as last driven by the IR lines. */
  private level = 0
  /** Level-triggered mode only: requests raised by `pulse()`, held until acknowledged (see {@link PicPair.line}). */
  private pulsed = 0
  /**
   * INT stays asserted for a request withdrawn before INTA: the CPU still runs the INTA cycle and the
   * chip answers with its IR7 vector (the datasheet's "default IR7"). Cleared by INTA or any command
   * written to the chip [R].
   */
  private intHeld = false
  /** ICW2 & 0xf8: the vector of IR0 in 8086 mode. */
  vectorBase = 0
  /** ICW3 as written: master = bitmap of inputs with a slave; slave = its cascade identity (bits 2:0). */
  icw3 = 0
  private icw1 = 0
  private icw4 = 0
  private icwStep: Icw = Icw.Done
  /** Priority rotation: the IR with the lowest priority (7 after ICW1). */
  private lowest = 7
  private rotateInAeoi = false
  private specialMask = false
  private readIsr = false
  private poll = false

  constructor(readonly isMaster: boolean) {}

  get levelTriggered(): boolean {
    return (this.icw1 & ICW1_LTIM) !== 0
  }
  get single(): boolean {
    return (this.icw1 & ICW1_SNGL) !== 0
  }
  get autoEoi(): boolean {
    return (this.icw4 & ICW4_AEOI) !== 0
  }

  /**
   * Drives IR input `n`. Edge-triggered mode (the PC default) latches a request on the rising edge;
   * level-triggered mode (ICW1 LTIM) follows the level. In both, "the IR inputs must remain high until
   * after the falling edge of the first INTA. If the IR input goes low before this time a DEFAULT IR7
   * will occur when the CPU acknowledges the interrupt" (datasheet, "Edge and Level Triggered Modes"):
   * a falling edge withdraws the request but leaves INT asserted ({@link intHeld}).
   */
  setLevel(n: number, high: boolean): void {
    const bit = 1 << n
    if (high) {
      if (!(this.level & bit) && !this.levelTriggered) this.irr |= bit
      this.level |= bit
      if (this.levelTriggered) this.irr = this.level | this.pulsed
      return
    }
    if (!(this.irr & bit)) {
      this.level &= ~bit
      return
    }
    const asserted = this.pending() >= 0
    this.level &= ~bit
    this.irr = this.levelTriggered ? this.level | this.pulsed : this.irr & ~bit
    if (asserted && this.pending() < 0) this.intHeld = true
  }

  /** The INT output pin. */
  get int(): boolean {
    return this.intHeld || this.pending() >= 0
  }

  /** A short pulse on IR `n`: a rising edge whose request stays latched until INTA. */
  pulse(n: number): void {
    const bit = 1 << n
    if (this.levelTriggered) {
      this.pulsed |= bit
      this.irr = this.level | this.pulsed
    } else if (!(this.level & bit)) {
      this.irr |= bit
    }
  }

  /** Priority of IR `n`: 0 is the highest. Fixed priority puts IR0 highest; rotation moves it. */
  private prio(n: number): number {
    return (n - this.lowest - 1) & 7
  }

  /** The highest-priority IR set in `mask`, or -1. */
  private highest(mask: number): number {
    if (mask === 0) return -1
    for (let p = 0; p < 8; p++) {
      const n = (this.lowest + 1 + p) & 7
      if (mask & (1 << n)) return n
    }
    return -1
  }

  /**
   * Priority resolution (datasheet "Priority Resolver"): the highest-priority unmasked request, if it
   * is above every level in service. Special mask mode ignores in-service levels that are masked;
   * special fully nested mode (master, ICW4 SFNM) lets a cascade input interrupt its own service.
   */
  pending(): number {
    if (this.icwStep !== Icw.Done) return -1
    const req = this.highest(this.irr & ~this.imr)
    if (req < 0) return -1
    let inService = this.isr
    if (this.specialMask) inService &= ~this.imr
    if (this.isMaster && this.icw4 & ICW4_SFNM) inService &= ~(this.icw3 & (1 << req))
    const svc = this.highest(inService)
    return svc < 0 || this.prio(req) < this.prio(svc) ? req : -1
  }

  /** An INTA that found no request: the chip answered with its IR7 vector and INT drops. */
  ackSpurious(): void {
    this.intHeld = false
  }

  /** The first INTA pulse: request `n` moves from IRR to ISR (or, with AEOI, is done at once). */
  ack(n: number): void {
    this.intHeld = false
    const bit = 1 << n
    if (this.levelTriggered) {
      this.pulsed &= ~bit
      this.irr = this.level | this.pulsed
    } else {
      this.irr &= ~bit
    }
    if (this.autoEoi) {
      if (this.rotateInAeoi) this.lowest = n
    } else {
      this.isr |= bit
    }
  }

  /** True if `n` is a master input with a slave on it (ICW3, cascade mode). */
  hasSlaveOn(n: number): boolean {
    return this.isMaster && !this.single && (this.icw3 & (1 << n)) !== 0
  }

  /** A slave's cascade identity (ICW3 bits 2:0): it answers INTA only when the master names this IR. */
  get slaveId(): number {
    return this.icw3 & 7
  }

  /** The poll command (OCW3 P): the next read returns 0x80 | level if a request is pending, and acknowledges it. */
  private pollRead(): number {
    this.poll = false
    const n = this.pending()
    if (n < 0) {
      this.intHeld = false
      return 0
    }
    this.ack(n)
    return 0x80 | n
  }

  /** A read of port A0 = 0 (base) or A0 = 1 (base + 1). */
  read(a0: number): number {
    if (this.poll) return this.pollRead()
    if (a0 === 1) return this.imr
    return this.readIsr ? this.isr : this.irr
  }

  /** A write of port A0 = 0 or A0 = 1; the pair recomputes outputs afterwards. */
  write(a0: number, v: number): void {
    this.intHeld = false
    if (a0 === 0) {
      if (v & ICW1_SELECT) this.writeIcw1(v)
      else if (v & OCW3_SELECT) this.writeOcw3(v)
      else this.writeOcw2(v)
      return
    }
    switch (this.icwStep) {
      case Icw.Icw2:
        this.vectorBase = v & 0xf8
        this.icwStep = this.single ? this.afterIcw3() : Icw.Icw3
        return
      case Icw.Icw3:
        this.icw3 = v
        this.icwStep = this.afterIcw3()
        return
      case Icw.Icw4:
        this.icw4 = v
        this.icwStep = Icw.Done
        return
      case Icw.Done:
        this.imr = v // OCW1
        return
    }
  }

  private afterIcw3(): Icw {
    return this.icw1 & ICW1_IC4 ? Icw.Icw4 : Icw.Done
  }

  /**
   * ICW1 starts initialisation: "the edge sense circuit is reset", the IMR is cleared, IR7 gets the
   * lowest priority, special mask mode is cleared and status read is set to IRR; without IC4 all ICW4
   * functions are zero. Clearing IRR and ISR as well is a modelling choice [R] (QEMU's i8259 does the same).
   */
  private writeIcw1(v: number): void {
    this.icw1 = v
    this.icwStep = Icw.Icw2
    this.imr = 0
    this.isr = 0
    this.pulsed = 0
    this.irr = this.levelTriggered ? this.level : 0
    this.lowest = 7
    this.specialMask = false
    this.readIsr = false
    this.poll = false
    this.rotateInAeoi = false
    this.icw4 = 0
    this.icw3 = 0
  }

  /**
   * OCW2 (R, SL, EOI in bits 7:5; level in 2:0): non-specific EOI (001), specific EOI (011), rotate on
   * non-specific EOI (101), rotate on specific EOI (111), set priority (110), rotate in AEOI set (100)
   * / clear (000), no operation (010).
   */
  private writeOcw2(v: number): void {
    const level = v & 7
    switch ((v >> 5) & 7) {
      case 0b001:
      case 0b101: {
        const n = this.highest(this.isr)
        if (n >= 0) {
          this.isr &= ~(1 << n)
          if (v & 0x80) this.lowest = n
        }
        return
      }
      case 0b011:
        this.isr &= ~(1 << level)
        return
      case 0b111:
        this.isr &= ~(1 << level)
        this.lowest = level
        return
      case 0b110:
        this.lowest = level
        return
      case 0b100:
        this.rotateInAeoi = true
        return
      case 0b000:
        this.rotateInAeoi = false
        return
      default:
        return
    }
  }

  /** OCW3: ESMM/SMM set or clear special mask mode; P issues a poll; RR/RIS select IRR or ISR for reads. */
  private writeOcw3(v: number): void {
    if (v & OCW3_ESMM) this.specialMask = (v & OCW3_SMM) !== 0
    if (v & OCW3_POLL) this.poll = true
    if (v & OCW3_RR) this.readIsr = (v & OCW3_RIS) !== 0
  }

  saveState(w: StateWriter): void {
    for (const v of [this.irr, this.isr, this.imr, this.level, this.pulsed, this.vectorBase, this.icw3])
      w.u8(v)
    for (const v of [this.icw1, this.icw4, this.icwStep, this.lowest]) w.u8(v)
    for (const b of [this.rotateInAeoi, this.specialMask, this.readIsr, this.poll, this.intHeld]) w.bool(b)
  }

  loadState(r: StateReader): void {
    this.irr = r.u8()
    this.isr = r.u8()
    this.imr = r.u8()
    this.level = r.u8()
    this.pulsed = r.u8()
    this.vectorBase = r.u8()
    this.icw3 = r.u8()
    this.icw1 = r.u8()
    this.icw4 = r.u8()
    this.icwStep = r.u8() as Icw
    this.lowest = r.u8()
    this.rotateInAeoi = r.bool()
    this.specialMask = r.bool()
    this.readIsr = r.bool()
    this.poll = r.bool()
    this.intHeld = r.bool()
  }
}

/** The vector a floating data bus gives at INTA when no slave answers the master's cascade address [R]. */
const FLOATING_BUS_VECTOR = 0xff

/**
 * The PC/AT interrupt controller: two cascaded 8259As, the slave's INT on master IR2. Implements
 * {@link InterruptController} for the CPU (INTR pin, INTA cycle) and {@link PortDevice} for ports
 * 0x20–0x21 and 0xa0–0xa1. {@link intr} is recomputed after every change, so it is always exact.
 *
 * Power-on state: the datasheet leaves registers undefined until ICW1; this model starts with every
 * input masked and both chips waiting in the "initialised, vector base 0" state [R], so nothing is
 * delivered before a guest programs the pair.
 */
export class PicPair implements InterruptController, PortDevice, Snapshottable {
  readonly name = 'pic8259'
  readonly master = new Pic8259(true)
  readonly slave = new Pic8259(false)
  /** The master's INT output: the CPU's INTR pin. */
  intr = false
  private readonly lines: IrqLine[]

  constructor(
    private readonly masterBase: number,
    private readonly slaveBase: number,
  ) {
    this.master.icw3 = 0x04
    this.slave.icw3 = 0x02
    this.lines = Array.from({ length: 16 }, (_, n) => this.makeLine(n))
    this.lines[2] = this.lines[9]
  }

  /**
   * The IrqLine for ISA IRQ `n` (0–15). IRQ 8–15 are slave inputs 0–7. As on the PC/AT, the ISA bus's
   * IRQ2 pin is wired to IRQ9 (slave IR1), because master IR2 carries the cascade: `line(2)` is `line(9)`.
   */
  line(n: number): IrqLine {
    const l = this.lines[n]
    if (!l) throw new RangeError(`no IRQ line ${n}`)
    return l
  }

  private makeLine(n: number): IrqLine {
    const chip = n < 8 ? this.master : this.slave
    const ir = n & 7
    return {
      set: (level: boolean) => {
        chip.setLevel(ir, level)
        this.update()
      },
      pulse: () => {
        chip.pulse(ir)
        this.update()
      },
    }
  }

  /**
   * The IRQ line (0–15) the next {@link acknowledge} would serve, without acknowledging it (-1: none,
   * or a spurious request): what a hypervisor's virtual-PIC code reads to label the interrupt it is
   * about to inject.
   */
  pendingIrq(): number {
    const m = this.master.pending()
    if (m < 0) return -1
    if (!this.master.hasSlaveOn(m)) return m
    const s = this.slave.pending()
    return s < 0 ? -1 : 8 + s
  }

  /** The IRQ line (0–15) the last {@link acknowledge} served, or -1 for a spurious or floating-bus vector. */
  lastIrq = -1

  /** The INTR pin. It includes a withdrawn request whose INT is still held, which acknowledges as IR7. */
  hasInterrupt(): boolean {
    return this.intr
  }

  /**
   * The INTA sequence. The master resolves its highest request; if that input has a slave, the slave
   * whose ICW3 identity matches supplies the vector. A request that vanished before INTA yields the
   * chip's IR7 vector without setting ISR (a spurious IRQ 7, or IRQ 15 from the slave, in which case the
   * master's IR2 is in service and needs its EOI) — datasheet "Interrupt Sequence" and Linux's
   * `mask_and_ack_8259A` spurious handling.
   */
  acknowledge(): number {
    const m = this.master.pending()
    let vector: number
    this.lastIrq = -1
    if (m < 0) {
      this.master.ackSpurious()
      vector = this.master.vectorBase | 7
    } else {
      this.master.ack(m)
      if (!this.master.hasSlaveOn(m)) {
        vector = this.master.vectorBase + m
        this.lastIrq = m
      } else if (this.slave.slaveId !== m) {
        vector = FLOATING_BUS_VECTOR
      } else {
        const s = this.slave.pending()
        if (s < 0) {
          this.slave.ackSpurious()
          vector = this.slave.vectorBase | 7
        } else {
          this.slave.ack(s)
          vector = this.slave.vectorBase + s
          this.lastIrq = 8 + s
        }
      }
    }
    this.update()
    return vector
  }

  /** Recomputes the slave's INT output (wired to master IR2) and then the master's INT (the CPU's INTR). */
  private update(): void {
    this.master.setLevel(2, this.slave.int)
    this.intr = this.master.int
  }

  portIn(port: number, size: AccessSize): number {
    let v = 0
    for (let i = 0; i < size; i++) v |= this.readByte(port + i) << (8 * i)
    return v >>> 0
  }

  portOut(port: number, size: AccessSize, value: number): void {
    for (let i = 0; i < size; i++) this.writeByte(port + i, (value >>> (8 * i)) & 0xff)
  }

  private chipAt(port: number): Pic8259 | undefined {
    if ((port & ~1) === this.masterBase) return this.master
    if ((port & ~1) === this.slaveBase) return this.slave
    return undefined
  }

  private readByte(port: number): number {
    const chip = this.chipAt(port)
    if (!chip) return 0xff
    const v = chip.read(port & 1)
    this.update() // a poll read acknowledges
    return v
  }

  private writeByte(port: number, v: number): void {
    const chip = this.chipAt(port)
    if (!chip) return
    chip.write(port & 1, v)
    this.update()
  }

  saveState(w: StateWriter): void {
    w.section('pic8259')
    this.master.saveState(w)
    this.slave.saveState(w)
  }

  loadState(r: StateReader): void {
    r.section('pic8259')
    this.master.loadState(r)
    this.slave.loadState(r)
    this.update()
  }
}
