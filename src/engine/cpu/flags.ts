/**
 * EFLAGS bits (Intel SDM Vol. 1 §3.4.3 "EFLAGS Register", Vol. 3A §2.3 "System Flags and Fields in
 * the EFLAGS Register") and the lazy-flags representation the CPU uses for the six arithmetic flags.
 *
 * Lazy flags: an arithmetic instruction does not compute CF/PF/AF/ZF/SF/OF; it records its operands,
 * its result and a kind, and each flag is derived when something reads it (Jcc, SETcc, PUSHF, …).
 * Operands and result are stored shifted left so that the operand's sign bit is bit 31 whatever the
 * operand size (8-bit values by 24, 16-bit by 16): then ZF is `res === 0`, SF is `res < 0`, and the
 * carry and overflow formulas look at bit 31 for every size.
 */

export const CF = 0x0001
export const PF = 0x0004
export const AF = 0x0010
export const ZF = 0x0040
export const SF = 0x0080
export const TF = 0x0100
export const IF = 0x0200
export const DF = 0x0400
export const OF = 0x0800
export const IOPL = 0x3000
export const NT = 0x4000
export const RF = 0x10000
export const VM = 0x20000
export const AC = 0x40000
export const VIF = 0x80000
export const VIP = 0x100000
export const ID = 0x200000

/** The six status flags (SDM Vol. 1 §3.4.3.1). */
export const ARITH = CF | PF | AF | ZF | SF | OF
/** Bit 1 of EFLAGS always reads 1; bits 3, 5, 15 and 22–31 read 0. */
export const FIXED1 = 0x0002

/** Lazy-flag kinds (bits 3:0 of the kind word; bits 15:8 hold the operand shift 0, 16 or 24). */
export const enum Lazy {
  /** All six flags are in the concrete EFLAGS word. */
  None = 0,
  /** ADD/ADC: CF, OF, AF from operands and result. */
  Add = 1,
  /** SUB/CMP/NEG: borrow formulas; the result is exactly a − b, so conditions compare a and b. */
  Sub = 2,
  /** INC: like ADD but CF is kept in the concrete word (SDM: INC does not affect CF). */
  Inc = 3,
  /** DEC: like SUB but CF is kept. */
  Dec = 4,
  /** AND/OR/XOR/TEST: CF = OF = 0; AF is undefined and reads 0 (what Intel hardware returns). */
  Logic = 5,
  /** ZF/SF/PF from the result; CF, OF and AF are in the concrete word (shifts, MUL, BCD, …). */
  Res = 6,
  /** SBB: the SUB formulas (they hold with a borrow-in), kept apart because a − b − CF ≠ a − b. */
  Sbb = 7,
}

/** Even-parity table for PF (PF = 1 when the low byte of the result has an even number of 1 bits). */
export const PARITY: Uint8Array = (() => {
  const t = new Uint8Array(256)
  for (let i = 0; i < 256; i++) {
    let b = i
    b ^= b >> 4
    b ^= b >> 2
    b ^= b >> 1
    t[i] = (b & 1) === 0 ? 1 : 0
  }
  return t
})()

/**
 * The lazy-flag state the CPU keeps (fields of `Cpu`): `fl` is the concrete EFLAGS word (its six
 * status bits are valid only where the kind says so), `lk` the kind | (shift << 8), and `la`, `lb`,
 * `lr` the shifted operands and result of the last flag-setting operation.
 */
export interface LazyFlags {
  fl: number
  lk: number
  la: number
  lb: number
  lr: number
}

/** CF (SDM Vol. 1 §3.4.3.1). ADD: carry out of the top bit = majority(a, b, carry-in of the top bit). */
export function getCF(c: LazyFlags): number {
  switch (c.lk & 15) {
    case Lazy.Add:
      return ((c.la & c.lb) | ((c.la | c.lb) & ~c.lr)) >>> 31
    case Lazy.Sub:
    case Lazy.Sbb:
      return ((~c.la & c.lb) | (~(c.la ^ c.lb) & c.lr)) >>> 31
    case Lazy.Logic:
      return 0
    default:
      return c.fl & CF
  }
}

export function getZF(c: LazyFlags): number {
  return c.lk === Lazy.None ? (c.fl >>> 6) & 1 : c.lr === 0 ? 1 : 0
}

export function getSF(c: LazyFlags): number {
  return c.lk === Lazy.None ? (c.fl >>> 7) & 1 : c.lr >>> 31
}

export function getOF(c: LazyFlags): number {
  switch (c.lk & 15) {
    case Lazy.Add:
    case Lazy.Inc:
      return ((c.la ^ c.lr) & (c.lb ^ c.lr)) >>> 31
    case Lazy.Sub:
    case Lazy.Sbb:
    case Lazy.Dec:
      return ((c.la ^ c.lb) & (c.la ^ c.lr)) >>> 31
    case Lazy.Logic:
      return 0
    default:
      return (c.fl >>> 11) & 1
  }
}

export function getAF(c: LazyFlags): number {
  switch (c.lk & 15) {
    case Lazy.Add:
    case Lazy.Sub:
    case Lazy.Sbb:
    case Lazy.Inc:
    case Lazy.Dec:
      return ((c.la ^ c.lb ^ c.lr) >>> ((c.lk >>> 8) + 4)) & 1
    case Lazy.Logic:
      return 0
    default:
      return (c.fl >>> 4) & 1
  }
}

export function getPF(c: LazyFlags): number {
  return c.lk === Lazy.None ? (c.fl >>> 2) & 1 : PARITY[(c.lr >>> (c.lk >>> 8)) & 0xff]
}

/** The full EFLAGS value with the status flags materialised. */
export function readEflags(c: LazyFlags): number {
  if (c.lk === Lazy.None) return c.fl
  return (
    (c.fl & ~ARITH) |
    getCF(c) |
    (getPF(c) << 2) |
    (getAF(c) << 4) |
    (getZF(c) << 6) |
    (getSF(c) << 7) |
    (getOF(c) << 11)
  )
}

/** Materialises the status flags into `fl` (before an instruction changes only some of them). */
export function settleFlags(c: LazyFlags): void {
  if (c.lk !== Lazy.None) {
    c.fl = readEflags(c)
    c.lk = Lazy.None
  }
}

/** Evaluates a condition code (SDM Vol. 1 Appendix B, Table B-1). Returns 1 if it holds. */
export function testCond(c: LazyFlags, cc: number): number {
  let v: number
  switch (cc >>> 1) {
    case 0:
      v = getOF(c)
      break
    case 1:
      v = getCF(c)
      break
    case 2:
      v = getZF(c)
      break
    case 3:
      v = getCF(c) | getZF(c)
      break
    case 4:
      v = getSF(c)
      break
    case 5:
      v = getPF(c)
      break
    case 6:
      v = getSF(c) ^ getOF(c)
      break
    default:
      v = (getSF(c) ^ getOF(c)) | getZF(c)
      break
  }
  return v ^ (cc & 1)
}

/** Decodes EFLAGS into named bits for the inspector. */
export function decodeEflags(v: number): Record<string, number | boolean> {
  return {
    CF: (v & CF) !== 0,
    PF: (v & PF) !== 0,
    AF: (v & AF) !== 0,
    ZF: (v & ZF) !== 0,
    SF: (v & SF) !== 0,
    TF: (v & TF) !== 0,
    IF: (v & IF) !== 0,
    DF: (v & DF) !== 0,
    OF: (v & OF) !== 0,
    IOPL: (v & IOPL) >>> 12,
    NT: (v & NT) !== 0,
    RF: (v & RF) !== 0,
    VM: (v & VM) !== 0,
    AC: (v & AC) !== 0,
    ID: (v & ID) !== 0,
  }
}
