/**
 * Protected-mode segmentation and privilege (Intel SDM Vol. 3A chapters 3 and 5): descriptor
 * fetches from the GDT/LDT, segment-register loads with their RPL/DPL/CPL checks, far JMP/CALL/RET
 * through code segments and call gates (with the inter-privilege stack switch through the TSS),
 * LLDT/LTR, and the protection-system queries LAR/LSL/VERR/VERW/ARPL.
 *
 * Error codes follow SDM Vol. 3A §6.13: a selector error code is the selector with RPL cleared
 * (bits 15:3 index, bit 2 TI) plus EXT (bit 0) when the fault arose while delivering an external
 * event. Task gates and TSS descriptors as far-transfer targets would start a hardware task switch,
 * which Ringside does not model: they raise #GP(selector).
 */
import type { Cpu } from './cpu'
import * as constants from './constants'
import { Seg } from './decoded'
import * as flags from './flags'
import { RingCause, SensitiveInsn } from '../trace/schema'
import { ExitReason } from '../vmx/exit-reasons'
import { PrivilegedInsn } from './interceptors'
// Imported bindings copied once into module constants: loaders that present each import as a getter
// on an exports object (tsx, Vitest) would otherwise turn every use on the hot path into a call.
const { ZF, settleFlags } = flags
const {
  A_ACCESSED,
  A_P,
  A_S,
  A_UNUSABLE,
  SYS_CALLGATE16,
  SYS_CALLGATE32,
  SYS_LDT,
  SYS_TSS16_AVAIL,
  SYS_TSS16_BUSY,
  SYS_TSS32_AVAIL,
  SYS_TSS32_BUSY,
  SYS_TASKGATE,
  T_CODE,
  T_CONFORMING,
  T_RW,
  Vec,
} = constants

/** The last descriptor read: its two dwords and linear address. */
export const desc = { lo: 0, hi: 0, addr: 0 }

/**
 * Reads the 8-byte descriptor `sel` selects from the GDT or LDT (implicit supervisor accesses).
 * Returns false when the index lies beyond the table limit or TI = 1 with no usable LDT.
 */
export function fetchDescriptor(c: Cpu, sel: number): boolean {
  const idx = sel & 0xfff8
  let base: number
  let limit: number
  if (sel & 4) {
    if (c.ldtAttr & A_UNUSABLE) return false
    base = c.ldtBase
    limit = c.ldtLimit >>> 0
  } else {
    base = c.gdtBase
    limit = c.gdtLimit >>> 0
  }
  if (idx + 7 > limit) return false
  desc.addr = (base + idx) | 0
  desc.lo = c.rdPriv(desc.addr, 4, false)
  desc.hi = c.rdPriv((desc.addr + 4) | 0, 4, false)
  return true
}

export function descBase(lo: number, hi: number): number {
  return (lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000) | 0
}

/** The byte-granular limit (G = 1 scales by 4 KiB and fills the low 12 bits). */
export function descLimit(lo: number, hi: number): number {
  const l = (lo & 0xffff) | (hi & 0xf0000)
  return hi & 0x800000 ? (l << 12) | 0xfff | 0 : l
}

/** Attributes as kept in a segment register's hidden part (constants.ts A_*). */
export function descAttr(hi: number): number {
  return (hi >>> 8) & 0xffff
}

/** Sets the descriptor's accessed bit in memory if it is clear (SDM Vol. 3A §3.4.5.1). */
function markAccessed(c: Cpu): void {
  if ((desc.hi & (A_ACCESSED << 8)) === 0) {
    desc.hi |= A_ACCESSED << 8
    c.wrPriv((desc.addr + 4) | 0, 4, desc.hi, false)
  }
}

function setSeg(c: Cpu, s: number, sel: number): void {
  c.sel[s] = sel & 0xffff
  c.base[s] = descBase(desc.lo, desc.hi)
  c.limit[s] = descLimit(desc.lo, desc.hi)
  c.attr[s] = descAttr(desc.hi)
}

/**
 * Loads DS/ES/FS/GS/SS in protected mode (SDM Vol. 2 MOV/POP "Operation", Vol. 3A §5.5–5.7): SS needs
 * a present writable data segment with RPL = DPL = CPL (#GP(sel), #SS(sel) if not present, #GP(0) for
 * null); the others take null (marked unusable) or a readable segment whose DPL ≥ max(CPL, RPL)
 * unless it is conforming code (#GP(sel), #NP(sel) if not present).
 */
export function loadSegmentReg(c: Cpu, s: number, sel: number): void {
  sel &= 0xffff
  const err = sel & 0xfffc
  if (s === Seg.SS) {
    if (err === 0) c.raise(Vec.GP, 0)
    if (!fetchDescriptor(c, sel)) c.raise(Vec.GP, err)
    const a = descAttr(desc.hi)
    const dpl = (a >>> 5) & 3
    if ((sel & 3) !== c.cpl || (a & A_S) === 0 || a & T_CODE || (a & T_RW) === 0 || dpl !== c.cpl)
      c.raise(Vec.GP, err)
    if ((a & A_P) === 0) c.raise(Vec.SS, err)
  } else {
    if (err === 0) {
      c.sel[s] = sel
      c.base[s] = 0
      c.limit[s] = 0
      c.attr[s] = A_UNUSABLE
      c.updateSegSlow()
      return
    }
    if (!fetchDescriptor(c, sel)) c.raise(Vec.GP, err)
    const a = descAttr(desc.hi)
    const dpl = (a >>> 5) & 3
    if ((a & A_S) === 0 || (a & (T_CODE | T_RW)) === T_CODE) c.raise(Vec.GP, err)
    const conformingCode = (a & (T_CODE | T_CONFORMING)) === (T_CODE | T_CONFORMING)
    if (!conformingCode && ((sel & 3) > dpl || c.cpl > dpl)) c.raise(Vec.GP, err)
    if ((a & A_P) === 0) c.raise(Vec.NP, err)
  }
  markAccessed(c)
  setSeg(c, s, sel)
  c.updateSegSlow()
}

/** Loads CS from the descriptor in `desc` with RPL = cpl, sets EIP and the CPL (emitting RingChange). */
function loadCs(c: Cpu, sel: number, cpl: number, eip: number, cause: number, oldEip: number): void {
  markAccessed(c)
  setSeg(c, Seg.CS, (sel & 0xfffc) | cpl)
  c.updateSegSlow()
  c.eip = eip
  c.syncClock()
  c.setCpl(cpl, cause, oldEip)
}

/** Checks a code-segment target of a far transfer (descriptor in `desc`); returns its DPL. */
function checkCodeTarget(c: Cpu, sel: number, forCall: boolean): number {
  const err = sel & 0xfffc
  const a = descAttr(desc.hi)
  if ((a & A_S) === 0 || (a & T_CODE) === 0) c.raise(Vec.GP, err)
  const dpl = (a >>> 5) & 3
  if (a & T_CONFORMING) {
    if (dpl > c.cpl) c.raise(Vec.GP, err)
  } else if (!forCall && dpl !== c.cpl) c.raise(Vec.GP, err)
  else if (forCall && dpl > c.cpl) c.raise(Vec.GP, err)
  if ((a & A_P) === 0) c.raise(Vec.NP, err)
  return dpl
}

function checkLimit(c: Cpu, off: number): void {
  if (off >>> 0 > descLimit(desc.lo, desc.hi) >>> 0) c.raise(Vec.GP, 0)
}

/** Reads the inner-ring stack pointer for `cpl` from the current TSS (SDM Vol. 3A §7.2.1, Figures 7-2/7-11). */
export const tssStack = { ss: 0, esp: 0 }
export function readTssStack(c: Cpu, cpl: number): void {
  const type = c.trAttr & 0xf
  const err = c.trSel & 0xfffc
  if (c.trAttr & A_UNUSABLE) c.raise(Vec.TS, err)
  const lim = c.trLimit >>> 0
  if (type === SYS_TSS32_AVAIL || type === SYS_TSS32_BUSY) {
    const off = 4 + 8 * cpl
    if (off + 5 > lim) c.raise(Vec.TS, err)
    tssStack.esp = c.rdPriv((c.trBase + off) | 0, 4, false)
    tssStack.ss = c.rdPriv((c.trBase + off + 4) | 0, 2, false)
  } else {
    const off = 2 + 4 * cpl
    if (off + 3 > lim) c.raise(Vec.TS, err)
    tssStack.esp = c.rdPriv((c.trBase + off) | 0, 2, false)
    tssStack.ss = c.rdPriv((c.trBase + off + 2) | 0, 2, false)
  }
}

/**
 * Checks the new SS for an inter-privilege transfer to `cpl` (SDM Vol. 3A §6.12.1, §5.8.5): #TS(sel)
 * for a null, out-of-table, non-writable or wrong-privilege selector, #SS(sel) if not present.
 * Leaves its descriptor in `desc`. (Callers delivering an external event add EXT to the error code.)
 */
export function checkNewSs(c: Cpu, ss: number, cpl: number): void {
  const err = ss & 0xfffc
  if (err === 0) c.raise(Vec.TS, 0)
  if ((ss & 3) !== cpl) c.raise(Vec.TS, err)
  if (!fetchDescriptor(c, ss)) c.raise(Vec.TS, err)
  const a = descAttr(desc.hi)
  if ((a & A_S) === 0 || a & T_CODE || (a & T_RW) === 0 || ((a >>> 5) & 3) !== cpl) c.raise(Vec.TS, err)
  if ((a & A_P) === 0) c.raise(Vec.SS, err)
}

/** Loads SS from `desc` (already checked). */
export function loadSsFromDesc(c: Cpu, ss: number): void {
  markAccessed(c)
  setSeg(c, Seg.SS, ss)
  c.updateSegSlow()
}

/**
 * Far JMP (SDM Vol. 2 JMP, protected mode): to a code segment, or through a call gate to a segment at
 * the same privilege (a JMP never changes CPL).
 */
export function farJump(c: Cpu, sel: number, off: number): void {
  const oldEip = c.insnEip()
  const err = sel & 0xfffc
  if (err === 0) c.raise(Vec.GP, 0)
  if (!fetchDescriptor(c, sel)) c.raise(Vec.GP, err)
  const a = descAttr(desc.hi)
  if (a & A_S) {
    if ((a & T_CODE) === 0) c.raise(Vec.GP, err)
    const dpl = (a >>> 5) & 3
    if (a & T_CONFORMING) {
      if (dpl > c.cpl) c.raise(Vec.GP, err)
    } else if ((sel & 3) > c.cpl || dpl !== c.cpl) c.raise(Vec.GP, err)
    if ((a & A_P) === 0) c.raise(Vec.NP, err)
    checkLimit(c, off)
    loadCs(c, sel, c.cpl, off, RingCause.FarJump, oldEip)
    return
  }
  const type = a & 0xf
  if (type === SYS_CALLGATE16 || type === SYS_CALLGATE32) {
    const gdpl = (a >>> 5) & 3
    if (gdpl < c.cpl || gdpl < (sel & 3)) c.raise(Vec.GP, err)
    if ((a & A_P) === 0) c.raise(Vec.NP, err)
    const tsel = desc.lo >>> 16
    const toff = type === SYS_CALLGATE32 ? (desc.lo & 0xffff) | (desc.hi & 0xffff0000) | 0 : desc.lo & 0xffff
    if ((tsel & 0xfffc) === 0) c.raise(Vec.GP, 0)
    if (!fetchDescriptor(c, tsel)) c.raise(Vec.GP, tsel & 0xfffc)
    checkCodeTarget(c, tsel, false)
    checkLimit(c, toff)
    loadCs(c, tsel, c.cpl, toff, RingCause.FarJump, oldEip)
    return
  }
  // Task gates and TSS descriptors would switch tasks (not modelled); anything else is invalid.
  c.raise(Vec.GP, err)
}

/**
 * Far CALL (SDM Vol. 2 CALL, protected mode): to a code segment at the same privilege, or through a
 * call gate — to a more privileged non-conforming segment with a stack switch through the TSS, copying
 * the gate's parameter count of dwords/words from the caller's stack (SDM Vol. 3A §5.8.5).
 */
export function farCall(c: Cpu, sel: number, off: number, size: number): void {
  const r = c.r
  const oldEip = c.insnEip()
  const ret = c.nextEip()
  const err = sel & 0xfffc
  if (err === 0) c.raise(Vec.GP, 0)
  if (!fetchDescriptor(c, sel)) c.raise(Vec.GP, err)
  const a = descAttr(desc.hi)
  const oldCs = c.sel[Seg.CS]
  if (a & A_S) {
    if ((a & T_CODE) === 0) c.raise(Vec.GP, err)
    const dpl = (a >>> 5) & 3
    if (a & T_CONFORMING) {
      if (dpl > c.cpl) c.raise(Vec.GP, err)
    } else if ((sel & 3) > c.cpl || dpl !== c.cpl) c.raise(Vec.GP, err)
    if ((a & A_P) === 0) c.raise(Vec.NP, err)
    checkLimit(c, off)
    const lo = desc.lo
    const hi = desc.hi
    const addr = desc.addr
    pushPair(c, size, oldCs, ret)
    desc.lo = lo
    desc.hi = hi
    desc.addr = addr
    loadCs(c, sel, c.cpl, size === 2 ? off & 0xffff : off, RingCause.FarCall, oldEip)
    return
  }
  const type = a & 0xf
  if (type !== SYS_CALLGATE16 && type !== SYS_CALLGATE32) c.raise(Vec.GP, err)
  const gdpl = (a >>> 5) & 3
  if (gdpl < c.cpl || gdpl < (sel & 3)) c.raise(Vec.GP, err)
  if ((a & A_P) === 0) c.raise(Vec.NP, err)
  const gsize = type === SYS_CALLGATE32 ? 4 : 2
  const params = desc.hi & 0x1f
  const tsel = desc.lo >>> 16
  const toff = gsize === 4 ? (desc.lo & 0xffff) | (desc.hi & 0xffff0000) | 0 : desc.lo & 0xffff
  if ((tsel & 0xfffc) === 0) c.raise(Vec.GP, 0)
  if (!fetchDescriptor(c, tsel)) c.raise(Vec.GP, tsel & 0xfffc)
  const dpl = checkCodeTarget(c, tsel, true)
  checkLimit(c, toff)
  const tlo = desc.lo
  const thi = desc.hi
  const taddr = desc.addr
  if ((thi & (T_CONFORMING << 8)) === 0 && dpl < c.cpl) {
    // More privilege: switch to the TSS stack of the target ring.
    readTssStack(c, dpl)
    const nss = tssStack.ss
    const nesp = tssStack.esp
    checkNewSs(c, nss, dpl)
    const ssLo = desc.lo
    const ssHi = desc.hi
    const ssAddr = desc.addr
    const ssBase = descBase(ssLo, ssHi)
    const frame = gsize * (4 + params)
    const top = (nesp - frame) | 0
    const user = dpl === 3
    c.probeWrite((ssBase + top) | 0, frame, user)
    // Read the parameters from the caller's stack before anything changes.
    for (let k = 0; k < params; k++)
      gateParams[k] = c.rd(c.segLin(Seg.SS, (r[4] + k * gsize) | 0, gsize, false), gsize)
    const oldSs = c.sel[Seg.SS]
    const oldEsp = r[4]
    let sp = nesp
    const put = (v: number): void => {
      sp = (sp - gsize) | 0
      c.wrPriv((ssBase + sp) | 0, gsize, gsize === 4 ? v : v & 0xffff, user)
    }
    put(oldSs)
    put(oldEsp)
    for (let k = params - 1; k >= 0; k--) put(gateParams[k])
    put(oldCs)
    put(ret)
    desc.lo = ssLo
    desc.hi = ssHi
    desc.addr = ssAddr
    loadSsFromDesc(c, nss)
    r[4] = sp
    desc.lo = tlo
    desc.hi = thi
    desc.addr = taddr
    loadCs(c, tsel, dpl, toff, RingCause.FarCall, oldEip)
    return
  }
  pushPair(c, gsize, oldCs, ret)
  desc.lo = tlo
  desc.hi = thi
  desc.addr = taddr
  loadCs(c, tsel, c.cpl, toff, RingCause.FarCall, oldEip)
}

/** Parameters a call gate copies (at most 31, the 5-bit count). */
const gateParams = new Int32Array(32)

/** Pushes CS then EIP at `size` (both checked before either is written). */
function pushPair(c: Cpu, size: number, cs: number, eip: number): void {
  const r = c.r
  const sp = (r[4] - 2 * size) | 0
  const lin = c.segLin(Seg.SS, sp, 2 * size, true)
  c.probeWrite(lin, 2 * size, c.cpl === 3)
  c.wr((lin + size) | 0, size, cs)
  c.wr(lin, size, size === 4 ? eip : eip & 0xffff)
  r[4] = sp
}

/**
 * Far RET [imm16] (SDM Vol. 2 RET, protected mode): to the same privilege, or to an outer one
 * (RPL > CPL) popping SS:ESP too and nulling data segment registers the new CPL may not use.
 */
export function farReturn(c: Cpu, size: number, imm: number): void {
  const r = c.r
  const oldEip = c.insnEip()
  const sp = r[4]
  const eip = size === 4 ? c.rd32(c.segLin(Seg.SS, sp, 4, false)) : c.rd16(c.segLin(Seg.SS, sp, 2, false))
  const cs = c.rd(c.segLin(Seg.SS, (sp + size) | 0, size, false), size) & 0xffff
  const err = cs & 0xfffc
  if (err === 0) c.raise(Vec.GP, 0)
  if (!fetchDescriptor(c, cs)) c.raise(Vec.GP, err)
  const a = descAttr(desc.hi)
  const rpl = cs & 3
  if ((a & A_S) === 0 || (a & T_CODE) === 0 || rpl < c.cpl) c.raise(Vec.GP, err)
  const dpl = (a >>> 5) & 3
  if (a & T_CONFORMING ? dpl > rpl : dpl !== rpl) c.raise(Vec.GP, err)
  if ((a & A_P) === 0) c.raise(Vec.NP, err)
  if (rpl === c.cpl) {
    checkLimit(c, eip)
    loadCs(c, cs, rpl, eip, RingCause.FarReturn, oldEip)
    r[4] = (sp + 2 * size + imm) | 0
    return
  }
  const at = (sp + 2 * size + imm) | 0
  const nesp = c.rd(c.segLin(Seg.SS, at, size, false), size)
  const nss = c.rd(c.segLin(Seg.SS, (at + size) | 0, size, false), size) & 0xffff
  const cslo = desc.lo
  const cshi = desc.hi
  const csaddr = desc.addr
  checkReturnSs(c, nss, rpl)
  const sslo = desc.lo
  const sshi = desc.hi
  const ssaddr = desc.addr
  if (eip >>> 0 > descLimit(cslo, cshi) >>> 0) c.raise(Vec.GP, 0)
  desc.lo = cslo
  desc.hi = cshi
  desc.addr = csaddr
  loadCs(c, cs, rpl, eip, RingCause.FarReturn, oldEip)
  desc.lo = sslo
  desc.hi = sshi
  desc.addr = ssaddr
  loadSsFromDesc(c, nss)
  r[4] = (size === 4 ? nesp : nesp & 0xffff) + imm
  nullOuterSegments(c)
}

/** SS checks on a return to an outer ring (RET/IRET): #GP(sel) or #SS(sel) (SDM Vol. 2 RET). */
export function checkReturnSs(c: Cpu, ss: number, rpl: number): void {
  const err = ss & 0xfffc
  if (err === 0) c.raise(Vec.GP, 0)
  if ((ss & 3) !== rpl) c.raise(Vec.GP, err)
  if (!fetchDescriptor(c, ss)) c.raise(Vec.GP, err)
  const a = descAttr(desc.hi)
  if ((a & A_S) === 0 || a & T_CODE || (a & T_RW) === 0 || ((a >>> 5) & 3) !== rpl) c.raise(Vec.GP, err)
  if ((a & A_P) === 0) c.raise(Vec.SS, err)
}

/**
 * After a return to an outer ring, DS/ES/FS/GS holding a data or non-conforming code segment with
 * DPL < CPL are loaded with null (SDM Vol. 2 RET/IRET "RETURN-TO-OUTER-PRIVILEGE-LEVEL").
 */
export function nullOuterSegments(c: Cpu): void {
  for (const s of [Seg.ES, Seg.DS, Seg.FS, Seg.GS]) {
    const a = c.attr[s]
    if (a & A_UNUSABLE) continue
    const conformingCode = (a & (T_CODE | T_CONFORMING)) === (T_CODE | T_CONFORMING)
    if (!conformingCode && ((a >>> 5) & 3) < c.cpl) {
      c.sel[s] = 0
      c.attr[s] = A_UNUSABLE
      c.base[s] = 0
      c.limit[s] = 0
    }
  }
  c.updateSegSlow()
}

/** Loads CS for an IRET/interrupt (used by interrupts.ts). */
export function loadCsFromDesc(
  c: Cpu,
  sel: number,
  cpl: number,
  eip: number,
  cause: number,
  oldEip: number,
): void {
  loadCs(c, sel, cpl, eip, cause, oldEip)
}

// ------------------------------------------------------------------ LDTR and TR

/** LLDT (SDM Vol. 2): #GP(0) at CPL > 0; null invalidates LDTR; otherwise an LDT descriptor in the GDT. */
export function lldt(c: Cpu, sel: number): void {
  if (c.cpl !== 0) c.privilegedFault(PrivilegedInsn.Lldt)
  if (c.vmx !== null && c.vmxCheck(ExitReason.LDTR_TR, 0)) return
  const err = sel & 0xfffc
  if (err === 0) {
    c.ldtSel = sel
    c.ldtAttr = A_UNUSABLE
    c.ldtBase = 0
    c.ldtLimit = 0
    return
  }
  if (sel & 4 || !fetchDescriptor(c, sel)) c.raise(Vec.GP, err)
  const a = descAttr(desc.hi)
  if (a & A_S || (a & 0xf) !== SYS_LDT) c.raise(Vec.GP, err)
  if ((a & A_P) === 0) c.raise(Vec.NP, err)
  c.ldtSel = sel
  c.ldtBase = descBase(desc.lo, desc.hi)
  c.ldtLimit = descLimit(desc.lo, desc.hi)
  c.ldtAttr = a
}

/** LTR (SDM Vol. 2): #GP(0) at CPL > 0 or for null; the descriptor must be an available TSS, which becomes busy. */
export function ltr(c: Cpu, sel: number): void {
  if (c.cpl !== 0) c.privilegedFault(PrivilegedInsn.Ltr)
  if (c.vmx !== null && c.vmxCheck(ExitReason.LDTR_TR, 0)) return
  const err = sel & 0xfffc
  if (err === 0) c.raise(Vec.GP, 0)
  if (sel & 4 || !fetchDescriptor(c, sel)) c.raise(Vec.GP, err)
  const a = descAttr(desc.hi)
  const type = a & 0xf
  if (a & A_S || (type !== SYS_TSS32_AVAIL && type !== SYS_TSS16_AVAIL)) c.raise(Vec.GP, err)
  if ((a & A_P) === 0) c.raise(Vec.NP, err)
  desc.hi |= 2 << 8
  c.wrPriv((desc.addr + 4) | 0, 4, desc.hi, false)
  c.trSel = sel
  c.trBase = descBase(desc.lo, desc.hi)
  c.trLimit = descLimit(desc.lo, desc.hi)
  c.trAttr = descAttr(desc.hi)
}

// ------------------------------------------------------------------ LAR LSL VERR VERW ARPL

function setZF(c: Cpu, on: boolean): void {
  settleFlags(c)
  c.fl = on ? c.fl | ZF : c.fl & ~ZF
}

/** Common checks of LAR/LSL/VERR/VERW: the descriptor exists and its DPL admits CPL and RPL unless it is conforming code. */
function visible(c: Cpu, sel: number): boolean {
  if ((sel & 0xfffc) === 0 || !fetchDescriptor(c, sel)) return false
  const a = descAttr(desc.hi)
  const conformingCode = (a & A_S) !== 0 && (a & (T_CODE | T_CONFORMING)) === (T_CODE | T_CONFORMING)
  const dpl = (a >>> 5) & 3
  return conformingCode || (dpl >= c.cpl && dpl >= (sel & 3))
}

const LAR_SYSTEM_TYPES =
  (1 << SYS_TSS16_AVAIL) |
  (1 << SYS_LDT) |
  (1 << SYS_TSS16_BUSY) |
  (1 << SYS_CALLGATE16) |
  (1 << SYS_TASKGATE) |
  (1 << SYS_TSS32_AVAIL) |
  (1 << SYS_TSS32_BUSY) |
  (1 << SYS_CALLGATE32)
const LSL_SYSTEM_TYPES =
  (1 << SYS_TSS16_AVAIL) |
  (1 << SYS_LDT) |
  (1 << SYS_TSS16_BUSY) |
  (1 << SYS_TSS32_AVAIL) |
  (1 << SYS_TSS32_BUSY)

/**
 * LAR (SDM Vol. 2): ZF = 1 and the access rights (descriptor dword 2 masked with 0x00FFFF00) when the
 * descriptor is visible at this CPL/RPL; ZF = 0 otherwise — never a fault for a bad selector. The
 * answer depends on CPL, which is why a deprivileged kernel sees it (sensitive, not privileged).
 */
export function lar(c: Cpu, sel: number): number | null {
  let v: number | null = null
  if (visible(c, sel)) {
    const a = descAttr(desc.hi)
    if (a & A_S || (LAR_SYSTEM_TYPES >>> (a & 0xf)) & 1) v = desc.hi & 0x00ffff00
  }
  setZF(c, v !== null)
  c.sensitive(SensitiveInsn.Lar, v ?? 0)
  return v
}

/** LSL (SDM Vol. 2): ZF = 1 and the byte-granular limit for a visible segment, TSS or LDT descriptor. */
export function lsl(c: Cpu, sel: number): number | null {
  let v: number | null = null
  if (visible(c, sel)) {
    const a = descAttr(desc.hi)
    if (a & A_S || (LSL_SYSTEM_TYPES >>> (a & 0xf)) & 1) v = descLimit(desc.lo, desc.hi)
  }
  setZF(c, v !== null)
  c.sensitive(SensitiveInsn.Lsl, v ?? 0)
  return v
}

/** VERR/VERW (SDM Vol. 2): ZF = 1 if the segment is readable/writable at this CPL and RPL. */
export function verrw(c: Cpu, sel: number, write: boolean): void {
  let ok = false
  if (visible(c, sel)) {
    const a = descAttr(desc.hi)
    if (a & A_S) {
      if (write) ok = (a & T_CODE) === 0 && (a & T_RW) !== 0
      else ok = (a & T_CODE) === 0 || (a & T_RW) !== 0
      if (ok && a & T_CODE && (a & T_CONFORMING) === 0) {
        const dpl = (a >>> 5) & 3
        ok = dpl >= c.cpl && dpl >= (sel & 3)
      }
    }
  }
  setZF(c, ok)
  c.sensitive(write ? SensitiveInsn.Verw : SensitiveInsn.Verr, ok ? 1 : 0)
}

/** ARPL (SDM Vol. 2): raises the destination selector's RPL to the source's; ZF says whether it changed. */
export function arpl(c: Cpu, dst: number, src: number): number {
  const up = (dst & 3) < (src & 3)
  setZF(c, up)
  return up ? (dst & ~3) | (src & 3) : dst
}
