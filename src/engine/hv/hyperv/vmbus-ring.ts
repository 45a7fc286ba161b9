/**
 * One VMBus ring buffer in guest memory, as the root partition's VMBus driver reads and writes it
 * (Linux include/linux/hyperv.h `struct hv_ring_buffer`, drivers/hv/ring_buffer.c): a header page
 * (write_index, read_index, interrupt_mask, pending_send_sz, feature_bits) and data pages used as a
 * circular buffer of packets. A packet is a `struct vmpacket_descriptor` (type, offset8, len8, flags,
 * transaction id), its data padded to 8 bytes, and an 8-byte trailer with the packet's start offset in
 * its upper half. docs/hyperv-abi.md §6 "Ring buffers" is the contract.
 *
 * Everything here reads guest-controlled memory, so every index and length is checked: a bad one
 * makes the ring `malformed`, never an exception or an endless loop.
 */
import type { DmaMemory } from '../../machine/memory'

const RING_HEADER_BYTES = 0x1000
const WRITE_INDEX = 0
const READ_INDEX = 4
const INTERRUPT_MASK = 8
const PENDING_SEND_SZ = 12
const FEATURE_BITS = 64

/** Packet types (Linux `enum vmbus_packet_type`). */
export const VmbusPacketType = {
  dataInband: 6,
  dataUsingGpaDirect: 9,
  completion: 11,
} as const
/** `struct vmpacket_descriptor`. */
export const PACKET_DESCRIPTOR_BYTES = 16
/** The u64 after each packet holding its start offset (Linux `prev_indices`). */
export const PACKET_TRAILER_BYTES = 8

/** A packet as read from a ring: its descriptor fields and its bytes, descriptor included. */
export interface RingPacket {
  readonly type: number
  readonly offset8: number
  readonly len8: number
  readonly flags: number
  readonly transLo: number
  readonly transHi: number
  /** len8 × 8 bytes: the descriptor, the data and its padding. */
  readonly bytes: Uint8Array
}

/** The bytes a packet with `dataBytes` of data after its descriptor takes in a ring, trailer included. */
export function packetFootprint(dataBytes: number): number {
  return PACKET_DESCRIPTOR_BYTES + ((dataBytes + 7) & ~7) + PACKET_TRAILER_BYTES
}

export class VmbusRing {
  readonly dataSize: number
  private readonly data: number

  /** The ring whose header page is at `base`, with `pages` pages in all (checked by the caller to be in RAM). */
  constructor(
    private readonly mem: DmaMemory,
    readonly base: number,
    pages: number,
  ) {
    this.data = base + RING_HEADER_BYTES
    this.dataSize = (pages - 1) * 0x1000
  }

  get writeIndex(): number {
    return this.mem.read32(this.base + WRITE_INDEX)
  }
  get readIndex(): number {
    return this.mem.read32(this.base + READ_INDEX)
  }
  get interruptMask(): number {
    return this.mem.read32(this.base + INTERRUPT_MASK)
  }
  set interruptMask(v: number) {
    this.mem.write32(this.base + INTERRUPT_MASK, v)
  }
  get pendingSendSize(): number {
    return this.mem.read32(this.base + PENDING_SEND_SZ)
  }
  set pendingSendSize(v: number) {
    this.mem.write32(this.base + PENDING_SEND_SZ, v)
  }
  get featureBits(): number {
    return this.mem.read32(this.base + FEATURE_BITS)
  }

  /** An index the ring can hold: inside the data and 8-byte aligned (packets are). */
  private validIndex(i: number): boolean {
    return i < this.dataSize && (i & 7) === 0
  }

  /** Bytes between the read and the write index, or null when either index is invalid. */
  used(): number | null {
    const w = this.writeIndex
    const r = this.readIndex
    if (!this.validIndex(w) || !this.validIndex(r)) return null
    return w >= r ? w - r : this.dataSize - r + w
  }

  /** Free bytes for a writer, or null when an index is invalid. */
  free(): number | null {
    const used = this.used()
    return used === null ? null : this.dataSize - used
  }

  private copyOut(offset: number, length: number): Uint8Array {
    const first = Math.min(length, this.dataSize - offset)
    const out = new Uint8Array(length)
    out.set(this.mem.readBytes(this.data + offset, first))
    if (first < length) out.set(this.mem.readBytes(this.data, length - first), first)
    return out
  }

  private copyIn(offset: number, bytes: Uint8Array): number {
    const first = Math.min(bytes.length, this.dataSize - offset)
    this.mem.writeBytes(this.data + offset, bytes.subarray(0, first))
    if (first < bytes.length) this.mem.writeBytes(this.data, bytes.subarray(first))
    return (offset + bytes.length) % this.dataSize
  }

  /**
   * The packet at the read index, without consuming it: `empty` when there is none, `malformed` when
   * the indices or the descriptor are impossible (len8·8 < 16, offset8 < 2 or > len8, longer than what
   * the ring holds).
   */
  peek(): RingPacket | 'empty' | 'malformed' {
    const used = this.used()
    if (used === null) return 'malformed'
    if (used === 0) return 'empty'
    if (used < PACKET_DESCRIPTOR_BYTES + PACKET_TRAILER_BYTES) return 'malformed'
    const r = this.readIndex
    const d = new DataView(this.copyOut(r, PACKET_DESCRIPTOR_BYTES).buffer)
    const offset8 = d.getUint16(2, true)
    const len8 = d.getUint16(4, true)
    if (
      len8 * 8 < PACKET_DESCRIPTOR_BYTES ||
      offset8 < 2 ||
      offset8 > len8 ||
      len8 * 8 + PACKET_TRAILER_BYTES > used
    ) {
      return 'malformed'
    }
    return {
      type: d.getUint16(0, true),
      offset8,
      len8,
      flags: d.getUint16(6, true),
      transLo: d.getUint32(8, true),
      transHi: d.getUint32(12, true),
      bytes: this.copyOut(r, len8 * 8),
    }
  }

  /** Consumes the packet {@link peek} returned: moves read_index past it and its trailer. */
  consume(p: RingPacket): void {
    const next = (this.readIndex + p.len8 * 8 + PACKET_TRAILER_BYTES) % this.dataSize
    this.mem.write32(this.base + READ_INDEX, next)
  }

  /**
   * Writes one packet with `data` after its descriptor (offset8 = 2) if it leaves at least one byte
   * free (a full ring would look empty: Linux `hv_ringbuffer_write()`); returns false when it does not
   * fit or the indices are invalid. write_index moves past the packet and its trailer.
   */
  write(type: number, flags: number, transLo: number, transHi: number, data: Uint8Array): boolean {
    const footprint = packetFootprint(data.length)
    const free = this.free()
    if (free === null || free <= footprint) return false
    const packet = new Uint8Array(footprint)
    const v = new DataView(packet.buffer)
    const start = this.writeIndex
    v.setUint16(0, type, true)
    v.setUint16(2, PACKET_DESCRIPTOR_BYTES / 8, true)
    v.setUint16(4, (footprint - PACKET_TRAILER_BYTES) / 8, true)
    v.setUint16(6, flags, true)
    v.setUint32(8, transLo, true)
    v.setUint32(12, transHi, true)
    packet.set(data, PACKET_DESCRIPTOR_BYTES)
    v.setUint32(footprint - 4, start, true)
    this.mem.write32(this.base + WRITE_INDEX, this.copyIn(start, packet))
    return true
  }
}
