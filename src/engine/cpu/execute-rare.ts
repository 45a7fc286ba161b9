/**
 * Handlers for the less frequent instructions: operand-size-generic forms (8/16-bit), flags and
 * BCD, far control transfers, string and I/O instructions, and the system instructions. Case labels
 * are numeric literals for V8's jump table; `ops.test.ts` checks each `case N: // Name` against
 * {@link Op} (a label N commented Name must be Op.Name).
 */
import type { Cpu } from './cpu'
import { BYTE_REG, SG_REG } from './decoded'
import { AF, CF, DF, OF, PF, SF, ZF, getCF, readEflags, settleFlags, testCond } from './flags'
import { alu, bcd, bitOp, bitScan, imul16, imul32, incdec, logicFlags, mulDiv, neg, shd, shift } from './alu'
import { stringOp } from './string-ops'
import { farCall, farJump, farReturn, lar, loadSegmentReg, lsl, lldt, ltr, verrw, arpl } from './segmentation'
import { iret, softwareInterrupt } from './interrupts'
import {
  clts,
  cpuid,
  hlt,
  ioIn,
  ioOut,
  invd,
  invlpgInsn,
  lgdtLidt,
  lmsw,
  movFromCr,
  movFromDr,
  movToCr,
  movToDr,
  rdmsr,
  rdpmc,
  rdtsc,
  sgdtSidt,
  sldtStr,
  smsw,
  sysenter,
  sysexit,
  vmxInstruction,
  wrmsr,
  cli,
  sti,
  popf,
  pushf,
} from './system'
import { SensitiveInsn } from '../trace/schema'
import { ExitReason } from '../vmx/exit-reasons'

/** Register n (0–7) at an operand size. */
export function getReg(c: Cpu, size: number, n: number): number {
  return size === 4 ? c.r[n] : size === 2 ? c.r16[n << 1] : c.r8[BYTE_REG[n]]
}

export function setReg(c: Cpu, size: number, n: number, v: number): void {
  if (size === 4) c.r[n] = v
  else if (size === 2) c.r16[n << 1] = v
  else c.r8[BYTE_REG[n]] = v
}

/** Reads the ModRM r/m operand of slot i. */
export function readE(c: Cpu, i: number, size: number): number {
  const d = c.dec
  if (d.sg[i] & SG_REG) return getReg(c, size, d.r2[i])
  return c.rd(c.lin(i, size, false), size)
}

/** Writes the ModRM r/m operand of slot i. */
export function writeE(c: Cpu, i: number, size: number, v: number): void {
  const d = c.dec
  if (d.sg[i] & SG_REG) setReg(c, size, d.r2[i], v)
  else c.wr(c.lin(i, size, true), size, v)
}

/** Linear address of a memory r/m operand for a read-modify-write, or -1 for a register. */
function rmwLin(c: Cpu, i: number, size: number): number {
  return c.dec.sg[i] & SG_REG ? -1 : c.lin(i, size, true)
}
function rmwRead(c: Cpu, i: number, size: number, lin: number): number {
  return lin === -1 ? getReg(c, size, c.dec.r2[i]) : c.rdw(lin, size)
}
function rmwWrite(c: Cpu, i: number, size: number, lin: number, v: number): void {
  if (lin === -1) setReg(c, size, c.dec.r2[i], v)
  else c.wr(lin, size, v)
}

const popaTmp = new Int32Array(8)

/** Near branch to a 16-bit target (operand-size prefix): EIP ← target & 0xFFFF. */
function jump16(c: Cpu, target: number): void {
  const t = target & 0xffff
  if (c.limit[1] !== -1 && t > c.limit[1] >>> 0) c.raise(13, 0)
  c.eip = t
}

/** Executes slot i (an op not handled inline by execute.ts). `remaining` is the step budget left. */
export function execRare(c: Cpu, i: number, remaining: number): void {
  const d = c.dec
  const size = d.sz[i]
  const r = c.r
  switch (d.op[i]) {
    case 50: // MovEG
      writeE(c, i, size, getReg(c, size, d.r1[i]))
      return
    case 51: // MovGE
      setReg(c, size, d.r1[i], readE(c, i, size))
      return
    case 52: // MovEI
      writeE(c, i, size, d.imm[i])
      return
    case 53: // Lea16
      setReg(c, size, d.r1[i], c.ea(i))
      return
    case 54: {
      // AluEG
      const k = d.ext[i]
      if (k === 7) {
        alu(c, 7, size, readE(c, i, size), getReg(c, size, d.r1[i]))
        return
      }
      const lin = rmwLin(c, i, size)
      const v = alu(c, k, size, rmwRead(c, i, size, lin), getReg(c, size, d.r1[i]))
      rmwWrite(c, i, size, lin, v)
      return
    }
    case 55: {
      // AluGE
      const k = d.ext[i]
      const v = alu(c, k, size, getReg(c, size, d.r1[i]), readE(c, i, size))
      if (k !== 7) setReg(c, size, d.r1[i], v)
      return
    }
    case 56: {
      // AluEI
      const k = d.ext[i]
      if (k === 7) {
        alu(c, 7, size, readE(c, i, size), d.imm[i])
        return
      }
      const lin = rmwLin(c, i, size)
      rmwWrite(c, i, size, lin, alu(c, k, size, rmwRead(c, i, size, lin), d.imm[i]))
      return
    }
    case 57: // TestEG
      logicFlags(c, size, readE(c, i, size) & getReg(c, size, d.r1[i]))
      return
    case 58: // TestEI
      logicFlags(c, size, readE(c, i, size) & d.imm[i])
      return
    case 59: // IncE
    case 60: {
      // DecE
      const lin = rmwLin(c, i, size)
      rmwWrite(c, i, size, lin, incdec(c, size, rmwRead(c, i, size, lin), d.op[i] === 60))
      return
    }
    case 61: {
      // NegE
      const lin = rmwLin(c, i, size)
      rmwWrite(c, i, size, lin, neg(c, size, rmwRead(c, i, size, lin)))
      return
    }
    case 62: {
      // NotE (flags unaffected)
      const lin = rmwLin(c, i, size)
      const v = ~rmwRead(c, i, size, lin)
      rmwWrite(c, i, size, lin, size === 4 ? v : v & (size === 2 ? 0xffff : 0xff))
      return
    }
    case 63: // MulE
      mulDiv(c, d.ext[i], size, readE(c, i, size))
      return
    case 64: {
      // ShiftE
      const e = d.ext[i]
      const count = e & 8 ? c.r8[4] : d.imm[i]
      const lin = rmwLin(c, i, size)
      const v = rmwRead(c, i, size, lin)
      // A masked count of 0 writes nothing back either, but the access is still checked as a write.
      // Register rotates by an immediate keep OF (Intel); memory and CL forms compute it (alu.ts shift).
      rmwWrite(c, i, size, lin, shift(c, e & 7, size, v, count, (e & 8) === 0 && lin === -1))
      return
    }
    case 65: // ShldE
    case 66: {
      // ShrdE
      const count = d.ext[i] & 8 ? c.r8[4] : d.imm[i]
      const lin = rmwLin(c, i, size)
      const v = rmwRead(c, i, size, lin)
      rmwWrite(c, i, size, lin, shd(c, d.op[i] === 65, size, v, getReg(c, size, d.r1[i]), count))
      return
    }
    case 67: {
      // BtE: with a register bit offset and a memory operand, the offset selects any bit relative to the address (SDM Vol. 2 BT)
      const e = d.ext[i]
      const kind = e & 3
      const bits = size * 8
      if (d.sg[i] & SG_REG) {
        const off = (e & 4 ? d.imm[i] : getReg(c, size, d.r1[i])) & (bits - 1)
        const v = getReg(c, size, d.r2[i])
        const nv = bitOp(c, kind, v, off)
        if (kind !== 0) setReg(c, size, d.r2[i], size === 4 ? nv : nv & (size === 2 ? 0xffff : 0xff))
        return
      }
      let disp = 0
      let bit: number
      if (e & 4) bit = d.imm[i] & (bits - 1)
      else {
        let off = getReg(c, size, d.r1[i])
        if (size === 2) off = (off << 16) >> 16
        disp = Math.floor(off / bits) * size
        bit = off & (bits - 1)
      }
      const ea = (c.ea(i) + disp) | 0
      const seg = d.sg[i]
      const lin = c.segLin(seg & 15, ea, size, kind !== 0)
      if (kind === 0) {
        bitOp(c, 0, c.rd(lin, size), bit)
        return
      }
      const v = c.rdw(lin, size)
      const nv = bitOp(c, kind, v, bit)
      c.wr(lin, size, size === 4 ? nv : nv & (size === 2 ? 0xffff : 0xff))
      return
    }
    case 68: // BsfE
    case 69: // BsrE
      setReg(c, size, d.r1[i], bitScan(c, d.op[i] === 69, size, readE(c, i, size), getReg(c, size, d.r1[i])))
      return
    case 70: {
      // XchgE
      const lin = rmwLin(c, i, size)
      const v = rmwRead(c, i, size, lin)
      rmwWrite(c, i, size, lin, getReg(c, size, d.r1[i]))
      setReg(c, size, d.r1[i], v)
      return
    }
    case 71: {
      // XaddE: TEMP ← SRC + DEST; SRC ← DEST; DEST ← TEMP
      const lin = rmwLin(c, i, size)
      const dst = rmwRead(c, i, size, lin)
      const sum = alu(c, 0, size, dst, getReg(c, size, d.r1[i]))
      setReg(c, size, d.r1[i], dst)
      rmwWrite(c, i, size, lin, sum)
      return
    }
    case 72: {
      // CmpxchgE: compare accumulator with DEST; equal → DEST ← SRC, else accumulator ← DEST (DEST is written back either way, SDM Vol. 2 CMPXCHG)
      const lin = rmwLin(c, i, size)
      const dst = rmwRead(c, i, size, lin)
      const acc = getReg(c, size, 0)
      alu(c, 7, size, acc, dst)
      if (acc === dst) rmwWrite(c, i, size, lin, getReg(c, size, d.r1[i]))
      else {
        rmwWrite(c, i, size, lin, dst)
        setReg(c, size, 0, dst)
      }
      return
    }
    case 73: {
      // Cmpxchg8b: EDX:EAX vs m64; equal → m64 ← ECX:EBX, ZF = 1; else EDX:EAX ← m64, ZF = 0
      const lin = c.lin(i, 8, true)
      c.probeWrite(lin, 8, c.cpl === 3)
      const lo = c.rd32(lin)
      const hi = c.rd32((lin + 4) | 0)
      settleFlags(c)
      if (lo === r[0] && hi === r[2]) {
        c.wr32(lin, r[3])
        c.wr32((lin + 4) | 0, r[1])
        c.fl |= ZF
      } else {
        c.wr32(lin, lo)
        c.wr32((lin + 4) | 0, hi)
        r[0] = lo
        r[2] = hi
        c.fl &= ~ZF
      }
      return
    }
    case 74: {
      // MovzxE (16-bit destination)
      const v = readE(c, i, d.ext[i])
      setReg(c, size, d.r1[i], v)
      return
    }
    case 75: {
      // MovsxE
      const src = d.ext[i]
      const v = readE(c, i, src)
      setReg(c, size, d.r1[i], src === 1 ? (v << 24) >> 24 : (v << 16) >> 16)
      return
    }
    case 76: // ImulGE
      setReg(
        c,
        size,
        d.r1[i],
        size === 4
          ? imul32(c, getReg(c, 4, d.r1[i]), readE(c, i, 4))
          : imul16(c, getReg(c, 2, d.r1[i]), readE(c, i, 2)),
      )
      return
    case 77: // ImulGEI
      setReg(
        c,
        size,
        d.r1[i],
        size === 4 ? imul32(c, readE(c, i, 4), d.imm[i]) : imul16(c, readE(c, i, 2), d.imm[i]),
      )
      return
    case 78: {
      // CmovE
      const v = readE(c, i, size)
      if (testCond(c, d.ext[i])) setReg(c, size, d.r1[i], v)
      return
    }
    case 79: // SetccE
      writeE(c, i, 1, testCond(c, d.ext[i]))
      return
    case 80: {
      // Bswap
      const v = r[d.r1[i]]
      r[d.r1[i]] = ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)
      return
    }
    case 81: // PushE
      if (size === 4) c.push32(readE(c, i, 4))
      else c.push16(readE(c, i, 2))
      return
    case 82: {
      // PopE: ESP is incremented before the destination address is computed (SDM Vol. 2 POP)
      const sp = r[4]
      const v = size === 4 ? c.pop32() : c.pop16()
      try {
        writeE(c, i, size, v)
      } catch (e) {
        r[4] = sp
        throw e
      }
      return
    }
    case 83: // PushI
      c.push16(d.imm[i])
      return
    case 84: // PushR
      c.push16(c.r16[d.r1[i] << 1])
      return
    case 85: // PopR
      c.r16[d.r1[i] << 1] = c.pop16()
      return
    case 86: {
      // PushSeg: a 32-bit push writes the 16-bit selector and leaves the upper half of the slot unchanged (Intel)
      const s = d.ext[i]
      c.offerSensitive(SensitiveInsn.PushSreg)
      c.sensitive(SensitiveInsn.PushSreg, c.sel[s])
      if (size === 4) {
        const sp = (r[4] - 4) | 0
        c.wr16(c.segLin(2, sp, 4, true), c.sel[s])
        r[4] = sp
      } else c.push16(c.sel[s])
      return
    }
    case 87: {
      // PopSeg
      const s = d.ext[i]
      c.offerSensitive(SensitiveInsn.PopSreg)
      const v =
        size === 4 ? c.rd32(c.segLin(2, r[4], 4, false)) & 0xffff : c.rd16(c.segLin(2, r[4], 2, false))
      loadSegmentReg(c, s, v)
      r[4] = (r[4] + size) | 0
      c.sensitive(SensitiveInsn.PopSreg, v)
      if (s === 2) c.shadow = 2 // blocking by MOV SS (SDM Vol. 3C Table 25-3 counts POP SS too)
      c.brk = 1
      return
    }
    case 88: {
      // Pusha
      const sp = r[4]
      c.probeWrite(c.segLin(2, (sp - 8 * size) | 0, 8 * size, true), 8 * size, c.cpl === 3)
      for (let k = 0; k < 8; k++) {
        const v = k === 4 ? sp : r[k]
        if (size === 4) c.push32(v)
        else c.push16(v)
      }
      return
    }
    case 89: {
      // Popa: all eight slots are read before any register changes (the saved ESP is discarded)
      const sp = r[4]
      for (let k = 7; k >= 0; k--)
        popaTmp[k] = c.rd(c.segLin(2, (sp + (7 - k) * size) | 0, size, false), size)
      for (let k = 0; k < 8; k++) if (k !== 4) setReg(c, size, k, popaTmp[k])
      r[4] = (sp + 8 * size) | 0
      return
    }
    case 90: // Pushf
      pushf(c, size)
      return
    case 91: // Popf
      popf(c, size)
      return
    case 92: // Enter
      enter(c, size, d.imm[i] & 0xffff, d.imm2[i] & 31)
      return
    case 93: {
      // Leave (16-bit operand size)
      const v = c.rd16(c.segLin(2, r[5], 2, false))
      r[4] = (r[5] + 2) | 0
      c.r16[10] = v
      return
    }
    case 94: // Cbw
      if (size === 4) r[0] = (r[0] << 16) >> 16
      else c.r16[0] = (c.r8[0] << 24) >> 24
      return
    case 95: // Cwd
      if (size === 4) r[2] = r[0] >> 31
      else c.r16[4] = (c.r16[0] << 16) >> 31
      return
    case 96: // Lahf: AH ← SF ZF 0 AF 0 PF 1 CF
      c.r8[1] = (readEflags(c) & 0xd7) | 2
      return
    case 97: // Sahf
      settleFlags(c)
      c.fl = (c.fl & ~(SF | ZF | AF | PF | CF)) | (c.r8[1] & (SF | ZF | AF | PF | CF))
      return
    case 98: // Clc
      settleFlags(c)
      c.fl &= ~CF
      return
    case 99: // Stc
      settleFlags(c)
      c.fl |= CF
      return
    case 100: // Cmc
      settleFlags(c)
      c.fl ^= CF
      return
    case 101: // Cld
      c.fl &= ~DF
      return
    case 102: // Std
      c.fl |= DF
      return
    case 103: // Cli
      cli(c)
      return
    case 104: // Sti
      sti(c)
      return
    case 105: // Salc (undocumented D6: AL ← CF ? 0xFF : 0)
      c.r8[0] = getCF(c) ? 0xff : 0
      return
    case 106: {
      // Xlat: AL ← [seg:EBX + AL]
      const sg = d.sg[i]
      const off = sg & 8 ? (c.r16[6] + c.r8[0]) & 0xffff : (r[3] + c.r8[0]) | 0
      c.r8[0] = c.rd8(c.segLin(sg & 7, off, 1, false))
      return
    }
    case 107: // Daa
      bcd(c, 'daa', 0)
      return
    case 108: // Das
      bcd(c, 'das', 0)
      return
    case 109: // Aaa
      bcd(c, 'aaa', 0)
      return
    case 110: // Aas
      bcd(c, 'aas', 0)
      return
    case 111: // Aam
      bcd(c, 'aam', d.imm[i] & 0xff)
      return
    case 112: // Aad
      bcd(c, 'aad', d.imm[i] & 0xff)
      return
    case 113: // JccW
      if (testCond(c, d.ext[i])) jump16(c, c.insnEip() + d.imm[i])
      else c.eip = c.nextEip()
      return
    case 114: // JmpW
      jump16(c, c.insnEip() + d.imm[i])
      return
    case 115: {
      // CallRelW
      const t = (c.insnEip() + d.imm[i]) & 0xffff
      if (c.limit[1] !== -1 && t > c.limit[1] >>> 0) c.raise(13, 0)
      c.push16(c.nextEip())
      c.eip = t
      return
    }
    case 116: // JmpE (16-bit)
      jump16(c, readE(c, i, 2))
      return
    case 117: {
      // CallE (16-bit)
      const t = readE(c, i, 2)
      if (c.limit[1] !== -1 && t > c.limit[1] >>> 0) c.raise(13, 0)
      c.push16(c.nextEip())
      c.eip = t
      return
    }
    case 118: {
      // RetN: near return with operand size and optional release of imm bytes
      const t = size === 4 ? c.rd32(c.segLin(2, r[4], 4, false)) : c.rd16(c.segLin(2, r[4], 2, false))
      if (c.limit[1] !== -1 && t >>> 0 > c.limit[1] >>> 0) c.raise(13, 0)
      r[4] = (r[4] + size + (d.imm[i] & 0xffff)) | 0
      c.eip = t
      return
    }
    case 119: {
      // Loop: ext 0 LOOPNE 1 LOOPE 2 LOOP 3 JECXZ, | 4 with CX as the counter
      const e = d.ext[i]
      const a16 = (e & 4) !== 0
      let cnt: number
      let take: boolean
      if ((e & 3) === 3) {
        cnt = a16 ? c.r16[2] : r[1]
        take = cnt === 0
      } else {
        if (a16) {
          c.r16[2] = (c.r16[2] - 1) & 0xffff
          cnt = c.r16[2]
        } else {
          r[1] = (r[1] - 1) | 0
          cnt = r[1]
        }
        take = cnt !== 0
        if ((e & 3) === 0) take = take && !(readEflags(c) & ZF)
        else if ((e & 3) === 1) take = take && (readEflags(c) & ZF) !== 0
      }
      if (take) {
        const t = (c.insnEip() + d.imm[i]) | 0
        if (size === 2) jump16(c, t)
        else {
          if (c.limit[1] !== -1 && t >>> 0 > c.limit[1] >>> 0) c.raise(13, 0)
          c.eip = t
        }
      } else c.eip = c.nextEip()
      return
    }
    case 120: // JmpFar
      farJump(c, d.imm2[i] & 0xffff, size === 4 ? d.imm[i] : d.imm[i] & 0xffff)
      return
    case 121: // CallFar
      farCall(c, d.imm2[i] & 0xffff, size === 4 ? d.imm[i] : d.imm[i] & 0xffff, size)
      return
    case 122: // JmpFarE
    case 123: {
      // CallFarE: m16:16 or m16:32
      const lin = c.lin(i, size + 2, false)
      const offv = size === 4 ? c.rd32(lin) : c.rd16(lin)
      const selv = c.rd16((lin + size) | 0)
      if (d.op[i] === 122) farJump(c, selv, offv)
      else farCall(c, selv, offv, size)
      return
    }
    case 124: // RetFar
      farReturn(c, size, d.imm[i] & 0xffff)
      return
    case 125: // Int
      softwareInterrupt(c, d.imm[i] & 0xff, d.len[i], 'int')
      return
    case 126: // Int3
      softwareInterrupt(c, 3, d.len[i], 'int3')
      return
    case 127: // Into
      if (readEflags(c) & OF) softwareInterrupt(c, 4, d.len[i], 'into')
      else c.eip = c.nextEip()
      return
    case 128: // Int1
      softwareInterrupt(c, 1, d.len[i], 'int1')
      return
    case 129: // Iret
      iret(c, size)
      return
    case 130: {
      // Bound: #BR if the signed index is outside [lower, upper]
      const lin = c.lin(i, size * 2, false)
      const idx = getReg(c, size, d.r1[i])
      let lo: number
      let hi: number
      let v: number
      if (size === 4) {
        lo = c.rd32(lin)
        hi = c.rd32((lin + 4) | 0)
        v = idx
      } else {
        lo = (c.rd16(lin) << 16) >> 16
        hi = (c.rd16((lin + 2) | 0) << 16) >> 16
        v = (idx << 16) >> 16
      }
      if (v < lo || v > hi) c.raise(5, -1)
      return
    }
    case 131: // StrOp
      stringOp(c, i, remaining)
      return
    case 132: // In
      ioIn(c, d.ext[i] ? c.r16[4] : d.imm[i] & 0xff, size)
      return
    case 133: // Out
      ioOut(c, d.ext[i] ? c.r16[4] : d.imm[i] & 0xff, size)
      return
    case 134: {
      // MovSregE
      const s = d.ext[i]
      loadSegmentReg(c, s, readE(c, i, 2))
      if (s === 2) c.shadow = 2 // blocking by MOV SS
      c.brk = 1
      return
    }
    case 135: {
      // MovESreg: a register destination gets the zero-extended selector
      const s = d.ext[i]
      c.offerSensitive(SensitiveInsn.MovFromSreg)
      c.sensitive(SensitiveInsn.MovFromSreg, c.sel[s])
      writeE(c, i, size, c.sel[s])
      return
    }
    case 136: {
      // LoadFar (LDS LES LFS LGS LSS): the selector loads first, then the register
      const lin = c.lin(i, size + 2, false)
      const offv = size === 4 ? c.rd32(lin) : c.rd16(lin)
      const selv = c.rd16((lin + size) | 0)
      loadSegmentReg(c, d.ext[i], selv)
      setReg(c, size, d.r1[i], offv)
      c.brk = 1
      return
    }
    case 137: // Hlt
      hlt(c)
      return
    case 138: // Cpuid
      cpuid(c)
      return
    case 139: // Rdtsc
      rdtsc(c)
      return
    case 140: // Rdmsr
      rdmsr(c)
      return
    case 141: // Wrmsr
      wrmsr(c)
      return
    case 142: // Rdpmc
      rdpmc(c)
      return
    case 143: // Sysenter
      sysenter(c)
      return
    case 144: // Sysexit
      sysexit(c)
      return
    case 145: // MovToCr
      movToCr(c, d.ext[i], d.r2[i])
      return
    case 146: // MovFromCr
      movFromCr(c, d.ext[i], d.r2[i])
      return
    case 147: // MovToDr
      movToDr(c, d.ext[i], d.r2[i])
      return
    case 148: // MovFromDr
      movFromDr(c, d.ext[i], d.r2[i])
      return
    case 149: // Clts
      clts(c)
      return
    case 150: // Invd
      invd(c, false)
      return
    case 151: // Wbinvd
      invd(c, true)
      return
    case 152: // Invlpg
      invlpgInsn(c, i)
      return
    case 153: // Lgdt
    case 154: // Lidt
      lgdtLidt(c, i, d.op[i] === 154)
      return
    case 155: // Sgdt
    case 156: // Sidt
      sgdtSidt(c, i, d.op[i] === 156)
      return
    case 157: // Lldt
      lldt(c, readE(c, i, 2))
      return
    case 158: // Ltr
      ltr(c, readE(c, i, 2))
      return
    case 159: // Sldt
    case 160: // Str
      sldtStr(c, i, d.op[i] === 160)
      return
    case 161: // Lmsw
      lmsw(c, readE(c, i, 2), (d.sg[i] & SG_REG) === 0)
      return
    case 162: // Smsw
      smsw(c, i)
      return
    case 163: // Lar
    case 164: {
      // Lsl
      c.offerSensitive(d.op[i] === 163 ? SensitiveInsn.Lar : SensitiveInsn.Lsl)
      const sel = readE(c, i, 2)
      const v = d.op[i] === 163 ? lar(c, sel) : lsl(c, sel)
      if (v !== null) setReg(c, size, d.r1[i], size === 4 ? v : v & 0xffff)
      return
    }
    case 165: // Verr
    case 166: // Verw
      c.offerSensitive(d.op[i] === 166 ? SensitiveInsn.Verw : SensitiveInsn.Verr)
      verrw(c, readE(c, i, 2), d.op[i] === 166)
      return
    case 167: {
      // Arpl
      const lin = rmwLin(c, i, 2)
      const v = rmwRead(c, i, 2, lin)
      const nv = arpl(c, v, getReg(c, 2, d.r1[i]))
      rmwWrite(c, i, 2, lin, nv)
      return
    }
    case 168: // Wait: #NM when CR0.MP and CR0.TS are both set (SDM Vol. 3A §2.5); no x87 state otherwise
      if ((c.cr0 & 0xa) === 0xa) c.raise(7, -1)
      return
    case 169: // Pause
      if (c.vmx !== null && c.vmxCheck(ExitReason.PAUSE, 0)) return
      return
    case 170: // Vmx
      vmxInstruction(c, d.ext[i])
      return
    default:
      throw new Error(`engine bug: no handler for op ${d.op[i]}`)
  }
}

/** ENTER (SDM Vol. 2 pseudo-code) with a 32-bit stack. */
function enter(c: Cpu, size: number, frame: number, level: number): void {
  const r = c.r
  const sp0 = r[4]
  const bp0 = r[5]
  // All stack writes are checked first so a fault leaves ESP/EBP unchanged.
  const total = size * (level + 1) + frame
  c.probeWrite(c.segLin(2, (sp0 - total) | 0, total, true), total, c.cpl === 3)
  let sp = (sp0 - size) | 0
  c.wr(c.segLin(2, sp, size, true), size, size === 4 ? bp0 : bp0 & 0xffff)
  const frameTemp = sp
  let bp = bp0
  if (level > 0) {
    for (let k = 1; k < level; k++) {
      bp = (bp - size) | 0
      const v = c.rd(c.segLin(2, bp, size, false), size)
      sp = (sp - size) | 0
      c.wr(c.segLin(2, sp, size, true), size, v)
    }
    sp = (sp - size) | 0
    c.wr(c.segLin(2, sp, size, true), size, size === 4 ? frameTemp : frameTemp & 0xffff)
  }
  if (size === 4) r[5] = frameTemp
  else c.r16[10] = frameTemp
  r[4] = (sp - frame) | 0
}
