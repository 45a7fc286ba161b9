/**
 * The IA-32 CPU: architectural state, memory access through segmentation and a software TLB, the
 * decoded-block cache, and the run loop with interrupt and exception delivery. Instruction semantics
 * live in `execute.ts` (hot path) and the helper modules; the protected-mode system architecture in
 * `segmentation.ts`, `interrupts.ts`, `paging.ts` and `system.ts`.
 *
 * The CPU starts in 32-bit protected mode (as a multiboot loader leaves it, see {@link Cpu.resetFlat});
 * real mode and virtual-8086 mode are not modelled. All state is in typed arrays and number fields,
 * nothing is allocated per instruction, and nothing reads a wall clock: the same inputs give the same
 * run, and {@link Cpu.saveState} captures everything that influences the future.
 */
import type { MmioBus, PortBus, AccessSize } from '../machine/bus'
import type { InterruptController } from '../machine/irq'
import { PAGE_SHIFT, type CodeCache, type PhysicalMemory } from '../machine/memory'
import { contextCode, type Cpl } from '../privilege'
import type { StateReader, StateWriter, Snapshottable } from '../snapshot'
import { EventKind, type SensitiveInsn } from '../trace/schema'
import type { EventSink } from '../trace/sink'
import * as constants from './constants'
import { DecodedInsns, SG_A16, Seg } from './decoded'
import { Decoder } from './decoder'
import { execute } from './execute'
import { ABORT, FAULT } from './fault'
import type { LazyFlags } from './flags'
import * as flags from './flags'
import { OP_FLAGS, OPF_END } from './ops'
import { translate, type WalkResult, inspectWalk } from './paging'
import { deliverException, deliverExternal, deliverThroughIdt } from './interrupts'
import type { IoRoute, TrapSource, VmxHooks } from './vmx-seam'
import type { PrivilegedInsn, PrivilegedInterceptor, SensitiveInterceptor } from './interceptors'
import { inspectCpu, type CpuInspection } from './inspect'
// Imported bindings copied once into module constants: loaders that present each import as a getter
// on an exports object (tsx, Vitest) would otherwise turn every use on the hot path into a call.
const { AC, FIXED1, IF, TF, readEflags } = flags
const {
  A_DB,
  A_UNUSABLE,
  CR0_AM,
  CR0_ET,
  CR0_PE,
  CR0_PG,
  FETCH_MASK_SUP,
  FETCH_MASK_USER,
  HALT_NONE,
  HALT_STOP,
  FLAT_CODE_ATTR,
  FLAT_DATA_ATTR,
  READ_MASK_SUP,
  READ_MASK_USER,
  T_CODE,
  T_EXPDOWN,
  T_RW,
  TLB_CODE,
  TLB_GLOBAL,
  TLB_LARGE,
  TLB_MMIO,
  TLB_VALID,
  Vec,
  WRITE_MASK_SUP,
  WRITE_MASK_USER,
} = constants

/** What the CPU is wired to. One environment per (v)CPU; memory, buses and clock may be shared. */
export interface CpuEnv {
  readonly mem: PhysicalMemory
  readonly ports: PortBus
  readonly mmio: MmioBus
  readonly intc: InterruptController | null
  readonly sink: EventSink
  readonly clock: { cycles: number }
}

/**
 * Why {@link Cpu.run} returned:
 * - `max-insns`: the step budget is used up; `until-cycle`: the clock reached `untilCycle`;
 * - `stop`: {@link Cpu.requestStop} was called (debug-exit, a model);
 * - `idle`: HLT with IF = 1 and nothing pending (advance time to the next device deadline, run again);
 * - `halted`: HLT with IF = 0 (nothing but NMI/reset could wake it; NMI is not modelled);
 * - `shutdown`: triple fault (SDM Vol. 3A §6.15, interrupt 8).
 */
export type StopReason = 'max-insns' | 'until-cycle' | 'stop' | 'idle' | 'halted' | 'shutdown'

export interface RunOptions {
  /**
   * Step budget. A step is one instruction executed, one iteration of a REP string instruction, one
   * delivered external interrupt, or one attempt at an instruction that faults or exits (so a REP
   * with a huge count, or a fault loop, still comes back). The clock advances one cycle per
   * instruction executed and per REP iteration; a fault or an interrupt delivery costs none here.
   */
  readonly maxInsns: number
  /** Stop once `clock.cycles >= untilCycle`. */
  readonly untilCycle?: number
}

/**
 * Called before an event is delivered through the IDT. `errorCode` is -1 when the vector has none;
 * `length` is the instruction length for software interrupts (0 otherwise). Returning true means a
 * monitor handled the event (it may have changed any state, e.g. reflected it through the guest's
 * virtual IDT with {@link Cpu.deliverThroughIdt}); the CPU then continues from the state it left.
 * When called, `eip` is the faulting instruction (faults), the INT instruction (software
 * interrupts; the monitor advances past it by `length`), or the next instruction (external
 * interrupts, traps).
 */
export type TrapInterceptor = (
  vector: number,
  errorCode: number,
  source: TrapSource,
  length: number,
) => boolean

const INSN_CAPACITY = 1 << 18
const BLOCK_SLOTS = 1 << 15
/** The extra block slot used for an instruction that crosses a page boundary (decoded each time, never cached). */
const SCRATCH_BLOCK = BLOCK_SLOTS
const MAX_BLOCK_INSNS = 64
const TLB_LIST_MAX = 1 << 14
/** Bytes per code-tracking line: a store only invalidates decoded code when it hits a line that holds some. */
const CODE_LINE_SHIFT = 6
const LINES_PER_PAGE = 1 << (PAGE_SHIFT - CODE_LINE_SHIFT)

export class Cpu implements LazyFlags, Snapshottable, CodeCache {
  readonly mem: PhysicalMemory
  readonly ports: PortBus
  readonly mmio: MmioBus
  readonly intc: InterruptController | null
  readonly sink: EventSink
  readonly clock: { cycles: number }

  /** General registers EAX ECX EDX EBX ESP EBP ESI EDI, and index 8 which always holds 0. */
  readonly r = new Int32Array(9)
  readonly r8 = new Uint8Array(this.r.buffer)
  readonly r16 = new Uint16Array(this.r.buffer)
  eip = 0

  /** Lazy flags (see flags.ts). */
  fl = FIXED1
  lk = 0
  la = 0
  lb = 0
  lr = 0

  /** Segment registers ES CS SS DS FS GS: visible selector and hidden base, limit, attributes. */
  readonly sel = new Int32Array(6)
  readonly base = new Int32Array(6)
  readonly limit = new Int32Array(6)
  readonly attr = new Int32Array(6)
  /**
   * Bit s set: memory accesses through segment s take the checked path (limit, type, null). Bits for
   * CS and for the 16-bit-addressing forms (8–13) are always set; flat data segments are not.
   */
  segSlow = 0
  cpl = 0

  cr0 = 0
  cr2 = 0
  cr3 = 0
  cr4 = 0
  gdtBase = 0
  gdtLimit = 0
  idtBase = 0
  idtLimit = 0
  ldtSel = 0
  ldtBase = 0
  ldtLimit = 0
  ldtAttr = A_UNUSABLE
  trSel = 0
  trBase = 0
  trLimit = 0
  trAttr = A_UNUSABLE
  /** DR0–DR7 (stored; hardware breakpoints are not modelled). */
  readonly dr = new Int32Array(8)

  /** MSRs (msr.ts). */
  sysenterCs = 0
  sysenterEsp = 0
  sysenterEip = 0
  /** IA32_TIME_STAMP_COUNTER − clock.cycles, modulo 2⁶⁴, as two 32-bit halves. */
  tscOffLo = 0
  tscOffHi = 0
  apicBase = 0xfee00100
  featureControl = 0x5
  /** CPUID leaves a model overrides (leaf → EAX EBX ECX EDX), e.g. 0x40000000 for a hypervisor. */
  readonly cpuidOverrides = new Map<number, readonly [number, number, number, number]>()

  // Memory
  readonly m8: Uint8Array
  readonly m16: Uint16Array
  readonly m32: Int32Array
  readonly ramSize: number
  /** Software TLB: one entry per 4 KiB linear page (constants.ts TLB_*). */
  readonly tlb = new Int32Array(1 << 20)
  readonly tlbList = new Int32Array(TLB_LIST_MAX)
  tlbCount = 0
  tlbHasLarge = false
  /** Fast-path masks for data accesses at the current privilege (CPL 3 = user), and for fetches. */
  rmask = READ_MASK_SUP
  wmask = WRITE_MASK_SUP
  fmask = READ_MASK_SUP
  /** Alignment checking is on (CPL 3, CR0.AM, EFLAGS.AC): data accesses take the checked path. */
  acCheck = false

  // Decoded-block cache
  readonly dec = new DecodedInsns(INSN_CAPACITY + 1)
  readonly decoder = new Decoder()
  insnTop = 0
  readonly bPhys = new Int32Array(BLOCK_SLOTS + 1).fill(-1)
  readonly bMode = new Uint8Array(BLOCK_SLOTS + 1)
  readonly bFirst = new Int32Array(BLOCK_SLOTS + 1)
  readonly bCount = new Uint16Array(BLOCK_SLOTS + 1)
  readonly bBytes = new Uint16Array(BLOCK_SLOTS + 1)
  readonly bGen = new Int32Array(BLOCK_SLOTS + 1)
  /**
   * Block chaining: each block remembers two successors (slot 2b: the fall-through, 2b + 1: the last
   * other target) by EIP, slot and physical address, valid while `xlatEpoch` is unchanged. The epoch
   * moves whenever a linear → physical translation, CS or the CPL may have changed.
   */
  readonly succEip = new Int32Array(2 * (BLOCK_SLOTS + 1))
  readonly succBlk = new Int32Array(2 * (BLOCK_SLOTS + 1))
  readonly succPhys = new Int32Array(2 * (BLOCK_SLOTS + 1))
  readonly succEpoch = new Int32Array(2 * (BLOCK_SLOTS + 1)).fill(-1)
  xlatEpoch = 0
  readonly pageGen: Int32Array
  /** Per physical page: this CPU holds decoded code from it (counted once in `mem.codePages`). */
  readonly ownCode: Uint8Array
  readonly codeLines: Uint8Array
  private readonly leaveMemory: () => void
  private readonly crossBuf = new Uint8Array(32)

  // Execution bookkeeping (see execute.ts)
  /** Slot of the instruction being executed, EIP of its block, physical page of the block. */
  cur = 0
  beip = 0
  curPage = -1
  /**
   * Position (slot + REP iterations) up to which `clock.cycles` accounts for retired instructions.
   * The clock is brought up to date additively, so cycles a model charges mid-block are kept.
   */
  cycMark = 0
  /** REP iterations of the current instruction retired so far. */
  repDone = 0
  /** Non-zero: leave the block loop after the current instruction (I/O, IF change, stop, code write, …). */
  brk = 0
  stopRequested = false
  halted = HALT_NONE
  shutdown = false
  /** Interrupts are inhibited for one instruction: 1 after STI with IF = 0 (blocking by STI), 2 after MOV SS or POP SS (blocking by MOV SS). */
  shadow = 0
  /** The shadow in effect for the instruction being executed (its own blocking is what a VM exit it causes saves). */
  insnShadow = 0
  /**
   * Instructions retired, as the architectural performance event "Instructions Retired" counts them
   * (SDM Vol. 3B §20.2.1.2 "Pre-defined Architectural Performance Events"; §18.2.1.2 in older
   * editions): an instruction counts when it completes, and "an instruction with a REP prefix counts
   * as one instruction (not per iteration)"; one that faults, or causes a VM exit, does not count.
   * INT n, HLT and an instruction followed by a single-step trap do. [R] A REP string instruction
   * interrupted between iterations counts once, when it completes; the extra count real CPUs add per
   * hardware interrupt (an erratum-like effect, not architectural) is not modelled.
   */
  instructions = 0
  /** Steps taken by the last {@link run} (its return value's companion). */
  lastRunSteps = 0
  /** The `untilCycle` of the run in progress; {@link limitUntil} can bring it forward. */
  private runUntil = Infinity
  private sampleBase = 0
  /** Events delivered through the IDT (or intercepted), to tell whether an instruction trapped. */
  deliveries = 0
  /** Exceptions by vector. */
  readonly faultCounts = new Float64Array(32)
  /** The exception being raised (set before throwing {@link FAULT}). */
  excVector = -1
  excError = -1
  /** Linear address of the #PF being raised: CR2 is written when the #PF is delivered (not when a VM exit takes it, SDM §28.1). */
  excAddr = 0
  /**
   * The event being delivered through the IDT, in the interruption-information format
   * (vmx/interruption-info.ts; 0 when none), with its error code and instruction length: a VM exit
   * during the delivery reports it as IDT-vectoring information (SDM Vol. 3C §28.2.4).
   */
  vecInfo = 0
  vecError = 0
  vecLength = 0
  /** Set by a REP string instruction that stopped with iterations left (it resumes at the same EIP and has not retired); cleared at each block. */
  repPending = false
  /** The instruction being executed caused a VM exit and was abandoned (see {@link vmxCheck}). */
  exited = false
  /** External interrupt vectors queued by models ({@link raiseExternal}). */
  private readonly extQueue = new Int32Array(64)
  private extHead = 0
  private extCount = 0

  // Hooks for hypervisor models (null/false by default; tested off the hot path)
  trapInterceptor: TrapInterceptor | null = null
  sensitiveWatch = false
  /** The lowest CPL whose sensitive instructions {@link sensitive} reports (1: every deprivileged ring). */
  sensitiveWatchMinCpl = 1
  /** Binary translation: sensitive-but-unprivileged instructions at CPL > 0 are offered here first (interceptors.ts). */
  sensitiveInterceptor: SensitiveInterceptor | null = null
  /** Binary translation: privileged instructions about to raise #GP(0) at CPL > 0 are offered here first (interceptors.ts). */
  privilegedInterceptor: PrivilegedInterceptor | null = null
  vmx: VmxHooks | null = null
  /** Emit a PageWalk event for each memory reference of a TLB-miss walk (when the sink is enabled). */
  traceWalks = false
  /**
   * The second translation stage (EPT, `vmx/vmx-cpu.ts`): maps guest-physical `gpa` to host-physical
   * for every paging-structure reference and every final address, for an access described by
   * `access` (the EPT-violation qualification bits READ, WRITE, FETCH, LINEAR_VALID and TRANSLATION of
   * vmx/qualification.ts `EptQual`) to linear address `lin`, `fetching` when it serves an instruction
   * fetch. It leaves the permissions of the mapping in {@link xlatPerms}, and may perform a VM exit
   * (it then throws ABORT). Null = identity (bare metal).
   */
  guestPhysToHost: ((gpa: number, access: number, lin: number, fetching: boolean) => number) | null = null
  /** After {@link guestPhysToHost}: bit 0 read, 1 write, 2 fetch — what the TLB entry being filled may allow without a new walk. */
  xlatPerms = 7
  /** The second stage without side effects (no A/D flags, no exits, no events), for the inspector's walk: host address or -1. */
  guestPhysPeek: ((gpa: number) => number) | null = null
  /** While a monitor emulates a guest instruction (`VmxCpu.emulate`): where its port and MMIO accesses go instead of the buses. */
  ioRoute: IoRoute | null = null
  /** Virtual-machine mode for events (privilege.ts: 0 off, 1 root, 2 non-root). */
  vmxMode: 0 | 1 | 2 = 0

  constructor(env: CpuEnv) {
    this.mem = env.mem
    this.ports = env.ports
    this.mmio = env.mmio
    this.intc = env.intc
    this.sink = env.sink
    this.clock = env.clock
    if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1)
      throw new Error('Ringside needs a little-endian host')
    const buf = env.mem.u8.buffer
    if (env.mem.u8.byteOffset !== 0) throw new Error('physical memory must start at offset 0 of its buffer')
    this.ramSize = env.mem.size
    if (this.ramSize > 0xc0000000)
      throw new RangeError('at most 3 GiB of RAM (the top of the 4 GiB space is the MMIO window)')
    this.m8 = env.mem.u8
    this.m16 = new Uint16Array(buf, 0, this.ramSize >>> 1)
    this.m32 = new Int32Array(buf, 0, this.ramSize >>> 2)
    this.pageGen = new Int32Array(this.ramSize >>> PAGE_SHIFT)
    this.ownCode = new Uint8Array(this.ramSize >>> PAGE_SHIFT)
    this.codeLines = new Uint8Array(this.ramSize >>> CODE_LINE_SHIFT)
    this.leaveMemory = env.mem.addCodeCache(this)
    this.resetFlat(0, this.ramSize)
  }

  // ---------------------------------------------------------------- initial state

  /**
   * The state a multiboot loader hands over (Multiboot 0.6.96 §3.2 "Machine state"): 32-bit protected
   * mode, CS = 0x08 and DS = ES = SS = FS = GS = 0x10 with flat 4 GiB descriptors (base 0, limit
   * 0xFFFFFFFF, code execute/read, data read/write, DPL 0), CPL 0, CR0 = PE | ET (paging off),
   * EFLAGS = 0x2 (IF clear), GDTR/IDTR limit 0 until the guest loads its own, EIP = entry.
   */
  resetFlat(entry: number, esp: number, eax = 0, ebx = 0): void {
    this.r.fill(0)
    this.r[0] = eax
    this.r[3] = ebx
    this.r[4] = esp
    this.eip = entry | 0
    this.fl = FIXED1
    this.lk = 0
    for (let s = 0; s < 6; s++) {
      this.sel[s] = s === Seg.CS ? 0x08 : 0x10
      this.base[s] = 0
      this.limit[s] = -1
      this.attr[s] = s === Seg.CS ? FLAT_CODE_ATTR : FLAT_DATA_ATTR
    }
    this.cpl = 0
    this.cr0 = CR0_PE | CR0_ET
    this.cr2 = 0
    this.cr3 = 0
    this.cr4 = 0
    this.gdtBase = this.gdtLimit = this.idtBase = this.idtLimit = 0
    this.ldtSel = this.ldtBase = this.ldtLimit = 0
    this.ldtAttr = A_UNUSABLE
    this.trSel = this.trBase = this.trLimit = 0
    this.trAttr = A_UNUSABLE
    this.dr.fill(0)
    this.dr[6] = 0xffff0ff0 | 0
    this.dr[7] = 0x400
    this.halted = HALT_NONE
    this.shutdown = false
    this.shadow = 0
    this.stopRequested = false
    this.extCount = 0
    this.extHead = 0
    this.updateSegSlow()
    this.updateMasks()
    this.flushTlb(true)
  }

  // ---------------------------------------------------------------- flags and registers

  /** The full EFLAGS value (status flags materialised). */
  get eflags(): number {
    return readEflags(this) >>> 0
  }

  /** Sets EFLAGS outright (all bits; callers apply the privilege rules of POPF/IRET first). */
  setEflags(v: number): void {
    const old = this.fl
    this.fl = (v & 0x3f7fd7) | FIXED1
    this.lk = 0
    if ((old ^ this.fl) & (IF | TF | AC)) {
      this.brk = 1
      this.updateMasks()
    }
  }

  // ---------------------------------------------------------------- segments

  /** Recomputes which segments need checked accesses (after any segment register load). */
  updateSegSlow(): void {
    this.xlatEpoch++
    let m = 0xff00 | (1 << Seg.CS)
    for (let s = 0; s < 6; s++) {
      if (s === Seg.CS) continue
      const a = this.attr[s]
      const flat =
        (a & A_UNUSABLE) === 0 &&
        (a & 0x18) === 0x10 &&
        (a & T_RW) !== 0 &&
        (a & T_EXPDOWN) === 0 &&
        this.limit[s] === -1
      if (!flat) m |= 1 << s
    }
    this.segSlow = m
  }

  /**
   * Recomputes the TLB fast-path masks for the current CPL (SDM Vol. 3A §4.6: CPL 3 accesses are
   * user-mode) and alignment checking (SDM Vol. 3A §6.15 interrupt 17: CR0.AM, EFLAGS.AC and CPL 3):
   * with it on, the data masks are 0, so no access takes the fast path and the slow path checks.
   */
  updateMasks(): void {
    this.xlatEpoch++
    const user = this.cpl === 3
    this.acCheck = user && (this.cr0 & CR0_AM) !== 0 && (this.fl & AC) !== 0
    this.fmask = user ? FETCH_MASK_USER : FETCH_MASK_SUP
    this.rmask = this.acCheck ? 0 : user ? READ_MASK_USER : READ_MASK_SUP
    this.wmask = this.acCheck ? 0 : user ? WRITE_MASK_USER : WRITE_MASK_SUP
  }

  /** Sets the CPL (with CS.RPL already loaded) and emits RingChange when it changed. */
  setCpl(cpl: number, cause: number, oldEip: number): void {
    const old = this.cpl
    if (old === cpl) return
    this.cpl = cpl
    this.updateMasks()
    this.sink.emit(
      EventKind.RingChange,
      cause,
      this.eip >>> 0,
      oldEip >>> 0,
      0,
      contextCode(this.vmxMode, old),
      contextCode(this.vmxMode, cpl),
    )
  }

  /**
   * Linear address of a memory operand through its segment, with the segment checks of SDM Vol. 3A
   * §5.3 (limit, expand-down) and §5.4–5.5 (type: no writes to code or read-only data, no reads of
   * execute-only code; a null selector faults): #GP(0), or #SS(0) for SS.
   */
  segAddr(sg: number, ea: number, size: number, write: boolean): number {
    const s = sg & 7
    if (sg & SG_A16) ea &= 0xffff
    const a = this.attr[s]
    const vec = s === Seg.SS ? Vec.SS : Vec.GP
    if (a & A_UNUSABLE) this.raise(vec, 0)
    const type = a & 0xf
    if (type & T_CODE) {
      if (write || (type & T_RW) === 0) this.raise(Vec.GP, 0)
    } else if (write && (type & T_RW) === 0) this.raise(vec, 0)
    const off = ea >>> 0
    const last = off + size - 1
    const lim = this.limit[s] >>> 0
    if ((type & (T_CODE | T_EXPDOWN)) === T_EXPDOWN) {
      const upper = a & A_DB ? 0xffffffff : 0xffff
      if (off <= lim || last > upper) this.raise(vec, 0)
    } else if (last > lim) this.raise(vec, 0)
    return (ea + this.base[s]) | 0
  }

  /** Effective address (offset within the segment) of slot i's memory operand. */
  ea(i: number): number {
    const d = this.dec
    const a = (this.r[d.r2[i]] + (this.r[d.ix[i]] << d.sc[i]) + d.disp[i]) | 0
    return d.sg[i] & SG_A16 ? a & 0xffff : a
  }

  /** Linear address of slot i's memory operand, checked for an access of `size` bytes. */
  lin(i: number, size: number, write: boolean): number {
    const d = this.dec
    const s = d.sg[i]
    const a = (this.r[d.r2[i]] + (this.r[d.ix[i]] << d.sc[i]) + d.disp[i]) | 0
    if ((this.segSlow >>> s) & 1) return this.segAddr(s, a, size, write)
    return (a + this.base[s]) | 0
  }

  /** Linear address of `off` in segment `s` (string instructions, XLAT, stack), checked like {@link lin}. */
  segLin(s: number, off: number, size: number, write: boolean): number {
    if ((this.segSlow >>> s) & 1) return this.segAddr(s, off, size, write)
    return (off + this.base[s]) | 0
  }

  /** PUSH of a 32-bit value: the write happens before ESP changes, so a fault leaves ESP intact. */
  push32(v: number): void {
    const sp = (this.r[4] - 4) | 0
    this.wr32(this.segSlow & 4 ? this.segAddr(Seg.SS, sp, 4, true) : (sp + this.base[Seg.SS]) | 0, v)
    this.r[4] = sp
  }

  pop32(): number {
    const sp = this.r[4]
    const v = this.rd32(this.segSlow & 4 ? this.segAddr(Seg.SS, sp, 4, false) : (sp + this.base[Seg.SS]) | 0)
    this.r[4] = (sp + 4) | 0
    return v
  }

  push16(v: number): void {
    const sp = (this.r[4] - 2) | 0
    this.wr16(this.segLin(Seg.SS, sp, 2, true), v & 0xffff)
    this.r[4] = sp
  }

  pop16(): number {
    const sp = this.r[4]
    const v = this.rd16(this.segLin(Seg.SS, sp, 2, false))
    this.r[4] = (sp + 2) | 0
    return v
  }

  // ---------------------------------------------------------------- memory: linear accesses

  rd8(lin: number): number {
    const e = this.tlb[lin >>> 12]
    if ((e & this.rmask) === TLB_VALID) return this.m8[(e & ~0xfff) ^ lin]
    return this.physRead(this.xlateRead(lin, this.cpl === 3), 1)
  }

  rd16(lin: number): number {
    const e = this.tlb[lin >>> 12]
    if ((e & this.rmask) === TLB_VALID && (lin & 0xfff) !== 0xfff) {
      const p = (e & ~0xfff) ^ lin
      return p & 1 ? this.m8[p] | (this.m8[p + 1] << 8) : this.m16[p >>> 1]
    }
    return this.rdSlow(lin, 2, this.cpl === 3)
  }

  rd32(lin: number): number {
    const e = this.tlb[lin >>> 12]
    if ((e & this.rmask) === TLB_VALID && (lin & 0xfff) <= 0xffc) {
      const p = (e & ~0xfff) ^ lin
      if ((p & 3) === 0) return this.m32[p >>> 2]
      const m = this.m8
      return m[p] | (m[p + 1] << 8) | (m[p + 2] << 16) | (m[p + 3] << 24)
    }
    return this.rdSlow(lin, 4, this.cpl === 3)
  }

  wr8(lin: number, v: number): void {
    const e = this.tlb[lin >>> 12]
    if ((e & this.wmask) === TLB_VALID) this.m8[(e & ~0xfff) ^ lin] = v
    else this.physWrite(this.xlateWrite(lin, this.cpl === 3), 1, v)
  }

  wr16(lin: number, v: number): void {
    const e = this.tlb[lin >>> 12]
    if ((e & this.wmask) === TLB_VALID && (lin & 0xfff) !== 0xfff) {
      const p = (e & ~0xfff) ^ lin
      if (p & 1) {
        this.m8[p] = v
        this.m8[p + 1] = v >>> 8
      } else this.m16[p >>> 1] = v
    } else this.wrSlow(lin, 2, v, this.cpl === 3)
  }

  wr32(lin: number, v: number): void {
    const e = this.tlb[lin >>> 12]
    if ((e & this.wmask) === TLB_VALID && (lin & 0xfff) <= 0xffc) {
      const p = (e & ~0xfff) ^ lin
      if ((p & 3) === 0) this.m32[p >>> 2] = v
      else {
        const m = this.m8
        m[p] = v
        m[p + 1] = v >>> 8
        m[p + 2] = v >>> 16
        m[p + 3] = v >>> 24
      }
    } else this.wrSlow(lin, 4, v, this.cpl === 3)
  }

  /** Reads for a read-modify-write: the access is checked (and faults) as a write (SDM: #PF W/R = 1). */
  rdw(lin: number, size: number): number {
    const e = this.tlb[lin >>> 12]
    if ((e & this.wmask) === TLB_VALID && (lin & 0xfff) <= 0x1000 - size) {
      const p = (e & ~0xfff) ^ lin
      if (size === 4)
        return (p & 3) === 0
          ? this.m32[p >>> 2]
          : this.m8[p] | (this.m8[p + 1] << 8) | (this.m8[p + 2] << 16) | (this.m8[p + 3] << 24)
      if (size === 1) return this.m8[p]
      return this.m8[p] | (this.m8[p + 1] << 8)
    }
    const user = this.cpl === 3
    this.probeWrite(lin, size, user)
    return this.rdSlow(lin, size, user)
  }

  /** Size-generic read/write (8/16/32). */
  rd(lin: number, size: number): number {
    return size === 4 ? this.rd32(lin) : size === 2 ? this.rd16(lin) : this.rd8(lin)
  }
  wr(lin: number, size: number, v: number): void {
    if (size === 4) this.wr32(lin, v)
    else if (size === 2) this.wr16(lin, v)
    else this.wr8(lin, v)
  }

  /** Reads with an explicit privilege (implicit supervisor accesses to descriptor tables, the TSS, the IDT; SDM Vol. 3A §4.6). */
  rdPriv(lin: number, size: number, user: boolean): number {
    const e = this.tlb[lin >>> 12]
    const mask = user ? READ_MASK_USER : READ_MASK_SUP
    if ((e & mask) === TLB_VALID && (lin & 0xfff) <= 0x1000 - size) {
      const p = (e & ~0xfff) ^ lin
      if (size === 1) return this.m8[p]
      if (size === 2) return this.m8[p] | (this.m8[p + 1] << 8)
      return this.m8[p] | (this.m8[p + 1] << 8) | (this.m8[p + 2] << 16) | (this.m8[p + 3] << 24)
    }
    return this.rdSlow(lin, size, user)
  }

  wrPriv(lin: number, size: number, v: number, user: boolean): void {
    this.wrSlow(lin, size, v, user)
  }

  /** Checks that `size` bytes at `lin` are writable (faulting as a write would) without writing. */
  probeWrite(lin: number, size: number, user: boolean): void {
    this.xlateWrite(lin, user)
    const last = (lin + size - 1) | 0
    if ((last ^ lin) & ~0xfff) this.xlateWrite(last, user)
  }

  /** #AC(0) for a misaligned user access while alignment checking is on (after translation: #PF comes first). */
  private alignCheck(lin: number, size: number, user: boolean): void {
    if (this.acCheck && user && (lin & (size - 1)) !== 0) this.raise(Vec.AC, 0)
  }

  private rdSlow(lin: number, size: number, user: boolean): number {
    const off = lin & 0xfff
    if (off + size > 0x1000) {
      // Crosses a page: translate both pages before touching either (no partial access).
      const p0 = this.xlateRead(lin, user)
      const second = (lin + size - 1) | 0
      const p1 = this.xlateRead(second, user)
      this.alignCheck(lin, size, user)
      let v = 0
      for (let k = 0; k < size; k++) {
        const a = (lin + k) | 0
        const p = ((a ^ lin) & ~0xfff) === 0 ? p0 + k : p1 - (second - a)
        v |= this.physRead(p, 1) << (8 * k)
      }
      return v
    }
    const p = this.xlateRead(lin, user)
    this.alignCheck(lin, size, user)
    return this.physRead(p, size)
  }

  private wrSlow(lin: number, size: number, v: number, user: boolean): void {
    const off = lin & 0xfff
    if (off + size > 0x1000) {
      const p0 = this.xlateWrite(lin, user)
      const second = (lin + size - 1) | 0
      const p1 = this.xlateWrite(second, user)
      this.alignCheck(lin, size, user)
      for (let k = 0; k < size; k++) {
        const a = (lin + k) | 0
        const p = ((a ^ lin) & ~0xfff) === 0 ? p0 + k : p1 - (second - a)
        this.physWrite(p, 1, (v >>> (8 * k)) & 0xff)
      }
      return
    }
    const p = this.xlateWrite(lin, user)
    this.alignCheck(lin, size, user)
    this.physWrite(p, size, v)
  }

  /** Physical address for a read of `lin`, from the TLB or by a page walk (which may raise #PF). */
  xlateRead(lin: number, user: boolean): number {
    const e = this.tlb[lin >>> 12]
    const mask = (user ? READ_MASK_USER : READ_MASK_SUP) & ~TLB_MMIO
    if ((e & mask) === TLB_VALID) return (e & ~0xfff) ^ lin
    return translate(this, lin, false, user, false)
  }

  /** Physical address for a write of `lin` (a page walk sets D; #PF on protection). */
  xlateWrite(lin: number, user: boolean): number {
    const e = this.tlb[lin >>> 12]
    const mask = (user ? WRITE_MASK_USER : WRITE_MASK_SUP) & ~(TLB_MMIO | TLB_CODE)
    if ((e & mask) === TLB_VALID) {
      const p = (e & ~0xfff) ^ lin
      if (
        e & TLB_CODE &&
        p >>> PAGE_SHIFT < this.pageGen.length &&
        this.mem.codePages[p >>> PAGE_SHIFT] === 0
      ) {
        this.tlb[lin >>> 12] = e & ~TLB_CODE
      }
      return p
    }
    return translate(this, lin, true, user, false)
  }

  // ---------------------------------------------------------------- memory: physical accesses

  /** Brings the clock to the exact cycle of the current instruction (before a device or an event sees it). */
  syncClock(): void {
    const pos = this.cur + this.repDone
    this.clock.cycles += pos - this.cycMark
    this.cycMark = pos
  }

  physRead(p: number, size: number): number {
    if (p >= 0 && p < this.ramSize) {
      const m = this.m8
      if (size === 1) return m[p]
      if (size === 2) return m[p] | (m[p + 1] << 8)
      return m[p] | (m[p + 1] << 8) | (m[p + 2] << 16) | (m[p + 3] << 24)
    }
    return this.mmioRead(p >>> 0, size)
  }

  physWrite(p: number, size: number, v: number): void {
    if (p >= 0 && p < this.ramSize) {
      const m = this.m8
      if (this.mem.codePages[p >>> PAGE_SHIFT] !== 0) this.codeWrite(p, size)
      m[p] = v
      if (size > 1) {
        m[p + 1] = v >>> 8
        if (size > 2) {
          m[p + 2] = v >>> 16
          m[p + 3] = v >>> 24
        }
      }
      return
    }
    this.mmioWrite(p >>> 0, size, v)
  }

  private mmioRead(p: number, size: number): number {
    this.syncClock()
    const route = this.ioRoute
    const v =
      (route !== null ? route.mmioRead(p, size as AccessSize) : this.mmio.read(p, size as AccessSize)) >>> 0
    this.sink.emit(EventKind.MmioAccess, size | 0x100, p, v)
    this.brk = 1
    return size === 4 ? v | 0 : v & (size === 2 ? 0xffff : 0xff)
  }

  private mmioWrite(p: number, size: number, v: number): void {
    this.syncClock()
    const val = size === 4 ? v >>> 0 : v & (size === 2 ? 0xffff : 0xff)
    if (this.ioRoute !== null) this.ioRoute.mmioWrite(p, size as AccessSize, val)
    else this.mmio.write(p, size as AccessSize, val)
    this.sink.emit(EventKind.MmioAccess, size, p, val)
    this.brk = 1
  }

  /**
   * A store hit a page holding decoded code: drop this CPU's blocks of the page if the bytes overlap
   * its code (SDM Vol. 3A §11.6), and tell the other CPUs sharing the memory if they hold code there.
   */
  private codeWrite(p: number, size: number): void {
    const first = p >>> CODE_LINE_SHIFT
    const last = (p + size - 1) >>> CODE_LINE_SHIFT
    const firstPage = p >>> PAGE_SHIFT
    const lastPage = (p + size - 1) >>> PAGE_SHIFT
    for (let page = firstPage; page <= lastPage; page++) {
      if (page < this.ownCode.length && this.mem.codePages[page] > this.ownCode[page])
        this.mem.notifyCodeWrite(page, this)
    }
    for (let l = first; l <= last; l++) {
      if (this.codeLines[l] !== 0) {
        this.invalidatePage(l >>> (PAGE_SHIFT - CODE_LINE_SHIFT))
        if (last !== l) this.invalidatePage(last >>> (PAGE_SHIFT - CODE_LINE_SHIFT))
        return
      }
    }
  }

  /** Forgets every decoded block of a physical page (code written by the CPU or by DMA). */
  invalidatePage(page: number): void {
    if (page >= this.pageGen.length) return
    this.pageGen[page]++
    if (this.ownCode[page] !== 0) {
      this.ownCode[page] = 0
      this.mem.codePages[page]--
    }
    this.codeLines.fill(0, page * LINES_PER_PAGE, (page + 1) * LINES_PER_PAGE)
    if (page === this.curPage) this.brk = 1
  }

  /** {@link CodeCache}: a device, a model or another CPU wrote to a page holding decoded code. */
  codeWritten(page: number): void {
    if (page < this.ownCode.length && this.ownCode[page] !== 0) this.invalidatePage(page)
  }

  /** {@link CodeCache}: another CPU decoded code from `page`: this CPU's writes to it must take the slow path. */
  codePageAdded(page: number): void {
    this.tlbMarkCode(page)
  }

  /** Stops tracking decoded code in every page (snapshot restore, disposal). */
  private releaseCode(): void {
    const own = this.ownCode
    for (let page = 0; page < own.length; page++) {
      if (own[page] !== 0) {
        own[page] = 0
        this.mem.codePages[page]--
      }
    }
    this.codeLines.fill(0)
  }

  /**
   * Detaches the CPU from its memory (a VM's vCPU replaced on reboot or restore): its decoded code no
   * longer counts in `mem.codePages` and it no longer hears about writes. The CPU must not run again.
   */
  dispose(): void {
    this.releaseCode()
    this.flushBlocks()
    this.leaveMemory()
  }

  // ---------------------------------------------------------------- software TLB

  /** Installs a TLB entry (paging.ts calls this after a successful walk). */
  tlbSet(vpn: number, entry: number): void {
    if (this.tlb[vpn] === 0) {
      if (this.tlbCount === TLB_LIST_MAX) this.flushTlb(true)
      this.tlbList[this.tlbCount++] = vpn
    }
    this.tlb[vpn] = entry
    if (entry & TLB_LARGE) this.tlbHasLarge = true
  }

  /** Flushes the TLB: everything, or all but global entries (a CR3 load, SDM Vol. 3A §4.10.4.1). */
  flushTlb(all: boolean): void {
    this.xlatEpoch++
    const list = this.tlbList
    const tlb = this.tlb
    let keep = 0
    for (let k = 0; k < this.tlbCount; k++) {
      const vpn = list[k]
      if (!all && tlb[vpn] & TLB_GLOBAL) list[keep++] = vpn
      else tlb[vpn] = 0
    }
    this.tlbCount = keep
    if (keep === 0) this.tlbHasLarge = false
  }

  /** INVLPG: drops the translation of one page (all of a 4 MiB page's 4 KiB pieces), global or not (SDM Vol. 3A §4.10.4.1). */
  invlpg(lin: number): void {
    this.xlatEpoch++
    if (this.tlbHasLarge) {
      const first = (lin >>> 22) << 10
      for (let v = first; v < first + 1024; v++) if (this.tlb[v] !== 0) this.tlb[v] = 0
    } else this.tlb[lin >>> 12] = 0
    // Stale list entries whose slot is now 0 are harmless: flushTlb zeroes them again.
    this.compactTlbList()
  }

  private compactTlbList(): void {
    let keep = 0
    for (let k = 0; k < this.tlbCount; k++) {
      const vpn = this.tlbList[k]
      if (this.tlb[vpn] !== 0) this.tlbList[keep++] = vpn
    }
    this.tlbCount = keep
  }

  /** A physical page just got decoded code: make existing TLB entries for it take the slow write path. */
  private tlbMarkCode(page: number): void {
    const list = this.tlbList
    const tlb = this.tlb
    for (let k = 0; k < this.tlbCount; k++) {
      const vpn = list[k]
      const e = tlb[vpn]
      if (e !== 0 && (e ^ (vpn << 12)) >>> 12 === page) tlb[vpn] = e | TLB_CODE
    }
  }

  // ---------------------------------------------------------------- decoded-block cache

  /** Hash slot of a physical code address. */
  static blockSlot(phys: number): number {
    return (phys ^ (phys >>> 15)) & (BLOCK_SLOTS - 1)
  }

  /** Physical address of the instruction at EIP (CS limit check, then the TLB or a page walk). */
  fetchPhys(eip: number): number {
    if (this.limit[Seg.CS] !== -1 && eip >>> 0 > this.limit[Seg.CS] >>> 0) this.raise(Vec.GP, 0)
    const lin = (eip + this.base[Seg.CS]) | 0
    const e = this.tlb[lin >>> 12]
    if ((e & this.fmask) === TLB_VALID) return (e & ~0xfff) ^ lin
    return translate(this, lin, false, this.cpl === 3, true)
  }

  /**
   * Decodes the block starting at physical address `phys` (EIP `eip`) into the cache and returns its
   * slot. A block ends at a control transfer or state-changing instruction, at the end of the page,
   * or after {@link MAX_BLOCK_INSNS}. An instruction that crosses a page boundary is decoded alone
   * into the scratch slot on every execution.
   */
  buildBlock(phys: number, eip: number): number {
    const mode = this.attr[Seg.CS] & A_DB ? 1 : 0
    if (phys < 0 || phys >= this.ramSize) return this.buildScratch(null, eip, mode)
    if (this.insnTop + MAX_BLOCK_INSNS > INSN_CAPACITY) this.flushBlocks()
    const slot = Cpu.blockSlot(phys)
    const first = this.insnTop
    const d = this.dec
    const pageEnd = (phys | 0xfff) + 1
    let pos = phys
    let n = 0
    while (n < MAX_BLOCK_INSNS) {
      const len = this.decoder.decode(d, first + n, this.m8, pos, pageEnd - pos, mode === 1)
      if (len === 0) break
      d.off[first + n] = pos - phys
      n++
      pos += len
      if (OP_FLAGS[d.op[first + n - 1]] & OPF_END || pos >= pageEnd) break
    }
    if (n === 0) return this.buildScratch(phys, eip, mode)
    const page = phys >>> PAGE_SHIFT
    if (this.ownCode[page] === 0) {
      this.ownCode[page] = 1
      if (this.mem.codePages[page]++ === 0) {
        this.tlbMarkCode(page)
        this.mem.notifyCodePage(page, this)
      }
    }
    this.codeLines.fill(1, phys >>> CODE_LINE_SHIFT, ((pos - 1) >>> CODE_LINE_SHIFT) + 1)
    this.bPhys[slot] = phys
    this.bMode[slot] = mode
    this.bFirst[slot] = first
    this.bCount[slot] = n
    this.bBytes[slot] = pos - phys
    this.bGen[slot] = this.pageGen[page]
    this.succEpoch[2 * slot] = this.succEpoch[2 * slot + 1] = -1
    this.insnTop += n
    return slot
  }

  /** Decodes one instruction that crosses a page boundary (or lies outside RAM) into the scratch slot. */
  private buildScratch(phys: number | null, eip: number, mode: number): number {
    const buf = this.crossBuf
    buf.fill(0xff)
    let avail = 16
    if (phys !== null) {
      const n0 = 0x1000 - (phys & 0xfff)
      buf.set(this.m8.subarray(phys, phys + n0), 0)
      // The second page is fetched only if the instruction needs it: translate (and fault) lazily.
      const lin2 = (((eip + this.base[Seg.CS]) | 0xfff) + 1) | 0
      const probe = this.decoder.decode(this.dec, INSN_CAPACITY, buf, 0, n0, mode === 1)
      if (probe === 0) {
        const p2 = translate(this, lin2, false, this.cpl === 3, true)
        for (let k = n0; k < 16; k++) buf[k] = p2 + k - n0 < this.ramSize ? this.m8[p2 + k - n0] : 0xff
      } else avail = n0
    }
    this.decoder.decode(this.dec, INSN_CAPACITY, buf, 0, avail, mode === 1)
    this.dec.off[INSN_CAPACITY] = 0
    this.bFirst[SCRATCH_BLOCK] = INSN_CAPACITY
    this.bCount[SCRATCH_BLOCK] = 1
    this.bBytes[SCRATCH_BLOCK] = this.dec.len[INSN_CAPACITY]
    this.bPhys[SCRATCH_BLOCK] = -1
    return SCRATCH_BLOCK
  }

  /** Drops every decoded block (storage full, or a global change such as a snapshot restore). */
  flushBlocks(): void {
    this.bPhys.fill(-1)
    this.insnTop = 0
  }

  // ---------------------------------------------------------------- faults and events

  /** Raises an exception: records it and abandons the instruction (SDM Vol. 3A §6.13 for error codes). */
  raise(vector: number, errorCode: number): never {
    this.excVector = vector
    this.excError = errorCode
    throw FAULT
  }

  /** EIP of the instruction being executed. */
  insnEip(): number {
    return (this.beip + this.dec.off[this.cur]) | 0
  }

  /** EIP of the instruction after the one being executed. */
  nextEip(): number {
    return (this.beip + this.dec.off[this.cur] + this.dec.len[this.cur]) | 0
  }

  /**
   * Offers an instruction to the VMX seam (callers test `vmx !== null` first, so bare metal pays one
   * comparison). True when it caused a VM exit: the caller returns at once, and execute() retires
   * nothing for it and leaves EIP at it ({@link exited}) — fault-like, without the cost of a throw.
   */
  vmxCheck(reason: number, qualification: number): boolean {
    const v = this.vmx
    if (v === null) return false
    this.eip = this.insnEip()
    this.syncClock()
    if (!v.instruction(reason, qualification, this.cur)) return false
    this.exited = true
    this.brk = 1
    return true
  }

  /**
   * Offers a sensitive-but-unprivileged instruction at CPL > 0 to {@link sensitiveInterceptor} before
   * it executes; abandons it when the monitor emulated it (and advanced EIP).
   */
  offerSensitive(kind: SensitiveInsn): void {
    const hook = this.sensitiveInterceptor
    if (hook === null || this.cpl === 0) return
    this.eip = this.insnEip()
    this.syncClock()
    if (hook(kind, this.cur)) throw ABORT
  }

  /**
   * The #GP(0) of a privileged instruction at CPL > 0 (SDM Vol. 3A §5.9), offered first to
   * {@link privilegedInterceptor}: the instruction is abandoned when the monitor emulated it.
   */
  privilegedFault(kind: PrivilegedInsn): never {
    const hook = this.privilegedInterceptor
    if (hook !== null) {
      this.eip = this.insnEip()
      this.syncClock()
      if (hook(kind, this.cur)) throw ABORT
    }
    return this.raise(Vec.GP, 0)
  }

  /** Reports a sensitive-but-unprivileged instruction executed at CPL ≥ {@link sensitiveWatchMinCpl} > 0 (when a model asked). */
  sensitive(kind: SensitiveInsn, value: number): void {
    if (!this.sensitiveWatch || this.cpl < this.sensitiveWatchMinCpl) return
    this.syncClock()
    this.sink.emit(EventKind.SensitiveNoTrap, kind, this.insnEip() >>> 0, value >>> 0, this.cpl)
  }

  /** Queues an external interrupt vector (delivered like INTR when IF = 1; hypervisor models use this). */
  raiseExternal(vector: number): void {
    if (this.extCount === this.extQueue.length) return
    this.extQueue[(this.extHead + this.extCount) & (this.extQueue.length - 1)] = vector & 0xff
    this.extCount++
    this.brk = 1
  }

  /** Makes {@link run} return `stop` after the current instruction (debug-exit, models). */
  requestStop(): void {
    this.stopRequested = true
    this.brk = 1
  }

  /** External interrupt vectors queued by models and not yet delivered. */
  pendingQueued(): number {
    return this.extCount
  }

  /** An external interrupt is waiting (queued by a model or at the interrupt controller), whatever IF says. */
  pendingExternal(): boolean {
    return this.extCount > 0 || (this.intc !== null && this.intc.intr)
  }

  /** True when an external interrupt can be taken at this boundary (IF = 1, no shadow, one pending). */
  interruptReady(): boolean {
    return this.shadow === 0 && (this.fl & IF) !== 0 && this.pendingExternal()
  }

  /** Takes the next pending external vector: a model's queue first, then the interrupt controller's INTA cycle. */
  takeExternal(): number {
    if (this.extCount > 0) {
      const v = this.extQueue[this.extHead]
      this.extHead = (this.extHead + 1) & (this.extQueue.length - 1)
      this.extCount--
      return v
    }
    return this.intc !== null ? this.intc.acknowledge() & 0xff : 0
  }

  /**
   * Delivers an event through an IDT at `idtBase`/`idtLimit` (the CPU's own, or a monitor's virtual
   * IDT for a deprivileged guest), as SDM Vol. 3A §6.12 describes: gate checks, privilege-level
   * change through the TSS, frame push, CS:EIP load. `errorCode` -1 means none; `length` is the
   * instruction length of a software interrupt (the pushed EIP is then EIP + length). Faults during
   * delivery propagate as exceptions (the caller's #DF rules apply).
   */
  deliverThroughIdt(
    vector: number,
    errorCode: number,
    source: TrapSource,
    length: number,
    idtBase: number,
    idtLimit: number,
  ): void {
    deliverThroughIdt(this, vector, errorCode, source, length, idtBase, idtLimit)
  }

  // ---------------------------------------------------------------- the run loop

  /**
   * Brings the current run's `untilCycle` forward (a device deadline moved earlier during a port
   * write, e.g. the PIT was reprogrammed): the run stops at the new deadline.
   */
  limitUntil(cycle: number): void {
    if (cycle < this.runUntil) {
      this.runUntil = cycle
      this.brk = 1
    }
  }

  /** Runs until one of the stop conditions of {@link StopReason}. */
  run(opts: RunOptions): StopReason {
    const maxSteps = opts.maxInsns
    this.runUntil = opts.untilCycle ?? Infinity
    // The VMX-preemption timer ends the run at its deadline, where boundary() takes the exit.
    if (this.vmx !== null && this.vmx.timerDeadline < this.runUntil) this.runUntil = this.vmx.timerDeadline
    let steps = 0
    let reason: StopReason
    for (;;) {
      this.brk = 0
      if (this.shutdown) {
        reason = 'shutdown'
        break
      }
      if (this.stopRequested) {
        this.stopRequested = false
        reason = 'stop'
        break
      }
      if (steps >= maxSteps) {
        reason = 'max-insns'
        break
      }
      const vmx = this.vmx
      if (vmx !== null) {
        if (vmx.inRoot) {
          reason = 'stop'
          break
        }
        if (vmx.boundary()) {
          steps++
          continue
        }
      }
      const until = this.runUntil
      if (this.clock.cycles >= until) {
        reason = 'until-cycle'
        break
      }
      if (this.interruptReady()) {
        this.halted = HALT_NONE
        deliverExternal(this)
        steps++
        continue
      }
      if (this.halted !== HALT_NONE) {
        reason = this.halted === HALT_STOP ? 'halted' : 'idle'
        break
      }
      let budget = maxSteps - steps
      const toDeadline = until - this.clock.cycles
      if (toDeadline < budget) budget = Math.ceil(toDeadline)
      if (this.shadow !== 0 || (this.fl & TF) !== 0) steps += this.stepTraced()
      else steps += execute(this, budget)
    }
    this.sampleRetired()
    this.lastRunSteps = steps
    this.runUntil = Infinity
    return reason
  }

  /**
   * Executes the instruction at EIP once, as a monitor's instruction emulator does (`VmxCpu.emulate`):
   * no interrupt or VM exit is considered, a REP string instruction runs all its iterations (at most
   * `maxIterations`; it stays at EIP with the rest to do otherwise), and an exception is handed to
   * the hooks like any other. Cycles and the instruction count advance as for a normal execution.
   */
  executeOne(maxIterations: number): void {
    this.shadow = 0
    let n = 0
    do {
      this.brk = 0
      this.repPending = false
      execute(this, 1)
      n++
    } while (this.repPending && n < maxIterations)
    this.brk = 1
  }

  /** Executes exactly one step (an instruction, a REP iteration, or a pending external interrupt). */
  step(): StopReason {
    return this.run({ maxInsns: 1 })
  }

  /**
   * One instruction at a time when an interrupt shadow or TF is in effect: the shadow lasts exactly
   * one instruction (SDM Vol. 3A §6.8.3), and with TF set a single-step #DB trap follows each
   * instruction that completes without delivering an event (SDM Vol. 3A §17.3.1.4).
   */
  private stepTraced(): number {
    const tf = (this.fl & TF) !== 0 && this.shadow === 0
    this.insnShadow = this.shadow
    this.shadow = 0
    const before = this.deliveries
    const n = execute(this, 1)
    this.insnShadow = 0
    if (tf && this.deliveries === before && !this.shutdown && this.halted === HALT_NONE) {
      this.dr[6] |= 0x4000
      deliverException(this, Vec.DB, -1)
    }
    return n
  }

  private sampleRetired(): void {
    const n = this.instructions - this.sampleBase
    this.sampleBase = this.instructions
    this.sink.emit(EventKind.InsnRetired, 0, n >>> 0, this.eip >>> 0)
  }

  // ---------------------------------------------------------------- inspection and snapshots

  /** Registers, segments, control and table registers, EFLAGS decoded, pending interrupt (plain data). */
  inspect(): CpuInspection {
    return inspectCpu(this)
  }

  /** The page walk for `linear` as the hardware would do it now (no A/D updates, no events, no fault raised). */
  walk(linear: number, access: { write?: boolean; user?: boolean } = {}): WalkResult {
    return inspectWalk(this, linear >>> 0, access.write ?? false, access.user ?? this.cpl === 3)
  }

  /**
   * Writes all architectural state, the TLB contents (a guest that relies on a stale translation must
   * behave the same after a restore), counters and pending events. Hooks are configuration, not state.
   */
  saveState(w: StateWriter): void {
    w.section('cpu')
    w.words(this.r)
    w.i32(this.eip)
    w.u32(this.eflags)
    w.words(this.sel)
    w.words(this.base)
    w.words(this.limit)
    w.words(this.attr)
    for (const v of [
      this.cpl,
      this.cr0,
      this.cr2,
      this.cr3,
      this.cr4,
      this.gdtBase,
      this.gdtLimit,
      this.idtBase,
      this.idtLimit,
    ])
      w.i32(v)
    for (const v of [
      this.ldtSel,
      this.ldtBase,
      this.ldtLimit,
      this.ldtAttr,
      this.trSel,
      this.trBase,
      this.trLimit,
      this.trAttr,
    ])
      w.i32(v)
    w.words(this.dr)
    for (const v of [
      this.sysenterCs,
      this.sysenterEsp,
      this.sysenterEip,
      this.tscOffLo,
      this.tscOffHi,
      this.apicBase,
      this.featureControl,
    ])
      w.i32(v)
    w.json([...this.cpuidOverrides.entries()])
    w.u32(this.tlbCount)
    for (let k = 0; k < this.tlbCount; k++) {
      const vpn = this.tlbList[k]
      w.u32(vpn)
      w.i32(this.tlb[vpn])
    }
    w.bool(this.tlbHasLarge)
    w.u8(this.halted)
    w.bool(this.shutdown)
    w.u8(this.shadow)
    w.bool(this.stopRequested)
    w.f64(this.instructions)
    w.f64(this.sampleBase)
    w.bytes(new Uint8Array(this.faultCounts.buffer.slice(0)))
    w.u32(this.extCount)
    for (let k = 0; k < this.extCount; k++)
      w.u8(this.extQueue[(this.extHead + k) & (this.extQueue.length - 1)])
  }

  loadState(rd: StateReader): void {
    rd.section('cpu')
    rd.words(this.r)
    this.r[8] = 0
    this.eip = rd.i32()
    this.fl = (rd.u32() & 0x3f7fd7) | FIXED1
    this.lk = 0
    rd.words(this.sel)
    rd.words(this.base)
    rd.words(this.limit)
    rd.words(this.attr)
    this.cpl = rd.i32()
    this.cr0 = rd.i32()
    this.cr2 = rd.i32()
    this.cr3 = rd.i32()
    this.cr4 = rd.i32()
    this.gdtBase = rd.i32()
    this.gdtLimit = rd.i32()
    this.idtBase = rd.i32()
    this.idtLimit = rd.i32()
    this.ldtSel = rd.i32()
    this.ldtBase = rd.i32()
    this.ldtLimit = rd.i32()
    this.ldtAttr = rd.i32()
    this.trSel = rd.i32()
    this.trBase = rd.i32()
    this.trLimit = rd.i32()
    this.trAttr = rd.i32()
    rd.words(this.dr)
    this.sysenterCs = rd.i32()
    this.sysenterEsp = rd.i32()
    this.sysenterEip = rd.i32()
    this.tscOffLo = rd.i32()
    this.tscOffHi = rd.i32()
    this.apicBase = rd.i32()
    this.featureControl = rd.i32()
    this.cpuidOverrides.clear()
    for (const [k, v] of rd.json<[number, [number, number, number, number]][]>())
      this.cpuidOverrides.set(k, v)
    this.flushTlb(true)
    const n = rd.u32()
    for (let k = 0; k < n; k++) {
      const vpn = rd.u32()
      this.tlbSet(vpn, rd.i32())
    }
    this.tlbHasLarge = rd.bool()
    this.halted = rd.u8()
    this.shutdown = rd.bool()
    this.shadow = rd.u8()
    this.stopRequested = rd.bool()
    this.instructions = rd.f64()
    this.sampleBase = rd.f64()
    this.faultCounts.set(new Float64Array(rd.bytes().buffer))
    this.extHead = 0
    this.extCount = rd.u32()
    for (let k = 0; k < this.extCount; k++) this.extQueue[k] = rd.u8()
    this.updateSegSlow()
    this.updateMasks()
    // Decoded blocks are a cache of memory contents, rebuilt on demand.
    this.flushBlocks()
    this.releaseCode()
    this.brk = 1
  }

  /** Privilege context of the CPU (privilege.ts) for events and the inspector. */
  get context(): { vmx: 'off' | 'root' | 'nonroot'; cpl: Cpl } {
    return { vmx: this.vmxMode === 0 ? 'off' : this.vmxMode === 1 ? 'root' : 'nonroot', cpl: this.cpl as Cpl }
  }

  /** True when CR0.PG is set. */
  get paging(): boolean {
    return (this.cr0 & CR0_PG) !== 0
  }
}
