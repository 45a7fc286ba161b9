/**
 * Test support: the guest half of the Hyper-V enlightenments, written from the TLFS and Linux's VMBus
 * code (drivers/hv/ring_buffer.c, channel_mgmt.c) independently of the host modules it exercises —
 * hypercalls through register values, the message slot protocol with EOM, and a ring writer/reader.
 * Only tests import it.
 */
import type { DmaMemory } from '../../machine/memory'
import { utf8Encode } from '../../util/utf8'
import type { HypervPartition, HypercallResult } from './enlightenments'

export const PAGE = 0x1000

/** Guest-physical layout the tests use: hypercall page, SIMP, SIEFP, post-message input, rings. */
export const GuestPages = {
  hypercall: 0x10000,
  simp: 0x11000,
  siefp: 0x12000,
  postInput: 0x13000,
  consoleRings: 0x20000,
  storageRings: 0x30000,
  buffers: 0x40000,
} as const

export function u32(mem: DmaMemory, a: number): number {
  return mem.read32(a) >>> 0
}

/** HvCallPostMessage (0x005C) of `payload` on connection 1 with message type 1, input block at GuestPages.postInput. */
export function postMessage(
  part: HypervPartition,
  mem: DmaMemory,
  payload: Uint8Array,
  connection = 1,
  type = 1,
): HypercallResult {
  const block = new Uint8Array(256)
  const v = new DataView(block.buffer)
  v.setUint32(0, connection, true)
  v.setUint32(8, type, true)
  v.setUint32(12, payload.length, true)
  block.set(payload, 16)
  mem.writeBytes(GuestPages.postInput, block)
  return part.hypercall({ eax: 0x005c, edx: 0, ebx: 0, ecx: GuestPages.postInput, esi: 0, edi: 0 }, 0)
}

/** HvCallSignalEvent (0x005D), fast: ECX = connection id, EBX = flag number. */
export function signalEvent(part: HypervPartition, connection: number, flag = 0): HypercallResult {
  return part.hypercall({ eax: 0x1005d, edx: 0, ebx: flag, ecx: connection, esi: 0, edi: 0 }, 0)
}

/** A channel message: the 8-byte header with `msgtype`, then `fields` as u32s. */
export function channelMessage(msgtype: number, ...fields: number[]): Uint8Array {
  const b = new Uint8Array(8 + 4 * fields.length)
  const v = new DataView(b.buffer)
  v.setUint32(0, msgtype, true)
  fields.forEach((f, i) => v.setUint32(8 + 4 * i, f, true))
  return b
}

/** The message in SINT `sint`'s slot: type, payload size, flags, origin, payload. */
export function readSlot(mem: DmaMemory, sint: number) {
  const at = GuestPages.simp + 256 * sint
  const size = mem.read8(at + 4)
  return {
    type: u32(mem, at),
    size,
    pending: (mem.read8(at + 5) & 1) !== 0,
    origin: u32(mem, at + 8),
    payload: mem.readBytes(at + 16, size),
  }
}

/** Takes the slot's message as the TLFS asks: copy it, clear the type, EOM only if MessagePending. */
export function takeSlot(part: HypervPartition, mem: DmaMemory, sint: number, now = 0) {
  const msg = readSlot(mem, sint)
  mem.write32(GuestPages.simp + 256 * sint, 0)
  if (mem.read8(GuestPages.simp + 256 * sint + 5) & 1) part.wrmsr(0x40000084, 0, 0, now)
  return msg
}

/** Enables SynIC pages, SCONTROL and SINT2 (vector 34, AutoEOI), and the hypercall page. */
export function enlighten(part: HypervPartition, now = 0): void {
  part.wrmsr(0x40000000, 1, 0x80000001, now)
  part.wrmsr(0x40000001, GuestPages.hypercall | 1, 0, now)
  part.wrmsr(0x40000083, GuestPages.simp | 1, 0, now)
  part.wrmsr(0x40000082, GuestPages.siefp | 1, 0, now)
  part.wrmsr(0x40000092, 34 | (1 << 17), 0, now)
  part.wrmsr(0x40000080, 1, 0, now)
}

/** A ring as the guest sees it: header page at `base`, `pages` pages in all. */
export class GuestRing {
  readonly size: number
  constructor(
    readonly mem: DmaMemory,
    readonly base: number,
    pages: number,
  ) {
    this.size = (pages - 1) * PAGE
  }
  get write(): number {
    return u32(this.mem, this.base)
  }
  set write(v: number) {
    this.mem.write32(this.base, v)
  }
  get read(): number {
    return u32(this.mem, this.base + 4)
  }
  set read(v: number) {
    this.mem.write32(this.base + 4, v)
  }
  get mask(): number {
    return u32(this.mem, this.base + 8)
  }
  set mask(v: number) {
    this.mem.write32(this.base + 8, v)
  }
  get pending(): number {
    return u32(this.mem, this.base + 12)
  }
  set pending(v: number) {
    this.mem.write32(this.base + 12, v)
  }
  private byte(i: number): number {
    return this.base + PAGE + (i % this.size)
  }
  /**
   * Linux hv_ringbuffer_write(): descriptor, data padded to 8, trailer with the start offset in the
   * upper half; refuses when it would leave no byte free. Returns whether the reader must be signalled
   * (hv_signal_on_write: not masked, and the ring was empty), or null when it did not fit.
   */
  put(type: number, flags: number, trans: number, data: Uint8Array): boolean | null {
    const len = 16 + ((data.length + 7) & ~7)
    const used = (this.write - this.read + this.size) % this.size
    if (this.size - used <= len + 8) return null
    const bytes = new Uint8Array(len + 8)
    const v = new DataView(bytes.buffer)
    v.setUint16(0, type, true)
    v.setUint16(2, 2, true)
    v.setUint16(4, len / 8, true)
    v.setUint16(6, flags, true)
    v.setUint32(8, trans, true)
    bytes.set(data, 16)
    const start = this.write
    v.setUint32(len + 4, start, true)
    bytes.forEach((b, i) => this.mem.write8(this.byte(start + i), b))
    this.write = (start + bytes.length) % this.size
    return this.mask === 0 && this.read === start
  }
  /** Reads every packet (type, flags, transaction id, data after offset8) and consumes them. */
  takeAll(): { type: number; flags: number; trans: number; data: Uint8Array }[] {
    const out = []
    while (this.read !== this.write) {
      const r = this.read
      const at = (i: number) => this.mem.read8(this.byte(r + i))
      const u16 = (i: number) => at(i) | (at(i + 1) << 8)
      const len = u16(4) * 8
      const off = u16(2) * 8
      const data = Uint8Array.from({ length: len - off }, (_, i) => at(off + i))
      out.push({
        type: u16(0),
        flags: u16(6),
        trans: at(8) | (at(9) << 8) | (at(10) << 16) | (at(11) << 24),
        data,
      })
      this.read = (r + len + 8) % this.size
    }
    return out
  }
}

/** The console text format: {u32 count, u32 reserved, bytes}. */
export function textPacket(text: string | Uint8Array): Uint8Array {
  const bytes = typeof text === 'string' ? utf8Encode(text) : text
  const b = new Uint8Array(8 + bytes.length)
  new DataView(b.buffer).setUint32(0, bytes.length, true)
  b.set(bytes, 8)
  return b
}
