import { describe, expect, it } from 'vitest'
import { StateReader, StateWriter } from '../snapshot'
import { EventKind } from '../trace/schema'
import { EventSink } from '../trace/sink'
import { Irq, PcLayout } from './layout'
import { MemoryWindow, PhysicalMemory } from './memory'
import { Console, Pc, loadSparseBytes, saveSparseBytes } from './pc'

function machine(disk?: Uint8Array) {
  const clock = { cycles: 0 }
  const sink = new EventSink(clock)
  const pc = new Pc({ memMiB: 4, sink, clock, disk })
  return { pc, clock, sink }
}

/** The classic Linux 8259A init (arch/x86/kernel/i8259.c init_8259A): vectors 0x30/0x38, cascade on IR2. */
function initPic(pc: Pc, masterBase = 0x30, slaveBase = 0x38): void {
  const out = (p: number, v: number) => pc.ports.out(p, 1, v)
  out(0x21, 0xff)
  out(0xa1, 0xff)
  out(0x20, 0x11)
  out(0x21, masterBase)
  out(0x21, 0x04)
  out(0x21, 0x01)
  out(0xa0, 0x11)
  out(0xa1, slaveBase)
  out(0xa1, 0x02)
  out(0xa1, 0x01)
  out(0x21, 0x00)
  out(0xa1, 0x00)
}

describe('Pc wiring', () => {
  it('gives the PC memory size and leaves unclaimed ports and MMIO floating', () => {
    const { pc } = machine()
    expect(pc.mem.size).toBe(4 << 20)
    expect(pc.ports.in(0x80, 1)).toBe(0xff)
    expect(pc.mmio.read(PcLayout.virtioMmioBase + 2 * PcLayout.virtioMmioStride, 4)).toBe(0xffffffff)
  })

  it('stops on a debug-exit write with code (v << 1) | 1 and reports it', () => {
    const { pc, sink } = machine()
    const stops: [string, number][] = []
    pc.onStop = (reason, code) => stops.push([reason, code])
    pc.ports.out(PcLayout.debugExit, 1, 0x10)
    expect(stops).toEqual([['debug-exit', 0x21]])
    expect(pc.debugExit.exitCode).toBe(0x21)
    expect(sink.counts[EventKind.DebugExit]).toBe(1)
    pc.ports.out(PcLayout.debugExit, 2, 0)
    expect(stops[1]).toEqual(['debug-exit', 1])
  })

  it('routes COM1 output to onConsoleOutput and emits ConsoleByte events', () => {
    const { pc, sink } = machine()
    const got: [number, number[]][] = []
    pc.onConsoleOutput = (c, bytes) => got.push([c, Array.from(bytes)])
    for (const ch of 'hi') pc.ports.out(PcLayout.com1, 1, ch.charCodeAt(0))
    pc.ports.out(PcLayout.com2, 1, 0x21)
    expect(got).toEqual([
      [Console.com1, [0x68]],
      [Console.com1, [0x69]],
      [Console.com2, [0x21]],
    ])
    expect(sink.counts[EventKind.ConsoleByte]).toBe(3)
  })

  it('delivers PIT ticks as IRQ0 through the PIC at the deadline advance() returns', () => {
    const { pc, clock } = machine()
    initPic(pc)
    // Counter 0, LSB/MSB, mode 2, divisor 1193 (≈1 kHz).
    pc.ports.out(0x43, 1, 0x34)
    pc.ports.out(0x40, 1, 1193 & 0xff)
    pc.ports.out(0x40, 1, 1193 >> 8)
    const deadline = pc.deadline
    expect(deadline).toBeGreaterThan(0)
    expect(deadline).toBeLessThan(Infinity)
    clock.cycles = deadline - 1
    pc.advance(clock.cycles)
    expect(pc.pic.intr).toBe(false)
    clock.cycles = deadline
    pc.advance(clock.cycles)
    expect(pc.pic.intr).toBe(true)
    expect(pc.pic.acknowledge()).toBe(0x30 + Irq.pit)
  })

  it('routes console input to the chosen device', () => {
    const { pc } = machine()
    pc.queueConsoleInput(Console.com2, Uint8Array.of(0x41))
    expect(pc.ports.in(PcLayout.com2 + 5, 1) & 1).toBe(1)
    expect(pc.ports.in(PcLayout.com2, 1)).toBe(0x41)
    expect(pc.ports.in(PcLayout.com1 + 5, 1) & 1).toBe(0)
    expect(() => pc.queueConsoleInput(7, Uint8Array.of(1))).toThrow(RangeError)
  })

  it('builds a device set over a VM memory window', () => {
    const host = new PhysicalMemory(8 << 20)
    const window = new MemoryWindow(host, 4 << 20, 4 << 20)
    const clock = { cycles: 0 }
    const pc = new Pc({ memory: window, sink: new EventSink(clock), clock })
    expect(pc.mem).toBe(window)
    expect(pc.mem.size).toBe(4 << 20)
  })
})

describe('sparse byte snapshots', () => {
  it('round-trips and stores only non-zero pages', () => {
    const bytes = new Uint8Array(64 << 10)
    bytes[5] = 1
    bytes[40000] = 0xee
    bytes[bytes.length - 1] = 7
    const w = new StateWriter()
    saveSparseBytes(w, bytes)
    const data = w.finish()
    expect(data.length).toBeLessThan(3 * 4096 + 100)
    const back = new Uint8Array(bytes.length).fill(0x55)
    loadSparseBytes(new StateReader(data), back)
    expect(back).toEqual(bytes)
  })

  it('refuses an array of another size', () => {
    const w = new StateWriter()
    saveSparseBytes(w, new Uint8Array(8192))
    expect(() => loadSparseBytes(new StateReader(w.finish()), new Uint8Array(4096))).toThrow()
  })
})
