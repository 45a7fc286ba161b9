import { describe, expect, it } from 'vitest'
import { StateReader, StateWriter } from '../snapshot'
import { EventKind } from '../trace/schema'
import { EventSink } from '../trace/sink'
import { CPU_HZ } from './clock'
import type { IrqLine } from './irq'
import { PcLayout } from './layout'
import { Pit8254 } from './pit8254'

const HZ = BigInt(PcLayout.pitHz)
const CPU = BigInt(CPU_HZ)
/** Reference conversions in exact big-integer arithmetic (independent of the model's own). */
const tickAt = (cycles: number): number => Number((BigInt(cycles) * HZ) / CPU)
const cycleOf = (tick: number): number => Number((BigInt(tick) * CPU + HZ - 1n) / HZ)

function timer() {
  const clock = { cycles: 0 }
  const sink = new EventSink(clock)
  const pulses: number[] = []
  const line: IrqLine = { set: () => {}, pulse: () => pulses.push(clock.cycles) }
  const pit = new Pit8254(0x40, line, sink)
  const at = (cycles: number) => {
    clock.cycles = cycles
    return pit.advance(cycles)
  }
  const out = (port: number, v: number) => pit.portOut(port, 1, v)
  const inb = (port: number) => pit.portIn(port, 1)
  return { pit, pulses, at, out, inb, sink, clock }
}

/** Control word for counter `c`, access mode `rw`, mode `m`. */
const cw = (c: number, rw: number, m: number, bcd = 0) => (c << 6) | (rw << 4) | (m << 1) | bcd

function program(t: ReturnType<typeof timer>, c: number, mode: number, count: number): void {
  t.out(0x43, cw(c, 3, mode))
  t.out(0x40 + c, count & 0xff)
  t.out(0x40 + c, (count >> 8) & 0xff)
}

/** Runs from deadline to deadline, returning the cycles at which IRQ0 pulsed. */
function runDeadlines(t: ReturnType<typeof timer>, edges: number): number[] {
  let next = t.at(t.clock.cycles)
  while (t.pulses.length < edges) next = t.at(next)
  return t.pulses.slice(0, edges)
}

describe('8254 time base', () => {
  it('converts cycles to input-clock ticks and back exactly', () => {
    const { pit } = timer()
    let x = 12345
    for (let i = 0; i < 2000; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31
      const cycles = x * 4099 + (i << 20) * 1000 // up to ~10^13 cycles (hours of virtual time)
      expect(pit.ticksAt(cycles)).toBe(tickAt(cycles))
      const tick = tickAt(cycles)
      expect(pit.cycleOfTick(tick)).toBe(cycleOf(tick))
    }
  })
})

describe('8254 counter 0 and IRQ0', () => {
  for (const divisor of [1193, 11932, 65535, 2, 100]) {
    it(`mode 2 with divisor ${divisor} pulses IRQ0 once per period at exact cycles`, () => {
      const t = timer()
      program(t, 0, 2, divisor)
      // Count written at tick 0, loaded on the next CLK pulse (tick 1); OUT rises at each reload.
      const expected = Array.from({ length: 20 }, (_, k) => cycleOf(1 + (k + 1) * divisor))
      expect(runDeadlines(t, 20)).toEqual(expected)
      expect(t.sink.counts[EventKind.TimerTick]).toBe(20)
    })
  }

  it('mode 3 has the same period and a square OUT (high ceil(N/2), low floor(N/2))', () => {
    const t = timer()
    const n = 7
    program(t, 0, 3, n)
    expect(runDeadlines(t, 5)).toEqual([1, 2, 3, 4, 5].map((k) => cycleOf(1 + k * n)))
    const outs: boolean[] = []
    for (let tick = 1 + 5 * n; tick < 1 + 6 * n; tick++) {
      t.at(cycleOf(tick))
      outs.push(t.pit.outPin(0))
    }
    expect(outs).toEqual([true, true, true, true, false, false, false])
  })

  it('does not drift over hours of virtual time', () => {
    const t = timer()
    program(t, 0, 2, 1193)
    const k = 10_000_000 // about 10^4 s at 1 kHz
    const deadline = t.at(cycleOf(1 + k * 1193) - 1)
    expect(deadline).toBe(cycleOf(1 + k * 1193))
  })

  it('coalesces several missed periods into one pulse, as the 8259A IRR would', () => {
    const t = timer()
    program(t, 0, 2, 100)
    t.at(cycleOf(1 + 10 * 100))
    expect(t.pulses.length).toBe(1)
  })

  it('mode 0 interrupts once, N + 1 clocks after the count is written', () => {
    const t = timer()
    t.at(5000)
    const w = tickAt(5000)
    program(t, 0, 0, 50)
    expect(t.pit.outPin(0)).toBe(false)
    const deadline = t.at(5000)
    expect(deadline).toBe(cycleOf(w + 1 + 50))
    t.at(deadline - 1)
    expect(t.pit.outPin(0)).toBe(false)
    expect(t.pulses.length).toBe(0)
    expect(t.at(deadline)).toBe(Infinity)
    expect(t.pulses).toEqual([deadline])
    expect(t.pit.outPin(0)).toBe(true)
    // After terminal count the counter keeps counting down through 0xffff.
    t.at(cycleOf(w + 1 + 52))
    expect(t.pit.peek(0)).toBe(0xfffe)
    t.at(cycleOf(w + 1 + 10_000))
    expect(t.pulses.length).toBe(1)
  })

  it('mode 0: writing the first byte of a new count stops counting and drops OUT', () => {
    const t = timer()
    program(t, 0, 0, 10)
    t.at(cycleOf(20))
    expect(t.pit.outPin(0)).toBe(true)
    t.out(0x40, 0x05)
    expect(t.pit.outPin(0)).toBe(false)
    const frozen = t.pit.peek(0)
    t.at(cycleOf(40))
    expect(t.pit.peek(0)).toBe(frozen)
    t.out(0x40, 0x00)
    expect(t.at(cycleOf(40))).toBe(cycleOf(40 + 1 + 5))
  })

  it('mode 2: a new count written while counting takes effect at the next reload', () => {
    const t = timer()
    program(t, 0, 2, 100)
    t.at(cycleOf(50)) // in the first period (reload at tick 101)
    t.out(0x40, 200 & 0xff)
    t.out(0x40, 0)
    expect(runDeadlines(t, 3)).toEqual([cycleOf(101), cycleOf(301), cycleOf(501)])
  })
})

describe('8254 reads', () => {
  it('reads the counting element as it counts down (mode 2, LSB then MSB)', () => {
    const t = timer()
    program(t, 0, 2, 1000)
    for (const tick of [1, 2, 500, 1000, 1001, 1500]) {
      t.at(cycleOf(tick))
      const lo = t.inb(0x40)
      const hi = t.inb(0x40)
      const d = tick - 1
      expect((hi << 8) | lo).toBe(1000 - (d % 1000))
    }
  })

  it('holds a latched count until both bytes are read', () => {
    const t = timer()
    program(t, 0, 2, 0) // 0 is 65536
    t.at(cycleOf(101))
    t.out(0x43, 0x00) // counter-latch command, counter 0
    t.at(cycleOf(5000))
    t.out(0x43, 0x00) // a second latch before reading is ignored
    expect(t.inb(0x40) | (t.inb(0x40) << 8)).toBe(65536 - 100)
    const v = t.inb(0x40) | (t.inb(0x40) << 8)
    expect(v).toBe(65536 - 4999)
  })

  it('reads single bytes in LSB-only and MSB-only access modes', () => {
    const t = timer()
    t.out(0x43, cw(2, 1, 2))
    t.out(0x42, 0xc8) // LSB only: count 200
    t.at(cycleOf(11))
    expect(t.inb(0x42)).toBe(190)
    expect(t.inb(0x42)).toBe(190)
    t.out(0x43, cw(1, 2, 2))
    t.out(0x41, 0x02) // MSB only: count 0x200
    t.at(cycleOf(11 + 1 + 0x101))
    expect(t.inb(0x41)).toBe(0x00) // 0x200 − 0x101 = 0x0ff
  })

  it('latches status and count with the read-back command', () => {
    const t = timer()
    t.out(0x43, cw(1, 3, 2))
    t.out(0x43, 0xe4) // read-back: status only, counter 1
    expect(t.inb(0x41)).toBe(0x80 | 0x40 | 0x34) // OUT high, null count, LSB/MSB, mode 2
    t.out(0x41, 0x10)
    t.out(0x41, 0x00)
    t.at(cycleOf(1 + 5))
    t.out(0x43, 0xc4) // read-back: count and status, counter 1
    expect(t.inb(0x41)).toBe(0x80 | 0x34) // status first; count loaded, so no null count
    expect(t.inb(0x41) | (t.inb(0x41) << 8)).toBe(0x10 - 5)
  })

  it('counts in BCD when asked', () => {
    const t = timer()
    t.out(0x43, cw(0, 3, 2, 1))
    t.out(0x40, 0x00)
    t.out(0x40, 0x10) // 1000 decimal
    expect(runDeadlines(t, 1)).toEqual([cycleOf(1 + 1000)])
    t.at(cycleOf(1 + 1000 + 1))
    expect(t.inb(0x40) | (t.inb(0x40) << 8)).toBe(0x0999)
  })

  it('floats on a read of the control word register', () => {
    const t = timer()
    expect(t.inb(0x43)).toBe(0xff)
  })
})

describe('8254 snapshots', () => {
  it('continues identically after a save/load round trip', () => {
    const a = timer()
    program(a, 0, 3, 500)
    program(a, 2, 2, 77)
    a.at(cycleOf(1234))
    a.out(0x40, 0x20) // a pending reload
    a.out(0x40, 0x01)
    a.out(0x43, 0x80) // latch counter 2, left unread
    const w = new StateWriter()
    a.pit.saveState(w)
    a.pulses.length = 0
    const b = timer()
    b.pit.loadState(new StateReader(w.finish()))
    b.clock.cycles = a.clock.cycles
    const trace = (t: ReturnType<typeof timer>) => {
      const got: number[] = [t.inb(0x42)]
      let next = t.at(t.clock.cycles)
      for (let i = 0; i < 5; i++) {
        next = t.at(next)
        got.push(next, t.inb(0x40), t.inb(0x40), t.inb(0x42))
      }
      return got.concat(t.pulses)
    }
    expect(trace(b)).toEqual(trace(a))
  })
})
