// The host's view of a VMBus ring against an independent guest-side writer/reader written from Linux's
// ring_buffer.c (vmbus-test-guest.ts): packet framing, the trailer, wrap-around, the one free byte a
// full ring keeps, and malformed indices and descriptors reported, not thrown.
import { describe, expect, it } from 'vitest'
import { PhysicalMemory } from '../../machine/memory'
import { GuestRing } from './vmbus-test-guest'
import { VmbusRing, packetFootprint } from './vmbus-ring'

const BASE = 0x2000

function setup(pages = 2) {
  const mem = new PhysicalMemory(0x10000)
  return { mem, host: new VmbusRing(mem, BASE, pages), guest: new GuestRing(mem, BASE, pages) }
}

describe('VmbusRing', () => {
  it('reads what the guest wrote: descriptor fields, data, and consumes it with its trailer', () => {
    const { host, guest } = setup()
    guest.put(6, 1, 77, Uint8Array.of(1, 2, 3))
    const p = host.peek()
    if (typeof p === 'string') throw new Error(p)
    expect({ type: p.type, offset8: p.offset8, len8: p.len8, flags: p.flags, trans: p.transLo }).toEqual({
      type: 6,
      offset8: 2,
      len8: 3, // 16-byte descriptor + 3 bytes padded to 8
      flags: 1,
      trans: 77,
    })
    expect(Array.from(p.bytes.subarray(16, 19))).toEqual([1, 2, 3])
    host.consume(p)
    expect(guest.read).toBe(32) // 24 bytes of packet + 8 of trailer
    expect(host.peek()).toBe('empty')
  })

  it("writes packets the guest reads back, with the start offset in the trailer's upper half", () => {
    const { mem, host, guest } = setup()
    expect(host.write(11, 0, 5, 0, Uint8Array.of(9, 9, 9, 9, 9))).toBe(true)
    expect(host.write(6, 0, 6, 0, Uint8Array.of(1))).toBe(true)
    expect(guest.write).toBe(32 + 32)
    expect(mem.read32(BASE + 0x1000 + 32 + 28)).toBe(32) // second packet's trailer: it starts at 32
    expect(guest.takeAll()).toEqual([
      { type: 11, flags: 0, trans: 5, data: Uint8Array.of(9, 9, 9, 9, 9, 0, 0, 0) },
      { type: 6, flags: 0, trans: 6, data: Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0) },
    ])
  })

  it('wraps packets around the end of the data in both directions', () => {
    const { host, guest } = setup()
    guest.write = guest.read = 4096 - 16
    const data = Uint8Array.from({ length: 40 }, (_, i) => i + 1)
    guest.put(6, 0, 1, data)
    const p = host.peek()
    if (typeof p === 'string') throw new Error(p)
    expect(Array.from(p.bytes.subarray(16, 56))).toEqual(Array.from(data))
    host.consume(p)
    expect(guest.read).toBe((4096 - 16 + 64) % 4096)
    guest.write = guest.read = 4096 - 8
    host.write(6, 0, 2, 0, data)
    expect(guest.write).toBe(56)
    expect(guest.takeAll()[0].data.subarray(0, 40)).toEqual(data)
  })

  it('never fills the ring completely: a packet must leave a byte free', () => {
    const { host } = setup()
    const data = new Uint8Array(4096 - 16 - 8 - 8) // footprint 4088: fits
    expect(packetFootprint(data.length)).toBe(4088)
    expect(host.write(6, 0, 0, 0, data)).toBe(true)
    expect(host.free()).toBe(8)
    expect(host.write(6, 0, 0, 0, new Uint8Array(0))).toBe(false) // 24 bytes > 8 free
    const { host: h2 } = setup()
    expect(h2.write(6, 0, 0, 0, new Uint8Array(4096 - 24))).toBe(false) // exactly 4096: would look empty
  })

  it('reports impossible indices and descriptors as malformed', () => {
    const cases: [string, (g: GuestRing, mem: PhysicalMemory) => void][] = [
      ['index outside the data', (g) => (g.write = 8192)],
      ['unaligned index', (g) => (g.write = 12)],
      [
        'len8 below the descriptor',
        (g, mem) => (g.put(6, 0, 0, new Uint8Array(8)), mem.write16(BASE + 0x1000 + 4, 1)),
      ],
      [
        'offset8 beyond len8',
        (g, mem) => (g.put(6, 0, 0, new Uint8Array(8)), mem.write16(BASE + 0x1000 + 2, 9)),
      ],
      [
        'longer than the ring holds',
        (g, mem) => (g.put(6, 0, 0, new Uint8Array(8)), mem.write16(BASE + 0x1000 + 4, 40)),
      ],
    ]
    for (const [what, corrupt] of cases) {
      const { mem, host, guest } = setup()
      corrupt(guest, mem)
      expect(host.peek(), what).toBe('malformed')
    }
  })
})
