/**
 * The synthetic interrupt controller of one Hyper-V virtual processor (TLFS
 * inter-partition-communication.md "Synthetic Interrupt Controller (SynIC)", virtual-interrupts.md):
 * 16 synthetic interrupt sources (SINTs), each with a vector, a mask and an AutoEOI bit; a message
 * page (SIMP) with one 256-byte message slot per SINT; an event-flags page (SIEFP) with 2048 flags per
 * SINT; the end-of-message register (EOM) with which the guest asks for the next queued message.
 *
 * The pages are guest memory the guest chose (as Linux does for a non-isolated guest). The SynIC
 * reports what the hypervisor model must show — a message written or queued, a flag set, an
 * interrupt due — through `notify`; it emits no events itself. docs/hyperv-abi.md §4 is the contract.
 */
import type { DmaMemory } from '../../machine/memory'
import type { StateReader, StateWriter } from '../../snapshot'

export const SINT_COUNT = 16
/** HV_MESSAGE_SIZE: one message slot, and one event-flags area, per SINT. */
export const HV_MESSAGE_SIZE = 256
/** Messages waiting per SINT behind a busy slot [R]: the TLFS does not say how many. */
export const SINT_QUEUE_LIMIT = 16
/** Vectors 0–15 are reserved: an unmasked SINT may not use them (TLFS "SINTx Registers"). */
export const FIRST_VALID_VECTOR = 16

/** HV_MESSAGE_TYPE values used here (TLFS datatypes/hv_message_type.md). */
export const HvMessageType = {
  none: 0,
  /** The type VMBus messages travel with (Linux hv_post_message's message type 1; QEMU HV_MESSAGE_VMBUS). */
  vmbus: 1,
  timerExpired: 0x80000010,
} as const

/** SINTx register bits. */
export const SINT_MASKED = 1 << 16
export const SINT_AUTO_EOI = 1 << 17
export const SINT_POLLING = 1 << 18
/** SCONTROL, SIMP and SIEFP: bit 0 enables; bits 63:12 (of SIMP, SIEFP) hold the page's GPA. */
const ENABLE = 1

/** The page address in bits 31:12 of SIMP or SIEFP. */
function pageOf(v: number): number {
  return (v & 0xfffff000) >>> 0
}

/** A message for a SINT's slot (header fields and payload, TLFS datatypes/hv_message.md). */
export interface SynicMessage {
  readonly type: number
  /** The payload, at most 240 bytes. */
  readonly payload: Uint8Array
  /** HV_MESSAGE_HEADER.OriginationId (a port id; 0 for timer messages). */
  readonly origin: number
}

/** What happened in the SynIC that the model shows as part of a flow. */
export type SynicNotice =
  /** A SINT was raised and is neither masked nor disabled: inject `vector` (no APIC: nothing to EOI [R]). */
  | {
      readonly kind: 'interrupt'
      readonly cause: 'sint'
      readonly sint: number
      readonly vector: number
      readonly autoEoi: boolean
    }
  /** A message was written into its slot (`delivered`) or queued behind a busy slot. */
  | {
      readonly kind: 'message'
      readonly sint: number
      readonly messageType: number
      readonly delivered: boolean
    }
  /** An event flag was set (`raised`: it was clear, so the SINT was raised). */
  | { readonly kind: 'event-flag'; readonly sint: number; readonly flag: number; readonly raised: boolean }

/** What {@link Synic.post} did with a message. */
export type PostResult = 'delivered' | 'queued' | 'full'

export class Synic {
  /** SCONTROL: reset value 0 [R]. */
  scontrol = 0
  /** SIMP and SIEFP, low 32 bits (a 32-bit guest's pages lie below 4 GiB). */
  simp = 0
  siefp = 0
  /** SINT0–15: reset value masked, vector 0. */
  readonly sints = new Uint32Array(SINT_COUNT).fill(SINT_MASKED)
  private queues: SynicMessage[][] = Array.from({ length: SINT_COUNT }, () => [])

  constructor(
    private readonly mem: DmaMemory,
    private readonly notify: (n: SynicNotice) => void,
  ) {}

  /** True when `gpa` (page-aligned) names a whole page of guest RAM. */
  private inRam(gpa: number): boolean {
    return gpa + 0x1000 <= this.mem.size
  }

  /** Writes SCONTROL (0x40000080). Enabling retries queued messages. */
  writeScontrol(lo: number): void {
    this.scontrol = lo & ENABLE
    this.pumpAll()
  }

  /**
   * Writes SIMP (0x40000083) or SIEFP (0x40000082). Returns false (#GP) when an enabled page is not in
   * guest RAM [R]. Enabling the SIMP retries queued messages.
   */
  writePage(which: 'simp' | 'siefp', lo: number, hi: number): boolean {
    const value = (pageOf(lo) | (lo & ENABLE)) >>> 0
    if ((value & ENABLE) !== 0 && (hi !== 0 || !this.inRam(pageOf(value)))) return false
    this[which] = value
    if (which === 'simp') this.pumpAll()
    return true
  }

  /** Writes SINTx (0x40000090 + x). Returns false (#GP) for an unmasked vector below 16. */
  writeSint(sint: number, lo: number): boolean {
    const value = lo & (0xff | SINT_MASKED | SINT_AUTO_EOI | SINT_POLLING)
    if ((value & SINT_MASKED) === 0 && (value & 0xff) < FIRST_VALID_VECTOR) return false
    this.sints[sint] = value
    return true
  }

  /** EOM (0x40000084): the guest emptied a slot that had MessagePending set; deliver what waits. */
  endOfMessage(): void {
    this.pumpAll()
  }

  /** Messages queued behind SINT `sint`'s slot. */
  queued(sint: number): number {
    return this.queues[sint].length
  }

  /**
   * Sends a message to SINT `sint` (HvCallPostMessage from the root, a timer expiry): into its slot
   * if the slot is free, else into the SINT's queue with MessagePending set in the slot.
   */
  post(sint: number, msg: SynicMessage): PostResult {
    if (msg.payload.length > HV_MESSAGE_SIZE - 16)
      throw new Error('engine bug: a SynIC message payload holds at most 240 bytes')
    const q = this.queues[sint]
    if (q.length >= SINT_QUEUE_LIMIT) return 'full'
    q.push(msg)
    const delivered = this.pump(sint)
    if (!delivered) this.notify({ kind: 'message', sint, messageType: msg.type, delivered: false })
    return delivered ? 'delivered' : 'queued'
  }

  /**
   * Sets flag `flag` of SINT `sint`'s event-flags area (HvCallSignalEvent on a port of this VP). A flag
   * that was clear raises the SINT; with the SIEFP disabled the flag is dropped (as KVM does).
   */
  setEventFlag(sint: number, flag: number): boolean {
    if ((this.siefp & ENABLE) === 0) return false
    const at = pageOf(this.siefp) + sint * HV_MESSAGE_SIZE + (flag >>> 3)
    const bit = 1 << (flag & 7)
    const old = this.mem.read8(at)
    const raised = (old & bit) === 0
    if (raised) this.mem.write8(at, old | bit)
    this.notify({ kind: 'event-flag', sint, flag, raised })
    if (raised) this.raise(sint)
    return raised
  }

  /** Raises SINT `sint`: an interrupt is due unless the SynIC is disabled or the SINT masked. */
  private raise(sint: number): void {
    const v = this.sints[sint]
    if ((this.scontrol & ENABLE) === 0 || (v & SINT_MASKED) !== 0) return
    this.notify({
      kind: 'interrupt',
      cause: 'sint',
      sint,
      vector: v & 0xff,
      autoEoi: (v & SINT_AUTO_EOI) !== 0,
    })
  }

  private pumpAll(): void {
    for (let s = 0; s < SINT_COUNT; s++) if (this.queues[s].length > 0) this.pump(s)
  }

  /**
   * Delivers the head of SINT `sint`'s queue if its slot is free (MessageType 0): payload, size and
   * flags first, the type last, so the guest never sees half a message. Whatever still waits sets
   * MessagePending in the slot (TLFS datatypes/hv_message.md). Returns true if it delivered.
   */
  private pump(sint: number): boolean {
    if ((this.simp & ENABLE) === 0) return false
    const slot = pageOf(this.simp) + sint * HV_MESSAGE_SIZE
    const q = this.queues[sint]
    let delivered = false
    if (q.length > 0 && this.mem.read32(slot) === HvMessageType.none) {
      const msg = q.shift() as SynicMessage
      this.mem.writeBytes(slot + 16, msg.payload)
      this.mem.write8(slot + 4, msg.payload.length)
      this.mem.write8(slot + 5, 0)
      this.mem.write16(slot + 6, 0)
      this.mem.write32(slot + 8, msg.origin)
      this.mem.write32(slot + 12, 0)
      this.mem.write32(slot, msg.type)
      this.notify({ kind: 'message', sint, messageType: msg.type, delivered: true })
      this.raise(sint)
      delivered = true
    }
    if (q.length > 0) this.mem.write8(slot + 5, this.mem.read8(slot + 5) | 1)
    return delivered
  }

  saveState(w: StateWriter): void {
    w.section('hyperv-synic')
    w.u32(this.scontrol)
    w.u32(this.simp)
    w.u32(this.siefp)
    w.words(this.sints)
    w.json(this.queues.map((q) => q.map((m) => [m.type, m.origin, Array.from(m.payload)])))
  }

  loadState(r: StateReader): void {
    r.section('hyperv-synic')
    this.scontrol = r.u32()
    this.simp = r.u32()
    this.siefp = r.u32()
    r.words(this.sints)
    const queues = r.json<[number, number, number[]][][]>()
    this.queues = queues.map((q) =>
      q.map(([type, origin, payload]) => ({ type, origin, payload: Uint8Array.from(payload) })),
    )
  }
}
