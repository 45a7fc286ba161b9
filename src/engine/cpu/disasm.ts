/**
 * Intel-syntax disassembler for 32-bit protected-mode IA-32 code, for the inspector.
 *
 * Independent of the CPU's own decoder on purpose: the inspector must be able to show any bytes,
 * including ones the interpreter rejects, and a second decoder written separately catches mistakes
 * in the first. Decoding follows the instruction format of Intel SDM Vol. 2A §2.1 (legacy prefixes,
 * opcode, ModRM, SIB, displacement, immediate) and the opcode maps of Vol. 2D Appendix A; the text
 * follows GNU objdump 2.40 `-M intel` exactly (mnemonics, `DWORD PTR` size keywords, hex immediates,
 * `ds:0x…` absolute addresses, unused prefixes printed as words like `data16` or `repz`), so the test
 * compares both outputs instruction by instruction. Branch targets are absolute addresses; objdump's
 * `<symbol+offset>` annotations are not produced (the test strips them before comparing).
 *
 * Integer, system, VMX/SVM and x87 instructions are printed in full, and so are MMX, SSE to SSE4.2,
 * AES, SHA, PCLMULQDQ and 3DNow!, none of which the CPU model executes. VEX, EVEX and XOP (AVX and
 * later) get their structural length and a placeholder text `(vex)`, `(evex)` or `(xop)`; an
 * undefined opcode inside one of their maps may therefore get a different length than objdump,
 * which knows the AVX tables. Invalid encodings print `(bad)` with the length objdump gives them.
 */
import { assertNever } from '../types'
import {
  AMD_3DNOW,
  Fix,
  MAP_0F38,
  MAP_0F3A,
  ONE_BYTE,
  TWO_BYTE,
  X87_MEM,
  X87_REG,
  I,
  type Entry,
  type InsnEntry,
  type OperandCode,
} from './disasm-tables'

/** One decoded instruction. */
export interface DisasmInstruction {
  /** Bytes the instruction occupies, 1 to 15. */
  readonly length: number
  /** Prefix words and mnemonic, space-separated, e.g. `rep stos`, `lock cmpxchg`, `mov`. */
  readonly mnemonic: string
  /** Operands in Intel order, comma-separated without spaces; '' when there are none. */
  readonly operands: string
  /** `mnemonic operands`, single-spaced: objdump's text with its column padding collapsed. */
  readonly text: string
}

/** One line of a listing: the instruction, where it is and its bytes. */
export interface DisasmLine extends DisasmInstruction {
  /** Address of the first byte (what branch targets are relative to). */
  readonly address: number
  /** Offset of the first byte in the code array. */
  readonly offset: number
  readonly bytes: Uint8Array
}

/**
 * Decodes the instruction at `code[offset]`, which lives at linear address `address` (used for
 * branch targets). Never throws: bytes running off the end of `code` give objdump's answer for a
 * truncated instruction (the first byte as `.byte 0x…` or as a prefix name, length 1).
 */
export function disassemble(code: Uint8Array, offset: number, address: number): DisasmInstruction {
  if (!Number.isInteger(offset) || offset < 0 || offset >= code.length) {
    return result(['(bad)'], [], 1)
  }
  return new Decoder(code, offset, address >>> 0).decode()
}

/** Disassembles `code[offset, end)` as consecutive instructions, the first at `address`. */
export function disassembleRange(
  code: Uint8Array,
  offset: number,
  end: number,
  address: number,
): DisasmLine[] {
  const out: DisasmLine[] = []
  const stop = Math.min(end, code.length)
  const view = code.subarray(0, stop)
  let off = offset
  while (off < stop) {
    const insn = disassemble(view, off, address + (off - offset))
    out.push({
      ...insn,
      address: (address + (off - offset)) >>> 0,
      offset: off,
      bytes: code.slice(off, off + insn.length),
    })
    off += insn.length
  }
  return out
}

function result(words: readonly string[], operands: readonly string[], length: number): DisasmInstruction {
  const mnemonic = words.join(' ')
  const ops = operands.join(',')
  return { length, mnemonic, operands: ops, text: ops ? `${mnemonic} ${ops}` : mnemonic }
}

const REG8 = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh']
const REG16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di']
const REG32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi']
const SREG = ['es', 'cs', 'ss', 'ds', 'fs', 'gs', '?', '?']
const ADDR16 = ['bx+si', 'bx+di', 'bp+si', 'bp+di', 'si', 'di', 'bp', 'bx']
const MM = ['mm0', 'mm1', 'mm2', 'mm3', 'mm4', 'mm5', 'mm6', 'mm7']
const CMP_PREDICATES = ['eq', 'lt', 'le', 'unord', 'neq', 'nlt', 'nle', 'ord']
const PCLMUL_HALVES = ['lqlq', 'hqlq', 'lqhq', 'hqhq']
const BND = ['bnd0', 'bnd1', 'bnd2', 'bnd3', '(bad)', '(bad)', '(bad)', '(bad)']
const XMM = ['xmm0', 'xmm1', 'xmm2', 'xmm3', 'xmm4', 'xmm5', 'xmm6', 'xmm7']

/** Longest instruction the processor accepts (SDM Vol. 2A §2.3.11). */
const MAX_LENGTH = 15
/** objdump fetches at most this many bytes for one instruction; needing more is a fetch error. */
const FETCH_LIMIT = 20

// Prefix flags (which legacy prefixes are present), SDM Vol. 2A §2.1.1.
const P_REPZ = 1
const P_REPNZ = 2
const P_LOCK = 4
const P_SEG = 8
const P_DATA = 16
const P_ADDR = 32

const SEG_PREFIX: Readonly<Record<number, number>> = { 0x26: 0, 0x2e: 1, 0x36: 2, 0x3e: 3, 0x64: 4, 0x65: 5 }
const PREFIX_NAME: Readonly<Record<number, string>> = {
  0xf3: 'repz',
  0xf2: 'repnz',
  0xf0: 'lock',
  0x26: 'es',
  0x2e: 'cs',
  0x36: 'ss',
  0x3e: 'ds',
  0x64: 'fs',
  0x65: 'gs',
  0x66: 'data16',
  0x67: 'addr16',
}

/** Thrown inside the decoder when the instruction runs past the available bytes. */
class Truncated {}
const TRUNCATED = new Truncated()

/** Operands that consume the ModRM byte. */
const MODRM_OPERANDS: ReadonlySet<OperandCode> = new Set<OperandCode>([
  'Eb', 'Ew', 'Ed', 'Ev', 'Evw', 'M', 'Mb', 'Mw', 'Md', 'Mq', 'Mt', 'Mo', 'Mx', 'Mv', 'Mp', 'Ma', 'Rd',
  'Gb', 'Gw', 'Gd', 'Gv', 'Sw', 'Cd', 'Dd', 'Td', 'Pq', 'Qq', 'Qd', 'Nq', 'PqFixed', 'QqFixed', 'Vx', 'Wx', 'Wq', 'Wd', 'Ww',
  'Ux', 'Ey', 'Gy', 'Ewr', 'Ebr', 'Gbnd', 'Ebnd', 'Ebnd32', 'Mbnd', 'RM0',
]) // prettier-ignore

/** A number in hex, as objdump prints immediates and addresses. */
function hex(v: number): string {
  return '0x' + v.toString(16)
}
/** A signed displacement: `+0x10` or `-0x10`. */
function signedHex(v: number): string {
  return v < 0 ? '-' + hex(-v) : '+' + hex(v)
}

class Decoder {
  private pos: number
  // Legacy prefixes in byte order; `names[i]` is what objdump prints for slot i (null once used).
  private readonly names: (string | null)[] = []
  private prefixes = 0
  private used = 0
  private lastRepz = -1
  private lastRepnz = -1
  private lastData = -1
  private lastAddr = -1
  private lastSeg = -1
  private lastLock = -1
  private activeSeg = -1
  private fwait = false
  private fwaitIndex = 0
  private o16 = false
  private a16 = false
  private insnStart = 0
  private opcodeEnd = 0
  private opcode = 0
  // ModRM state: the byte (or -1 before it is peeked) and whether it has been consumed.
  private modrm = -1
  private modrmDone = false
  // Decoded memory operand (valid once ModRM is consumed and mod != 3).
  private memText = ''
  private badOp = false
  private bare = false
  // The last imm8 read by an 'Ipred' operand (CMPPS predicate, PCLMULQDQ selector).
  private predicate = 0

  constructor(
    private readonly code: Uint8Array,
    private readonly start: number,
    private readonly address: number,
  ) {
    this.pos = start
  }

  decode(): DisasmInstruction {
    try {
      return this.decodeInsn()
    } catch (e) {
      if (e !== TRUNCATED) throw e
      // objdump's answer for an instruction it could not fetch in full: the first byte alone.
      const b = this.code[this.start]
      return result([PREFIX_NAME[b] ?? (b === 0x9b ? 'fwait' : `.byte ${hex(b)}`)], [], 1)
    }
  }

  private fetch(): number {
    if (this.pos >= this.code.length || this.pos - this.start >= FETCH_LIMIT) throw TRUNCATED
    return this.code[this.pos++]
  }
  private peek(): number {
    if (this.pos >= this.code.length || this.pos - this.start >= FETCH_LIMIT) throw TRUNCATED
    return this.code[this.pos]
  }
  private fetch16(): number {
    const lo = this.fetch()
    return lo | (this.fetch() << 8)
  }
  private fetch32(): number {
    const lo = this.fetch16()
    return (lo | (this.fetch16() << 16)) >>> 0
  }

  /** Scans legacy prefixes (SDM Vol. 2A §2.1.1); false when 14 of them leave no room for an opcode. */
  private scanPrefixes(): boolean {
    while (this.pos - this.start < MAX_LENGTH - 1) {
      const b = this.peek()
      const i = this.names.length
      if (b === 0x9b) {
        // FWAIT is an instruction, but objdump folds it into a following x87 control instruction.
        this.fwaitIndex = i
        if (this.prefixes !== 0 || this.fwait) {
          this.fwait = true
          this.pos++
          return true
        }
        this.fwait = true
        this.pos++
        continue
      }
      const seg = SEG_PREFIX[b]
      if (seg !== undefined) {
        this.prefixes |= P_SEG
        this.lastSeg = i
        this.activeSeg = seg
      } else if (b === 0xf3) {
        this.prefixes |= P_REPZ
        this.lastRepz = i
      } else if (b === 0xf2) {
        this.prefixes |= P_REPNZ
        this.lastRepnz = i
      } else if (b === 0xf0) {
        this.prefixes |= P_LOCK
        this.lastLock = i
      } else if (b === 0x66) {
        this.prefixes |= P_DATA
        this.lastData = i
      } else if (b === 0x67) {
        this.prefixes |= P_ADDR
        this.lastAddr = i
      } else {
        return true
      }
      this.names.push(PREFIX_NAME[b])
      this.pos++
    }
    return false
  }

  private decodeInsn(): DisasmInstruction {
    if (!this.scanPrefixes()) return result(this.names as string[], [], this.names.length)
    this.insnStart = this.pos
    this.o16 = (this.prefixes & P_DATA) !== 0
    this.a16 = (this.prefixes & P_ADDR) !== 0
    const first = this.peek()
    if (this.fwait && (first < 0xd8 || first > 0xdf)) {
      const before = this.names.slice(0, this.fwaitIndex) as string[]
      return result([...before, 'fwait'], [], before.length + 1)
    }
    this.pos++
    let entry: Entry
    if (first === 0x0f) {
      this.opcode = this.fetch()
      entry = TWO_BYTE[this.opcode]
    } else {
      this.opcode = first
      entry = ONE_BYTE[first]
    }
    this.opcodeEnd = this.pos

    let words: string[]
    let operands: string[]
    if (first === 0x90) {
      ;[words, operands] = this.nop()
    } else {
      switch (entry.kind) {
        case 'x87':
          ;[words, operands] = this.x87()
          break
        case 'map38':
        case 'map3a':
          this.opcode = this.fetch()
          this.opcodeEnd = this.pos
          ;[words, operands] = this.insn((entry.kind === 'map38' ? MAP_0F38 : MAP_0F3A)[this.opcode])
          break
        case '3dnow':
          ;[words, operands] = this.amd3dnow()
          break
        case 'vex':
          if (this.isVex()) return this.vex()
          ;[words, operands] = this.insn(entry.legacy)
          break
        default:
          ;[words, operands] = this.insn(entry)
      }
    }
    return this.finish(words, operands)
  }

  /** Appends the unused prefixes, applies the length limit, and builds the result. */
  private finish(words: string[], operands: string[]): DisasmInstruction {
    // A failed mandatory-prefix check prints a bare "(bad)", without the prefixes.
    if (this.bare) return result(['(bad)'], [], this.opcodeEnd - this.start)
    if ((this.prefixes & P_SEG) !== 0 && (this.used & P_SEG) !== 0 && this.activeSeg >= 0) {
      this.names[this.lastSeg] = null
    }
    if ((this.prefixes & P_ADDR) !== 0 && (this.used & P_ADDR) !== 0) this.names[this.lastAddr] = null
    if ((this.prefixes & P_DATA) !== 0 && (this.used & P_DATA) !== 0) this.names[this.lastData] = null
    const prefixWords = this.names.filter((n): n is string => n !== null)
    const length = this.pos - this.start
    if (length > MAX_LENGTH) return result([...prefixWords, '(bad)'], [], MAX_LENGTH)
    return result([...prefixWords, ...words], operands, length)
  }

  // ---- opcode-table walk --------------------------------------------------------------------

  private peekModrm(): number {
    if (this.modrm < 0) this.modrm = this.peek()
    return this.modrm
  }

  /**
   * Picks the mandatory-prefix column as objdump does: the last of F3/F2 wins, then 66; a `skip`
   * column lets the F3/F2 stand as an ordinary (printed) prefix and falls through to 66 or none.
   */
  private mandatoryPrefix(sub: readonly Entry[]): number {
    let column = 0
    let slot = -1
    let flag = 0
    if ((this.prefixes & (P_REPZ | P_REPNZ)) !== 0) {
      if (this.lastRepz > this.lastRepnz) [column, slot, flag] = [1, this.lastRepz, P_REPZ]
      else [column, slot, flag] = [3, this.lastRepnz, P_REPNZ]
      if (sub[column].kind === 'skip') column = 0
    }
    if (column === 0 && (this.prefixes & P_DATA) !== 0) [column, slot, flag] = [2, this.lastData, P_DATA]
    if (column !== 0) {
      this.used |= flag
      this.names[slot] = null
    }
    return column
  }

  private resolve(entry: Entry): InsnEntry | null {
    for (;;) {
      switch (entry.kind) {
        case 'insn':
          return entry
        case 'reg':
          entry = entry.sub[(this.peekModrm() >> 3) & 7]
          break
        case 'mod':
          entry = this.peekModrm() >= 0xc0 ? entry.reg : entry.mem
          break
        case 'rm':
          entry = entry.sub[this.peekModrm() & 7]
          break
        case 'pfx':
          entry = entry.sub[this.mandatoryPrefix(entry.sub)]
          break
        case 'skip':
          return null
        case 'bad':
          if (entry.bare) this.bare = true
          return null
        case 'x87':
        case 'map38':
        case 'map3a':
        case '3dnow':
        case 'vex':
          return null
        default:
          return assertNever(entry, 'opcode table entry')
      }
    }
  }

  /** Decodes a table entry into prefix-fixed mnemonic words and operand texts. */
  private insn(entry: Entry): [string[], string[]] {
    const insn = this.resolve(entry)
    if (insn === null) {
      // An invalid encoding: objdump's length stops after the opcode bytes.
      this.pos = this.opcodeEnd
      return [['(bad)'], []]
    }

    const fix = insn.fix
    if (fix & Fix.NoTrack && this.code.subarray(this.start, this.insnStart).includes(0x3e)) {
      this.activeSeg = -1
      this.names[this.lastSeg] = 'notrack'
    }
    let mnemonic = this.expandMnemonic(insn.mnemonic)
    // A group member without ModRM operands (VMCALL, LFENCE, XABORT…) still occupies its ModRM byte.
    if (this.modrm >= 0) this.consumeModrm(!this.registerOnly(insn.operands))
    const operands = this.operands(insn.operands)
    if (mnemonic.includes('%')) [mnemonic, operands.length] = this.foldPredicate(mnemonic, operands.length)
    if (insn.ignored) {
      // objdump's PREFIX_IGNORED: the mandatory-prefix candidates print again and count as unused.
      this.used &= ~(P_DATA | P_REPZ | P_REPNZ)
      if (this.lastData >= 0) this.names[this.lastData] = 'data16'
      if (this.lastRepz >= 0) this.names[this.lastRepz] = 'repz'
      if (this.lastRepnz >= 0) this.names[this.lastRepnz] = 'repnz'
    }
    const memory = this.modrm >= 0 && this.modrm < 0xc0 && this.modrmDone
    if (fix & Fix.Rep && this.prefixes & P_REPZ) this.names[this.lastRepz] = 'rep'
    if (fix & Fix.Bnd && this.prefixes & P_REPNZ) this.names[this.lastRepnz] = 'bnd'
    const lockHle = fix & Fix.Hle && this.prefixes & P_LOCK && (memory || fix & Fix.HleAnyForm)
    if ((memory && fix & Fix.HleXchg) || lockHle) {
      if (this.prefixes & P_REPZ) this.names[this.lastRepz] = 'xrelease'
      if (this.prefixes & P_REPNZ) this.names[this.lastRepnz] = 'xacquire'
    }
    if (memory && fix & Fix.HleMov && this.prefixes & P_REPZ && this.lastRepz > this.lastRepnz) {
      this.names[this.lastRepz] = 'xrelease'
    }
    return [[mnemonic], operands]
  }

  /**
   * CMPPS/CMPSS/CMPPD/CMPSD predicates 0..7 and the PCLMULQDQ quadword selectors become part of the
   * mnemonic (the assembler's pseudo-ops, SDM Vol. 2A "CMPPS" Table 3-3, "PCLMULQDQ" Table 4-13).
   */
  private foldPredicate(mnemonic: string, count: number): [string, number] {
    const p = this.predicate
    if (mnemonic.includes('%c')) {
      if (this.badOp || p >= 8) return [mnemonic.replace('%c', ''), count]
      return [mnemonic.replace('%c', CMP_PREDICATES[p]), count - 1]
    }
    const sel = p === 0x10 ? 2 : p === 0x11 ? 3 : p
    if (this.badOp || sel >= 4) return [mnemonic.replace('%p', 'q'), count]
    return [mnemonic.replace('%p', PCLMUL_HALVES[sel]), count - 1]
  }

  /** 90: NOP, XCHG AX,AX under 66, PAUSE under F3 (SDM Vol. 2B "PAUSE"). */
  private nop(): [string[], string[]] {
    if (this.prefixes & P_REPZ && this.lastRepz > this.lastRepnz) {
      this.names[this.lastRepz] = null
      return [['pause'], []]
    }
    if (this.o16) {
      this.used |= P_DATA
      return [['xchg'], ['ax', 'ax']]
    }
    return [['nop'], []]
  }

  /** Expands the mnemonic markers described in disasm-tables.ts. */
  private expandMnemonic(m: string): string {
    const bar = m.indexOf('|')
    if (bar >= 0) {
      this.used |= P_DATA
      return this.o16 ? m.slice(bar + 1) : m.slice(0, bar)
    }
    const at = m.indexOf('@')
    if (at >= 0) {
      this.used |= P_ADDR
      return this.a16 ? m.slice(at + 1) : m.slice(0, at)
    }
    if (m.endsWith('^w')) {
      this.used |= P_DATA
      m = m.slice(0, -2) + (this.o16 ? 'w' : '')
    } else if (m.endsWith('^d')) {
      this.used |= P_DATA
      m = m.slice(0, -2) + (this.o16 ? 'w' : 'd')
    }
    return m.startsWith('fN') ? 'f' + (this.fwait ? '' : 'n') + m.slice(2) : m
  }

  // ---- operands -----------------------------------------------------------------------------

  private operands(codes: readonly OperandCode[]): string[] {
    if (codes.some((c) => MODRM_OPERANDS.has(c))) this.consumeModrm(!this.registerOnly(codes))
    const out: string[] = []
    for (const c of codes) {
      const text = this.operand(c)
      if (text !== '') out.push(text)
    }
    return out
  }

  /**
   * Whether objdump reads the ModRM byte alone, without SIB or displacement: the r/m field names a
   * register whatever its mod (MOV to/from CR/DR/TR), must be a register (or the operand is bad),
   * or is an MPX operand under 16-bit addressing, which is rejected.
   */
  private registerOnly(codes: readonly OperandCode[]): boolean {
    return (
      codes.some((c) => c === 'Rd' || c === 'Nq' || c === 'Ux' || c === 'RM0') ||
      (this.a16 && codes.some((c) => c === 'Mbnd' || c === 'Ebnd' || c === 'Ebnd32'))
    )
  }

  /** Consumes ModRM and, for memory forms, SIB and displacement (SDM Vol. 2A §2.1.5). */
  private consumeModrm(withAddress = true): void {
    if (this.modrmDone) return
    this.peekModrm()
    this.pos++
    this.modrmDone = true
    if (this.modrm < 0xc0 && withAddress) this.memText = this.a16 ? this.address16() : this.address32()
  }

  private address32(): string {
    const mod = this.modrm >> 6
    const rm = this.modrm & 7
    const hasSib = rm === 4
    let base = rm
    let index = 4
    let scale = 0
    if (hasSib) {
      const sib = this.fetch()
      scale = sib >> 6
      index = (sib >> 3) & 7
      base = sib & 7
    }
    let disp = 0
    if (mod === 1) disp = (this.fetch() << 24) >> 24
    else if (mod === 2 || base === 5) disp = this.fetch32() | 0
    const hasBase = !(mod === 0 && base === 5)
    const hasIndex = hasSib && index !== 4
    // With a SIB byte but neither base nor index, objdump shows the pseudo-register eiz.
    const needIndex = hasSib && !hasBase && !hasIndex
    const bracketed = hasBase || needIndex || (hasSib && (hasIndex || scale !== 0))
    if (!bracketed) return (this.activeSeg < 0 ? 'ds:' : '') + hex(disp >>> 0)
    let s = '['
    if (hasBase) s += REG32[base]
    if (hasSib && (scale !== 0 || needIndex || hasIndex || (hasBase && base !== 4))) {
      if (hasBase) s += '+'
      s += (hasIndex ? REG32[index] : 'eiz') + '*' + (1 << scale)
    }
    if (mod !== 0 || base === 5) s += signedHex(disp)
    return s + ']'
  }

  private address16(): string {
    this.used |= P_ADDR
    const mod = this.modrm >> 6
    const rm = this.modrm & 7
    let disp = 0
    if (mod === 1) disp = (this.fetch() << 24) >> 24
    else if (mod === 2 || (mod === 0 && rm === 6)) disp = (this.fetch16() << 16) >> 16
    if (mod === 0 && rm === 6) return (this.activeSeg < 0 ? 'ds:' : '') + hex(disp & 0xffff)
    return '[' + ADDR16[rm] + (mod !== 0 ? signedHex(disp) : '') + ']'
  }

  /** The segment override as objdump prints it before a memory operand (and marks it used). */
  private segOverride(): string {
    if (this.activeSeg < 0) return ''
    this.used |= P_SEG
    return SREG[this.activeSeg] + ':'
  }

  private memory(size: string): string {
    if (this.modrm >= 0xc0) return this.bad()
    return size + this.segOverride() + this.memText
  }

  /**
   * An operand whose ModRM form is the wrong kind (memory where a register is required or the
   * reverse): objdump prints "(bad)" there, rewinds to just after the first opcode byte and goes on
   * with the remaining operands from that point.
   */
  private bad(): string {
    this.badOp = true
    this.pos = this.insnStart + 1
    return '(bad)'
  }

  /** A v-sized (word or dword by operand size) choice; marks the 66 prefix as used. */
  private v<T>(word: T, dword: T): T {
    this.used |= P_DATA
    return this.o16 ? word : dword
  }

  private rmReg(names: readonly string[]): string | null {
    return this.modrm >= 0xc0 ? names[this.modrm & 7] : null
  }

  private operand(code: OperandCode): string {
    const regField = (this.modrm >> 3) & 7
    switch (code) {
      case 'Eb':
        return this.rmReg(REG8) ?? this.memory('BYTE PTR ')
      case 'Ew':
        return this.rmReg(REG16) ?? this.memory('WORD PTR ')
      case 'Ed':
        return this.rmReg(REG32) ?? this.memory('DWORD PTR ')
      case 'Ev':
        return this.rmReg(this.v(REG16, REG32)) ?? this.memory(this.v('WORD PTR ', 'DWORD PTR '))
      case 'Evw':
        return this.modrm >= 0xc0 ? this.v(REG16, REG32)[this.modrm & 7] : this.memory('WORD PTR ')
      case 'M':
        return this.memory('')
      case 'Mb':
        return this.memory('BYTE PTR ')
      case 'Mw':
        return this.memory('WORD PTR ')
      case 'Md':
        return this.memory('DWORD PTR ')
      case 'Mq':
        return this.memory('QWORD PTR ')
      case 'Mt':
        return this.memory('TBYTE PTR ')
      case 'Mo':
        return this.memory('OWORD PTR ')
      case 'Mx':
        return this.memory('XMMWORD PTR ')
      case 'Mv':
        return this.memory(this.v('WORD PTR ', 'DWORD PTR '))
      case 'Mp':
        return this.memory(this.v('DWORD PTR ', 'FWORD PTR '))
      case 'Ma':
        return this.memory(this.v('DWORD PTR ', 'QWORD PTR '))
      case 'Rd':
        return REG32[this.modrm & 7]
      case 'Gb':
        return REG8[regField]
      case 'Gw':
        return REG16[regField]
      case 'Gd':
        return REG32[regField]
      case 'Gv':
        return this.v(REG16, REG32)[regField]
      case 'Sw':
        return SREG[regField]
      case 'Cd':
        // Outside 64-bit mode LOCK selects CR8..CR15 (AMD APM Vol. 3, "MOV CRn"); objdump consumes it.
        if (this.prefixes & P_LOCK) {
          this.names[this.lastLock] = null
          return 'cr' + (regField + 8)
        }
        return 'cr' + regField
      case 'Dd':
        return 'dr' + regField
      case 'Td':
        return 'tr' + regField
      case 'Ib':
        return hex(this.fetch())
      case 'Iw':
        return hex(this.fetch16())
      case 'Iv':
        return hex(this.v(true, false) ? this.fetch16() : this.fetch32())
      case 'sIb': {
        const b = (this.fetch() << 24) >> 24
        return hex(this.o16 ? b & 0xffff : b >>> 0)
      }
      case 'I1':
        return '1'
      case 'Jb': {
        const d = (this.fetch() << 24) >> 24
        return hex((this.address + (this.pos - this.start) + d) >>> 0)
      }
      case 'Jv': {
        if (this.v(true, false)) {
          const d = (this.fetch16() << 16) >> 16
          return hex((this.address + (this.pos - this.start) + d) & 0xffff)
        }
        const d = this.fetch32()
        return hex((this.address + (this.pos - this.start) + d) >>> 0)
      }
      case 'Ap': {
        const off = this.v(true, false) ? this.fetch16() : this.fetch32()
        return hex(this.fetch16()) + ':' + hex(off)
      }
      case 'Ob':
      case 'Ov': {
        // objdump reads a 16-bit offset under 67 but does not count the prefix as used.
        const off = this.a16 ? this.fetch16() : this.fetch32()
        return (this.activeSeg < 0 ? 'ds:' : this.segOverride()) + hex(off)
      }
      case 'Xb':
        return this.stringOperand('BYTE PTR ', false)
      case 'Xv':
        return this.stringOperand(this.v('WORD PTR ', 'DWORD PTR '), false)
      case 'Yb':
        return this.stringOperand('BYTE PTR ', true)
      case 'Yv':
        return this.stringOperand(this.v('WORD PTR ', 'DWORD PTR '), true)
      case 'XLAT':
        this.used |= P_ADDR
        return 'BYTE PTR ' + (this.activeSeg < 0 ? 'ds:' : this.segOverride()) + (this.a16 ? '[bx]' : '[ebx]')
      case 'AL':
        return 'al'
      case 'CL':
        return 'cl'
      case 'DX':
        return 'dx'
      case 'eAX':
        return this.v('ax', 'eax')
      case 'Zb':
        return REG8[this.opcode & 7]
      case 'Zv':
        return this.v(REG16, REG32)[this.opcode & 7]
      case 'ES':
      case 'CS':
      case 'SS':
      case 'DS':
      case 'FS':
      case 'GS':
        return code.toLowerCase()
      case 'ST':
        return 'st'
      case 'STi':
        return `st(${this.modrm & 7})`
      // objdump's MMX operands turn into XMM ones when a 66 prefix is present but not consumed as
      // a mandatory prefix (e.g. 66 F3 0F D6 MOVQ2DQ, or 3DNow! under 66).
      case 'Pq':
        return this.v(XMM, MM)[regField]
      case 'Qq':
        return this.rmReg(this.v(XMM, MM)) ?? this.memory(this.v('XMMWORD PTR ', 'QWORD PTR '))
      case 'Qd':
        return this.rmReg(this.v(XMM, MM)) ?? this.memory('DWORD PTR ')
      case 'Nq':
        return this.modrm >= 0xc0 ? this.v(XMM, MM)[this.modrm & 7] : this.bad()
      case 'PqFixed':
        return MM[regField]
      case 'QqFixed':
        return this.rmReg(MM) ?? this.memory('QWORD PTR ')
      case 'Vx':
        return 'xmm' + regField
      case 'Wx':
        return this.rmReg(XMM) ?? this.memory('XMMWORD PTR ')
      case 'Wq':
        return this.rmReg(XMM) ?? this.memory('QWORD PTR ')
      case 'Wd':
        return this.rmReg(XMM) ?? this.memory('DWORD PTR ')
      case 'Ww':
        return this.rmReg(XMM) ?? this.memory('WORD PTR ')
      case 'Ux':
        return this.rmReg(XMM) ?? this.bad()
      case 'Ey':
        return this.rmReg(REG32) ?? this.memory('DWORD PTR ')
      case 'Gy':
        return REG32[regField]
      case 'Ewr':
        return this.rmReg(REG32) ?? this.memory('WORD PTR ')
      case 'Ebr':
        return this.rmReg(REG32) ?? this.memory('BYTE PTR ')
      case 'Ipred':
        this.predicate = this.fetch()
        return hex(this.predicate)
      case 'XMM0':
        return 'xmm0'
      case 'Gbnd':
        return regField < 4 ? 'bnd' + regField : '(bad)'
      case 'Ebnd':
        return this.rmReg(BND) ?? this.boundMemory()
      case 'Ebnd32':
        return this.rmReg(REG32) ?? this.boundMemory()
      case 'Mbnd':
        return this.modrm >= 0xc0 ? this.memory('') : this.boundMemory()
      case 'RM0':
        return (this.modrm & 0xc7) === 0xc0 ? '' : this.bad()
      default:
        return assertNever(code, 'operand code')
    }
  }

  /** MPX memory operands have no size keyword and no 16-bit addressing form. */
  private boundMemory(): string {
    return this.a16 ? this.segOverride() + '(bad)' : this.memory('')
  }

  /** DS:[ESI] (overridable) or ES:[EDI] string operands (SDM Vol. 2A §3.7.5). */
  private stringOperand(size: string, destination: boolean): string {
    this.used |= P_ADDR
    if (destination) return size + 'es:' + (this.a16 ? '[di]' : '[edi]')
    return size + (this.activeSeg < 0 ? 'ds:' : this.segOverride()) + (this.a16 ? '[si]' : '[esi]')
  }

  // ---- x87, 3DNow!, VEX ---------------------------------------------------------------------

  /** D8..DF: memory forms by ModRM.reg, register forms by reg and rm (SDM Vol. 2D §A.5). */
  private x87(): [string[], string[]] {
    const row = (this.opcode - 0xd8) * 8 + ((this.peekModrm() >> 3) & 7)
    if (this.modrm < 0xc0) {
      const [name, operand] = X87_MEM[row]
      const mnemonic = this.expandMnemonic(name)
      this.consumeModrm()
      return [[mnemonic], [this.operand(operand)]]
    }
    this.consumeModrm()
    const spec = X87_REG[row]
    if (typeof spec === 'string') {
      const insn = I(spec)
      return [[this.expandMnemonic(insn.mnemonic)], insn.operands.map((c) => this.operand(c))]
    }
    const name = spec[this.modrm & 7]
    if (name === '') return [['(bad)'], []]
    // FNSTSW AX (DF E0) is the one register-form x87 instruction with a general-register operand.
    return [[this.expandMnemonic(name)], this.opcode === 0xdf ? ['ax'] : []]
  }

  /** 0F 0F /r ib: the operation is named by the trailing imm8 (AMD APM Vol. 5). */
  private amd3dnow(): [string[], string[]] {
    this.consumeModrm()
    const operands = [this.operand('Pq'), this.operand('Qq')]
    const name = AMD_3DNOW.get(this.fetch())
    if (name === undefined) {
      this.bad()
      return [['(bad)'], []]
    }
    return [[name], operands]
  }

  /**
   * C4/C5 (VEX), 62 (EVEX) and 8F (XOP) introduce a vector encoding when the next byte could not be
   * the ModRM of LES/LDS/BOUND (mod = 3 is invalid for them) or of POP (reg must be 0).
   */
  private isVex(): boolean {
    const next = this.peek()
    return this.opcode === 0x8f ? (next & 0x38) !== 0 : next >= 0xc0
  }

  /**
   * VEX/EVEX/XOP instructions (SDM Vol. 2A §2.3, §2.7; AMD APM Vol. 6): exact length, placeholder
   * text, since the CPU model has no AVX. Only structural invalidity is detected (an unknown opcode
   * map, EVEX.U = 0, EVEX.L'L = 3, an XOP embedded prefix); an undefined opcode within a valid map
   * gets the length of its ModRM/immediate shape.
   */
  private vex(): DisasmInstruction {
    const kind = this.opcode
    const p0 = this.fetch()
    const tag = kind === 0x62 ? '(evex)' : kind === 0x8f ? '(xop)' : '(vex)'
    // Opcode map: VEX.mmmmm, EVEX.mmm, XOP.mmmmm (8, 9, 10); the two-byte VEX form implies 0F.
    const map = kind === 0xc5 ? 1 : kind === 0x62 ? p0 & 0x0f : p0 & 0x1f
    const validMaps = kind === 0x62 ? [1, 2, 3, 5, 6] : kind === 0x8f ? [8, 9, 10] : [1, 2, 3]
    if (!validMaps.includes(map)) {
      this.pos = this.insnStart + 1
      return this.finish(['(bad)'], [])
    }
    if (kind === 0x62 && (this.peek() & 0x04) === 0) {
      // EVEX.U must be 1; objdump stops after the first payload byte.
      this.pos = this.insnStart + 2
      return this.finish(['(bad)'], [])
    }
    // VEX.vvvv (inverted): objdump prints a bare "(bad)" when it must be unused but is not.
    let vvvv = (~p0 >> 3) & 0xf
    let embeddedPrefix = 0
    let evexP2 = 0
    if (kind !== 0xc5) {
      const p1 = this.fetch()
      vvvv = (~p1 >> 3) & 0xf
      embeddedPrefix = p1 & 3
      if (kind === 0x62) evexP2 = this.fetch()
    }
    const op = this.fetch()
    this.opcodeEnd = this.pos
    const hasModrm = !(kind === 0xc4 || kind === 0xc5) || map !== 1 || op !== 0x77
    if (hasModrm) this.peekModrm()
    const evexBadLength = kind === 0x62 && (evexP2 & 0x60) === 0x60 && !(this.modrm >= 0xc0 && evexP2 & 0x10)
    if ((kind === 0x8f && embeddedPrefix !== 0) || evexBadLength) {
      this.pos = this.opcodeEnd
      if (vvvv !== 0) return result(['(bad)'], [], this.pos - this.start)
      // objdump still appends the EVEX opmask and zeroing flag to the first (empty) operand.
      const mask = (evexP2 & 7 ? `{k${evexP2 & 7}}` : '') + (evexP2 & 0x80 ? '{z}' : '')
      return this.finish(['(bad)'], mask ? [mask] : [])
    }
    if (hasModrm) this.consumeModrm()
    const imm8 =
      map === 3 || map === 8 || (map === 1 && ((op & 0xfc) === 0x70 || [0xc2, 0xc4, 0xc5, 0xc6].includes(op)))
    if (imm8) this.fetch()
    else if (map === 10) this.fetch32()
    return this.finish([tag], [])
  }
}
