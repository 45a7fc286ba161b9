/**
 * String instructions MOVS CMPS STOS LODS SCAS INS OUTS with REP/REPE/REPNE (SDM Vol. 2, "REP/REPE/
 * REPZ/REPNE/REPNZ"). Each iteration is one step and one cycle, and a repeated instruction is
 * interruptible between iterations exactly as on hardware: when the step budget runs out (or a device
 * access needs the run loop) EIP stays on the instruction with ECX/ESI/EDI updated, and the next run
 * resumes it. INS/OUTS run one iteration per step so every port access sees the exact clock.
 */
import type { Cpu } from './cpu'
import { DF, ZF, readEflags } from './flags'
import { alu } from './alu'
import { ioInValue, ioOutValue, ioPermission } from './system'
import { ExitReason } from '../vmx/exit-reasons'
import { ioQualification } from '../vmx/qualification'
import { Seg } from './decoded'
import { PrivilegedInsn } from './interceptors'

const MOVS = 0
const CMPS = 1
const STOS = 2
const LODS = 3
const SCAS = 4
const INS = 5

export function stringOp(c: Cpu, i: number, remaining: number): void {
  const d = c.dec
  const e = d.ext[i]
  const kind = e & 7
  const rep = e & 48
  const size = d.sz[i]
  const sg = d.sg[i]
  const a16 = (sg & 8) !== 0
  const src = sg & 7
  const step = c.fl & DF ? -size : size
  if (kind >= INS) {
    ioPermission(c, c.r16[4], size, kind === INS ? PrivilegedInsn.Ins : PrivilegedInsn.Outs)
    if (
      c.vmx !== null &&
      c.vmxCheck(
        ExitReason.IO_INSTRUCTION,
        ioQualification(c.r16[4], size as 1 | 2 | 4, kind === INS, true, rep !== 0, false),
      )
    )
      return
  }
  if (rep === 0) {
    iteration(c, kind, size, src, a16, step)
    c.eip = c.nextEip()
    return
  }
  const max = kind >= INS ? 1 : remaining
  const r = c.r
  const bulk = (kind === MOVS || kind === STOS) && !a16 && step > 0
  let n = 0
  for (;;) {
    const cnt = a16 ? c.r16[2] : r[1]
    if (cnt === 0) {
      c.eip = c.nextEip()
      break
    }
    if (n >= max || c.brk !== 0) {
      c.eip = c.insnEip()
      c.repPending = true
      break
    }
    c.repDone = n
    if (bulk) {
      const done = bulkChunk(c, kind, size, src, Math.min(cnt >>> 0, max - n))
      if (done > 0) {
        r[1] = (cnt - done) | 0
        n += done
        continue
      }
    }
    iteration(c, kind, size, src, a16, step)
    if (a16) c.r16[2] = cnt - 1
    else r[1] = cnt - 1
    n++
    if (kind === CMPS || kind === SCAS) {
      const zf = readEflags(c) & ZF
      if ((rep === 16 && !zf) || (rep === 32 && zf)) {
        c.eip = c.nextEip()
        break
      }
    }
  }
  c.repDone = n > 0 ? n - 1 : 0
}

function iteration(c: Cpu, kind: number, size: number, src: number, a16: boolean, step: number): void {
  const r = c.r
  const si = a16 ? c.r16[12] : r[6]
  const di = a16 ? c.r16[14] : r[7]
  switch (kind) {
    case MOVS: {
      const v = c.rd(c.segLin(src | (a16 ? 8 : 0), si, size, false), size)
      c.wr(c.segLin(Seg.ES | (a16 ? 8 : 0), di, size, true), size, v)
      advance(c, 6, a16, step)
      advance(c, 7, a16, step)
      return
    }
    case CMPS: {
      const a = c.rd(c.segLin(src | (a16 ? 8 : 0), si, size, false), size)
      const b = c.rd(c.segLin(Seg.ES | (a16 ? 8 : 0), di, size, false), size)
      alu(c, 7, size, a, b)
      advance(c, 6, a16, step)
      advance(c, 7, a16, step)
      return
    }
    case STOS:
      c.wr(c.segLin(Seg.ES | (a16 ? 8 : 0), di, size, true), size, acc(c, size))
      advance(c, 7, a16, step)
      return
    case LODS: {
      const v = c.rd(c.segLin(src | (a16 ? 8 : 0), si, size, false), size)
      if (size === 4) r[0] = v
      else if (size === 2) c.r16[0] = v
      else c.r8[0] = v
      advance(c, 6, a16, step)
      return
    }
    case SCAS:
      alu(c, 7, size, acc(c, size), c.rd(c.segLin(Seg.ES | (a16 ? 8 : 0), di, size, false), size))
      advance(c, 7, a16, step)
      return
    case INS: {
      const lin = c.segLin(Seg.ES | (a16 ? 8 : 0), di, size, true)
      c.probeWrite(lin, size, c.cpl === 3)
      c.wr(lin, size, ioInValue(c, c.r16[4], size))
      advance(c, 7, a16, step)
      return
    }
    default: {
      // OUTS
      const v = c.rd(c.segLin(src | (a16 ? 8 : 0), si, size, false), size)
      ioOutValue(c, c.r16[4], size, v)
      advance(c, 6, a16, step)
      return
    }
  }
}

/**
 * REP STOS / REP MOVS forward (DF = 0, 32-bit addressing) over whole iterations that stay inside one
 * page on each side, through TLB entries that allow the fast path (RAM, no decoded code, writable,
 * no alignment checking), as one fill or copy. Returns the iterations done (0: take the one-by-one
 * path, which handles page crossings, faults, MMIO and code writes). A MOVS whose destination starts
 * inside its source range is left to the one-by-one path, which replicates as the hardware does.
 */
function bulkChunk(c: Cpu, kind: number, size: number, src: number, max: number): number {
  const r = c.r
  if (c.segSlow & (1 << Seg.ES)) return 0
  const dLin = (r[7] + c.base[Seg.ES]) | 0
  const de = c.tlb[dLin >>> 12]
  if ((de & c.wmask) !== 1) return 0
  let n = Math.min(max, Math.floor((0x1000 - (dLin & 0xfff)) / size))
  const dPhys = (de & ~0xfff) ^ dLin
  if (kind === STOS) {
    if (n < 2) return 0
    const v = acc(c, size)
    if (size === 1) c.m8.fill(v, dPhys, dPhys + n)
    else if (size === 4 && (dPhys & 3) === 0) c.m32.fill(v, dPhys >>> 2, (dPhys >>> 2) + n)
    else if (size === 2 && (dPhys & 1) === 0) c.m16.fill(v, dPhys >>> 1, (dPhys >>> 1) + n)
    else return 0
    r[7] = (r[7] + n * size) | 0
    return n
  }
  if ((c.segSlow >>> src) & 1) return 0
  const sLin = (r[6] + c.base[src]) | 0
  const se = c.tlb[sLin >>> 12]
  if ((se & c.rmask) !== 1) return 0
  n = Math.min(n, Math.floor((0x1000 - (sLin & 0xfff)) / size))
  if (n < 2) return 0
  const sPhys = (se & ~0xfff) ^ sLin
  const bytes = n * size
  if (dPhys > sPhys && dPhys < sPhys + bytes) return 0
  c.m8.copyWithin(dPhys, sPhys, sPhys + bytes)
  r[6] = (r[6] + bytes) | 0
  r[7] = (r[7] + bytes) | 0
  return n
}

function acc(c: Cpu, size: number): number {
  return size === 4 ? c.r[0] : size === 2 ? c.r16[0] : c.r8[0]
}

function advance(c: Cpu, reg: number, a16: boolean, step: number): void {
  if (a16) c.r16[reg << 1] = c.r16[reg << 1] + step
  else c.r[reg] = (c.r[reg] + step) | 0
}
