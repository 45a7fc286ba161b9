// The root's VMBus and its two VSPs, driven by a test guest (vmbus-test-guest.ts) through the
// partition's hypercall and MSR entry points as ringos drives them: the channel-message protocol
// (Linux include/linux/hyperv.h layouts), ring signalling rules (one signal per batch, interrupt_mask,
// pending_send_sz), console and disk I/O, and malformed guest input answered, never thrown.
import { describe, expect, it } from 'vitest'
import { PhysicalMemory } from '../../machine/memory'
import { utf8Decode } from '../../util/utf8'
import { HypervPartition, type HvNotice } from './enlightenments'
import { HvStatus } from './hypercalls'
import { ChannelMsg, OPEN_REFUSED, guidBytes } from './vmbus'
import {
  GuestPages,
  GuestRing,
  PAGE,
  channelMessage,
  enlighten,
  postMessage,
  readSlot,
  signalEvent,
  takeSlot,
  textPacket,
} from './vmbus-test-guest'

const RING_PAGES = 2
const CONSOLE_CONN = 0x11
const STORAGE_CONN = 0x12

function boot(disk: Uint8Array | null = null) {
  const mem = new PhysicalMemory(0x100000)
  const part = new HypervPartition({ mem, disk, createdAt: 0 })
  const printed: string[] = []
  part.onConsoleOutput = (b) => printed.push(utf8Decode(b))
  enlighten(part)
  return { mem, part, printed }
}

type Booted = ReturnType<typeof boot>

/** INITIATE_CONTACT for `version`, then REQUESTOFFERS; returns the messages the root sent, in order. */
function connect({ mem, part }: Booted, version = 0x40000) {
  const got = []
  postMessage(part, mem, channelMessage(ChannelMsg.initiateContact, version, 0, 0, 0, 0, 0, 0, 0))
  got.push(takeSlot(part, mem, 2))
  postMessage(part, mem, channelMessage(ChannelMsg.requestOffers))
  while (readSlot(mem, 2).type !== 0) got.push(takeSlot(part, mem, 2))
  return got
}

function open({ mem, part }: Booted, relid: number, base: number, pages = RING_PAGES) {
  postMessage(part, mem, channelMessage(ChannelMsg.openChannel, relid, 100 + relid, base / PAGE, 0, pages))
  const result = takeSlot(part, mem, 2)
  return u32view(result.payload, 16)
}

function u32view(b: Uint8Array, at: number): number {
  return new DataView(b.buffer, b.byteOffset).getUint32(at, true)
}

function rings(b: Booted, base: number) {
  return {
    out: new GuestRing(b.mem, base, RING_PAGES),
    in: new GuestRing(b.mem, base + RING_PAGES * PAGE, RING_PAGES),
  }
}

const kinds = (ns: readonly HvNotice[]) => ns.map((n) => n.kind)

describe('VMBus channel management', () => {
  it('answers contact with VERSION_RESPONSE, then offers console and storage and ALLOFFERS_DELIVERED, queued behind EOM', () => {
    const disk = new Uint8Array(1024 * 512)
    const b = boot(disk)
    const msgs = connect(b)
    expect(msgs.map((m) => [m.type, u32view(m.payload, 0)])).toEqual([
      [1, ChannelMsg.versionResponse],
      [1, ChannelMsg.offerChannel],
      [1, ChannelMsg.offerChannel],
      [1, ChannelMsg.allOffersDelivered],
    ])
    const [version, consoleOffer, storageOffer] = msgs
    expect(version.payload[8]).toBe(1) // version_supported
    expect(u32view(version.payload, 12)).toBe(1) // msg_conn_id
    expect(version.origin).toBe(1)
    // Each later message waited behind the busy slot, flagged MessagePending.
    expect(msgs.slice(1, 3).map((m) => m.pending)).toEqual([true, true])
    expect(consoleOffer.size).toBe(196)
    // GUID 5249474e-0001-4e43-8e4f-52494e47534f in Microsoft's byte order.
    expect(Array.from(consoleOffer.payload.subarray(8, 24))).toEqual([
      0x4e, 0x47, 0x49, 0x52, 0x01, 0x00, 0x43, 0x4e, 0x8e, 0x4f, 0x52, 0x49, 0x4e, 0x47, 0x53, 0x4f,
    ])
    expect(Array.from(consoleOffer.payload.subarray(8, 24))).toEqual(
      Array.from(guidBytes('5249474e-0001-4e43-8e4f-52494e47534f')),
    )
    expect([u32view(consoleOffer.payload, 184), u32view(consoleOffer.payload, 192)]).toEqual([
      1,
      CONSOLE_CONN,
    ])
    expect([u32view(storageOffer.payload, 184), u32view(storageOffer.payload, 192)]).toEqual([
      2,
      STORAGE_CONN,
    ])
    expect(u32view(storageOffer.payload, 60)).toBe(1024) // capacity in sectors, user data @60
  })

  it('refuses any version but 4.0, and then ignores REQUESTOFFERS', () => {
    const b = boot()
    const msgs = connect(b, 0x30000)
    expect(msgs.length).toBe(1)
    expect(msgs[0].payload[8]).toBe(0)
  })

  it('refuses opens of unknown, unoffered or open channels and of bad rings', () => {
    const b = boot()
    expect(open(b, 1, GuestPages.consoleRings)).toBe(OPEN_REFUSED) // not offered yet
    connect(b)
    expect(open(b, 9, GuestPages.consoleRings)).toBe(OPEN_REFUSED)
    expect(open(b, 1, GuestPages.consoleRings, 1)).toBe(OPEN_REFUSED) // a ring needs a data page
    expect(open(b, 1, GuestPages.consoleRings, 65)).toBe(OPEN_REFUSED)
    expect(open(b, 1, 0xfe000)).toBe(OPEN_REFUSED) // runs past the end of RAM
    expect(open(b, 1, GuestPages.consoleRings)).toBe(0)
    expect(open(b, 1, GuestPages.consoleRings)).toBe(OPEN_REFUSED) // already open
  })

  it('refuses bad posts and signals with the TLFS statuses', () => {
    const b = boot()
    const status = (r: ReturnType<typeof postMessage>) => (r.kind === 'done' ? r.status : r.kind)
    expect(status(postMessage(b.part, b.mem, channelMessage(3), 2))).toBe(HvStatus.invalidConnectionId)
    expect(status(postMessage(b.part, b.mem, channelMessage(3), 1, 2))).toBe(HvStatus.invalidHypercallInput)
    expect(status(postMessage(b.part, b.mem, new Uint8Array(4)))).toBe(HvStatus.invalidHypercallInput)
    expect(status(signalEvent(b.part, 0x99))).toBe(HvStatus.invalidConnectionId)
    expect(status(signalEvent(b.part, CONSOLE_CONN, 1))).toBe(HvStatus.invalidParameter)
    // Nobody empties SINT2's slot: once 16 answers wait, posts are refused until there is room.
    const contact = channelMessage(ChannelMsg.initiateContact, 0x40000, 0, 0, 0, 0, 0, 0, 0)
    for (let i = 0; i < 17; i++) expect(status(postMessage(b.part, b.mem, contact))).toBe(HvStatus.success)
    expect(status(postMessage(b.part, b.mem, contact))).toBe(HvStatus.insufficientBuffers)
  })
})

describe('console channel', () => {
  function openConsole() {
    const b = boot()
    connect(b)
    expect(open(b, 1, GuestPages.consoleRings)).toBe(0)
    return { ...b, ...rings(b, GuestPages.consoleRings) }
  }

  it('outputs every packet of a batch on one signal, and leaves the ring empty and unmasked', () => {
    const c = openConsole()
    expect(c.out.put(6, 0, 0, textPacket('hello, '))).toBe(true) // empty → non-empty: signal
    expect(c.out.put(6, 0, 0, textPacket('world'))).toBe(false)
    expect(c.out.put(6, 0, 0, textPacket('\n'))).toBe(false)
    const r = signalEvent(c.part, CONSOLE_CONN)
    expect(r.kind === 'done' && r.status).toBe(0)
    expect(c.printed).toEqual(['hello, ', 'world', '\n'])
    expect(c.out.read).toBe(c.out.write)
    expect(c.out.mask).toBe(0)
    expect(r.kind === 'done' && kinds(r.notices)).toEqual([
      'guest-signal',
      'console-output',
      'console-output',
      'console-output',
    ])
  })

  it('skips a packet that is not console text and carries on', () => {
    const c = openConsole()
    c.out.put(9, 0, 0, textPacket('x'))
    c.out.put(6, 0, 0, Uint8Array.of(200, 0, 0, 0, 0, 0, 0, 0, 65)) // claims 200 bytes, holds 8
    c.out.put(6, 0, 0, textPacket('ok'))
    const r = signalEvent(c.part, CONSOLE_CONN)
    expect(c.printed).toEqual(['ok'])
    expect(r.kind === 'done' && kinds(r.notices).filter((k) => k === 'packet-ignored').length).toBe(2)
  })

  it('puts keystrokes into the inbound ring and signals only when it went empty → non-empty and unmasked', () => {
    const c = openConsole()
    const first = c.part.consoleInput(Uint8Array.from([108, 115, 10]))
    expect(kinds(first)).toEqual(['console-input', 'host-signal', 'event-flag', 'interrupt'])
    expect(first.at(-1)).toEqual({ kind: 'interrupt', cause: 'sint', sint: 2, vector: 34, autoEoi: true })
    expect(c.mem.read8(GuestPages.siefp + 2 * 256) & 0b10).toBe(0b10) // flag relid 1 of SINT2
    expect(kinds(c.part.consoleInput(Uint8Array.of(1)))).toEqual(['console-input']) // ring not empty: no signal
    expect(c.in.takeAll().map((p) => Array.from(p.data.subarray(8, 8 + u32view(p.data, 0))))).toEqual([
      [108, 115, 10],
      [1],
    ])
    c.in.mask = 1 // the guest is draining: no signal either
    expect(kinds(c.part.consoleInput(Uint8Array.of(2)))).toEqual(['console-input'])
  })

  it('loses no keystroke when the input is larger than the ring', () => {
    const c = openConsole()
    const input = Uint8Array.from({ length: 20_000 }, (_, i) => 32 + (i % 90))
    c.part.consoleInput(input)
    expect(c.part.pendingConsoleInput).toBeGreaterThan(0)
    const got: number[] = []
    for (let round = 0; round < 200 && got.length < input.length; round++) {
      for (const p of c.in.takeAll()) got.push(...p.data.subarray(8, 8 + u32view(p.data, 0)))
      // As the guest's reader does: the writer waits for pending_send_sz bytes, which are now free.
      if (c.in.pending !== 0) signalEvent(c.part, CONSOLE_CONN)
    }
    expect(got).toEqual(Array.from(input))
    expect(c.in.pending).toBe(0)
  })

  it('delivers keystrokes typed before the channel was open once it opens', () => {
    const b = boot()
    b.part.consoleInput(Uint8Array.of(104, 105))
    connect(b)
    open(b, 1, GuestPages.consoleRings)
    const r = rings(b, GuestPages.consoleRings)
    expect(r.in.takeAll().map((p) => Array.from(p.data.subarray(8, 10)))).toEqual([[104, 105]])
  })
})

describe('storage channel', () => {
  const SECTOR = 512
  function openStorage() {
    const disk = Uint8Array.from({ length: 64 * SECTOR }, (_, i) => (i * 7 + (i >> 9)) & 0xff)
    const b = boot(disk)
    connect(b)
    expect(open(b, 2, GuestPages.storageRings)).toBe(0)
    return { ...b, disk, ...rings(b, GuestPages.storageRings) }
  }

  /** A GPA_DIRECT request packet's data (after the descriptor) and its offset8, per docs/hyperv-abi.md. */
  function request(op: number, lba: number, sectors: number, gpa: number, byteCount = sectors * SECTOR) {
    const pages = Math.ceil(((gpa & 0xfff) + byteCount) / PAGE)
    const b = new Uint8Array(8 + 8 + 8 * pages + 16)
    const v = new DataView(b.buffer)
    v.setUint32(4, 1, true) // range count
    v.setUint32(8, byteCount, true)
    v.setUint32(12, gpa & 0xfff, true)
    for (let i = 0; i < pages; i++) v.setUint32(16 + 8 * i, (gpa >>> 12) + i, true)
    const req = 16 + 8 * pages
    v.setUint32(req, op, true)
    v.setUint32(req + 4, sectors, true)
    v.setUint32(req + 8, lba, true)
    return b
  }

  /** Writes a request with offset8 pointing at its request fields (put() always writes offset8 = 2). */
  function put(ring: GuestRing, trans: number, data: Uint8Array): boolean | null {
    const signal = ring.put(9, 1, trans, data)
    const start = (ring.write - (16 + ((data.length + 7) & ~7) + 8) + ring.size) % ring.size
    ring.mem.write16(ring.base + PAGE + start + 2, (16 + data.length - 16) / 8)
    return signal
  }

  const completions = (r: GuestRing) =>
    r
      .takeAll()
      .map((p) => ({ type: p.type, trans: p.trans, status: u32view(p.data, 0), sectors: u32view(p.data, 4) }))

  it('reads sectors into a buffer that crosses a page boundary and completes with the transaction id', () => {
    const s = openStorage()
    const gpa = GuestPages.buffers + 0xf00
    put(s.out, 41, request(1, 3, 2, gpa))
    signalEvent(s.part, STORAGE_CONN)
    expect(completions(s.in)).toEqual([{ type: 11, trans: 41, status: 0, sectors: 2 }])
    expect(s.mem.readBytes(gpa, 2 * SECTOR)).toEqual(s.disk.subarray(3 * SECTOR, 5 * SECTOR))
  })

  it('writes guest memory to the disk', () => {
    const s = openStorage()
    const data = Uint8Array.from({ length: SECTOR }, (_, i) => 255 - (i & 0xff))
    s.mem.writeBytes(GuestPages.buffers, data)
    put(s.out, 7, request(2, 10, 1, GuestPages.buffers))
    signalEvent(s.part, STORAGE_CONN)
    expect(completions(s.in)[0].status).toBe(0)
    expect(s.disk.subarray(10 * SECTOR, 11 * SECTOR)).toEqual(data)
  })

  it('answers bad requests with their status instead of doing them', () => {
    const s = openStorage()
    put(s.out, 1, request(1, 63, 2, GuestPages.buffers)) // sector 64 is past the end
    put(s.out, 2, request(1, 0, 1, 0xfff00)) // the buffer's second page is past the end of RAM
    put(s.out, 3, request(5, 0, 1, GuestPages.buffers)) // no such operation
    put(s.out, 4, request(1, 0, 2, GuestPages.buffers, 512)) // byte count ≠ sectors × 512
    signalEvent(s.part, STORAGE_CONN)
    expect(completions(s.in).map((c) => [c.trans, c.status, c.sectors])).toEqual([
      [1, 2, 0],
      [2, 3, 0],
      [3, 1, 0],
      [4, 1, 0],
    ])
  })

  it('serves a batch on one guest signal and signals the guest once', () => {
    const s = openStorage()
    expect(put(s.out, 1, request(1, 0, 1, GuestPages.buffers))).toBe(true)
    expect(put(s.out, 2, request(1, 1, 1, GuestPages.buffers + SECTOR))).toBe(false)
    const r = signalEvent(s.part, STORAGE_CONN)
    const ns = r.kind === 'done' ? r.notices : []
    expect(kinds(ns).filter((k) => k === 'disk').length).toBe(2)
    expect(kinds(ns).filter((k) => k === 'host-signal').length).toBe(1)
    expect(completions(s.in).map((c) => c.trans)).toEqual([1, 2])
  })

  it("waits for room in the inbound ring, with pending_send_sz, and resumes on the guest's signal", () => {
    const s = openStorage()
    s.in.write = 0
    s.in.read = 32 // 32 bytes free: a 32-byte completion would fill the ring
    put(s.out, 5, request(1, 0, 1, GuestPages.buffers))
    signalEvent(s.part, STORAGE_CONN)
    expect(s.in.pending).toBe(33)
    expect(s.out.read).not.toBe(s.out.write) // the request is still in the ring
    s.in.read = s.in.write // the guest consumed what was there
    signalEvent(s.part, STORAGE_CONN)
    expect(completions(s.in).map((c) => c.trans)).toEqual([5])
    expect(s.in.pending).toBe(0)
  })

  it('stops serving a ring with a malformed descriptor, without throwing', () => {
    const s = openStorage()
    put(s.out, 1, request(1, 0, 1, GuestPages.buffers))
    s.mem.write16(s.out.base + PAGE + 4, 0xffff) // len8 far beyond the ring
    const r = signalEvent(s.part, STORAGE_CONN)
    expect(r.kind === 'done' && kinds(r.notices)).toEqual(['guest-signal', 'channel-broken'])
    const again = signalEvent(s.part, STORAGE_CONN)
    expect(again.kind === 'done' && kinds(again.notices)).toEqual(['guest-signal'])
  })
})
