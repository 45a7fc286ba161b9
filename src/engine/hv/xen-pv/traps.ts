import { cpuidLeaf } from '../../cpu/cpuid'
import type { TrapSource } from '../../cpu/vmx-seam'
import { PAGE_SHIFT } from '../../machine/memory'
import { HYPERCALL_VECTOR, SharedInfo, TI_DPL_MASK, XEN_MAJOR, XEN_MINOR } from './abi'
import type { XenDomain } from './domain'
import { GuestMemory } from './guest-memory'
import { newBaseptr } from './hypercalls'
import { PageType } from './page-types'
import type { Xen } from './xen'

const GP = 13
const PF = 14
const UD = 6
/** Exceptions that push an error code (SDM Vol. 3A Table 6-1). */
const HAS_ERROR_CODE = (1 << 8) | (1 << 10) | (1 << 11) | (1 << 12) | (1 << 13) | (1 << 14) | (1 << 17)

/** What Xen did with a trap from a PV guest. */
export type TrapOutcome =
  /** Reflected to the guest kernel's trap-table handler (a bounce frame). */
  | { readonly kind: 'bounced'; readonly vector: number }
  /** Handled in Xen: a privileged instruction emulated, a page-table write validated, CPUID answered. */
  | { readonly kind: 'emulated'; readonly what: string }
  /** INT 0x80 through the direct gate: the CPU delivers it, Xen is not involved. */
  | { readonly kind: 'direct' }
  /** The domain could not take it and was crashed. */
  | { readonly kind: 'crashed' }

/** The CPUID leaves Xen answers for its guests: the hypervisor bit, and "XenVMMXenVMM" at 0x40000000. */
function xenCpuid(dom: XenDomain, leaf: number, subleaf: number): readonly [number, number, number, number] {
  const sig = (s: string) =>
    s.charCodeAt(0) | (s.charCodeAt(1) << 8) | (s.charCodeAt(2) << 16) | (s.charCodeAt(3) << 24)
  switch (leaf >>> 0) {
    case 0x40000000:
      return [0x40000002, sig('XenV'), sig('MMXe'), sig('nVMM')]
    case 0x40000001:
      return [(XEN_MAJOR << 16) | XEN_MINOR, 0, 0, 0]
    case 0x40000002:
      return [1, 0x40000000, 0, 0] // one hypercall page, its MSR at 0x40000000
    case 1: {
      const [a, b, c, d] = cpuidLeaf(dom.cpu, 1, subleaf)
      return [a, b, c | (1 << 31), d]
    }
    default:
      return cpuidLeaf(dom.cpu, leaf, subleaf)
  }
}

/** Up to 15 instruction bytes at the vCPU's EIP (fewer where the next page is not mapped). */
function fetch(g: GuestMemory, eip: number): number[] {
  const out: number[] = []
  for (let i = 0; i < 15; i++) {
    const b = g.read((eip + i) >>> 0, 1)
    if (b === null) break
    out.push(b[0]!)
  }
  return out
}

/** Length of a ModRM memory operand (ModRM, SIB, displacement) in 32-bit addressing; null for a register. */
function modrmLength(bytes: readonly number[], at: number): number | null {
  const m = bytes[at]
  if (m === undefined) return null
  const mod = m >>> 6
  const rm = m & 7
  if (mod === 3) return null
  let n = 1
  if (rm === 4) {
    const sib = bytes[at + 1]
    if (sib === undefined) return null
    n++
    if (mod === 0 && (sib & 7) === 5) n += 4
  } else if (mod === 0 && rm === 5) n += 4
  if (mod === 1) n += 1
  else if (mod === 2) n += 4
  return n
}

/**
 * Xen's #GP handler for a PV kernel (xen/arch/x86/pv/emul-priv-op.c): the faulting instruction is
 * decoded and, if Xen emulates it, done on the guest's behalf — MOV from CR0/2/3/4 (CR2 is the virtual
 * one Xen set at the last page fault, CR3 the machine address of the directory), MOV to CR3 (as
 * MMUEXT_NEW_BASEPTR, validated), HLT (as SCHEDOP_block), IN/OUT (a DomU has no ports: reads are all
 * ones, writes dropped), WBINVD/INVD/CLTS (no-ops). CLI/STI would be no-ops only with a virtual IOPL,
 * which Ringside's DomUs do not get [R], so they are reflected as #GP like everything else.
 */
function emulatePrivOp(xen: Xen, dom: XenDomain, g: GuestMemory): string | null {
  const c = dom.cpu
  const b = fetch(g, c.eip)
  let i = 0
  let opsize16 = false
  while (i < b.length && [0x66, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65].includes(b[i]!)) {
    if (b[i] === 0x66) opsize16 = true
    i++
  }
  const op = b[i]
  const done = (len: number, what: string): string => {
    c.eip = (c.eip + i + len) | 0
    return what
  }
  const allOnes = (size: number) => {
    c.r[0] = size === 1 ? (c.r[0]! & ~0xff) | 0xff : size === 2 ? (c.r[0]! & ~0xffff) | 0xffff : -1
  }
  switch (op) {
    case 0xf4:
      xen.setUpcallMask(dom, 0)
      if (!xen.upcallPending(dom)) {
        dom.s.blocked = true
        xen.host.block(dom)
      }
      return done(1, 'hlt')
    case 0xe4:
    case 0xe5:
      allOnes(op === 0xe4 ? 1 : opsize16 ? 2 : 4)
      return done(2, 'in')
    case 0xec:
    case 0xed:
      allOnes(op === 0xec ? 1 : opsize16 ? 2 : 4)
      return done(1, 'in')
    case 0xe6:
    case 0xe7:
      return done(2, 'out')
    case 0xee:
    case 0xef:
      return done(1, 'out')
    case 0x0f:
      break
    default:
      return null
  }
  const op2 = b[i + 1]
  if (op2 === 0x09 || op2 === 0x08) return done(2, op2 === 0x09 ? 'wbinvd' : 'invd')
  if (op2 === 0x06) return done(2, 'clts')
  if (op2 !== 0x20 && op2 !== 0x22) return null
  const m = b[i + 2]
  if (m === undefined || m >>> 6 !== 3) return null
  const cr = (m >>> 3) & 7
  const reg = m & 7
  if (op2 === 0x20) {
    let v: number
    switch (cr) {
      case 0:
        v = c.cr0
        break
      case 2:
        v = dom.s.cr2
        break
      case 3:
        v = dom.s.cr3Mfn << PAGE_SHIFT
        break
      case 4:
        v = c.cr4
        break
      default:
        return null
    }
    c.r[reg] = v
    return done(3, `mov from cr${cr}`)
  }
  const v = c.r[reg]! >>> 0
  switch (cr) {
    case 0:
    case 4:
      return done(3, `mov to cr${cr} (ignored)`) // Xen keeps the real CR0/CR4 [R: it honours CR0.TS]
    case 2:
      dom.s.cr2 = v
      return done(3, 'mov to cr2')
    case 3:
      if (newBaseptr(xen, dom, v >>> PAGE_SHIFT) !== 0) return null
      return done(3, 'mov to cr3')
    default:
      return null
  }
}

/**
 * "Writable page tables" (xen/arch/x86/pv/ro-page-fault.c, ptwr_emulated_update): a PV kernel may
 * write a PTE in place; the page table is mapped read-only, so the write faults into Xen, which decodes
 * the store (MOV r/m32, r32 or MOV r/m32, imm32), validates the new entry as mmu_update would, writes
 * it and skips the instruction. Only entries of validated L1 tables of the domain qualify.
 */
function emulatePtWrite(xen: Xen, dom: XenDomain, g: GuestMemory): boolean {
  const c = dom.cpu
  const cr2 = c.cr2 >>> 0
  if (cr2 & 3) return false
  const pde = xen.mem.read32(((c.cr3 & 0xfffff000) >>> 0) + (cr2 >>> 22) * 4)
  if ((pde & 1) === 0) return false
  const pte = xen.mem.read32(((pde & 0xfffff000) >>> 0) + ((cr2 >>> 12) & 0x3ff) * 4)
  if ((pte & 1) === 0) return false
  const target = pte >>> PAGE_SHIFT
  if (!dom.owns(target) || xen.types.type[target] !== PageType.L1 || xen.types.typeCount[target] === 0)
    return false
  const b = fetch(g, c.eip)
  const op = b[0]
  if (op !== 0x89 && op !== 0xc7) return false
  if (op === 0xc7 && ((b[1] ?? 0) >>> 3) & 7) return false
  const mlen = modrmLength(b, 1)
  if (mlen === null) return false
  let value: number
  let len = 1 + mlen
  if (op === 0x89) value = c.r[(b[1]! >>> 3) & 7]! >>> 0
  else {
    if (b.length < len + 4) return false
    value = (b[len]! | (b[len + 1]! << 8) | (b[len + 2]! << 16) | (b[len + 3]! << 24)) >>> 0
    len += 4
  }
  if (xen.types.writeEntry(dom.domid, (target << PAGE_SHIFT) + (cr2 & 0xfff), value) !== 0) return false
  c.eip = (c.eip + len) | 0
  return true
}

/** The forced-emulation prefix (ud2a; .ascii "xen"; cpuid): Xen emulates the CPUID with its policy. */
const FORCED_CPUID = [0x0f, 0x0b, 0x78, 0x65, 0x6e, 0x0f, 0xa2]

function emulateForcedCpuid(dom: XenDomain, g: GuestMemory): boolean {
  const c = dom.cpu
  const b = fetch(g, c.eip)
  if (FORCED_CPUID.some((v, k) => b[k] !== v)) return false
  const [a, bx, cx, d] = xenCpuid(dom, c.r[0]!, c.r[1]!)
  c.r[0] = a
  c.r[3] = bx
  c.r[1] = cx
  c.r[2] = d
  c.eip = (c.eip + FORCED_CPUID.length) | 0
  return true
}

/**
 * A trap from a PV domain's vCPU reached Xen (exceptions always do: Xen owns the IDT). Page faults
 * set the guest's virtual CR2 (vcpu_info.arch.cr2) before they are reflected, unless they are a
 * write to a page table Xen can emulate; #GP in the ring-1 kernel goes to the privileged-op emulator;
 * #UD checks for the forced-emulation prefix. Software interrupts (INT n) go to the trap-table entry if
 * its DPL allows the caller, else #GP(vector·8 + 2); INT 0x80 through the direct gate never reaches
 * this (the model lets the CPU deliver it).
 */
export function handleTrap(
  xen: Xen,
  dom: XenDomain,
  vector: number,
  errorCode: number,
  source: TrapSource,
  length: number,
): TrapOutcome {
  const c = dom.cpu
  const g = new GuestMemory(c, xen.mem)
  const bounce = (v: number, err: number, len: number): TrapOutcome =>
    xen.bounceTrap(dom, v, err, len) ? { kind: 'bounced', vector: v } : { kind: 'crashed' }
  if (source === 'software') {
    if (vector === 0x80 && dom.s.int80Direct) return { kind: 'direct' }
    const t = dom.s.trapTable[vector]
    if (vector !== HYPERCALL_VECTOR && t && (t.flags & TI_DPL_MASK) >= c.cpl)
      return bounce(vector, -1, length)
    return bounce(GP, vector * 8 + 2, 0)
  }
  const err = (HAS_ERROR_CODE >>> vector) & 1 && vector < 32 ? errorCode : -1
  if (vector === PF) {
    if (c.cpl === 1 && (errorCode & 3) === 3 && emulatePtWrite(xen, dom, g))
      return { kind: 'emulated', what: 'page-table write' }
    dom.s.cr2 = c.cr2 >>> 0
    xen.mem.write32(dom.pages.sharedInfo + SharedInfo.cr2, dom.s.cr2)
  } else if (vector === GP && errorCode === 0 && c.cpl === 1) {
    const what = emulatePrivOp(xen, dom, g)
    if (what !== null) return { kind: 'emulated', what }
  } else if (vector === UD && emulateForcedCpuid(dom, g)) return { kind: 'emulated', what: 'cpuid' }
  return bounce(vector, err, 0)
}
