import { describe, expect, it } from 'vitest'
import { PhysicalMemory } from '../machine/memory'
import { WalkStep } from '../trace/schema'
import type { GuestPhys, GuestVirt, HostPhys } from '../types'
import { EPT_EXEC, EPT_READ, EPT_RWX, EptBuilder, EptMemType } from './ept'
import { twoDimensionalWalk, type GuestPagingState } from './two-dimensional-walk'

const MiB = 0x100000
const VM_BASE = 8 * MiB // guest-physical 0 is host-physical 8 MiB
const PG = 0x80000000
const PE = 1
const PSE = 1 << 4

/**
 * A guest with 32-bit paging (SDM Vol. 3A §4.3): page directory at GPA 0x1000, one page table at GPA
 * 0x2000; linear 0x00401234 → PDE 1 → PTE 1 → GPA 0x3234 (4 KiB page); linear 0x00812345 → PDE 2,
 * a 4 MiB page at GPA 0 → GPA 0x012345.
 */
function guest(mem: PhysicalMemory, base: number): GuestPagingState {
  mem.write32(base + 0x1000 + 1 * 4, 0x2000 | 0x3) // PDE 1: present, writable, → PT
  mem.write32(base + 0x1000 + 2 * 4, 0x0 | 0x83) // PDE 2: present, writable, PS
  mem.write32(base + 0x2000 + 1 * 4, 0x3000 | 0x3) // PTE 1 → GPA 0x3000
  return { cr0: PG | PE, cr3: 0x1000, cr4: PSE }
}

function vm(eptPage: 0x1000 | 0x200000, accessedDirty = false) {
  const mem = new PhysicalMemory(16 * MiB)
  const ept = new EptBuilder(mem, { base: (12 * MiB) as HostPhys, size: MiB }, { accessedDirty })
  ept.map(0 as GuestPhys, VM_BASE as HostPhys, 4 * MiB, EPT_RWX, EptMemType.WB, eptPage)
  return { mem, ept, regs: guest(mem, VM_BASE) }
}

/** EPT with one 1 GiB identity leaf (SDM Table 29-2), tables at 15 MiB. */
function vm1G() {
  const mem = new PhysicalMemory(16 * MiB)
  mem.write32(15 * MiB, (15 * MiB + 0x1000) | 7) // PML4E 0 → PDPT
  mem.write32(15 * MiB + 0x1000, 0x80 | (6 << 3) | 7) // PDPTE 0: 1 GiB page at 0, WB
  return { mem, eptp: (15 * MiB) | 0x1e, regs: guest(mem, 0) }
}

const LA_4K = 0x00401234 as GuestVirt
const LA_4M = 0x00812345 as GuestVirt

describe('two-dimensional walk: memory references for 32-bit guest paging over 4-level EPT', () => {
  // With g guest paging-structure reads, each preceded by an EPT walk of e references, plus the EPT
  // walk of the final guest-physical address: g × (e + 1) + e (SDM §29.3.2: the guest-physical
  // address of every guest paging-structure entry, and the final one, is translated through EPT).
  // g = 2 for a 4 KiB guest page (PDE, PTE), 1 for a 4 MiB page (PDE only); e = 4 through an EPT PTE,
  // 3 when an EPT PDE maps 2 MiB, 2 when an EPT PDPTE maps 1 GiB.

  it('4 KiB guest page over 4 KiB EPT pages: 2 × (4 + 1) + 4 = 14, in the processor’s order', () => {
    const { mem, ept, regs } = vm(0x1000)
    const w = twoDimensionalWalk(mem, ept.eptp, regs, LA_4K, 'read')
    expect(w.outcome).toBe('ok')
    expect(w.guestPhys).toBe(0x3234)
    expect(w.hostPhys).toBe(VM_BASE + 0x3234)
    expect(w.references.length).toBe(14)
    const E = WalkStep.Ept
    const G = WalkStep.Guest
    expect(w.references.map((r) => r.step)).toEqual([
      E | 4,
      E | 3,
      E | 2,
      E | 1,
      G | 2,
      E | 4,
      E | 3,
      E | 2,
      E | 1,
      G | 1,
      E | 4,
      E | 3,
      E | 2,
      E | 1,
    ])
    // Each EPT walk serves the guest-physical address read next: the PDE, the PTE, then the data.
    expect(w.references.map((r) => r.guestPhys)).toEqual([
      ...Array(5).fill(0x1004),
      ...Array(5).fill(0x2004),
      ...Array(4).fill(0x3234),
    ])
    expect(w.references[4]).toMatchObject({ stage: 'guest', hostPhys: VM_BASE + 0x1004, entry: 0x2003 })
    expect(w.references[9]).toMatchObject({ stage: 'guest', hostPhys: VM_BASE + 0x2004, entry: 0x3003 })
  })

  it('4 KiB guest page over 2 MiB EPT pages: 2 × (3 + 1) + 3 = 11', () => {
    const { mem, ept, regs } = vm(0x200000)
    const w = twoDimensionalWalk(mem, ept.eptp, regs, LA_4K, 'read')
    expect([w.outcome, w.hostPhys, w.references.length]).toEqual(['ok', VM_BASE + 0x3234, 11])
  })

  it('4 KiB guest page over a 1 GiB EPT page: 2 × (2 + 1) + 2 = 8', () => {
    const { mem, eptp, regs } = vm1G()
    const w = twoDimensionalWalk(mem, eptp, regs, LA_4K, 'read')
    expect([w.outcome, w.hostPhys, w.references.length]).toEqual(['ok', 0x3234, 8])
  })

  it('4 MiB guest page over 4 KiB EPT pages: 1 × (4 + 1) + 4 = 9', () => {
    const { mem, ept, regs } = vm(0x1000)
    const w = twoDimensionalWalk(mem, ept.eptp, regs, LA_4M, 'read')
    expect([w.outcome, w.guestPhys, w.hostPhys, w.references.length]).toEqual([
      'ok',
      0x12345,
      VM_BASE + 0x12345,
      9,
    ])
  })

  it('4 MiB guest page over 2 MiB EPT pages: 1 × (3 + 1) + 3 = 7', () => {
    const { mem, ept, regs } = vm(0x200000)
    expect(twoDimensionalWalk(mem, ept.eptp, regs, LA_4M, 'fetch').references.length).toBe(7)
  })

  it('4 MiB guest page over a 1 GiB EPT page: 1 × (2 + 1) + 2 = 5', () => {
    const { mem, eptp, regs } = vm1G()
    expect(twoDimensionalWalk(mem, eptp, regs, LA_4M, 'read').references.length).toBe(5)
  })

  it('with guest paging off only the final EPT walk remains: 4', () => {
    const { mem, ept } = vm(0x1000)
    const w = twoDimensionalWalk(mem, ept.eptp, { cr0: PE, cr3: 0, cr4: 0 }, 0x5678 as GuestVirt, 'read')
    expect([w.outcome, w.hostPhys, w.references.length]).toEqual(['ok', VM_BASE + 0x5678, 4])
  })
})

describe('two-dimensional walk: where it stops', () => {
  it('first touch of an unmapped page: EPT violation on the final address (read, linear valid, translation)', () => {
    const { mem, ept, regs } = vm(0x1000)
    ept.unmap(0x3000 as GuestPhys, 0x1000)
    const r = twoDimensionalWalk(mem, ept.eptp, regs, LA_4K, 'read')
    expect([r.outcome, r.guestPhys, r.code, r.references.length]).toEqual([
      'ept-violation',
      0x3234,
      0x181,
      14,
    ])
    expect(twoDimensionalWalk(mem, ept.eptp, regs, LA_4K, 'write').code).toBe(0x182)
  })

  it('an unmapped guest page table: EPT violation on the paging-structure access (bit 8 clear)', () => {
    const { mem, ept, regs } = vm(0x1000)
    ept.unmap(0x2000 as GuestPhys, 0x1000)
    const r = twoDimensionalWalk(mem, ept.eptp, regs, LA_4K, 'write')
    expect([r.outcome, r.guestPhys, r.code, r.references.length]).toEqual(['ept-violation', 0x2004, 0x81, 9])
  })

  it('with EPT A/D flags, a write-protected guest page directory violates even on a read (bits 0 and 1)', () => {
    const { mem, ept, regs } = vm(0x1000, true)
    ept.protect(0x1000 as GuestPhys, 0x1000, EPT_READ | EPT_EXEC)
    const r = twoDimensionalWalk(mem, ept.eptp, regs, LA_4K, 'read')
    expect([r.outcome, r.guestPhys, r.code]).toEqual(['ept-violation', 0x1004, 0xab])
  })

  it('a not-present guest PDE is a guest #PF, not an exit', () => {
    const { mem, ept, regs } = vm(0x1000)
    const r = twoDimensionalWalk(mem, ept.eptp, regs, 0x00c00000 as GuestVirt, 'write')
    expect([r.outcome, r.code, r.references.length]).toEqual(['guest-page-fault', 0x2, 5])
  })

  it('reserved bits in a 4 MiB PDE are a guest #PF with P and RSVD set', () => {
    const { mem, ept, regs } = vm(0x1000)
    mem.write32(VM_BASE + 0x1000 + 2 * 4, 0x2000 | 0x83) // bit 13 set in a 4 MiB PDE
    const r = twoDimensionalWalk(mem, ept.eptp, regs, LA_4M, 'read')
    expect([r.outcome, r.code]).toEqual(['guest-page-fault', 0x9])
  })

  it('MMIO marked the KVM way: EPT misconfiguration on the final address', () => {
    const { mem, ept, regs } = vm(0x1000)
    ept.markMmio(0x3000 as GuestPhys, 0x1000)
    const r = twoDimensionalWalk(mem, ept.eptp, regs, LA_4K, 'read')
    expect([r.outcome, r.guestPhys]).toEqual(['ept-misconfig', 0x3234])
  })

  it('inspects without setting accessed/dirty flags', () => {
    const { mem, ept, regs } = vm(0x1000, true)
    const before = mem.readBytes(12 * MiB, 0x10000)
    twoDimensionalWalk(mem, ept.eptp, regs, LA_4K, 'write')
    expect(mem.readBytes(12 * MiB, 0x10000)).toEqual(before)
  })
})
