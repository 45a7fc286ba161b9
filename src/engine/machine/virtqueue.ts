/**
 * Split virtqueues, the device side (virtio 1.1 §2.6): a descriptor table, the available ring the
 * driver fills and the used ring the device fills, all in guest memory and reached by DMA. Only what
 * this machine offers is implemented: no VIRTIO_F_INDIRECT_DESC, no VIRTIO_F_EVENT_IDX, so interrupt
 * suppression is the available ring's VIRTQ_AVAIL_F_NO_INTERRUPT flag (§2.6.7).
 *
 * A queue the driver has corrupted (a loop in a chain, an index out of range, a buffer outside memory,
 * a readable descriptor after a writable one) is reported as `'malformed'`, never thrown: the transport
 * then sets DEVICE_NEEDS_RESET (§2.1.1), which is what a device does with a driver error it cannot
 * recover from.
 */

import type { StateReader, StateWriter } from '../snapshot'
import type { DmaMemory } from './memory'

/** Descriptor flags (§2.6.5). */
export const VIRTQ_DESC_F_NEXT = 1
export const VIRTQ_DESC_F_WRITE = 2
export const VIRTQ_DESC_F_INDIRECT = 4
/** Available ring flag: the driver does not want an interrupt for used buffers (§2.6.7). */
export const VIRTQ_AVAIL_F_NO_INTERRUPT = 1

const DESC_SIZE = 16

/** One device-readable or device-writable buffer: guest-physical address and length. */
export interface BufferSegment {
  readonly addr: number
  readonly len: number
}

/** A descriptor chain taken from the available ring: its head index and its buffers in order. */
export interface DescriptorChain {
  readonly head: number
  readonly readable: readonly BufferSegment[]
  readonly writable: readonly BufferSegment[]
}

/** Total bytes in a list of segments. */
export function segmentsLength(segs: readonly BufferSegment[]): number {
  let n = 0
  for (const s of segs) n += s.len
  return n
}

/**
 * Copies `dest.length` bytes of the byte stream the segments form, starting `skip` bytes in, into
 * `dest` (drivers may split a request across descriptors any way they like, §2.6.4: "Message Framing").
 * Returns the bytes copied (fewer if the stream ends).
 */
export function readSegments(
  mem: DmaMemory,
  segs: readonly BufferSegment[],
  skip: number,
  dest: Uint8Array,
): number {
  let done = 0
  for (const s of segs) {
    if (done === dest.length) break
    if (skip >= s.len) {
      skip -= s.len
      continue
    }
    const n = Math.min(s.len - skip, dest.length - done)
    dest.set(mem.readBytes(s.addr + skip, n), done)
    done += n
    skip = 0
  }
  return done
}

/** Writes `src` into the stream the segments form, starting `skip` bytes in; returns the bytes written. */
export function writeSegments(
  mem: DmaMemory,
  segs: readonly BufferSegment[],
  skip: number,
  src: Uint8Array,
): number {
  let done = 0
  for (const s of segs) {
    if (done === src.length) break
    if (skip >= s.len) {
      skip -= s.len
      continue
    }
    const n = Math.min(s.len - skip, src.length - done)
    mem.writeBytes(s.addr + skip, src.subarray(done, done + n))
    done += n
    skip = 0
  }
  return done
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0
}

/**
 * One split virtqueue as the device sees it. The transport writes {@link num}, the three ring
 * addresses and {@link ready}; the device pops chains and pushes used elements.
 */
export class SplitVirtqueue {
  /** Queue size the driver chose (QueueNum); starts at the maximum. */
  num: number
  ready = false
  /** Guest-physical addresses of the three areas (64-bit values; anything above 4 GiB is outside memory). */
  descAddr = 0
  driverAddr = 0
  deviceAddr = 0
  /** The device's position in the available ring (free-running 16-bit). */
  private lastAvail = 0
  /** The used ring's idx as the device last wrote it. */
  private usedIdx = 0

  constructor(
    private readonly mem: DmaMemory,
    readonly maxSize: number,
  ) {
    this.num = maxSize
  }

  reset(): void {
    this.num = this.maxSize
    this.ready = false
    this.descAddr = this.driverAddr = this.deviceAddr = 0
    this.lastAvail = this.usedIdx = 0
  }

  /**
   * Checks the configuration the driver is about to enable (§2.6: size a power of 2 no larger than
   * QueueNumMax; §2.6 alignment table: descriptors 16, available ring 2, used ring 4 bytes; all three
   * areas inside guest memory).
   */
  valid(): boolean {
    const n = this.num
    const inside = (a: number, len: number) => a >= 0 && a + len <= this.mem.size
    return (
      isPowerOfTwo(n) &&
      n <= this.maxSize &&
      this.descAddr % 16 === 0 &&
      this.driverAddr % 2 === 0 &&
      this.deviceAddr % 4 === 0 &&
      inside(this.descAddr, DESC_SIZE * n) &&
      inside(this.driverAddr, 6 + 2 * n) &&
      inside(this.deviceAddr, 6 + 8 * n)
    )
  }

  private availIdx(): number {
    return this.mem.read16(this.driverAddr + 2)
  }

  /** True if the driver has made buffers available that the device has not taken yet. */
  hasAvailable(): boolean {
    return this.availIdx() !== this.lastAvail
  }

  /** Takes the next available descriptor chain: null when none, `'malformed'` when the queue is corrupt. */
  pop(): DescriptorChain | null | 'malformed' {
    const avail = this.availIdx()
    if (avail === this.lastAvail) return null
    // The available ring holds at most `num` entries, so idx cannot run further ahead (§2.6.6).
    if (((avail - this.lastAvail) & 0xffff) > this.num) return 'malformed'
    const head = this.mem.read16(this.driverAddr + 4 + 2 * (this.lastAvail % this.num))
    this.lastAvail = (this.lastAvail + 1) & 0xffff
    return this.walk(head)
  }

  private walk(head: number): DescriptorChain | 'malformed' {
    const readable: BufferSegment[] = []
    const writable: BufferSegment[] = []
    const mem = this.mem
    let i = head
    for (let count = 0; ; count++) {
      // A chain longer than the table must revisit a descriptor: a loop.
      if (i >= this.num || count >= this.num) return 'malformed'
      const d = this.descAddr + DESC_SIZE * i
      const addr = mem.read32(d)
      const addrHigh = mem.read32(d + 4)
      const len = mem.read32(d + 8)
      const flags = mem.read16(d + 12)
      if (flags & VIRTQ_DESC_F_INDIRECT) return 'malformed' // not negotiated
      if (addrHigh !== 0 || addr + len > mem.size) return 'malformed'
      if (flags & VIRTQ_DESC_F_WRITE) {
        writable.push({ addr, len })
      } else {
        // §2.6.4.2 (Message Framing): device-writable descriptors come after all device-readable ones.
        if (writable.length > 0) return 'malformed'
        readable.push({ addr, len })
      }
      if (!(flags & VIRTQ_DESC_F_NEXT)) break
      i = mem.read16(d + 14)
    }
    return { head, readable, writable }
  }

  /** Returns a chain to the driver: used element (head, bytes written), then the used idx (§2.6.8). */
  push(head: number, written: number): void {
    const e = this.deviceAddr + 4 + 8 * (this.usedIdx % this.num)
    this.mem.write32(e, head)
    this.mem.write32(e + 4, written)
    this.usedIdx = (this.usedIdx + 1) & 0xffff
    this.mem.write16(this.deviceAddr + 2, this.usedIdx)
  }

  /** True unless the driver set VIRTQ_AVAIL_F_NO_INTERRUPT. */
  wantsInterrupt(): boolean {
    return (this.mem.read16(this.driverAddr) & VIRTQ_AVAIL_F_NO_INTERRUPT) === 0
  }

  saveState(w: StateWriter): void {
    for (const v of [this.num, this.lastAvail, this.usedIdx]) w.u32(v)
    for (const v of [this.descAddr, this.driverAddr, this.deviceAddr]) w.f64(v)
    w.bool(this.ready)
  }

  loadState(r: StateReader): void {
    this.num = r.u32()
    this.lastAvail = r.u32()
    this.usedIdx = r.u32()
    this.descAddr = r.f64()
    this.driverAddr = r.f64()
    this.deviceAddr = r.f64()
    this.ready = r.bool()
  }
}
