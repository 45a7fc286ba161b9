import { describe, expect, it } from 'vitest'
import { StateReader, StateWriter } from '../snapshot'
import { EventKind } from '../trace/schema'
import { EventSink } from '../trace/sink'
import { Irq, PcLayout } from './layout'
import { MemoryWindow, PhysicalMemory } from './memory'
import { Console, Pc, loadSparseBytes, saveSparseBytes } from './pc'
import { VirtioTestDriver } from './virtio-test-driver'

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
    pc.ports.out(PcLayout.debugExit, 4, 0x7fffffff)
    expect(stops[2]).toEqual(['debug-exit', 0xffffffff])
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
    const announced: number[] = []
    pc.onDeadlineChange = (d) => announced.push(d)
    pc.ports.out(0x43, 1, 0x34)
    pc.ports.out(0x40, 1, 1193 & 0xff)
    pc.ports.out(0x40, 1, 1193 >> 8)
    const deadline = pc.deadline
    expect(announced).toEqual([deadline])
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

/**
 * Drives every device of a machine the way a guest would, for `steps` rounds starting at `from`;
 * returns everything observable (vectors taken, console output, ATA data, virtio used rings).
 */
function workload(pc: Pc, clock: { cycles: number }, from: number, steps: number): number[] {
  const seen: number[] = []
  pc.onConsoleOutput = (c, bytes) => seen.push(0x1000 + c, ...bytes)
  const blk = new VirtioTestDriver(pc.virtioBlock, pc.mem)
  const base = PcLayout.virtioMmioBase + PcLayout.virtioMmioStride
  for (let i = from; i < from + steps; i++) {
    clock.cycles = Math.max(clock.cycles + 997 * (i % 7) + 13, pc.deadline)
    pc.advance(clock.cycles)
    while (pc.pic.intr) {
      const v = pc.pic.acknowledge()
      seen.push(v)
      pc.ports.out(v >= 0x38 ? 0xa0 : 0x20, 1, 0x20)
      if (v >= 0x38) pc.ports.out(0x20, 1, 0x20)
      seen.push(pc.ports.in(PcLayout.com1 + 2, 1), pc.ports.in(PcLayout.ataCommand + 7, 1))
    }
    pc.ports.out(PcLayout.com1, 1, 0x30 + (i % 10))
    seen.push(pc.ports.in(PcLayout.com1 + 5, 1), pc.ports.in(PcLayout.com1, 1))
    if (i % 5 === 0) pc.queueConsoleInput(Console.com1, Uint8Array.of(0x61 + (i % 26)))
    if (i % 4 === 0) {
      pc.ports.out(PcLayout.ataCommand + 6, 1, 0xe0)
      pc.ports.out(PcLayout.ataCommand + 2, 1, 1)
      pc.ports.out(PcLayout.ataCommand + 3, 1, i % 8)
      pc.ports.out(PcLayout.ataCommand + 4, 1, 0)
      pc.ports.out(PcLayout.ataCommand + 5, 1, 0)
      pc.ports.out(PcLayout.ataCommand + 7, 1, 0x20)
    }
    if (pc.ports.in(PcLayout.ataControl, 1) & 0x08)
      for (let k = 0; k < 16; k++) seen.push(pc.ports.in(PcLayout.ataCommand, 2))
    if (i % 6 === 0) {
      // A virtio-blk write of sector i % 8 from guest memory, rings at 0x10000 (set up in prepare()).
      const hdr = 0x30000 + 16 * (i % 16)
      pc.mem.write32(hdr, 1)
      pc.mem.write32(hdr + 8, i % 8)
      pc.mem.writeBytes(0x40000, new Uint8Array(512).fill(i & 0xff))
      const head = (i * 3) % 30
      blk.write(0x030, 0)
      const desc = (d: number, addr: number, len: number, flags: number, next: number) => {
        pc.mem.write32(0x10000 + 16 * d, addr)
        pc.mem.write32(0x10000 + 16 * d + 8, len)
        pc.mem.write16(0x10000 + 16 * d + 12, flags)
        pc.mem.write16(0x10000 + 16 * d + 14, next)
      }
      desc(head, hdr, 16, 1, head + 1)
      desc(head + 1, 0x40000, 512, 1, head + 2)
      desc(head + 2, 0x50000 + (i % 16), 1, 2, 0)
      const avail = 0x10000 + 16 * 32
      const idx = pc.mem.read16(avail + 2)
      pc.mem.write16(avail + 4 + 2 * (idx % 32), head)
      pc.mem.write16(avail + 2, (idx + 1) & 0xffff)
      pc.mmio.write(base + 0x50, 4, 0)
      seen.push(pc.mmio.read(base + 0x60, 4), pc.mem.read16(0x10248 + 2)) // used idx
      pc.mmio.write(base + 0x64, 4, 1)
    }
  }
  return seen
}

function prepare(pc: Pc): void {
  initPic(pc, 0x30, 0x38)
  pc.ports.out(0x43, 1, 0x36) // counter 0, mode 3
  pc.ports.out(0x40, 1, 0x00)
  pc.ports.out(0x40, 1, 0x10) // 4096
  pc.ports.out(PcLayout.com1 + 2, 1, 0x87) // FIFO, trigger 8
  pc.ports.out(PcLayout.com1 + 4, 1, 0x0b)
  pc.ports.out(PcLayout.com1 + 1, 1, 0x03)
  const blk = new VirtioTestDriver(pc.virtioBlock, pc.mem)
  expect(blk.negotiate()).toBe(true)
  blk.setupQueue(0, 32, 0x10000)
  blk.driverOk()
}

describe('whole-machine snapshots', () => {
  it('restores every device, the disk and memory, and continues identically', () => {
    const disk = new Uint8Array(16 * 512).map((_, i) => i & 0xff)
    const a = machine(disk.slice())
    prepare(a.pc)
    workload(a.pc, a.clock, 0, 50)
    const w = new StateWriter()
    w.f64(a.clock.cycles)
    a.pc.saveState(w)
    saveSparseBytes(w, (a.pc.mem as PhysicalMemory).u8)
    const snap = w.finish()

    const b = machine(new Uint8Array(16 * 512))
    const r = new StateReader(snap)
    b.clock.cycles = r.f64()
    b.pc.loadState(r)
    loadSparseBytes(r, (b.pc.mem as PhysicalMemory).u8)
    expect(r.done).toBe(true)

    // Saving the restored machine gives the same bytes: the snapshot is complete and deterministic.
    const w2 = new StateWriter()
    w2.f64(b.clock.cycles)
    b.pc.saveState(w2)
    saveSparseBytes(w2, (b.pc.mem as PhysicalMemory).u8)
    expect(Buffer.from(w2.finish()).equals(Buffer.from(snap))).toBe(true)

    const ta = workload(a.pc, a.clock, 50, 80)
    const tb = workload(b.pc, b.clock, 50, 80)
    expect(tb).toEqual(ta)
    expect(ta.length).toBeGreaterThan(500)
    const same = (x: Uint8Array | null, y: Uint8Array | null) =>
      x !== null && y !== null && Buffer.from(x).equals(Buffer.from(y))
    expect(same(b.pc.disk, a.pc.disk)).toBe(true)
    expect(same(b.pc.disk, disk)).toBe(false)
    expect(same((b.pc.mem as PhysicalMemory).u8, (a.pc.mem as PhysicalMemory).u8)).toBe(true)
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
