import { describe, expect, it } from 'vitest'
import { StateReader, StateWriter } from '../snapshot'
import { EventKind } from '../trace/schema'
import { EventSink } from '../trace/sink'
import { PhysicalMemory } from './memory'
import { VirtioConsole } from './virtio-console'
import { VIRTIO_INT_USED_BUFFER } from './virtio-mmio'
import { VirtioTestDriver } from './virtio-test-driver'

const RX = 0
const TX = 1

function setup() {
  const mem = new PhysicalMemory(1 << 20)
  const sink = new EventSink({ cycles: 0 })
  const dev = new VirtioConsole(mem, { set: () => {}, pulse: () => {} }, sink, 2)
  const outputs: number[][] = []
  dev.onOutput = (b) => outputs.push(Array.from(b))
  const drv = new VirtioTestDriver(dev, mem)
  return { mem, dev, drv, sink, outputs }
}

function bringUp(t: ReturnType<typeof setup>): void {
  expect(t.drv.negotiate()).toBe(true)
  t.drv.setupQueue(RX, 16, 0x10000)
  t.drv.setupQueue(TX, 16, 0x20000)
  t.drv.driverOk()
}

const text = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0))

describe('virtio console', () => {
  it('outputs every chain of one kick in a single callback, in order', () => {
    const t = setup()
    bringUp(t)
    t.mem.writeBytes(0x40000, text('ab'))
    t.mem.writeBytes(0x41000, text('cde'))
    t.drv.add(TX, [{ addr: 0x40000, len: 2 }])
    t.drv.add(TX, [{ addr: 0x41000, len: 3 }])
    t.drv.kick(TX)
    expect(t.outputs).toEqual([Array.from(text('abcde'))])
    expect(t.sink.counts[EventKind.ConsoleByte]).toBe(5)
  })

  it('keeps input until the driver posts receive buffers, then fills them without losing a byte', () => {
    const t = setup()
    t.dev.queueInput(text('early')) // before the driver exists
    bringUp(t)
    t.dev.queueInput(text(' bird'))
    expect(t.dev.input.length).toBe(10)
    const h1 = t.drv.add(RX, [{ addr: 0x50000, len: 4, write: true }])
    t.drv.kick(RX)
    expect(t.drv.usedIdx(RX)).toBe(1)
    expect(t.drv.used(RX, 0)).toEqual({ id: h1, len: 4 })
    expect(t.drv.ackInterrupt()).toBe(VIRTIO_INT_USED_BUFFER)
    const h2 = t.drv.add(RX, [
      { addr: 0x51000, len: 3, write: true },
      { addr: 0x52000, len: 64, write: true },
    ])
    t.drv.kick(RX)
    expect(t.drv.used(RX, 1)).toEqual({ id: h2, len: 6 })
    const got = [
      ...t.mem.readBytes(0x50000, 4),
      ...t.mem.readBytes(0x51000, 3),
      ...t.mem.readBytes(0x52000, 3),
    ]
    expect(String.fromCharCode(...got)).toBe('early bird')
    expect(t.dev.input.length).toBe(0)
  })

  it('delivers input into buffers already posted as soon as it arrives', () => {
    const t = setup()
    bringUp(t)
    t.drv.add(RX, [{ addr: 0x50000, len: 16, write: true }])
    t.drv.kick(RX)
    expect(t.drv.usedIdx(RX)).toBe(0) // nothing to deliver yet: the buffer stays with the device
    t.dev.queueInput(text('ls\r'))
    expect(t.drv.usedIdx(RX)).toBe(1)
    expect(t.drv.used(RX, 0).len).toBe(3)
    expect(String.fromCharCode(...t.mem.readBytes(0x50000, 3))).toBe('ls\r')
  })

  it('keeps queued input across a driver reset', () => {
    const t = setup()
    bringUp(t)
    t.dev.queueInput(text('x'))
    bringUp(t)
    t.drv.add(RX, [{ addr: 0x50000, len: 16, write: true }])
    t.drv.kick(RX)
    expect(t.drv.used(RX, 0).len).toBe(1)
  })

  it('continues identically after a save/load round trip', () => {
    const a = setup()
    bringUp(a)
    a.dev.queueInput(text('pending input'))
    a.drv.add(RX, [{ addr: 0x50000, len: 5, write: true }])
    a.drv.kick(RX)
    const w = new StateWriter()
    a.dev.saveState(w)
    const b = setup()
    b.mem.u8.set(a.mem.u8)
    b.dev.loadState(new StateReader(w.finish()))
    const cont = (t: ReturnType<typeof setup>) => {
      // The driver's own bookkeeping continues where a's left off: descriptors 1…, avail idx 1.
      for (let i = 1; i < 4; i++) {
        const d = 0x10000 + 16 * i
        t.mem.write32(d, 0x50000 + i * 0x100)
        t.mem.write32(d + 8, 4)
        t.mem.write16(d + 12, 2) // VIRTQ_DESC_F_WRITE
        t.mem.write16(0x10000 + 16 * 16 + 4 + 2 * i, i)
        t.mem.write16(0x10000 + 16 * 16 + 2, i + 1)
        t.drv.write(0x050, RX)
      }
      return [t.dev.input.length, t.dev.interruptStatus, ...t.mem.readBytes(0x10000, 0x1000)]
    }
    expect(cont(b)).toEqual(cont(a))
  })
})
