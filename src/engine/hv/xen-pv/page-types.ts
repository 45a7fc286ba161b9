import { PAGE_SHIFT, type PhysicalMemory } from '../../machine/memory'
import {
  Errno,
  GUEST_SEGMENT_MAX_ADDR,
  HYPERVISOR_L2_SLOT,
  INVALID_M2P_ENTRY,
  M2P_L2_SLOT,
  MmuCmd,
  PERDOMAIN_L2_SLOT,
} from './abi'
import { M2P_BASE, M2P_FRAMES, M2P_L1 } from './memory-layout'

/** Page-table entry bits (SDM Vol. 3A §4.3, Tables 4-5 and 4-6). */
const P = 0x1
const RW = 0x2
const A = 0x20
const PS = 0x80
const G = 0x100
/** L1 bits Ringside's Xen refuses: PAT and global [R: Xen's L1_DISALLOW_MASK is wider; see the abi doc]. */
const L1_DISALLOW = PS | G
/** Xen's own L2 entries: present, writable, accessed, supervisor only (__PAGE_HYPERVISOR). */
const XEN_L2E = P | RW | A

/**
 * The type a frame has for Xen (xen/arch/x86/mm.c, `struct page_info` type_info): none (ordinary
 * memory, possibly mapped writable), a validated level-1 or level-2 page table, or a page of segment
 * descriptors (a GDT frame). A frame has one type at a time; it can change only when nothing holds
 * the old one.
 */
export const PageType = { None: 0, L1: 1, L2: 2, SegDesc: 3 } as const
export type PageType = (typeof PageType)[keyof typeof PageType]
const TYPE_NAMES = ['ordinary', 'L1 page table', 'L2 page table', 'descriptor table'] as const

/** A domain-visible outcome of a memory-management request: 0, or a negative errno as Xen returns it. */
export type MmResult = number

const NO_OWNER = 0xff

/**
 * Xen's direct-paging rules for PV guests (Barham et al. §3.3.1; xen/arch/x86/mm.c): the guest's page
 * tables are the hardware's and hold machine frame numbers, so Xen validates them.
 *
 * - Each machine frame has an owner, a type, a type count (validated tables referring to it, pins,
 *   CR3 loads) and a count of writable mappings. A frame can become a page table or a descriptor page
 *   only while nothing maps it writable, and cannot be mapped writable while it is one.
 * - An L1 entry may map only frames of the domain (read-only if they are typed); an L2 entry may
 *   point only at an L1 table of the domain, never at a 4 MiB page, and never into Xen's slots
 *   (HYPERVISOR_VIRT_START up), which Xen fills in itself when it validates a directory.
 * - A frame is validated (every entry checked, references taken) when it first gets its type, and
 *   devalidated (references dropped) when its type count falls to zero.
 *
 * A rejected request changes nothing and returns −EINVAL, as in Xen. `lastError` says why, for
 * tests and the inspector.
 */
export class PageTypes {
  readonly frames: number
  readonly owner: Uint8Array
  readonly type: Uint8Array
  readonly typeCount: Int32Array
  readonly writeCount: Int32Array
  readonly pinned: Uint8Array
  lastError = ''

  constructor(
    private readonly mem: PhysicalMemory,
    /** The per-domain L1 table Xen puts into each validated directory of domain d. */
    private readonly perdomainL1: (domid: number) => number,
  ) {
    this.frames = mem.size >>> PAGE_SHIFT
    this.owner = new Uint8Array(this.frames).fill(NO_OWNER)
    this.type = new Uint8Array(this.frames)
    this.typeCount = new Int32Array(this.frames)
    this.writeCount = new Int32Array(this.frames)
    this.pinned = new Uint8Array(this.frames)
  }

  private fail(why: string): MmResult {
    this.lastError = why
    return -Errno.EINVAL
  }

  private owns(domid: number, mfn: number): boolean {
    return mfn >= 0 && mfn < this.frames && this.owner[mfn] === domid
  }

  /** Gives frames to a domain (its memory, or a Xen page it shares with it: shared_info, a grant frame). */
  assign(domid: number, mfn: number, count: number): void {
    for (let f = mfn; f < mfn + count; f++) {
      this.owner[f] = domid
      this.type[f] = PageType.None
      this.typeCount[f] = this.writeCount[f] = this.pinned[f] = 0
    }
  }

  /** Takes every frame back from a destroyed domain (its tables die with it). */
  release(domid: number): void {
    for (let f = 0; f < this.frames; f++) {
      if (this.owner[f] !== domid) continue
      this.owner[f] = NO_OWNER
      this.type[f] = PageType.None
      this.typeCount[f] = this.writeCount[f] = this.pinned[f] = 0
    }
  }

  // ---------------------------------------------------------------- references from entries

  private getL1e(domid: number, e: number): MmResult {
    if ((e & P) === 0) return 0
    if (e & L1_DISALLOW) return this.fail(`L1 entry 0x${hex(e)} sets reserved bits (PAT or global)`)
    const mfn = e >>> PAGE_SHIFT
    if (!this.owns(domid, mfn))
      return this.fail(`L1 entry maps machine frame 0x${hex(mfn)}, which domain ${domid} does not own`)
    if (e & RW) {
      if (this.typeCount[mfn] > 0)
        return this.fail(`writable mapping of machine frame 0x${hex(mfn)}, a ${TYPE_NAMES[this.type[mfn]!]}`)
      this.writeCount[mfn]++
    }
    return 0
  }

  private putL1e(e: number): void {
    if ((e & (P | RW)) === (P | RW)) this.writeCount[e >>> PAGE_SHIFT]--
  }

  private getL2e(domid: number, slot: number, e: number): MmResult {
    if ((e & P) === 0) return 0
    if (slot >= HYPERVISOR_L2_SLOT)
      return this.fail(`L2 slot ${slot} belongs to Xen (HYPERVISOR_VIRT_START and up)`)
    if (e & PS) return this.fail('4 MiB pages (PSE) are not allowed in a PV guest [R]')
    const mfn = e >>> PAGE_SHIFT
    if (!this.owns(domid, mfn))
      return this.fail(`L2 entry points at machine frame 0x${hex(mfn)}, which domain ${domid} does not own`)
    return this.getType(domid, mfn, PageType.L1)
  }

  private putL2e(e: number): void {
    if (e & P) this.putType(e >>> PAGE_SHIFT)
  }

  // ---------------------------------------------------------------- types

  /** Takes a type reference on a frame, validating it if it did not have the type yet. */
  getType(domid: number, mfn: number, t: PageType): MmResult {
    if (!this.owns(domid, mfn)) return this.fail(`machine frame 0x${hex(mfn)} is not domain ${domid}'s`)
    if (this.typeCount[mfn]! > 0) {
      if (this.type[mfn] === t) {
        this.typeCount[mfn]++
        return 0
      }
      return this.fail(`machine frame 0x${hex(mfn)} is already a ${TYPE_NAMES[this.type[mfn]!]}`)
    }
    if (this.writeCount[mfn]! > 0)
      return this.fail(
        `machine frame 0x${hex(mfn)} is mapped writable ${this.writeCount[mfn]} time(s); a ${TYPE_NAMES[t]} must not be`,
      )
    // Typed before validation, so a table cannot map itself writable.
    this.type[mfn] = t
    this.typeCount[mfn] = 1
    const rc = this.validate(domid, mfn, t)
    if (rc !== 0) {
      this.type[mfn] = PageType.None
      this.typeCount[mfn] = 0
    }
    return rc
  }

  /** Drops a type reference; the last one devalidates the frame. */
  putType(mfn: number): void {
    if (--this.typeCount[mfn]! > 0) return
    const base = mfn << PAGE_SHIFT
    if (this.type[mfn] === PageType.L1)
      for (let i = 0; i < 1024; i++) this.putL1e(this.mem.read32(base + i * 4))
    else if (this.type[mfn] === PageType.L2)
      for (let i = 0; i < HYPERVISOR_L2_SLOT; i++) this.putL2e(this.mem.read32(base + i * 4))
    this.type[mfn] = PageType.None
    this.typeCount[mfn] = 0
  }

  private validate(domid: number, mfn: number, t: PageType): MmResult {
    const base = mfn << PAGE_SHIFT
    switch (t) {
      case PageType.L1:
        for (let i = 0; i < 1024; i++) {
          const rc = this.getL1e(domid, this.mem.read32(base + i * 4))
          if (rc !== 0) {
            for (let j = 0; j < i; j++) this.putL1e(this.mem.read32(base + j * 4))
            return rc
          }
        }
        return 0
      case PageType.L2: {
        for (let i = 0; i < HYPERVISOR_L2_SLOT; i++) {
          const rc = this.getL2e(domid, i, this.mem.read32(base + i * 4))
          if (rc !== 0) {
            for (let j = 0; j < i; j++) this.putL2e(this.mem.read32(base + j * 4))
            return rc
          }
        }
        // Xen's own slots in every directory it validates (init_xen_l2_slots).
        for (let i = HYPERVISOR_L2_SLOT; i < 1024; i++) this.mem.write32(base + i * 4, 0)
        this.mem.write32(base + M2P_L2_SLOT * 4, M2P_L1 | XEN_L2E)
        this.mem.write32(base + PERDOMAIN_L2_SLOT * 4, this.perdomainL1(domid) | XEN_L2E)
        return 0
      }
      case PageType.SegDesc:
        for (let i = 0; i < 512; i++) {
          const at = base + i * 8
          const d = checkDescriptor(this.mem.read32(at), this.mem.read32(at + 4))
          if (d === null)
            return this.fail(`descriptor ${i} of machine frame 0x${hex(mfn)} is not allowed in a guest GDT`)
          this.mem.write32(at, d.lo)
          this.mem.write32(at + 4, d.hi)
        }
        return 0
      case PageType.None:
        return 0
    }
  }

  // ---------------------------------------------------------------- requests

  /**
   * One mmu_update request (xen.h, "MMU_NORMAL_PT_UPDATE"): `ptr` is the machine address of an entry
   * with the command in its low two bits. An entry of a validated table is checked like the table
   * was; an entry of an ordinary frame is plain memory and is simply written.
   */
  mmuUpdate(domid: number, ptr: number, val: number): MmResult {
    const cmd = ptr & 3
    const maddr = (ptr & ~3) >>> 0
    const mfn = maddr >>> PAGE_SHIFT
    if (!this.owns(domid, mfn))
      return this.fail(`mmu_update on machine frame 0x${hex(mfn)}, which domain ${domid} does not own`)
    if (cmd === MmuCmd.MACHPHYS_UPDATE) {
      this.setM2p(mfn, val >>> 0)
      return 0
    }
    if (cmd !== MmuCmd.NORMAL_PT_UPDATE && cmd !== MmuCmd.PT_UPDATE_PRESERVE_AD) return -Errno.ENOSYS
    return this.writeEntry(domid, maddr, val >>> 0)
  }

  /** Writes one entry of a frame of the domain with the checks its type calls for. */
  writeEntry(domid: number, maddr: number, val: number): MmResult {
    const mfn = maddr >>> PAGE_SHIFT
    const old = this.mem.read32(maddr)
    switch (this.type[mfn]) {
      case PageType.L1: {
        if (this.typeCount[mfn] === 0) break
        const rc = this.getL1e(domid, val)
        if (rc !== 0) return rc
        this.mem.write32(maddr, val)
        this.putL1e(old)
        return 0
      }
      case PageType.L2: {
        if (this.typeCount[mfn] === 0) break
        const slot = (maddr & 0xfff) >>> 2
        if (slot >= HYPERVISOR_L2_SLOT)
          return this.fail(`L2 slot ${slot} belongs to Xen (HYPERVISOR_VIRT_START and up)`)
        const rc = this.getL2e(domid, slot, val)
        if (rc !== 0) return rc
        this.mem.write32(maddr, val)
        this.putL2e(old)
        return 0
      }
      case PageType.SegDesc:
        return this.fail('descriptor pages change only through update_descriptor [R: not offered]')
    }
    this.mem.write32(maddr, val)
    return 0
  }

  /** MMUEXT_PIN_L1/L2_TABLE: validate and keep the type until unpinned (mm.c, do_mmuext_op). */
  pin(domid: number, mfn: number, t: PageType): MmResult {
    if (!this.owns(domid, mfn))
      return this.fail(`pin of machine frame 0x${hex(mfn)}, which domain ${domid} does not own`)
    if (this.pinned[mfn]) return this.fail(`machine frame 0x${hex(mfn)} is already pinned`)
    const rc = this.getType(domid, mfn, t)
    if (rc === 0) this.pinned[mfn] = 1
    return rc
  }

  unpin(domid: number, mfn: number): MmResult {
    if (!this.owns(domid, mfn) || !this.pinned[mfn])
      return this.fail(`machine frame 0x${hex(mfn)} is not pinned`)
    this.pinned[mfn] = 0
    this.putType(mfn)
    return 0
  }

  /** The M2P table Xen keeps in machine memory (mapped read-only for guests at MACH2PHYS_VIRT_START). */
  setM2p(mfn: number, pfn: number): void {
    if (mfn < M2P_FRAMES) this.mem.write32(M2P_BASE + mfn * 4, pfn)
  }

  m2p(mfn: number): number {
    return mfn < M2P_FRAMES ? this.mem.read32(M2P_BASE + mfn * 4) >>> 0 : INVALID_M2P_ENTRY
  }
}

/**
 * Xen's check_descriptor for a 32-bit PV guest (xen/arch/x86/x86_32/mm.c in Xen 3.x): a not-present
 * descriptor is harmless; DPL 0 becomes DPL 1 (ring 0 is Xen's); a code or data segment must start
 * below Xen's area and has its limit cut to end at GUEST_SEGMENT_MAX_ADDR (which needs 4 KiB
 * granularity); a null system descriptor is allowed; every other system descriptor (TSS, LDT, gates) is
 * refused [R: Xen admits some call gates]. Returns the descriptor as Xen leaves it, or null.
 */
export function checkDescriptor(lo: number, hi: number): { lo: number; hi: number } | null {
  lo >>>= 0
  hi >>>= 0
  if ((hi & 0x8000) === 0) return { lo, hi }
  if (((hi >>> 13) & 3) === 0) hi = (hi | (1 << 13)) >>> 0
  if ((hi & 0x1000) === 0) return (hi & 0xf00) === 0 ? { lo, hi } : null
  const base = ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0
  if (base >= GUEST_SEGMENT_MAX_ADDR - 4096) return null
  // Xen's unsigned-long arithmetic: (limit + 1) << 12 wraps to 0 for a 4 GiB segment.
  let limit = ((hi & 0xf0000) | (lo & 0xffff)) + 1
  if (hi & 0x800000) limit = (limit * 4096) >>> 0
  const end = (base + limit) >>> 0
  const expandDown = (hi & 0xc00) === 0x400
  let cut: number | null = null
  if (expandDown) {
    if (end > base) cut = (0x100000000 - ((base & ~0xfff) >>> 0)) >>> 0
  } else if (end <= base || end > GUEST_SEGMENT_MAX_ADDR) cut = GUEST_SEGMENT_MAX_ADDR - base
  if (cut !== null) {
    if ((hi & 0x800000) === 0) return null
    const l = ((cut >>> 12) - 1) & 0xfffff
    lo = ((lo & ~0xffff) | (l & 0xffff)) >>> 0
    hi = ((hi & ~0xf0000) | (l & 0xf0000)) >>> 0
  }
  return { lo, hi }
}

function hex(n: number): string {
  return (n >>> 0).toString(16)
}
