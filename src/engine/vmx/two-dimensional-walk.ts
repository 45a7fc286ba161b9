/**
 * The two-dimensional page walk: a guest-linear address translated by the guest's own 32-bit page
 * tables, where every guest-physical address on the way — the guest PDE, the guest PTE, and the
 * final guest-physical address — is itself translated through EPT (Intel SDM Vol. 3C §29.3.2 "EPT
 * Translation Mechanism": "the guest-physical address of each paging-structure entry ... is
 * translated using EPT"; 32-bit paging in Vol. 3A §4.3).
 *
 * Memory references when nothing is cached (no TLB, no paging-structure caches), for a 4 KiB guest
 * page over a 4 KiB EPT mapping:
 *
 * ```
 *   CR3 ─▶ GPA of the PDE ─[EPT: PML4E PDPTE PDE PTE = 4]─▶ read the PDE   (1)
 *          GPA of the PTE ─[EPT: 4]──────────────────────▶ read the PTE   (1)
 *          final GPA ───────[EPT: 4]──────────────────────▶ (the access itself is not a walk reference)
 *   = 2 × (4 + 1) + 4 = 14
 * ```
 *
 * In general, with g guest levels and an EPT walk of e references per translation:
 * g × (e + 1) + e. A 4 MiB guest page (CR4.PSE, PDE.PS) has g = 1; a 2 MiB EPT leaf makes e = 3 and a
 * 1 GiB leaf e = 2. Accessed/dirty updates rewrite entries already read and are not counted.
 *
 * This function is an inspection: it reads only, sets no accessed/dirty flag in either dimension,
 * and checks only the present bits (and reserved bits of a 4 MiB PDE) of the guest entries, as a
 * supervisor access; the CPU's own walker does the full protection checks and A/D updates, calling
 * {@link EptWalker.translate} for each guest-physical address.
 */
import type { PhysicalMemory } from '../machine/memory'
import { WalkStep } from '../trace/schema'
import type { GuestPhys, GuestVirt, HostPhys } from '../types'
import { EPT_VIOLATION, EptWalker } from './ept'
import { EptQual } from './qualification'

/** One memory reference of the walk, in the order the processor makes them. */
export interface WalkReference {
  /** `guest`: a guest PDE/PTE read; `ept`: an EPT entry read while translating `guestPhys`. */
  readonly stage: 'guest' | 'ept'
  /** Guest: 2 PDE, 1 PTE. EPT: 4 PML4E … 1 PTE. */
  readonly level: number
  /** Where the entry was read. */
  readonly hostPhys: HostPhys
  /** Bits 31:0 of the entry. */
  readonly entry: number
  /** Guest stage: the entry's own guest-physical address. EPT stage: the address being translated. */
  readonly guestPhys: GuestPhys
  /** The `PageWalk` event reason for this reference: {@link WalkStep} stage | level. */
  readonly step: number
}

export type TwoDimensionalWalkOutcome = 'ok' | 'guest-page-fault' | 'ept-violation' | 'ept-misconfig'

export interface TwoDimensionalWalk {
  readonly references: readonly WalkReference[]
  readonly outcome: TwoDimensionalWalkOutcome
  /** The final guest-physical address (outcome ok), or the one whose EPT translation failed. Null after a guest #PF. */
  readonly guestPhys: GuestPhys | null
  /** The host-physical address of the access (outcome ok). */
  readonly hostPhys: HostPhys | null
  /** Outcome ept-violation: the exit qualification. Outcome guest-page-fault: the #PF error code. Else 0. */
  readonly code: number
}

/** The guest paging state the walk needs (the guest's own CR0, CR3, CR4, not the read shadows). */
export interface GuestPagingState {
  readonly cr0: number
  readonly cr3: number
  readonly cr4: number
}

export type GuestAccess = 'read' | 'write' | 'fetch'

const CR0_PG = 0x80000000
const CR4_PSE = 1 << 4
const PTE_P = 1
const PDE_PS = 1 << 7
/** PDE bits 21:13 of a 4 MiB page: PSE-36 address bits above MAXPHYADDR 32 and reserved bit 21 — must be 0. */
const PDE4M_RESERVED = 0x003fe000

/** Walks `linear` as described above, through the EPT at `eptp`. */
export function twoDimensionalWalk(
  mem: PhysicalMemory,
  eptp: number,
  guest: GuestPagingState,
  linear: GuestVirt,
  access: GuestAccess,
): TwoDimensionalWalk {
  const walker = new EptWalker(mem)
  walker.updateAccessedDirty = false
  const refs: WalkReference[] = []
  let translating = 0
  const onRef = (level: number, hostPhys: number, entryLo: number): void => {
    refs.push({
      stage: 'ept',
      level,
      hostPhys: hostPhys as HostPhys,
      entry: entryLo,
      guestPhys: translating as GuestPhys,
      step: WalkStep.Ept | level,
    })
  }
  const accessBits = access === 'read' ? EptQual.READ : access === 'write' ? EptQual.WRITE : EptQual.FETCH
  const result = (
    outcome: TwoDimensionalWalkOutcome,
    gpa: number | null,
    hpa: number | null,
    code: number,
  ): TwoDimensionalWalk => ({
    references: refs,
    outcome,
    guestPhys: gpa as GuestPhys | null,
    hostPhys: hpa as HostPhys | null,
    code,
  })
  /** EPT-translates `gpa`: the host address, or EPT_VIOLATION / EPT_MISCONFIG (negative). */
  const ept = (gpa: number, bits: number): number => {
    translating = gpa
    return walker.translate(eptp, gpa, bits, onRef)
  }
  const eptFailure = (gpa: number, code: number): TwoDimensionalWalk =>
    code === EPT_VIOLATION
      ? result('ept-violation', gpa, null, walker.qualification)
      : result('ept-misconfig', gpa, null, 0)
  const readGuestEntry = (level: number, gpa: number, hpa: number): number => {
    const entry = mem.read32(hpa)
    refs.push({
      stage: 'guest',
      level,
      hostPhys: hpa as HostPhys,
      entry,
      guestPhys: gpa as GuestPhys,
      step: WalkStep.Guest | level,
    })
    return entry
  }
  const pageFault = (rsvd: boolean): TwoDimensionalWalk =>
    result('guest-page-fault', null, null, (rsvd ? 9 : 0) | (access === 'write' ? 2 : 0))

  const pagingStructure = EptQual.READ | EptQual.LINEAR_VALID
  let gpa = linear >>> 0
  if (guest.cr0 & CR0_PG) {
    const pdeAddr = ((guest.cr3 & 0xfffff000) + ((linear >>> 22) << 2)) >>> 0
    const pdeHost = ept(pdeAddr, pagingStructure)
    if (pdeHost < 0) return eptFailure(pdeAddr, pdeHost)
    const pde = readGuestEntry(2, pdeAddr, pdeHost)
    if ((pde & PTE_P) === 0) return pageFault(false)
    if (guest.cr4 & CR4_PSE && pde & PDE_PS) {
      if (pde & PDE4M_RESERVED) return pageFault(true)
      gpa = ((pde & 0xffc00000) | (linear & 0x3fffff)) >>> 0
    } else {
      const pteAddr = ((pde & 0xfffff000) + (((linear >>> 12) & 0x3ff) << 2)) >>> 0
      const pteHost = ept(pteAddr, pagingStructure)
      if (pteHost < 0) return eptFailure(pteAddr, pteHost)
      const pte = readGuestEntry(1, pteAddr, pteHost)
      if ((pte & PTE_P) === 0) return pageFault(false)
      gpa = ((pte & 0xfffff000) | (linear & 0xfff)) >>> 0
    }
  }
  const hpa = ept(gpa, accessBits | EptQual.LINEAR_VALID | EptQual.TRANSLATION)
  return hpa < 0 ? eptFailure(gpa, hpa) : result('ok', gpa, hpa, 0)
}
