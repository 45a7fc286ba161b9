/**
 * Seeded generator of differential test cases: small NASM snippets of integer IA-32 code, each with
 * its initial registers, EFLAGS and a 64-byte scratch memory area, and the set of flags the SDM
 * leaves undefined after it (masked when comparing; Intel SDM Vol. 2, "Flags Affected" of each
 * instruction).
 */
import { Prng } from './prng'

export const CF = 0x1
export const PF = 0x4
export const AF = 0x10
export const ZF = 0x40
export const SF = 0x80
export const OF = 0x800
export const ARITH = CF | PF | AF | ZF | SF | OF

export type Reg32 = 'eax' | 'ecx' | 'edx' | 'ebx' | 'ebp' | 'esi' | 'edi'
export const REGS: readonly Reg32[] = ['eax', 'ecx', 'edx', 'ebx', 'ebp', 'esi', 'edi']

export interface DiffCase {
  /** Unique number (labels in the program are case<id>). */
  readonly id: number
  readonly name: string
  /** The instructions under test (may define local labels with the prefix in `label`). */
  readonly lines: readonly string[]
  /** Initial value of each register, as a NASM expression. */
  readonly regs: Readonly<Record<Reg32, string>>
  /** Initial ESP (a NASM expression; the scratch area holds the stack of stack tests). */
  readonly esp: string
  /** Initial EFLAGS (IF = 1, IOPL 0, TF = AC = 0, as user mode can have them). */
  readonly flags: number
  /** Initial scratch dwords (numbers or NASM expressions). */
  readonly scratch: readonly (number | string)[]
  /** EFLAGS bits the SDM leaves undefined after these instructions. */
  readonly undefinedFlags: number
}

const EDGE32 = [
  0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0x80000001,
  0xfffffffe, 0xffffffff,
]

const R32 = ['eax', 'ecx', 'edx', 'ebx', 'ebp', 'esi', 'edi'] as const
const R16 = ['ax', 'cx', 'dx', 'bx', 'bp', 'si', 'di'] as const
const R8 = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'] as const
const R8_OWNER: Record<string, Reg32> = {
  al: 'eax',
  cl: 'ecx',
  dl: 'edx',
  bl: 'ebx',
  ah: 'eax',
  ch: 'ecx',
  dh: 'edx',
  bh: 'ebx',
}
const CC = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'] as const
const SIZE_WORD: Record<number, string> = { 1: 'byte', 2: 'word', 4: 'dword' }

function hex(v: number): string {
  return `0x${(v >>> 0).toString(16)}`
}

/** One case under construction. */
class Builder {
  regs: Record<Reg32, string>
  esp = 'scratch+48'
  flags: number
  scratch: (number | string)[]
  lines: string[] = []
  undef = 0
  constructor(
    readonly g: Prng,
    readonly id: number,
  ) {
    this.regs = {} as Record<Reg32, string>
    for (const r of REGS) this.regs[r] = hex(this.val())
    this.flags = 0x202 | (g.u32() & ARITH)
    this.scratch = Array.from({ length: 16 }, () => this.val())
  }
  val(): number {
    const g = this.g
    switch (g.below(4)) {
      case 0:
        return g.pick(EDGE32)
      case 1:
        return g.below(256)
      default:
        return g.u32()
    }
  }
  /** A local label of this case (NASM attaches it to the case's own `caseN:` label). */
  label(s: string): string {
    return `.c${this.id}_${s}`
  }
  /** The full name of a local label, for use as a data value. */
  fullLabel(s: string): string {
    return `case${this.id}.c${this.id}_${s}`
  }
  reg(size: number): string {
    const g = this.g
    return size === 4 ? g.pick(R32) : size === 2 ? g.pick(R16) : g.pick(R8)
  }
  imm(size: number): number {
    const v = this.val()
    return size === 4 ? v : size === 2 ? v & 0xffff : v & 0xff
  }
  /**
   * A memory operand of `size` bytes inside the scratch area, using one of the 32-bit addressing
   * forms (SDM Vol. 2 Tables 2-2/2-3), with its base/index registers initialised to reach it.
   */
  mem(size: number, avoid: readonly string[] = [], offset?: number): string {
    const g = this.g
    const t = offset ?? g.below(64 - size + 1)
    const free = REGS.filter((r) => !avoid.includes(r))
    const form = g.below(7)
    const disp8 = g.below(256) - 128
    const disp32 = g.u32() | 0
    const w = SIZE_WORD[size]
    if (form === 0 || free.length < 2) return `${w} [scratch+${t}]`
    const base = g.pick(free)
    const index = g.pick(free.filter((r) => r !== base))
    const scale = g.pick([1, 2, 4, 8])
    const k = g.below(4)
    switch (form) {
      case 1:
        this.regs[base] = `scratch+${t}`
        return `${w} [${base}]`
      case 2:
        this.regs[base] = `scratch+${t}-(${disp8})`
        return `${w} [${base}+(${disp8})]`
      case 3:
        this.regs[base] = `scratch+${t}-(${disp32})`
        return `${w} [${base}+(${disp32})]`
      case 4:
        this.regs[index] = hex(k)
        this.regs[base] = `scratch+${t}-${k * scale}`
        return `${w} [${base}+${index}*${scale}]`
      case 5:
        this.regs[index] = hex(k)
        this.regs[base] = `scratch+${t}-${k * scale}-(${disp8})`
        return `${w} [${base}+${index}*${scale}+(${disp8})]`
      default:
        this.regs[index] = hex(k)
        return `${w} [${index}*${scale}+scratch+${t - k * scale}]`
    }
  }
  /** Register operands used by an instruction, so memory-operand registers avoid them. */
  owners(...names: string[]): string[] {
    return names.map((n) => (n.length === 2 && n in R8_OWNER ? R8_OWNER[n] : n.length === 2 ? `e${n}` : n))
  }
  build(name: string): DiffCase {
    return {
      id: this.id,
      name,
      lines: this.lines,
      regs: this.regs,
      esp: this.esp,
      flags: this.flags,
      scratch: this.scratch,
      undefinedFlags: this.undef,
    }
  }
}

const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'] as const

function alu(b: Builder): string {
  const g = b.g
  const op = g.pick(ALU)
  const size = g.pick([1, 2, 4, 4])
  const form = g.below(5)
  const r = b.reg(size)
  const r2 = b.reg(size)
  switch (form) {
    case 0:
      b.lines.push(`${op} ${r}, ${r2}`)
      break
    case 1:
      b.lines.push(`${op} ${r}, ${hex(b.imm(size))}`)
      break
    case 2:
      b.lines.push(`${op} ${r}, ${b.mem(size, b.owners(r))}`)
      break
    case 3:
      b.lines.push(`${op} ${b.mem(size, b.owners(r))}, ${r}`)
      break
    default:
      // Sign-extended imm8 forms (opcode 83) for 16/32-bit operands, else a full immediate.
      b.lines.push(
        size > 1 && g.chance(0.5)
          ? `${op} ${b.mem(size)}, byte ${g.below(256) - 128}`
          : `${op} ${b.mem(size)}, ${hex(b.imm(size))}`,
      )
  }
  if (op === 'and' || op === 'or' || op === 'xor') b.undef = AF
  return `${op}${size * 8}`
}

function unary(b: Builder): string {
  const g = b.g
  const op = g.pick(['inc', 'dec', 'neg', 'not'])
  const size = g.pick([1, 2, 4])
  b.lines.push(`${op} ${g.chance(0.5) ? b.reg(size) : b.mem(size)}`)
  return `${op}${size * 8}`
}

function test(b: Builder): string {
  const g = b.g
  const size = g.pick([1, 2, 4])
  const r = b.reg(size)
  switch (g.below(4)) {
    case 0:
      b.lines.push(`test ${r}, ${b.reg(size)}`)
      break
    case 1:
      b.lines.push(`test ${r}, ${hex(b.imm(size))}`)
      break
    case 2:
      b.lines.push(`test ${b.mem(size, b.owners(r))}, ${r}`)
      break
    default:
      b.lines.push(`test ${b.mem(size)}, ${hex(b.imm(size))}`)
  }
  b.undef = AF
  return `test${size * 8}`
}

const SHIFTS = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sar'] as const

function shift(b: Builder): string {
  const g = b.g
  const op = g.pick(SHIFTS)
  const size = g.pick([1, 2, 4])
  const bits = size * 8
  let count: number
  let src: string
  switch (g.below(3)) {
    case 0:
      count = 1
      src = '1'
      break
    case 1:
      count = g.chance(0.8) ? g.below(33) : g.below(256)
      src = String(count)
      break
    default:
      count = g.chance(0.8) ? g.below(40) : g.below(256)
      b.regs.ecx = hex((g.u32() & ~0xff) | count)
      src = 'cl'
  }
  let dst: string
  if (g.chance(0.5)) {
    dst = b.reg(size)
    if (src === 'cl' && /^(e?cx|cl|ch)$/.test(dst)) dst = size === 4 ? 'eax' : size === 2 ? 'ax' : 'al'
  } else dst = b.mem(size, src === 'cl' ? ['ecx'] : [])
  b.lines.push(`${op} ${dst}, ${src}`)
  const masked = count & 31
  if (masked !== 0) {
    if (op === 'shl' || op === 'shr' || op === 'sar') {
      b.undef |= AF
      if (masked !== 1) b.undef |= OF
      if ((op === 'shl' || op === 'shr') && masked >= bits) b.undef |= CF
    } else if (masked !== 1) b.undef |= OF
  }
  return `${op}${bits}`
}

function shd(b: Builder): string {
  const g = b.g
  const op = g.pick(['shld', 'shrd'])
  const size = g.pick([2, 4])
  const bits = size * 8
  const useCl = g.chance(0.5)
  let count = g.chance(0.9) ? g.below(bits + 1) : g.below(256)
  if (size === 2 && (count & 31) > 16) count = g.below(17)
  const avoid = useCl ? ['ecx'] : []
  const regs = (size === 4 ? R32 : R16).filter((r) => !avoid.includes(r === 'cx' ? 'ecx' : r))
  const src = g.pick(regs)
  const dst = g.chance(0.5) ? g.pick(regs) : b.mem(size, [...avoid, ...b.owners(src)])
  if (useCl) b.regs.ecx = hex((g.u32() & ~0xff) | count)
  b.lines.push(`${op} ${dst}, ${src}, ${useCl ? 'cl' : count}`)
  const masked = count & 31
  if (masked !== 0) {
    b.undef |= AF
    if (masked !== 1) b.undef |= OF
  }
  return `${op}${bits}`
}

function mul(b: Builder): string {
  const g = b.g
  const size = g.pick([1, 2, 4])
  const kind = g.below(4)
  const r = b.reg(size)
  const src = g.chance(0.5) ? r : b.mem(size)
  b.undef = SF | ZF | AF | PF
  if (kind === 0) {
    b.lines.push(`mul ${src}`)
    return `mul${size * 8}`
  }
  if (kind === 1 || size === 1) {
    b.lines.push(`imul ${src}`)
    return `imul1_${size * 8}`
  }
  const dst = size === 4 ? g.pick(R32) : g.pick(R16)
  if (kind === 2) {
    b.lines.push(`imul ${dst}, ${g.chance(0.5) ? b.reg(size) : b.mem(size, b.owners(dst))}`)
    return `imul2_${size * 8}`
  }
  const imm = g.chance(0.5) ? g.below(256) - 128 : (b.imm(size) << (32 - size * 8)) >> (32 - size * 8)
  b.lines.push(`imul ${dst}, ${g.chance(0.5) ? b.reg(size) : b.mem(size, b.owners(dst))}, ${imm}`)
  return `imul3_${size * 8}`
}

function div(b: Builder): string {
  const g = b.g
  const size = g.pick([1, 2, 4])
  const signed = g.chance(0.5)
  const bits = BigInt(size * 8)
  const half = 1n << (bits - 1n)
  // Divisor ≠ 0, and a dividend whose quotient fits, so neither run takes #DE.
  let d = BigInt(g.u32() >>> (32 - size * 8)) || 1n
  if (g.chance(0.3)) d = BigInt(g.pick([1, 2, 3, 7, 10, 255]))
  let dividend: bigint
  if (signed) {
    const sd = d >= half ? d - (1n << bits) : d
    const qmax = half - 1n
    const q = (BigInt(g.u32()) % (qmax + 1n)) * (g.chance(0.5) ? -1n : 1n)
    const absd = sd < 0n ? -sd : sd
    const rem = BigInt(g.u32()) % absd
    const prod = q * sd
    dividend = prod >= 0n ? prod + rem : prod - rem
    if (dividend === 0n && g.chance(0.5)) dividend = rem
  } else {
    const q = BigInt(g.u32()) % (1n << bits)
    dividend = q * d + (BigInt(g.u32()) % d)
  }
  const mask2 = (1n << (2n * bits)) - 1n
  const dv = dividend & mask2
  const lo = Number(dv & ((1n << bits) - 1n))
  const hi = Number(dv >> bits)
  // Registers: AX (8-bit), DX:AX, EDX:EAX; the divisor in a register or memory that does not overlap them.
  if (size === 1) b.regs.eax = hex((g.u32() & 0xffff0000) | (Number(dv) & 0xffff))
  else if (size === 2) {
    b.regs.eax = hex((g.u32() & 0xffff0000) | lo)
    b.regs.edx = hex((g.u32() & 0xffff0000) | hi)
  } else {
    b.regs.eax = hex(lo)
    b.regs.edx = hex(hi)
  }
  const divisor = Number(d)
  let src: string
  if (g.chance(0.5)) {
    if (size === 1) {
      const high = g.chance(0.5)
      b.regs.ebx = hex((g.u32() & ~(0xff << (high ? 8 : 0))) | (divisor << (high ? 8 : 0)))
      src = high ? 'bh' : 'bl'
    } else {
      const r = g.pick(['ebx', 'esi', 'edi', 'ebp'] as const)
      b.regs[r] = hex(size === 4 ? divisor : (g.u32() & 0xffff0000) | divisor)
      src = size === 4 ? r : r.slice(1)
    }
  } else {
    const at = 4 * g.below(16)
    b.scratch[at / 4] = divisor
    src = `${SIZE_WORD[size]} [scratch+${at}]`
  }
  b.lines.push(`${signed ? 'idiv' : 'div'} ${src}`)
  b.undef = ARITH
  return `${signed ? 'idiv' : 'div'}${size * 8}`
}

function string(b: Builder): string {
  const g = b.g
  const op = g.pick(['movs', 'cmps', 'stos', 'lods', 'scas'])
  const size = g.pick([1, 2, 4])
  const suffix = size === 1 ? 'b' : size === 2 ? 'w' : 'd'
  const down = g.chance(0.3)
  const compare = op === 'cmps' || op === 'scas'
  const prefix = g.pick(compare ? ['', 'repe ', 'repne '] : ['', 'rep '])
  const count = g.below(7)
  if (prefix) b.regs.ecx = hex(g.chance(0.2) ? 0 : count)
  const startS = down ? 40 + g.below(20) : g.below(20)
  const startD = down ? 40 + g.below(20) : g.below(20)
  b.regs.esi = `scratch+${startS}`
  b.regs.edi = `scratch+${startD}`
  if (down) b.flags |= 0x400
  // Make CMPS/SCAS find equal elements sometimes.
  if (compare && g.chance(0.5)) {
    for (let k = 0; k < 16; k++) b.scratch[k] = g.chance(0.7) ? 0x41414141 : b.val()
    b.regs.eax = '0x41414141'
  }
  b.lines.push(`${prefix}${op}${suffix}`)
  return `${prefix.trim() || 'one'}-${op}${suffix}${down ? '-std' : ''}`
}

function setcc(b: Builder): string {
  const g = b.g
  const cc = g.pick(CC)
  switch (g.below(4)) {
    case 0:
      b.lines.push(`set${cc} ${g.pick(R8)}`)
      return `set${cc}`
    case 1:
      b.lines.push(`set${cc} ${b.mem(1)}`)
      return `set${cc}-m`
    case 2: {
      const d = g.pick(R32)
      b.lines.push(`cmov${cc} ${d}, ${g.chance(0.5) ? g.pick(R32) : b.mem(4, [d])}`)
      return `cmov${cc}`
    }
    default: {
      const d = g.pick(R16)
      b.lines.push(`cmov${cc} ${d}, ${g.pick(R16)}`)
      return `cmov${cc}16`
    }
  }
}

function bits(b: Builder): string {
  const g = b.g
  const op = g.pick(['bt', 'bts', 'btr', 'btc'])
  const size = g.pick([2, 4])
  const regs = size === 4 ? R32 : R16
  b.undef = OF | SF | AF | PF
  switch (g.below(4)) {
    case 0:
      b.lines.push(`${op} ${g.pick(regs)}, ${g.pick(regs)}`)
      return `${op}-rr${size * 8}`
    case 1:
      b.lines.push(`${op} ${g.pick(regs)}, ${g.below(256)}`)
      return `${op}-ri${size * 8}`
    case 2:
      b.lines.push(`${op} ${b.mem(size, [], 32)}, ${g.below(256)}`)
      return `${op}-mi${size * 8}`
    default: {
      // A register bit offset reaches beyond the operand: keep it within ±256 bits of scratch+32.
      const r = g.pick(['eax', 'ecx', 'edx', 'edi'] as const)
      const off = g.below(512) - 256
      b.regs[r] = hex(size === 4 ? off : (g.u32() & 0xffff0000) | (off & 0xffff))
      b.regs.ebx = 'scratch+32'
      b.lines.push(`${op} ${SIZE_WORD[size]} [ebx], ${size === 4 ? r : r.slice(1)}`)
      return `${op}-mr${size * 8}`
    }
  }
}

function scan(b: Builder): string {
  const g = b.g
  const op = g.pick(['bsf', 'bsr'])
  const size = g.pick([2, 4])
  const regs = size === 4 ? R32 : R16
  const d = g.pick(regs)
  const s = g.chance(0.5) ? g.pick(regs) : b.mem(size, b.owners(d))
  if (g.chance(0.2)) {
    if (s.includes('[')) b.scratch = b.scratch.map(() => 0)
    else b.regs[(s.length === 2 ? `e${s}` : s) as Reg32] = '0'
  }
  b.lines.push(`${op} ${d}, ${s}`)
  b.undef = CF | OF | SF | AF | PF
  return `${op}${size * 8}`
}

function moves(b: Builder): string {
  const g = b.g
  switch (g.below(12)) {
    case 0: {
      const sx = g.pick(['movzx', 'movsx'])
      const d = g.pick(R32)
      const form = g.below(4)
      const src = form === 0 ? g.pick(R8) : form === 1 ? g.pick(R16) : b.mem(form - 1, [d])
      b.lines.push(`${sx} ${d}, ${src}`)
      return sx
    }
    case 1: {
      const sx = g.pick(['movzx', 'movsx'])
      b.lines.push(`${sx} ${g.pick(R16)}, ${g.chance(0.5) ? g.pick(R8) : b.mem(1)}`)
      return `${sx}16`
    }
    case 2: {
      const size = g.pick([1, 2, 4])
      const r = b.reg(size)
      b.lines.push(`xchg ${r}, ${g.chance(0.5) ? b.reg(size) : b.mem(size, b.owners(r))}`)
      return `xchg${size * 8}`
    }
    case 3: {
      const size = g.pick([1, 2, 4])
      const r = b.reg(size)
      b.lines.push(`xadd ${g.chance(0.5) ? b.reg(size) : b.mem(size, b.owners(r))}, ${r}`)
      return `xadd${size * 8}`
    }
    case 4: {
      const size = g.pick([1, 2, 4])
      const r = b.reg(size)
      let dst: string
      if (g.chance(0.5)) dst = b.reg(size)
      else {
        dst = `${SIZE_WORD[size]} [scratch+0]`
        // Sometimes make the accumulator equal to the destination so the exchange happens.
        if (g.chance(0.5)) b.regs.eax = hex(b.scratch[0] as number)
      }
      b.lines.push(`cmpxchg ${dst}, ${r}`)
      return `cmpxchg${size * 8}`
    }
    case 5:
      b.lines.push(`bswap ${g.pick(R32)}`)
      return 'bswap'
    case 6: {
      // LEA with every 32-bit addressing form, and with the 16-bit forms (0x67) into a 16- or 32-bit register.
      const d = g.pick(R32)
      if (g.chance(0.3)) {
        const m16 = g.pick(['bx+si', 'bx+di', 'bp+si', 'bp+di', 'si', 'di', 'bp', 'bx'])
        const disp = g.below(0x10000) - 0x8000
        b.lines.push(`lea ${g.chance(0.5) ? d : d.slice(1)}, [${m16}+(${disp})]`)
        return 'lea16'
      }
      const m = b.mem(4).replace('dword ', '')
      b.lines.push(`lea ${d}, ${m}`)
      return 'lea'
    }
    case 7:
      b.lines.push(g.pick(['cbw', 'cwde', 'cwd', 'cdq']))
      return 'convert'
    case 8:
      b.lines.push(g.pick(['lahf', 'sahf', 'clc', 'stc', 'cmc']))
      return 'flags'
    case 9: {
      const size = g.pick([1, 2, 4])
      const r = b.reg(size)
      b.lines.push(
        g.chance(0.5) ? `mov ${r}, ${b.mem(size, b.owners(r))}` : `mov ${b.mem(size, b.owners(r))}, ${r}`,
      )
      return `mov${size * 8}`
    }
    case 10: {
      const size = g.pick([1, 2, 4])
      b.lines.push(`mov ${b.mem(size)}, ${hex(b.imm(size))}`)
      return `mov-mi${size * 8}`
    }
    default: {
      const acc = g.pick(['al', 'ax', 'eax'])
      const size = acc === 'al' ? 1 : acc === 'ax' ? 2 : 4
      const at = g.below(64 - size + 1)
      b.lines.push(g.chance(0.5) ? `mov ${acc}, [scratch+${at}]` : `mov [scratch+${at}], ${acc}`)
      return 'mov-moffs'
    }
  }
}

function bcd(b: Builder): string {
  const g = b.g
  const op = g.pick(['daa', 'das', 'aaa', 'aas', 'aam', 'aad'])
  if (op === 'aam' || op === 'aad') {
    const base = g.chance(0.5) ? 10 : 1 + g.below(255)
    b.lines.push(`${op} ${base}`)
    b.undef = OF | AF | CF
  } else {
    b.lines.push(op)
    b.undef = op === 'daa' || op === 'das' ? OF : OF | SF | ZF | PF
  }
  return op
}

function stack(b: Builder): string {
  const g = b.g
  switch (g.below(10)) {
    case 0:
      b.lines.push(`push ${g.pick(R32)}`)
      return 'push-r'
    case 1:
      b.lines.push(`push ${g.chance(0.5) ? g.below(256) - 128 : hex(g.u32())}`)
      return 'push-i'
    case 2:
      b.lines.push(`push ${b.mem(4)}`)
      return 'push-m'
    case 3:
      b.lines.push(`pop ${g.pick(R32)}`)
      return 'pop-r'
    case 4:
      b.lines.push(`pop ${b.mem(4)}`)
      return 'pop-m'
    case 5:
      b.lines.push(g.pick(['pushad', 'pushaw']))
      return 'pusha'
    case 6:
      b.esp = 'scratch+16'
      b.lines.push(g.pick(['popad', 'popaw']))
      return 'popa'
    case 7: {
      b.regs.ebp = 'scratch+56'
      b.lines.push(`enter ${g.below(9)}, ${g.below(4)}`)
      return 'enter'
    }
    case 8:
      b.regs.ebp = `scratch+${32 + 4 * g.below(4)}`
      b.lines.push(g.pick(['leave', 'o16 leave']))
      return 'leave'
    default: {
      // POPF of a value with random status flags and DF, IF = 1 (user mode cannot change IF), then PUSHF.
      b.scratch[12] = 0x202 | (g.u32() & (ARITH | 0x400))
      b.lines.push('popfd', 'pushfd')
      return 'popf-pushf'
    }
  }
}

function control(b: Builder): string {
  const g = b.g
  const t = b.label('t')
  const e = b.label('e')
  switch (g.below(5)) {
    case 0: {
      const cc = g.pick(CC)
      b.lines.push(
        `j${cc} ${g.chance(0.5) ? 'short ' : 'near '}${t}`,
        'mov eax, 1',
        `jmp ${e}`,
        `${t}: mov eax, 2`,
        `${e}:`,
      )
      return `j${cc}`
    }
    case 1: {
      const op = g.pick(['loop', 'loope', 'loopne', 'jecxz'])
      b.regs.ecx = hex(g.pick([0, 1, 2, 0xffffffff, g.u32()]))
      b.lines.push(`${op} ${t}`, 'mov eax, 1', `jmp ${e}`, `${t}: mov eax, 2`, `${e}:`)
      return op
    }
    case 2:
      b.lines.push(`call ${t}`, `jmp ${e}`, `${t}: pop ebx`, `push ebx`, `ret`, `${e}:`)
      return 'call-ret'
    case 3:
      b.scratch[1] = b.fullLabel('t')
      b.lines.push(
        `call [scratch+4]`,
        `jmp ${e}`,
        `${t}: mov esi, [esp]`,
        `ret ${g.pick([0, 4, 8])}`,
        `${e}:`,
      )
      return 'call-ind'
    default:
      b.regs.edx = b.fullLabel('t')
      b.lines.push(`jmp edx`, 'mov eax, 1', `${t}: mov eax, 2`)
      return 'jmp-ind'
  }
}

const FAMILIES: readonly [number, (b: Builder) => string][] = [
  [14, alu],
  [5, unary],
  [4, test],
  [14, shift],
  [6, shd],
  [7, mul],
  [7, div],
  [8, string],
  [6, setcc],
  [5, bits],
  [3, scan],
  [10, moves],
  [3, bcd],
  [5, stack],
  [4, control],
]

/** Generates `count` cases from `seed`, numbered from `firstId`. */
export function generateCases(seed: number, count: number, firstId = 0): DiffCase[] {
  const g = new Prng(seed)
  const total = FAMILIES.reduce((s, [w]) => s + w, 0)
  const out: DiffCase[] = []
  for (let k = 0; k < count; k++) {
    const b = new Builder(g, firstId + k)
    let pick = g.below(total)
    let fam = FAMILIES[0][1]
    for (const [w, f] of FAMILIES) {
      if (pick < w) {
        fam = f
        break
      }
      pick -= w
    }
    const name = fam(b)
    out.push(b.build(name))
  }
  return out
}
