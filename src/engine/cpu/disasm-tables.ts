/**
 * Opcode tables for the inspector's disassembler ({@link ./disasm.ts}): the IA-32 one-byte, two-byte
 * (0F) and three-byte (0F 38, 0F 3A) opcode maps of Intel SDM Vol. 2D Appendix A ("Opcode Map"),
 * with the ModRM-extension groups of §A.4 and the x87 escape maps of §A.5, for 32-bit code.
 *
 * Mnemonics and operand order are Intel syntax as GNU objdump (`objdump -d -M intel`, binutils 2.40)
 * prints them, because the inspector's text is tested against objdump byte for byte.
 *
 * An entry is written as a spec string `"mnemonic op,op,op"`. Operand codes follow the SDM's
 * addressing-method/operand-type notation (§A.2): `E` ModRM r/m, `G` ModRM reg, `M` memory only,
 * `I` immediate, `J` relative branch target, `O` moffs, `A` far pointer, `X`/`Y` string source and
 * destination, `S`/`C`/`D`/`T` segment, control, debug and test register; then a size letter (b byte,
 * w word, d dword, q qword, t ten bytes, v word or dword by operand size, p far pointer, x 16 bytes).
 * Mnemonic markers, expanded by the printer: `^w` appends "w" under a 0x66 prefix, `^d` appends "d"
 * or "w", `a|b` picks a (32-bit operand size) or b (16-bit), `a@b` picks by address size, `fN`
 * prints "fn" unless an FWAIT prefix was folded into an x87 control instruction, and `%c`/`%p`
 * receive a CMPPS predicate or PCLMULQDQ selector taken from the immediate (see `Ipred`).
 */

/** How one operand is fetched and printed (see the file comment for the notation). */
export type OperandCode =
  // ModRM r/m: register or memory
  | 'Eb'
  | 'Ew'
  | 'Ed'
  | 'Ev'
  | 'Evw' // register sized by operand size, memory always WORD (segment moves, SLDT, STR, SMSW, LAR/LSL)
  // ModRM r/m: memory only
  | 'M'
  | 'Mb'
  | 'Mw'
  | 'Md'
  | 'Mq'
  | 'Mt'
  | 'Mo'
  | 'Mx'
  | 'Mv'
  | 'Mp'
  | 'Ma'
  // ModRM r/m: register only (MOV to/from CR/DR/TR ignores mod)
  | 'Rd'
  // ModRM reg
  | 'Gb'
  | 'Gw'
  | 'Gd'
  | 'Gv'
  | 'Sw'
  | 'Cd'
  | 'Dd'
  | 'Td'
  // immediates and branch targets
  | 'Ib'
  | 'Iw'
  | 'Iv'
  | 'sIb'
  | 'I1'
  | 'Jb'
  | 'Jv'
  | 'Ap'
  | 'Ob'
  | 'Ov'
  // string operands and XLAT
  | 'Xb'
  | 'Xv'
  | 'Yb'
  | 'Yv'
  | 'XLAT'
  // fixed registers
  | 'AL'
  | 'CL'
  | 'DX'
  | 'eAX'
  | 'Zb'
  | 'Zv'
  | 'ES'
  | 'CS'
  | 'SS'
  | 'DS'
  | 'FS'
  | 'GS'
  | 'ST'
  | 'STi'
  // MMX / SSE registers and memory
  | 'Pq' // MMX register from ModRM reg
  | 'PqFixed' // MMX register from ModRM reg, even under 66 (CVTTPD2PI and friends)
  | 'QqFixed' // MMX register or m64, even under 66 (CVTPI2PD and friends)
  | 'Qq' // MMX register or m64 from ModRM r/m
  | 'Qd' // MMX register or m32
  | 'Nq' // MMX register from ModRM r/m (mod must be 3)
  | 'Vx' // XMM register from ModRM reg
  | 'Wx' // XMM register or m128
  | 'Wq' // XMM register or m64
  | 'Wd' // XMM register or m32
  | 'Ww' // XMM register or m16
  | 'Ux' // XMM register from ModRM r/m (mod must be 3)
  | 'Ey' // 32-bit register or m32 (MOVD, CVTSI2SS, PINSRD, ...)
  | 'Gy' // 32-bit register from ModRM reg
  | 'Ewr' // 32-bit register or m16 (PINSRW, PEXTRW)
  | 'Ebr' // 32-bit register or m8 (PINSRB, PEXTRB)
  | 'Ipred' // imm8 that objdump may fold into the mnemonic (CMPPS predicates, PCLMULQDQ halves)
  | 'XMM0' // the implicit xmm0 of BLENDVPS and friends
  // MPX bound registers and operands
  | 'Gbnd' // bnd0..bnd3 from ModRM reg
  | 'Ebnd' // bound register or memory (BNDMOV)
  | 'Ebnd32' // 32-bit register or memory without size (BNDCL/BNDCU/BNDCN)
  | 'Mbnd' // memory without size; 16-bit addressing is invalid
  | 'RM0' // VIA PadLock: ModRM must be a register form with rm = 0; prints nothing

/** Instruction fix-ups that decide how prefixes print (objdump's HLE, BND, NOTRACK and REP rules). */
export const Fix = {
  None: 0,
  /** Lockable read-modify-write: F2/F3 print as xacquire/xrelease when LOCK is present (SDM Vol. 1 §16.3.1). */
  Hle: 1,
  /** XCHG with memory: F2/F3 print as xacquire/xrelease even without LOCK. */
  HleXchg: 2,
  /** MOV to memory: F3 prints as xrelease. */
  HleMov: 4,
  /** Near branch: F2 prints as bnd (MPX, SDM Vol. 1 §17.5). */
  Bnd: 8,
  /** Indirect near branch: 3E prints as notrack (CET, SDM Vol. 1 §18.3.8). */
  NoTrack: 16,
  /** INS/OUTS/MOVS/LODS/STOS: F3 prints as rep. */
  Rep: 32,
  /** With Hle: applies to the register form too (CMPXCHG8B, whose register form is invalid anyway). */
  HleAnyForm: 64,
} as const

/** One decodable instruction form. */
export interface InsnEntry {
  readonly kind: 'insn'
  readonly mnemonic: string
  readonly operands: readonly OperandCode[]
  readonly fix: number
  /**
   * A mandatory-prefix column that objdump treats as "prefix ignored": the F3/F2/66 that selected
   * it still prints as repz/repnz/data16 (hint NOPs in the CET space).
   */
  readonly ignored?: boolean
}

/** A node of the decode tree; `insn` leaves are instructions, `bad` leaves invalid encodings. */
export type Entry =
  | InsnEntry
  /** In a mandatory-prefix table: this F3/F2 column does not exist, so the prefix stays a prefix. */
  | { readonly kind: 'skip' }
  /** Invalid; `bare` when objdump's mandatory-prefix check rejects it (printed without prefixes). */
  | { readonly kind: 'bad'; readonly bare?: boolean }
  /** Selected by ModRM.reg (an opcode-extension group, SDM Vol. 2D §A.4). */
  | { readonly kind: 'reg'; readonly sub: readonly Entry[] }
  /** Selected by ModRM.mod: memory forms (mod 0..2) or register forms (mod 3). */
  | { readonly kind: 'mod'; readonly mem: Entry; readonly reg: Entry }
  /** Selected by ModRM.rm (register forms of 0F 01 and friends). */
  | { readonly kind: 'rm'; readonly sub: readonly Entry[] }
  /** Selected by the mandatory prefix: none, F3, 66, F2 (SDM Vol. 2A §2.1.2). */
  | { readonly kind: 'pfx'; readonly sub: readonly [Entry, Entry, Entry, Entry] }
  /** The x87 escape opcodes D8..DF. */
  | { readonly kind: 'x87' }
  /** 0F 38 and 0F 3A: the third opcode byte follows. */
  | { readonly kind: 'map38' }
  | { readonly kind: 'map3a' }
  /** 0F 0F: AMD 3DNow!, whose opcode is an imm8 suffix after the ModRM operand. */
  | { readonly kind: '3dnow' }
  /** C4/C5 (VEX), 62 (EVEX) and 8F (XOP) when their second byte cannot be a ModRM of LES/LDS/BOUND/POP. */
  | { readonly kind: 'vex'; readonly legacy: Entry }

export const BAD: Entry = { kind: 'bad' }
export const SKIP: Entry = { kind: 'skip' }
/** A mandatory-prefix column objdump rejects outright: bare "(bad)", no prefix names. */
export const BARE: Entry = { kind: 'bad', bare: true }

/** Parses `"mnemonic op,op"` into an instruction entry. */
export function I(spec: string, fix: number = Fix.None): InsnEntry {
  const space = spec.indexOf(' ')
  const mnemonic = space < 0 ? spec : spec.slice(0, space)
  const operands = space < 0 ? [] : (spec.slice(space + 1).split(',') as OperandCode[])
  return { kind: 'insn', mnemonic, operands, fix }
}

/** An entry reached through a mandatory-prefix column that still prints its prefix. */
function ignored(spec: string): InsnEntry {
  return { ...I(spec), ignored: true }
}

function reg(...sub: Entry[]): Entry {
  return { kind: 'reg', sub }
}
function mod(mem: Entry, regForm: Entry): Entry {
  return { kind: 'mod', mem, reg: regForm }
}
function rm(...sub: Entry[]): Entry {
  return { kind: 'rm', sub }
}
/** Mandatory-prefix selection: [none, F3, 66, F2]. */
function pfx(none: Entry, f3: Entry = BAD, p66: Entry = BAD, f2: Entry = BAD): Entry {
  return { kind: 'pfx', sub: [none, f3, p66, f2] }
}
/** An entry given as a spec string, or BAD for ''. */
function e(spec: string | Entry): Entry {
  if (typeof spec !== 'string') return spec
  return spec === '' ? BAD : I(spec)
}
function repeat<T>(n: number, x: T): T[] {
  return Array<T>(n).fill(x)
}
function regOf(specs: readonly (string | Entry)[]): Entry {
  return reg(...specs.map((s) => e(s)))
}
function rmOf(specs: readonly string[]): Entry {
  return rm(...specs.map((s) => e(s)))
}

/**
 * An instruction that exists only without a mandatory prefix. An F3/F2/66 selects `reject`: BAD
 * (consumed, so it does not print) or BARE (objdump's prefix check fails outright).
 */
function onlyPlain(spec: string | Entry, reject: Entry = BAD): Entry {
  return pfx(e(spec), reject, reject, reject)
}

/** MMX form (no prefix) and SSE2 form (66) of one packed-integer operation; F3/F2 are rejected. */
function mmxSse2(name: string, mmxSource: OperandCode = 'Qq', rejectRep: Entry = BARE): Entry {
  return pfx(I(`${name} Pq,${mmxSource}`), rejectRep, I(`${name} Vx,Wx`), rejectRep)
}
/** An instruction that exists only with the 66 prefix (objdump: PREFIX_DATA). */
function only66(spec: string | Entry): Entry {
  return pfx(BARE, BARE, e(spec), BARE)
}
/** Packed single (none), scalar single (F3), packed double (66), scalar double (F2). */
function psPdSsSd(base: string, extra = ''): Entry {
  return pfx(
    I(`${base}ps Vx,Wx${extra}`),
    I(`${base}ss Vx,Wd${extra}`),
    I(`${base}pd Vx,Wx${extra}`),
    I(`${base}sd Vx,Wq${extra}`),
  )
}
function psPd(base: string): Entry {
  return pfx(I(`${base}ps Vx,Wx`), BARE, I(`${base}pd Vx,Wx`), BARE)
}
/** An MMX shift-by-immediate group member (0F 71..73): Nq with no prefix, Ux with 66. */
function shiftImm(name: string, sseOnly = false): Entry {
  return pfx(sseOnly ? BARE : I(`${name} Nq,Ib`), BARE, I(`${name} Ux,Ib`), BARE)
}

/** Condition-code suffixes in opcode order (SDM Vol. 2D Table B-1), as objdump names them. */
export const CC = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g']

const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp']
const SHIFT = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'shl', 'sar']

/** Group 1 (80..83): ALU op with an immediate; all but CMP are lockable. */
function group1(ops: string): Entry {
  return reg(...ALU.map((m) => I(`${m} ${ops}`, m === 'cmp' ? Fix.None : Fix.Hle)))
}
function group2(ops: string): Entry {
  return reg(...SHIFT.map((m) => I(`${m} ${ops}`)))
}

function buildOneByte(): Entry[] {
  const t: Entry[] = new Array<Entry>(256).fill(BAD)
  for (let i = 0; i < 8; i++) {
    const m = ALU[i]
    const b = i * 8
    const lockable = m === 'cmp' ? Fix.None : Fix.Hle
    t[b] = I(`${m} Eb,Gb`, lockable)
    t[b + 1] = I(`${m} Ev,Gv`, lockable)
    t[b + 2] = I(`${m} Gb,Eb`)
    t[b + 3] = I(`${m} Gv,Ev`)
    t[b + 4] = I(`${m} AL,Ib`)
    t[b + 5] = I(`${m} eAX,Iv`)
  }
  t[0x06] = I('push^w ES')
  t[0x07] = I('pop^w ES')
  t[0x0e] = I('push^w CS')
  t[0x16] = I('push^w SS')
  t[0x17] = I('pop^w SS')
  t[0x1e] = I('push^w DS')
  t[0x1f] = I('pop^w DS')
  t[0x27] = I('daa')
  t[0x2f] = I('das')
  t[0x37] = I('aaa')
  t[0x3f] = I('aas')
  for (let r = 0; r < 8; r++) {
    t[0x40 + r] = I('inc Zv')
    t[0x48 + r] = I('dec Zv')
    t[0x50 + r] = I('push Zv')
    t[0x58 + r] = I('pop Zv')
    t[0x91 + r] = I('xchg Zv,eAX')
    t[0xb0 + r] = I('mov Zb,Ib')
    t[0xb8 + r] = I('mov Zv,Iv')
    t[0xd8 + r] = { kind: 'x87' }
  }
  CC.forEach((cc, i) => (t[0x70 + i] = I(`j${cc} Jb`, Fix.Bnd)))
  t[0x60] = I('pusha^w')
  t[0x61] = I('popa^w')
  t[0x62] = { kind: 'vex', legacy: mod(I('bound Gv,Ma'), BAD) }
  t[0x63] = I('arpl Ew,Gw')
  t[0x68] = I('push^w Iv')
  t[0x69] = I('imul Gv,Ev,Iv')
  t[0x6a] = I('push^w sIb')
  t[0x6b] = I('imul Gv,Ev,sIb')
  t[0x6c] = I('ins Yb,DX', Fix.Rep)
  t[0x6d] = I('ins Yv,DX', Fix.Rep)
  t[0x6e] = I('outs DX,Xb', Fix.Rep)
  t[0x6f] = I('outs DX,Xv', Fix.Rep)
  t[0x80] = group1('Eb,Ib')
  t[0x81] = group1('Ev,Iv')
  t[0x82] = group1('Eb,Ib')
  t[0x83] = group1('Ev,sIb')
  t[0x84] = I('test Eb,Gb')
  t[0x85] = I('test Ev,Gv')
  t[0x86] = I('xchg Eb,Gb', Fix.HleXchg)
  t[0x87] = I('xchg Ev,Gv', Fix.HleXchg)
  t[0x88] = I('mov Eb,Gb', Fix.HleMov)
  t[0x89] = I('mov Ev,Gv', Fix.HleMov)
  t[0x8a] = I('mov Gb,Eb')
  t[0x8b] = I('mov Gv,Ev')
  t[0x8c] = I('mov Evw,Sw')
  t[0x8d] = mod(I('lea Gv,M'), BAD)
  t[0x8e] = I('mov Sw,Evw')
  t[0x8f] = { kind: 'vex', legacy: regOf(['pop Ev']) }
  // 0x90 (NOP / XCHG / PAUSE) is decoded by the printer.
  t[0x98] = I('cwde|cbw')
  t[0x99] = I('cdq|cwd')
  t[0x9a] = I('call Ap')
  t[0x9c] = I('pushf^w')
  t[0x9d] = I('popf^w')
  t[0x9e] = I('sahf')
  t[0x9f] = I('lahf')
  t[0xa0] = I('mov AL,Ob')
  t[0xa1] = I('mov eAX,Ov')
  t[0xa2] = I('mov Ob,AL')
  t[0xa3] = I('mov Ov,eAX')
  t[0xa4] = I('movs Yb,Xb', Fix.Rep)
  t[0xa5] = I('movs Yv,Xv', Fix.Rep)
  t[0xa6] = I('cmps Xb,Yb')
  t[0xa7] = I('cmps Xv,Yv')
  t[0xa8] = I('test AL,Ib')
  t[0xa9] = I('test eAX,Iv')
  t[0xaa] = I('stos Yb,AL', Fix.Rep)
  t[0xab] = I('stos Yv,eAX', Fix.Rep)
  t[0xac] = I('lods AL,Xb', Fix.Rep)
  t[0xad] = I('lods eAX,Xv', Fix.Rep)
  t[0xae] = I('scas AL,Yb')
  t[0xaf] = I('scas eAX,Yv')
  t[0xc0] = group2('Eb,Ib')
  t[0xc1] = group2('Ev,Ib')
  t[0xc2] = I('ret^w Iw', Fix.Bnd)
  t[0xc3] = I('ret^w', Fix.Bnd)
  t[0xc4] = { kind: 'vex', legacy: mod(I('les Gv,Mp'), BAD) }
  t[0xc5] = { kind: 'vex', legacy: mod(I('lds Gv,Mp'), BAD) }
  // RTM (SDM Vol. 2 "XABORT", "XBEGIN"): C6 F8 ib and C7 F8 rel32 only.
  t[0xc6] = reg(
    I('mov Eb,Ib', Fix.HleMov),
    ...repeat(6, BAD),
    mod(BAD, rm(I('xabort Ib'), ...repeat(7, BAD))),
  )
  t[0xc7] = reg(
    I('mov Ev,Iv', Fix.HleMov),
    ...repeat(6, BAD),
    mod(BAD, rm(I('xbegin^w Jv'), ...repeat(7, BAD))),
  )
  t[0xc8] = I('enter^w Iw,Ib')
  t[0xc9] = I('leave^w')
  t[0xca] = I('retf^w Iw')
  t[0xcb] = I('retf^w')
  t[0xcc] = I('int3')
  t[0xcd] = I('int Ib')
  t[0xce] = I('into')
  t[0xcf] = I('iret^w')
  t[0xd0] = group2('Eb,I1')
  t[0xd1] = group2('Ev,I1')
  t[0xd2] = group2('Eb,CL')
  t[0xd3] = group2('Ev,CL')
  t[0xd4] = I('aam Ib')
  t[0xd5] = I('aad Ib')
  t[0xd7] = I('xlat XLAT')
  t[0xe0] = I('loopne Jb')
  t[0xe1] = I('loope Jb')
  t[0xe2] = I('loop Jb')
  t[0xe3] = I('jecxz@jcxz Jb')
  t[0xe4] = I('in AL,Ib')
  t[0xe5] = I('in eAX,Ib')
  t[0xe6] = I('out Ib,AL')
  t[0xe7] = I('out Ib,eAX')
  t[0xe8] = I('call^w Jv', Fix.Bnd)
  t[0xe9] = I('jmp^w Jv', Fix.Bnd)
  t[0xea] = I('jmp Ap')
  t[0xeb] = I('jmp Jb', Fix.Bnd)
  t[0xec] = I('in AL,DX')
  t[0xed] = I('in eAX,DX')
  t[0xee] = I('out DX,AL')
  t[0xef] = I('out DX,eAX')
  t[0xf1] = I('int1')
  t[0xf4] = I('hlt')
  t[0xf5] = I('cmc')
  t[0xf6] = reg(
    I('test Eb,Ib'),
    I('test Eb,Ib'),
    I('not Eb', Fix.Hle),
    I('neg Eb', Fix.Hle),
    I('mul Eb'),
    I('imul Eb'),
    I('div Eb'),
    I('idiv Eb'),
  )
  t[0xf7] = reg(
    I('test Ev,Iv'),
    I('test Ev,Iv'),
    I('not Ev', Fix.Hle),
    I('neg Ev', Fix.Hle),
    I('mul Ev'),
    I('imul Ev'),
    I('div Ev'),
    I('idiv Ev'),
  )
  t[0xf8] = I('clc')
  t[0xf9] = I('stc')
  t[0xfa] = I('cli')
  t[0xfb] = I('sti')
  t[0xfc] = I('cld')
  t[0xfd] = I('std')
  t[0xfe] = reg(I('inc Eb', Fix.Hle), I('dec Eb', Fix.Hle), BAD, BAD, BAD, BAD, BAD, BAD)
  t[0xff] = reg(
    I('inc Ev', Fix.Hle),
    I('dec Ev', Fix.Hle),
    I('call Ev', Fix.Bnd | Fix.NoTrack),
    mod(I('call Mp'), BAD),
    I('jmp Ev', Fix.Bnd | Fix.NoTrack),
    mod(I('jmp Mp'), BAD),
    I('push Ev'),
    BAD,
  )
  return t
}

/** 0F 01: descriptor tables, MSW, INVLPG, and (register forms) VMX, SVM, MONITOR/MWAIT, XGETBV… */
const GROUP7: Entry = reg(
  mod(
    I('sgdt^d M'),
    rm(
      ...['enclv', 'vmcall', 'vmlaunch', 'vmresume', 'vmxoff', 'pconfig'].map((m) => e(m)),
      onlyPlain('wrmsrns'),
      BAD,
    ),
  ),
  mod(
    I('sidt^d M'),
    rm(
      e('monitor'),
      e('mwait'),
      e('clac'),
      e('stac'),
      pfx(BAD, BAD, e('tdcall')),
      pfx(BAD),
      pfx(BAD),
      onlyPlain('encls'),
    ),
  ),
  mod(I('lgdt^d M'), rmOf(['xgetbv', 'xsetbv', '', '', 'vmfunc', 'xend', 'xtest', 'enclu'])),
  mod(
    I('lidt^d M'),
    rm(
      e('vmrun'),
      pfx(e('vmmcall'), e('vmgexit'), BAD, e('vmgexit')),
      ...['vmload', 'vmsave', 'stgi', 'clgi', 'skinit', 'invlpga'].map((m) => e(m)),
    ),
  ),
  I('smsw Evw'),
  mod(
    pfx(BAD, e('rstorssp Mq')),
    rm(
      pfx(e('serialize'), e('setssbsy'), BAD, e('xsusldtrk')),
      pfx(BAD, BAD, BAD, e('xresldtrk')),
      pfx(BAD, e('saveprevssp')),
      BAD,
      pfx(BAD),
      pfx(BAD),
      onlyPlain('rdpkru'),
      onlyPlain('wrpkru'),
    ),
  ),
  I('lmsw Ew'),
  mod(
    I('invlpg Mb'),
    rm(
      e('swapgs'),
      e('rdtscp'),
      pfx(e('monitorx'), e('mcommit')),
      onlyPlain('mwaitx', BARE),
      e('clzero'),
      onlyPlain('rdpru'),
      onlyPlain('invlpgb'),
      pfx(e('tlbsync'), BAD, BAD, e('pvalidate')),
    ),
  ),
)

/** 0F AE: FXSAVE/XSAVE state, MXCSR, fences, cache-line flushes, FS/GS base, CET and WAITPKG forms. */
const GROUP15: Entry = mod(
  reg(
    I('fxsave M'),
    I('fxrstor M'),
    I('ldmxcsr Md'),
    I('stmxcsr Md'),
    pfx(e('xsave M'), e('ptwrite Ed')),
    pfx(e('xrstor M'), BARE, BARE, BARE),
    pfx(e('xsaveopt M'), e('clrssbsy Mq'), e('clwb Mb')),
    pfx(e('clflush Mb'), BAD, e('clflushopt Mb')),
  ),
  reg(
    pfx(BAD, e('rdfsbase Ev')),
    pfx(BAD, e('rdgsbase Ev')),
    pfx(BAD, e('wrfsbase Ev')),
    pfx(BAD, e('wrgsbase Ev')),
    pfx(BAD, e('ptwrite Ed')),
    pfx(e('lfence'), e('incsspd Ed')),
    pfx(rm(I('mfence'), ...repeat(7, BAD)), e('umonitor Ed'), e('tpause Ed'), e('umwait Ed')),
    rm(I('sfence'), ...repeat(7, BAD)),
  ),
)

function buildTwoByte(): Entry[] {
  const t: Entry[] = new Array<Entry>(256).fill(BAD)
  t[0x00] = regOf(['sldt Evw', 'str Evw', 'lldt Ew', 'ltr Ew', 'verr Ew', 'verw Ew', '', ''])
  t[0x01] = GROUP7
  t[0x02] = I('lar Gv,Evw')
  t[0x03] = I('lsl Gv,Evw')
  t[0x05] = I('syscall')
  t[0x06] = I('clts')
  t[0x07] = I('sysret')
  t[0x08] = I('invd')
  t[0x09] = pfx(I('wbinvd'), I('wbnoinvd'))
  t[0x0b] = I('ud2')
  t[0x0d] = regOf(['prefetch Mb', 'prefetchw Mb', 'prefetchwt1 Mb', ...repeat(5, 'prefetch Mb')])
  t[0x0e] = I('femms')
  t[0x0f] = { kind: '3dnow' }
  t[0x18] = mod(
    regOf(['prefetchnta Mb', 'prefetcht0 Mb', 'prefetcht1 Mb', 'prefetcht2 Mb', ...repeat(4, 'nop Ev')]),
    I('nop Ev'),
  )
  for (let o = 0x19; o <= 0x1f; o++) t[o] = I('nop Ev')
  // MPX (SDM Vol. 1 §17.4): bound registers in the reg field, no memory size.
  t[0x1a] = pfx(
    mod(I('bndldx Gbnd,Mbnd'), I('nop Ev')),
    I('bndcl Gbnd,Ebnd32'),
    I('bndmov Gbnd,Ebnd'),
    I('bndcu Gbnd,Ebnd32'),
  )
  t[0x1b] = pfx(
    mod(I('bndstx Mbnd,Gbnd'), I('nop Ev')),
    mod(I('bndmk Gbnd,Mbnd'), ignored('nop Ev')),
    I('bndmov Ebnd,Gbnd'),
    I('bndcn Gbnd,Ebnd32'),
  )
  t[0x1c] = pfx(
    mod(regOf(['cldemote Mb', ...repeat(7, 'nop Ev')]), I('nop Ev')),
    ignored('nop Ev'),
    I('nop Ev'),
    ignored('nop Ev'),
  )
  // CET (SDM Vol. 1 §18.3): ENDBR32 and RDSSPD hide in the F3 0F 1E hint-NOP space.
  t[0x1e] = pfx(
    I('nop Ev'),
    mod(
      ignored('nop Ev'),
      reg(
        ignored('nop Ev'),
        I('rdsspd Ed'),
        ...repeat(5, ignored('nop Ev')),
        rm(...repeat(2, ignored('nop Ev')), I('endbr64'), I('endbr32'), ...repeat(4, ignored('nop Ev'))),
      ),
    ),
    I('nop Ev'),
    SKIP,
  )
  t[0x20] = I('mov Rd,Cd')
  t[0x21] = I('mov Rd,Dd')
  t[0x22] = I('mov Cd,Rd')
  t[0x23] = I('mov Dd,Rd')
  t[0x24] = I('mov Rd,Td')
  t[0x26] = I('mov Td,Rd')
  t[0x30] = I('wrmsr')
  t[0x31] = I('rdtsc')
  t[0x32] = I('rdmsr')
  t[0x33] = I('rdpmc')
  t[0x34] = I('sysenter')
  t[0x35] = I('sysexit')
  t[0x37] = I('getsec')
  t[0x38] = { kind: 'map38' }
  t[0x3a] = { kind: 'map3a' }
  for (let c = 0; c < 16; c++) {
    t[0x40 + c] = I(`cmov${CC[c]} Gv,Ev`)
    t[0x80 + c] = I(`j${CC[c]} Jv`, Fix.Bnd)
    t[0x90 + c] = I(`set${CC[c]} Eb`)
  }
  t[0x77] = onlyPlain('emms', BARE)
  t[0x78] = pfx(I('vmread Ed,Gd'), BAD, I('extrq Ux,Ib,Ib'), I('insertq Vx,Ux,Ib,Ib'))
  t[0x79] = pfx(I('vmwrite Gd,Ed'), BAD, I('extrq Vx,Ux'), I('insertq Vx,Ux'))
  t[0xa0] = I('push^w FS')
  t[0xa1] = I('pop^w FS')
  t[0xa2] = I('cpuid')
  t[0xa3] = I('bt Ev,Gv')
  t[0xa4] = I('shld Ev,Gv,Ib')
  t[0xa5] = I('shld Ev,Gv,CL')
  // VIA PadLock (register form with rm = 0 only).
  const padlock = ['xstore-rng', 'xcrypt-ecb', 'xcrypt-cbc', 'xcrypt-ctr', 'xcrypt-cfb', 'xcrypt-ofb']
  t[0xa6] = regOf(['montmul RM0', 'xsha1 RM0', 'xsha256 RM0', ...repeat(5, '')])
  t[0xa7] = regOf([...padlock.map((m) => `${m} RM0`), '', ''])
  t[0xa8] = I('push^w GS')
  t[0xa9] = I('pop^w GS')
  t[0xaa] = I('rsm')
  t[0xab] = I('bts Ev,Gv', Fix.Hle)
  t[0xac] = I('shrd Ev,Gv,Ib')
  t[0xad] = I('shrd Ev,Gv,CL')
  t[0xae] = GROUP15
  t[0xaf] = I('imul Gv,Ev')
  t[0xb0] = I('cmpxchg Eb,Gb', Fix.Hle)
  t[0xb1] = I('cmpxchg Ev,Gv', Fix.Hle)
  t[0xb2] = mod(I('lss Gv,Mp'), BAD)
  t[0xb3] = I('btr Ev,Gv', Fix.Hle)
  t[0xb4] = mod(I('lfs Gv,Mp'), BAD)
  t[0xb5] = mod(I('lgs Gv,Mp'), BAD)
  t[0xb6] = I('movzx Gv,Eb')
  t[0xb7] = I('movzx Gv,Ew')
  t[0xb8] = pfx(BAD, I('popcnt Gv,Ev'))
  t[0xb9] = I('ud1 Gv,Ev')
  t[0xba] = reg(
    ...repeat(4, BAD),
    I('bt Ev,Ib'),
    I('bts Ev,Ib', Fix.Hle),
    I('btr Ev,Ib', Fix.Hle),
    I('btc Ev,Ib', Fix.Hle),
  )
  t[0xbb] = I('btc Ev,Gv', Fix.Hle)
  t[0xbc] = pfx(I('bsf Gv,Ev'), I('tzcnt Gv,Ev'), I('bsf Gv,Ev'))
  t[0xbd] = pfx(I('bsr Gv,Ev'), I('lzcnt Gv,Ev'), I('bsr Gv,Ev'))
  t[0xbe] = I('movsx Gv,Eb')
  t[0xbf] = I('movsx Gv,Ew')
  t[0xc0] = I('xadd Eb,Gb', Fix.Hle)
  t[0xc1] = I('xadd Ev,Gv', Fix.Hle)
  t[0xc7] = reg(
    BAD,
    I('cmpxchg8b Mq', Fix.Hle | Fix.HleAnyForm),
    BAD,
    mod(I('xrstors M'), BAD),
    mod(I('xsavec M'), BAD),
    mod(I('xsaves M'), BAD),
    mod(pfx(I('vmptrld Mq'), I('vmxon Mq'), I('vmclear Mq')), pfx(I('rdrand Ev'), BAD, I('rdrand Ev'))),
    mod(I('vmptrst Mq'), pfx(I('rdseed Ev'), I('rdpid Ed'), I('rdseed Ev'))),
  )
  for (let r = 0; r < 8; r++) t[0xc8 + r] = I('bswap Zv')
  t[0xff] = I('ud0 Gv,Ev')
  addSse(t)
  return t
}

/** SSE, SSE2, SSE3 and MMX in the two-byte map (SDM Vol. 2D Table A-3, mandatory-prefix columns). */
function addSse(t: Entry[]): void {
  t[0x10] = pfx(I('movups Vx,Wx'), I('movss Vx,Wd'), I('movupd Vx,Wx'), I('movsd Vx,Wq'))
  t[0x11] = pfx(I('movups Wx,Vx'), I('movss Wd,Vx'), I('movupd Wx,Vx'), I('movsd Wq,Vx'))
  t[0x12] = pfx(
    mod(I('movlps Vx,Mq'), I('movhlps Vx,Ux')),
    I('movsldup Vx,Wx'),
    mod(I('movlpd Vx,Mq'), BAD),
    I('movddup Vx,Wq'),
  )
  t[0x13] = mod(pfx(I('movlps Mq,Vx'), BARE, I('movlpd Mq,Vx'), BARE), BAD)
  t[0x14] = psPd('unpckl')
  t[0x15] = psPd('unpckh')
  t[0x16] = pfx(mod(I('movhps Vx,Mq'), I('movlhps Vx,Ux')), I('movshdup Vx,Wx'), mod(I('movhpd Vx,Mq'), BAD))
  t[0x17] = mod(pfx(I('movhps Mq,Vx'), BARE, I('movhpd Mq,Vx'), BARE), BAD)
  t[0x28] = pfx(I('movaps Vx,Wx'), BARE, I('movapd Vx,Wx'), BARE)
  t[0x29] = pfx(I('movaps Wx,Vx'), BARE, I('movapd Wx,Vx'), BARE)
  t[0x2a] = pfx(I('cvtpi2ps Vx,QqFixed'), I('cvtsi2ss Vx,Ey'), I('cvtpi2pd Vx,QqFixed'), I('cvtsi2sd Vx,Ey'))
  t[0x2b] = pfx(
    mod(I('movntps Mx,Vx'), BAD),
    mod(I('movntss Md,Vx'), BAD),
    mod(I('movntpd Mx,Vx'), BAD),
    mod(I('movntsd Mq,Vx'), BAD),
  )
  t[0x2c] = pfx(
    I('cvttps2pi PqFixed,Wq'),
    I('cvttss2si Gy,Wd'),
    I('cvttpd2pi PqFixed,Wx'),
    I('cvttsd2si Gy,Wq'),
  )
  t[0x2d] = pfx(I('cvtps2pi PqFixed,Wq'), I('cvtss2si Gy,Wd'), I('cvtpd2pi PqFixed,Wx'), I('cvtsd2si Gy,Wq'))
  t[0x2e] = pfx(I('ucomiss Vx,Wd'), BAD, I('ucomisd Vx,Wq'))
  t[0x2f] = pfx(I('comiss Vx,Wd'), BAD, I('comisd Vx,Wq'))
  t[0x50] = mod(BAD, pfx(I('movmskps Gy,Ux'), BARE, I('movmskpd Gy,Ux'), BARE))
  t[0x51] = psPdSsSd('sqrt')
  t[0x52] = pfx(I('rsqrtps Vx,Wx'), I('rsqrtss Vx,Wd'))
  t[0x53] = pfx(I('rcpps Vx,Wx'), I('rcpss Vx,Wd'))
  t[0x54] = psPd('and')
  t[0x55] = psPd('andn')
  t[0x56] = psPd('or')
  t[0x57] = psPd('xor')
  t[0x58] = psPdSsSd('add')
  t[0x59] = psPdSsSd('mul')
  t[0x5a] = pfx(I('cvtps2pd Vx,Wq'), I('cvtss2sd Vx,Wd'), I('cvtpd2ps Vx,Wx'), I('cvtsd2ss Vx,Wq'))
  t[0x5b] = pfx(I('cvtdq2ps Vx,Wx'), I('cvttps2dq Vx,Wx'), I('cvtps2dq Vx,Wx'))
  t[0x5c] = psPdSsSd('sub')
  t[0x5d] = psPdSsSd('min')
  t[0x5e] = psPdSsSd('div')
  t[0x5f] = psPdSsSd('max')
  const packed: [number, string][] = [
    [0x60, 'punpcklbw'], [0x61, 'punpcklwd'], [0x62, 'punpckldq'], [0x63, 'packsswb'], [0x64, 'pcmpgtb'],
    [0x65, 'pcmpgtw'], [0x66, 'pcmpgtd'], [0x67, 'packuswb'], [0x68, 'punpckhbw'], [0x69, 'punpckhwd'],
    [0x6a, 'punpckhdq'], [0x6b, 'packssdw'], [0x74, 'pcmpeqb'], [0x75, 'pcmpeqw'], [0x76, 'pcmpeqd'],
    [0xd1, 'psrlw'], [0xd2, 'psrld'], [0xd3, 'psrlq'], [0xd4, 'paddq'], [0xd5, 'pmullw'], [0xd8, 'psubusb'],
    [0xd9, 'psubusw'], [0xda, 'pminub'], [0xdb, 'pand'], [0xdc, 'paddusb'], [0xdd, 'paddusw'], [0xde, 'pmaxub'],
    [0xdf, 'pandn'], [0xe0, 'pavgb'], [0xe1, 'psraw'], [0xe2, 'psrad'], [0xe3, 'pavgw'], [0xe4, 'pmulhuw'],
    [0xe5, 'pmulhw'], [0xe8, 'psubsb'], [0xe9, 'psubsw'], [0xea, 'pminsw'], [0xeb, 'por'], [0xec, 'paddsb'],
    [0xed, 'paddsw'], [0xee, 'pmaxsw'], [0xef, 'pxor'], [0xf1, 'psllw'], [0xf2, 'pslld'], [0xf3, 'psllq'],
    [0xf4, 'pmuludq'], [0xf5, 'pmaddwd'], [0xf6, 'psadbw'], [0xf8, 'psubb'], [0xf9, 'psubw'], [0xfa, 'psubd'],
    [0xfb, 'psubq'], [0xfc, 'paddb'], [0xfd, 'paddw'], [0xfe, 'paddd'],
  ] // prettier-ignore
  for (const [op, name] of packed) t[op] = op <= 0x62 ? mmxSse2(name, 'Qd', BAD) : mmxSse2(name)
  t[0x6c] = only66('punpcklqdq Vx,Wx')
  t[0x6d] = only66('punpckhqdq Vx,Wx')
  t[0x6e] = pfx(I('movd Pq,Ey'), BARE, I('movd Vx,Ey'), BARE)
  t[0x6f] = pfx(I('movq Pq,Qq'), I('movdqu Vx,Wx'), I('movdqa Vx,Wx'))
  t[0x70] = pfx(I('pshufw Pq,Qq,Ib'), I('pshufhw Vx,Wx,Ib'), I('pshufd Vx,Wx,Ib'), I('pshuflw Vx,Wx,Ib'))
  t[0x71] = mod(BAD, reg(BAD, BAD, shiftImm('psrlw'), BAD, shiftImm('psraw'), BAD, shiftImm('psllw'), BAD))
  t[0x72] = mod(BAD, reg(BAD, BAD, shiftImm('psrld'), BAD, shiftImm('psrad'), BAD, shiftImm('pslld'), BAD))
  // prettier-ignore
  t[0x73] = mod(BAD, reg(BAD, BAD, shiftImm('psrlq'), shiftImm('psrldq', true), BAD, BAD, shiftImm('psllq'), shiftImm('pslldq', true)))
  t[0x7c] = pfx(BAD, BAD, I('haddpd Vx,Wx'), I('haddps Vx,Wx'))
  t[0x7d] = pfx(BAD, BAD, I('hsubpd Vx,Wx'), I('hsubps Vx,Wx'))
  t[0x7e] = pfx(I('movd Ey,Pq'), I('movq Vx,Wq'), I('movd Ey,Vx'))
  t[0x7f] = pfx(I('movq Qq,Pq'), I('movdqu Wx,Vx'), I('movdqa Wx,Vx'))
  t[0xc2] = pfx(
    I('cmp%cps Vx,Wx,Ipred'),
    I('cmp%css Vx,Wd,Ipred'),
    I('cmp%cpd Vx,Wx,Ipred'),
    I('cmp%csd Vx,Wq,Ipred'),
  )
  t[0xc3] = mod(onlyPlain('movnti Md,Gd', BARE), BAD)
  t[0xc4] = pfx(I('pinsrw Pq,Ewr,Ib'), BARE, I('pinsrw Vx,Ewr,Ib'), BARE)
  t[0xc5] = pfx(I('pextrw Gy,Nq,Ib'), BARE, mod(BARE, I('pextrw Gy,Ux,Ib')), BARE)
  t[0xc6] = pfx(I('shufps Vx,Wx,Ib'), BARE, I('shufpd Vx,Wx,Ib'), BARE)
  t[0xd0] = pfx(BAD, BAD, I('addsubpd Vx,Wx'), I('addsubps Vx,Wx'))
  t[0xd6] = pfx(BAD, I('movq2dq Vx,Nq'), I('movq Wq,Vx'), I('movdq2q Pq,Ux'))
  t[0xd7] = mod(BAD, pfx(I('pmovmskb Gy,Nq'), SKIP, I('pmovmskb Gy,Ux'), SKIP))
  t[0xe6] = pfx(BAD, I('cvtdq2pd Vx,Wq'), I('cvttpd2dq Vx,Wx'), I('cvtpd2dq Vx,Wx'))
  t[0xe7] = pfx(I('movntq Mq,Pq'), BAD, mod(I('movntdq Mx,Vx'), BAD))
  t[0xf0] = pfx(BAD, BAD, BAD, mod(I('lddqu Vx,M'), BAD))
  t[0xf7] = pfx(I('maskmovq Pq,Nq'), BAD, I('maskmovdqu Vx,Ux'))
}

function buildMap38(): Entry[] {
  const t: Entry[] = new Array<Entry>(256).fill(BAD)
  // SSSE3: MMX and SSE forms.
  // prettier-ignore
  const ssse3 = ['pshufb', 'phaddw', 'phaddd', 'phaddsw', 'pmaddubsw', 'phsubw', 'phsubd', 'phsubsw', 'psignb', 'psignw', 'psignd', 'pmulhrsw']
  ssse3.forEach((name, i) => (t[i] = mmxSse2(name)))
  t[0x1c] = mmxSse2('pabsb')
  t[0x1d] = mmxSse2('pabsw')
  t[0x1e] = mmxSse2('pabsd')
  // SSE4.1 / SSE4.2 / AES / GFNI: 66 only.
  const sse4: [number, string][] = [
    [0x10, 'pblendvb Vx,Wx,XMM0'], [0x14, 'blendvps Vx,Wx,XMM0'], [0x15, 'blendvpd Vx,Wx,XMM0'], [0x17, 'ptest Vx,Wx'],
    [0x20, 'pmovsxbw Vx,Wq'], [0x21, 'pmovsxbd Vx,Wd'], [0x22, 'pmovsxbq Vx,Ww'], [0x23, 'pmovsxwd Vx,Wq'],
    [0x24, 'pmovsxwq Vx,Wd'], [0x25, 'pmovsxdq Vx,Wq'], [0x28, 'pmuldq Vx,Wx'], [0x29, 'pcmpeqq Vx,Wx'],
    [0x2b, 'packusdw Vx,Wx'], [0x30, 'pmovzxbw Vx,Wq'], [0x31, 'pmovzxbd Vx,Wd'], [0x32, 'pmovzxbq Vx,Ww'],
    [0x33, 'pmovzxwd Vx,Wq'], [0x34, 'pmovzxwq Vx,Wd'], [0x35, 'pmovzxdq Vx,Wq'], [0x37, 'pcmpgtq Vx,Wx'],
    [0x38, 'pminsb Vx,Wx'], [0x39, 'pminsd Vx,Wx'], [0x3a, 'pminuw Vx,Wx'], [0x3b, 'pminud Vx,Wx'],
    [0x3c, 'pmaxsb Vx,Wx'], [0x3d, 'pmaxsd Vx,Wx'], [0x3e, 'pmaxuw Vx,Wx'], [0x3f, 'pmaxud Vx,Wx'],
    [0x40, 'pmulld Vx,Wx'], [0x41, 'phminposuw Vx,Wx'], [0xcf, 'gf2p8mulb Vx,Wx'], [0xdb, 'aesimc Vx,Wx'],
    [0xdc, 'aesenc Vx,Wx'], [0xdd, 'aesenclast Vx,Wx'], [0xde, 'aesdec Vx,Wx'], [0xdf, 'aesdeclast Vx,Wx'],
  ] // prettier-ignore
  for (const [op, spec] of sse4) t[op] = only66(spec)
  // AES rounds (66) share their opcodes with Key Locker (F3, SDM Vol. 2A "AESENC128KL").
  const aes: [number, string, string][] = [
    [0xdc, 'aesenc', 'aesenc128kl'], [0xdd, 'aesenclast', 'aesdec128kl'],
    [0xde, 'aesdec', 'aesenc256kl'], [0xdf, 'aesdeclast', 'aesdec256kl'],
  ] // prettier-ignore
  for (const [op, sse, kl] of aes) {
    t[op] = pfx(BAD, mod(I(`${kl} Vx,M`), op === 0xdc ? I('loadiwkey Vx,Ux') : BAD), I(`${sse} Vx,Wx`))
  }
  const wide = ['aesencwide128kl', 'aesdecwide128kl', 'aesencwide256kl', 'aesdecwide256kl']
  t[0xd8] = pfx(BAD, regOf([...wide.map((m) => `${m} M`), ...repeat(4, '')]))
  t[0x2a] = mod(only66('movntdqa Vx,Mx'), BAD)
  // SHA extensions (no prefix).
  const sha = ['sha1nexte', 'sha1msg1', 'sha1msg2', 'sha256rnds2', 'sha256msg1', 'sha256msg2']
  sha.forEach(
    (name, i) => (t[0xc8 + i] = onlyPlain(`${name} Vx,Wx${name === 'sha256rnds2' ? ',XMM0' : ''}`, BARE)),
  )
  // VMX/INVPCID: register, 128-bit descriptor in memory.
  t[0x80] = only66('invept Gd,Mo')
  t[0x81] = only66('invvpid Gd,Mo')
  t[0x82] = only66('invpcid Gd,M')
  t[0xf0] = pfx(I('movbe Gv,Mv'), BAD, I('movbe Gv,Mv'), I('crc32 Gd,Eb'))
  t[0xf1] = pfx(I('movbe Mv,Gv'), BAD, I('movbe Mv,Gv'), I('crc32 Gd,Ev'))
  t[0xf5] = mod(only66('wrussd M,Gd'), BAD)
  t[0xf6] = pfx(mod(I('wrssd M,Gd'), BAD), I('adox Gd,Ed'), I('adcx Gd,Ed'))
  t[0xf8] = pfx(BAD, mod(I('enqcmds Gd,M'), BAD), mod(I('movdir64b Gd,M'), BAD), mod(I('enqcmd Gd,M'), BAD))
  t[0xf9] = mod(onlyPlain('movdiri Md,Gd', BARE), BAD)
  t[0xfa] = pfx(BAD, mod(BAD, I('encodekey128 Gd,Ed')))
  t[0xfb] = pfx(BAD, mod(BAD, I('encodekey256 Gd,Ed')))
  t[0xfc] = pfx(I('aadd Md,Gd'), I('axor Md,Gd'), I('aand Md,Gd'), I('aor Md,Gd'))
  return t
}

function buildMap3a(): Entry[] {
  const t: Entry[] = new Array<Entry>(256).fill(BAD)
  t[0x0f] = pfx(I('palignr Pq,Qq,Ib'), BARE, I('palignr Vx,Wx,Ib'), BARE)
  const sse4: [number, string][] = [
    [0x08, 'roundps Vx,Wx'], [0x09, 'roundpd Vx,Wx'], [0x0a, 'roundss Vx,Wd'], [0x0b, 'roundsd Vx,Wq'],
    [0x0c, 'blendps Vx,Wx'], [0x0d, 'blendpd Vx,Wx'], [0x0e, 'pblendw Vx,Wx'], [0x14, 'pextrb Ebr,Vx'],
    [0x15, 'pextrw Ewr,Vx'], [0x16, 'pextrd Ey,Vx'], [0x17, 'extractps Ey,Vx'], [0x20, 'pinsrb Vx,Ebr'],
    [0x21, 'insertps Vx,Wd'], [0x22, 'pinsrd Vx,Ey'], [0x40, 'dpps Vx,Wx'], [0x41, 'dppd Vx,Wx'],
    [0x42, 'mpsadbw Vx,Wx'], [0x60, 'pcmpestrm Vx,Wx'], [0x61, 'pcmpestri Vx,Wx'], [0x62, 'pcmpistrm Vx,Wx'],
    [0x63, 'pcmpistri Vx,Wx'], [0xce, 'gf2p8affineqb Vx,Wx'], [0xcf, 'gf2p8affineinvqb Vx,Wx'],
    [0xdf, 'aeskeygenassist Vx,Wx'],
  ] // prettier-ignore
  for (const [op, spec] of sse4) t[op] = only66(`${spec},Ib`)
  t[0x44] = only66('pclmul%pdq Vx,Wx,Ipred')
  t[0xcc] = onlyPlain('sha1rnds4 Vx,Wx,Ib', BARE)
  // HRESET (F3 0F 3A F0 C0 ib): the ModRM byte must be C0.
  t[0xf0] = pfx(BAD, mod(BAD, rm(reg(I('hreset Ib'), ...repeat(7, BAD)), BAD, BAD, BAD, BAD, BAD, BAD, BAD)))
  return t
}

/** The one-byte opcode map (SDM Vol. 2D Table A-2). */
export const ONE_BYTE: readonly Entry[] = buildOneByte()
/** The two-byte opcode map, 0F xx (SDM Vol. 2D Table A-3). */
export const TWO_BYTE: readonly Entry[] = buildTwoByte()
/** The three-byte map 0F 38 xx (SDM Vol. 2D Table A-4). */
export const MAP_0F38: readonly Entry[] = buildMap38()
/** The three-byte map 0F 3A xx (SDM Vol. 2D Table A-5); every entry takes an imm8. */
export const MAP_0F3A: readonly Entry[] = buildMap3a()

/**
 * x87 memory forms, indexed by (opcode - 0xD8) * 8 + ModRM.reg: mnemonic and operand (SDM Vol. 2D
 * Table A-7 … A-22). `M` operands print without a size, as objdump prints FLDENV/FSAVE areas.
 */
export const X87_MEM: readonly (readonly [string, OperandCode])[] = (() => {
  const arith = ['fadd', 'fmul', 'fcom', 'fcomp', 'fsub', 'fsubr', 'fdiv', 'fdivr']
  const iarith = arith.map((m) => 'fi' + m.slice(1))
  const rows: (readonly [string, OperandCode])[][] = [
    arith.map((m) => [m, 'Md'] as const),
    [
      ['fld', 'Md'],
      ['(bad)', 'M'],
      ['fst', 'Md'],
      ['fstp', 'Md'],
      ['fldenv^w', 'M'],
      ['fldcw', 'Mw'],
      ['fNstenv^w', 'M'],
      ['fNstcw', 'Mw'],
    ],
    iarith.map((m) => [m, 'Md'] as const),
    [
      ['fild', 'Md'],
      ['fisttp', 'Md'],
      ['fist', 'Md'],
      ['fistp', 'Md'],
      ['(bad)', 'M'],
      ['fld', 'Mt'],
      ['(bad)', 'M'],
      ['fstp', 'Mt'],
    ],
    arith.map((m) => [m, 'Mq'] as const),
    [
      ['fld', 'Mq'],
      ['fisttp', 'Mq'],
      ['fst', 'Mq'],
      ['fstp', 'Mq'],
      ['frstor^w', 'M'],
      ['(bad)', 'M'],
      ['fNsave^w', 'M'],
      ['fNstsw', 'Mw'],
    ],
    iarith.map((m) => [m, 'Mw'] as const),
    [
      ['fild', 'Mw'],
      ['fisttp', 'Mw'],
      ['fist', 'Mw'],
      ['fistp', 'Mw'],
      ['fbld', 'Mt'],
      ['fild', 'Mq'],
      ['fbstp', 'Mt'],
      ['fistp', 'Mq'],
    ],
  ]
  return rows.flat()
})()

/**
 * x87 register forms (mod = 3), indexed by (opcode - 0xD8) * 8 + ModRM.reg: either one spec for all
 * eight ST(i), or eight operand-less mnemonics selected by ModRM.rm. objdump's historical (AT&T
 * SysV) naming of the reversed subtractions and divisions at DC/DE E0..FF is kept.
 */
export const X87_REG: readonly (string | readonly string[])[] = (() => {
  const bad8 = Array<string>(8).fill('')
  const at = (i: number, name: string): string[] => bad8.map((_, j) => (j === i ? name : ''))
  // prettier-ignore
  return [
    // D8
    'fadd ST,STi', 'fmul ST,STi', 'fcom STi', 'fcomp STi', 'fsub ST,STi', 'fsubr ST,STi', 'fdiv ST,STi', 'fdivr ST,STi',
    // D9
    'fld STi', 'fxch STi', at(0, 'fnop'), bad8,
    ['fchs', 'fabs', '', '', 'ftst', 'fxam', '', ''],
    ['fld1', 'fldl2t', 'fldl2e', 'fldpi', 'fldlg2', 'fldln2', 'fldz', ''],
    ['f2xm1', 'fyl2x', 'fptan', 'fpatan', 'fxtract', 'fprem1', 'fdecstp', 'fincstp'],
    ['fprem', 'fyl2xp1', 'fsqrt', 'fsincos', 'frndint', 'fscale', 'fsin', 'fcos'],
    // DA
    'fcmovb ST,STi', 'fcmove ST,STi', 'fcmovbe ST,STi', 'fcmovu ST,STi', bad8, at(1, 'fucompp'), bad8, bad8,
    // DB
    'fcmovnb ST,STi', 'fcmovne ST,STi', 'fcmovnbe ST,STi', 'fcmovnu ST,STi',
    ['fNeni(8087 only)', 'fNdisi(8087 only)', 'fNclex', 'fNinit', 'fNsetpm(287 only)', 'frstpm(287 only)', '', ''],
    'fucomi ST,STi', 'fcomi ST,STi', bad8,
    // DC
    'fadd STi,ST', 'fmul STi,ST', bad8, bad8, 'fsubr STi,ST', 'fsub STi,ST', 'fdivr STi,ST', 'fdiv STi,ST',
    // DD
    'ffree STi', bad8, 'fst STi', 'fstp STi', 'fucom STi', 'fucomp STi', bad8, bad8,
    // DE
    'faddp STi,ST', 'fmulp STi,ST', bad8, at(1, 'fcompp'), 'fsubrp STi,ST', 'fsubp STi,ST', 'fdivrp STi,ST', 'fdivp STi,ST',
    // DF
    'ffreep STi', bad8, bad8, bad8, at(0, 'fNstsw'), 'fucomip ST,STi', 'fcomip ST,STi', bad8,
  ]
})()

/** AMD 3DNow! (0F 0F /r ib): the trailing imm8 names the operation (AMD APM Vol. 5). */
// prettier-ignore
export const AMD_3DNOW: ReadonlyMap<number, string> = new Map([
  [0x0c, 'pi2fw'], [0x0d, 'pi2fd'], [0x1c, 'pf2iw'], [0x1d, 'pf2id'],
  [0x8a, 'pfnacc'], [0x8e, 'pfpnacc'], [0x90, 'pfcmpge'], [0x94, 'pfmin'], [0x96, 'pfrcp'], [0x97, 'pfrsqrt'],
  [0x9a, 'pfsub'], [0x9e, 'pfadd'], [0xa0, 'pfcmpgt'], [0xa4, 'pfmax'], [0xa6, 'pfrcpit1'], [0xa7, 'pfrsqit1'],
  [0xaa, 'pfsubr'], [0xae, 'pfacc'], [0xb0, 'pfcmpeq'], [0xb4, 'pfmul'], [0xb6, 'pfrcpit2'], [0xb7, 'pmulhrw'],
  [0xbb, 'pswapd'], [0xbf, 'pavgusb'],
])
