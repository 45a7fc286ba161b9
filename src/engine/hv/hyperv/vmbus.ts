/**
 * The root partition's side of VMBus (Linux Documentation/virt/hyperv/vmbus.rst; the guest side is
 * drivers/hv/ in Linux, guest/drivers/vmbus.c in ringos): the channel-management protocol a child
 * speaks with HvCallPostMessage to the VMBus message connection and receives as SynIC messages in
 * SINT2 (INITIATE_CONTACT → VERSION_RESPONSE, REQUESTOFFERS → OFFERCHANNEL… ALLOFFERS_DELIVERED,
 * OPENCHANNEL → OPENCHANNEL_RESULT), and the channels: a pair of ring buffers in guest memory per
 * device, signalled with HvCallSignalEvent (child → root) and with an event flag in the child's SIEF
 * page plus SINT2 (root → child). The devices behind the channels are the VSPs (vmbus-console.ts,
 * vmbus-storage.ts). docs/hyperv-abi.md §6 is the contract; its [R] marks are repeated here.
 */
import type { DmaMemory } from '../../machine/memory'
import type { StateReader, StateWriter } from '../../snapshot'
import { HvStatus, type HvStatusCode, type HypercallPorts } from './hypercalls'
import { HvMessageType, SINT_QUEUE_LIMIT, type Synic } from './synic'
import { VmbusRing, type RingPacket } from './vmbus-ring'

/** VMBUS_MESSAGE_CONNECTION_ID: where a child posts channel messages (Linux hyperv_vmbus.h). */
export const VMBUS_MESSAGE_CONNECTION_ID = 1
/** VMBUS_MESSAGE_SINT: the SINT channel messages and channel interrupts arrive on. */
export const VMBUS_SINT = 2
/** The HV_MESSAGE OriginationId of the root's VMBus messages [R]. */
export const VMBUS_PORT_ID = 1
/** VERSION_WIN10 (4.0), the only protocol version this host speaks [R]. */
export const VMBUS_VERSION_WIN10 = (4 << 16) | 0
/** OPENCHANNEL_RESULT status of a refused open [R] (Linux only tests for non-zero). */
export const OPEN_REFUSED = 0xc0000001
/** Bounds on a ring's size in pages, header page included [R]. */
export const RING_MIN_PAGES = 2
export const RING_MAX_PAGES = 64

/** enum vmbus_channel_message_type (Linux include/linux/hyperv.h). */
export const ChannelMsg = {
  offerChannel: 1,
  requestOffers: 3,
  allOffersDelivered: 4,
  openChannel: 5,
  openChannelResult: 6,
  initiateContact: 14,
  versionResponse: 15,
} as const

/** Sizes of the messages this host sends (packed structs of include/linux/hyperv.h). */
const VERSION_RESPONSE_BYTES = 16
const OFFER_BYTES = 196
const OPEN_RESULT_BYTES = 20
const HEADER_BYTES = 8
const INITIATE_CONTACT_MIN = 12
const OPEN_CHANNEL_MIN = 28

export type VmbusDevice = 'console' | 'storage'

/** What the VMBus host did, for the model's flows. */
export type VmbusNotice =
  /** A channel message reached the root (`from: 'guest'`) or the root answered (`from: 'root'`). */
  | {
      readonly kind: 'vmbus-message'
      readonly from: 'guest' | 'root'
      readonly msgtype: number
      readonly relid: number
    }
  | {
      readonly kind: 'channel-open'
      readonly relid: number
      readonly device: VmbusDevice
      readonly ok: boolean
    }
  /** The child signalled the channel (HvCallSignalEvent): the root's VSP runs. */
  | { readonly kind: 'guest-signal'; readonly relid: number; readonly device: VmbusDevice }
  /** The root signalled the child: event flag `relid` in SINT2's area, which raises SINT2. */
  | { readonly kind: 'host-signal'; readonly relid: number; readonly device: VmbusDevice }
  | { readonly kind: 'console-output'; readonly relid: number; readonly bytes: number }
  | { readonly kind: 'console-input'; readonly relid: number; readonly bytes: number }
  | {
      readonly kind: 'disk'
      readonly relid: number
      readonly op: 'read' | 'write' | 'invalid'
      readonly lba: number
      readonly sectors: number
      readonly status: number
    }
  /** A packet the VSP could not use was skipped. */
  | {
      readonly kind: 'packet-ignored'
      readonly relid: number
      readonly device: VmbusDevice
      readonly reason: string
    }
  /** The ring became unreadable; the root stops serving the channel for good [R]. */
  | {
      readonly kind: 'channel-broken'
      readonly relid: number
      readonly device: VmbusDevice
      readonly reason: string
    }

/** A virtualization service provider: the root-side device behind a channel. */
export interface VmbusServiceProvider {
  readonly device: VmbusDevice
  /** The offer's interface type and instance GUIDs, 16 bytes each. */
  readonly typeGuid: Uint8Array
  readonly instanceGuid: Uint8Array
  /** The offer's 120 bytes of user-defined data. */
  userData(): Uint8Array
  /** The channel was opened or signalled: serve its rings. */
  service(ch: VmbusChannel): void
  saveState(w: StateWriter): void
  loadState(r: StateReader): void
}

/**
 * A GUID string in the byte order Windows and VMBus store it (`guid_t`): the first three groups
 * little-endian, the last two as written.
 */
export function guidBytes(guid: string): Uint8Array {
  const hex = guid.replace(/-/g, '')
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`not a GUID: ${guid}`)
  const b = Uint8Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16))
  return Uint8Array.from([b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], ...b.subarray(8)])
}

function u32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0
}

/** A channel: its relid and connection, the VSP behind it, and, once open, its two rings. */
export class VmbusChannel {
  state: 'closed' | 'open' | 'broken' = 'closed'
  offered = false
  /** The guest's ring pages: first page number and the pages of each ring (0 while closed). */
  ringPfn = 0
  ringPages = 0
  /** Guest → root ring, and root → guest ring. */
  outbound: VmbusRing | null = null
  inbound: VmbusRing | null = null

  constructor(
    readonly relid: number,
    readonly connectionId: number,
    readonly vsp: VmbusServiceProvider,
    private readonly host: VmbusHost,
  ) {}

  get device(): VmbusDevice {
    return this.vsp.device
  }

  /** Reports what the VSP did. */
  notify(n: VmbusNotice): void {
    this.host.notify(n)
  }

  /** Maps the rings: `pages` each, the outbound ring at page `pfn`, the inbound one right after. */
  open(pfn: number, pages: number): void {
    this.ringPfn = pfn
    this.ringPages = pages
    this.outbound = new VmbusRing(this.host.mem, pfn * 0x1000, pages)
    this.inbound = new VmbusRing(this.host.mem, (pfn + pages) * 0x1000, pages)
    this.state = 'open'
  }

  /** The root stops serving this channel; its rings are left as they are. */
  fail(reason: string): void {
    this.state = 'broken'
    this.notify({ kind: 'channel-broken', relid: this.relid, device: this.device, reason })
  }

  /**
   * Reads the guest's outbound ring as Linux's reader does (`hv_begin_read()`/`hv_end_read()`,
   * `hv_pkt_iter_close()`): interrupt_mask set while draining, so the guest does not signal for
   * packets the root is about to see anyway; `handle` consumes a packet by returning true, or stalls
   * the ring (the packet stays) by returning false. Afterwards, if the guest waits for room
   * (pending_send_sz) and has it now, the root signals it.
   */
  drain(handle: (p: RingPacket) => boolean): void {
    const ring = this.outbound
    if (this.state !== 'open' || ring === null) return
    ring.interruptMask = 1
    let consumed = 0
    for (;;) {
      const p = ring.peek()
      if (p === 'empty') break
      if (p === 'malformed') {
        this.fail('malformed packet or index on the guest-to-host ring')
        return
      }
      if (!handle(p)) break
      ring.consume(p)
      consumed++
      if (this.state !== 'open') return
    }
    ring.interruptMask = 0
    const waiting = ring.pendingSendSize
    if (consumed > 0 && waiting !== 0 && (ring.free() ?? 0) >= waiting) this.signalGuest()
  }

  /**
   * Writes a batch of packets into the guest's inbound ring (`write` does the writes) and signals the
   * guest once, only if the ring went from empty to non-empty and the guest has not masked
   * interrupts (Linux `hv_signal_on_write()`).
   */
  send(write: (ring: VmbusRing) => void): void {
    const ring = this.inbound
    if (this.state !== 'open' || ring === null) return
    const before = ring.writeIndex
    write(ring)
    if (this.state !== 'open') return
    if (ring.writeIndex !== before && ring.interruptMask === 0 && ring.readIndex === before)
      this.signalGuest()
  }

  /** HvCallSignalEvent from the root to the child: event flag `relid` of SINT2. */
  signalGuest(): void {
    this.notify({ kind: 'host-signal', relid: this.relid, device: this.device })
    this.host.synic.setEventFlag(VMBUS_SINT, this.relid)
  }
}

/** The root's VMBus: connection state, channel offers and opens, the channels' ports. */
export class VmbusHost implements HypercallPorts {
  connected = false
  readonly channels: VmbusChannel[]

  /** Channel i gets relid i + 1 and connection id 0x11 + i [R]. */
  constructor(
    readonly mem: DmaMemory,
    readonly synic: Synic,
    readonly notify: (n: VmbusNotice) => void,
    vsps: readonly VmbusServiceProvider[],
  ) {
    this.channels = vsps.map((vsp, i) => new VmbusChannel(i + 1, 0x11 + i, vsp, this))
  }

  channel(device: VmbusDevice): VmbusChannel | undefined {
    return this.channels.find((c) => c.device === device)
  }

  /** HvCallPostMessage to the VMBus message connection (docs/hyperv-abi.md §3, §6). */
  postMessage(connectionId: number, messageType: number, payload: Uint8Array): HvStatusCode {
    if (connectionId !== VMBUS_MESSAGE_CONNECTION_ID) return HvStatus.invalidConnectionId
    if (messageType !== HvMessageType.vmbus || payload.length < HEADER_BYTES)
      return HvStatus.invalidHypercallInput
    const msgtype = u32(payload, 0)
    const replies = msgtype === ChannelMsg.requestOffers ? this.channels.length + 1 : 1
    // The answers go to the child's SINT2 queue: refuse the post while they would not fit.
    if (SINT_QUEUE_LIMIT - this.synic.queued(VMBUS_SINT) < replies) return HvStatus.insufficientBuffers
    const relid = msgtype === ChannelMsg.openChannel && payload.length >= 12 ? u32(payload, 8) : 0
    this.notify({ kind: 'vmbus-message', from: 'guest', msgtype, relid })
    switch (msgtype) {
      case ChannelMsg.initiateContact:
        if (payload.length >= INITIATE_CONTACT_MIN) this.initiateContact(u32(payload, 8))
        break
      case ChannelMsg.requestOffers:
        if (this.connected) this.sendOffers()
        break
      case ChannelMsg.openChannel:
        if (payload.length >= OPEN_CHANNEL_MIN) this.openChannel(payload)
        break
      default:
        break // a message this root does not handle is ignored
    }
    return HvStatus.success
  }

  /** HvCallSignalEvent on a channel's connection: the channel's VSP serves its rings. */
  signalEvent(connectionId: number, flagNumber: number): HvStatusCode {
    const ch = this.channels.find((c) => c.connectionId === connectionId)
    if (!ch) return HvStatus.invalidConnectionId
    if (flagNumber !== 0) return HvStatus.invalidParameter
    this.notify({ kind: 'guest-signal', relid: ch.relid, device: ch.device })
    if (ch.state === 'open') ch.vsp.service(ch)
    return HvStatus.success
  }

  private reply(msgtype: number, bytes: number, fill: (p: Uint8Array, v: DataView) => void, relid = 0): void {
    const payload = new Uint8Array(bytes)
    const v = new DataView(payload.buffer)
    v.setUint32(0, msgtype, true)
    fill(payload, v)
    this.notify({ kind: 'vmbus-message', from: 'root', msgtype, relid })
    this.synic.post(VMBUS_SINT, { type: HvMessageType.vmbus, payload, origin: VMBUS_PORT_ID })
  }

  private initiateContact(version: number): void {
    const ok = version === VMBUS_VERSION_WIN10
    if (ok) this.connected = true
    this.reply(ChannelMsg.versionResponse, VERSION_RESPONSE_BYTES, (_p, v) => {
      v.setUint8(8, ok ? 1 : 0)
      v.setUint32(12, VMBUS_MESSAGE_CONNECTION_ID, true)
    })
  }

  private sendOffers(): void {
    for (const ch of this.channels) {
      ch.offered = true
      const fill = (p: Uint8Array, v: DataView): void => {
        p.set(ch.vsp.typeGuid, 8)
        p.set(ch.vsp.instanceGuid, 24)
        p.set(ch.vsp.userData().subarray(0, 120), 60)
        v.setUint32(184, ch.relid, true)
        v.setUint32(192, ch.connectionId, true)
      }
      this.reply(ChannelMsg.offerChannel, OFFER_BYTES, fill, ch.relid)
    }
    this.reply(ChannelMsg.allOffersDelivered, HEADER_BYTES, () => {})
  }

  /**
   * OPENCHANNEL [R]: the "GPADL handle" is the guest page number of the rings, the downstream page
   * offset the size of each ring in pages. Refused: an unknown, unoffered, open or broken channel, a
   * ring size outside 2–64 pages, rings not in guest RAM.
   */
  private openChannel(payload: Uint8Array): void {
    const relid = u32(payload, 8)
    const openId = u32(payload, 12)
    const pfn = u32(payload, 16)
    const pages = u32(payload, 24)
    const ch = this.channels.find((c) => c.relid === relid)
    const ok =
      ch !== undefined &&
      ch.offered &&
      ch.state === 'closed' &&
      pages >= RING_MIN_PAGES &&
      pages <= RING_MAX_PAGES &&
      (pfn + 2 * pages) * 0x1000 <= this.mem.size
    if (ok) ch.open(pfn, pages)
    if (ch) this.notify({ kind: 'channel-open', relid, device: ch.device, ok })
    this.reply(
      ChannelMsg.openChannelResult,
      OPEN_RESULT_BYTES,
      (_p, v) => {
        v.setUint32(8, relid, true)
        v.setUint32(12, openId, true)
        v.setUint32(16, ok ? 0 : OPEN_REFUSED, true)
      },
      relid,
    )
    if (ok) ch.vsp.service(ch)
  }

  saveState(w: StateWriter): void {
    w.section('hyperv-vmbus')
    w.bool(this.connected)
    for (const ch of this.channels) {
      w.str(ch.state)
      w.bool(ch.offered)
      w.u32(ch.ringPfn)
      w.u32(ch.ringPages)
      ch.vsp.saveState(w)
    }
  }

  loadState(r: StateReader): void {
    r.section('hyperv-vmbus')
    this.connected = r.bool()
    for (const ch of this.channels) {
      const state = r.str()
      ch.offered = r.bool()
      const pfn = r.u32()
      const pages = r.u32()
      ch.outbound = ch.inbound = null
      ch.ringPfn = ch.ringPages = 0
      if (pages !== 0) ch.open(pfn, pages)
      ch.state = state === 'open' || state === 'broken' ? state : 'closed'
      ch.vsp.loadState(r)
    }
  }
}
