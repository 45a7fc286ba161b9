// Xen's direct-paging rules (xen/arch/x86/mm.c; Barham et al. §3.3.1) as Ringside's PageTypes applies
// them: ownership, the writable/page-table exclusion, Xen's private L2 slots, validation on first use
// and devalidation on last reference, and check_descriptor for GDT frames. Entries are written as a
// guest would (machine frame | flags); every refusal must be -EINVAL and leave memory unchanged.
import { beforeEach, describe, expect, it } from 'vitest'
import { PhysicalMemory } from '../../machine/memory'
import { Errno, MmuCmd } from './abi'
import { checkDescriptor, PageType, PageTypes } from './page-types'

const P = 1
const RW = 2
const PS = 0x80
const EINVAL = -Errno.EINVAL
const DOM = 1
const OTHER = 2
const PERDOMAIN_L1 = 0x7000

describe('PageTypes (Xen PV page-table validation)', () => {
  let mem: PhysicalMemory
  let t: PageTypes
  const entry = (mfn: number, slot: number) => (mfn << 12) + slot * 4
  const update = (mfn: number, slot: number, val: number) =>
    t.mmuUpdate(DOM, entry(mfn, slot) | MmuCmd.NORMAL_PT_UPDATE, val)

  beforeEach(() => {
    mem = new PhysicalMemory(4 << 20)
    t = new PageTypes(mem, () => PERDOMAIN_L1)
    t.assign(DOM, 0x100, 0x100) // frames 0x100-0x1ff: the domain's memory
    t.assign(OTHER, 0x200, 0x10)
  })

  it('refuses a writable mapping of a page-table frame, and accepts a read-only one', () => {
    expect(t.pin(DOM, 0x110, PageType.L1)).toBe(0)
    expect(t.pin(DOM, 0x111, PageType.L1)).toBe(0)
    expect(update(0x111, 5, (0x110 << 12) | P | RW)).toBe(EINVAL)
    expect(t.lastError).toMatch(/writable mapping of machine frame 0x110, a L1 page table/)
    expect(mem.read32(entry(0x111, 5))).toBe(0)
    expect(update(0x111, 5, (0x110 << 12) | P)).toBe(0)
    expect(mem.read32(entry(0x111, 5))).toBe((0x110 << 12) | P)
  })

  it('refuses to make a writable-mapped frame a page table until the mapping goes', () => {
    expect(t.pin(DOM, 0x111, PageType.L1)).toBe(0)
    expect(update(0x111, 0, (0x120 << 12) | P | RW)).toBe(0)
    expect(t.writeCount[0x120]).toBe(1)
    expect(t.pin(DOM, 0x120, PageType.L1)).toBe(EINVAL)
    expect(update(0x111, 0, 0)).toBe(0)
    expect(t.writeCount[0x120]).toBe(0)
    expect(t.pin(DOM, 0x120, PageType.L1)).toBe(0)
  })

  it("lets an L1 entry map only the domain's own frames, and refuses PAT/global bits", () => {
    expect(t.pin(DOM, 0x111, PageType.L1)).toBe(0)
    expect(update(0x111, 0, (0x200 << 12) | P)).toBe(EINVAL)
    expect(update(0x111, 0, (0x300 << 12) | P)).toBe(EINVAL)
    expect(update(0x111, 0, (0x130 << 12) | P | 0x100)).toBe(EINVAL)
    expect(update(0x111, 0, (0x130 << 12) | P | PS)).toBe(EINVAL)
    expect(mem.read32(entry(0x111, 0))).toBe(0)
    // A not-present entry may hold anything: it maps nothing.
    expect(update(0x111, 0, 0xdead0000)).toBe(0)
  })

  it('refuses updates to frames the domain does not own, and unknown commands', () => {
    expect(t.mmuUpdate(DOM, entry(0x200, 0), 0)).toBe(EINVAL)
    expect(t.mmuUpdate(DOM, entry(0x111, 0) | 3, 0)).toBe(-Errno.ENOSYS)
  })

  it("validating a directory takes type references on its tables and writes Xen's own slots", () => {
    expect(update(0x140, 0, (0x141 << 12) | P | RW)).toBe(0) // plain memory: written as is
    expect(t.pin(DOM, 0x140, PageType.L2)).toBe(0)
    expect(t.type[0x141]).toBe(PageType.L1)
    expect(t.typeCount[0x141]).toBe(1)
    // Slot 1008 (0xFC000000) maps the M2P table, slot 1009 the per-domain area; both supervisor-only.
    expect(mem.read32(entry(0x140, 1008))).toBe(0x3000 | 0x23)
    expect(mem.read32(entry(0x140, 1009))).toBe(PERDOMAIN_L1 | 0x23)
  })

  it("keeps the guest out of Xen's L2 slots and refuses 4 MiB pages and foreign tables", () => {
    expect(t.pin(DOM, 0x140, PageType.L2)).toBe(0)
    expect(update(0x140, 1008, (0x141 << 12) | P)).toBe(EINVAL)
    expect(update(0x140, 1023, 0)).toBe(EINVAL)
    expect(update(0x140, 3, (0x141 << 12) | P | PS)).toBe(EINVAL)
    expect(update(0x140, 3, (0x200 << 12) | P)).toBe(EINVAL)
    expect(update(0x140, 3, (0x141 << 12) | P | RW)).toBe(0)
  })

  it('a table that maps itself writable fails validation', () => {
    mem.write32(entry(0x150, 7), (0x150 << 12) | P | RW)
    expect(t.pin(DOM, 0x150, PageType.L1)).toBe(EINVAL)
    expect(t.type[0x150]).toBe(PageType.None)
    expect(t.writeCount[0x150]).toBe(0)
  })

  it('a frame has one type at a time; unpinning the last reference devalidates, down through its tables', () => {
    expect(update(0x140, 0, (0x141 << 12) | P)).toBe(0)
    expect(update(0x141, 0, (0x160 << 12) | P | RW)).toBe(0)
    expect(t.pin(DOM, 0x140, PageType.L2)).toBe(0)
    expect(t.writeCount[0x160]).toBe(1)
    expect(t.pin(DOM, 0x141, PageType.L2)).toBe(EINVAL) // it is an L1 now
    expect(t.pin(DOM, 0x140, PageType.L2)).toBe(EINVAL) // already pinned
    expect(t.unpin(DOM, 0x140)).toBe(0)
    expect(t.type[0x140]).toBe(PageType.None)
    expect(t.type[0x141]).toBe(PageType.None)
    expect(t.writeCount[0x160]).toBe(0)
    expect(t.unpin(DOM, 0x140)).toBe(EINVAL)
    // Ordinary memory again: it may be mapped writable.
    expect(t.pin(DOM, 0x111, PageType.L1)).toBe(0)
    expect(update(0x111, 0, (0x141 << 12) | P | RW)).toBe(0)
  })

  it('MMU_MACHPHYS_UPDATE sets the M2P entry of an owned frame', () => {
    expect(t.mmuUpdate(DOM, entry(0x123, 0) | MmuCmd.MACHPHYS_UPDATE, 0x23)).toBe(0)
    expect(t.m2p(0x123)).toBe(0x23)
  })
})

describe('checkDescriptor (Xen 3.x x86_32 check_descriptor)', () => {
  it("turns ringos's flat ring-0 segments into Xen's ring-1 ones: DPL 1, limit up to MACH2PHYS_VIRT_END", () => {
    // Xen's own FLAT_RING1_CS/DS descriptors (x86_32 gdt_table): 0x00cfba000000c3ff, 0x00cfb2000000c3ff.
    expect(checkDescriptor(0x0000ffff, 0x00cf9a00)).toEqual({ lo: 0x0000c3ff, hi: 0x00cfba00 })
    expect(checkDescriptor(0x0000ffff, 0x00cf9200)).toEqual({ lo: 0x0000c3ff, hi: 0x00cfb200 })
    // Ring 3 keeps its DPL and gets the same limit.
    expect(checkDescriptor(0x0000ffff, 0x00cffa00)).toEqual({ lo: 0x0000c3ff, hi: 0x00cffa00 })
  })

  it('leaves segments that end below Xen alone, refuses system descriptors, accepts empty ones', () => {
    expect(checkDescriptor(0x00000fff, 0x00c09200)).toEqual({ lo: 0x00000fff, hi: 0x00c0b200 })
    expect(checkDescriptor(0x00000000, 0x00000000)).toEqual({ lo: 0, hi: 0 })
    expect(checkDescriptor(0x0000ffff, 0x00cf1a00)).toEqual({ lo: 0x0000ffff, hi: 0x00cf1a00 }) // not present
    expect(checkDescriptor(0x10000067, 0x00008900)).toBeNull() // a 32-bit TSS
    expect(checkDescriptor(0x0000ffff, 0xfc4f9240)).toBeNull() // base 0xFC400000: inside Xen's area
    expect(checkDescriptor(0x0000ffff, 0xfc4f9231)).toBeNull() // byte-granular, reaches into Xen: cannot be cut
  })
})
