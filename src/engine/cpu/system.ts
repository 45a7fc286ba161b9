/**
 * System instructions (Intel SDM Vol. 2 and Vol. 3A chapter 2): control and debug registers, the
 * descriptor-table registers, MSRs, CPUID, RDTSC, HLT, CLI/STI/PUSHF/POPF with their IOPL rules, port
 * I/O with the I/O permission bitmap, SYSENTER/SYSEXIT. Every privileged instruction executed at
 * CPL > 0 raises #GP(0) before anything else (SDM Vol. 3A §5.9); the VMX seam is offered each
 * instruction after its fault checks (vmx-seam.ts).
 */
import type { Cpu } from './cpu'
import {
  A_UNUSABLE,
  CR0_CD,
  CR0_DEFINED,
  CR0_ET,
  CR0_NW,
  CR0_PE,
  CR0_PG,
  CR0_TS,
  CR0_WP,
  CR4_DE,
  CR4_PCE,
  CR4_PGE,
  CR4_PSE,
  CR4_SUPPORTED,
  CR4_TSD,
  HALT_STOP,
  HALT_WAIT,
  SYS_TSS32_AVAIL,
  SYS_TSS32_BUSY,
  Vec,
} from './constants'
import { SG_REG, Seg } from './decoded'
import { AC, ARITH, DF, ID, IF, IOPL, NT, RF, TF, VM, readEflags } from './flags'
import { EventKind, RingCause, SensitiveInsn } from '../trace/schema'
import { VMX_INSN_EXIT } from './vmx-seam'
import { ExitReason } from '../vmx/exit-reasons'
import {
  CrAccessType,
  crAccessQualification,
  ioQualification,
  movDrQualification,
} from '../vmx/qualification'
import {
  PROC_USE_TSC_OFFSETTING,
  cr0AfterClts,
  cr0AfterLmsw,
  cr0AfterMov,
  cr4AfterMov,
  guestReadCr0,
  guestReadCr4,
} from '../vmx/controls'
import { cpuidLeaf } from './cpuid'
import { PrivilegedInsn } from './interceptors'

/** #GP(0) at CPL > 0 (offered to the privileged-instruction interceptor first). */
function privileged(c: Cpu, kind: PrivilegedInsn): void {
  if (c.cpl !== 0) c.privilegedFault(kind)
}

// ------------------------------------------------------------------ I/O

/**
 * I/O permission (SDM Vol. 1 §18.5, Figure 18-2): allowed when CPL ≤ IOPL; otherwise every bit for the
 * accessed ports in the TSS I/O permission bitmap must be 0, else #GP(0). The bitmap is read as two
 * bytes at the I/O map base (TSS offset 102) + port/8, which must lie within the TSS limit.
 */
export function ioPermission(c: Cpu, port: number, size: number, kind: PrivilegedInsn): void {
  const iopl = (c.fl >>> 12) & 3
  if (c.cpl <= iopl) return
  const type = c.trAttr & 0xf
  if (c.trAttr & A_UNUSABLE || (type !== SYS_TSS32_AVAIL && type !== SYS_TSS32_BUSY)) c.privilegedFault(kind)
  const lim = c.trLimit >>> 0
  if (lim < 103) c.privilegedFault(kind)
  const mapBase = c.rdPriv((c.trBase + 102) | 0, 2, false)
  const at = mapBase + (port >>> 3)
  if (at + 1 > lim) c.privilegedFault(kind)
  const bits = c.rdPriv((c.trBase + at) | 0, 2, false)
  if (bits & (((1 << size) - 1) << (port & 7))) c.privilegedFault(kind)
}

/** Reads a port through the bus (or the emulating monitor's route), reporting it as a PortIo event. */
export function ioInValue(c: Cpu, port: number, size: number): number {
  c.syncClock()
  const v =
    (c.ioRoute !== null ? c.ioRoute.portIn(port, size as 1 | 2 | 4) : c.ports.in(port, size as 1 | 2 | 4)) >>>
    0
  c.sink.emit(EventKind.PortIo, size | 0x100, port, v)
  c.brk = 1
  return v
}

export function ioOutValue(c: Cpu, port: number, size: number, v: number): void {
  c.syncClock()
  const val = size === 4 ? v >>> 0 : v & (size === 2 ? 0xffff : 0xff)
  if (c.ioRoute !== null) c.ioRoute.portOut(port, size as 1 | 2 | 4, val)
  else c.ports.out(port, size as 1 | 2 | 4, val)
  c.sink.emit(EventKind.PortIo, size, port, val)
  c.brk = 1
}

/** IN AL/AX/EAX, imm8 or DX. */
export function ioIn(c: Cpu, port: number, size: number): void {
  ioPermission(c, port, size, PrivilegedInsn.In)
  const d = c.dec
  if (
    c.vmx !== null &&
    c.vmxCheck(
      ExitReason.IO_INSTRUCTION,
      ioQualification(port, size as 1 | 2 | 4, true, false, false, d.ext[c.cur] === 0),
    )
  )
    return
  const v = ioInValue(c, port, size)
  if (size === 4) c.r[0] = v
  else if (size === 2) c.r16[0] = v
  else c.r8[0] = v
}

/** OUT imm8 or DX, AL/AX/EAX. */
export function ioOut(c: Cpu, port: number, size: number): void {
  ioPermission(c, port, size, PrivilegedInsn.Out)
  const d = c.dec
  if (
    c.vmx !== null &&
    c.vmxCheck(
      ExitReason.IO_INSTRUCTION,
      ioQualification(port, size as 1 | 2 | 4, false, false, false, d.ext[c.cur] === 0),
    )
  )
    return
  const v = size === 4 ? c.r[0] : size === 2 ? c.r16[0] : c.r8[0]
  ioOutValue(c, port, size, v)
}

// ------------------------------------------------------------------ EFLAGS under IOPL

/** CLI: #GP(0) when CPL > IOPL (no VME/PVI on this CPU; SDM Vol. 2 CLI). */
export function cli(c: Cpu): void {
  if (c.cpl > ((c.fl >>> 12) & 3)) c.privilegedFault(PrivilegedInsn.Cli)
  c.fl &= ~IF
}

/** STI: #GP(0) when CPL > IOPL; sets IF, and when IF was 0 interrupts stay blocked for one more instruction. */
export function sti(c: Cpu): void {
  if (c.cpl > ((c.fl >>> 12) & 3)) c.privilegedFault(PrivilegedInsn.Sti)
  if ((c.fl & IF) === 0) c.shadow = 1
  c.fl |= IF
  c.brk = 1
}

/** PUSHF/PUSHFD: pushes EFLAGS with VM and RF cleared in the image (SDM Vol. 2 PUSHF) — IF and IOPL as they really are. */
export function pushf(c: Cpu, size: number): void {
  c.offerSensitive(SensitiveInsn.Pushf)
  const v = readEflags(c) & ~(VM | RF)
  c.sensitive(SensitiveInsn.Pushf, v)
  if (size === 4) c.push32(v)
  else c.push16(v & 0xffff)
}

/**
 * POPF/POPFD (SDM Vol. 2 POPF, protected mode): at CPL 0 every flag but VIF/VIP/VM may change; at
 * 0 < CPL ≤ IOPL IOPL stays; at CPL > IOPL IF and IOPL both stay — silently, without a fault. RF is
 * cleared. (The silent IF case is the Popek–Goldberg hole of x86-virtualization-facts.md §2.2.)
 */
export function popf(c: Cpu, size: number): void {
  c.offerSensitive(SensitiveInsn.Popf)
  const v = size === 4 ? c.pop32() : c.pop16()
  let changeable = ARITH | TF | DF | NT | AC | ID
  const iopl = (c.fl >>> 12) & 3
  if (c.cpl === 0) changeable |= IF | IOPL
  else if (c.cpl <= iopl) changeable |= IF
  if (size === 2) changeable &= 0xffff
  c.sensitive(SensitiveInsn.Popf, v & IF ? 1 : 0)
  const cur = readEflags(c)
  c.setEflags(((cur & ~changeable) | (v & changeable)) & ~RF)
}

// ------------------------------------------------------------------ HLT, CPUID, TSC, MSRs

/** HLT: #GP(0) at CPL > 0; stops until an interrupt (IF = 1) or for good (IF = 0). */
export function hlt(c: Cpu): void {
  privileged(c, PrivilegedInsn.Hlt)
  if (c.vmx !== null && c.vmxCheck(ExitReason.HLT, 0)) return
  const at = c.insnEip()
  c.eip = c.nextEip()
  const ifClear = (c.fl & IF) === 0
  c.halted = ifClear ? HALT_STOP : HALT_WAIT
  c.syncClock()
  c.sink.emit(EventKind.Halt, 0, at >>> 0, ifClear ? 1 : 0)
  c.brk = 1
}

/** CPUID (SDM Vol. 2 CPUID); models override leaves through `cpuidOverrides`. */
export function cpuid(c: Cpu): void {
  if (c.vmx !== null && c.vmxCheck(ExitReason.CPUID, 0)) return
  const r = c.r
  const v = cpuidLeaf(c, r[0] >>> 0, r[1] >>> 0)
  r[0] = v[0]
  r[3] = v[1]
  r[1] = v[2]
  r[2] = v[3]
}

/**
 * Time-stamp counter = clock.cycles + the offset set by writes to IA32_TIME_STAMP_COUNTER, modulo 2⁶⁴;
 * in VMX non-root operation with "use TSC offsetting", plus the VMCS TSC offset (SDM Vol. 3C §26.3:
 * RDTSC and RDMSR of IA32_TIME_STAMP_COUNTER that do not exit).
 */
export function readTsc(c: Cpu, out: Int32Array): void {
  const cyc = c.clock.cycles
  const cl = cyc % 0x100000000
  const ch = Math.floor(cyc / 0x100000000)
  let lo = cl + (c.tscOffLo >>> 0)
  let hi = ch + (c.tscOffHi >>> 0) + (lo >= 0x100000000 ? 1 : 0)
  lo = lo >>> 0
  const v = c.vmx?.vmcs
  if (v !== undefined && v.procControls & PROC_USE_TSC_OFFSETTING) {
    const sum = lo + v.tscOffsetLo
    hi += v.tscOffsetHi + (sum >= 0x100000000 ? 1 : 0)
    lo = sum
  }
  out[0] = lo | 0
  out[1] = hi | 0
}

const tsc = new Int32Array(2)

/** RDTSC: #GP(0) at CPL > 0 when CR4.TSD is set (SDM Vol. 2 RDTSC). */
export function rdtsc(c: Cpu): void {
  if (c.cr4 & CR4_TSD && c.cpl !== 0) c.raise(Vec.GP, 0)
  if (c.vmx !== null && c.vmxCheck(ExitReason.RDTSC, 0)) return
  c.syncClock()
  readTsc(c, tsc)
  c.r[0] = tsc[0]
  c.r[2] = tsc[1]
}

/** RDPMC: no performance counters are modelled, so every counter index is invalid: #GP(0). */
export function rdpmc(c: Cpu): void {
  if (c.cpl !== 0 && (c.cr4 & CR4_PCE) === 0) c.raise(Vec.GP, 0)
  if (c.vmx !== null && c.vmxCheck(ExitReason.RDPMC, 0)) return
  c.raise(Vec.GP, 0)
}

/** MSR numbers (SDM Vol. 4). */
export const Msr = {
  TimeStampCounter: 0x10,
  ApicBase: 0x1b,
  FeatureControl: 0x3a,
  SysenterCs: 0x174,
  SysenterEsp: 0x175,
  SysenterEip: 0x176,
} as const

/**
 * RDMSR: the MSRs a 32-bit guest needs. Anything else — IA32_EFER among them, since CPUID reports
 * neither long mode, NX nor SYSCALL — raises #GP(0), as for an MSR the processor does not have.
 */
export function rdmsr(c: Cpu): void {
  privileged(c, PrivilegedInsn.Rdmsr)
  if (c.vmx !== null && c.vmxCheck(ExitReason.MSR_READ, 0)) return
  const r = c.r
  let lo = 0
  let hi = 0
  switch (r[1] >>> 0) {
    case Msr.TimeStampCounter:
      c.syncClock()
      readTsc(c, tsc)
      lo = tsc[0]
      hi = tsc[1]
      break
    case Msr.ApicBase:
      lo = c.apicBase
      break
    case Msr.FeatureControl:
      lo = c.featureControl
      break
    case Msr.SysenterCs:
      lo = c.sysenterCs
      break
    case Msr.SysenterEsp:
      lo = c.sysenterEsp
      break
    case Msr.SysenterEip:
      lo = c.sysenterEip
      break
    default:
      c.raise(Vec.GP, 0)
  }
  r[0] = lo
  r[2] = hi
}

/** WRMSR (see {@link rdmsr}); IA32_FEATURE_CONTROL is read-only once its lock bit is set. */
export function wrmsr(c: Cpu): void {
  privileged(c, PrivilegedInsn.Wrmsr)
  if (c.vmx !== null && c.vmxCheck(ExitReason.MSR_WRITE, 0)) return
  const r = c.r
  const lo = r[0]
  const hi = r[2]
  switch (r[1] >>> 0) {
    case Msr.TimeStampCounter: {
      // offset = value − cycles (mod 2⁶⁴)
      c.syncClock()
      const cyc = c.clock.cycles
      const cl = cyc % 0x100000000
      const ch = Math.floor(cyc / 0x100000000)
      const l = (lo >>> 0) - cl
      c.tscOffLo = l | 0
      c.tscOffHi = ((hi >>> 0) - ch - (l < 0 ? 1 : 0)) | 0
      break
    }
    case Msr.ApicBase:
      c.apicBase = lo & 0xfffff900
      break
    case Msr.FeatureControl:
      if (c.featureControl & 1) c.raise(Vec.GP, 0)
      c.featureControl = lo & 0x7
      break
    case Msr.SysenterCs:
      c.sysenterCs = lo & 0xffff
      break
    case Msr.SysenterEsp:
      c.sysenterEsp = lo
      break
    case Msr.SysenterEip:
      c.sysenterEip = lo
      break
    default:
      c.raise(Vec.GP, 0)
  }
}

// ------------------------------------------------------------------ SYSENTER / SYSEXIT

/** Loads flat hidden parts into CS and SS for SYSENTER/SYSEXIT (SDM Vol. 2 SYSENTER: fixed values, not read from the GDT). */
function flatCsSs(c: Cpu, cs: number, ss: number, dpl: number): void {
  c.sel[Seg.CS] = cs
  c.base[Seg.CS] = 0
  c.limit[Seg.CS] = -1
  c.attr[Seg.CS] = 0x9b | (dpl << 5) | 0xcf00
  c.sel[Seg.SS] = ss
  c.base[Seg.SS] = 0
  c.limit[Seg.SS] = -1
  c.attr[Seg.SS] = 0x93 | (dpl << 5) | 0xcf00
  c.updateSegSlow()
}

/** SYSENTER: #GP(0) when IA32_SYSENTER_CS[15:2] is 0; enters CPL 0 at SYSENTER_EIP with IF, VM, RF cleared. */
export function sysenter(c: Cpu): void {
  const cs = c.sysenterCs & 0xfffc
  if (cs === 0 || (c.cr0 & CR0_PE) === 0) c.raise(Vec.GP, 0)
  const old = c.insnEip()
  c.fl &= ~(VM | IF | RF)
  flatCsSs(c, cs, (cs + 8) & 0xffff, 0)
  c.r[4] = c.sysenterEsp
  c.eip = c.sysenterEip
  c.syncClock()
  c.setCpl(0, RingCause.Sysenter, old)
}

/** SYSEXIT: #GP(0) at CPL ≠ 0 or with SYSENTER_CS[15:2] = 0; returns to CPL 3 at EDX with ESP = ECX. */
export function sysexit(c: Cpu): void {
  const base = c.sysenterCs & 0xffff
  if ((base & 0xfffc) === 0 || (c.cr0 & CR0_PE) === 0 || c.cpl !== 0) c.raise(Vec.GP, 0)
  const old = c.insnEip()
  flatCsSs(c, ((base + 16) | 3) & 0xffff, ((base + 24) | 3) & 0xffff, 3)
  c.r[4] = c.r[1]
  c.eip = c.r[2]
  c.syncClock()
  c.setCpl(3, RingCause.Sysexit, old)
}

// ------------------------------------------------------------------ control and debug registers

/**
 * MOV to CR0/CR2/CR3/CR4 (SDM Vol. 2 "MOV—Move to/from Control Registers"): CR1, CR5–CR7 → #UD;
 * CR0 with PG and not PE, or NW and not CD → #GP(0); clearing PE (back to real mode) is not modelled
 * and raises #GP(0); setting a CR4 bit this CPU lacks → #GP(0). Changes that affect translations
 * flush the TLB (SDM Vol. 3A §4.10.4.1); a CR3 load keeps global pages. In VMX non-root operation a
 * MOV to CR0/CR4 that does not exit leaves the bits the guest/host mask owns unchanged (SDM Vol. 3C §26.3).
 */
export function movToCr(c: Cpu, cr: number, gpr: number): void {
  if (cr === 1 || cr > 4) c.raise(Vec.UD, -1)
  privileged(c, PrivilegedInsn.MovToCr)
  if (
    c.vmx !== null &&
    c.vmxCheck(ExitReason.CR_ACCESS, crAccessQualification(cr, CrAccessType.MovToCr, gpr))
  )
    return
  const v = c.r[gpr]
  switch (cr) {
    case 0: {
      let nv = (v & CR0_DEFINED) | CR0_ET
      if (c.vmx !== null) nv = cr0AfterMov(c.vmx.vmcs, c.cr0, nv) | 0
      if ((nv & CR0_PG && !(nv & CR0_PE)) || (nv & CR0_NW && !(nv & CR0_CD)) || !(nv & CR0_PE))
        c.raise(Vec.GP, 0)
      const changed = c.cr0 ^ nv
      c.cr0 = nv
      if (changed & (CR0_PG | CR0_WP | CR0_PE)) c.flushTlb(true)
      c.updateMasks()
      break
    }
    case 2:
      c.cr2 = v
      break
    case 3:
      c.cr3 = v
      c.flushTlb(false)
      break
    default: {
      if (v & ~CR4_SUPPORTED) c.raise(Vec.GP, 0)
      const nv = c.vmx !== null ? cr4AfterMov(c.vmx.vmcs, c.cr4, v) | 0 : v
      const changed = c.cr4 ^ nv
      c.cr4 = nv
      if (changed & (CR4_PSE | CR4_PGE)) c.flushTlb(true)
      break
    }
  }
  c.brk = 1
}

/** MOV from CR0/CR2/CR3/CR4; in VMX non-root operation CR0 and CR4 read their host-owned bits from the read shadows (SDM Vol. 3C §26.3). */
export function movFromCr(c: Cpu, cr: number, gpr: number): void {
  if (cr === 1 || cr > 4) c.raise(Vec.UD, -1)
  privileged(c, PrivilegedInsn.MovFromCr)
  if (
    c.vmx !== null &&
    c.vmxCheck(ExitReason.CR_ACCESS, crAccessQualification(cr, CrAccessType.MovFromCr, gpr))
  )
    return
  const vmcs = c.vmx?.vmcs
  if (cr === 0) c.r[gpr] = vmcs !== undefined ? guestReadCr0(vmcs, c.cr0) | 0 : c.cr0
  else if (cr === 4) c.r[gpr] = vmcs !== undefined ? guestReadCr4(vmcs, c.cr4) | 0 : c.cr4
  else c.r[gpr] = cr === 2 ? c.cr2 : c.cr3
}

/** MOV DRn: #GP(0) at CPL > 0; DR4/DR5 alias DR6/DR7 unless CR4.DE, which makes them #UD (SDM Vol. 3A §17.2.2). */
function drIndex(c: Cpu, dr: number): number {
  if (dr === 4 || dr === 5) {
    if (c.cr4 & CR4_DE) c.raise(Vec.UD, -1)
    return dr + 2
  }
  return dr
}

export function movToDr(c: Cpu, dr: number, gpr: number): void {
  privileged(c, PrivilegedInsn.MovToDr)
  const n = drIndex(c, dr)
  if (c.vmx !== null && c.vmxCheck(ExitReason.DR_ACCESS, movDrQualification(dr, false, gpr))) return
  const v = c.r[gpr]
  if (n === 6) c.dr[6] = (v & 0xe00f) | 0xffff0ff0
  else if (n === 7) c.dr[7] = (v & 0xffff2bff) | 0x400
  else c.dr[n] = v
}

export function movFromDr(c: Cpu, dr: number, gpr: number): void {
  privileged(c, PrivilegedInsn.MovFromDr)
  const n = drIndex(c, dr)
  if (c.vmx !== null && c.vmxCheck(ExitReason.DR_ACCESS, movDrQualification(dr, true, gpr))) return
  c.r[gpr] = c.dr[n]
}

/** CLTS: clears CR0.TS (in VMX non-root operation, not when the CR0 mask owns TS, SDM Vol. 3C §26.3). */
export function clts(c: Cpu): void {
  privileged(c, PrivilegedInsn.Clts)
  if (c.vmx !== null && c.vmxCheck(ExitReason.CR_ACCESS, crAccessQualification(0, CrAccessType.Clts))) return
  c.cr0 = c.vmx !== null ? cr0AfterClts(c.vmx.vmcs, c.cr0) | 0 : c.cr0 & ~CR0_TS
}

/** LMSW: loads CR0[3:0] but cannot clear PE (SDM Vol. 2 LMSW); in non-root operation host-owned bits stay. */
export function lmsw(c: Cpu, v: number, memory: boolean): void {
  privileged(c, PrivilegedInsn.Lmsw)
  if (
    c.vmx !== null &&
    c.vmxCheck(ExitReason.CR_ACCESS, crAccessQualification(0, CrAccessType.Lmsw, 0, v, memory))
  )
    return
  c.cr0 = c.vmx !== null ? cr0AfterLmsw(c.vmx.vmcs, c.cr0, v) | 0 : (c.cr0 & ~0xe) | (v & 0xf) | CR0_PE
}

/**
 * SMSW: stores CR0 (low 16 bits to memory or a 16-bit register; all of it to a 32-bit register) at
 * any CPL; in VMX non-root operation the host-owned bits come from the CR0 read shadow.
 */
export function smsw(c: Cpu, i: number): void {
  c.offerSensitive(SensitiveInsn.Smsw)
  const d = c.dec
  const cr0 = c.vmx !== null ? guestReadCr0(c.vmx.vmcs, c.cr0) | 0 : c.cr0
  c.sensitive(SensitiveInsn.Smsw, cr0 & 0xffff)
  const size = d.sz[i]
  if (d.sg[i] & SG_REG) {
    if (size === 4) c.r[d.r2[i]] = cr0
    else c.r16[d.r2[i] << 1] = cr0
  } else c.wr16(c.lin(i, 2, true), cr0 & 0xffff)
}

/** INVD/WBINVD: caches are not modelled; privileged no-ops. */
export function invd(c: Cpu, writeBack: boolean): void {
  privileged(c, writeBack ? PrivilegedInsn.Wbinvd : PrivilegedInsn.Invd)
  if (c.vmx !== null && c.vmxCheck(writeBack ? ExitReason.WBINVD : ExitReason.INVD, 0)) return
}

/** INVLPG m: drops the TLB entry of the page containing the linear address (no memory access). */
export function invlpgInsn(c: Cpu, i: number): void {
  privileged(c, PrivilegedInsn.Invlpg)
  const lin = (c.ea(i) + c.base[c.dec.sg[i] & 7]) | 0
  if (c.vmx !== null && c.vmxCheck(ExitReason.INVLPG, lin)) return
  c.invlpg(lin)
}

// ------------------------------------------------------------------ descriptor-table registers

/** LGDT/LIDT m16&32 (#GP(0) at CPL > 0); with a 16-bit operand size only 24 bits of base are loaded. */
export function lgdtLidt(c: Cpu, i: number, idt: boolean): void {
  privileged(c, idt ? PrivilegedInsn.Lidt : PrivilegedInsn.Lgdt)
  if (c.vmx !== null && c.vmxCheck(ExitReason.GDTR_IDTR, 0)) return
  const lin = c.lin(i, 6, false)
  const limit = c.rd16(lin)
  let base = c.rd32((lin + 2) | 0)
  if (c.dec.sz[i] === 2) base &= 0xffffff
  if (idt) {
    c.idtBase = base
    c.idtLimit = limit
  } else {
    c.gdtBase = base
    c.gdtLimit = limit
  }
}

/** SGDT/SIDT m: stores the real limit and base at any CPL (sensitive, not privileged). */
export function sgdtSidt(c: Cpu, i: number, idt: boolean): void {
  c.offerSensitive(idt ? SensitiveInsn.Sidt : SensitiveInsn.Sgdt)
  if (c.vmx !== null && c.vmxCheck(ExitReason.GDTR_IDTR, 0)) return
  const base = idt ? c.idtBase : c.gdtBase
  const limit = idt ? c.idtLimit : c.gdtLimit
  c.sensitive(idt ? SensitiveInsn.Sidt : SensitiveInsn.Sgdt, base)
  const lin = c.lin(i, 6, true)
  c.probeWrite(lin, 6, c.cpl === 3)
  c.wr16(lin, limit)
  c.wr32((lin + 2) | 0, c.dec.sz[i] === 2 ? base & 0xffffff : base)
}

/** SLDT/STR: store the LDTR/TR selector at any CPL (a 32-bit register destination is zero-extended). */
export function sldtStr(c: Cpu, i: number, tr: boolean): void {
  c.offerSensitive(tr ? SensitiveInsn.Str : SensitiveInsn.Sldt)
  if (c.vmx !== null && c.vmxCheck(ExitReason.LDTR_TR, 0)) return
  const v = tr ? c.trSel : c.ldtSel
  c.sensitive(tr ? SensitiveInsn.Str : SensitiveInsn.Sldt, v)
  const d = c.dec
  if (d.sg[i] & SG_REG) {
    if (d.sz[i] === 4) c.r[d.r2[i]] = v
    else c.r16[d.r2[i] << 1] = v
  } else c.wr16(c.lin(i, 2, true), v)
}

/** VMX instructions: #UD outside VMX operation; with the seam attached, the monitor decides. */
export function vmxInstruction(c: Cpu, kind: number): void {
  if (c.vmx === null) c.raise(Vec.UD, -1)
  if (c.vmx !== null && c.vmxCheck(VMX_INSN_EXIT[kind] ?? 0, 0)) return
  c.raise(Vec.UD, -1)
}
