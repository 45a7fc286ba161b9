/**
 * The virtio block device (virtio 1.1 §5.2), device ID 2, one request queue. A request is a 16-byte
 * header (type, reserved, sector), data, and a final status byte the device writes (§5.2.6); the
 * device reads it as a byte stream whatever the descriptor layout (§2.6.4, "Message Framing").
 * Supported: VIRTIO_BLK_T_IN, VIRTIO_BLK_T_OUT and VIRTIO_BLK_T_GET_ID; any other type (FLUSH is not
 * offered) answers VIRTIO_BLK_S_UNSUPP. No feature bits beyond VERSION_1; the config space holds the
 * capacity in 512-byte sectors (§5.2.4).
 */

import type { StateReader, StateWriter } from '../snapshot'
import { EventKind } from '../trace/schema'
import type { EventSink } from '../trace/sink'
import { SECTOR_SIZE, type DiskImage } from './disk-image'
import type { IrqLine } from './irq'
import type { DmaMemory } from './memory'
import { VirtioMmioDevice } from './virtio-mmio'
import { readSegments, segmentsLength, writeSegments, type DescriptorChain } from './virtqueue'

export const VIRTIO_ID_BLOCK = 2

/** Request types (§5.2.6). */
export const VirtioBlkType = { in: 0, out: 1, flush: 4, getId: 8 } as const
/** Status byte values (§5.2.6). */
export const VirtioBlkStatus = { ok: 0, ioErr: 1, unsupp: 2 } as const

const HEADER_BYTES = 16
/** VIRTIO_BLK_ID_BYTES: the device ID string is at most 20 bytes, NUL-padded (§5.2.6). */
const ID_BYTES = 20
const DEVICE_ID_STRING = 'ringside-vblk'

export class VirtioBlock extends VirtioMmioDevice {
  readonly name = 'virtio-block'
  /** struct virtio_blk_config up to and including `writeback`: only `capacity` (le64 at 0) is meaningful here. */
  protected readonly config = new Uint8Array(36)

  constructor(
    mem: DmaMemory,
    irq: IrqLine,
    sink: EventSink | null,
    readonly disk: DiskImage | null,
  ) {
    super(VIRTIO_ID_BLOCK, 1, 0, mem, irq, sink)
    const capacity = disk?.sectors ?? 0
    const view = new DataView(this.config.buffer)
    view.setUint32(0, capacity % 0x1_0000_0000, true)
    view.setUint32(4, Math.floor(capacity / 0x1_0000_0000), true)
  }

  protected processQueue(q: number): void {
    const queue = this.queues[q]
    let used = false
    for (let chain = this.pop(queue); chain; chain = this.pop(queue)) {
      const written = this.request(chain)
      if (written < 0) {
        this.needsReset() // no room for a status byte: nothing can be reported to the driver
        return
      }
      queue.push(chain.head, written)
      used = true
    }
    if (used) this.notifyUsed(queue)
  }

  /** Executes one request; returns the bytes written into the chain, or -1 if it has no status byte. */
  private request(chain: DescriptorChain): number {
    const writableLength = segmentsLength(chain.writable)
    if (writableLength < 1) return -1
    const dataIn = writableLength - 1
    const header = new Uint8Array(HEADER_BYTES)
    let status: number = VirtioBlkStatus.ioErr
    let written = 0
    if (readSegments(this.mem, chain.readable, 0, header) === HEADER_BYTES) {
      const h = new DataView(header.buffer)
      const type = h.getUint32(0, true)
      const sector = h.getUint32(8, true) + h.getUint32(12, true) * 0x1_0000_0000
      switch (type) {
        case VirtioBlkType.in:
          status = this.read(chain, sector, dataIn)
          if (status === VirtioBlkStatus.ok) written = dataIn
          break
        case VirtioBlkType.out:
          status = this.write(chain, sector, segmentsLength(chain.readable) - HEADER_BYTES)
          break
        case VirtioBlkType.getId: {
          const id = new Uint8Array(ID_BYTES)
          for (let i = 0; i < DEVICE_ID_STRING.length; i++) id[i] = DEVICE_ID_STRING.charCodeAt(i)
          written = writeSegments(this.mem, chain.writable, 0, id.subarray(0, Math.min(ID_BYTES, dataIn)))
          status = VirtioBlkStatus.ok
          break
        }
        default:
          status = VirtioBlkStatus.unsupp
      }
    }
    writeSegments(this.mem, chain.writable, dataIn, Uint8Array.of(status))
    return written + 1
  }

  /** Whole sectors `sector` … for `bytes` bytes, or -1 if the length is not whole sectors or exceeds the disk. */
  private span(sector: number, bytes: number): number {
    if (bytes < 0 || bytes % SECTOR_SIZE !== 0 || !this.disk) return -1
    const count = bytes / SECTOR_SIZE
    return this.disk.contains(sector, count) ? count : -1
  }

  private read(chain: DescriptorChain, sector: number, bytes: number): number {
    const count = this.span(sector, bytes)
    if (count < 0) return VirtioBlkStatus.ioErr
    this.sink?.emit(EventKind.DiskIo, 0, sector, count, 1)
    writeSegments(this.mem, chain.writable, 0, (this.disk as DiskImage).view(sector, count))
    return VirtioBlkStatus.ok
  }

  private write(chain: DescriptorChain, sector: number, bytes: number): number {
    const count = this.span(sector, bytes)
    if (count < 0) return VirtioBlkStatus.ioErr
    this.sink?.emit(EventKind.DiskIo, 1, sector, count, 1)
    const data = new Uint8Array(bytes)
    readSegments(this.mem, chain.readable, HEADER_BYTES, data)
    ;(this.disk as DiskImage).write(sector, data)
    return VirtioBlkStatus.ok
  }

  protected resetDevice(): void {}

  protected saveDevice(_w: StateWriter): void {}

  protected loadDevice(_r: StateReader): void {}
}
