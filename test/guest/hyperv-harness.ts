/**
 * A stand-in for the Hyper-V model until the VT-x models exist: ringos-hyperv.elf on Ringside's plain
 * CPU, with the Hyper-V partition (src/engine/hv/hyperv/enlightenments.ts) answering what would be VM
 * exits. Outside VMX operation VMCALL raises #UD and RDMSR/WRMSR of an MSR the CPU lacks raise #GP, so
 * the harness intercepts those exceptions, checks the faulting instruction's bytes (and ECX), performs
 * the hypercall or MSR access through the partition, moves EIP past the instruction and resumes. The
 * interrupts the partition reports due (SINT2, STIMER0) go in through the CPU's external-interrupt
 * path; one vector pending twice is delivered once, as an APIC's IRR would. The real model replaces
 * all of this with exits 18 (VMCALL), 31/32 (RDMSR/WRMSR) and event injection.
 */
import { Cpu, type StopReason } from '../../src/engine/cpu/cpu'
import { HypervPartition, hypervCpuidLeaves, type HvNotice } from '../../src/engine/hv/hyperv/enlightenments'
import { loadImage } from '../../src/engine/loader/load-image'
import { CYCLES_PER_MS } from '../../src/engine/machine/clock'
import { Pc } from '../../src/engine/machine/pc'
import { EventSink } from '../../src/engine/trace/sink'

const VMCALL = [0x0f, 0x01, 0xc1]
const WRMSR = [0x0f, 0x30]
const RDMSR = [0x0f, 0x32]
const UD = 6
const GP = 13

export type HarnessStop = 'halt' | 'debug-exit' | 'shutdown' | 'max-insns' | 'idle'

export class HypervBareHarness {
  readonly clock = { cycles: 0 }
  readonly pc: Pc
  readonly cpu: Cpu
  readonly part: HypervPartition
  /** Every notice the partition returned, in order. */
  readonly notices: HvNotice[] = []
  /** Bytes from the VMBus console VSP, and anything the guest wrote to COM1. */
  readonly vmbusBytes: number[] = []
  readonly com1Bytes: number[] = []
  hypercalls = 0
  msrExits = 0
  private readonly pending = new Set<number>()
  private exited = false

  constructor(image: Uint8Array, disk: Uint8Array, memMiB = 64) {
    const sink = new EventSink(this.clock)
    // The disk is the partition's alone: the PC's own ATA and virtio disks stay empty.
    this.pc = new Pc({ memMiB, sink, clock: this.clock })
    const cpu = (this.cpu = new Cpu({
      mem: this.pc.mem,
      ports: this.pc.ports,
      mmio: this.pc.mmio,
      intc: this.pc.pic,
      sink,
      clock: this.clock,
    }))
    this.pc.onStop = () => {
      this.exited = true
      cpu.requestStop()
    }
    this.pc.onDeadlineChange = (d) => cpu.limitUntil(d)
    this.pc.onConsoleOutput = (_console, bytes) => this.com1Bytes.push(...bytes)
    this.pc.advance(0)

    this.part = new HypervPartition({ mem: this.pc.mem, disk, createdAt: 0 })
    this.part.onConsoleOutput = (bytes) => this.vmbusBytes.push(...bytes)
    for (const [leaf, value] of hypervCpuidLeaves()) cpu.cpuidOverrides.set(leaf, value)
    cpu.trapInterceptor = (vector, errorCode, source) => {
      if (source === 'external') {
        this.pending.delete(vector)
        return false
      }
      if (source !== 'exception') return false
      if (vector === UD) return this.vmcall()
      if (vector === GP && errorCode === 0) return this.msr()
      return false
    }

    const img = loadImage(this.pc.mem, image, {})
    cpu.resetFlat(img.entry, this.pc.mem.size, img.eax, img.ebx)
  }

  /** The VMBus console's output as text. */
  get console(): string {
    return new TextDecoder().decode(Uint8Array.from(this.vmbusBytes))
  }

  /** Keystrokes for the guest's VMBus console. */
  input(text: string): void {
    this.take(this.part.consoleInput(new TextEncoder().encode(text)))
  }

  /** Notices of one kind. */
  of<K extends HvNotice['kind']>(kind: K): Extract<HvNotice, { kind: K }>[] {
    return this.notices.filter((n): n is Extract<HvNotice, { kind: K }> => n.kind === kind)
  }

  private bytesAt(eip: number, n: number): number[] {
    return Array.from({ length: n }, (_, i) => {
      const phys = this.cpu.walk(eip + i).physical
      return phys === null ? -1 : this.pc.mem.read8(phys)
    })
  }

  private now(): number {
    this.cpu.syncClock()
    return this.clock.cycles
  }

  private take(notices: readonly HvNotice[]): void {
    for (const n of notices) {
      this.notices.push(n)
      if (n.kind === 'interrupt' && !this.pending.has(n.vector)) {
        this.pending.add(n.vector)
        this.cpu.raiseExternal(n.vector)
      }
    }
    this.cpu.limitUntil(this.part.nextDeadline())
  }

  /** #UD at a VMCALL: the hypercall (a VMCALL exit). False leaves the #UD to the guest (CPL > 0, no hypercall page). */
  private vmcall(): boolean {
    const { cpu } = this
    if (this.bytesAt(cpu.eip, 3).join() !== VMCALL.join()) return false
    const r = cpu.r
    const regs = { eax: r[0], ecx: r[1], edx: r[2], ebx: r[3], esi: r[6], edi: r[7] }
    const out = this.part.hypercall(regs, cpu.cpl)
    if (out.kind === 'ud') return false
    this.hypercalls++
    r[0] = out.eax
    r[2] = out.edx
    cpu.eip = (cpu.eip + VMCALL.length) | 0
    this.take(out.notices)
    return true
  }

  /** #GP(0) at RDMSR/WRMSR of a synthetic MSR: the access (an MSR exit). */
  private msr(): boolean {
    const { cpu } = this
    const r = cpu.r
    const bytes = this.bytesAt(cpu.eip, 2).join()
    if ((bytes !== WRMSR.join() && bytes !== RDMSR.join()) || !HypervPartition.isSyntheticMsr(r[1]))
      return false
    if (bytes === RDMSR.join()) {
      const v = this.part.rdmsr(r[1], this.now())
      if (v.kind === 'gp') return false
      r[0] = v.eax
      r[2] = v.edx
    } else {
      const w = this.part.wrmsr(r[1], r[0], r[2], this.now())
      if (w.kind === 'gp') return false
      this.take(w.notices)
    }
    this.msrExits++
    cpu.eip = (cpu.eip + 2) | 0
    return true
  }

  /** The next cycle at which the PC's devices or the synthetic timers need attention. */
  private deadline(): number {
    return Math.min(this.pc.deadline, this.part.nextDeadline())
  }

  private advance(): void {
    this.pc.advance(this.clock.cycles)
    this.take(this.part.advance(this.clock.cycles))
  }

  /**
   * Runs like the bare-metal runner (src/engine/machine/bare-metal-run.ts), with the synthetic timers'
   * deadline beside the PC's; `idle` once all input is in the guest and it has spent `idleMs` of
   * virtual time halted without a console byte.
   */
  run(maxSteps: number, idleMs = 100): HarnessStop {
    const { cpu, clock } = this
    let left = maxSteps
    let halted = 0
    let seen = -1
    for (;;) {
      const reason: StopReason = cpu.run({ maxInsns: left, untilCycle: this.deadline() })
      left -= cpu.lastRunSteps
      switch (reason) {
        case 'until-cycle':
          this.advance()
          continue
        case 'idle': {
          const deadline = this.deadline()
          if (deadline === Infinity) return 'halt'
          const activity = this.vmbusBytes.length
          if (this.part.pendingConsoleInput > 0 || activity !== seen) {
            seen = activity
            halted = 0
          }
          halted += Math.max(0, deadline - clock.cycles)
          if (clock.cycles < deadline) clock.cycles = deadline
          this.advance()
          if (halted >= idleMs * CYCLES_PER_MS) return 'idle'
          continue
        }
        case 'stop':
          if (this.exited) return 'debug-exit'
          continue
        case 'halted':
          return 'halt'
        case 'shutdown':
          return 'shutdown'
        case 'max-insns':
          return 'max-insns'
      }
    }
  }
}
