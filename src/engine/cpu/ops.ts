/**
 * Handler numbers of decoded instructions ({@link DecodedInsns}.op) and their properties.
 *
 * "E" is the ModRM r/m operand, a register or memory as decided by `sg & SG_REG` at run time; "G" the
 * ModRM reg operand (`r1`); "I" an immediate. Ops with a 32 suffix are specialised 32-bit forms for
 * the hot path, with "R" a register and "M" a memory r/m operand. Generic ops take the operand size
 * from `sz` (1, 2 or 4).
 *
 * The executor (`execute.ts`) dispatches with a `switch` whose case labels are the numbers below
 * written as literals: V8 compiles a switch to a jump table only for literal labels (imported enum
 * members would turn it into a chain of comparisons, ten times slower). `ops.test.ts` checks that
 * every `case N: // Name` label in the executor agrees with this enum. Append only; keep dense.
 */
export enum Op {
  Ud = 0, // #UD: invalid or unsupported opcode, LOCK where not allowed (ext: reason, for the inspector)
  TooLong = 1, // #GP(0): instruction longer than 15 bytes (SDM Vol. 2 §2.3.11)
  Nop = 2,
  Fpu = 3, // x87 escape D8–DF: #NM if CR0.EM or CR0.TS, else #UD (no x87 unit is modelled)

  MovRR32 = 4, // r1 ← r2
  MovRM32 = 5, // r1 ← [m]
  MovMR32 = 6, // [m] ← r1
  MovRI32 = 7, // r1 ← imm
  MovMI32 = 8, // [m] ← imm
  Lea32 = 9, // r1 ← ea
  AluRR32 = 10, // r1 ← r1 op r2 (ext: 0 ADD 1 OR 2 ADC 3 SBB 4 AND 5 SUB 6 XOR 7 CMP)
  AluRI32 = 11, // r1 ← r1 op imm
  AluRM32 = 12, // r1 ← r1 op [m]
  AluMR32 = 13, // [m] ← [m] op r1
  AluMI32 = 14, // [m] ← [m] op imm
  TestRR32 = 15, // r1 & r2
  TestRI32 = 16, // r1 & imm
  TestMR32 = 17, // [m] & r1
  TestMI32 = 18, // [m] & imm
  IncR32 = 19,
  DecR32 = 20,
  PushR32 = 21,
  PopR32 = 22,
  PushI32 = 23,
  PushM32 = 24,
  MovzxRB32 = 25, // r1 ← zx(r8 r2)
  MovzxMB32 = 26,
  MovzxRW32 = 27, // r1 ← zx(r16 r2)
  MovzxMW32 = 28,
  MovsxRB32 = 29,
  MovsxMB32 = 30,
  MovsxRW32 = 31,
  MovsxMW32 = 32,
  ShiftRI32 = 33, // r1 ← r1 shift imm (ext: 0 ROL 1 ROR 2 RCL 3 RCR 4 SHL 5 SHR 6 SAL 7 SAR)
  ImulRR32 = 34, // r1 ← r1 * r2
  ImulRM32 = 35,
  ImulRRI32 = 36, // r1 ← r2 * imm
  ImulRMI32 = 37,
  CmovRR32 = 38, // ext: condition
  CmovRM32 = 39,
  XchgRR32 = 40,
  Jcc = 41, // ext: condition; imm: length + rel
  Jmp = 42, // imm: length + rel
  CallRel = 43,
  Ret = 44,
  JmpR32 = 45,
  JmpM32 = 46,
  CallR32 = 47,
  CallM32 = 48,
  Leave32 = 49,

  MovEG = 50, // E ← G
  MovGE = 51, // G ← E
  MovEI = 52, // E ← imm
  Lea16 = 53, // r16 ← ea
  AluEG = 54, // E ← E op G (ext: ALU op)
  AluGE = 55, // G ← G op E
  AluEI = 56, // E ← E op imm
  TestEG = 57,
  TestEI = 58,
  IncE = 59,
  DecE = 60,
  NegE = 61,
  NotE = 62,
  MulE = 63, // ext: 4 MUL 5 IMUL 6 DIV 7 IDIV (the group-3 reg field)
  ShiftE = 64, // ext: kind | 8 when the count is CL; imm: count
  ShldE = 65, // E ← E:G shifted (ext: 8 when the count is CL; imm: count)
  ShrdE = 66,
  BtE = 67, // ext: 0 BT 1 BTS 2 BTR 3 BTC | 4 when the bit offset is imm
  BsfE = 68, // G ← bsf(E)
  BsrE = 69,
  XchgE = 70,
  XaddE = 71,
  CmpxchgE = 72,
  Cmpxchg8b = 73,
  MovzxE = 74, // G (sz) ← zx(E of size ext)
  MovsxE = 75,
  ImulGE = 76,
  ImulGEI = 77, // G ← E * imm
  CmovE = 78,
  SetccE = 79, // byte E ← cond(ext)
  Bswap = 80,
  PushE = 81,
  PopE = 82,
  PushI = 83,
  PushR = 84,
  PopR = 85,
  PushSeg = 86, // ext: segment
  PopSeg = 87,
  Pusha = 88,
  Popa = 89,
  Pushf = 90,
  Popf = 91,
  Enter = 92, // imm: frame size, imm2: nesting level
  Leave = 93,
  Cbw = 94, // sz 2: CBW, 4: CWDE
  Cwd = 95, // sz 2: CWD, 4: CDQ
  Lahf = 96,
  Sahf = 97,
  Clc = 98,
  Stc = 99,
  Cmc = 100,
  Cld = 101,
  Std = 102,
  Cli = 103,
  Sti = 104,
  Salc = 105,
  Xlat = 106,
  Daa = 107,
  Das = 108,
  Aaa = 109,
  Aas = 110,
  Aam = 111, // imm: base
  Aad = 112,
  JccW = 113, // 16-bit operand size: EIP ← (EIP + imm) & 0xffff
  JmpW = 114,
  CallRelW = 115,
  JmpE = 116, // near indirect, sz 2 or 4
  CallE = 117,
  RetN = 118, // near return, sz 2 or 4, imm: bytes to release
  Loop = 119, // ext: 0 LOOPNE 1 LOOPE 2 LOOP 3 JECXZ | 4 with 16-bit addressing (CX); imm: length + rel
  JmpFar = 120, // imm: offset, imm2: selector
  CallFar = 121,
  JmpFarE = 122, // m16:16/32
  CallFarE = 123,
  RetFar = 124, // imm: bytes to release
  Int = 125, // imm: vector
  Int3 = 126,
  Into = 127,
  Int1 = 128,
  Iret = 129,
  Bound = 130,
  StrOp = 131, // ext: 0 MOVS 1 CMPS 2 STOS 3 LODS 4 SCAS 5 INS 6 OUTS | 16 REP/REPE | 32 REPNE
  In = 132, // ext: 1 when the port is DX; imm: port
  Out = 133,
  MovSregE = 134, // ext: segment ← E
  MovESreg = 135, // E ← segment ext
  LoadFar = 136, // LDS/LES/LFS/LGS/LSS: ext segment, G ← offset
  Hlt = 137,
  Cpuid = 138,
  Rdtsc = 139,
  Rdmsr = 140,
  Wrmsr = 141,
  Rdpmc = 142,
  Sysenter = 143,
  Sysexit = 144,
  MovToCr = 145, // ext: CR number, r2: GPR
  MovFromCr = 146,
  MovToDr = 147,
  MovFromDr = 148,
  Clts = 149,
  Invd = 150,
  Wbinvd = 151,
  Invlpg = 152,
  Lgdt = 153,
  Lidt = 154,
  Sgdt = 155,
  Sidt = 156,
  Lldt = 157,
  Ltr = 158,
  Sldt = 159,
  Str = 160,
  Lmsw = 161,
  Smsw = 162,
  Lar = 163,
  Lsl = 164,
  Verr = 165,
  Verw = 166,
  Arpl = 167,
  Wait = 168,
  Pause = 169,
  Vmx = 170, // ext: which VMX instruction (vmx-seam.ts VmxInsn); #UD outside VMX operation
}

/** Number of handlers (size of the property tables). */
export const OP_COUNT = 171

/** The op sets EIP itself on every path (control transfers, faults-by-design). */
export const OPF_BRANCH = 1
/** The op ends a decoded block: it transfers control, or changes state the decoder or the interrupt check depends on. */
export const OPF_END = 2
/** LOCK is allowed (SDM Vol. 2 "LOCK": only with a memory destination, which the decoder checks). */
export const OPF_LOCK = 4

/** `imm` is a displacement relative to the next instruction; the decoder adds the length to it. */
export const OPF_RELATIVE = 8

/** Properties per op. */
export const OP_FLAGS: Uint8Array = (() => {
  const f = new Uint8Array(OP_COUNT)
  const branch = [
    Op.Ud,
    Op.TooLong,
    Op.Fpu,
    Op.Jcc,
    Op.Jmp,
    Op.CallRel,
    Op.Ret,
    Op.JmpR32,
    Op.JmpM32,
    Op.CallR32,
    Op.CallM32,
    Op.JccW,
    Op.JmpW,
    Op.CallRelW,
    Op.JmpE,
    Op.CallE,
    Op.RetN,
    Op.Loop,
    Op.JmpFar,
    Op.CallFar,
    Op.JmpFarE,
    Op.CallFarE,
    Op.RetFar,
    Op.Int,
    Op.Int3,
    Op.Into,
    Op.Int1,
    Op.Iret,
    Op.Sysenter,
    Op.Sysexit,
    Op.StrOp,
  ]
  for (const o of branch) f[o] |= OPF_BRANCH | OPF_END
  const end = [
    Op.Popf,
    Op.Cli,
    Op.Sti,
    Op.In,
    Op.Out,
    Op.MovSregE,
    Op.PopSeg,
    Op.LoadFar,
    Op.Hlt,
    Op.Cpuid,
    Op.Rdtsc,
    Op.Rdmsr,
    Op.Wrmsr,
    Op.Rdpmc,
    Op.MovToCr,
    Op.MovFromCr,
    Op.MovToDr,
    Op.MovFromDr,
    Op.Clts,
    Op.Invd,
    Op.Wbinvd,
    Op.Invlpg,
    Op.Lgdt,
    Op.Lidt,
    Op.Lldt,
    Op.Ltr,
    Op.Lmsw,
    Op.Bound,
    Op.Wait,
    Op.Pause,
    Op.Vmx,
  ]
  for (const o of end) f[o] |= OPF_END
  const lock = [
    Op.AluMR32,
    Op.AluMI32,
    Op.AluEG,
    Op.AluEI,
    Op.IncE,
    Op.DecE,
    Op.NegE,
    Op.NotE,
    Op.BtE,
    Op.XchgE,
    Op.XaddE,
    Op.CmpxchgE,
    Op.Cmpxchg8b,
  ]
  for (const o of lock) f[o] |= OPF_LOCK
  for (const o of [Op.Jcc, Op.JccW, Op.Jmp, Op.JmpW, Op.CallRel, Op.CallRelW, Op.Loop]) f[o] |= OPF_RELATIVE
  return f
})()
