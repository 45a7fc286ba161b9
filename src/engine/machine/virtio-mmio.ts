/**
 * The virtio-mmio transport, register layout version 2 (virtio 1.1 §4.2.2, "MMIO Device Register
 * Layout"): identification, 64-bit feature negotiation through 32-bit windows, per-queue setup
 * selected by QueueSel, the device status field (§2.1), interrupt status and acknowledge, and the
 * device-specific configuration space at offset 0x100. Concrete devices (console, block) extend
 * {@link VirtioMmioDevice} with their queues' processing and their config layout.
 *
 * Modelling choice [R]: a queue notify processes the queue synchronously, inside the guest's MMIO
 * write; the virtual-time cost of the I/O path is charged by the hypervisor models, not here.
 */

import type { StateReader, StateWriter, Snapshottable } from '../snapshot'
import { EventKind } from '../trace/schema'
import type { EventSink } from '../trace/sink'
import type { AccessSize, MmioDevice } from './bus'
import type { IrqLine } from './irq'
import type { DmaMemory } from './memory'
import { SplitVirtqueue, type DescriptorChain } from './virtqueue'

/** MagicValue: "virt" in little-endian ASCII. */
export const VIRTIO_MMIO_MAGIC = 0x74726976
/** VendorID: QEMU's value ("QEMU"), so drivers see what they see under QEMU [R]. */
export const VIRTIO_MMIO_VENDOR = 0x554d4551
/** Register offsets (§4.2.2). */
export const VirtioMmioReg = {
  magic: 0x000,
  version: 0x004,
  deviceId: 0x008,
  vendorId: 0x00c,
  deviceFeatures: 0x010,
  deviceFeaturesSel: 0x014,
  driverFeatures: 0x020,
  driverFeaturesSel: 0x024,
  queueSel: 0x030,
  queueNumMax: 0x034,
  queueNum: 0x038,
  queueReady: 0x044,
  queueNotify: 0x050,
  interruptStatus: 0x060,
  interruptAck: 0x064,
  status: 0x070,
  queueDescLow: 0x080,
  queueDescHigh: 0x084,
  queueDriverLow: 0x090,
  queueDriverHigh: 0x094,
  queueDeviceLow: 0x0a0,
  queueDeviceHigh: 0x0a4,
  configGeneration: 0x0fc,
  config: 0x100,
} as const

/** Device status bits (§2.1). */
export const VirtioStatus = {
  acknowledge: 1,
  driver: 2,
  driverOk: 4,
  featuresOk: 8,
  deviceNeedsReset: 64,
  failed: 128,
} as const

/** InterruptStatus bits (§4.2.2): a used buffer notification, a configuration change notification. */
export const VIRTIO_INT_USED_BUFFER = 1
export const VIRTIO_INT_CONFIG_CHANGE = 2

/** VIRTIO_F_VERSION_1 is feature bit 32: bit 0 of the high feature word (§6). */
export const VIRTIO_F_VERSION_1_HIGH = 1

/** Queue size offered in QueueNumMax [R]. */
export const VIRTIO_QUEUE_MAX = 256

const TWO_32 = 0x1_0000_0000

/**
 * A virtio device behind the MMIO transport. Subclasses declare their device ID, feature bits
 * (low word; VERSION_1 is added here), config bytes and queue count, and implement
 * {@link processQueue}. All DMA goes through the `DmaMemory` given at construction, so the same device
 * works over a VM's `MemoryWindow`.
 */
export abstract class VirtioMmioDevice implements MmioDevice, Snapshottable {
  abstract readonly name: string
  /** The device-specific configuration structure, little-endian, read at offset 0x100. */
  protected abstract readonly config: Uint8Array
  readonly queues: SplitVirtqueue[]
  status = 0
  interruptStatus = 0
  private deviceFeaturesSel = 0
  private driverFeaturesSel = 0
  private readonly driverFeatures = [0, 0]
  private queueSel = 0
  private irqLevel = false

  protected constructor(
    readonly deviceId: number,
    queueCount: number,
    private readonly deviceFeaturesLow: number,
    protected readonly mem: DmaMemory,
    private readonly irq: IrqLine,
    protected readonly sink: EventSink | null,
  ) {
    this.queues = Array.from({ length: queueCount }, () => new SplitVirtqueue(mem, VIRTIO_QUEUE_MAX))
  }

  /** Handles the driver's kick of queue `q` (DRIVER_OK set, the queue ready, no reset pending). */
  protected abstract processQueue(q: number): void
  /** Device-specific state back to its reset values. */
  protected abstract resetDevice(): void
  protected abstract saveDevice(w: StateWriter): void
  protected abstract loadDevice(r: StateReader): void
  /** Called when the driver sets DRIVER_OK, for devices with work waiting (e.g. console input). */
  protected driverReady(): void {}

  /** True once the driver set DRIVER_OK and the device has not asked to be reset. */
  get live(): boolean {
    return (this.status & (VirtioStatus.driverOk | VirtioStatus.deviceNeedsReset)) === VirtioStatus.driverOk
  }

  /** The queue `q` if it can be used now, else null. */
  protected usable(q: number): SplitVirtqueue | null {
    const queue = this.queues[q]
    return this.live && queue.ready ? queue : null
  }

  /** Pops a chain; a malformed queue puts the device into DEVICE_NEEDS_RESET and yields null. */
  protected pop(queue: SplitVirtqueue): DescriptorChain | null {
    const c = queue.pop()
    if (c === 'malformed') {
      this.needsReset()
      return null
    }
    return c
  }

  /** After used buffers were pushed on `queue`: interrupt unless the driver suppressed it (§2.6.7). */
  protected notifyUsed(queue: SplitVirtqueue): void {
    if (queue.wantsInterrupt()) this.raise(VIRTIO_INT_USED_BUFFER)
  }

  /**
   * §2.1.2: a device in an error state sets DEVICE_NEEDS_RESET and, if DRIVER_OK is set, sends a
   * configuration change notification.
   */
  protected needsReset(): void {
    this.status |= VirtioStatus.deviceNeedsReset
    if (this.status & VirtioStatus.driverOk) this.raise(VIRTIO_INT_CONFIG_CHANGE)
  }

  private raise(bits: number): void {
    this.interruptStatus |= bits
    this.updateIrq()
  }

  private updateIrq(): void {
    const level = this.interruptStatus !== 0
    if (level !== this.irqLevel) {
      this.irqLevel = level
      this.irq.set(level)
    }
  }

  private reset(): void {
    this.status = 0
    this.interruptStatus = 0
    this.deviceFeaturesSel = this.driverFeaturesSel = this.queueSel = 0
    this.driverFeatures[0] = this.driverFeatures[1] = 0
    for (const q of this.queues) q.reset()
    this.resetDevice()
    this.updateIrq()
  }

  private get deviceFeatures(): readonly [number, number] {
    return [this.deviceFeaturesLow >>> 0, VIRTIO_F_VERSION_1_HIGH]
  }

  /** FEATURES_OK is accepted only for a subset of the offered features that includes VERSION_1 (§2.2, §6.1). */
  private featuresAcceptable(): boolean {
    const dev = this.deviceFeatures
    const drv = this.driverFeatures
    return (drv[0] & ~dev[0]) === 0 && (drv[1] & ~dev[1]) === 0 && (drv[1] & VIRTIO_F_VERSION_1_HIGH) !== 0
  }

  private get selectedQueue(): SplitVirtqueue | undefined {
    return this.queues[this.queueSel]
  }

  mmioRead(offset: number, size: AccessSize): number {
    if (offset >= VirtioMmioReg.config) {
      let v = 0
      const at = offset - VirtioMmioReg.config
      for (let i = 0; i < size; i++) v |= (this.config[at + i] ?? 0) << (8 * i)
      return v >>> 0
    }
    if (size !== 4) return 0 // registers are accessed as aligned 32-bit words only (§4.2.2)
    const q = this.selectedQueue
    switch (offset) {
      case VirtioMmioReg.magic:
        return VIRTIO_MMIO_MAGIC
      case VirtioMmioReg.version:
        return 2
      case VirtioMmioReg.deviceId:
        return this.deviceId
      case VirtioMmioReg.vendorId:
        return VIRTIO_MMIO_VENDOR
      case VirtioMmioReg.deviceFeatures:
        return this.deviceFeaturesSel < 2 ? this.deviceFeatures[this.deviceFeaturesSel] : 0
      case VirtioMmioReg.queueNumMax:
        return q ? q.maxSize : 0
      case VirtioMmioReg.queueReady:
        return q?.ready ? 1 : 0
      case VirtioMmioReg.interruptStatus:
        return this.interruptStatus
      case VirtioMmioReg.status:
        return this.status
      case VirtioMmioReg.configGeneration:
        return 0 // the config space never changes under the driver
      default:
        return 0
    }
  }

  mmioWrite(offset: number, size: AccessSize, value: number): void {
    if (offset >= VirtioMmioReg.config || size !== 4) return // config space is read-only here
    const q = this.selectedQueue
    switch (offset) {
      case VirtioMmioReg.deviceFeaturesSel:
        this.deviceFeaturesSel = value >>> 0
        return
      case VirtioMmioReg.driverFeatures:
        if (this.driverFeaturesSel < 2) this.driverFeatures[this.driverFeaturesSel] = value >>> 0
        return
      case VirtioMmioReg.driverFeaturesSel:
        this.driverFeaturesSel = value >>> 0
        return
      case VirtioMmioReg.queueSel:
        this.queueSel = value >>> 0
        return
      case VirtioMmioReg.queueNum:
        if (q && !q.ready) q.num = value >>> 0
        return
      case VirtioMmioReg.queueReady:
        if (!q) return
        if (!(value & 1)) {
          q.ready = false
        } else if (!q.ready) {
          if (q.valid()) q.ready = true
          else this.needsReset()
        }
        return
      case VirtioMmioReg.queueNotify:
        this.notify(value >>> 0)
        return
      case VirtioMmioReg.interruptAck:
        this.interruptStatus &= ~value
        this.updateIrq()
        return
      case VirtioMmioReg.status:
        this.writeStatus(value & 0xff)
        return
      case VirtioMmioReg.queueDescLow:
      case VirtioMmioReg.queueDescHigh:
      case VirtioMmioReg.queueDriverLow:
      case VirtioMmioReg.queueDriverHigh:
      case VirtioMmioReg.queueDeviceLow:
      case VirtioMmioReg.queueDeviceHigh:
        if (q && !q.ready) this.writeQueueAddress(q, offset, value >>> 0)
        return
      default:
        return
    }
  }

  private writeQueueAddress(q: SplitVirtqueue, offset: number, v: number): void {
    const high = (offset & 4) !== 0
    const set = (old: number) => (high ? (old % TWO_32) + v * TWO_32 : Math.floor(old / TWO_32) * TWO_32 + v)
    if (offset < VirtioMmioReg.queueDriverLow) q.descAddr = set(q.descAddr)
    else if (offset < VirtioMmioReg.queueDeviceLow) q.driverAddr = set(q.driverAddr)
    else q.deviceAddr = set(q.deviceAddr)
  }

  /**
   * Status writes (§2.1, §3.1.1): 0 resets the device; FEATURES_OK sticks only if the negotiated
   * features are acceptable (the driver re-reads Status to find out); DEVICE_NEEDS_RESET is the
   * device's bit and survives driver writes.
   */
  private writeStatus(v: number): void {
    if (v === 0) {
      this.reset()
      return
    }
    const was = this.status
    if (v & VirtioStatus.featuresOk && !(was & VirtioStatus.featuresOk) && !this.featuresAcceptable()) {
      v &= ~VirtioStatus.featuresOk
    }
    this.status = v | (was & VirtioStatus.deviceNeedsReset)
    if (this.live && !(was & VirtioStatus.driverOk)) this.driverReady()
  }

  /** QueueNotify: the "kick". Emits `VirtioNotify` (reason: device ID, arg0: queue) and runs the queue. */
  private notify(q: number): void {
    this.sink?.emit(EventKind.VirtioNotify, this.deviceId, q)
    if (q < this.queues.length && this.usable(q)) this.processQueue(q)
  }

  saveState(w: StateWriter): void {
    w.section(this.name)
    for (const v of [this.status, this.interruptStatus, this.deviceFeaturesSel, this.driverFeaturesSel])
      w.u32(v)
    for (const v of [this.driverFeatures[0], this.driverFeatures[1], this.queueSel]) w.u32(v)
    w.bool(this.irqLevel)
    for (const q of this.queues) q.saveState(w)
    this.saveDevice(w)
  }

  loadState(r: StateReader): void {
    r.section(this.name)
    this.status = r.u32()
    this.interruptStatus = r.u32()
    this.deviceFeaturesSel = r.u32()
    this.driverFeaturesSel = r.u32()
    this.driverFeatures[0] = r.u32()
    this.driverFeatures[1] = r.u32()
    this.queueSel = r.u32()
    this.irqLevel = r.bool()
    for (const q of this.queues) q.loadState(r)
    this.loadDevice(r)
  }
}
