/**
 * 32-bit paging (Intel SDM Vol. 3A §4.3, two levels, 4 KiB pages and 4 MiB pages with CR4.PSE),
 * access rights (§4.6: U/S, R/W, CR0.WP), accessed and dirty flags (§4.8), #PF error codes (§4.7)
 * and CR2, and the fill of the CPU's software TLB. With paging off, linear = physical.
 *
 * The walk reads each paging-structure entry through {@link Cpu.guestPhysToHost}: identity on bare
 * metal; with EPT (Engine III) it becomes the second stage, and the TLB caches linear → host-physical
 * so cached translations cost nothing extra in non-root operation.
 */
import type { Cpu } from './cpu'
import {
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
  TLB_NOSUP_W,
  TLB_NOUSER,
  TLB_NOUSER_W,
  TLB_VALID,
  Vec,
} from './constants'
import { EventKind, WalkStep } from '../trace/schema'

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

function readEntry(c: Cpu, addr: number): number {
  const host = c.guestPhysToHost === null ? addr : c.guestPhysToHost(addr, false)
  return c.physRead(host, 4)
}

function writeEntry(c: Cpu, addr: number, v: number): void {
  const host = c.guestPhysToHost === null ? addr : c.guestPhysToHost(addr, true)
  c.physWrite(host, 4, v)
}

function traceRef(c: Cpu, level: number, addr: number, entry: number, lin: number): void {
  if (c.traceWalks && c.sink.enabled) c.sink.emit(EventKind.PageWalk, WalkStep.Guest | level, addr >>> 0, entry >>> 0, lin >>> 0)
}

function pageFault(c: Cpu, lin: number, err: number): never {
  c.cr2 = lin
  return c.raise(Vec.PF, err)
}

/**
 * Translates `lin` for an access (a TLB miss or an access the TLB entry does not allow), sets the
 * accessed/dirty flags, fills the TLB and returns the physical address; raises #PF on a fault.
 */
export function translate(c: Cpu, lin: number, write: boolean, user: boolean, _fetch: boolean): number {
  const vpn = lin >>> 12
  let phys: number
  let flags = TLB_VALID
  if ((c.cr0 & CR0_PG) === 0) {
    phys = lin & ~0xfff
  } else {
    const errBase = (write ? PF_W : 0) | (user ? PF_U : 0)
    const pdeAddr = (c.cr3 & 0xfffff000) | ((lin >>> 22) << 2)
    const pde = readEntry(c, pdeAddr)
    traceRef(c, 2, pdeAddr, pde, lin)
    if ((pde & PTE_P) === 0) pageFault(c, lin, errBase)
    let rw: number
    let us: number
    let dirty: number
    let global: number
    const large = (pde & PTE_PS) !== 0 && (c.cr4 & CR4_PSE) !== 0
    let pteAddr = 0
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
      pte = readEntry(c, pteAddr)
      traceRef(c, 1, pteAddr, pte, lin)
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
      if (want !== pde) writeEntry(c, pdeAddr, want)
    } else {
      if ((pde & PTE_A) === 0) writeEntry(c, pdeAddr, pde | PTE_A)
      const want = pte | PTE_A | (write ? PTE_D : 0)
      if (want !== pte) writeEntry(c, pteAddr, want)
    }
    if (write) dirty = 1
    if (!us) flags |= TLB_NOUSER
    if (!us || !rw || !dirty) flags |= TLB_NOUSER_W
    if ((!rw && wp) || !dirty) flags |= TLB_NOSUP_W
    if (global && c.cr4 & CR4_PGE) flags |= TLB_GLOBAL
  }
  if (c.guestPhysToHost !== null) phys = c.guestPhysToHost(phys, write) & ~0xfff
  if (phys < 0 || phys >= c.ramSize) flags |= TLB_MMIO
  else if (c.mem.codePages[phys >>> 12] !== 0) flags |= TLB_CODE
  c.tlbSet(vpn, ((phys ^ lin) & ~0xfff) | flags)
  return (phys | (lin & 0xfff)) | 0
}

/** The walk for the inspector: the same references and checks as {@link translate}, with no side effects. */
export function inspectWalk(c: Cpu, lin: number, write: boolean, user: boolean): WalkResult {
  const refs: WalkRef[] = []
  const paging = (c.cr0 & CR0_PG) !== 0
  if (!paging) return { linear: lin, paging, refs, physical: lin, faultErrorCode: null, pageSize: 4096 }
  const errBase = (write ? PF_W : 0) | (user ? PF_U : 0)
  const fail = (err: number, pageSize: 4096 | 4194304): WalkResult => ({ linear: lin, paging, refs, physical: null, faultErrorCode: err, pageSize })
  const pdeAddr = (c.cr3 & 0xfffff000) | ((lin >>> 22) << 2)
  const pde = readEntry(c, pdeAddr) >>> 0
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
    const pte = readEntry(c, pteAddr) >>> 0
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
