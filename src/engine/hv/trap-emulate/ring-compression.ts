/**
 * The core of a monitor that runs a guest kernel deprivileged in ring 1 ("ring compression") on a CPU
 * without virtualization extensions — classic trap-and-emulate (x86-virtualization-facts.md §2.1,
 * Popek & Goldberg) and the ring-1 half of VMware's binary translator (hypervisor-flows.md §6.3) share
 * it. The monitor owns ring 0 and everything the guest kernel believes it owns:
 *
 * - the real GDT (a shadow of the guest's, ring-0 descriptors moved to ring 1: shadow-gdt.ts), the
 *   real IDT (so every exception, interrupt and INT n reaches the monitor first) and the real TSS (its
 *   ring-1 stack kept equal to the guest TSS's ring-0 stack; no I/O bitmap, so every IN/OUT outside
 *   ring 0 faults, SDM Vol. 1 §18.5);
 * - the page tables the CPU walks: shadows of the guest's (../shadow-mmu.ts); the monitor's own pages
 *   sit in the top 4 MiB of the linear address space, supervisor-only and beyond every ring-1 segment
 *   limit, so the guest cannot reach them (resource control);
 * - the guest's *virtual* CPU state: IF, CR0/CR2/CR3/CR4, GDTR/IDTR/LDTR/TR, debug registers, the
 *   SYSENTER MSRs. Privileged instructions of the guest kernel operate on it ({@link emulate});
 * - the VM's devices: port I/O is emulated against the VM's PC, and its 8259A is a virtual PIC whose
 *   requests the monitor delivers through the guest's own IDT when the virtual IF allows.
 *
 * What it cannot do without help is the lesson: the sensitive-but-unprivileged instructions (POPF,
 * PUSHF, IRET, SGDT, SIDT, SMSW, STR, PUSH CS, …; Robin & Irvine 2000) do not trap in ring 1, so they
 * act on the real state — POPF cannot clear IF, SGDT shows the shadow GDT. Binary translation (or
 * paravirtualization, or VT-x) is what fixes that.
 *
 * Modelling choices [R]: the real EFLAGS.IF stays 1 while guest code runs (the monitor must keep
 * receiving interrupts); the virtual IF is cleared by CLI and by delivery through an interrupt gate and
 * set by STI — and, since IRET does not trap, the monitor assumes guest user mode runs with interrupts
 * enabled whenever it regains control from ring 3 (an OS's user mode cannot clear IF at IOPL 0). The
 * virtual IOPL is 0. MMIO and SYSENTER are not virtualized (ringos's native platform uses neither).
 */
import type { Cpu } from '../../cpu/cpu'
import {
  HALT_STOP,
  HALT_WAIT,
  CR0_AM,
  CR0_EM,
  CR0_ET,
  CR0_MP,
  CR0_NE,
  CR0_PE,
  CR0_PG,
  CR0_TS,
  CR0_WP,
  CR0_DEFINED,
  CR0_CD,
  CR0_NW,
  CR4_SUPPORTED,
  A_UNUSABLE,
} from '../../cpu/constants'
import { Seg } from '../../cpu/decoded'
import { readE, setReg } from '../../cpu/execute-rare'
import { FAULT } from '../../cpu/fault'
import { IF } from '../../cpu/flags'
import { Op } from '../../cpu/ops'
import { descBase, descLimit, loadSegmentReg } from '../../cpu/segmentation'
import { readTsc } from '../../cpu/system'
import type { PhysicalMemory } from '../../machine/memory'
import type { Vm } from '../../session/vm'
import type { GuestView } from '../model'
import type { StateReader, StateWriter } from '../../snapshot'
import { EventKind } from '../../trace/schema'
import type { EventSink } from '../../trace/sink'
import { ShadowMmu } from '../shadow-mmu'
import {
  MONITOR_LINEAR,
  MONITOR_PDE,
  MONITOR_TSS_SELECTOR,
  SHADOW_GDT_ENTRIES,
  flatRing1,
  monitorTssDescriptor,
  segmentFields,
  shadowDescriptor,
  type Descriptor,
} from './shadow-gdt'

/** Shadow page-table pages per VM. */
export const MONITOR_POOL_PAGES = 512
/** Host memory a monitor takes per VM: its page table, IDT, shadow GDT, TSS and the shadow pool. */
export const MONITOR_REGION_BYTES = (4 + MONITOR_POOL_PAGES) * 4096

const PAGE_PT = 0
const PAGE_IDT = 1
const PAGE_GDT = 2
const PAGE_TSS = 3
const IDT_LINEAR = MONITOR_LINEAR
const GDT_LINEAR = MONITOR_LINEAR + 0x1000
const TSS_LINEAR = MONITOR_LINEAR + 0x2000
const TSS_LIMIT = 103
/** Guest-physical pages at or above this are device memory (not mapped: MMIO is not virtualized). */
const NO_MMIO = 0xffffffff

const IA32_TSC = 0x10
const IA32_SYSENTER_CS = 0x174

/** A privileged instruction the monitor emulated, as the model reports it. */
export interface Emulation {
  /** What it touched: virtual CPU state, a device (port I/O), the shadow MMU, or HLT. */
  readonly kind: 'cpu' | 'io' | 'mmu' | 'halt'
  /** The decoded instruction (cpu/ops.ts Op). */
  readonly op: number
  readonly port: number
  readonly write: boolean
  readonly value: number
  /** Port accesses made (a REP INS/OUTS does many). */
  readonly count: number
}

const cpuEmulation = (op: number): Emulation => ({
  kind: 'cpu',
  op,
  port: 0,
  write: false,
  value: 0,
  count: 0,
})

/** The virtual CPU state a ring-compression monitor keeps for its guest, and what it does with it. */
export class RingCompressionMonitor {
  /** The guest's interrupt flag as the guest set it (the real IF stays 1). */
  vIF = 0
  cr0 = CR0_PE | CR0_ET
  cr2 = 0
  cr3 = 0
  cr4 = 0
  gdtBase = 0
  gdtLimit = 0
  idtBase = 0
  idtLimit = 0
  ldtSel = 0
  trSel = 0
  /** Linear base and limit of the guest's TSS (from its descriptor at LTR). */
  trBase = 0
  trLimit = 0
  readonly dr = new Int32Array(8)
  readonly sysenter = new Int32Array(3)
  readonly mmu: ShadowMmu
  /** Vectors (and their IRQ lines) acknowledged at the virtual PIC that the guest could not take yet. */
  private pending: { readonly vector: number; readonly irq: number }[] = []
  /** IRQ line of the vector last handed to the CPU (for the interrupt's flow), -1 for none. */
  lastIrq = -1
  private readonly host: PhysicalMemory
  private readonly m32: Int32Array
  private readonly region: number
  private readonly tsc = new Int32Array(2)

  constructor(
    readonly vm: Vm,
    readonly cpu: Cpu,
    regionBase: number,
    private readonly sink: EventSink,
  ) {
    this.host = cpu.mem
    this.m32 = new Int32Array(this.host.u8.buffer, 0, this.host.size >>> 2)
    this.region = regionBase
    this.mmu = new ShadowMmu({
      host: this.host,
      guestBase: vm.memory.base,
      guestSize: vm.memory.size,
      poolBase: regionBase + 4 * 4096,
      poolPages: MONITOR_POOL_PAGES,
      fixedPdes: [[MONITOR_PDE, this.page(PAGE_PT) | 0x23]],
      mmioBase: NO_MMIO,
      invalidate: (lin) => {
        if (lin !== null) cpu.invlpg(lin)
        else {
          cpu.cr3 = this.mmu.root
          cpu.flushTlb(true)
        }
      },
    })
  }

  private page(n: number): number {
    return this.region + n * 4096
  }

  // ---------------------------------------------------------------- start: deprivilege the guest

  /**
   * Takes over a vCPU left at its entry state (Multiboot: 32-bit protected mode, flat ring-0 segments,
   * paging and interrupts off): builds the monitor's IDT, shadow GDT and TSS, starts the shadow MMU,
   * and moves the guest to ring 1 on flat ring-1 segments.
   */
  start(): void {
    const c = this.cpu
    this.host.u8.fill(0, this.region, this.region + 4 * 4096)
    // The monitor's page table maps its IDT, GDT and TSS pages at the top of the address space.
    for (let k = 0; k < 3; k++) this.m32[(this.page(PAGE_PT) >>> 2) + k] = this.page(PAGE_IDT + k) | 0x63
    this.vIF = (c.eflags & IF) !== 0 ? 1 : 0
    this.cr0 = c.cr0
    this.cr2 = this.cr3 = this.cr4 = 0
    this.gdtBase = this.gdtLimit = this.idtBase = this.idtLimit = 0
    this.ldtSel = this.trSel = this.trBase = this.trLimit = 0
    this.dr.fill(0)
    this.sysenter.fill(0)
    this.pending = []
    this.writeShadowGdt(false)
    this.writeRealControl()
    c.gdtBase = GDT_LINEAR
    c.gdtLimit = SHADOW_GDT_ENTRIES * 8 - 1
    c.idtBase = IDT_LINEAR
    c.idtLimit = 256 * 8 - 1
    c.ldtSel = 0
    c.ldtAttr = A_UNUSABLE
    c.trSel = MONITOR_TSS_SELECTOR
    c.trBase = TSS_LINEAR
    c.trLimit = TSS_LIMIT
    c.trAttr = segmentFields(monitorTssDescriptor(TSS_LINEAR, TSS_LIMIT)).attr
    this.m32[(this.page(PAGE_TSS) + 102) >>> 2] = (TSS_LIMIT + 1) << 16 // I/O map base beyond the limit: no bitmap
    const code = segmentFields(flatRing1(true))
    const data = segmentFields(flatRing1(false))
    for (let s = 0; s < 6; s++) {
      const f = s === Seg.CS ? code : data
      c.sel[s] = (c.sel[s] & ~3) | 1
      c.base[s] = f.base
      c.limit[s] = f.limit
      c.attr[s] = f.attr
    }
    c.cpl = 1
    c.updateSegSlow()
    c.updateMasks()
    c.setEflags((c.eflags & ~0x3000) | IF)
  }

  /** The real CR0/CR3/CR4: paging always on (the shadow), WP on, the guest's FPU and alignment bits. */
  private writeRealControl(): void {
    const c = this.cpu
    c.cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_PG | CR0_WP | (this.cr0 & (CR0_MP | CR0_EM | CR0_TS | CR0_AM))
    c.cr4 = 0
    c.cr3 = this.mmu.setControl(this.cr0, this.cr4)
    c.flushTlb(true)
    c.updateMasks()
  }

  /** The shadow GDT: the guest's table (its GDTR) with ring-0 descriptors moved to ring 1, or the loader's flat segments. */
  private writeShadowGdt(fromGuest: boolean): void {
    const at = this.page(PAGE_GDT) >>> 2
    this.m32.fill(0, at, at + 1024)
    const put = (index: number, d: Descriptor): void => {
      this.m32[at + index * 2] = d.lo
      this.m32[at + index * 2 + 1] = d.hi
    }
    if (!fromGuest) {
      put(1, flatRing1(true))
      put(2, flatRing1(false))
    } else {
      const n = Math.min((this.gdtLimit + 1) >>> 3, SHADOW_GDT_ENTRIES - 1)
      for (let k = 1; k < n; k++) put(k, shadowDescriptor(this.guestDescriptor(k << 3)))
    }
    put(SHADOW_GDT_ENTRIES - 1, monitorTssDescriptor(TSS_LINEAR, TSS_LIMIT))
  }

  // ---------------------------------------------------------------- guest memory, as the monitor reads it

  /** A 32-bit read of guest-linear memory through the guest's own page tables (no fault, no side effect). */
  private guestRead32(linear: number): number {
    const gpa = this.mmu.translate(linear)
    return gpa === null ? 0 : this.vm.memory.read32(gpa) | 0
  }

  private guestWrite32(linear: number, v: number): void {
    const gpa = this.mmu.translate(linear, true)
    if (gpa !== null) this.vm.memory.write32(gpa, v)
  }

  private guestDescriptor(sel: number): Descriptor {
    const at = (this.gdtBase + (sel & 0xfff8)) | 0
    return { lo: this.guestRead32(at), hi: this.guestRead32((at + 4) | 0) }
  }

  // ---------------------------------------------------------------- interrupts

  /** The guest can take an interrupt now: its virtual IF is set, or it runs in ring 3 [R: see the file comment]. */
  canTakeInterrupt(): boolean {
    return this.cpu.cpl === 3 || this.vIF !== 0
  }

  /**
   * Hands the next virtual interrupt to the CPU when the guest can take it: one acknowledged earlier,
   * or the virtual PIC's highest request (its INTA cycle happens here). The CPU delivers it at the next
   * instruction boundary, into the monitor's trap handler. Returns true when one was handed over.
   */
  pump(): boolean {
    const c = this.cpu
    if (!this.canTakeInterrupt() || c.pendingQueued() !== 0) return false
    const pic = this.vm.pc.pic
    const held = this.pending.shift()
    if (held !== undefined) {
      this.lastIrq = held.irq
      c.raiseExternal(held.vector)
    } else if (pic.intr) {
      c.raiseExternal(pic.acknowledge())
      this.lastIrq = pic.lastIrq
    } else return false
    return true
  }

  /** The CPU is about to deliver `vector`; false when the guest cannot take it after all (kept pending). */
  acceptInterrupt(vector: number): boolean {
    if (this.canTakeInterrupt()) return true
    this.pending.push({ vector, irq: this.lastIrq })
    return false
  }

  /** True when an interrupt is waiting for the guest (at the virtual PIC or acknowledged and held). */
  private interruptWaiting(): boolean {
    return this.pending.length > 0 || this.vm.pc.pic.intr || this.cpu.pendingQueued() > 0
  }

  // ---------------------------------------------------------------- reflection

  /**
   * Delivers an exception, interrupt or INT n to the guest kernel through the guest's own IDT, as the
   * CPU would have at CPL 0 (SDM Vol. 3A §6.12): from ring 3 on the stack the guest's TSS names; the
   * frame shows the virtual IF; an interrupt gate clears the virtual IF (the real one stays set). A
   * hidden page fault while pushing the frame (the guest's stack not in the shadow yet) is the
   * monitor's own business: fixed, and the delivery retried. Returns how many such faults it fixed.
   */
  reflect(
    vector: number,
    errorCode: number,
    source: 'exception' | 'software' | 'external',
    length: number,
  ): number {
    const c = this.cpu
    if (c.cpl === 3) {
      this.vIF = 1
      this.syncTssStack()
    }
    const shownIf = this.vIF
    let hidden = 0
    for (;;) {
      try {
        c.deliverThroughIdt(vector, errorCode, source, length, this.idtBase, this.idtLimit)
        break
      } catch (e) {
        if (e !== FAULT || c.excVector !== 14 || hidden > 4) throw e
        if (this.mmu.fault(c.excAddr, c.excError).kind !== 'fixed') throw e
        hidden++
      }
    }
    if ((c.eflags & IF) === 0) {
      this.vIF = 0
      c.setEflags(c.eflags | IF)
    }
    if (shownIf === 0) {
      const at = (c.base[Seg.SS] + c.r[4] + (errorCode >= 0 ? 12 : 8)) | 0
      c.wrPriv(at, 4, c.rdPriv(at, 4, false) & ~IF, false)
    }
    return hidden
  }

  /** The real TSS's ring-1 stack = the guest TSS's ring-0 stack (SS0 with RPL 1), read now. */
  private syncTssStack(): void {
    const esp0 = this.guestRead32((this.trBase + 4) | 0)
    const ss0 = this.guestRead32((this.trBase + 8) | 0) & 0xffff
    const tss = this.page(PAGE_TSS) >>> 2
    this.m32[tss + 3] = esp0
    this.m32[tss + 4] = (ss0 & ~3) | 1
  }

  // ---------------------------------------------------------------- emulation of privileged instructions

  /**
   * Emulates the privileged instruction in CPU slot `i` (at `cpu.eip`) against the virtual state and
   * advances EIP past it, or returns null when it is not one the monitor emulates (the fault is then
   * the guest's). May raise the exceptions the instruction itself would (through `cpu.raise`).
   */
  emulate(i: number): Emulation | null {
    const c = this.cpu
    const d = c.dec
    const op = d.op[i]
    const next = (c.eip + d.len[i]) | 0
    let result: Emulation = cpuEmulation(op)
    switch (op) {
      case Op.Cli:
        this.vIF = 0
        break
      case Op.Sti:
        // STI's one-instruction interrupt shadow (SDM Vol. 2B STI) applies to the virtual IF.
        if (this.vIF === 0) c.shadow = 1
        this.vIF = 1
        break
      case Op.Hlt:
        c.eip = next
        c.syncClock()
        if (this.canTakeInterrupt() && this.interruptWaiting()) this.pump()
        else {
          c.halted = this.vIF ? HALT_WAIT : HALT_STOP
          this.sink.emit(EventKind.Halt, 0, (next - d.len[i]) >>> 0, this.vIF ? 0 : 1)
        }
        c.brk = 1
        return { ...cpuEmulation(op), kind: 'halt' }
      case Op.In:
      case Op.Out: {
        const port = d.ext[i] ? c.r16[4] : d.imm[i] & 0xff
        const size = d.sz[i] as 1 | 2 | 4
        const write = op === Op.Out
        const value = write
          ? this.portOut(port, size, size === 4 ? c.r[0] : size === 2 ? c.r16[0] : c.r8[0])
          : this.portIn(port, size)
        if (!write) setReg(c, size, 0, value)
        result = { kind: 'io', op, port, write, value, count: 1 }
        break
      }
      case Op.StrOp: {
        const io = this.stringIo(i)
        if (io === null) return null
        result = io
        break
      }
      case Op.MovToCr:
        result = this.movToCr(op, d.ext[i], c.r[d.r2[i]])
        break
      case Op.MovFromCr: {
        const cr = d.ext[i]
        c.r[d.r2[i]] = cr === 0 ? this.cr0 : cr === 2 ? this.cr2 : cr === 3 ? this.cr3 : this.cr4
        break
      }
      case Op.MovToDr:
        this.dr[d.ext[i] & 7] = c.r[d.r2[i]]
        break
      case Op.MovFromDr:
        c.r[d.r2[i]] = this.dr[d.ext[i] & 7]
        break
      case Op.Clts:
        this.cr0 &= ~CR0_TS
        this.writeRealFpuBits()
        break
      case Op.Lmsw:
        this.cr0 = (this.cr0 & ~0xe) | (readE(c, i, 2) & 0xf) | (this.cr0 & CR0_PE)
        this.writeRealFpuBits()
        break
      case Op.Invd:
      case Op.Wbinvd:
        break
      case Op.Invlpg: {
        const lin = (c.ea(i) + c.base[d.sg[i] & 7]) | 0
        this.mmu.invlpg(lin)
        result = { kind: 'mmu', op, port: 0, write: false, value: lin, count: 0 }
        break
      }
      case Op.Lgdt:
      case Op.Lidt: {
        const lin = c.lin(i, 6, false)
        const limit = c.rd16(lin)
        let base = c.rd32((lin + 2) | 0)
        if (d.sz[i] === 2) base &= 0xffffff
        if (op === Op.Lidt) {
          this.idtBase = base
          this.idtLimit = limit
        } else {
          this.gdtBase = base
          this.gdtLimit = limit
          this.writeShadowGdt(true)
        }
        break
      }
      case Op.Lldt:
        // [R] the guest's LDT is recorded but not shadowed: ringos has none.
        this.ldtSel = readE(c, i, 2) & 0xffff
        break
      case Op.Ltr: {
        const sel = readE(c, i, 2) & 0xffff
        const g = this.guestDescriptor(sel)
        if ((sel & 0xfffc) === 0 || sel + 7 > this.gdtLimit || ((g.hi >>> 8) & 0x9f) !== 0x89) return null
        const busy = { lo: g.lo, hi: g.hi | 0x200 }
        this.guestWrite32((this.gdtBase + (sel & 0xfff8) + 4) | 0, busy.hi)
        const at = (this.page(PAGE_GDT) + (sel & 0xfff8)) >>> 2
        if (sel >>> 3 < SHADOW_GDT_ENTRIES - 1) this.m32[at + 1] = busy.hi
        this.trSel = sel
        this.trBase = descBase(g.lo, g.hi)
        this.trLimit = descLimit(g.lo, g.hi)
        break
      }
      case Op.Rdmsr:
      case Op.Wrmsr:
        if (!this.msr(op === Op.Wrmsr)) return null
        break
      case Op.MovSregE:
      case Op.PopSeg:
        if (!this.loadStackSegment(i)) return null
        break
      default:
        return null
    }
    c.eip = next
    c.brk = 1
    return result
  }

  private writeRealFpuBits(): void {
    const c = this.cpu
    c.cr0 = (c.cr0 & ~(CR0_MP | CR0_EM | CR0_TS | CR0_AM)) | (this.cr0 & (CR0_MP | CR0_EM | CR0_TS | CR0_AM))
    c.updateMasks()
  }

  private movToCr(op: number, cr: number, v: number): Emulation {
    switch (cr) {
      case 0: {
        const nv = (v & CR0_DEFINED) | CR0_ET
        if ((nv & CR0_PG && !(nv & CR0_PE)) || (nv & CR0_NW && !(nv & CR0_CD)) || !(nv & CR0_PE))
          this.cpu.raise(13, 0)
        const mmu = ((nv ^ this.cr0) & (CR0_PG | CR0_WP)) !== 0
        this.cr0 = nv
        this.writeRealControl()
        return mmu ? { kind: 'mmu', op, port: 0, write: true, value: nv, count: 0 } : cpuEmulation(op)
      }
      case 2:
        this.cr2 = v
        return cpuEmulation(op)
      case 3:
        this.cr3 = v
        this.mmu.loadCr3(v)
        return { kind: 'mmu', op, port: 0, write: true, value: v, count: 0 }
      default:
        if (v & ~CR4_SUPPORTED) this.cpu.raise(13, 0)
        this.cr4 = v
        this.writeRealControl()
        return { kind: 'mmu', op, port: 0, write: true, value: v, count: 0 }
    }
  }

  /** The guest's own MSRs: the SYSENTER triple (virtual) and the TSC (read); others are the guest's #GP. */
  private msr(write: boolean): boolean {
    const c = this.cpu
    const n = c.r[1] >>> 0
    if (n >= IA32_SYSENTER_CS && n <= IA32_SYSENTER_CS + 2) {
      if (write) this.sysenter[n - IA32_SYSENTER_CS] = c.r[0]
      else {
        c.r[0] = this.sysenter[n - IA32_SYSENTER_CS]
        c.r[2] = 0
      }
      return true
    }
    if (n === IA32_TSC && !write) {
      readTsc(c, this.tsc)
      c.r[0] = this.tsc[0]
      c.r[2] = this.tsc[1]
      return true
    }
    return false
  }

  /**
   * MOV SS / POP SS with the guest's ring-0 selector (RPL 0) faults in ring 1 (SS needs RPL = CPL,
   * SDM Vol. 3A §5.7): the monitor loads the same descriptor with RPL 1.
   */
  private loadStackSegment(i: number): boolean {
    const c = this.cpu
    const d = c.dec
    if (d.ext[i] !== Seg.SS) return false
    const op = d.op[i]
    const sel = (op === Op.PopSeg ? c.rd32(c.segLin(Seg.SS, c.r[4], 4, false)) : readE(c, i, 2)) & 0xffff
    if ((sel & 3) !== 0) return false
    loadSegmentReg(c, Seg.SS, sel | 1)
    if (op === Op.PopSeg) c.r[4] = (c.r[4] + d.sz[i]) | 0
    c.shadow = 2
    return true
  }

  private portIn(port: number, size: 1 | 2 | 4): number {
    this.cpu.syncClock()
    const v = this.vm.pc.ports.in(port, size) >>> 0
    this.sink.emit(EventKind.PortIo, size | 0x100, port, v)
    return v
  }

  private portOut(port: number, size: 1 | 2 | 4, v: number): number {
    this.cpu.syncClock()
    const val = size === 4 ? v >>> 0 : v & (size === 2 ? 0xffff : 0xff)
    this.vm.pc.ports.out(port, size, val)
    this.sink.emit(EventKind.PortIo, size, port, val)
    return val
  }

  /**
   * INS/OUTS, with REP the whole repetition at once (as KVM's emulator does for string PIO): the
   * memory side is checked before any port is touched, so a fault leaves the device as it was.
   */
  private stringIo(i: number): Emulation | null {
    const c = this.cpu
    const d = c.dec
    const kind = d.ext[i] & 7
    if (kind !== 5 && kind !== 6) return null
    const rep = (d.ext[i] & 48) !== 0
    const size = d.sz[i] as 1 | 2 | 4
    const count = rep ? c.r[1] >>> 0 : 1
    const port = c.r16[4]
    const step = c.eflags & 0x400 ? -size : size
    const ins = kind === 5
    const seg = ins ? Seg.ES : d.sg[i] & 7
    const reg = ins ? 7 : 6
    if (count === 0) return { kind: 'io', op: d.op[i], port, write: !ins, value: 0, count: 0 }
    const first = c.segLin(seg, c.r[reg], size, ins)
    const last = c.segLin(seg, (c.r[reg] + (count - 1) * step) | 0, size, ins)
    for (let p = Math.min(first, last) & ~0xfff; p <= Math.max(first, last); p += 0x1000) {
      if (ins) c.probeWrite(p, 1, false)
      else c.rdPriv(p, 1, false)
    }
    let value = 0
    for (let k = 0; k < count; k++) {
      const lin = c.segLin(seg, c.r[reg], size, ins)
      if (ins) {
        value = this.portIn(port, size)
        c.wr(lin, size, value)
      } else value = this.portOut(port, size, c.rd(lin, size))
      c.r[reg] = (c.r[reg] + step) | 0
      if (rep) c.r[1] = (c.r[1] - 1) | 0
    }
    return { kind: 'io', op: d.op[i], port, write: !ins, value, count }
  }

  /** The CPU as the guest believes it is: ring 0 for its kernel, its own IF and control registers. */
  guestView(): GuestView {
    const c = this.cpu
    const kernel = c.cpl !== 3
    return {
      eip: c.eip >>> 0,
      esp: c.r[4]! >>> 0,
      eflags: ((c.eflags & ~IF) | (this.canTakeInterrupt() ? IF : 0)) >>> 0,
      cr0: this.cr0 >>> 0,
      cr3: this.cr3 >>> 0,
      cr4: this.cr4 >>> 0,
      cs: c.sel[Seg.CS]! & (kernel ? ~3 : 0xffff) & 0xffff,
      ss: c.sel[Seg.SS]! & (kernel ? ~3 : 0xffff) & 0xffff,
      cpl: kernel ? 0 : 3,
    }
  }

  // ---------------------------------------------------------------- snapshots

  /** The virtual CPU state and the shadow MMU's metadata (the region's memory is saved with the model's reserved memory). */
  saveState(w: StateWriter): void {
    w.section('ring-compression')
    w.json({
      vIF: this.vIF,
      cr: [this.cr0, this.cr2, this.cr3, this.cr4],
      dt: [
        this.gdtBase,
        this.gdtLimit,
        this.idtBase,
        this.idtLimit,
        this.ldtSel,
        this.trSel,
        this.trBase,
        this.trLimit,
      ],
      dr: Array.from(this.dr),
      sysenter: Array.from(this.sysenter),
      pending: this.pending.map((p) => [p.vector, p.irq]),
      lastIrq: this.lastIrq,
    })
    this.mmu.saveState(w)
  }

  loadState(r: StateReader): void {
    r.section('ring-compression')
    const s = r.json<{
      vIF: number
      cr: number[]
      dt: number[]
      dr: number[]
      sysenter: number[]
      pending: [number, number][]
      lastIrq: number
    }>()
    this.vIF = s.vIF
    ;[this.cr0, this.cr2, this.cr3, this.cr4] = s.cr as [number, number, number, number]
    ;[
      this.gdtBase,
      this.gdtLimit,
      this.idtBase,
      this.idtLimit,
      this.ldtSel,
      this.trSel,
      this.trBase,
      this.trLimit,
    ] = s.dt as [number, number, number, number, number, number, number, number]
    this.dr.set(s.dr)
    this.sysenter.set(s.sysenter)
    this.pending = s.pending.map(([vector, irq]) => ({ vector, irq }))
    this.lastIrq = s.lastIrq
    this.mmu.loadState(r)
  }
}
