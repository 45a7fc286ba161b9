/**
 * The executor: runs decoded blocks from the block cache, chaining from one block to the next while
 * nothing needs the run loop's attention (`Cpu.brk`). Hot instructions are handled inline here;
 * the others in `execute-rare.ts`.
 *
 * Case labels are numeric literals on purpose (see ops.ts): a label such as 4 with the comment MovRR32 is `Op.MovRR32`,
 * and `ops.test.ts` checks every label against the enum.
 *
 * Bookkeeping per instruction is one store (`c.cur`), from which EIP (`c.insnEip()`) and the exact
 * clock (`c.syncClock()`) are derived when a fault, a device or an event needs them. A block's
 * instructions retire together: cycles and the instruction count are added at the block's end.
 *
 * Two counts come out of a block. Steps (the budget; one cycle each, but for a fault) are the slots
 * executed plus the extra iterations of a REP string instruction (`c.repDone`); retired instructions
 * (`c.instructions`) are the slots that completed: a REP string instruction retires once, when its
 * last iteration is done, and an instruction that faults or causes a VM exit does not retire.
 */
import type { Cpu } from './cpu'
import { ABORT, FAULT } from './fault'
import { CF, getCF, testCond } from './flags'
import { OP_FLAGS, OPF_BRANCH } from './ops'
import { deliverException } from './interrupts'
import { shift32 } from './alu'
import { execRare } from './execute-rare'

// Lazy-flag kinds (flags.ts Lazy), as literals for the hot path.
const LZ_ADD = 1
const LZ_SUB = 2
const LZ_INC = 3
const LZ_DEC = 4
const LZ_LOGIC = 5
const LZ_RES = 6
const LZ_SBB = 7
const CF_OF_AF = 0x811

/**
 * 32-bit ALU operation `k` (the ModRM reg field of the 80–83 group and the row of opcodes 00–3F:
 * ADD OR ADC SBB AND SUB XOR CMP) with lazy flags; returns the result (CMP's is discarded).
 */
export function alu32(c: Cpu, k: number, a: number, b: number): number {
  let res: number
  switch (k) {
    case 0:
      res = (a + b) | 0
      c.lk = LZ_ADD
      break
    case 1:
      res = a | b
      c.lk = LZ_LOGIC
      break
    case 2:
      res = (a + b + getCF(c)) | 0
      c.lk = LZ_ADD
      break
    case 3:
      res = (a - b - getCF(c)) | 0
      c.lk = LZ_SBB
      break
    case 4:
      res = a & b
      c.lk = LZ_LOGIC
      break
    case 6:
      res = a ^ b
      c.lk = LZ_LOGIC
      break
    default:
      res = (a - b) | 0
      c.lk = LZ_SUB
      break
  }
  c.la = a
  c.lb = b
  c.lr = res
  return res
}

/**
 * A condition after the most common flag producers, without materialising flags: after a 32-bit
 * SUB/CMP the result is exactly a − b, so the conditions are comparisons of a and b; after a 32-bit
 * logic op (CF = OF = 0) they are tests of the result. Everything else goes to testCond.
 */
function cond(c: Cpu, cc: number): boolean {
  const lk = c.lk
  if (lk === LZ_SUB) {
    const a = c.la
    const b = c.lb
    switch (cc) {
      case 2:
        return a >>> 0 < b >>> 0
      case 3:
        return a >>> 0 >= b >>> 0
      case 4:
        return a === b
      case 5:
        return a !== b
      case 6:
        return a >>> 0 <= b >>> 0
      case 7:
        return a >>> 0 > b >>> 0
      case 12:
        return a < b
      case 13:
        return a >= b
      case 14:
        return a <= b
      case 15:
        return a > b
    }
  } else if (lk === LZ_LOGIC) {
    const v = c.lr
    switch (cc) {
      case 4:
      case 6:
        return v === 0
      case 5:
      case 7:
        return v !== 0
      case 8:
      case 12:
        return v < 0
      case 9:
      case 13:
        return v >= 0
      case 14:
        return v <= 0
      case 15:
        return v > 0
    }
  }
  return testCond(c, cc) !== 0
}

/** IMUL with a 32-bit result (two/three-operand forms): CF = OF = signed overflow; lazily as in alu.ts mulFlags. */
function imul(c: Cpu, a: number, b: number): number {
  const res = Math.imul(a, b)
  const ovf = a * b !== res ? 1 : 0
  c.fl = (c.fl & ~CF_OF_AF) | ovf | (ovf << 11)
  c.lr = res | 0x100
  c.lk = LZ_RES
  return res
}

/** Near branch target check: outside the CS limit raises #GP(0) at the branch (SDM Vol. 2 JMP/Jcc/CALL/RET). */
function jumpTo(c: Cpu, target: number): void {
  if (c.limit[1] !== -1 && target >>> 0 > c.limit[1] >>> 0) c.raise(13, 0)
  c.eip = target
}

/**
 * Executes up to `budget` steps. Returns the steps taken (instructions executed, REP iterations, and
 * one for an instruction that raised an exception, which is delivered before returning).
 */
export function execute(c: Cpu, budget: number): number {
  const d = c.dec
  const op = d.op
  const off = d.off
  const len = d.len
  const r1 = d.r1
  const r2 = d.r2
  const ix = d.ix
  const sc = d.sc
  const ext = d.ext
  const disp = d.disp
  const imm = d.imm
  const sg = d.sg
  const r = c.r
  const tlb = c.tlb
  const m8 = c.m8
  const m32 = c.m32
  const segBase = c.base
  const r8 = c.r8
  const r16 = c.r16
  const bPhys = c.bPhys
  const bGen = c.bGen
  const bMode = c.bMode
  const pageGen = c.pageGen
  const sEip = c.succEip
  const sBlk = c.succBlk
  const sPhys = c.succPhys
  const sEpoch = c.succEpoch
  const clk = c.clock
  let steps = 0
  let first = 0
  let i = -1
  let base = 0
  let prev = -1
  let prevEnd = 0
  try {
    while (steps < budget && c.brk === 0) {
      const eip = c.eip
      base = eip
      i = -1
      let b = -1
      let phys = 0
      if (prev >= 0) {
        // Chained: the previous block's successor for this EIP, if the translation epoch still holds.
        const epoch = c.xlatEpoch
        let k = prev << 1
        if (sEip[k] !== eip || sEpoch[k] !== epoch) k++
        if (sEip[k] === eip && sEpoch[k] === epoch) {
          const cand = sBlk[k]
          phys = sPhys[k]
          if (bPhys[cand] === phys && bGen[cand] === pageGen[phys >>> 12]) b = cand
        }
      }
      if (b < 0) {
        phys = c.fetchPhys(eip)
        const mode = c.attr[1] & 0x4000 ? 1 : 0
        b = (phys ^ (phys >>> 15)) & 32767 // Cpu.blockSlot(phys), inlined
        if (bPhys[b] !== phys || bGen[b] !== pageGen[phys >>> 12] || bMode[b] !== mode)
          b = c.buildBlock(phys, eip)
        if (prev >= 0 && bPhys[b] === phys && bPhys[prev] !== -1) {
          const k = (prev << 1) | (eip === prevEnd ? 0 : 1)
          sEip[k] = eip
          sBlk[k] = b
          sPhys[k] = phys
          sEpoch[k] = c.xlatEpoch
        }
      }
      prev = b
      prevEnd = (eip + c.bBytes[b]) | 0
      first = c.bFirst[b]
      let n = c.bCount[b]
      if (n > budget - steps) n = budget - steps
      if (c.limit[1] !== -1) n = clipToCsLimit(c, first, n, eip)
      const end = first + n
      // Segment and privilege state only change at instructions that end a block.
      const segSlow = c.segSlow
      const rmask = c.rmask
      const wmask = c.wmask
      c.beip = eip
      c.curPage = phys >>> 12
      c.cycMark = first
      c.repDone = 0
      c.repPending = false
      i = first
      while (i < end) {
        c.cur = i
        switch (op[i]) {
          case 0: // Ud
            c.raise(6, -1)
            break
          case 1: // TooLong
            c.raise(13, 0)
            break
          case 2: // Nop
            break
          case 3: // Fpu
            c.raise(c.cr0 & 0xc ? 7 : 6, -1)
            break
          case 4: // MovRR32
            r[r1[i]] = r[r2[i]]
            break
          case 5: {
            // MovRM32 (the memory access inlined: effective address, flat segment, TLB hit)
            const s = sg[i]
            let a = (r[r2[i]] + (r[ix[i]] << sc[i]) + disp[i]) | 0
            a = (segSlow >>> s) & 1 ? c.segAddr(s, a, 4, false) : (a + segBase[s]) | 0
            const e = tlb[a >>> 12]
            r[r1[i]] = (e & rmask) === 1 && (a & 3) === 0 ? m32[((e & ~0xfff) ^ a) >>> 2] : c.rd32(a)
            break
          }
          case 6: {
            // MovMR32
            const s = sg[i]
            let a = (r[r2[i]] + (r[ix[i]] << sc[i]) + disp[i]) | 0
            a = (segSlow >>> s) & 1 ? c.segAddr(s, a, 4, true) : (a + segBase[s]) | 0
            const e = tlb[a >>> 12]
            if ((e & wmask) === 1 && (a & 3) === 0) m32[((e & ~0xfff) ^ a) >>> 2] = r[r1[i]]
            else c.wr32(a, r[r1[i]])
            break
          }
          case 7: // MovRI32
            r[r1[i]] = imm[i]
            break
          case 8: // MovMI32
            c.wr32(c.lin(i, 4, true), imm[i])
            break
          case 9: // Lea32
            r[r1[i]] = (r[r2[i]] + (r[ix[i]] << sc[i]) + disp[i]) | 0
            break
          case 10: // AluRR32
          case 11: {
            // AluRI32 (ADD, SUB, CMP and the logic ops inline; ADC/SBB through alu32)
            const k = ext[i]
            const a = r[r1[i]]
            const b = op[i] === 10 ? r[r2[i]] : imm[i]
            let v: number
            switch (k) {
              case 0:
                v = (a + b) | 0
                c.lk = LZ_ADD
                break
              case 1:
                v = a | b
                c.lk = LZ_LOGIC
                break
              case 4:
                v = a & b
                c.lk = LZ_LOGIC
                break
              case 5:
              case 7:
                v = (a - b) | 0
                c.lk = LZ_SUB
                break
              case 6:
                v = a ^ b
                c.lk = LZ_LOGIC
                break
              default:
                v = alu32(c, k, a, b)
                break
            }
            c.la = a
            c.lb = b
            c.lr = v
            if (k !== 7) r[r1[i]] = v
            break
          }
          case 12: {
            // AluRM32
            const k = ext[i]
            const s = sg[i]
            let a = (r[r2[i]] + (r[ix[i]] << sc[i]) + disp[i]) | 0
            a = (segSlow >>> s) & 1 ? c.segAddr(s, a, 4, false) : (a + segBase[s]) | 0
            const e = tlb[a >>> 12]
            const m = (e & rmask) === 1 && (a & 3) === 0 ? m32[((e & ~0xfff) ^ a) >>> 2] : c.rd32(a)
            const v = alu32(c, k, r[r1[i]], m)
            if (k !== 7) r[r1[i]] = v
            break
          }
          case 13: {
            // AluMR32
            const k = ext[i]
            const s = sg[i]
            let a = (r[r2[i]] + (r[ix[i]] << sc[i]) + disp[i]) | 0
            a = (segSlow >>> s) & 1 ? c.segAddr(s, a, 4, k !== 7) : (a + segBase[s]) | 0
            const e = tlb[a >>> 12]
            if ((e & wmask) === 1 && (a & 3) === 0) {
              const p = ((e & ~0xfff) ^ a) >>> 2
              const v = alu32(c, k, m32[p], r[r1[i]])
              if (k !== 7) m32[p] = v
            } else if (k === 7) alu32(c, 7, c.rd32(a), r[r1[i]])
            else c.wr32(a, alu32(c, k, c.rdw(a, 4), r[r1[i]]))
            break
          }
          case 14: {
            // AluMI32
            const k = ext[i]
            if (k === 7) alu32(c, 7, c.rd32(c.lin(i, 4, false)), imm[i])
            else {
              const a = c.lin(i, 4, true)
              c.wr32(a, alu32(c, k, c.rdw(a, 4), imm[i]))
            }
            break
          }
          case 15: // TestRR32
            c.lr = r[r1[i]] & r[r2[i]]
            c.lk = LZ_LOGIC
            break
          case 16: // TestRI32
            c.lr = r[r1[i]] & imm[i]
            c.lk = LZ_LOGIC
            break
          case 17: // TestMR32
            c.lr = c.rd32(c.lin(i, 4, false)) & r[r1[i]]
            c.lk = LZ_LOGIC
            break
          case 18: // TestMI32
            c.lr = c.rd32(c.lin(i, 4, false)) & imm[i]
            c.lk = LZ_LOGIC
            break
          case 19: {
            // IncR32
            c.fl = (c.fl & ~CF) | getCF(c)
            const a = r[r1[i]]
            const v = (a + 1) | 0
            c.la = a
            c.lb = 1
            c.lr = v
            c.lk = LZ_INC
            r[r1[i]] = v
            break
          }
          case 20: {
            // DecR32
            c.fl = (c.fl & ~CF) | getCF(c)
            const a = r[r1[i]]
            const v = (a - 1) | 0
            c.la = a
            c.lb = 1
            c.lr = v
            c.lk = LZ_DEC
            r[r1[i]] = v
            break
          }
          case 21: {
            // PushR32 (inlined push: the write happens before ESP changes)
            const sp = (r[4] - 4) | 0
            const a = segSlow & 4 ? c.segAddr(2, sp, 4, true) : (sp + segBase[2]) | 0
            const e = tlb[a >>> 12]
            if ((e & wmask) === 1 && (a & 3) === 0) m32[((e & ~0xfff) ^ a) >>> 2] = r[r1[i]]
            else c.wr32(a, r[r1[i]])
            r[4] = sp
            break
          }
          case 22: {
            // PopR32 (ESP is incremented before the destination is written: POP ESP loads the popped value)
            const sp = r[4]
            const a = segSlow & 4 ? c.segAddr(2, sp, 4, false) : (sp + segBase[2]) | 0
            const e = tlb[a >>> 12]
            const v = (e & rmask) === 1 && (a & 3) === 0 ? m32[((e & ~0xfff) ^ a) >>> 2] : c.rd32(a)
            r[4] = (sp + 4) | 0
            r[r1[i]] = v
            break
          }
          case 23: // PushI32
            c.push32(imm[i])
            break
          case 24: // PushM32
            c.push32(c.rd32(c.lin(i, 4, false)))
            break
          case 25: // MovzxRB32
            r[r1[i]] = r8[r2[i]]
            break
          case 26: {
            // MovzxMB32
            const s = sg[i]
            let a = (r[r2[i]] + (r[ix[i]] << sc[i]) + disp[i]) | 0
            a = (segSlow >>> s) & 1 ? c.segAddr(s, a, 1, false) : (a + segBase[s]) | 0
            const e = tlb[a >>> 12]
            r[r1[i]] = (e & rmask) === 1 ? m8[(e & ~0xfff) ^ a] : c.rd8(a)
            break
          }
          case 27: // MovzxRW32
            r[r1[i]] = r16[r2[i]]
            break
          case 28: // MovzxMW32
            r[r1[i]] = c.rd16(c.lin(i, 2, false))
            break
          case 29: // MovsxRB32
            r[r1[i]] = (r8[r2[i]] << 24) >> 24
            break
          case 30: // MovsxMB32
            r[r1[i]] = (c.rd8(c.lin(i, 1, false)) << 24) >> 24
            break
          case 31: // MovsxRW32
            r[r1[i]] = (r16[r2[i]] << 16) >> 16
            break
          case 32: // MovsxMW32
            r[r1[i]] = (c.rd16(c.lin(i, 2, false)) << 16) >> 16
            break
          case 33: // ShiftRI32
            r[r1[i]] = shift32(c, ext[i], r[r1[i]], imm[i])
            break
          case 34: // ImulRR32
            r[r1[i]] = imul(c, r[r1[i]], r[r2[i]])
            break
          case 35: {
            // ImulRM32
            const s = sg[i]
            let a = (r[r2[i]] + (r[ix[i]] << sc[i]) + disp[i]) | 0
            a = (segSlow >>> s) & 1 ? c.segAddr(s, a, 4, false) : (a + segBase[s]) | 0
            const e = tlb[a >>> 12]
            r[r1[i]] = imul(
              c,
              r[r1[i]],
              (e & rmask) === 1 && (a & 3) === 0 ? m32[((e & ~0xfff) ^ a) >>> 2] : c.rd32(a),
            )
            break
          }
          case 36: // ImulRRI32
            r[r1[i]] = imul(c, r[r2[i]], imm[i])
            break
          case 37: // ImulRMI32
            r[r1[i]] = imul(c, c.rd32(c.lin(i, 4, false)), imm[i])
            break
          case 38: // CmovRR32
            if (cond(c, ext[i])) r[r1[i]] = r[r2[i]]
            break
          case 39: {
            // CmovRM32: the source is read (and may fault) whatever the condition (SDM Vol. 2 CMOVcc)
            const v = c.rd32(c.lin(i, 4, false))
            if (cond(c, ext[i])) r[r1[i]] = v
            break
          }
          case 40: {
            // XchgRR32
            const a = r[r1[i]]
            r[r1[i]] = r[r2[i]]
            r[r2[i]] = a
            break
          }
          case 41: // Jcc
            if (cond(c, ext[i])) jumpTo(c, (base + off[i] + imm[i]) | 0)
            else c.eip = (base + off[i] + len[i]) | 0
            break
          case 42: // Jmp
            jumpTo(c, (base + off[i] + imm[i]) | 0)
            break
          case 43: {
            // CallRel
            const t = (base + off[i] + imm[i]) | 0
            if (c.limit[1] !== -1 && t >>> 0 > c.limit[1] >>> 0) c.raise(13, 0)
            const sp = (r[4] - 4) | 0
            const a = segSlow & 4 ? c.segAddr(2, sp, 4, true) : (sp + segBase[2]) | 0
            const e = tlb[a >>> 12]
            const ret = (base + off[i] + len[i]) | 0
            if ((e & wmask) === 1 && (a & 3) === 0) m32[((e & ~0xfff) ^ a) >>> 2] = ret
            else c.wr32(a, ret)
            r[4] = sp
            c.eip = t
            break
          }
          case 44: {
            // Ret
            const sp = r[4]
            const a = segSlow & 4 ? c.segAddr(2, sp, 4, false) : (sp + segBase[2]) | 0
            const e = tlb[a >>> 12]
            const t = (e & rmask) === 1 && (a & 3) === 0 ? m32[((e & ~0xfff) ^ a) >>> 2] : c.rd32(a)
            jumpTo(c, t)
            r[4] = (sp + 4) | 0
            break
          }
          case 45: // JmpR32
            jumpTo(c, r[r2[i]])
            break
          case 46: // JmpM32
            jumpTo(c, c.rd32(c.lin(i, 4, false)))
            break
          case 47: {
            // CallR32
            const t = r[r2[i]]
            if (c.limit[1] !== -1 && t >>> 0 > c.limit[1] >>> 0) c.raise(13, 0)
            c.push32((base + off[i] + len[i]) | 0)
            c.eip = t
            break
          }
          case 48: {
            // CallM32
            const t = c.rd32(c.lin(i, 4, false))
            if (c.limit[1] !== -1 && t >>> 0 > c.limit[1] >>> 0) c.raise(13, 0)
            c.push32((base + off[i] + len[i]) | 0)
            c.eip = t
            break
          }
          case 49: {
            // Leave32: ESP ← EBP; EBP ← pop (ESP unchanged if the pop faults)
            const v = c.rd32(c.segLin(2, r[5], 4, false))
            r[4] = (r[5] + 4) | 0
            r[5] = v
            break
          }
          default:
            execRare(c, i, budget - steps - (i - first))
            break
        }
        i++
        if (c.brk !== 0) break
      }
      if (c.exited) {
        // The instruction at i - 1 caused a VM exit (Cpu.vmxCheck): it did not retire, and EIP and the
        // clock are already at it — what the ABORT path below does for a thrown exit.
        c.exited = false
        i--
        const done = i - first + c.repDone
        c.cur = i
        c.cycMark = i + c.repDone
        c.repDone = 0
        c.instructions += i - first
        steps += done + 1
        i = -1
        break
      }
      const last = i - 1
      if ((OP_FLAGS[op[last]] & OPF_BRANCH) === 0) c.eip = (base + off[last] + len[last]) | 0
      const done = i - first + c.repDone
      clk.cycles += i + c.repDone - c.cycMark
      c.cur = i
      c.cycMark = i
      c.repDone = 0
      // A REP string instruction stopped with iterations left (it ends its block) has not retired yet.
      c.instructions += c.repPending ? i - first - 1 : i - first
      steps += done
      i = -1
    }
  } catch (e) {
    if (e !== FAULT && e !== ABORT) throw e
    let done = 0
    if (i >= 0) {
      done = i - first + c.repDone
      if (e === FAULT) c.eip = (base + off[i]) | 0
      clk.cycles += i + c.repDone - c.cycMark
      c.cur = i
      c.cycMark = i
      c.repDone = 0
      c.instructions += i - first
    }
    steps += done + 1
    c.brk = 1
    if (e === FAULT) deliverException(c, c.excVector, c.excError)
  }
  return steps
}

/**
 * With a CS limit below 4 GiB, only the instructions that lie entirely within the limit may run; an
 * instruction that reaches past it raises #GP(0) (SDM Vol. 3A §5.3).
 */
function clipToCsLimit(c: Cpu, first: number, n: number, eip: number): number {
  const lim = c.limit[1] >>> 0
  const d = c.dec
  for (let k = 0; k < n; k++) {
    const last = (eip >>> 0) + d.off[first + k] + d.len[first + k] - 1
    if (last > lim) {
      if (k === 0) {
        c.cur = first
        c.beip = eip
        c.raise(13, 0)
      }
      return k
    }
  }
  return n
}
