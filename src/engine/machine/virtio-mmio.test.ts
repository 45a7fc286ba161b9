import { describe, expect, it } from 'vitest'
import { EventKind } from '../trace/schema'
import { EventSink } from '../trace/sink'
import { PhysicalMemory } from './memory'
import { VirtioConsole } from './virtio-console'
import {
  VIRTIO_INT_CONFIG_CHANGE,
  VIRTIO_INT_USED_BUFFER,
  VirtioMmioReg as R,
  VirtioStatus,
} from './virtio-mmio'
import { VirtioTestDriver } from './virtio-test-driver'
import { VIRTQ_DESC_F_INDIRECT, VIRTQ_DESC_F_NEXT, VIRTQ_DESC_F_WRITE } from './virtqueue'

const TX = 1
const RX = 0

function setup() {
  const mem = new PhysicalMemory(1 << 20)
  const clock = { cycles: 0 }
  const sink = new EventSink(clock)
  let level = false
  const dev = new VirtioConsole(mem, { set: (l) => (level = l), pulse: () => {} }, sink, 2)
  const output: number[] = []
  dev.onOutput = (b) => output.push(...b)
  const drv = new VirtioTestDriver(dev, mem)
  return { mem, dev, drv, sink, output, irq: () => level }
}

/** Full bring-up: negotiation, both queues (size 8), DRIVER_OK. */
function ready(t: ReturnType<typeof setup>, num = 8) {
  expect(t.drv.negotiate()).toBe(true)
  t.drv.setupQueue(RX, num, 0x10000)
  t.drv.setupQueue(TX, num, 0x20000)
  t.drv.driverOk()
}

const put = (t: ReturnType<typeof setup>, addr: number, s: string) =>
  t.mem.writeBytes(
    addr,
    Uint8Array.from(s, (c) => c.charCodeAt(0)),
  )

describe('virtio-mmio identification and negotiation', () => {
  it('identifies as a version 2 virtio-mmio device', () => {
    const { drv } = setup()
    expect(drv.read(R.magic)).toBe(0x74726976)
    expect(drv.read(R.version)).toBe(2)
    expect(drv.read(R.deviceId)).toBe(3)
    expect(drv.read(R.vendorId)).not.toBe(0)
  })

  it('offers VIRTIO_F_VERSION_1 (bit 32) and nothing else', () => {
    const { drv } = setup()
    expect(drv.deviceFeatures()).toEqual([0, 1])
  })

  it('refuses FEATURES_OK without VERSION_1 or with features it did not offer', () => {
    const { drv } = setup()
    expect(drv.negotiate([0, 0])).toBe(false)
    expect(drv.negotiate([1 << 28, 1])).toBe(false) // VIRTIO_F_INDIRECT_DESC is not offered
    expect(drv.negotiate([0, 1])).toBe(true)
  })

  it('reports the queue sizes it supports and none for queues it does not have', () => {
    const { drv } = setup()
    drv.write(R.queueSel, 1)
    expect(drv.read(R.queueNumMax)).toBe(256)
    drv.write(R.queueSel, 2)
    expect(drv.read(R.queueNumMax)).toBe(0)
  })

  it('resets everything when Status is written with 0', () => {
    const t = setup()
    ready(t)
    t.drv.add(TX, [{ addr: 0x40000, len: 1 }])
    t.drv.kick(TX)
    expect(t.drv.read(R.interruptStatus)).toBe(VIRTIO_INT_USED_BUFFER)
    t.drv.write(R.status, 0)
    expect(t.drv.status).toBe(0)
    expect(t.drv.read(R.interruptStatus)).toBe(0)
    expect(t.irq()).toBe(false)
    t.drv.write(R.queueSel, TX)
    expect(t.drv.read(R.queueReady)).toBe(0)
  })

  it('ignores kicks before DRIVER_OK', () => {
    const t = setup()
    expect(t.drv.negotiate()).toBe(true)
    t.drv.setupQueue(TX, 8, 0x20000)
    put(t, 0x40000, 'x')
    t.drv.add(TX, [{ addr: 0x40000, len: 1 }])
    t.drv.kick(TX)
    expect(t.output).toEqual([])
    t.drv.driverOk()
    t.drv.kick(TX)
    expect(t.output).toEqual([0x78])
  })
})

describe('split virtqueue', () => {
  it('fills the used ring, raises the used-buffer interrupt and clears it on InterruptACK', () => {
    const t = setup()
    ready(t)
    put(t, 0x40000, 'hel')
    put(t, 0x40100, 'lo')
    const head = t.drv.add(TX, [
      { addr: 0x40000, len: 3 },
      { addr: 0x40100, len: 2 },
    ])
    t.drv.kick(TX)
    expect(t.sink.counts[EventKind.VirtioNotify]).toBe(1)
    expect(t.output).toEqual(Array.from('hello', (c) => c.charCodeAt(0)))
    expect(t.drv.usedIdx(TX)).toBe(1)
    expect(t.drv.used(TX, 0)).toEqual({ id: head, len: 0 })
    expect(t.irq()).toBe(true)
    expect(t.drv.ackInterrupt()).toBe(VIRTIO_INT_USED_BUFFER)
    expect(t.irq()).toBe(false)
  })

  it('honours VIRTQ_AVAIL_F_NO_INTERRUPT', () => {
    const t = setup()
    ready(t)
    t.drv.suppressInterrupts(TX, true)
    t.drv.add(TX, [{ addr: 0x40000, len: 1 }])
    t.drv.kick(TX)
    expect(t.drv.usedIdx(TX)).toBe(1)
    expect(t.drv.read(R.interruptStatus)).toBe(0)
    expect(t.irq()).toBe(false)
  })

  it('wraps the rings: 20 chains through a queue of 4', () => {
    const t = setup()
    ready(t, 4)
    for (let i = 0; i < 20; i++) {
      put(t, 0x40000 + i, String.fromCharCode(0x41 + i))
      t.drv.add(TX, [{ addr: 0x40000 + i, len: 1 }])
      t.drv.kick(TX)
    }
    expect(t.output).toEqual(Array.from({ length: 20 }, (_, i) => 0x41 + i))
    expect(t.drv.usedIdx(TX)).toBe(20)
  })

  it('refuses to enable a queue whose size is not a power of two', () => {
    const t = setup()
    expect(t.drv.negotiate()).toBe(true)
    t.drv.write(R.queueSel, TX)
    t.drv.write(R.queueNum, 6)
    t.drv.write(R.queueReady, 1)
    expect(t.drv.read(R.queueReady)).toBe(0)
    expect(t.drv.status & VirtioStatus.deviceNeedsReset).toBeTruthy()
  })

  const malformed: [string, (t: ReturnType<typeof setup>) => void][] = [
    [
      'a loop in the chain',
      (t) => {
        t.drv.writeDesc(TX, 0, 0x40000, 1, VIRTQ_DESC_F_NEXT, 1)
        t.drv.writeDesc(TX, 1, 0x40000, 1, VIRTQ_DESC_F_NEXT, 0)
        t.drv.publish(TX, 0)
      },
    ],
    [
      'a next index beyond the table',
      (t) => {
        t.drv.writeDesc(TX, 0, 0x40000, 1, VIRTQ_DESC_F_NEXT, 8)
        t.drv.publish(TX, 0)
      },
    ],
    ['a head index beyond the table', (t) => t.drv.publish(TX, 9)],
    [
      'a buffer outside guest memory',
      (t) => {
        t.drv.writeDesc(TX, 0, 0xff000, 0x2000, 0, 0)
        t.drv.publish(TX, 0)
      },
    ],
    [
      'an indirect descriptor that was not negotiated',
      (t) => {
        t.drv.writeDesc(TX, 0, 0x40000, 16, VIRTQ_DESC_F_INDIRECT, 0)
        t.drv.publish(TX, 0)
      },
    ],
    [
      'a readable descriptor after a writable one',
      (t) => {
        t.drv.writeDesc(TX, 0, 0x40000, 1, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1)
        t.drv.writeDesc(TX, 1, 0x40100, 1, 0, 0)
        t.drv.publish(TX, 0)
      },
    ],
    [
      'an available index more than the queue size ahead',
      (t) => {
        t.drv.writeDesc(TX, 0, 0x40000, 1, 0, 0)
        t.mem.write16(0x20000 + 16 * 8 + 2, 9)
      },
    ],
  ]
  for (const [what, corrupt] of malformed) {
    it(`sets DEVICE_NEEDS_RESET and signals a config change for ${what}`, () => {
      const t = setup()
      ready(t)
      corrupt(t)
      expect(() => t.drv.kick(TX)).not.toThrow()
      expect(t.drv.status & VirtioStatus.deviceNeedsReset).toBeTruthy()
      expect(t.drv.read(R.interruptStatus) & VIRTIO_INT_CONFIG_CHANGE).toBeTruthy()
      expect(t.irq()).toBe(true)
      expect(t.drv.usedIdx(TX)).toBe(0)
      // The device does nothing more until reset; a reset brings it back.
      t.drv.kick(TX)
      expect(t.drv.usedIdx(TX)).toBe(0)
      ready(t)
      put(t, 0x40000, 'k')
      t.drv.add(TX, [{ addr: 0x40000, len: 1 }])
      t.drv.kick(TX)
      expect(t.output).toEqual([0x6b])
    })
  }
})
