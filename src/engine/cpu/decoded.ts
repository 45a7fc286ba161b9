/**
 * Decoded instructions as plain data: one slot per instruction in a struct of typed arrays, so the
 * executor reads operands with one indexed load each and nothing is allocated per instruction. The
 * same records are what a later WebAssembly block compiler would consume (issue 3 item 6): a slot
 * names a handler ({@link Op}) and carries fully resolved operands, with no pointers into decoder
 * state.
 *
 * Operand conventions (per handler, see the comments on {@link Op}):
 * - `r1`: the destination register (or the register operand of a store); `r2`: the source register in
 *   register forms, or the base register of a memory operand. 32-bit operands index the 32-bit
 *   register file (0 EAX … 7 EDI, 8 = a register that always reads 0, so "no base" / "no index" cost
 *   no branch); 16-bit register operands are indexes into a 16-bit view (2n) and 8-bit register
 *   operands byte indexes into an 8-bit view (AL 0, CL 4, DL 8, BL 12, AH 1, CH 5, DH 9, BH 13).
 * - `ix`/`sc`: index register and scale shift; `disp`: displacement; `sg`: segment register number
 *   (0 ES, 1 CS, 2 SS, 3 DS, 4 FS, 5 GS), plus 8 when the instruction uses 16-bit addressing.
 * - `imm`, `imm2`: immediates (for relative branches `imm` already includes the instruction length);
 *   `ext`: handler-specific sub-kind (ALU operation, condition code, shift kind, …); `sz`: operand size
 *   in bytes.
 * - `off`/`len`: offset of the instruction from the start of its block, and its length.
 */
export class DecodedInsns {
  readonly op: Uint16Array
  readonly off: Uint16Array
  readonly len: Uint8Array
  readonly r1: Uint8Array
  readonly r2: Uint8Array
  readonly ix: Uint8Array
  readonly sc: Uint8Array
  readonly sg: Uint8Array
  readonly ext: Uint8Array
  readonly sz: Uint8Array
  readonly disp: Int32Array
  readonly imm: Int32Array
  readonly imm2: Int32Array

  constructor(readonly capacity: number) {
    this.op = new Uint16Array(capacity)
    this.off = new Uint16Array(capacity)
    this.len = new Uint8Array(capacity)
    this.r1 = new Uint8Array(capacity)
    this.r2 = new Uint8Array(capacity)
    this.ix = new Uint8Array(capacity)
    this.sc = new Uint8Array(capacity)
    this.sg = new Uint8Array(capacity)
    this.ext = new Uint8Array(capacity)
    this.sz = new Uint8Array(capacity)
    this.disp = new Int32Array(capacity)
    this.imm = new Int32Array(capacity)
    this.imm2 = new Int32Array(capacity)
  }

  /** Resets a slot so no field leaks from a previous decode. */
  clear(i: number): void {
    this.op[i] = 0
    this.len[i] = 0
    this.r1[i] = 0
    this.r2[i] = 8
    this.ix[i] = 8
    this.sc[i] = 0
    this.sg[i] = 3
    this.ext[i] = 0
    this.sz[i] = 4
    this.disp[i] = 0
    this.imm[i] = 0
    this.imm2[i] = 0
  }
}

/** Register-file index that always holds 0 (for "no base" / "no index" in effective addresses). */
export const REG_ZERO = 8

/** Segment register numbers (the Sreg encoding of the ModRM reg field, SDM Vol. 2 §3.1.1.1). */
export const enum Seg {
  ES = 0,
  CS = 1,
  SS = 2,
  DS = 3,
  FS = 4,
  GS = 5,
}

/** Set in `sg` when an instruction uses 16-bit addressing (0x67 prefix in a 32-bit segment). */
export const SG_A16 = 8
/** Set in `sg` when the ModRM r/m operand is a register (`r2` holds its number 0–7). */
export const SG_REG = 16

/** Byte-view index of 8-bit register n (AL CL DL BL AH CH DH BH) in the little-endian register file. */
export const BYTE_REG: Uint8Array = Uint8Array.of(0, 4, 8, 12, 1, 5, 9, 13)
