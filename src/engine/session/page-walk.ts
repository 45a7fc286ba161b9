/**
 * Page walks for the inspector, built as plain data and read from memory only: no accessed/dirty
 * flag is set, no TLB is filled, no event is emitted, no fault is raised and no device is touched (an
 * entry whose address has no RAM behind it is reported as unreadable instead of being read over the
 * MMIO bus, where a read can have side effects).
 *
 * - The one-dimensional walk is 32-bit paging (Intel SDM Vol. 3A §4.3): CR3 → PDE → PTE, or CR3 →
 *   PDE for a 4 MiB page when CR4.PSE = 1 and PDE.PS = 1, with the access-rights checks of §4.6
 *   (U/S, R/W, CR0.WP) and the #PF error code the access would raise (§4.7).
 * - The two-dimensional walk (guest paging with every guest-physical address translated through
 *   EPT, SDM Vol. 3C §29.3.2) comes from `vmx/two-dimensional-walk.ts` and is converted to the same
 *   shape, so the UI draws both with one component.
 *
 * The CPU's own walker (`cpu/paging.ts`) makes the same references; `Cpu.walk()` is its inspection
 * twin but reads through the CPU's MMIO path and second stage, which is why this file exists.
 */
import type { PhysicalMemory } from '../machine/memory'
import { twoDimensionalWalk, type GuestAccess, type GuestPagingState } from '../vmx/two-dimensional-walk'
import type { GuestVirt } from '../types'

const CR0_PG = 0x80000000
const CR0_WP = 1 << 16
const CR4_PSE = 1 << 4
const PTE_P = 1
const PTE_RW = 1 << 1
const PTE_US = 1 << 2
const PDE_PS = 1 << 7
/** Bits 21:13 of a 4 MiB PDE must be 0 without PSE-36 (SDM Vol. 3A Table 4-4). */
const PDE4M_RESERVED = 0x003fe000
/** #PF error-code bits (SDM Vol. 3A §4.7). */
const PF_P = 1
const PF_W = 2
const PF_U = 4
const PF_RSVD = 8

/** One memory reference of a walk, in the order the processor makes it. */
export interface WalkReferenceView {
  /** `guest`: a (guest) paging-structure entry of 32-bit paging; `ept`: an EPT entry. */
  readonly stage: 'guest' | 'ept'
  /** Guest: 2 = PDE, 1 = PTE. EPT: 4 = PML4E, 3 = PDPTE, 2 = PDE, 1 = PTE. */
  readonly level: number
  /** Where the entry was read: physical on a one-dimensional walk, host-physical on a 2D walk. */
  readonly address: number
  /** Guest stage of a 2D walk: the entry's guest-physical address. EPT stage: the guest-physical address being translated. Null on a 1D walk. */
  readonly guestPhys: number | null
  /** Bits 31:0 of the entry, or null when no RAM is behind `address`. */
  readonly entry: number | null
}

/**
 * - `ok`: the address translates;
 * - `page-fault`: the guest's paging would raise #PF (`code` is the error code);
 * - `ept-violation` / `ept-misconfig`: an EPT walk failed (`code` is the violation's exit qualification);
 * - `no-ram`: an entry lies where there is no RAM (the inspector does not read devices).
 */
export type WalkOutcome = 'ok' | 'page-fault' | 'ept-violation' | 'ept-misconfig' | 'no-ram'

export interface WalkView {
  /** `none`: paging is off (linear = physical); `1d`: 32-bit paging; `2d`: guest paging through EPT. */
  readonly dimensions: 'none' | '1d' | '2d'
  readonly linear: number
  readonly references: readonly WalkReferenceView[]
  readonly outcome: WalkOutcome
  /** The (guest-)physical address the linear address maps to; null when the guest walk failed. */
  readonly physical: number | null
  /** 2D walk: the host-physical address of the access (outcome ok). Null otherwise. */
  readonly hostPhys: number | null
  /** Page-fault: the #PF error code. EPT violation: the exit qualification. Otherwise 0. */
  readonly code: number
  /** Size of the guest page that maps the address (4 KiB or 4 MiB), when the guest walk got that far. */
  readonly pageSize: 4096 | 4194304 | null
  /** The (guest's) CR3 and CR4 the walk started from. */
  readonly cr3: number
  readonly cr4: number
  /** 2D walk: the EPT pointer. Null otherwise. */
  readonly eptp: number | null
}

/** Control registers of the paging mode (the guest's own values, not read shadows). */
export type PagingRegisters = GuestPagingState

export interface WalkAccess {
  readonly write: boolean
  /** A user-mode access (CPL 3): U/S must be 1 in every entry. */
  readonly user: boolean
}

/** Bits 31:0 of RAM at `address`, or null when the 4 bytes are not all RAM. */
function readRam32(mem: PhysicalMemory, address: number): number | null {
  return address >= 0 && address + 4 <= mem.size ? mem.read32(address) : null
}

/**
 * The one-dimensional walk of `linear` under 32-bit paging, reading entries from `mem` (physical
 * addresses are offsets into it), with the access-rights checks of an access of kind `access`.
 */
export function walkPaging(
  mem: PhysicalMemory,
  regs: PagingRegisters,
  linear: number,
  access: WalkAccess,
): WalkView {
  const lin = linear >>> 0
  const refs: WalkReferenceView[] = []
  if ((regs.cr0 & CR0_PG) === 0)
    return {
      dimensions: 'none',
      linear: lin,
      references: refs,
      outcome: 'ok',
      physical: lin,
      hostPhys: null,
      code: 0,
      pageSize: 4096,
      cr3: regs.cr3 >>> 0,
      cr4: regs.cr4 >>> 0,
      eptp: null,
    }
  const errBase = (access.write ? PF_W : 0) | (access.user ? PF_U : 0)
  const end = (
    outcome: WalkOutcome,
    physical: number | null,
    code: number,
    pageSize: WalkView['pageSize'],
  ): WalkView => ({
    dimensions: '1d',
    linear: lin,
    references: refs,
    outcome,
    physical,
    hostPhys: null,
    code,
    pageSize,
    cr3: regs.cr3 >>> 0,
    cr4: regs.cr4 >>> 0,
    eptp: null,
  })
  const read = (level: 1 | 2, address: number): number | null => {
    const entry = readRam32(mem, address)
    refs.push({ stage: 'guest', level, address, guestPhys: null, entry })
    return entry
  }

  const pdeAddr = ((regs.cr3 & 0xfffff000) | ((lin >>> 22) << 2)) >>> 0
  const pde = read(2, pdeAddr)
  if (pde === null) return end('no-ram', null, 0, null)
  if ((pde & PTE_P) === 0) return end('page-fault', null, errBase, null)
  let physical: number
  let rw: number
  let us: number
  let pageSize: 4096 | 4194304
  if ((pde & PDE_PS) !== 0 && (regs.cr4 & CR4_PSE) !== 0) {
    pageSize = 4194304
    if ((pde & PDE4M_RESERVED) !== 0) return end('page-fault', null, errBase | PF_P | PF_RSVD, pageSize)
    physical = ((pde & 0xffc00000) | (lin & 0x003fffff)) >>> 0
    rw = pde & PTE_RW
    us = pde & PTE_US
  } else {
    pageSize = 4096
    const pteAddr = ((pde & 0xfffff000) | (((lin >>> 12) & 0x3ff) << 2)) >>> 0
    const pte = read(1, pteAddr)
    if (pte === null) return end('no-ram', null, 0, pageSize)
    if ((pte & PTE_P) === 0) return end('page-fault', null, errBase, pageSize)
    physical = ((pte & 0xfffff000) | (lin & 0xfff)) >>> 0
    rw = pde & pte & PTE_RW
    us = pde & pte & PTE_US
  }
  // Access rights (SDM Vol. 3A §4.6): user accesses need U/S = 1 in both levels; writes need R/W = 1
  // in both levels for user accesses, and for supervisor accesses only when CR0.WP = 1.
  if (access.user && !us) return end('page-fault', null, errBase | PF_P, pageSize)
  if (access.write && !rw && (access.user || (regs.cr0 & CR0_WP) !== 0))
    return end('page-fault', null, errBase | PF_P, pageSize)
  return end('ok', physical, 0, pageSize)
}

/**
 * The two-dimensional walk of `linear` through the guest's 32-bit paging and the EPT at `eptp`, in
 * host memory `host` (see `vmx/two-dimensional-walk.ts` for the reference count, 14 for a 4 KiB guest
 * page over 4 KiB EPT pages). As that walk, it checks only present bits (and the reserved bits of a
 * 4 MiB PDE) of the guest entries.
 */
export function walkTwoDimensional(
  host: PhysicalMemory,
  eptp: number,
  regs: PagingRegisters,
  linear: number,
  access: GuestAccess = 'read',
): WalkView {
  const lin = linear >>> 0
  const w = twoDimensionalWalk(host, eptp, regs, lin as GuestVirt, access)
  const references = w.references.map((r): WalkReferenceView => ({
    stage: r.stage,
    level: r.level,
    address: r.hostPhys,
    guestPhys: r.guestPhys,
    entry: r.entry >>> 0,
  }))
  const guestRefs = w.references.filter((r) => r.stage === 'guest')
  const lastGuest = guestRefs[guestRefs.length - 1]
  const pageSize: WalkView['pageSize'] =
    lastGuest === undefined
      ? (regs.cr0 & CR0_PG) === 0
        ? 4096
        : null
      : lastGuest.level === 1
        ? 4096
        : (lastGuest.entry & PDE_PS) !== 0 && (regs.cr4 & CR4_PSE) !== 0
          ? 4194304
          : null
  const outcome: WalkOutcome =
    w.outcome === 'ok' ? 'ok' : w.outcome === 'guest-page-fault' ? 'page-fault' : w.outcome
  return {
    dimensions: '2d',
    linear: lin,
    references,
    outcome,
    physical: w.outcome === 'ok' ? w.guestPhys : null,
    hostPhys: w.hostPhys,
    code: w.code,
    pageSize,
    cr3: regs.cr3 >>> 0,
    cr4: regs.cr4 >>> 0,
    eptp: eptp >>> 0,
  }
}

/** A named bit of a paging-structure entry. */
export interface EntryBit {
  readonly name: string
  readonly set: boolean
}

/**
 * The flag bits of a 32-bit paging entry (SDM Vol. 3A Tables 4-5, 4-6): P, R/W, U/S, PWT, PCD, A,
 * D (PTE and 4 MiB PDE), PS (PDE), G (leaves), and the frame it points to.
 */
export function describeGuestEntry(
  level: number,
  entry: number,
  pse: boolean,
): { readonly frame: number; readonly bits: readonly EntryBit[]; readonly leaf: boolean } {
  const large = level === 2 && pse && (entry & PDE_PS) !== 0
  const leaf = level === 1 || large
  const bit = (name: string, n: number): EntryBit => ({ name, set: ((entry >>> n) & 1) === 1 })
  const bits = [bit('P', 0), bit('R/W', 1), bit('U/S', 2), bit('PWT', 3), bit('PCD', 4), bit('A', 5)]
  if (leaf) bits.push(bit('D', 6))
  if (level === 2) bits.push(bit('PS', 7))
  else bits.push(bit('PAT', 7))
  if (leaf) bits.push(bit('G', 8))
  return { frame: (large ? entry & 0xffc00000 : entry & 0xfffff000) >>> 0, bits, leaf }
}

/**
 * The bits of an EPT paging-structure entry (SDM Vol. 3C Tables 29-1 to 29-6): R, W, X, the memory
 * type of a leaf (bits 5:3), ignore-PAT, PS (a 1 GiB or 2 MiB leaf at levels 3 and 2), A and D.
 */
export function describeEptEntry(
  level: number,
  entry: number,
): {
  readonly frame: number
  readonly bits: readonly EntryBit[]
  readonly leaf: boolean
  readonly memoryType: number | null
} {
  const large = (level === 2 || level === 3) && (entry & PDE_PS) !== 0
  const leaf = level === 1 || large
  const bit = (name: string, n: number): EntryBit => ({ name, set: ((entry >>> n) & 1) === 1 })
  const bits = [bit('R', 0), bit('W', 1), bit('X', 2)]
  if (leaf) bits.push(bit('IPAT', 6))
  if (level === 2 || level === 3) bits.push(bit('PS', 7))
  bits.push(bit('A', 8))
  if (leaf) bits.push(bit('D', 9))
  const size = level === 3 && large ? 0x40000000 : level === 2 && large ? 0x200000 : 0x1000
  return {
    frame: (entry & ~(size - 1) & 0xfffff000) >>> 0,
    bits,
    leaf,
    memoryType: leaf ? (entry >>> 3) & 7 : null,
  }
}
