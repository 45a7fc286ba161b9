// The SynIC against the TLFS (inter-partition-communication.md, datatypes/hv_message.md): SINT
// register rules, the message slot protocol with MessagePending and EOM, event flags, masking, and
// snapshots. Expected layouts are the TLFS's byte offsets.
import { describe, expect, it } from 'vitest'
import { PhysicalMemory } from '../../machine/memory'
import { StateReader, StateWriter } from '../../snapshot'
import { SINT_MASKED, SINT_QUEUE_LIMIT, Synic, type SynicNotice } from './synic'

const SIMP = 0x3000
const SIEFP = 0x4000

function setup(enable = true) {
  const mem = new PhysicalMemory(0x10000)
  const notices: SynicNotice[] = []
  const s = new Synic(mem, (n) => notices.push(n))
  if (enable) {
    s.writePage('simp', SIMP | 1, 0)
    s.writePage('siefp', SIEFP | 1, 0)
    s.writeScontrol(1)
    s.writeSint(2, 34 | (1 << 17))
  }
  const interrupts = () =>
    notices.filter((n) => n.kind === 'interrupt').map((n) => (n.kind === 'interrupt' ? n.vector : -1))
  return { mem, s, notices, interrupts }
}

const msg = (type: number, ...payload: number[]) => ({
  type,
  payload: Uint8Array.from(payload),
  origin: 0x1234,
})

describe('SynIC', () => {
  it('SINTs start masked; an unmasked vector below 16 is refused (#GP)', () => {
    const { s } = setup(false)
    expect(Array.from(s.sints)).toEqual(new Array(16).fill(SINT_MASKED))
    expect(s.writeSint(3, 15)).toBe(false)
    expect(s.writeSint(3, 15 | SINT_MASKED)).toBe(true)
    expect(s.writeSint(3, 16)).toBe(true)
    expect(s.sints[3]).toBe(16)
  })

  it('refuses a message or event-flags page outside guest RAM', () => {
    const { s } = setup(false)
    expect(s.writePage('simp', 0x10000 | 1, 0)).toBe(false)
    expect(s.writePage('siefp', 0x1000 | 1, 1)).toBe(false)
    expect(s.writePage('simp', 0xfffff001, 0)).toBe(false) // bit 31 set: far above RAM, not a negative address
    expect(s.writePage('simp', 0xf000 | 1, 0)).toBe(true)
  })

  it('writes a message into the free slot, type last, and raises the SINT', () => {
    const { mem, s, interrupts } = setup()
    expect(s.post(2, msg(1, 9, 8, 7))).toBe('delivered')
    const slot = SIMP + 2 * 256
    expect(mem.read32(slot)).toBe(1) // MessageType
    expect(mem.read8(slot + 4)).toBe(3) // PayloadSize
    expect(mem.read8(slot + 5)).toBe(0) // MessageFlags: nothing pending
    expect(mem.read32(slot + 8)).toBe(0x1234) // OriginationId
    expect(Array.from(mem.readBytes(slot + 16, 3))).toEqual([9, 8, 7])
    expect(interrupts()).toEqual([34])
  })

  it('queues behind a busy slot with MessagePending, and delivers the next one on EOM', () => {
    const { mem, s, interrupts } = setup()
    const slot = SIMP + 2 * 256
    s.post(2, msg(1, 1))
    expect(s.post(2, msg(1, 2))).toBe('queued')
    expect(s.post(2, msg(1, 3))).toBe('queued')
    expect(mem.read8(slot + 5) & 1).toBe(1)
    // EOM before the guest emptied the slot changes nothing.
    s.endOfMessage()
    expect(mem.read8(slot + 16)).toBe(1)
    // The guest empties the slot, sees MessagePending, writes EOM: message 2 arrives, still pending (3 waits).
    mem.write32(slot, 0)
    s.endOfMessage()
    expect(mem.read8(slot + 16)).toBe(2)
    expect(mem.read8(slot + 5) & 1).toBe(1)
    mem.write32(slot, 0)
    s.endOfMessage()
    expect(mem.read8(slot + 16)).toBe(3)
    expect(mem.read8(slot + 5) & 1).toBe(0)
    expect(interrupts()).toEqual([34, 34, 34])
    expect(s.queued(2)).toBe(0)
  })

  it('bounds each SINT queue', () => {
    const { s } = setup()
    s.post(2, msg(1))
    for (let i = 0; i < SINT_QUEUE_LIMIT; i++) expect(s.post(2, msg(1))).toBe('queued')
    expect(s.post(2, msg(1))).toBe('full')
  })

  it('delivers but does not interrupt while the SINT is masked or the SynIC disabled', () => {
    const { mem, s, interrupts } = setup()
    s.writeSint(2, 34 | SINT_MASKED)
    s.post(2, msg(1, 5))
    expect(mem.read32(SIMP + 512)).toBe(1)
    mem.write32(SIMP + 512, 0)
    s.writeSint(2, 34)
    s.writeScontrol(0)
    s.post(2, msg(1, 6))
    expect(mem.read8(SIMP + 512 + 16)).toBe(6)
    expect(interrupts()).toEqual([])
  })

  it('holds messages until the message page is enabled', () => {
    const { mem, s } = setup(false)
    s.writeScontrol(1)
    expect(s.post(5, msg(1, 42))).toBe('queued')
    s.writePage('simp', SIMP | 1, 0)
    expect(mem.read8(SIMP + 5 * 256 + 16)).toBe(42)
  })

  it("sets event flags in the SINT's 256-byte area; only a clear flag raises the SINT", () => {
    const { mem, s, interrupts } = setup()
    expect(s.setEventFlag(2, 1)).toBe(true)
    expect(mem.read8(SIEFP + 512)).toBe(0b10) // flag 1 of SINT2's area
    expect(s.setEventFlag(2, 1)).toBe(false)
    expect(s.setEventFlag(2, 10)).toBe(true)
    expect(mem.read8(SIEFP + 512 + 1)).toBe(0b100)
    mem.write8(SIEFP + 512, 0)
    expect(s.setEventFlag(2, 1)).toBe(true)
    expect(interrupts()).toEqual([34, 34, 34])
  })

  it('drops event flags while the event-flags page is disabled', () => {
    const { mem, s, interrupts } = setup()
    s.writePage('siefp', SIEFP, 0)
    expect(s.setEventFlag(2, 1)).toBe(false)
    expect(mem.read8(SIEFP + 512)).toBe(0)
    expect(interrupts()).toEqual([])
  })

  it('keeps queued messages across a snapshot', () => {
    const a = setup()
    a.s.post(2, msg(1, 1))
    a.s.post(2, msg(1, 2, 2))
    const w = new StateWriter()
    a.s.saveState(w)
    const b = setup(false)
    b.mem.u8.set(a.mem.u8)
    b.s.loadState(new StateReader(w.finish()))
    expect(b.s.sints[2]).toBe(34 | (1 << 17))
    b.mem.write32(SIMP + 512, 0)
    b.s.endOfMessage()
    expect(Array.from(b.mem.readBytes(SIMP + 512 + 16, 2))).toEqual([2, 2])
  })
})
