// Hypercall decoding and validation against the TLFS (hypercall-interface.md, HvCallPostMessage.md,
// HvCallSignalEvent.md): the input value's bit fields, the #UD cases, the HV_STATUS of each malformed
// input, and what reaches the ports.
import { describe, expect, it } from 'vitest'
import { PhysicalMemory } from '../../machine/memory'
import {
  HvStatus,
  decodeHypercallInput,
  performHypercall,
  type HypercallPorts,
  type HypercallRegs,
} from './hypercalls'

const mem = new PhysicalMemory(0x20000)

function ports() {
  const calls: unknown[][] = []
  const p: HypercallPorts = {
    postMessage: (c, t, payload) => (calls.push(['post', c, t, Array.from(payload)]), HvStatus.success),
    signalEvent: (c, f) => (calls.push(['signal', c, f]), HvStatus.success),
  }
  return { p, calls }
}

const regs = (r: Partial<HypercallRegs>): HypercallRegs => ({
  eax: 0,
  ebx: 0,
  ecx: 0,
  edx: 0,
  esi: 0,
  edi: 0,
  ...r,
})

function postBlock(
  at: number,
  fields: { conn?: number; rsvd?: number; type?: number; size?: number; payload?: number[] },
) {
  const b = new Uint8Array(256)
  const v = new DataView(b.buffer)
  v.setUint32(0, fields.conn ?? 1, true)
  v.setUint32(4, fields.rsvd ?? 0, true)
  v.setUint32(8, fields.type ?? 1, true)
  v.setUint32(12, fields.size ?? fields.payload?.length ?? 0, true)
  b.set(fields.payload ?? [], 16)
  mem.writeBytes(at, b)
}

function status(r: HypercallRegs, cpl = 0, enabled = true) {
  const out = performHypercall(r, cpl, enabled, mem, ports().p)
  return out.kind === 'done' ? out.status : out.reason
}

describe('hypercall input value', () => {
  it('splits EDX:EAX into the TLFS fields', () => {
    // code 0x005D, fast, var header 5; rep count 10 (bits 43:32), rep start 3 (bits 59:48).
    const d = decodeHypercallInput(0x005d | (1 << 16) | (5 << 17), 10 | (3 << 16))
    expect(d).toEqual({
      code: 0x5d,
      fast: true,
      varHeaderSize: 5,
      repCount: 10,
      repStart: 3,
      reservedBits: false,
    })
    expect(decodeHypercallInput(1 << 27, 0).reservedBits).toBe(true) // bit 27
    expect(decodeHypercallInput(0, 1 << 12).reservedBits).toBe(true) // bit 44
    expect(decodeHypercallInput(0, 1 << 28).reservedBits).toBe(true) // bit 60
  })
})

describe('performHypercall', () => {
  it('gives #UD to CPL > 0 and to a guest without the hypercall page', () => {
    expect(status(regs({ eax: 0x1005d, ecx: 0x11 }), 3)).toBe('cpl')
    expect(status(regs({ eax: 0x1005d, ecx: 0x11 }), 0, false)).toBe('disabled')
  })

  it('refuses reserved bits, rep counts and unknown codes', () => {
    expect(status(regs({ eax: 0x1005d | (1 << 30) }))).toBe(HvStatus.invalidHypercallInput)
    expect(status(regs({ eax: 0x1005d, edx: 1 }))).toBe(HvStatus.invalidHypercallInput)
    expect(status(regs({ eax: 0x0001 }))).toBe(HvStatus.invalidHypercallCode)
    expect(status(regs({ eax: 0x1005c, ecx: 0x1000 }))).toBe(HvStatus.invalidHypercallCode) // PostMessage has no fast form
  })

  it('checks the PostMessage input block: alignment, page crossing, RAM, RsvdZ, size, type', () => {
    postBlock(0x1000, { payload: [1, 2, 3] })
    expect(status(regs({ eax: 0x5c, ecx: 0x1004 }))).toBe(HvStatus.invalidAlignment)
    expect(status(regs({ eax: 0x5c, ecx: 0x1f08 }))).toBe(HvStatus.invalidAlignment) // 256 bytes cross into the next page
    expect(status(regs({ eax: 0x5c, ecx: 0x20000 }))).toBe(HvStatus.invalidParameter)
    expect(status(regs({ eax: 0x5c, ebx: 1, ecx: 0x1000 }))).toBe(HvStatus.invalidParameter) // above 4 GiB
    postBlock(0x1000, { rsvd: 1 })
    expect(status(regs({ eax: 0x5c, ecx: 0x1000 }))).toBe(HvStatus.invalidHypercallInput)
    postBlock(0x1000, { size: 241 })
    expect(status(regs({ eax: 0x5c, ecx: 0x1000 }))).toBe(HvStatus.invalidParameter)
    postBlock(0x1000, { type: 0 })
    expect(status(regs({ eax: 0x5c, ecx: 0x1000 }))).toBe(HvStatus.invalidParameter)
    postBlock(0x1000, { type: 0x80000010 })
    expect(status(regs({ eax: 0x5c, ecx: 0x1000 }))).toBe(HvStatus.invalidParameter)
  })

  it('hands a well-formed message to the port and returns its status in EAX, EDX 0', () => {
    const { p, calls } = ports()
    postBlock(0x1000, { conn: 7, type: 9, payload: [0xaa, 0xbb, 0xcc] })
    const out = performHypercall(regs({ eax: 0x5c, ecx: 0x1000 }), 0, true, mem, p)
    expect(out).toMatchObject({ kind: 'done', status: 0, eax: 0, edx: 0 })
    expect(calls).toEqual([['post', 7, 9, [0xaa, 0xbb, 0xcc]]])
  })

  it('takes SignalEvent in registers (fast) or from memory', () => {
    const { p, calls } = ports()
    performHypercall(regs({ eax: 0x1005d, ecx: 0x12, ebx: 0 }), 0, true, mem, p)
    mem.write32(0x1800, 0x11)
    mem.write32(0x1804, 0)
    performHypercall(regs({ eax: 0x5d, ecx: 0x1800 }), 0, true, mem, p)
    expect(calls).toEqual([
      ['signal', 0x12, 0],
      ['signal', 0x11, 0],
    ])
    // Bits 63:48 (EBX 31:16) are RsvdZ.
    expect(status(regs({ eax: 0x1005d, ecx: 0x12, ebx: 0x10000 }))).toBe(HvStatus.invalidHypercallInput)
  })
})
