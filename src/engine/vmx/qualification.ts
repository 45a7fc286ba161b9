/**
 * Exit qualifications and VM-exit instruction information (Intel SDM Vol. 3C §28.2.1 "Basic VM-Exit
 * Information", Tables 28-1 to 28-7, and §28.2.5 "Information for VM Exits Due to Instruction
 * Execution", Tables 28-8 to 28-14). The exit qualification (0x6400) says what exactly an exiting
 * instruction or event was about to do; the instruction-information field (0x440E) describes the
 * operand of instructions whose qualification cannot (descriptor-table and VMX instructions,
 * INS/OUTS). Encoders take positional arguments so the CPU can build a qualification for every
 * exit-capable instruction without allocating; decoders return named fields for the inspector.
 *
 * Where no format is defined the qualification is 0, except:
 * - INVLPG (14): the linear-address operand;
 * - exceptions (0): #PF the faulting linear address (CR2 is not written by the exit), #DB the DR6-like
 *   bits B3:B0, BD, BS;
 * - descriptor-table (46, 47) and VMX-instruction exits: the displacement of the memory operand;
 * - VM-entry failure (33): {@link EntryFailureQualification}.
 */
import { ExitReason } from './exit-reasons'
import { INTR_INFO_VALID, typeNeedsInstructionLength } from './interruption-info'

/** General-purpose register numbers in qualification and instruction-information fields (ModRM order). */
export const GPR_NAMES = ['EAX', 'ECX', 'EDX', 'EBX', 'ESP', 'EBP', 'ESI', 'EDI'] as const
/** Segment register numbers in instruction information (same order as Sreg in ModRM). */
export const SEGMENT_NAMES = ['ES', 'CS', 'SS', 'DS', 'FS', 'GS'] as const

function gprName(n: number): string {
  return GPR_NAMES[n] ?? `R${n}`
}

// ---------------------------------------------------------------------------------------------
// Control-register accesses (28), Table 28-3

/** Access type, bits 5:4. */
export const CrAccessType = { MovToCr: 0, MovFromCr: 1, Clts: 2, Lmsw: 3 } as const
export type CrAccessType = (typeof CrAccessType)[keyof typeof CrAccessType]

/**
 * Bits 3:0 control register (0 for CLTS and LMSW); 5:4 access type; 6 LMSW operand type (0 register,
 * 1 memory); 11:8 general register of MOV CR; 31:16 LMSW source data.
 */
export function crAccessQualification(
  cr: number,
  type: CrAccessType,
  gpr = 0,
  lmswSource = 0,
  lmswMemory = false,
): number {
  return (
    ((cr & 0xf) |
      (type << 4) |
      (lmswMemory ? 1 << 6 : 0) |
      ((gpr & 0xf) << 8) |
      ((lmswSource & 0xffff) << 16)) >>>
    0
  )
}

export interface CrAccessQualification {
  readonly cr: number
  readonly accessType: 'MOV to CR' | 'MOV from CR' | 'CLTS' | 'LMSW'
  readonly gpr: string
  readonly lmswOperand: 'register' | 'memory'
  readonly lmswSource: number
}

export function decodeCrAccess(q: number): CrAccessQualification {
  const t = (q >>> 4) & 3
  return {
    cr: q & 0xf,
    accessType: (['MOV to CR', 'MOV from CR', 'CLTS', 'LMSW'] as const)[t],
    gpr: gprName((q >>> 8) & 0xf),
    lmswOperand: q & (1 << 6) ? 'memory' : 'register',
    lmswSource: q >>> 16,
  }
}

// ---------------------------------------------------------------------------------------------
// MOV DR (29), Table 28-4

/** Bits 2:0 debug register; 4 direction (0 MOV to DR, 1 MOV from DR); 11:8 general register. */
export function movDrQualification(dr: number, fromDr: boolean, gpr: number): number {
  return (dr & 7) | (fromDr ? 1 << 4 : 0) | ((gpr & 0xf) << 8)
}

export interface MovDrQualification {
  readonly dr: number
  readonly direction: 'MOV to DR' | 'MOV from DR'
  readonly gpr: string
}

export function decodeMovDr(q: number): MovDrQualification {
  return { dr: q & 7, direction: q & (1 << 4) ? 'MOV from DR' : 'MOV to DR', gpr: gprName((q >>> 8) & 0xf) }
}

// ---------------------------------------------------------------------------------------------
// I/O instructions (30), Table 28-5

/**
 * Bits 2:0 size of access − 1 (0 byte, 1 word, 3 doubleword); 3 direction (0 OUT, 1 IN); 4 string
 * instruction (INS/OUTS); 5 REP prefixed; 6 operand encoding (0 port in DX, 1 immediate); 31:16 port.
 */
export function ioQualification(
  port: number,
  size: 1 | 2 | 4,
  isIn: boolean,
  string: boolean,
  rep: boolean,
  immediate: boolean,
): number {
  return (
    ((size - 1) |
      (isIn ? 8 : 0) |
      (string ? 0x10 : 0) |
      (rep ? 0x20 : 0) |
      (immediate ? 0x40 : 0) |
      ((port & 0xffff) << 16)) >>>
    0
  )
}

export interface IoQualification {
  readonly size: number
  readonly direction: 'OUT' | 'IN'
  readonly string: boolean
  readonly rep: boolean
  readonly operand: 'DX' | 'immediate'
  readonly port: number
}

export function decodeIo(q: number): IoQualification {
  return {
    size: (q & 7) + 1,
    direction: q & 8 ? 'IN' : 'OUT',
    string: (q & 0x10) !== 0,
    rep: (q & 0x20) !== 0,
    operand: q & 0x40 ? 'immediate' : 'DX',
    port: q >>> 16,
  }
}

// ---------------------------------------------------------------------------------------------
// EPT violation (48), Table 28-7

/** Exit-qualification bits of an EPT violation. */
export const EptQual = {
  /** The access was a data read (also set, with WRITE, for a guest paging-structure access when EPT A/D flags are on). */
  READ: 1 << 0,
  WRITE: 1 << 1,
  FETCH: 1 << 2,
  /** Bits 5:3: the AND of bits 2:0 (R, W, X) of the EPT entries used to translate the address. */
  READABLE: 1 << 3,
  WRITABLE: 1 << 4,
  EXECUTABLE: 1 << 5,
  /** The guest-linear-address field (0x640A) holds the linear address of the access. */
  LINEAR_VALID: 1 << 7,
  /** With LINEAR_VALID: 1 = the access was to the translation of that linear address, 0 = to a guest paging-structure entry. */
  TRANSLATION: 1 << 8,
  NMI_UNBLOCKING: 1 << 12,
} as const

export interface EptViolationQualification {
  readonly read: boolean
  readonly write: boolean
  readonly fetch: boolean
  readonly readable: boolean
  readonly writable: boolean
  readonly executable: boolean
  readonly linearAddressValid: boolean
  /** Only meaningful when the linear address is valid. */
  readonly access: 'translation' | 'paging-structure' | 'no linear address'
  readonly nmiUnblockingDueToIret: boolean
}

export function decodeEptViolation(q: number): EptViolationQualification {
  const linear = (q & EptQual.LINEAR_VALID) !== 0
  return {
    read: (q & EptQual.READ) !== 0,
    write: (q & EptQual.WRITE) !== 0,
    fetch: (q & EptQual.FETCH) !== 0,
    readable: (q & EptQual.READABLE) !== 0,
    writable: (q & EptQual.WRITABLE) !== 0,
    executable: (q & EptQual.EXECUTABLE) !== 0,
    linearAddressValid: linear,
    access: !linear ? 'no linear address' : q & EptQual.TRANSLATION ? 'translation' : 'paging-structure',
    nmiUnblockingDueToIret: (q & EptQual.NMI_UNBLOCKING) !== 0,
  }
}

// ---------------------------------------------------------------------------------------------
// Task switch (9), Table 28-2

/** Bits 31:30 of a task-switch qualification: what started the switch. */
export const TaskSwitchSource = { Call: 0, Iret: 1, Jmp: 2, IdtTaskGate: 3 } as const
export type TaskSwitchSource = (typeof TaskSwitchSource)[keyof typeof TaskSwitchSource]

/** Bits 15:0 selector of the new TSS; 31:30 source. */
export function taskSwitchQualification(selector: number, source: TaskSwitchSource): number {
  return ((selector & 0xffff) | (source << 30)) >>> 0
}

export function decodeTaskSwitch(q: number): {
  readonly selector: number
  readonly source: 'CALL' | 'IRET' | 'JMP' | 'task gate in IDT'
} {
  return { selector: q & 0xffff, source: (['CALL', 'IRET', 'JMP', 'task gate in IDT'] as const)[q >>> 30] }
}

// ---------------------------------------------------------------------------------------------
// VM-entry failure (33), §27.8 "VM-Entry Failures During or After Loading Guest State"

export const EntryFailureQualification = {
  Default: 0,
  PdpteLoad: 2,
  NmiInjection: 3,
  VmcsLinkPointer: 4,
} as const

// ---------------------------------------------------------------------------------------------
// Instruction information (0x440E), Tables 28-9 to 28-14

/** Address size field (bits 9:7). */
export const AddrSize = { Bits16: 0, Bits32: 1, Bits64: 2 } as const
export type AddrSize = (typeof AddrSize)[keyof typeof AddrSize]

const NO_REG = -1

/**
 * The memory-operand part shared by the instruction-information formats: bits 1:0 scaling (index ×1,
 * ×2, ×4, ×8), 9:7 address size, 17:15 segment, 21:18 index register, 22 index invalid, 26:23 base
 * register, 27 base invalid. `index`/`base` are register numbers or -1 when absent.
 */
function memOperandInfo(
  scale: number,
  addrSize: AddrSize,
  segment: number,
  index: number,
  base: number,
): number {
  return (
    (scale & 3) |
    (addrSize << 7) |
    ((segment & 7) << 15) |
    (index === NO_REG ? 1 << 22 : (index & 0xf) << 18) |
    (base === NO_REG ? 1 << 27 : (base & 0xf) << 23)
  )
}

/** A decoded memory operand of an instruction-information value. */
export interface MemOperand {
  readonly scale: number
  readonly addressSize: 16 | 32 | 64
  readonly segment: string
  readonly index: string | null
  readonly base: string | null
}

function decodeMemOperand(info: number): MemOperand {
  return {
    scale: 1 << (info & 3),
    addressSize: ([16, 32, 64] as const)[(info >>> 7) & 3] ?? 64,
    segment: SEGMENT_NAMES[(info >>> 15) & 7] ?? `seg${(info >>> 15) & 7}`,
    index: info & (1 << 22) ? null : gprName((info >>> 18) & 0xf),
    base: info & (1 << 27) ? null : gprName((info >>> 23) & 0xf),
  }
}

/** Instruction identity of exit 46, bits 29:28. */
export const GdtrIdtrInsn = { Sgdt: 0, Sidt: 1, Lgdt: 2, Lidt: 3 } as const
export type GdtrIdtrInsn = (typeof GdtrIdtrInsn)[keyof typeof GdtrIdtrInsn]

/**
 * Instruction information for LGDT, LIDT, SGDT, SIDT (exit 46, Table 28-10): the memory-operand
 * fields, bit 11 operand size (0 16-bit, 1 32-bit), bits 29:28 instruction identity. The exit
 * qualification holds the operand's displacement.
 */
export function gdtrIdtrInfo(
  insn: GdtrIdtrInsn,
  operand32: boolean,
  scale: number,
  addrSize: AddrSize,
  segment: number,
  index: number,
  base: number,
): number {
  return (
    (memOperandInfo(scale, addrSize, segment, index, base) | (operand32 ? 1 << 11 : 0) | (insn << 28)) >>> 0
  )
}

export function decodeGdtrIdtrInfo(
  info: number,
): MemOperand & { readonly instruction: string; readonly operandSize: 16 | 32 } {
  return {
    ...decodeMemOperand(info),
    instruction: (['SGDT', 'SIDT', 'LGDT', 'LIDT'] as const)[(info >>> 28) & 3],
    operandSize: info & (1 << 11) ? 32 : 16,
  }
}

/** Instruction identity of exit 47, bits 29:28. */
export const LdtrTrInsn = { Sldt: 0, Str: 1, Lldt: 2, Ltr: 3 } as const
export type LdtrTrInsn = (typeof LdtrTrInsn)[keyof typeof LdtrTrInsn]

/**
 * Instruction information for LLDT, LTR, SLDT, STR (exit 47, Table 28-11): bit 10 = 1 for a register
 * operand, whose number is in bits 6:3 (the memory fields are then undefined, here 0); otherwise the
 * memory-operand fields. Bits 29:28 instruction identity.
 */
export function ldtrTrInfoReg(insn: LdtrTrInsn, reg: number): number {
  return (((reg & 0xf) << 3) | (1 << 10) | (insn << 28)) >>> 0
}
export function ldtrTrInfoMem(
  insn: LdtrTrInsn,
  scale: number,
  addrSize: AddrSize,
  segment: number,
  index: number,
  base: number,
): number {
  return (memOperandInfo(scale, addrSize, segment, index, base) | (insn << 28)) >>> 0
}

export type RegOrMemOperand = { readonly register: string } | { readonly memory: MemOperand }

function decodeRegOrMem(info: number): RegOrMemOperand {
  return info & (1 << 10) ? { register: gprName((info >>> 3) & 0xf) } : { memory: decodeMemOperand(info) }
}

export function decodeLdtrTrInfo(info: number): {
  readonly instruction: string
  readonly operand: RegOrMemOperand
} {
  return {
    instruction: (['SLDT', 'STR', 'LLDT', 'LTR'] as const)[(info >>> 28) & 3],
    operand: decodeRegOrMem(info),
  }
}

/**
 * VMX-instruction information for VMCLEAR, VMPTRLD, VMPTRST, VMXON, INVEPT, INVVPID (Table 28-13): the
 * memory-operand fields; for INVEPT/INVVPID, bits 31:28 the register holding the type (`reg2`).
 */
export function vmxInsnInfoMem(
  scale: number,
  addrSize: AddrSize,
  segment: number,
  index: number,
  base: number,
  reg2 = 0,
): number {
  return (memOperandInfo(scale, addrSize, segment, index, base) | ((reg2 & 0xf) << 28)) >>> 0
}

/**
 * VMX-instruction information for VMREAD and VMWRITE (Table 28-14): bit 10 = 1 with `reg1` in bits
 * 6:3 for a register operand, else the memory-operand fields; bits 31:28 `reg2` (the register holding
 * the field encoding).
 */
export function vmreadVmwriteInfoReg(reg1: number, reg2: number): number {
  return (((reg1 & 0xf) << 3) | (1 << 10) | ((reg2 & 0xf) << 28)) >>> 0
}

export function decodeVmreadVmwriteInfo(info: number): {
  readonly operand: RegOrMemOperand
  readonly reg2: string
} {
  return { operand: decodeRegOrMem(info), reg2: gprName(info >>> 28) }
}

/**
 * Instruction information for INS/OUTS (Table 28-9; reported because IA32_VMX_BASIC bit 54 = 1): bits
 * 9:7 address size, bits 17:15 the segment of the source operand (OUTS; INS always writes ES:(E)DI).
 */
export function insOutsInfo(addrSize: AddrSize, segment: number): number {
  return (addrSize << 7) | ((segment & 7) << 15)
}

// ---------------------------------------------------------------------------------------------
// VM-exit instruction length (0x440C), §28.2.5

/** Exits caused by executing an instruction (first list of §28.2.5). */
const INSTRUCTION_EXITS: ReadonlySet<number> = new Set([
  ExitReason.CPUID,
  ExitReason.GETSEC,
  ExitReason.HLT,
  ExitReason.INVD,
  ExitReason.INVLPG,
  ExitReason.RDPMC,
  ExitReason.RDTSC,
  ExitReason.RSM,
  ExitReason.VMCALL,
  ExitReason.VMCLEAR,
  ExitReason.VMLAUNCH,
  ExitReason.VMPTRLD,
  ExitReason.VMPTRST,
  ExitReason.VMREAD,
  ExitReason.VMRESUME,
  ExitReason.VMWRITE,
  ExitReason.VMXOFF,
  ExitReason.VMXON,
  ExitReason.CR_ACCESS,
  ExitReason.DR_ACCESS,
  ExitReason.IO_INSTRUCTION,
  ExitReason.MSR_READ,
  ExitReason.MSR_WRITE,
  ExitReason.MWAIT,
  ExitReason.MONITOR,
  ExitReason.PAUSE,
  ExitReason.GDTR_IDTR,
  ExitReason.LDTR_TR,
  ExitReason.INVEPT,
  ExitReason.RDTSCP,
  ExitReason.INVVPID,
  ExitReason.WBINVD,
  ExitReason.XSETBV,
  ExitReason.RDRAND,
  ExitReason.INVPCID,
  ExitReason.ENCLS,
  ExitReason.RDSEED,
  ExitReason.XSAVES,
  ExitReason.XRSTORS,
  ExitReason.PCONFIG,
  ExitReason.UMWAIT,
  ExitReason.TPAUSE,
  ExitReason.LOADIWKEY,
  ExitReason.ENCLV,
])

/**
 * Whether the VM-exit instruction-length field is defined for an exit (§28.2.5): exits caused by
 * executing an instruction; exits for INT3/INTO (software exception, type 6) and INT1 (privileged
 * software exception, type 5); any exit during the delivery of a software interrupt or (privileged)
 * software exception (IDT-vectoring type 4–6); task switches started by CALL, IRET or JMP. Elsewhere
 * (external interrupts, EPT violations of ordinary accesses, …) the field is undefined — a handler
 * that "skips the instruction" there is a hypervisor bug.
 */
export function instructionLengthDefined(
  reason: number,
  qualification: number,
  exitIntrInfo: number,
  idtVectoringInfo: number,
): boolean {
  const basic = reason & 0xffff
  if (INSTRUCTION_EXITS.has(basic)) return true
  if (idtVectoringInfo & INTR_INFO_VALID && typeNeedsInstructionLength((idtVectoringInfo >>> 8) & 7))
    return true
  if (basic === ExitReason.EXCEPTION_NMI && exitIntrInfo & INTR_INFO_VALID) {
    const type = (exitIntrInfo >>> 8) & 7
    return type === 5 || type === 6
  }
  return basic === ExitReason.TASK_SWITCH && qualification >>> 30 !== TaskSwitchSource.IdtTaskGate
}

export type DecodedQualification =
  | CrAccessQualification
  | MovDrQualification
  | IoQualification
  | EptViolationQualification
  | ReturnType<typeof decodeTaskSwitch>
  | { readonly linearAddress: number }
  | { readonly displacement: number }
  | { readonly value: number }

/** Named decoding of an exit qualification for the inspector, by basic exit reason. */
export function decodeQualification(reason: number, q: number): DecodedQualification {
  switch (reason & 0xffff) {
    case ExitReason.CR_ACCESS:
      return decodeCrAccess(q)
    case ExitReason.DR_ACCESS:
      return decodeMovDr(q)
    case ExitReason.IO_INSTRUCTION:
      return decodeIo(q)
    case ExitReason.EPT_VIOLATION:
      return decodeEptViolation(q)
    case ExitReason.TASK_SWITCH:
      return decodeTaskSwitch(q)
    case ExitReason.INVLPG:
      return { linearAddress: q >>> 0 }
    case ExitReason.GDTR_IDTR:
    case ExitReason.LDTR_TR:
      return { displacement: q | 0 }
    default:
      return { value: q >>> 0 }
  }
}
