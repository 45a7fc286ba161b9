/**
 * 32-bit paging (Intel SDM Vol. 3A §4.3, two levels, 4 KiB pages and 4 MiB pages with CR4.PSE),
 * access rights (§4.6: U/S, R/W, CR0.WP), accessed and dirty flags (§4.8), #PF error codes (§4.7)
 * and CR2, and the fill of the CPU's software TLB. With paging off, linear = physical.
 *
 * The walk reads each paging-structure entry through {@link Cpu.guestPhysToHost}: identity on bare
 * metal; with EPT (vmx/vmx-cpu.ts) it is the second stage, translating the guest-physical address of
 * each entry and of the final access (SDM Vol. 3C §29.3.2), and the TLB caches linear → host-physical
 * with the EPT permissions folded into its flags, so cached translations cost nothing extra in
 * non-root operation.
 */
import type { Cpu } from './cpu'
import * as constants from './constants'
import { EventKind, WalkStep } from '../trace/schema'
import { EptQual } from '../vmx/qualification'
// Imported bindings copied once into module constants: loaders that present each import as a getter
// on an exports object (tsx, Vitest) would otherwise turn every use on the hot path into a call.
const {
  CR0_PG,
  CR0_WP,
  CR4_PGE,
  CR4_PSE,
  PF_P,
  PF_RSVD,
  PF_U,
  PF_W,
  PTE_A,
  PTE_D,
  PTE_G,
  PTE_P,
  PTE_PS,
  PTE_RW,
  PTE_US,
  TLB_CODE,
  TLB_GLOBAL,
  TLB_LARGE,
  TLB_MMIO,
  TLB_NOEXEC,
  TLB_NOREAD,
  TLB_NOSUP_W,
  TLB_NOUSER,
  TLB_NOUSER_W,
  TLB_VALID,
  Vec,
} = constants

/** One memory reference of a page walk. */
export interface WalkRef {
  /** 2 = page-directory entry, 1 = page-table entry. */
  readonly level: 2 | 1
  /** Physical address of the entry. */
  readonly address: number
  readonly entry: number
}

/** A page walk as the inspector shows it. */
export interface WalkResult {
  readonly linear: number
  readonly paging: boolean
  readonly refs: readonly WalkRef[]
  /** The physical address, or null when the access would fault. */
  readonly physical: number | null
  /** The #PF error code the access would raise (SDM Vol. 3A §4.7), or null. */
  readonly faultErrorCode: number | null
  readonly pageSize: 4096 | 4194304
}

/** Bits 21:13 of a 4 MiB PDE are reserved when PSE-36 is not supported (SDM Vol. 3A Table 4-4). */
const PDE4M_RESERVED = 0x003fe000

/** Paging-structure accesses through the second stage (SDM Vol. 3C Table 28-7: bit 7 set, bit 8 clear). */
const PAGING_READ = EptQual.READ | EptQual.LINEAR_VALID
const PAGING_WRITE = EptQual.WRITE | EptQual.LINEAR_VALID

/** Host-physical address of the paging-structure entry at guest-physical `addr` (with EPT: may exit). */
function entryHost(c: Cpu, addr: number, lin: number, fetch: boolean): number {
  return c.guestPhysToHost === null ? addr : c.guestPhysToHost(addr, PAGING_READ, lin, fetch)
}

/**
 * Writes back an entry's accessed/dirty flags at `host`, where the walk read it. Through EPT the write
 * needs write permission on that guest-physical page (`perms`, what the read's translation allowed);
 * without it the second stage is asked again for a write, which exits (an EPT violation on a
 * paging-structure access, SDM Vol. 3C §29.3.3.2).
 */
function writeEntry(
  c: Cpu,
  addr: number,
  host: number,
  perms: number,
  v: number,
  lin: number,
  fetch: boolean,
): void {
  if (c.guestPhysToHost !== null && (perms & 2) === 0)
    host = c.guestPhysToHost(addr, PAGING_WRITE, lin, fetch)
  c.physWrite(host, 4, v)
}

function traceRef(c: Cpu, level: number, host: number, entry: number, lin: number): void {
  if (c.traceWalks && c.sink.enabled)
    c.sink.emit(EventKind.PageWalk, WalkStep.Guest | level, host >>> 0, entry >>> 0, lin >>> 0)
}

function pageFault(c: Cpu, lin: number, err: number): never {
  c.excAddr = lin
  return c.raise(Vec.PF, err)
}

/**
 * Translates `lin` for an access (a TLB miss or an access the TLB entry does not allow), sets the
 * accessed/dirty flags, fills the TLB and returns the physical address; raises #PF on a fault.
 */
export function translate(c: Cpu, lin: number, write: boolean, user: boolean, fetch: boolean): number {
  const vpn = lin >>> 12
  let phys: number
  let flags = TLB_VALID
  if ((c.cr0 & CR0_PG) === 0) {
    phys = lin & ~0xfff
  } else {
    const errBase = (write ? PF_W : 0) | (user ? PF_U : 0)
    const pdeAddr = (c.cr3 & 0xfffff000) | ((lin >>> 22) << 2)
    const pdeHost = entryHost(c, pdeAddr, lin, fetch)
    const pdePerms = c.xlatPerms
    const pde = c.physRead(pdeHost, 4)
    traceRef(c, 2, pdeHost, pde, lin)
    if ((pde & PTE_P) === 0) pageFault(c, lin, errBase)
    let rw: number
    let us: number
    let dirty: number
    let global: number
    const large = (pde & PTE_PS) !== 0 && (c.cr4 & CR4_PSE) !== 0
    let pteAddr = 0
    let pteHost = 0
    let ptePerms = 0
    let pte = 0
    if (large) {
      if (pde & PDE4M_RESERVED) pageFault(c, lin, errBase | PF_P | PF_RSVD)
      phys = (pde & 0xffc00000) | (lin & 0x003ff000)
      rw = pde & PTE_RW
      us = pde & PTE_US
      dirty = pde & PTE_D
      global = pde & PTE_G
      flags |= TLB_LARGE
    } else {
      pteAddr = (pde & 0xfffff000) | (((lin >>> 12) & 0x3ff) << 2)
      pteHost = entryHost(c, pteAddr, lin, fetch)
      ptePerms = c.xlatPerms
      pte = c.physRead(pteHost, 4)
      traceRef(c, 1, pteHost, pte, lin)
      if ((pte & PTE_P) === 0) pageFault(c, lin, errBase)
      phys = pte & 0xfffff000
      rw = pde & pte & PTE_RW
      us = pde & pte & PTE_US
      dirty = pte & PTE_D
      global = pte & PTE_G
    }
    const wp = (c.cr0 & CR0_WP) !== 0
    if (user && !us) pageFault(c, lin, errBase | PF_P)
    if (write && !rw && (user || wp)) pageFault(c, lin, errBase | PF_P)
    // Accessed and dirty flags, set only for a translation that succeeds (SDM Vol. 3A §4.8).
    if (large) {
      const want = pde | PTE_A | (write ? PTE_D : 0)
      if (want !== pde) writeEntry(c, pdeAddr, pdeHost, pdePerms, want, lin, fetch)
    } else {
      if ((pde & PTE_A) === 0) writeEntry(c, pdeAddr, pdeHost, pdePerms, pde | PTE_A, lin, fetch)
      const want = pte | PTE_A | (write ? PTE_D : 0)
      if (want !== pte) writeEntry(c, pteAddr, pteHost, ptePerms, want, lin, fetch)
    }
    if (write) dirty = 1
    if (!us) flags |= TLB_NOUSER
    if (!us || !rw || !dirty) flags |= TLB_NOUSER_W
    if ((!rw && wp) || !dirty) flags |= TLB_NOSUP_W
    if (global && c.cr4 & CR4_PGE) flags |= TLB_GLOBAL
  }
  if (c.guestPhysToHost !== null) {
    const access =
      (fetch ? EptQual.FETCH : write ? EptQual.WRITE : EptQual.READ) |
      EptQual.LINEAR_VALID |
      EptQual.TRANSLATION
    phys = c.guestPhysToHost(phys | (lin & 0xfff), access, lin, fetch) & ~0xfff
    const perms = c.xlatPerms
    if ((perms & 1) === 0) flags |= TLB_NOREAD
    if ((perms & 2) === 0) flags |= TLB_NOUSER_W | TLB_NOSUP_W
    if ((perms & 4) === 0) flags |= TLB_NOEXEC
  }
  if (phys < 0 || phys >= c.ramSize) flags |= TLB_MMIO
  else if (c.mem.codePages[phys >>> 12] !== 0) flags |= TLB_CODE
  c.tlbSet(vpn, ((phys ^ lin) & ~0xfff) | flags)
  return phys | (lin & 0xfff) | 0
}

/** Reads a paging-structure entry for the inspector: through the side-effect-free second stage; all ones where there is no RAM behind it. */
function peekEntry(c: Cpu, addr: number): number {
  const host = c.guestPhysPeek === null ? addr : c.guestPhysPeek(addr)
  return host < 0 || host + 4 > c.ramSize ? -1 : c.physRead(host, 4)
}

/**
 * The walk for the inspector: the same references and checks as {@link translate}, with no side
 * effects. Addresses are guest-physical; an entry whose address the second stage does not map reads
 * as all ones.
 */
export function inspectWalk(c: Cpu, lin: number, write: boolean, user: boolean): WalkResult {
  const refs: WalkRef[] = []
  const paging = (c.cr0 & CR0_PG) !== 0
  if (!paging) return { linear: lin, paging, refs, physical: lin, faultErrorCode: null, pageSize: 4096 }
  const errBase = (write ? PF_W : 0) | (user ? PF_U : 0)
  const fail = (err: number, pageSize: 4096 | 4194304): WalkResult => ({
    linear: lin,
    paging,
    refs,
    physical: null,
    faultErrorCode: err,
    pageSize,
  })
  const pdeAddr = (c.cr3 & 0xfffff000) | ((lin >>> 22) << 2)
  const pde = peekEntry(c, pdeAddr) >>> 0
  refs.push({ level: 2, address: pdeAddr >>> 0, entry: pde })
  if ((pde & PTE_P) === 0) return fail(errBase, 4096)
  const large = (pde & PTE_PS) !== 0 && (c.cr4 & CR4_PSE) !== 0
  let phys: number
  let rw: number
  let us: number
  if (large) {
    if (pde & PDE4M_RESERVED) return fail(errBase | PF_P | PF_RSVD, 4194304)
    phys = ((pde & 0xffc00000) | (lin & 0x003fffff)) >>> 0
    rw = pde & PTE_RW
    us = pde & PTE_US
  } else {
    const pteAddr = (pde & 0xfffff000) | (((lin >>> 12) & 0x3ff) << 2)
    const pte = peekEntry(c, pteAddr) >>> 0
    refs.push({ level: 1, address: pteAddr >>> 0, entry: pte })
    if ((pte & PTE_P) === 0) return fail(errBase, 4096)
    phys = ((pte & 0xfffff000) | (lin & 0xfff)) >>> 0
    rw = pde & pte & PTE_RW
    us = pde & pte & PTE_US
  }
  const pageSize = large ? 4194304 : 4096
  if (user && !us) return fail(errBase | PF_P, pageSize)
  if (write && !rw && (user || (c.cr0 & CR0_WP) !== 0)) return fail(errBase | PF_P, pageSize)
  return { linear: lin, paging, refs, physical: phys, faultErrorCode: null, pageSize }
}
