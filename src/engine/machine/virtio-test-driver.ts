/**
 * A minimal virtio-mmio driver that does, through MMIO and guest memory, what a guest's driver does
 * (virtio 1.1 §3.1 "Device Initialization", §4.2.3 "MMIO-specific Initialization And Device Operation",
 * §2.6.13 "Supplying Buffers to The Device"). Tests of the devices and of hypervisor models use it
 * to play the guest; it is not part of any machine.
 */

import type { MmioDevice } from './bus'
import type { DmaMemory } from './memory'
import { VirtioMmioReg as R, VirtioStatus } from './virtio-mmio'
import { VIRTQ_DESC_F_NEXT, VIRTQ_DESC_F_WRITE } from './virtqueue'

/** A buffer of a chain as the driver describes it. */
export interface DriverBuffer {
  readonly addr: number
  readonly len: number
  /** Device-writable. */
  readonly write?: boolean
}

interface DriverQueue {
  readonly num: number
  readonly desc: number
  readonly avail: number
  readonly used: number
  nextDesc: number
  availIdx: number
}

export class VirtioTestDriver {
  private readonly queues = new Map<number, DriverQueue>()

  constructor(
    readonly dev: MmioDevice,
    readonly mem: DmaMemory,
  ) {}

  read(reg: number): number {
    return this.dev.mmioRead(reg, 4)
  }
  write(reg: number, v: number): void {
    this.dev.mmioWrite(reg, 4, v)
  }

  get status(): number {
    return this.read(R.status)
  }

  /** Device features as a pair of 32-bit words [low, high]. */
  deviceFeatures(): [number, number] {
    this.write(R.deviceFeaturesSel, 0)
    const lo = this.read(R.deviceFeatures)
    this.write(R.deviceFeaturesSel, 1)
    return [lo, this.read(R.deviceFeatures)]
  }

  /**
   * Reset, ACKNOWLEDGE, DRIVER, write the driver features, FEATURES_OK, and re-read Status: returns
   * whether the device kept FEATURES_OK.
   */
  negotiate(features: readonly [number, number] = this.deviceFeatures()): boolean {
    this.write(R.status, 0)
    this.write(R.status, VirtioStatus.acknowledge)
    this.write(R.status, VirtioStatus.acknowledge | VirtioStatus.driver)
    this.write(R.driverFeaturesSel, 0)
    this.write(R.driverFeatures, features[0])
    this.write(R.driverFeaturesSel, 1)
    this.write(R.driverFeatures, features[1])
    this.write(R.status, VirtioStatus.acknowledge | VirtioStatus.driver | VirtioStatus.featuresOk)
    return (this.status & VirtioStatus.featuresOk) !== 0
  }

  /** Queue setup with the rings at `base` (descriptors, then the available ring, then the used ring). */
  setupQueue(q: number, num: number, base: number): void {
    const desc = base
    const avail = desc + 16 * num
    const used = (avail + 6 + 2 * num + 3) & ~3
    this.write(R.queueSel, q)
    this.write(R.queueNum, num)
    this.write(R.queueDescLow, desc)
    this.write(R.queueDescHigh, 0)
    this.write(R.queueDriverLow, avail)
    this.write(R.queueDriverHigh, 0)
    this.write(R.queueDeviceLow, used)
    this.write(R.queueDeviceHigh, 0)
    this.mem.write16(avail, 0)
    this.mem.write16(avail + 2, 0)
    this.write(R.queueReady, 1)
    this.queues.set(q, { num, desc, avail, used, nextDesc: 0, availIdx: 0 })
  }

  driverOk(): void {
    this.write(R.status, this.status | VirtioStatus.driverOk)
  }

  private queue(q: number): DriverQueue {
    const dq = this.queues.get(q)
    if (!dq) throw new Error(`queue ${q} is not set up`)
    return dq
  }

  /** Writes a descriptor raw (for malformed-chain tests). */
  writeDesc(q: number, i: number, addr: number, len: number, flags: number, next: number): void {
    const d = this.queue(q).desc + 16 * i
    this.mem.write32(d, addr)
    this.mem.write32(d + 4, 0)
    this.mem.write32(d + 8, len)
    this.mem.write16(d + 12, flags)
    this.mem.write16(d + 14, next)
  }

  /** Puts head index `head` on the available ring and publishes the new idx. */
  publish(q: number, head: number): void {
    const dq = this.queue(q)
    this.mem.write16(dq.avail + 4 + 2 * (dq.availIdx % dq.num), head)
    dq.availIdx = (dq.availIdx + 1) & 0xffff
    this.mem.write16(dq.avail + 2, dq.availIdx)
  }

  /** Adds a chain of buffers (descriptors taken round-robin from the table); returns its head. */
  add(q: number, bufs: readonly DriverBuffer[]): number {
    const dq = this.queue(q)
    const idx = bufs.map((_, i) => (dq.nextDesc + i) % dq.num)
    dq.nextDesc = (dq.nextDesc + bufs.length) % dq.num
    bufs.forEach((b, i) => {
      const last = i === bufs.length - 1
      const flags = (b.write ? VIRTQ_DESC_F_WRITE : 0) | (last ? 0 : VIRTQ_DESC_F_NEXT)
      this.writeDesc(q, idx[i], b.addr, b.len, flags, last ? 0 : idx[i + 1])
    })
    this.publish(q, idx[0])
    return idx[0]
  }

  /** Sets or clears VIRTQ_AVAIL_F_NO_INTERRUPT. */
  suppressInterrupts(q: number, on: boolean): void {
    this.mem.write16(this.queue(q).avail, on ? 1 : 0)
  }

  kick(q: number): void {
    this.write(R.queueNotify, q)
  }

  usedIdx(q: number): number {
    return this.mem.read16(this.queue(q).used + 2)
  }

  /** Used ring element `i`: the chain head and the bytes the device wrote. */
  used(q: number, i: number): { id: number; len: number } {
    const dq = this.queue(q)
    const e = dq.used + 4 + 8 * (i % dq.num)
    return { id: this.mem.read32(e), len: this.mem.read32(e + 4) }
  }

  /** Reads and acknowledges the interrupt status, as an interrupt handler does. */
  ackInterrupt(): number {
    const s = this.read(R.interruptStatus)
    this.write(R.interruptAck, s)
    return s
  }
}
