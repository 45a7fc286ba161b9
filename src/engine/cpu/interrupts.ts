/**
 * Interrupt and exception delivery in protected mode (Intel SDM Vol. 3A chapter 6): IDT gates
 * (interrupt and trap gates, 16- and 32-bit), the privilege checks for software interrupts, the
 * inter-privilege stack switch through the TSS, the double-fault rules (§6.15, Table 6-5) and the
 * triple fault (shutdown), and IRET to the same or an outer ring.
 *
 * Not modelled (documented in docs/privileged-instructions.md): task gates and IRET with NT = 1
 * (hardware task switching) raise #GP; virtual-8086 mode does not exist (EFLAGS.VM is never set:
 * IRET ignores it); NMI and machine checks are not generated.
 */
import type { Cpu } from './cpu'
import { ABORT, FAULT } from './fault'
import * as constants from './constants'
import { Seg } from './decoded'
import * as flags from './flags'
import { EventKind, RingCause, SensitiveInsn } from '../trace/schema'
import type { TrapSource } from './vmx-seam'
import * as interruptionInfo from '../vmx/interruption-info'
import {
  checkNewSs,
  checkReturnSs,
  desc,
  descAttr,
  descBase,
  descLimit,
  fetchDescriptor,
  loadCsFromDesc,
  loadSsFromDesc,
  nullOuterSegments,
  readTssStack,
  tssStack,
} from './segmentation'
// Imported bindings copied once into module constants: loaders that present each import as a getter
// on an exports object (tsx, Vitest) would otherwise turn every use on the hot path into a call.
const { INTR_INFO_DELIVER_ERROR_CODE, INTR_INFO_VALID, IntrType } = interruptionInfo
const { AC, ARITH, DF, ID, IF, IOPL, NT, RF, TF, VM, readEflags } = flags
const {
  A_P,
  A_S,
  CONTRIBUTORY,
  HAS_ERROR_CODE,
  SYS_INTGATE16,
  SYS_INTGATE32,
  SYS_TASKGATE,
  SYS_TRAPGATE16,
  SYS_TRAPGATE32,
  T_CODE,
  T_CONFORMING,
  Vec,
} = constants

/** Fault-class exceptions (SDM Vol. 3A Table 6-1): the pushed EFLAGS image has RF set (except #DB). */
const FAULT_CLASS =
  (1 << Vec.DE) |
  (1 << Vec.BR) |
  (1 << Vec.UD) |
  (1 << Vec.NM) |
  (1 << 10) |
  (1 << 11) |
  (1 << 12) |
  (1 << 13) |
  (1 << 14) |
  (1 << 16) |
  (1 << 17) |
  (1 << 19)

function causeOf(source: TrapSource): number {
  return source === 'external'
    ? RingCause.Interrupt
    : source === 'software'
      ? RingCause.SoftwareInterrupt
      : RingCause.Exception
}

/**
 * Delivers `vector` through the IDT at `idtBase`/`idtLimit` (SDM Vol. 3A §6.12.1). Raises (throws)
 * the exception any check or push causes, with error codes without EXT (callers add it).
 */
export function deliverThroughIdt(
  c: Cpu,
  vector: number,
  errorCode: number,
  source: TrapSource,
  length: number,
  idtBase: number,
  idtLimit: number,
): void {
  const r = c.r
  const idtErr = vector * 8 + 2
  if (vector * 8 + 7 > idtLimit >>> 0) c.raise(Vec.GP, idtErr)
  const lo = c.rdPriv((idtBase + vector * 8) | 0, 4, false)
  const hi = c.rdPriv((idtBase + vector * 8 + 4) | 0, 4, false)
  const ga = descAttr(hi)
  const type = ga & 0x1f
  if (
    type !== SYS_INTGATE32 &&
    type !== SYS_TRAPGATE32 &&
    type !== SYS_INTGATE16 &&
    type !== SYS_TRAPGATE16 &&
    type !== SYS_TASKGATE
  ) {
    c.raise(Vec.GP, idtErr)
  }
  if (source === 'software' && ((ga >>> 5) & 3) < c.cpl) c.raise(Vec.GP, idtErr)
  if ((ga & A_P) === 0) c.raise(Vec.NP, idtErr)
  // A task gate would switch tasks through the TSS, which is not modelled.
  if (type === SYS_TASKGATE) c.raise(Vec.GP, idtErr)
  const gsize = type >= SYS_INTGATE32 ? 4 : 2
  const trap = type === SYS_TRAPGATE32 || type === SYS_TRAPGATE16
  const tsel = lo >>> 16
  const toff = gsize === 4 ? (lo & 0xffff) | (hi & 0xffff0000) | 0 : lo & 0xffff
  if ((tsel & 0xfffc) === 0) c.raise(Vec.GP, 0)
  const terr = tsel & 0xfffc
  if (!fetchDescriptor(c, tsel)) c.raise(Vec.GP, terr)
  const ta = descAttr(desc.hi)
  if ((ta & A_S) === 0 || (ta & T_CODE) === 0) c.raise(Vec.GP, terr)
  const dpl = (ta >>> 5) & 3
  if (dpl > c.cpl) c.raise(Vec.GP, terr)
  if ((ta & A_P) === 0) c.raise(Vec.NP, terr)
  if (toff >>> 0 > descLimit(desc.lo, desc.hi) >>> 0) c.raise(Vec.GP, 0)
  const csLo = desc.lo
  const csHi = desc.hi
  const csAddr = desc.addr

  let flags = readEflags(c)
  if (source === 'exception' && (FAULT_CLASS >>> vector) & 1) flags |= RF
  // A software interrupt (and INT1) returns after the instruction: `length` is its length, 0 otherwise.
  const retEip = (c.eip + length) | 0
  const oldCs = c.sel[Seg.CS]
  const oldEip = c.eip
  const hasErr = errorCode >= 0
  const n = (hasErr ? 1 : 0) + 3

  if ((ta & T_CONFORMING) === 0 && dpl < c.cpl) {
    // Inter-privilege: new stack from the TSS (SS<dpl>:ESP<dpl>), old SS:ESP pushed on it.
    readTssStack(c, dpl)
    const nss = tssStack.ss
    const nesp = tssStack.esp
    checkNewSs(c, nss, dpl)
    const ssLo = desc.lo
    const ssHi = desc.hi
    const ssAddr = desc.addr
    const ssBase = descBase(ssLo, ssHi)
    const frame = (n + 2) * gsize
    const top = (nesp - frame) | 0
    const ssLimit = descLimit(ssLo, ssHi) >>> 0
    if ((nesp - 1) >>> 0 > ssLimit || top >>> 0 > ssLimit) c.raise(Vec.SS, nss & 0xfffc)
    const user = dpl === 3
    c.probeWrite((ssBase + top) | 0, frame, user)
    let at = (ssBase + nesp) | 0
    at = push(c, at, gsize, c.sel[Seg.SS], user)
    at = push(c, at, gsize, r[4], user)
    at = push(c, at, gsize, flags, user)
    at = push(c, at, gsize, oldCs, user)
    at = push(c, at, gsize, retEip, user)
    if (hasErr) push(c, at, gsize, errorCode, user)
    desc.lo = ssLo
    desc.hi = ssHi
    desc.addr = ssAddr
    loadSsFromDesc(c, nss)
    r[4] = top
    desc.lo = csLo
    desc.hi = csHi
    desc.addr = csAddr
    finishDelivery(c, trap)
    loadCsFromDesc(c, tsel, dpl, toff, causeOf(source), oldEip)
    return
  }
  if ((ta & T_CONFORMING) === 0 && dpl !== c.cpl) c.raise(Vec.GP, terr)
  // Same privilege: the frame goes on the current stack.
  const frame = n * gsize
  const sp = (r[4] - frame) | 0
  const lin = c.segLin(Seg.SS, sp, frame, true)
  const user = c.cpl === 3
  c.probeWrite(lin, frame, user)
  let at = (lin + frame) | 0
  at = push(c, at, gsize, flags, user)
  at = push(c, at, gsize, oldCs, user)
  at = push(c, at, gsize, retEip, user)
  if (hasErr) push(c, at, gsize, errorCode, user)
  r[4] = sp
  desc.lo = csLo
  desc.hi = csHi
  desc.addr = csAddr
  finishDelivery(c, trap)
  loadCsFromDesc(c, tsel, c.cpl, toff, causeOf(source), oldEip)
}

/** Writes one frame slot below linear address `at` (already checked writable); returns the slot's address. */
function push(c: Cpu, at: number, gsize: number, v: number, user: boolean): number {
  const a = (at - gsize) | 0
  c.wrPriv(a, gsize, gsize === 4 ? v : v & 0xffff, user)
  return a
}

/** The interruption-information value (vmx/interruption-info.ts) of an event being delivered. */
function eventInfo(vector: number, type: number, errorCode: number): number {
  return (INTR_INFO_VALID | vector | (type << 8) | (errorCode >= 0 ? INTR_INFO_DELIVER_ERROR_CODE : 0)) >>> 0
}

/** Records the event whose delivery starts (a VM exit during it reports it as IDT-vectoring information). */
function vectoring(c: Cpu, vector: number, type: number, errorCode: number, length: number): void {
  c.vecInfo = eventInfo(vector, type, errorCode)
  c.vecError = errorCode
  c.vecLength = length
}

function contributory(vector: number): boolean {
  return ((CONTRIBUTORY >>> vector) & 1) === 1
}

/** Flags cleared on entry to a handler: TF, NT, RF, VM, and IF for an interrupt gate (SDM Vol. 3A §6.12.1.3). */
function finishDelivery(c: Cpu, trap: boolean): void {
  let f = readEflags(c) & ~(TF | NT | RF | VM)
  if (!trap) f &= ~IF
  c.setEflags(f)
  c.deliveries++
  c.brk = 1
}

/**
 * Delivers an exception through the CPU's IDT, applying the double-fault rules (SDM Vol. 3A §6.15,
 * Table 6-5): a contributory exception during delivery of a contributory one, or a contributory or
 * page fault during delivery of a page fault, becomes #DF(0); any exception while delivering #DF
 * shuts the processor down (triple fault). Other combinations are delivered one after the other.
 * Exceptions raised during delivery get EXT (bit 0) in their error code (§6.13).
 */
export function deliverException(c: Cpu, vector: number, errorCode: number): void {
  let vec = vector
  let err = (HAS_ERROR_CODE >>> vec) & 1 ? errorCode : -1
  // c.vecInfo may describe an event whose delivery raised this exception (a VM exit reports it).
  for (;;) {
    if (vec < 32) c.faultCounts[vec]++
    c.sink.emit(EventKind.Exception, vec, err >>> 0, c.eip >>> 0, vec === Vec.PF ? c.excAddr >>> 0 : 0)
    try {
      if (c.vmx !== null && c.vmx.exception(vec, err, 'exception', 0)) break
      if (vec === Vec.PF) c.cr2 = c.excAddr
      if (c.trapInterceptor !== null && c.trapInterceptor(vec, err, 'exception', 0)) {
        c.deliveries++
        c.brk = 1
        break
      }
      vectoring(c, vec, IntrType.HardwareException, err, 0)
      deliverThroughIdt(c, vec, err, 'exception', 0, c.idtBase, c.idtLimit)
      break
    } catch (e) {
      if (e === ABORT) break
      if (e !== FAULT) throw e
      const nv = c.excVector
      let ne = c.excError
      if (nv !== Vec.PF && (HAS_ERROR_CODE >>> nv) & 1) ne = (ne & 0xfffe) | 1
      if (vec === Vec.DF) {
        tripleFault(c)
        break
      }
      if (
        (contributory(vec) && contributory(nv)) ||
        (vec === Vec.PF && (contributory(nv) || nv === Vec.PF))
      ) {
        vec = Vec.DF
        err = 0
      } else {
        vec = nv
        err = (HAS_ERROR_CODE >>> nv) & 1 ? ne : -1
      }
    }
  }
  c.vecInfo = 0
}

/** Triple fault: the processor enters shutdown (SDM Vol. 3A §6.15 "Interrupt 8"), unless VMX turns it into an exit. */
export function tripleFault(c: Cpu): void {
  if (c.vmx !== null && c.vmx.tripleFault()) return
  c.shutdown = true
  c.brk = 1
  c.sink.emit(EventKind.Shutdown, 0, c.eip >>> 0)
}

/** Acknowledges and delivers a pending external interrupt (at an instruction boundary, IF = 1). */
export function deliverExternal(c: Cpu): void {
  const fromController = c.pendingQueued() === 0
  const vector = c.takeExternal()
  const irq = fromController ? (c.intc?.lastIrq ?? -1) : -1
  c.sink.emit(EventKind.Interrupt, vector, irq >>> 0, c.eip >>> 0)
  if (c.trapInterceptor !== null && c.trapInterceptor(vector, -1, 'external', 0)) {
    c.deliveries++
    return
  }
  deliverEvent(c, vector, IntrType.ExternalInterrupt, -1, 0)
}

/**
 * Delivers an event through the CPU's IDT with its interruption type (vmx/interruption-info.ts): an
 * external interrupt or NMI, a hardware exception (with its error code, -1 for none), a software
 * interrupt or (privileged) software exception with its instruction length — as the hardware does
 * for an event it recognises and as a VM entry does for the event it injects (SDM Vol. 3C §27.6.1).
 * An exception raised by the delivery follows the double-fault rules of {@link deliverException}, and
 * a VM exit during it reports the event as IDT-vectoring information.
 */
export function deliverEvent(c: Cpu, vector: number, type: number, errorCode: number, length: number): void {
  // INT n and INT3/INTO make the gate-DPL check; external interrupts, NMIs, hardware exceptions and INT1 do not.
  const source: TrapSource =
    type === IntrType.ExternalInterrupt
      ? 'external'
      : type === IntrType.SoftwareInterrupt || type === IntrType.SoftwareException
        ? 'software'
        : 'exception'
  vectoring(c, vector, type, errorCode, length)
  try {
    deliverThroughIdt(c, vector, errorCode, source, length, c.idtBase, c.idtLimit)
    c.vecInfo = 0
  } catch (e) {
    if (e === ABORT) {
      c.vecInfo = 0
      return
    }
    if (e !== FAULT) throw e
    const nv = c.excVector
    let ne = c.excError
    if (nv !== Vec.PF && (HAS_ERROR_CODE >>> nv) & 1) ne = (ne & 0xfffe) | 1
    deliverException(c, nv, ne)
  }
}

/**
 * INT n, INT3, INTO, INT1 (SDM Vol. 2 "INT n/INTO/INT3/INT1"): the gate's DPL must be ≥ CPL for INT
 * n/INT3/INTO (else #GP(vector·8 + 2)); INT1 skips that check. The pushed EIP is the next
 * instruction. INT3/INTO/INT1 are reported as Exception events (#BP, #OF, #DB).
 */
export function softwareInterrupt(
  c: Cpu,
  vector: number,
  length: number,
  kind: 'int' | 'int3' | 'into' | 'int1',
): void {
  c.eip = c.insnEip()
  c.syncClock()
  if (kind !== 'int') {
    c.faultCounts[vector]++
    c.sink.emit(EventKind.Exception, vector, 0xffffffff, c.eip >>> 0, 0)
    if (c.vmx !== null && c.vmx.exception(vector, -1, 'software', length)) {
      // A VM exit (exception bitmap): the instruction is abandoned as for Cpu.vmxCheck.
      c.exited = true
      c.brk = 1
      return
    }
  }
  if (c.trapInterceptor !== null && c.trapInterceptor(vector, -1, 'software', length)) {
    c.deliveries++
    c.brk = 1
    return
  }
  // INT1 is delivered like a hardware #DB: no gate DPL check. A fault during delivery reaches
  // deliverException with the event still recorded in c.vecInfo.
  const type =
    kind === 'int'
      ? IntrType.SoftwareInterrupt
      : kind === 'int1'
        ? IntrType.PrivilegedSoftwareException
        : IntrType.SoftwareException
  vectoring(c, vector, type, -1, length)
  deliverThroughIdt(c, vector, -1, kind === 'int1' ? 'exception' : 'software', length, c.idtBase, c.idtLimit)
  c.vecInfo = 0
}

/**
 * IRET/IRETD in protected mode (SDM Vol. 2 IRET "PROTECTED-MODE", "RETURN-TO-SAME/OUTER-PRIVILEGE-
 * LEVEL"): pops EIP, CS, EFLAGS (and ESP, SS when RPL > CPL), with the CS/SS checks of a far return.
 * EFLAGS: IF changes only if CPL ≤ IOPL and IOPL only at CPL 0 — otherwise silently kept (the POPF
 * hole again); VM is ignored since virtual-8086 mode is not modelled. NT = 1 (a task return) raises
 * #GP(0): task switching is not modelled.
 */
export function iret(c: Cpu, size: number): void {
  c.offerSensitive(SensitiveInsn.Iret)
  const r = c.r
  if (c.fl & NT) c.raise(Vec.GP, 0)
  const oldEip = c.insnEip()
  const sp = r[4]
  const eip = size === 4 ? c.rd32(c.segLin(Seg.SS, sp, 4, false)) : c.rd16(c.segLin(Seg.SS, sp, 2, false))
  const cs = c.rd(c.segLin(Seg.SS, (sp + size) | 0, size, false), size) & 0xffff
  const popped =
    size === 4
      ? c.rd32(c.segLin(Seg.SS, (sp + 2 * size) | 0, 4, false))
      : c.rd16(c.segLin(Seg.SS, (sp + 4) | 0, 2, false))
  const err = cs & 0xfffc
  if (err === 0) c.raise(Vec.GP, 0)
  if (!fetchDescriptor(c, cs)) c.raise(Vec.GP, err)
  const a = descAttr(desc.hi)
  const rpl = cs & 3
  if ((a & A_S) === 0 || (a & T_CODE) === 0 || rpl < c.cpl) c.raise(Vec.GP, err)
  const dpl = (a >>> 5) & 3
  if (a & T_CONFORMING ? dpl > rpl : dpl !== rpl) c.raise(Vec.GP, err)
  if ((a & A_P) === 0) c.raise(Vec.NP, err)
  const csLo = desc.lo
  const csHi = desc.hi
  const csAddr = desc.addr

  // The new EFLAGS, by the rules of the CPL the IRET executes at.
  let changeable = ARITH | TF | DF | NT | RF | AC | ID
  const iopl = (c.fl >>> 12) & 3
  if (c.cpl <= iopl) changeable |= IF
  if (c.cpl === 0) changeable |= IOPL
  if (size === 2) changeable &= 0xffff
  const newFlags = (readEflags(c) & ~changeable) | (popped & changeable)
  c.sensitive(SensitiveInsn.Iret, popped & IF ? 1 : 0)

  if (rpl === c.cpl) {
    if (eip >>> 0 > descLimit(csLo, csHi) >>> 0) c.raise(Vec.GP, 0)
    r[4] = (sp + 3 * size) | 0
    c.setEflags(newFlags)
    loadCsFromDesc(c, cs, rpl, size === 4 ? eip : eip & 0xffff, RingCause.Iret, oldEip)
    c.brk = 1
    return
  }
  const at = (sp + 3 * size) | 0
  const nesp = c.rd(c.segLin(Seg.SS, at, size, false), size)
  const nss = c.rd(c.segLin(Seg.SS, (at + size) | 0, size, false), size) & 0xffff
  checkReturnSs(c, nss, rpl)
  const ssLo = desc.lo
  const ssHi = desc.hi
  const ssAddr = desc.addr
  if (eip >>> 0 > descLimit(csLo, csHi) >>> 0) c.raise(Vec.GP, 0)
  c.setEflags(newFlags)
  desc.lo = csLo
  desc.hi = csHi
  desc.addr = csAddr
  loadCsFromDesc(c, cs, rpl, size === 4 ? eip : eip & 0xffff, RingCause.Iret, oldEip)
  desc.lo = ssLo
  desc.hi = ssHi
  desc.addr = ssAddr
  loadSsFromDesc(c, nss)
  r[4] = size === 4 ? nesp : nesp & 0xffff
  nullOuterSegments(c)
  c.brk = 1
}
