/**
 * Integer arithmetic with EFLAGS as the SDM defines it (Vol. 2, each instruction's "Flags Affected"),
 * for 8-, 16- and 32-bit operands. Where the SDM leaves a flag undefined, the value is what the
 * Intel CPU of the differential suite produces when that is a simple function of the operands
 * (noted at each place); otherwise it is documented as Ringside's choice and masked in the suite.
 *
 * Values: 8- and 16-bit operands and results are zero-extended numbers; 32-bit ones are int32.
 */
import type { Cpu } from './cpu'
import { AF, CF, OF, PARITY, PF, SF, ZF, getCF, settleFlags } from './flags'

const LZ_ADD = 1
const LZ_SUB = 2
const LZ_INC = 3
const LZ_DEC = 4
const LZ_LOGIC = 5
const LZ_RES = 6
const LZ_SBB = 7

/** Shift that puts an operand of `size` bytes at the top of 32 bits. */
function topShift(size: number): number {
  return size === 4 ? 0 : size === 2 ? 16 : 24
}

function mask(size: number): number {
  return size === 4 ? -1 : size === 2 ? 0xffff : 0xff
}

/** Records a result whose ZF/SF/PF are lazy and CF/OF/AF are already in `fl`. */
function setResult(c: Cpu, size: number, res: number): void {
  const sh = topShift(size)
  c.lr = res << sh
  c.lk = LZ_RES | (sh << 8)
}

/** ADD OR ADC SBB AND SUB XOR CMP (kind 0–7) on `size`-byte operands. */
export function alu(c: Cpu, k: number, size: number, a: number, b: number): number {
  const sh = topShift(size)
  let res: number
  let kind: number
  switch (k) {
    case 0:
      res = a + b
      kind = LZ_ADD
      break
    case 1:
      res = a | b
      kind = LZ_LOGIC
      break
    case 2:
      res = a + b + getCF(c)
      kind = LZ_ADD
      break
    case 3:
      res = a - b - getCF(c)
      kind = LZ_SBB
      break
    case 4:
      res = a & b
      kind = LZ_LOGIC
      break
    case 6:
      res = a ^ b
      kind = LZ_LOGIC
      break
    default:
      res = a - b
      kind = LZ_SUB
      break
  }
  res = size === 4 ? res | 0 : res & mask(size)
  c.la = a << sh
  c.lb = b << sh
  c.lr = res << sh
  c.lk = kind | (sh << 8)
  return res
}

/** TEST / AND flags without a result. */
export function logicFlags(c: Cpu, size: number, res: number): void {
  const sh = topShift(size)
  c.lr = res << sh
  c.lk = LZ_LOGIC | (sh << 8)
}

/** INC/DEC: like ADD/SUB 1 but CF is preserved (SDM Vol. 2 INC, DEC). */
export function incdec(c: Cpu, size: number, a: number, dec: boolean): number {
  c.fl = (c.fl & ~CF) | getCF(c)
  const sh = topShift(size)
  const res = size === 4 ? (dec ? a - 1 : a + 1) | 0 : (dec ? a - 1 : a + 1) & mask(size)
  c.la = a << sh
  c.lb = 1 << sh
  c.lr = res << sh
  c.lk = (dec ? LZ_DEC : LZ_INC) | (sh << 8)
  return res
}

/** NEG: 0 − a; CF = (a ≠ 0) (SDM Vol. 2 NEG). */
export function neg(c: Cpu, size: number, a: number): number {
  return alu(c, 5, size, 0, a)
}

/**
 * ROL ROR RCL RCR SHL SHR SAL SAR (kind 0–7) of a `size`-byte value by `count` (SDM Vol. 2
 * "SAL/SAR/SHL/SHR", "RCL/RCR/ROL/ROR"). The count is masked to 5 bits; a masked count of 0 changes
 * nothing, flags included. OF is defined for a count of 1 only; for larger counts Intel hardware
 * returns the same formula's value (ROL/ROR/RCL/RCR, SHL) or the count-1 value of the last step, as
 * implemented below. AF after a shift is undefined: Intel leaves it 0 for SHL/SHR/SAR with a count
 * ≠ 0, and rotates do not touch it.
 *
 * Undefined cases, as the Intel CPU of the differential suite behaves (measured over every count and
 * a set of edge values): OF for a count > 1 is the 1-bit formula applied to the *original* operand
 * (the overflow of the first step) — except ROL/ROR of a register by an immediate, which keep OF;
 * an 8/16-bit RCL/RCR whose count is a multiple of 9/17 changes neither the operand nor any flag.
 */
export function shift(
  c: Cpu,
  kind: number,
  size: number,
  v: number,
  count: number,
  keepRotateOf: boolean,
): number {
  count &= 0x1f
  if (count === 0) return v
  const bits = size * 8
  const m = mask(size)
  const msb = bits - 1
  const u = size === 4 ? v >>> 0 : v
  let res: number
  let cf: number
  let of: number
  switch (kind) {
    case 0: {
      // ROL
      const n = count & msb
      res = n === 0 ? u : ((u << n) | (u >>> (bits - n))) & m
      if (size === 4) res >>>= 0
      cf = res & 1
      settleFlags(c)
      of = keepRotateOf && count !== 1 ? (c.fl >>> 11) & 1 : ((u >>> msb) ^ (u >>> (msb - 1))) & 1
      c.fl = (c.fl & ~(CF | OF)) | cf | (of << 11)
      return size === 4 ? res | 0 : res
    }
    case 1: {
      // ROR
      const n = count & msb
      res = n === 0 ? u : ((u >>> n) | (u << (bits - n))) & m
      if (size === 4) res >>>= 0
      cf = (res >>> msb) & 1
      settleFlags(c)
      of = keepRotateOf && count !== 1 ? (c.fl >>> 11) & 1 : (u ^ (u >>> msb)) & 1
      c.fl = (c.fl & ~(CF | OF)) | cf | (of << 11)
      return size === 4 ? res | 0 : res
    }
    case 2: {
      // RCL: rotate through CF over bits + 1 positions
      const n = count % (bits + 1)
      if (n === 0) return v
      let x = u
      let carry = getCF(c)
      for (let k = 0; k < n; k++) {
        const out = (x >>> msb) & 1
        x = ((x << 1) | carry) & m
        if (size === 4) x >>>= 0
        carry = out
      }
      settleFlags(c)
      of = ((u >>> msb) ^ (u >>> (msb - 1))) & 1
      c.fl = (c.fl & ~(CF | OF)) | carry | (of << 11)
      return size === 4 ? x | 0 : x
    }
    case 3: {
      // RCR
      const n = count % (bits + 1)
      if (n === 0) return v
      let x = u
      let carry = getCF(c)
      of = ((u >>> msb) & 1) ^ carry
      for (let k = 0; k < n; k++) {
        const out = x & 1
        x = (x >>> 1) | (carry << msb)
        if (size === 4) x >>>= 0
        carry = out
      }
      settleFlags(c)
      c.fl = (c.fl & ~(CF | OF)) | carry | (of << 11)
      return size === 4 ? x | 0 : x
    }
    case 4:
    case 6: {
      // SHL/SAL
      if (count <= bits) {
        cf = count === 0 ? 0 : (u >>> (bits - count)) & 1
        res = count === 32 ? 0 : (u << count) & m
      } else {
        cf = 0
        res = 0
      }
      if (size === 4) res = res | 0
      of = ((u >>> msb) ^ (u >>> (msb - 1))) & 1
      break
    }
    case 5: {
      // SHR
      cf = count <= bits ? (u >>> (count - 1)) & 1 : 0
      res = count >= bits ? 0 : u >>> count
      if (size === 4) res = res | 0
      of = (u >>> msb) & 1
      break
    }
    default: {
      // SAR
      const s = size === 4 ? v | 0 : (v << (32 - bits)) >> (32 - bits)
      const n = count >= bits ? bits - 1 : count
      cf = count >= bits ? (s >>> 31) & 1 : (s >> (count - 1)) & 1
      res = (s >> n) & m
      if (size === 4) res = res | 0
      of = 0
      break
    }
  }
  c.fl = (c.fl & ~(CF | OF | AF)) | cf | (of << 11)
  setResult(c, size, res)
  return res
}

/** 32-bit shift/rotate by an immediate (hot path of {@link shift}). */
export function shift32(c: Cpu, kind: number, v: number, count: number): number {
  return shift(c, kind, 4, v, count, true)
}

/**
 * SHLD/SHRD (SDM Vol. 2): shift `dst` left/right by `count` (masked to 5 bits), filling from `src`.
 * For 16-bit operands with a count above 16 the SDM leaves the result undefined; Intel hardware
 * shifts the 48-bit value dst:src:dst, which is what this does.
 */
export function shd(c: Cpu, left: boolean, size: number, dst: number, src: number, count: number): number {
  count &= 0x1f
  if (count === 0) return dst
  const bits = size * 8
  const msb = bits - 1
  let res: number
  let cf: number
  if (size === 4) {
    const d = dst >>> 0
    const s = src >>> 0
    if (left) {
      res = ((d << count) | (s >>> (32 - count))) >>> 0
      cf = (d >>> (32 - count)) & 1
    } else {
      res = ((d >>> count) | (s << (32 - count))) >>> 0
      cf = (d >>> (count - 1)) & 1
    }
  } else {
    // 16-bit: operate on the 48-bit pattern dst:src:dst (left) or dst:src:dst (right), as Intel does.
    const d = dst & 0xffff
    const s = src & 0xffff
    if (left) {
      // value = d:s:d, take the top 16 bits after shifting left by count
      const hi = d * 0x100000000 + s * 0x10000 + d
      const shifted = hi * 2 ** count
      res = Math.floor(shifted / 0x100000000) % 0x10000
      cf = Math.floor(shifted / 0x1000000000000) % 2
    } else {
      const lo = d * 0x100000000 + s * 0x10000 + d
      const shifted = Math.floor(lo / 2 ** count)
      res = shifted % 0x10000
      cf = Math.floor(lo / 2 ** (count - 1)) % 2
    }
  }
  // OF: the overflow of the first 1-bit step (defined for a count of 1; Intel computes it so for any count).
  const of = left ? ((dst >>> msb) ^ (dst >>> (msb - 1))) & 1 : (src ^ (dst >>> msb)) & 1
  c.fl = (c.fl & ~(CF | OF | AF)) | cf | (of << 11)
  setResult(c, size, size === 4 ? res | 0 : res)
  return size === 4 ? res | 0 : res
}

/** IMUL two/three-operand, 32-bit: CF = OF = 1 when the signed product does not fit 32 bits. */
export function imul32(c: Cpu, a: number, b: number): number {
  const res = Math.imul(a, b)
  const ovf = a * b !== res ? 1 : 0
  mulFlags(c, 4, res, ovf)
  return res
}

/** IMUL two/three-operand, 16-bit. */
export function imul16(c: Cpu, a: number, b: number): number {
  const p = ((a << 16) >> 16) * ((b << 16) >> 16)
  const res = p & 0xffff
  mulFlags(c, 2, res, p !== (res << 16) >> 16 ? 1 : 0)
  return res
}

/**
 * Flags after MUL/IMUL: CF = OF = overflow. SF, ZF, AF and PF are undefined in the SDM; Intel
 * hardware sets SF and PF from the low half of the result, and clears ZF and AF; this matches it.
 * Lazily: CF/OF/AF go to the concrete word and the result is recorded with one extra bit set outside
 * the bits SF and PF read (bit 8 for 32-bit values, bit 0 for shifted 8/16-bit ones), so ZF reads 0.
 */
function mulFlags(c: Cpu, size: number, low: number, ovf: number): void {
  const sh = topShift(size)
  c.fl = (c.fl & ~(CF | OF | AF)) | ovf | (ovf << 11)
  c.lr = (low << sh) | (sh === 0 ? 0x100 : 1)
  c.lk = LZ_RES | (sh << 8)
}

/** 32×32 → 64-bit unsigned product as [low, high] written to `out`. */
export function mulu32(a: number, b: number, out: Int32Array): void {
  const al = a & 0xffff
  const ah = a >>> 16
  const bl = b & 0xffff
  const bh = b >>> 16
  const ll = al * bl
  const lh = al * bh
  const hl = ah * bl
  const hh = ah * bh
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff)
  out[0] = (ll & 0xffff) | (mid << 16)
  out[1] = (hh + (lh >>> 16) + (hl >>> 16) + Math.floor(mid / 65536)) | 0
}

const tmp = new Int32Array(2)

/**
 * Group 3 MUL/IMUL/DIV/IDIV (reg field 4–7) of the accumulator by `src` (SDM Vol. 2). DIV/IDIV raise
 * #DE for a zero divisor or a quotient that does not fit. After DIV/IDIV all six status flags are
 * undefined: Intel hardware leaves them unchanged, as here.
 */
export function mulDiv(c: Cpu, kind: number, size: number, src: number): void {
  const r = c.r
  switch (size) {
    case 1: {
      const al = c.r8[0]
      if (kind === 4) {
        const p = al * src
        c.r16[0] = p
        mulFlags(c, 1, p & 0xff, p > 0xff ? 1 : 0)
      } else if (kind === 5) {
        const p = ((al << 24) >> 24) * ((src << 24) >> 24)
        c.r16[0] = p
        mulFlags(c, 1, p & 0xff, p !== ((p & 0xff) << 24) >> 24 ? 1 : 0)
      } else {
        const ax = c.r16[0]
        if (kind === 6) {
          if (src === 0) c.raise(0, -1)
          const q = Math.floor(ax / src)
          if (q > 0xff) c.raise(0, -1)
          c.r8[0] = q
          c.r8[1] = ax % src
        } else {
          const n = (ax << 16) >> 16
          const dv = (src << 24) >> 24
          if (dv === 0) c.raise(0, -1)
          const q = Math.trunc(n / dv)
          if (q > 127 || q < -128) c.raise(0, -1)
          c.r8[0] = q
          c.r8[1] = n - q * dv
        }
      }
      return
    }
    case 2: {
      const ax = c.r16[0]
      if (kind === 4) {
        const p = ax * src
        c.r16[0] = p
        c.r16[4] = p >>> 16
        mulFlags(c, 2, p & 0xffff, p > 0xffff ? 1 : 0)
      } else if (kind === 5) {
        const p = ((ax << 16) >> 16) * ((src << 16) >> 16)
        c.r16[0] = p
        c.r16[4] = p >> 16
        mulFlags(c, 2, p & 0xffff, p !== ((p & 0xffff) << 16) >> 16 ? 1 : 0)
      } else {
        const dx = c.r16[4]
        if (kind === 6) {
          if (src === 0) c.raise(0, -1)
          const n = dx * 65536 + ax
          const q = Math.floor(n / src)
          if (q > 0xffff) c.raise(0, -1)
          c.r16[0] = q
          c.r16[4] = n - q * src
        } else {
          const n = (dx << 16) | ax | 0
          const dv = (src << 16) >> 16
          if (dv === 0) c.raise(0, -1)
          const q = Math.trunc(n / dv)
          if (q > 32767 || q < -32768) c.raise(0, -1)
          c.r16[0] = q
          c.r16[4] = n - q * dv
        }
      }
      return
    }
    default: {
      const eax = r[0]
      if (kind === 4) {
        mulu32(eax, src, tmp)
        r[0] = tmp[0]
        r[2] = tmp[1]
        mulFlags(c, 4, tmp[0], tmp[1] !== 0 ? 1 : 0)
      } else if (kind === 5) {
        mulu32(eax, src, tmp)
        let hi = tmp[1]
        if (eax < 0) hi = (hi - src) | 0
        if (src < 0) hi = (hi - eax) | 0
        r[0] = tmp[0]
        r[2] = hi
        mulFlags(c, 4, tmp[0], hi !== tmp[0] >> 31 ? 1 : 0)
      } else if (kind === 6) {
        const d = src >>> 0
        if (d === 0) c.raise(0, -1)
        const hi = r[2] >>> 0
        if (hi >= d) c.raise(0, -1)
        divu64(hi, r[0] >>> 0, d, tmp)
        r[0] = tmp[0]
        r[2] = tmp[1]
      } else {
        const dv = src | 0
        if (dv === 0) c.raise(0, -1)
        let hi = r[2] | 0
        let lo = r[0] >>> 0
        const negN = hi < 0
        if (negN) {
          // two's-complement negate the 64-bit dividend
          lo = (~lo + 1) >>> 0
          hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0
        } else hi >>>= 0
        const ad = Math.abs(dv)
        if (hi >= ad) c.raise(0, -1)
        divu64(hi, lo, ad, tmp)
        const qm = tmp[0] >>> 0
        const rm = tmp[1] >>> 0
        const negQ = negN !== dv < 0
        if (negQ ? qm > 0x80000000 : qm > 0x7fffffff) c.raise(0, -1)
        r[0] = negQ ? -qm | 0 : qm | 0
        r[2] = negN ? -rm | 0 : rm | 0
      }
    }
  }
}

/** Unsigned (hi·2³² + lo) ÷ d with hi < d: quotient and remainder (exact with 48-bit intermediates). */
function divu64(hi: number, lo: number, d: number, out: Int32Array): void {
  let num = hi * 65536 + (lo >>> 16)
  const q1 = Math.floor(num / d)
  let rem = num - q1 * d
  num = rem * 65536 + (lo & 0xffff)
  const q0 = Math.floor(num / d)
  rem = num - q0 * d
  out[0] = (q1 * 65536 + q0) | 0
  out[1] = rem | 0
}

/**
 * BT/BTS/BTR/BTC (kind 0–3): CF ← the selected bit; then set/reset/complement it. Returns the new
 * value. OF, SF, AF and PF are undefined (Intel leaves them unchanged, as here); ZF is unaffected.
 */
export function bitOp(c: Cpu, kind: number, v: number, bit: number): number {
  const b = (v >>> bit) & 1
  settleFlags(c)
  c.fl = (c.fl & ~CF) | b
  switch (kind) {
    case 1:
      return v | (1 << bit)
    case 2:
      return v & ~(1 << bit)
    case 3:
      return v ^ (1 << bit)
    default:
      return v
  }
}

/**
 * BSF/BSR: ZF = 1 and the destination unchanged for a zero source (the SDM says "undefined"; Intel
 * leaves it unchanged). CF, OF, SF, AF, PF are undefined; Intel computes them as below (CF = OF =
 * SF = AF = 0, PF from the index), which the differential suite checks.
 */
export function bitScan(c: Cpu, reverse: boolean, size: number, v: number, old: number): number {
  settleFlags(c)
  const x = size === 4 ? v >>> 0 : v & mask(size)
  if (x === 0) {
    c.fl = (c.fl & ~(CF | OF | SF | AF | PF | ZF)) | ZF | PF
    return old
  }
  const idx = reverse ? 31 - Math.clz32(x) : 31 - Math.clz32(x & -x)
  c.fl = (c.fl & ~(CF | OF | SF | AF | PF | ZF)) | (PARITY[idx] ? PF : 0)
  return idx
}

/** Sets ZF/SF/PF from an 8-bit result and the other flags as given (BCD instructions). */
function bcdFlags(c: Cpu, res: number, cf: number, af: number, of: number): void {
  settleFlags(c)
  c.fl =
    (c.fl & ~(CF | AF | OF | ZF | SF | PF)) |
    (cf ? CF : 0) |
    (af ? AF : 0) |
    (of ? OF : 0) |
    (res & 0xff ? 0 : ZF) |
    (res & 0x80 ? SF : 0) |
    (PARITY[res & 0xff] ? PF : 0)
}

/**
 * DAA/DAS/AAA/AAS/AAM/AAD (SDM Vol. 2 pseudo-code). Undefined flags are what the Intel CPU of the
 * differential suite returns: OF = 0 after DAA/DAS; OF, AF, CF = 0 after AAM; after AAD, CF, AF and
 * OF of the addition AL + AH·imm; after AAA/AAS, SF/ZF/PF from the masked AL and OF = 0.
 */
export function bcd(c: Cpu, which: 'daa' | 'das' | 'aaa' | 'aas' | 'aam' | 'aad', imm: number): void {
  const al = c.r8[0]
  const cf = getCF(c)
  const af = readAF(c)
  switch (which) {
    case 'daa': {
      let v = al
      let ncf = 0
      let naf = 0
      if ((al & 0xf) > 9 || af) {
        v = (v + 6) & 0xff
        naf = 1
      }
      if (al > 0x99 || cf) {
        v = (v + 0x60) & 0xff
        ncf = 1
      }
      c.r8[0] = v
      bcdFlags(c, v, ncf, naf, 0)
      return
    }
    case 'das': {
      let v = al
      let ncf = 0
      let naf = 0
      if ((al & 0xf) > 9 || af) {
        // CF also records the borrow of this step (SDM Vol. 2 DAS: CF ← old_CF or borrow).
        if (al < 6) ncf = 1
        v = (v - 6) & 0xff
        naf = 1
      }
      if (al > 0x99 || cf) {
        v = (v - 0x60) & 0xff
        ncf = 1
      }
      c.r8[0] = v
      bcdFlags(c, v, ncf, naf, 0)
      return
    }
    case 'aaa':
    case 'aas': {
      const adj = (al & 0xf) > 9 || af
      if (adj) {
        if (which === 'aaa') {
          c.r16[0] = (c.r16[0] + 0x106) & 0xffff
        } else {
          c.r16[0] = (c.r16[0] - 6) & 0xffff
          c.r8[1] = (c.r8[1] - 1) & 0xff
        }
      }
      c.r8[0] &= 0xf
      bcdFlags(c, c.r8[0], adj ? 1 : 0, adj ? 1 : 0, 0)
      return
    }
    case 'aam': {
      if (imm === 0) c.raise(0, -1)
      c.r8[1] = Math.floor(al / imm)
      c.r8[0] = al % imm
      bcdFlags(c, c.r8[0], 0, 0, 0)
      return
    }
    default: {
      // AAD: AL ← AL + AH·imm; CF, AF and OF come from that 8-bit addition on Intel hardware.
      const b = (c.r8[1] * imm) & 0xff
      const v = (al + b) & 0xff
      c.r8[0] = v
      c.r8[1] = 0
      bcdFlags(c, v, al + b > 0xff ? 1 : 0, (al ^ b ^ v) & 0x10 ? 1 : 0, (al ^ v) & (b ^ v) & 0x80 ? 1 : 0)
      return
    }
  }
}

function readAF(c: Cpu): number {
  settleFlags(c)
  return (c.fl >>> 4) & 1
}
