/**
 * Extended page tables (Intel SDM Vol. 3C §29.3 "The Extended Page Table Mechanism (EPT)"): with
 * "enable EPT", every guest-physical address — those the guest's own page tables produce and the
 * addresses of those page tables themselves — is translated to a host-physical address by a
 * four-level structure in host memory that the hypervisor owns:
 *
 * ```
 *   EPTP ─▶ PML4E (GPA 47:39) ─▶ PDPTE (38:30) ─▶ PDE (29:21) ─▶ PTE (20:12) ─▶ 4 KiB page
 *                                  └ bit 7: 1 GiB page  └ bit 7: 2 MiB page
 * ```
 *
 * Each 64-bit entry has R, W, X in bits 2:0 (all 0 = not present); a leaf has the memory type in bits
 * 5:3 and "ignore PAT" in bit 6; with A/D enabled in the EPTP, bit 8 is the accessed flag and bit 9
 * (leaves) the dirty flag (§29.3.2 Tables 29-1 to 29-6, §29.3.5). An access the entries do not permit
 * is an EPT violation (exit 48); an entry with a value reserved for future use is an EPT
 * misconfiguration (exit 49) (§29.3.3).
 *
 * Ringside's physical-address width is 32 bits [R: the CPU is IA-32 without PAE, IA32_VMX_BASIC bit
 * 48 = 1], so bits 51:32 of every entry and of the EPTP are reserved, and guest-physical addresses are
 * below 4 GiB (the PML4 index is always 0).
 */
import type { PhysicalMemory } from '../machine/memory'
import type { Snapshottable, StateReader, StateWriter } from '../snapshot'
import type { GuestPhys, HostPhys } from '../types'
import { EptQual } from './qualification'

/** Physical-address width ("MAXPHYADDR", CPUID.80000008H:EAX[7:0]) [R]. */
export const MAXPHYADDR = 32

export const EPT_READ = 1 << 0
export const EPT_WRITE = 1 << 1
export const EPT_EXEC = 1 << 2
export const EPT_RWX = EPT_READ | EPT_WRITE | EPT_EXEC
/** Bit 7 of a PDPTE or PDE: the entry maps a 1 GiB or 2 MiB page instead of referencing a table. */
export const EPT_LARGE = 1 << 7
export const EPT_IGNORE_PAT = 1 << 6
export const EPT_ACCESSED = 1 << 8
export const EPT_DIRTY = 1 << 9
export const EPT_MEMTYPE_SHIFT = 3

/** EPT memory types (§29.3.7): values 2, 3 and 7 are reserved (a leaf using them is misconfigured). */
export const EptMemType = { UC: 0, WC: 1, WT: 4, WP: 5, WB: 6 } as const
export type EptMemType = (typeof EptMemType)[keyof typeof EptMemType]

/**
 * The value KVM gives EPT entries of MMIO guest-physical pages: write and execute without read, which
 * is a misconfiguration, so the first access exits with reason 49 and KVM knows at once that the page
 * is emulated MMIO (Linux arch/x86/include/asm/vmx.h `VMX_EPT_MISCONFIG_WX_VALUE`, used by
 * `kvm_mmu_set_mmio_spte_value()`; Documentation/virt/kvm/x86/mmu.rst "MMIO sptes").
 */
export const EPT_MISCONFIG_WX_VALUE = EPT_WRITE | EPT_EXEC

/** Size of the region one entry maps at each level (index = level). */
export const EPT_LEVEL_SIZE = [0, 0x1000, 0x200000, 0x40000000, 0x8000000000] as const

// EPTP (§25.6.11 "Extended-Page-Table Pointer (EPTP)", Table 25-9)
const EPTP_WALK_LENGTH_4 = 3 << 3
/** EPTP bit 6: enable accessed and dirty flags. */
export const EPTP_ACCESSED_DIRTY = 1 << 6

/** Builds an EPTP: bits 2:0 memory type of the paging structures, 5:3 walk length − 1 (3), 6 A/D enable, 31:12 PML4 address. */
export function makeEptp(pml4: HostPhys, memType: EptMemType = EptMemType.WB, accessedDirty = false): number {
  return (
    ((pml4 & 0xfffff000) | memType | EPTP_WALK_LENGTH_4 | (accessedDirty ? EPTP_ACCESSED_DIRTY : 0)) >>> 0
  )
}

/**
 * The VM-entry check on the EPTP (§27.2.1.1): memory type UC or WB (both reported in
 * IA32_VMX_EPT_VPID_CAP), walk length 4, A/D only if supported (it is), bits 11:7 reserved, and no
 * address bits beyond the physical-address width.
 */
export function eptpValid(lo: number, hi: number): boolean {
  const mt = lo & 7
  return (
    (mt === EptMemType.UC || mt === EptMemType.WB) &&
    (lo & 0x38) === EPTP_WALK_LENGTH_4 &&
    (lo & 0xf80) === 0 &&
    hi === 0
  )
}

/** Reports one EPT paging-structure read: level (4 PML4E … 1 PTE), its host-physical address, the entry. */
export type EptReference = (level: number, hostPhys: number, entryLo: number, entryHi: number) => void

/** {@link EptWalker.translate} result when the access is an EPT violation. */
export const EPT_VIOLATION = -1
/** {@link EptWalker.translate} result when the walk met a misconfigured entry. */
export const EPT_MISCONFIG = -2

/** Whether the entry `lo` at `level` is misconfigured (§29.3.3.1), given that bits 2:0 are not 000. */
function misconfigured(level: number, lo: number, hi: number): boolean {
  if ((lo & 3) === EPT_WRITE) return true // 010b, 110b: writable but not readable
  if ((hi & 0x000fffff) !== 0) return true // bits 51:32 beyond MAXPHYADDR
  const large = (lo & EPT_LARGE) !== 0
  switch (level) {
    case 4:
      return (lo & 0xf8) !== 0 // bits 7:3 reserved
    case 3:
      if (!large) return (lo & 0x78) !== 0
      if ((lo & 0x3ffff000) !== 0) return true // bits 29:12 of a 1 GiB leaf
      break
    case 2:
      if (!large) return (lo & 0x78) !== 0
      if ((lo & 0x001ff000) !== 0) return true // bits 20:12 of a 2 MiB leaf
      break
  }
  const mt = (lo >>> EPT_MEMTYPE_SHIFT) & 7
  return mt === 2 || mt === 3 || mt === 7
}

/** Reads 32 bits of host memory; addresses with no RAM read as all ones [R: what an unclaimed bus read returns]. */
function readHost32(mem: PhysicalMemory, a: number): number {
  return a + 4 <= mem.size ? mem.read32(a) : 0xffffffff
}

/**
 * The processor's EPT translation (§29.3.2, §29.3.3). One walker per CPU; the results of the last
 * call are left in its fields so the hot path allocates nothing.
 */
export class EptWalker {
  /** After {@link EPT_VIOLATION}: the exit qualification (bits 0–8 of Table 28-7). */
  qualification = 0
  /** After a walk: the AND of R/W/X over the entries read (what bits 5:3 of a violation report). */
  permissions = 0
  /** After success: 1 for a 4 KiB page, 2 for 2 MiB, 3 for 1 GiB (the CPU's TLB caches at most the smaller of this and the guest page). */
  leafLevel = 0
  /** After success: the leaf's memory type. After {@link EPT_MISCONFIG}: 0. */
  memoryType = 0
  /** After {@link EPT_MISCONFIG}: the level of the offending entry. */
  misconfigLevel = 0
  /**
   * Whether successful walks set accessed/dirty flags when the EPTP enables them. The inspector
   * turns this off to look without touching.
   */
  updateAccessedDirty = true

  private readonly used = new Int32Array(4)

  constructor(private readonly mem: PhysicalMemory) {}

  /**
   * Translates guest-physical `gpa` for an access described by `access`: the exit-qualification bits
   * it would report — {@link EptQual.READ}, WRITE or FETCH, plus LINEAR_VALID (the access has a guest
   * linear address) and TRANSLATION (it is to the translation of that address; without it, to a
   * guest paging-structure entry). Returns the host-physical address, {@link EPT_VIOLATION} or
   * {@link EPT_MISCONFIG}. `onRef` sees each entry read, in order, for the 2D-walk display.
   *
   * With A/D flags enabled, accesses to guest paging structures count as writes (§29.3.3.2: the
   * processor may set their A/D flags), and a violation on one sets both bits 0 and 1. A successful
   * walk sets the accessed flag of every entry it used and, for a write, the leaf's dirty flag
   * (§29.3.5) [R: flags are not set on walks that end in a violation].
   */
  translate(eptp: number, gpa: number, access: number, onRef: EptReference | null): number {
    const mem = this.mem
    if ((access & EptQual.LINEAR_VALID) === 0) access &= ~EptQual.TRANSLATION
    const ad = (eptp & EPTP_ACCESSED_DIRTY) !== 0
    if (ad && (access & (EptQual.LINEAR_VALID | EptQual.TRANSLATION)) === EptQual.LINEAR_VALID)
      access |= EptQual.WRITE
    let table = (eptp & 0xfffff000) >>> 0
    let perm = EPT_RWX
    for (let level = 4; level >= 1; level--) {
      const index = level === 4 ? 0 : (gpa >>> (12 + 9 * (level - 1))) & 0x1ff
      const addr = table + index * 8
      const lo = readHost32(mem, addr)
      const hi = readHost32(mem, addr + 4)
      if (onRef !== null) onRef(level, addr, lo, hi)
      this.used[4 - level] = addr
      perm &= lo
      if ((lo & EPT_RWX) === 0) return this.violation(access, 0)
      if (misconfigured(level, lo, hi)) {
        this.misconfigLevel = level
        this.memoryType = 0
        this.permissions = perm & EPT_RWX
        return EPT_MISCONFIG
      }
      if (level === 1 || (level <= 3 && (lo & EPT_LARGE) !== 0)) {
        perm &= EPT_RWX
        this.permissions = perm
        if ((access & EPT_RWX & ~perm) !== 0) return this.violation(access, perm)
        if (ad && this.updateAccessedDirty) this.setAccessedDirty(5 - level, (access & EptQual.WRITE) !== 0)
        this.leafLevel = level
        this.memoryType = (lo >>> EPT_MEMTYPE_SHIFT) & 7
        const pageMask = EPT_LEVEL_SIZE[level] - 1
        return ((lo & ~pageMask & 0xfffff000) >>> 0) + (gpa & pageMask)
      }
      table = (lo & 0xfffff000) >>> 0
    }
    throw new Error('unreachable: the EPT walk ends at level 1')
  }

  private violation(access: number, perm: number): number {
    this.permissions = perm & EPT_RWX
    this.qualification =
      (access & (EPT_RWX | EptQual.LINEAR_VALID | EptQual.TRANSLATION)) | ((perm & EPT_RWX) << 3)
    return EPT_VIOLATION
  }

  private setAccessedDirty(count: number, write: boolean): void {
    const mem = this.mem
    for (let i = 0; i < count; i++) {
      const a = this.used[i]
      const lo = mem.read32(a)
      const set = EPT_ACCESSED | (write && i === count - 1 ? EPT_DIRTY : 0)
      if ((lo & set) !== set) mem.write32(a, lo | set)
    }
  }
}

/** A region of host memory an {@link EptBuilder} takes table pages from. */
export interface HostRegion {
  readonly base: HostPhys
  readonly size: number
}

type LeafOp =
  | { readonly kind: 'map'; readonly delta: number; readonly attrs: number; readonly maxLevel: number }
  | { readonly kind: 'set'; readonly value: number }
  | { readonly kind: 'protect'; readonly perms: number }

/** Attribute bits a split large page passes to its smaller entries: R/W/X, memory type, ignore PAT, A, D. */
const SPLIT_ATTRS = EPT_RWX | (7 << EPT_MEMTYPE_SHIFT) | EPT_IGNORE_PAT | EPT_ACCESSED | EPT_DIRTY

/**
 * Builds and edits EPT structures in host memory, the way a hypervisor's MMU code does (KVM
 * arch/x86/kvm/mmu/tdp_mmu.c, Xen xen/arch/x86/mm/p2m-ept.c): map guest-physical ranges to host
 * memory (identity or at an offset, with the largest pages alignment allows), leave ranges unmapped so
 * the first touch exits (48), mark MMIO ranges misconfigured as KVM does (49), and write-protect
 * pages (the mechanism behind dirty logging and shadow-paging page-table tracking). Large pages are
 * split when part of them changes. Table pages come from the region given; they are not reclaimed
 * when a range is remapped [R].
 *
 * Editing EPT structures that a CPU may have cached requires INVEPT (the CPU's TLB flush) afterwards,
 * as on hardware (§29.4.3.1). The tables themselves are in host memory (and its snapshot); the
 * builder's own state is where its next table page comes from.
 */
export class EptBuilder implements Snapshottable {
  readonly eptp: number
  private readonly root: number
  private readonly start: number
  private readonly end: number
  private next: number

  constructor(
    private readonly mem: PhysicalMemory,
    region: HostRegion,
    options: { readonly memoryType?: EptMemType; readonly accessedDirty?: boolean } = {},
  ) {
    if (region.base % 0x1000 !== 0 || region.size < 0x1000 || region.base + region.size > mem.size) {
      throw new RangeError(
        `EPT table region 0x${region.base.toString(16)}+0x${region.size.toString(16)} is not page-aligned host memory`,
      )
    }
    this.start = this.next = region.base
    this.end = region.base + region.size
    this.root = this.allocTable()
    this.eptp = makeEptp(
      this.root as HostPhys,
      options.memoryType ?? EptMemType.WB,
      options.accessedDirty ?? false,
    )
  }

  /** Host memory taken by table pages so far, in bytes. */
  get tableBytes(): number {
    return this.next - this.start
  }

  /**
   * Maps [gpa, gpa + size) to [hpa, hpa + size) with permissions `perms` and memory type `memType`,
   * using 1 GiB and 2 MiB leaves where both addresses are aligned for them (up to `maxPage`).
   */
  map(
    gpa: GuestPhys,
    hpa: HostPhys,
    size: number,
    perms = EPT_RWX,
    memType: EptMemType = EptMemType.WB,
    maxPage: 0x1000 | 0x200000 | 0x40000000 = 0x40000000,
  ): void {
    if (hpa % 0x1000 !== 0 || hpa + size > this.mem.size) {
      throw new RangeError(
        `EPT map target 0x${hpa.toString(16)}+0x${size.toString(16)} is not page-aligned host memory`,
      )
    }
    const maxLevel = maxPage === 0x40000000 ? 3 : maxPage === 0x200000 ? 2 : 1
    this.apply(gpa, size, {
      kind: 'map',
      delta: hpa - gpa,
      attrs: (perms & EPT_RWX) | (memType << EPT_MEMTYPE_SHIFT),
      maxLevel,
    })
  }

  /** Identity map of [0, size): guest-physical = host-physical, as a minimal monitor uses. */
  identity(size: number, perms = EPT_RWX): void {
    this.map(0 as GuestPhys, 0 as HostPhys, size, perms)
  }

  /** Makes [gpa, gpa + size) not present: the first access exits with an EPT violation (48). */
  unmap(gpa: GuestPhys, size: number): void {
    this.apply(gpa, size, { kind: 'set', value: 0 })
  }

  /** Marks [gpa, gpa + size) as emulated MMIO the way KVM does: any access exits with an EPT misconfiguration (49). */
  markMmio(gpa: GuestPhys, size: number): void {
    this.apply(gpa, size, { kind: 'set', value: EPT_MISCONFIG_WX_VALUE })
  }

  /**
   * Sets the R/W/X permissions of the mapped pages in [gpa, gpa + size) (unmapped pages stay
   * unmapped): `protect(gpa, size, EPT_READ | EPT_EXEC)` write-protects, so a write exits (48) with
   * "writable" clear in the qualification.
   */
  protect(gpa: GuestPhys, size: number, perms: number): void {
    if ((perms & EPT_RWX) === EPT_WRITE || (perms & EPT_RWX) === EPT_MISCONFIG_WX_VALUE) {
      throw new RangeError('EPT permissions with write but not read are a misconfiguration; use markMmio')
    }
    this.apply(gpa, size, { kind: 'protect', perms: perms & EPT_RWX })
  }

  private apply(gpa: number, size: number, op: LeafOp): void {
    if (gpa % 0x1000 !== 0 || size % 0x1000 !== 0 || size <= 0 || gpa + size > 2 ** MAXPHYADDR) {
      throw new RangeError(
        `EPT range 0x${gpa.toString(16)}+0x${size.toString(16)} must be page-aligned and below 4 GiB`,
      )
    }
    this.applyTable(this.root, 4, 0, gpa, gpa + size, op)
  }

  private applyTable(
    table: number,
    level: number,
    regionBase: number,
    from: number,
    to: number,
    op: LeafOp,
  ): void {
    const span = EPT_LEVEL_SIZE[level]
    const first = Math.floor((from - regionBase) / span)
    const last = Math.floor((to - 1 - regionBase) / span)
    for (let i = first; i <= last; i++) {
      const base = regionBase + i * span
      const lo = Math.max(from, base)
      const hi = Math.min(to, base + span)
      const full = lo === base && hi === base + span
      const addr = table + i * 8
      const entry = this.mem.read32(addr)
      const present = (entry & EPT_RWX) !== 0
      const leaf = present && (level === 1 || (entry & EPT_LARGE) !== 0)
      if (full && level <= 3) {
        if (op.kind === 'set') {
          this.writeEntry(addr, op.value | (level > 1 && op.value !== 0 ? EPT_LARGE : 0))
          continue
        }
        if (op.kind === 'map' && level <= op.maxLevel && (base + op.delta) % span === 0) {
          this.writeEntry(addr, (base + op.delta) | op.attrs | (level > 1 ? EPT_LARGE : 0))
          continue
        }
        if (op.kind === 'protect' && leaf) {
          if ((entry & 3) !== EPT_WRITE) this.writeEntry(addr, (entry & ~EPT_RWX) | op.perms) // MMIO entries stay misconfigured
          continue
        }
      }
      if (!present && (op.kind === 'protect' || (op.kind === 'set' && op.value === 0))) continue // nothing to unmap or protect
      let child: number
      if (!present) {
        child = this.allocTable()
        this.writeEntry(addr, child | EPT_RWX)
      } else if (leaf) {
        child = this.split(addr, entry, level)
      } else {
        child = (entry & 0xfffff000) >>> 0
      }
      this.applyTable(child, level - 1, base, lo, hi, op)
    }
  }

  /** Replaces a 1 GiB or 2 MiB leaf with a table of 512 entries mapping the same memory with the same attributes. */
  private split(addr: number, entry: number, level: number): number {
    const table = this.allocTable()
    const childSpan = EPT_LEVEL_SIZE[level - 1]
    const frame = entry & ~(EPT_LEVEL_SIZE[level] - 1) & 0xfffff000
    const attrs = (entry & SPLIT_ATTRS) | (level - 1 > 1 ? EPT_LARGE : 0)
    for (let i = 0; i < 512; i++) this.writeEntry(table + i * 8, ((frame >>> 0) + i * childSpan) | attrs)
    this.writeEntry(addr, table | EPT_RWX)
    return table
  }

  private writeEntry(addr: number, lo: number): void {
    this.mem.write32(addr, lo)
    this.mem.write32(addr + 4, 0)
  }

  saveState(w: StateWriter): void {
    w.section('ept-builder')
    w.u32(this.next)
  }
  loadState(r: StateReader): void {
    r.section('ept-builder')
    this.next = r.u32()
  }

  private allocTable(): number {
    if (this.next + 0x1000 > this.end) throw new RangeError('EPT table region exhausted')
    const t = this.next
    this.next += 0x1000
    this.mem.u8.fill(0, t, t + 0x1000)
    return t
  }
}
