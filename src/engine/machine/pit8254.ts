/**
 * The Intel 8254 Programmable Interval Timer (Intel 8254 datasheet, order no. 231164): three 16-bit
 * down-counters clocked at 1.193182 MHz on the PC, a control word register, counter-latch and read-back
 * commands. On the PC/AT counter 0's OUT drives IRQ0, counter 1 once refreshed DRAM and counter 2 feeds
 * the speaker; all three GATE inputs are modelled as tied high [R] (counter 2's gate is really port 0x61
 * bit 0, which this machine does not model).
 *
 * Time is not stored as a running count: each counter remembers the input-clock tick at which its count
 * was loaded, and every value (count, OUT, the next IRQ edge) is computed from absolute tick numbers
 * with exact integer arithmetic, so no rounding accumulates however the machine slices time.
 */

import { CPU_HZ, type ClockedDevice } from './clock'
import type { AccessSize, PortDevice } from './bus'
import type { IrqLine } from './irq'
import { Irq, PcLayout } from './layout'
import type { StateReader, StateWriter, Snapshottable } from '../snapshot'
import { EventKind } from '../trace/schema'
import type { EventSink } from '../trace/sink'

/** floor(a / b) for non-negative integers whose products stay below 2^53, exact (no float rounding). */
function floorDiv(a: number, b: number): number {
  let q = Math.floor(a / b)
  while (q * b > a) q--
  while ((q + 1) * b <= a) q++
  return q
}

/** Read/write access (control word bits 5:4, datasheet "Control Word Format"): 0 is the counter-latch command. */
const RW_LATCH = 0
const RW_LSB = 1
const RW_MSB = 2
const RW_LSB_MSB = 3

function toBcd(v: number): number {
  return (
    (v % 10) |
    ((Math.floor(v / 10) % 10) << 4) |
    ((Math.floor(v / 100) % 10) << 8) |
    ((Math.floor(v / 1000) % 10) << 12)
  )
}
function fromBcd(v: number): number {
  return (v & 0xf) + ((v >> 4) & 0xf) * 10 + ((v >> 8) & 0xf) * 100 + ((v >> 12) & 0xf) * 1000
}

/**
 * One counter. `loadTick` is the input-clock tick at which the count register (CR) was transferred
 * to the counting element (CE) — "on the next CLK pulse" after the count is written — so d = tick −
 * loadTick is the number of CLK pulses the CE has counted.
 */
class PitCounter {
  /** Mode bits as programmed (0–7; 6 and 7 behave as 2 and 3 and read back as written). */
  modeBits = 0
  rw = RW_LSB_MSB
  bcd = false
  /** The initial count N in counts (1 … 65536, or 10000 in BCD; a written 0 means the maximum). */
  count = 0x10000
  /** Tick at which the CE was loaded (NaN: not counting, the CE holds {@link held}). */
  loadTick = NaN
  /** CE value while not counting (and until the load pulse after a write). */
  held = 0
  /** OUT while not counting: low after a mode 0 control word, high for every other mode. */
  idleOut = false
  /** Mode 2/3: a count written while counting, loaded at the end of the current period (tick NaN: none). */
  pendingCount = 0
  pendingTick = NaN
  /** Second byte of an LSB-then-MSB write is next; the LSB written so far. */
  writeMsbNext = false
  writeLsb = 0
  readMsbNext = false
  /** Output latch: value, or -1; bytes still to read from it. */
  latched = -1
  latchMsbNext = false
  /** Latched status byte from a read-back command, or -1. */
  status = -1

  get mode(): number {
    return this.modeBits >= 6 ? this.modeBits - 4 : this.modeBits
  }
  private get modulus(): number {
    return this.bcd ? 10000 : 0x10000
  }

  /** True when the CE is counting at `t` (loaded and not waiting for a gate trigger). */
  counting(t: number): boolean {
    return t >= this.loadTick
  }

  /** Applies a pending mode 2/3 reload once its tick has come. */
  settle(t: number): void {
    if (t >= this.pendingTick) {
      this.loadTick = this.pendingTick
      this.count = this.pendingCount
      this.pendingTick = NaN
    }
  }

  /** The CE value at tick `t` (datasheet "Operational Description" of each mode). */
  value(t: number): number {
    if (!this.counting(t)) return this.held
    const d = t - this.loadTick
    const n = this.count
    switch (this.mode) {
      case 0:
      case 4: {
        const m = this.modulus
        return (((n - d) % m) + m) % m // after terminal count the counter wraps and keeps counting
      }
      case 2:
        return n - (d % n)
      case 3:
        // Decrements by two each half period; odd counts are approximated as in QEMU's i8254 [R].
        return n - ((2 * d) % n)
      default:
        return n // modes 1 and 5 wait for a GATE rising edge that never comes (GATE tied high) [R]
    }
  }

  /** OUT at tick `t`. */
  out(t: number): boolean {
    if (!this.counting(t)) return this.idleOut
    const d = t - this.loadTick
    const n = this.count
    switch (this.mode) {
      case 0:
        return d >= n
      case 2:
        return d % n !== n - 1
      case 3:
        return d % n < (n + 1) >> 1
      case 4:
        return d !== n
      default:
        return true
    }
  }

  /** The first tick after `t` at which OUT rises (what edge-triggers IRQ0), or Infinity. */
  nextRise(t: number): number {
    if (Number.isNaN(this.loadTick)) return Infinity
    const n = this.count
    let rise: number
    switch (this.mode) {
      case 0:
        rise = this.loadTick + n
        break
      case 4:
        rise = this.loadTick + n + 1
        break
      case 2:
      case 3: {
        // OUT rises at every reload: d = k·N, k ≥ 1.
        const d = t - this.loadTick
        const k = d < 0 ? 1 : Math.floor(d / n) + 1
        return this.loadTick + k * n
      }
      default:
        return Infinity
    }
    return rise > t ? rise : Infinity
  }

  /** Control word for this counter (datasheet "Write Operations"): the counter stops until a count is written. */
  control(v: number, t: number): void {
    this.held = this.value(t)
    this.rw = (v >> 4) & 3
    this.modeBits = (v >> 1) & 7
    this.bcd = (v & 1) !== 0
    this.loadTick = NaN
    this.pendingTick = NaN
    this.idleOut = this.mode !== 0
    this.writeMsbNext = false
    this.readMsbNext = false
  }

  write(v: number, t: number): void {
    switch (this.rw) {
      case RW_LSB:
        this.load(v, t)
        return
      case RW_MSB:
        this.load(v << 8, t)
        return
      default:
        if (!this.writeMsbNext) {
          this.writeLsb = v
          this.writeMsbNext = true
          // Mode 0: "Writing the first byte disables counting. OUT is set low immediately."
          if (this.mode === 0) {
            this.held = this.value(t)
            this.loadTick = NaN
            this.idleOut = false
          }
          return
        }
        this.writeMsbNext = false
        this.load(this.writeLsb | (v << 8), t)
    }
  }

  /**
   * A complete count was written at tick `t`. Modes 0 and 4 restart: the CE is loaded on the next CLK
   * pulse. Modes 2 and 3 already counting take the new count at the end of the current period (the
   * datasheet says half-period for mode 3; ending the period is the modelling choice [R]).
   */
  private load(raw: number, t: number): void {
    const n = raw === 0 ? this.modulus : this.bcd ? fromBcd(raw) : raw
    const mode = this.mode
    if ((mode === 2 || mode === 3) && this.counting(t)) {
      this.pendingCount = n
      this.pendingTick = this.nextRise(t)
      return
    }
    this.held = this.value(t)
    this.count = n
    this.pendingTick = NaN
    if (mode === 1 || mode === 5) return
    this.loadTick = t + 1
  }

  /** Counter-latch command: the output latch freezes the CE until read (a second latch is ignored). */
  latch(t: number): void {
    if (this.latched >= 0) return
    this.latched = this.value(t) & 0xffff
    this.latchMsbNext = false
  }

  /** Read-back status byte: OUT, NULL COUNT, RW, mode, BCD (datasheet, "Read-Back Command" and "Status Byte"). */
  latchStatus(t: number): void {
    if (this.status >= 0) return
    const nullCount = !this.counting(t) || !Number.isNaN(this.pendingTick)
    this.status =
      (this.out(t) ? 0x80 : 0) |
      (nullCount ? 0x40 : 0) |
      (this.rw << 4) |
      (this.modeBits << 1) |
      (this.bcd ? 1 : 0)
  }

  read(t: number): number {
    if (this.status >= 0) {
      const s = this.status
      this.status = -1
      return s
    }
    let v: number
    let msb: boolean
    if (this.latched >= 0) {
      v = this.latched
      if (this.rw === RW_LSB_MSB && !this.latchMsbNext) {
        this.latchMsbNext = true
        msb = false
      } else {
        this.latched = -1
        msb = this.rw === RW_MSB || this.latchMsbNext
      }
    } else {
      v = this.value(t) & 0xffff
      if (this.rw === RW_LSB_MSB) {
        msb = this.readMsbNext
        this.readMsbNext = !this.readMsbNext
      } else {
        msb = this.rw === RW_MSB
      }
    }
    if (this.bcd) v = toBcd(v)
    return msb ? (v >> 8) & 0xff : v & 0xff
  }

  saveState(w: StateWriter): void {
    for (const v of [this.modeBits, this.rw, this.count, this.loadTick, this.held, this.pendingCount])
      w.f64(v)
    for (const v of [this.pendingTick, this.writeLsb, this.latched, this.status]) w.f64(v)
    for (const b of [this.bcd, this.idleOut, this.writeMsbNext, this.readMsbNext, this.latchMsbNext])
      w.bool(b)
  }

  loadState(r: StateReader): void {
    this.modeBits = r.f64()
    this.rw = r.f64()
    this.count = r.f64()
    this.loadTick = r.f64()
    this.held = r.f64()
    this.pendingCount = r.f64()
    this.pendingTick = r.f64()
    this.writeLsb = r.f64()
    this.latched = r.f64()
    this.status = r.f64()
    this.bcd = r.bool()
    this.idleOut = r.bool()
    this.writeMsbNext = r.bool()
    this.readMsbNext = r.bool()
    this.latchMsbNext = r.bool()
  }
}

/**
 * The 8254 at ports base … base + 3 (0x40–0x43 on the PC). Time reaches it only through
 * {@link advance}; port accesses act at the time of the last advance, so whoever dispatches them must
 * advance the timer to the current cycle first ({@link Pc} does).
 */
export class Pit8254 implements PortDevice, ClockedDevice, Snapshottable {
  readonly name = 'pit8254'
  private readonly counters = [new PitCounter(), new PitCounter(), new PitCounter()]
  /** Input-clock ticks elapsed at the last {@link advance}. */
  private tick = 0

  constructor(
    private readonly base: number,
    private readonly irq0: IrqLine,
    private readonly sink: EventSink | null,
    private readonly inputHz: number = PcLayout.pitHz,
  ) {}

  /** Whole input-clock ticks in `cycles` CPU cycles: floor(cycles · inputHz / CPU_HZ), computed exactly. */
  ticksAt(cycles: number): number {
    const q = Math.floor(cycles / CPU_HZ)
    const r = cycles - q * CPU_HZ
    return q * this.inputHz + floorDiv(r * this.inputHz, CPU_HZ)
  }

  /** The first CPU cycle at which tick `t` has happened: ceil(t · CPU_HZ / inputHz), computed exactly. */
  cycleOfTick(t: number): number {
    if (t === Infinity) return Infinity
    const q = Math.floor(t / this.inputHz)
    const r = t - q * this.inputHz
    const num = r * CPU_HZ
    const f = floorDiv(num, this.inputHz)
    return q * CPU_HZ + (f * this.inputHz === num ? f : f + 1)
  }

  /**
   * Brings the timer to cycle `now`. A rising edge of counter 0's OUT since the last advance pulses
   * IRQ0 once (several edges in one step coalesce, as they would in the 8259A's single IRR bit) and
   * emits `TimerTick`. Returns the cycle of the next edge.
   */
  advance(now: number): number {
    const t = this.ticksAt(now)
    if (t > this.tick) {
      const c0 = this.counters[0]
      if (c0.nextRise(this.tick) <= t) {
        this.irq0.pulse()
        this.sink?.emit(EventKind.TimerTick, 0, Irq.pit)
      }
      for (const c of this.counters) c.settle(t)
      this.tick = t
    }
    return this.cycleOfTick(this.counters[0].nextRise(this.tick))
  }

  /** Counter `i`'s count as the CE holds it now (for the inspector and tests; no latch side effects). */
  peek(i: number): number {
    return this.counters[i].value(this.tick) & 0xffff
  }

  /** Counter `i`'s OUT pin now. */
  outPin(i: number): boolean {
    return this.counters[i].out(this.tick)
  }

  portIn(port: number, size: AccessSize): number {
    let v = 0
    for (let i = 0; i < size; i++) v |= this.readByte(port + i) << (8 * i)
    return v >>> 0
  }

  portOut(port: number, size: AccessSize, value: number): void {
    for (let i = 0; i < size; i++) this.writeByte(port + i, (value >>> (8 * i)) & 0xff)
  }

  private readByte(port: number): number {
    const i = port - this.base
    // The control word register cannot be read (datasheet "Read Operations"): the bus floats.
    return i >= 0 && i < 3 ? this.counters[i].read(this.tick) : 0xff
  }

  private writeByte(port: number, v: number): void {
    const i = port - this.base
    if (i >= 0 && i < 3) {
      this.counters[i].write(v, this.tick)
      return
    }
    if (i !== 3) return
    const sc = v >> 6
    if (sc === 3) {
      // Read-back: bit 5 low latches counts, bit 4 low latches status, bits 3:1 select counters.
      for (let c = 0; c < 3; c++) {
        if (!(v & (2 << c))) continue
        if (!(v & 0x20)) this.counters[c].latch(this.tick)
        if (!(v & 0x10)) this.counters[c].latchStatus(this.tick)
      }
    } else if (((v >> 4) & 3) === RW_LATCH) {
      this.counters[sc].latch(this.tick)
    } else {
      this.counters[sc].control(v, this.tick)
    }
  }

  saveState(w: StateWriter): void {
    w.section('pit8254')
    w.f64(this.tick)
    for (const c of this.counters) c.saveState(w)
  }

  loadState(r: StateReader): void {
    r.section('pit8254')
    this.tick = r.f64()
    for (const c of this.counters) c.loadState(r)
  }
}
