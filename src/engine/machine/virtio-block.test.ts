import { describe, expect, it } from 'vitest'
import { StateReader, StateWriter } from '../snapshot'
import { EventBatcher } from '../trace/batcher'
import { decodeEvent } from '../trace/codec'
import { EventKind } from '../trace/schema'
import { EventSink } from '../trace/sink'
import { DiskImage } from './disk-image'
import { MemoryWindow, PhysicalMemory, type DmaMemory } from './memory'
import { VirtioBlkStatus, VirtioBlock } from './virtio-block'
import { VirtioMmioReg as R, VirtioStatus } from './virtio-mmio'
import { VirtioTestDriver, type DriverBuffer } from './virtio-test-driver'

const HDR = 0x40000
const DATA = 0x50000
const STATUS = 0x60000

function patternedDisk(sectors: number): Uint8Array {
  const d = new Uint8Array(sectors * 512)
  for (let i = 0; i < d.length; i++) d[i] = (i * 29 + (i >> 9)) & 0xff
  return d
}

function setup(image: Uint8Array | null = patternedDisk(64), mem: DmaMemory = new PhysicalMemory(1 << 20)) {
  const sink = new EventSink({ cycles: 0 })
  const batcher = new EventBatcher(256)
  sink.attach(batcher)
  let level = false
  let rises = 0
  const line = {
    set: (l: boolean) => {
      if (l && !level) rises++
      level = l
    },
    pulse: () => {},
  }
  const dev = new VirtioBlock(mem, line, sink, image ? new DiskImage(image) : null)
  const drv = new VirtioTestDriver(dev, mem)
  expect(drv.negotiate()).toBe(true)
  drv.setupQueue(0, 32, 0x10000)
  drv.driverOk()
  return { mem, dev, drv, sink, batcher, image, irq: () => level, rises: () => rises }
}

type Setup = ReturnType<typeof setup>

/** Writes struct virtio_blk_req's header (type, reserved, sector) at `at`. */
function header(t: Setup, at: number, type: number, sector: number): void {
  t.mem.write32(at, type)
  t.mem.write32(at + 4, 0)
  t.mem.write32(at + 8, sector)
  t.mem.write32(at + 12, 0)
}

/** One request: header, data buffers, a 1-byte status; returns the status byte and the used length. */
function request(
  t: Setup,
  type: number,
  sector: number,
  data: DriverBuffer[],
): { status: number; len: number } {
  header(t, HDR, type, sector)
  t.mem.write8(STATUS, 0xff)
  const before = t.drv.usedIdx(0)
  const head = t.drv.add(0, [{ addr: HDR, len: 16 }, ...data, { addr: STATUS, len: 1, write: true }])
  t.drv.kick(0)
  expect(t.drv.usedIdx(0)).toBe((before + 1) & 0xffff)
  const used = t.drv.used(0, before)
  expect(used.id).toBe(head)
  return { status: t.mem.read8(STATUS), len: used.len }
}

describe('virtio-blk', () => {
  it('is device 2 with its capacity in 512-byte sectors at config offset 0', () => {
    const t = setup(patternedDisk(1000))
    expect(t.drv.read(R.deviceId)).toBe(2)
    expect(t.drv.read(R.config)).toBe(1000)
    expect(t.drv.read(R.config + 4)).toBe(0)
    expect(t.dev.mmioRead(R.config, 2)).toBe(1000)
  })

  it('reads sectors (VIRTIO_BLK_T_IN) into the driver buffers', () => {
    const t = setup()
    const r = request(t, 0, 2, [{ addr: DATA, len: 1024, write: true }])
    expect(r).toEqual({ status: VirtioBlkStatus.ok, len: 1025 })
    expect(t.mem.readBytes(DATA, 1024)).toEqual(t.image?.subarray(1024, 2048))
    expect(t.irq()).toBe(true)
    const ev = decodeEvent(t.batcher.current, 1) // after the VirtioNotify
    expect(ev).toMatchObject({ kind: EventKind.DiskIo, reason: 0, arg0: 2, arg1: 2, arg2: 1 })
  })

  it('writes sectors (VIRTIO_BLK_T_OUT) to the image', () => {
    const t = setup()
    t.mem.writeBytes(DATA, new Uint8Array(512).fill(0x5a))
    const r = request(t, 1, 7, [{ addr: DATA, len: 512 }])
    expect(r).toEqual({ status: VirtioBlkStatus.ok, len: 1 })
    expect(t.image?.subarray(7 * 512, 8 * 512)).toEqual(new Uint8Array(512).fill(0x5a))
    expect(t.image?.[8 * 512]).toBe(patternedDisk(64)[8 * 512])
    expect(t.sink.counts[EventKind.DiskIo]).toBe(1)
  })

  it('reads the request as a byte stream whatever the descriptor layout', () => {
    const t = setup()
    header(t, HDR, 0, 3)
    t.mem.write8(STATUS + 100, 0xff)
    t.drv.add(0, [
      { addr: HDR, len: 5 },
      { addr: HDR + 5, len: 11 },
      { addr: DATA, len: 100, write: true },
      { addr: DATA + 0x1000, len: 412, write: true },
      { addr: STATUS + 100, len: 1, write: true },
    ])
    t.drv.kick(0)
    const got = new Uint8Array([...t.mem.readBytes(DATA, 100), ...t.mem.readBytes(DATA + 0x1000, 412)])
    expect(got).toEqual(t.image?.subarray(3 * 512, 4 * 512))
    expect(t.mem.read8(STATUS + 100)).toBe(0)
  })

  it('answers VIRTIO_BLK_T_GET_ID with a NUL-padded 20-byte id', () => {
    const t = setup()
    t.mem.writeBytes(DATA, new Uint8Array(20).fill(0xee))
    const r = request(t, 8, 0, [{ addr: DATA, len: 20, write: true }])
    expect(r).toEqual({ status: VirtioBlkStatus.ok, len: 21 })
    const id = t.mem.readBytes(DATA, 20)
    const end = id.indexOf(0)
    expect(end).toBeGreaterThan(0)
    expect(String.fromCharCode(...id.subarray(0, end))).toMatch(/^[ -~]+$/)
    expect(id.subarray(end).every((b) => b === 0)).toBe(true)
  })

  it('reports IOERR beyond the capacity and for partial sectors', () => {
    const t = setup(patternedDisk(8))
    expect(request(t, 0, 7, [{ addr: DATA, len: 1024, write: true }]).status).toBe(VirtioBlkStatus.ioErr)
    expect(request(t, 1, 8, [{ addr: DATA, len: 512 }]).status).toBe(VirtioBlkStatus.ioErr)
    expect(request(t, 0, 0, [{ addr: DATA, len: 100, write: true }]).status).toBe(VirtioBlkStatus.ioErr)
    expect(t.sink.counts[EventKind.DiskIo]).toBe(0)
  })

  it('reports IOERR for every transfer when there is no disk', () => {
    const t = setup(null)
    expect(t.drv.read(R.config)).toBe(0)
    expect(request(t, 0, 0, [{ addr: DATA, len: 512, write: true }]).status).toBe(VirtioBlkStatus.ioErr)
  })

  it('answers UNSUPP for a request type it does not offer (FLUSH)', () => {
    const t = setup()
    expect(request(t, 4, 0, []).status).toBe(VirtioBlkStatus.unsupp)
  })

  it('processes every request of one kick and interrupts once', () => {
    const t = setup()
    for (let i = 0; i < 5; i++) {
      header(t, HDR + 16 * i, 0, i)
      t.drv.add(0, [
        { addr: HDR + 16 * i, len: 16 },
        { addr: DATA + 512 * i, len: 512, write: true },
        { addr: STATUS + i, len: 1, write: true },
      ])
    }
    t.drv.kick(0)
    expect(t.rises()).toBe(1)
    expect(t.drv.usedIdx(0)).toBe(5)
    expect(t.mem.readBytes(DATA, 5 * 512)).toEqual(t.image?.subarray(0, 5 * 512))
    expect(t.dev.interruptStatus).toBe(1)
  })

  it('needs a reset when a request has no status byte', () => {
    const t = setup()
    header(t, HDR, 0, 0)
    t.drv.add(0, [{ addr: HDR, len: 16 }])
    t.drv.kick(0)
    expect(t.drv.status & VirtioStatus.deviceNeedsReset).toBeTruthy()
  })

  it('DMAs through a VM memory window to guest-physical addresses', () => {
    const host = new PhysicalMemory(2 << 20)
    const window = new MemoryWindow(host, 1 << 20, 1 << 20)
    const t = setup(patternedDisk(8), window)
    request(t, 0, 1, [{ addr: DATA, len: 512, write: true }])
    expect(host.readBytes((1 << 20) + DATA, 512)).toEqual(t.image?.subarray(512, 1024))
    expect(host.readBytes(DATA, 512).every((b) => b === 0)).toBe(true)
  })

  it('continues identically after a save/load round trip', () => {
    const a = setup()
    request(a, 0, 1, [{ addr: DATA, len: 512, write: true }])
    const w = new StateWriter()
    a.dev.saveState(w)
    const b = setup()
    b.mem.writeBytes(0, a.mem.readBytes(0, a.mem.size))
    b.dev.loadState(new StateReader(w.finish()))
    const cont = (t: Setup) => {
      // Driver-side continuation written raw: descriptors 3–5, available idx 2.
      const desc = (i: number, addr: number, len: number, flags: number, next: number) => {
        t.mem.write32(0x10000 + 16 * i, addr)
        t.mem.write32(0x10000 + 16 * i + 8, len)
        t.mem.write16(0x10000 + 16 * i + 12, flags)
        t.mem.write16(0x10000 + 16 * i + 14, next)
      }
      header(t, HDR, 0, 9)
      desc(3, HDR, 16, 1, 4)
      desc(4, DATA, 512, 3, 5)
      desc(5, STATUS, 1, 2, 0)
      t.mem.write16(0x10000 + 16 * 32 + 4 + 2, 3)
      t.mem.write16(0x10000 + 16 * 32 + 2, 2)
      t.drv.kick(0)
      return Buffer.from(t.mem.readBytes(0, 0x70000))
    }
    expect(cont(b).equals(cont(a))).toBe(true)
  })
})
