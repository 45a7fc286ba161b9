import { describe, expect, it } from 'vitest'
import { StateReader, StateWriter } from '../snapshot'
import { EventBatcher } from '../trace/batcher'
import { decodeEvent } from '../trace/codec'
import { EventKind } from '../trace/schema'
import { EventSink } from '../trace/sink'
import { CONSOLE_INPUT_LIMIT } from './console-input'
import { Uart16550 } from './uart16550'

const BASE = 0x3f8
const RBR = BASE
const THR = BASE
const IER = BASE + 1
const IIR = BASE + 2
const FCR = BASE + 2
const LCR = BASE + 3
const MCR = BASE + 4
const LSR = BASE + 5
const MSR = BASE + 6
const SCR = BASE + 7

function uart() {
  const clock = { cycles: 0 }
  const sink = new EventSink(clock)
  const levels: boolean[] = []
  let level = false
  const u = new Uart16550(
    BASE,
    {
      set: (l) => {
        level = l
        levels.push(l)
      },
      pulse: () => {},
    },
    sink,
    0,
  )
  const output: number[] = []
  u.onOutput = (bytes) => output.push(...bytes)
  return {
    u,
    sink,
    output,
    levels,
    irq: () => level,
    out: (p: number, v: number) => u.portOut(p, 1, v),
    inb: (p: number) => u.portIn(p, 1),
  }
}

/** What Linux's 8250 driver and most hobby kernels do: 8N1 at 115200, FIFO on, OUT2 set. */
function init(t: ReturnType<typeof uart>, fcr = 0xc7, ier = 0x01) {
  t.out(IER, 0x00)
  t.out(LCR, 0x80)
  t.out(BASE, 0x01) // DLL: 115200 baud
  t.out(BASE + 1, 0x00) // DLM
  t.out(LCR, 0x03)
  t.out(FCR, fcr)
  t.out(MCR, 0x0b) // DTR | RTS | OUT2
  t.out(IER, ier)
}

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0))

describe('16550A registers', () => {
  it('keeps the divisor latch behind DLAB and the scratch register', () => {
    const t = uart()
    init(t)
    t.out(LCR, 0x83)
    expect(t.inb(BASE)).toBe(0x01)
    expect(t.inb(BASE + 1)).toBe(0x00)
    t.out(LCR, 0x03)
    expect(t.inb(IER)).toBe(0x01)
    t.out(SCR, 0x5a)
    expect(t.inb(SCR)).toBe(0x5a)
  })

  it('reports FIFOs in IIR bits 7:6 only when enabled', () => {
    const t = uart()
    init(t, 0x00)
    expect(t.inb(IIR)).toBe(0x01)
    t.out(FCR, 0x01)
    expect(t.inb(IIR)).toBe(0xc1)
  })

  it('passes the Linux 8250 loopback probe (MCR 0x1a reads back MSR 0x90 in 7:4)', () => {
    const t = uart()
    t.out(MCR, 0x1a)
    expect(t.inb(MSR) & 0xf0).toBe(0x90)
    t.out(MCR, 0x1f)
    expect(t.inb(MSR) & 0xf0).toBe(0xf0)
  })

  it('transmits at once: LSR shows THRE and TEMT, bytes reach the callback and the event stream', () => {
    const t = uart()
    init(t)
    for (const b of bytes('ok\n')) t.out(THR, b)
    expect(t.output).toEqual(Array.from(bytes('ok\n')))
    expect(t.inb(LSR)).toBe(0x60)
    expect(t.sink.counts[EventKind.ConsoleByte]).toBe(3)
  })
})

describe('16550A receive path', () => {
  it('raises a character timeout for data below the trigger level', () => {
    const t = uart()
    init(t) // trigger 14
    t.u.queueInput(bytes('abc'))
    expect(t.inb(IIR)).toBe(0xcc)
    expect(t.irq()).toBe(true)
    expect(t.inb(LSR) & 1).toBe(1)
    expect([t.inb(RBR), t.inb(RBR), t.inb(RBR)]).toEqual([0x61, 0x62, 0x63])
    expect(t.inb(LSR) & 1).toBe(0)
    expect(t.inb(IIR)).toBe(0xc1)
    expect(t.irq()).toBe(false)
  })

  for (const [fcr, level] of [
    [0x01, 1],
    [0x41, 4],
    [0x81, 8],
    [0xc1, 14],
  ] as const) {
    it(`raises RX data available at trigger level ${level}`, () => {
      const t = uart()
      init(t, fcr)
      if (level > 1) {
        t.u.queueInput(new Uint8Array(level - 1))
        expect(t.inb(IIR)).toBe(0xcc)
      }
      t.u.queueInput(Uint8Array.of(0x55))
      expect(t.inb(IIR)).toBe(0xc4)
    })
  }

  it('paces queued input by the guest reads: 40 bytes arrive in order, none overrun', () => {
    const t = uart()
    init(t)
    const msg = bytes('the quick brown fox jumps over the lazy')
    t.u.queueInput(msg)
    const ids: number[] = []
    const got: number[] = []
    while (t.inb(LSR) & 1) {
      ids.push(t.inb(IIR) & 0x0f)
      got.push(t.inb(RBR))
    }
    expect(got).toEqual(Array.from(msg))
    expect(t.inb(LSR) & 0x02).toBe(0) // no overrun
    // RX data available while the FIFO holds ≥ 14, then character timeout for the tail.
    expect(ids.slice(0, msg.length - 13).every((id) => id === 0x04)).toBe(true)
    expect(ids.slice(msg.length - 13).every((id) => id === 0x0c)).toBe(true)
    expect(t.u.input.length).toBe(0)
  })

  it('holds one byte at a time with the FIFO disabled', () => {
    const t = uart()
    init(t, 0x00)
    t.u.queueInput(bytes('xy'))
    expect(t.inb(IIR)).toBe(0x04)
    expect(t.u.input.length).toBe(1)
    expect(t.inb(RBR)).toBe(0x78)
    expect(t.inb(RBR)).toBe(0x79)
    expect(t.inb(IIR)).toBe(0x01)
  })

  it('reports input as ConsoleByte events with the input bit', () => {
    const clock = { cycles: 7 }
    const sink = new EventSink(clock)
    const batcher = new EventBatcher(16)
    sink.attach(batcher)
    const u = new Uart16550(0x2f8, { set: () => {}, pulse: () => {} }, sink, 1)
    u.queueInput(bytes('A'))
    expect(decodeEvent(batcher.current, 0)).toMatchObject({
      kind: EventKind.ConsoleByte,
      reason: 0x101,
      arg0: 0x41,
      cycle: 7,
    })
  })

  it('drops and counts input beyond the queue bound', () => {
    const t = uart()
    init(t)
    t.u.queueInput(new Uint8Array(CONSOLE_INPUT_LIMIT + 100))
    expect(t.u.input.dropped).toBe(100)
  })
})

describe('16550A interrupts', () => {
  it('raises THR empty when enabled, clears it on an IIR read, and again after each byte', () => {
    const t = uart()
    init(t, 0xc7, 0x00)
    expect(t.irq()).toBe(false)
    t.out(IER, 0x02)
    expect(t.irq()).toBe(true)
    expect(t.inb(IIR)).toBe(0xc2)
    expect(t.irq()).toBe(false)
    expect(t.inb(IIR)).toBe(0xc1)
    t.out(THR, 0x41)
    expect(t.irq()).toBe(true)
    expect(t.levels).toEqual([true, false, true])
  })

  it('puts nothing on the ISA line without MCR OUT2', () => {
    const t = uart()
    init(t)
    t.out(MCR, 0x03)
    t.u.queueInput(bytes('z'))
    expect(t.inb(IIR)).toBe(0xcc)
    expect(t.irq()).toBe(false)
    t.out(MCR, 0x0b)
    expect(t.irq()).toBe(true)
  })

  it('identifies interrupts in datasheet priority: line status, RX data, THR empty, modem status', () => {
    const t = uart()
    init(t, 0x00, 0x0f)
    t.out(MCR, 0x10) // loopback: the modem inputs now follow the (all clear) outputs
    expect(t.inb(MSR)).toBe(0x0b) // CTS, DSR, DCD dropped: their delta bits
    t.out(MCR, 0x13) // loopback, DTR and RTS: DSR and CTS change
    t.out(THR, 0x31)
    t.out(THR, 0x32) // receiver holding register full: overrun
    expect(t.inb(IIR)).toBe(0x06)
    expect(t.inb(LSR)).toBe(0x63) // DR, OE, THRE, TEMT; reading clears OE
    expect(t.inb(IIR)).toBe(0x04)
    expect(t.inb(RBR)).toBe(0x31)
    expect(t.inb(IIR)).toBe(0x02) // reading it with THRE as the source clears it
    expect(t.inb(IIR)).toBe(0x00)
    expect(t.inb(MSR)).toBe(0x33) // CTS, DSR and their deltas
    expect(t.inb(IIR)).toBe(0x01)
    expect(t.output).toEqual([]) // loopback keeps bytes off the wire
  })
})

describe('16550A snapshots', () => {
  it('continues identically after a save/load round trip', () => {
    const a = uart()
    init(a, 0x81, 0x03)
    a.u.queueInput(bytes('0123456789abcdefghijklmnop'))
    a.inb(RBR)
    const w = new StateWriter()
    a.u.saveState(w)
    const b = uart()
    b.u.loadState(new StateReader(w.finish()))
    const drain = (t: ReturnType<typeof uart>) => {
      const got: number[] = []
      for (let i = 0; i < 30; i++) got.push(t.inb(IIR), t.inb(LSR), t.inb(RBR))
      return got
    }
    expect(drain(b)).toEqual(drain(a))
  })
})
