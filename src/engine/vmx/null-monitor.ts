/**
 * The null monitor: the smallest hypervisor that can run an unmodified guest under VT-x — one VM, one
 * vCPU, the Ringside PC's devices — and the runner's `--arch vmx-null`. It exists to exercise the
 * hardware side (vmx-cpu.ts) end to end and to show every exit a real hypervisor takes, with nothing
 * else in the way; the KVM, Xen, ESXi and Hyper-V models add their own structure on the same calls.
 *
 * Configuration (what KVM's `setup_vmcs_config()`/`init_vmcs()` would choose for a monitor that
 * emulates every device itself): external-interrupt exiting; HLT, RDTSC and CR3-load exiting,
 * unconditional I/O exiting, and an MSR bitmap whose every bit is 1, so every RDMSR/WRMSR exits
 * (§25.6.9, §26.1.3: MSRs outside the bitmap's two ranges exit too); EPT with an identity map of
 * guest RAM built before the first entry, the virtio-mmio window marked as KVM marks MMIO (so its
 * accesses exit with an EPT misconfiguration, 49) and everything else unmapped (an EPT violation, 48);
 * unrestricted guest, so the guest starts as the multiboot loader leaves it, with paging off. The
 * CPUID the guest sees is the bare CPU's: this monitor chooses to show nothing.
 *
 * Exit handling is KVM's, minus everything but the essentials: an instruction exit is emulated
 * (`VmxCpu.emulate`, with port and MMIO accesses going to the same devices as on bare metal) and the
 * guest resumes after it; HLT with IF = 0 ends the run as on bare metal, with IF = 1 it blocks the
 * vCPU (`kvm_vcpu_block`) until a device interrupts; an external interrupt is injected through the
 * VM-entry interruption information when the guest can take it, or after an interrupt-window exit
 * when it cannot (KVM's `inject_pending_event` / `enable_irq_window`). Exits cost no cycles [R: so a
 * guest's timing, and its console output, are those of bare metal].
 */
import { Cpu, type StopReason } from '../cpu/cpu'
import type { BareMetalStop } from '../machine/bare-metal-run'
import { PcLayout } from '../machine/layout'
import { type LoadOptions, type LoadedImage, loadImage } from '../loader/load-image'
import { MemoryWindow, PhysicalMemory } from '../machine/memory'
import { Pc, loadSparseBytes, saveSparseBytes } from '../machine/pc'
import { StateReader, StateWriter } from '../snapshot'
import { EventKind } from '../trace/schema'
import { EventSink } from '../trace/sink'
import type { GuestPhys, HostPhys } from '../types'
import {
  PIN_EXT_INTR_EXITING,
  PROC_ACTIVATE_SECONDARY,
  PROC_CR3_LOAD_EXITING,
  PROC_HLT_EXITING,
  PROC_INTR_WINDOW_EXITING,
  PROC_RDTSC_EXITING,
  PROC_UNCOND_IO_EXITING,
  PROC_USE_MSR_BITMAPS,
  PROC2_ENABLE_EPT,
  PROC2_UNRESTRICTED_GUEST,
  VMX_TRUE_CAPS,
  adjustControls,
} from './controls'
import { EptBuilder } from './ept'
import { EXIT_REASON_BASIC_MASK, ExitReason, exitReasonName } from './exit-reasons'
import { IntrType } from './interruption-info'
import { ActivityState } from './vm-entry-checks'
import { Vmcs } from './vmcs'
import { VmcsField as F } from './vmcs-fields'
import { VmxCpu, type EmulatedIo } from './vmx-cpu'

export interface NullMonitorOptions {
  /** Guest RAM in MiB (default 64). */
  readonly memMiB?: number
  /** Raw disk image for the ATA and virtio-blk disk (modified in place). */
  readonly disk?: Uint8Array
  /** Event sink (default: a counting-only sink on this machine's clock). */
  readonly sink?: EventSink
  /** The machine's cycle counter (default: a new one). */
  readonly clock?: { cycles: number }
}

/** Host memory above guest RAM that holds the EPT tables (the guest cannot reach it: EPT does not map it). */
const EPT_REGION = 0x10000
/** The 4 KiB MSR bitmap (read low, read high, write low, write high; SDM Vol. 3C §25.6.9), after the EPT tables. */
const MSR_BITMAP_SIZE = 0x1000
/** The virtio-mmio window, one page of slots. */
const MMIO_WINDOW = { base: PcLayout.virtioMmioBase, size: 0x1000 } as const
/** Host-state fields a VM entry checks (§27.2.2–27.2.3): a flat 32-bit host with paging and VMXE [R: the monitor is TypeScript; these describe the host it stands for]. */
const HOST_CR0 = 0x80000031
const HOST_CR4 = 0x2000
/** A symbolic exit-handler address for HOST_RIP (events show it as where the exit went) [R]. */
const HOST_RIP = 0xc0100000

export class NullMonitor {
  readonly clock: { cycles: number }
  readonly sink: EventSink
  /** Host memory: guest RAM at 0 (identity-mapped by EPT), then the EPT tables, then the MSR bitmap. */
  readonly host: PhysicalMemory
  /** Guest-physical memory as the devices and the loader see it. */
  readonly memory: MemoryWindow
  readonly pc: Pc<MemoryWindow>
  readonly cpu: Cpu
  readonly vmcs = new Vmcs()
  readonly vmx: VmxCpu
  readonly ept: EptBuilder
  /** VM exits handled, by basic exit reason. */
  readonly exits = new Map<number, number>()
  /** Steps taken by all runs (as `BareMetal.steps`). */
  steps = 0
  /** Why the last VM entry failed, when a run ended with `shutdown` because of it. */
  entryFailure: string | null = null
  /**
   * An extension point: offered each VM exit (the VMCS holds it) before the monitor's own handling;
   * returning true means it was handled and the guest resumes. Tests observe and handle exits here.
   */
  onExit: ((reason: number) => boolean) | null = null
  /** HLT with IF = 1: the vCPU is blocked in root operation until a device interrupts. */
  private blocked = false
  private debugExitPending = false
  /** The devices as the emulator reaches them: the PC's port and MMIO buses. */
  private readonly io: EmulatedIo

  constructor(opts: NullMonitorOptions = {}) {
    this.clock = opts.clock ?? { cycles: 0 }
    this.sink = opts.sink ?? new EventSink(this.clock)
    const ram = (opts.memMiB ?? PcLayout.defaultMemMiB) << 20
    this.host = new PhysicalMemory(ram + EPT_REGION + MSR_BITMAP_SIZE)
    this.memory = new MemoryWindow(this.host, 0, ram)
    this.pc = new Pc({ memory: this.memory, disk: opts.disk, sink: this.sink, clock: this.clock })
    const { pc } = this
    this.cpu = new Cpu({
      mem: this.host,
      ports: pc.ports,
      mmio: pc.mmio,
      intc: pc.pic,
      sink: this.sink,
      clock: this.clock,
    })
    pc.onStop = () => {
      this.debugExitPending = true
      this.cpu.requestStop()
    }
    pc.onDeadlineChange = (d) => this.cpu.limitUntil(d)
    pc.advance(0)
    this.io = {
      portIn: (port, size) => pc.ports.in(port, size),
      portOut: (port, size, value) => pc.ports.out(port, size, value),
      mmioRead: (gpa, size) => pc.mmio.read(gpa, size),
      mmioWrite: (gpa, size, value) => pc.mmio.write(gpa, size, value),
    }
    this.ept = new EptBuilder(this.host, { base: ram as HostPhys, size: EPT_REGION })
    this.ept.identity(ram)
    this.ept.markMmio(MMIO_WINDOW.base as GuestPhys, MMIO_WINDOW.size)
    this.vmx = new VmxCpu(this.cpu, this.vmcs)
    this.cpu.vmx = this.vmx
    this.configure(ram + EPT_REGION)
  }

  /** The VM-execution, exit and entry controls and the host state (KVM's init_vmcs(), reduced). */
  private configure(msrBitmap: number): void {
    const v = this.vmcs
    this.host.u8.fill(0xff, msrBitmap, msrBitmap + MSR_BITMAP_SIZE)
    v.write(F.MSR_BITMAP, msrBitmap)
    v.write(F.PIN_BASED_VM_EXEC_CONTROL, adjustControls(PIN_EXT_INTR_EXITING, VMX_TRUE_CAPS.pin))
    v.write(
      F.CPU_BASED_VM_EXEC_CONTROL,
      adjustControls(
        PROC_HLT_EXITING |
          PROC_RDTSC_EXITING |
          PROC_CR3_LOAD_EXITING |
          PROC_UNCOND_IO_EXITING |
          PROC_USE_MSR_BITMAPS |
          PROC_ACTIVATE_SECONDARY,
        VMX_TRUE_CAPS.proc,
      ),
    )
    v.write(
      F.SECONDARY_VM_EXEC_CONTROL,
      adjustControls(PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST, VMX_TRUE_CAPS.proc2),
    )
    v.write(F.VM_EXIT_CONTROLS, adjustControls(0, VMX_TRUE_CAPS.exit))
    v.write(F.VM_ENTRY_CONTROLS, adjustControls(0, VMX_TRUE_CAPS.entry))
    v.write(F.EPT_POINTER, this.ept.eptp)
    v.write(F.HOST_CR0, HOST_CR0)
    v.write(F.HOST_CR4, HOST_CR4)
    v.write(F.HOST_CS_SELECTOR, 0x08)
    v.write(F.HOST_SS_SELECTOR, 0x10)
    v.write(F.HOST_DS_SELECTOR, 0x10)
    v.write(F.HOST_ES_SELECTOR, 0x10)
    v.write(F.HOST_TR_SELECTOR, 0x18)
    v.write(F.HOST_RIP, HOST_RIP)
  }

  /** Loads an image into guest RAM and sets up the vCPU in the multiboot entry state (ESP at the top of RAM). */
  load(image: Uint8Array, opts: LoadOptions = {}): LoadedImage {
    const img = loadImage(this.memory, image, opts)
    const { cpu, vmx } = this
    cpu.resetFlat(img.entry, this.memory.size, img.eax, img.ebx)
    vmx.captureGuestState()
    vmx.setGuestCr0(cpu.cr0)
    vmx.setGuestCr4(cpu.cr4)
    this.vmcs.clear()
    this.blocked = false
    return img
  }

  /**
   * Runs the guest for at most `maxSteps` steps or until it stops, as `BareMetal.run` does (same stop
   * reasons, same idle rule), entering the guest, handling each VM exit and resuming.
   */
  run(maxSteps: number, idleAfterCycles = Infinity): BareMetalStop {
    const { cpu, pc, clock, vmx } = this
    let left = maxSteps
    let halted = 0
    let consoleBytes = -1
    for (;;) {
      if (this.blocked) {
        if (pc.pic.intr) {
          this.blocked = false
          this.interruptPending()
          continue
        }
        // Nothing can wake the vCPU before the next device deadline: skip the idle time.
        if (pc.deadline === Infinity) return 'halt'
        if (pc.pendingConsoleInput() > 0 || this.sink.counts[EventKind.ConsoleByte] !== consoleBytes) {
          consoleBytes = this.sink.counts[EventKind.ConsoleByte]
          halted = 0
        }
        halted += Math.max(0, pc.deadline - clock.cycles)
        if (clock.cycles < pc.deadline) clock.cycles = pc.deadline
        pc.advance(clock.cycles)
        if (halted >= idleAfterCycles) return 'idle'
        continue
      }
      if (vmx.inRoot) {
        const entry = vmx.enter()
        if (!entry.ok) {
          this.entryFailure = entry.rule
          return 'shutdown'
        }
      }
      const reason: StopReason = cpu.run({ maxInsns: left, untilCycle: pc.deadline })
      left -= cpu.lastRunSteps
      this.steps += cpu.lastRunSteps
      switch (reason) {
        case 'until-cycle':
          pc.advance(clock.cycles)
          continue
        case 'stop': {
          if (this.debugExitPending) {
            this.debugExitPending = false
            return 'debug-exit'
          }
          if (!vmx.inRoot) continue
          const end = this.handleExit()
          if (end !== null) return end
          if (this.debugExitPending) {
            // The emulated OUT reached isa-debug-exit: the run ends after it, as on bare metal.
            this.debugExitPending = false
            cpu.stopRequested = false
            return 'debug-exit'
          }
          continue
        }
        case 'idle':
          // Not reached with HLT exiting; handled like bare metal for completeness.
          if (pc.deadline === Infinity) return 'halt'
          halted += Math.max(0, pc.deadline - clock.cycles)
          if (clock.cycles < pc.deadline) clock.cycles = pc.deadline
          pc.advance(clock.cycles)
          if (halted >= idleAfterCycles) return 'idle'
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

  /** Handles the VM exit in the VMCS; returns a stop reason when the run ends with it. */
  private handleExit(): BareMetalStop | null {
    const { vmx, vmcs } = this
    const reason = vmcs.read(F.VM_EXIT_REASON) & EXIT_REASON_BASIC_MASK
    this.exits.set(reason, (this.exits.get(reason) ?? 0) + 1)
    if (this.onExit !== null && this.onExit(reason)) return null
    switch (reason) {
      case ExitReason.EXTERNAL_INTERRUPT:
      case ExitReason.INTERRUPT_WINDOW:
        this.interruptPending()
        return null
      case ExitReason.TRIPLE_FAULT:
        return 'shutdown'
      case ExitReason.HLT:
        vmx.emulate(this.io)
        if (!vmx.guestInterruptible) return 'halt'
        // kvm_vcpu_block: the vCPU waits in root operation; the guest resumes active, past the HLT.
        vmcs.write(F.GUEST_ACTIVITY_STATE, ActivityState.Active)
        this.blocked = true
        return null
      default:
        // Every other exit of this configuration is an instruction to emulate: I/O (30), EPT (48, 49),
        // CPUID (10), RDMSR/WRMSR (31, 32), RDTSC (16), MOV to CR3 (28), INVD (13), the VMX
        // instructions (18–27, 50, 53: #UD, as KVM without nested VMX). A fault is injected at entry.
        vmx.emulate(this.io)
        return null
    }
  }

  /**
   * A device interrupt is pending at the PIC (KVM's inject_pending_event): inject it now if the guest
   * can take it, else ask for an interrupt-window exit. While waiting for the window, external-
   * interrupt exiting is off, so the line that stays asserted at the PIC cannot exit again and again
   * [R: in KVM the guest's PIC is virtual and never interrupts the physical CPU; here the guest's PIC
   * is the CPU's interrupt controller].
   */
  private interruptPending(): void {
    const { vmx, vmcs, pc } = this
    let proc = vmcs.read(F.CPU_BASED_VM_EXEC_CONTROL)
    let pin = vmcs.read(F.PIN_BASED_VM_EXEC_CONTROL)
    if (!pc.pic.intr || vmx.guestInterruptible) {
      if (pc.pic.intr) vmx.inject(this.cpu.takeExternal(), IntrType.ExternalInterrupt)
      proc &= ~PROC_INTR_WINDOW_EXITING
      pin |= PIN_EXT_INTR_EXITING
    } else {
      proc |= PROC_INTR_WINDOW_EXITING
      pin &= ~PIN_EXT_INTR_EXITING
    }
    vmcs.write(F.CPU_BASED_VM_EXEC_CONTROL, proc >>> 0)
    vmcs.write(F.PIN_BASED_VM_EXEC_CONTROL, pin >>> 0)
  }

  /** VM exits by basic reason number (as a string) and the SDM name of each, for the runner's JSON. */
  exitSummary(): { exits: Record<string, number>; exitNames: Record<string, string> } {
    const exits: Record<string, number> = {}
    const exitNames: Record<string, string> = {}
    for (const reason of [...this.exits.keys()].sort((a, b) => a - b)) {
      exits[String(reason)] = this.exits.get(reason) ?? 0
      exitNames[String(reason)] = exitReasonName(reason)
    }
    return { exits, exitNames }
  }

  /** The guest's CPL (the CPU is at CPL 0 of root operation between an exit and the next entry). */
  get guestCpl(): number {
    return this.vmx.inRoot ? this.vmx.guestCpl : this.cpu.cpl
  }

  /** The whole machine: clock, counters, vCPU, VMCS, devices, disk and host memory (guest RAM and EPT tables). */
  snapshot(): Uint8Array {
    const w = new StateWriter()
    w.section('null-monitor')
    w.f64(this.clock.cycles)
    w.f64(this.steps)
    w.bool(this.blocked)
    w.json([...this.exits.entries()])
    w.json(this.sink.saveState())
    this.cpu.saveState(w)
    this.vmcs.saveState(w)
    this.vmx.saveState(w)
    this.ept.saveState(w)
    this.pc.saveState(w)
    saveSparseBytes(w, this.host.u8)
    return w.finish()
  }

  restore(bytes: Uint8Array): void {
    const r = new StateReader(bytes)
    r.section('null-monitor')
    this.clock.cycles = r.f64()
    this.steps = r.f64()
    this.blocked = r.bool()
    this.exits.clear()
    for (const [k, n] of r.json<[number, number][]>()) this.exits.set(k, n)
    this.sink.loadState(r.json())
    this.cpu.loadState(r)
    this.vmcs.loadState(r)
    this.vmx.loadState(r)
    this.ept.loadState(r)
    this.pc.loadState(r)
    loadSparseBytes(r, this.host.u8)
    this.cpu.flushBlocks()
    this.debugExitPending = false
  }
}
