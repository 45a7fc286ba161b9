import type { Cpu } from '../../cpu/cpu'
import type { Vm } from '../../session/vm'
import type { StateReader, StateWriter } from '../../snapshot'
import { EventKind, HopCause, MANAGEMENT_VM } from '../../trace/schema'
import { ExitReason } from '../../vmx/exit-reasons'
import { IntrType } from '../../vmx/interruption-info'
import type { ModelHost } from '../model'
import { irqDevice } from '../devices'
import { vmControl } from '../vm-control'
import type { DeviceClass } from '../vtx/device-class'
import { VtxModel } from '../vtx/vtx-model'
import type { HypervCostId } from './costs'
import { HypervPartition, hypervCpuidLeaves, type HvNotice } from './enlightenments'
import { PowerShellShell } from './powershell'

/** Hypercall numbers (call code, bits 15:0 of the input value) as the TLFS names them, for events. */
const HVCALL_POST_MESSAGE = 0x005c
const HVCALL_SIGNAL_EVENT = 0x005d
const GP = 13
const UD = 6

interface Child {
  readonly part: HypervPartition
  /** Vectors the SynIC or a synthetic timer made pending (one bit per vector, as an APIC's IRR). */
  readonly pending: Set<number>
}

/**
 * Microsoft Hyper-V (hypervisor-flows.md §5). Every exit lands in the hypervisor (VMX root ring 0),
 * which answers CPUID, its synthetic MSRs and hypercalls itself. Legacy devices of a generation-1 VM —
 * the COM port, the IDE disk and the chipset's PIC and PIT — are intercepts the root partition
 * registered: the hypervisor suspends the virtual processor and posts an intercept message to the
 * root, whose VID driver hands it to the VM's worker process (vmwp, where the emulated chipset and
 * devices live [R: vmchipset in VMWP, §11.6]); VMWP resumes the VP with HvCallSetVpRegisters.
 * Enlightened guests (ringos's `hyperv` platform) avoid all that: a hypercall page, the SynIC and a
 * synthetic timer, and VMBus channels whose VSPs run in the root kernel — one HvCallSignalEvent per
 * batch, completions as SynIC interrupts (docs/hyperv-abi.md).
 */
export class HypervModel extends VtxModel<HypervCostId> {
  readonly arch = 'hyperv' as const
  readonly shell: PowerShellShell
  protected readonly hypervisorId = 'hypervisor'
  protected readonly cpuidSignature = [0x40000005, 'Microsoft Hv'] as const
  private readonly children = new Map<Vm, Child>()

  constructor(host: ModelHost) {
    super(host)
    this.shell = new PowerShellShell(vmControl(host), this.flows, host.topology)
  }

  protected override setCpuid(cpu: Cpu): void {
    super.setCpuid(cpu)
    for (const [leaf, value] of hypervCpuidLeaves())
      if (leaf !== 0x40000000 && leaf !== 1) cpu.cpuidOverrides.set(leaf, value)
  }

  override vmStarted(vm: Vm): void {
    super.vmStarted(vm)
    const part = new HypervPartition({ mem: vm.memory, disk: vm.disk, createdAt: this.host.clock.cycles })
    part.onConsoleOutput = (bytes) => vm.console.write(bytes)
    this.children.set(vm, { part, pending: new Set() })
  }

  override vmStopped(vm: Vm): void {
    super.vmStopped(vm)
    this.children.delete(vm)
  }

  private child(vm: Vm): Child {
    const c = this.children.get(vm)
    if (!c) throw new Error(`hyperv: VM ${vm.index} is not a partition`)
    return c
  }

  // ---------------------------------------------------------------------------------------- legacy devices

  /**
   * The root partition is a partition the hypervisor schedules on the same physical CPU: handling an
   * intercept or a VMBus request in the root means switching to the root's virtual processor and back.
   */
  private scheduleRoot(vm: Vm, toRoot: boolean): void {
    const [prev, next] = toRoot ? [vm.index, MANAGEMENT_VM] : [MANAGEMENT_VM, vm.index]
    this.host.sink.emit(EventKind.Schedule, 0, prev, next)
    this.work(null, 'hypervisor', 'root-schedule')
  }

  protected deviceAccess(vm: Vm, device: DeviceClass, write: boolean): string {
    // An intercept the root registered: message to the root, VID to VMWP, emulation, resume by hypercall.
    this.scheduleRoot(vm, true)
    this.hop(vm, 'hypervisor', 'root-kernel', HopCause.Message, 'intercept-message')
    this.hop(vm, 'root-kernel', 'vmwp', HopCause.Signal, 'vid-to-vmwp')
    this.work(vm, 'vmwp', 'emulate-user-device')
    // VMWP completes the access through the VID driver (a system call into the root's kernel), which
    // resumes the VP; a console write or a disk read first does the host I/O, one more system call.
    const hostIo = (write && device === 'console') || (!write && device === 'storage')
    this.hop(
      vm,
      'vmwp',
      'root-kernel',
      HopCause.Syscall,
      hostIo ? ['host-syscall', 'host-syscall'] : 'host-syscall',
    )
    this.hop(vm, 'root-kernel', 'hypervisor', HopCause.Trap, 'set-vp-registers')
    this.scheduleRoot(vm, false)
    return 'vmwp'
  }

  protected interruptPath(vm: Vm, irq: number, running: boolean): void {
    if (irq < 0) {
      // A synthetic timer or SynIC interrupt: the hypervisor delivers it itself.
      this.hop(null, 'timer', 'hypervisor', HopCause.Signal, running ? 'exit' : 'inject')
      this.work(vm, 'hypervisor', 'synic-interrupt')
      return
    }
    // A legacy device's interrupt: VMWP's emulated chipset asserts it, through the root, to the hypervisor.
    this.hop(null, irqDevice(irq), 'hypervisor', HopCause.Signal, running ? 'exit' : 'inject')
    this.scheduleRoot(vm, true)
    this.hop(vm, 'hypervisor', 'root-kernel', HopCause.Message, 'intercept-message')
    this.hop(vm, 'root-kernel', 'vmwp', HopCause.Signal, 'vid-to-vmwp')
    this.hop(vm, 'vmwp', 'root-kernel', HopCause.Syscall, 'host-syscall')
    this.hop(vm, 'root-kernel', 'hypervisor', HopCause.Trap, 'set-vp-registers')
    this.scheduleRoot(vm, false)
  }

  // ---------------------------------------------------------------------------------------- enlightenments

  protected override architectureExit(vm: Vm, reason: number): string | null {
    if (reason === ExitReason.VMCALL) return this.hypercallExit(vm)
    if (reason === ExitReason.MSR_READ || reason === ExitReason.MSR_WRITE) {
      const ecx = vm.cpu.r[1]! >>> 0
      if (!HypervPartition.isSyntheticMsr(ecx)) return null
      return this.msrExit(vm, reason === ExitReason.MSR_WRITE)
    }
    return null
  }

  private now(): number {
    return this.host.clock.cycles
  }

  /** RDMSR/WRMSR of a synthetic MSR (exits 31/32): the hypervisor's own registers. */
  private msrExit(vm: Vm, write: boolean): string {
    const { part } = this.child(vm)
    const vmx = this.vmxOf(vm)
    const r = vm.cpu.r
    if (write) {
      const w = part.wrmsr(r[1]! >>> 0, r[0]! >>> 0, r[2]! >>> 0, this.now())
      if (w.kind === 'gp') vmx.inject(GP, IntrType.HardwareException, 0)
      else {
        vmx.skipInstruction()
        this.take(vm, w.notices)
      }
    } else {
      const v = part.rdmsr(r[1]! >>> 0, this.now())
      if (v.kind === 'gp') vmx.inject(GP, IntrType.HardwareException, 0)
      else {
        r[0] = v.eax
        r[2] = v.edx
        vmx.skipInstruction()
      }
    }
    return 'hypervisor'
  }

  /** A VMCALL through the hypercall page (exit 18): HvCallPostMessage, HvCallSignalEvent (TLFS). */
  private hypercallExit(vm: Vm): string {
    const { part } = this.child(vm)
    const vmx = this.vmxOf(vm)
    const r = vm.cpu.r
    const regs = {
      eax: r[0]! >>> 0,
      ecx: r[1]! >>> 0,
      edx: r[2]! >>> 0,
      ebx: r[3]! >>> 0,
      esi: r[6]! >>> 0,
      edi: r[7]! >>> 0,
    }
    const out = part.hypercall(regs, vmx.guestCpl)
    if (out.kind === 'ud') {
      vmx.inject(UD, IntrType.HardwareException)
      return 'hypervisor'
    }
    const code = regs.eax & 0xffff
    this.host.sink.emit(EventKind.Hypercall, code, regs.ecx, regs.ebx)
    r[0] = out.eax
    r[2] = out.edx
    vmx.skipInstruction()
    let handler = 'hypervisor'
    if (code === HVCALL_SIGNAL_EVENT || code === HVCALL_POST_MESSAGE) {
      // The signal or message reaches the root partition's VMBus: its VSP runs in the root kernel.
      this.scheduleRoot(vm, true)
      this.hop(vm, 'hypervisor', 'root-kernel', HopCause.Message, 'synic-interrupt')
      handler = 'root-kernel'
      for (const n of out.notices) {
        if (n.kind === 'guest-signal' || n.kind === 'vmbus-message') this.work(vm, 'root-kernel', 'vsp-work')
        if (n.kind === 'disk') {
          this.hop(vm, 'root-kernel', 'disk', HopCause.Call, 'host-syscall')
          this.hop(vm, 'disk', 'root-kernel', HopCause.Return, 'inject')
        }
      }
      if (out.notices.some((n) => n.kind === 'host-signal' || n.kind === 'interrupt')) {
        // The VSP signals the child back: HvCallSignalEvent from the root.
        this.hop(vm, 'root-kernel', 'hypervisor', HopCause.Trap, 'signal-event')
      } else {
        this.hop(vm, 'root-kernel', 'hypervisor', HopCause.Return, 'inject')
      }
      this.scheduleRoot(vm, false)
    }
    this.take(vm, out.notices)
    return handler
  }

  /** The partition's notices that make interrupts pending (SINTs, synthetic timers). */
  private take(vm: Vm, notices: readonly HvNotice[]): void {
    const { pending } = this.child(vm)
    for (const n of notices) if (n.kind === 'interrupt') pending.add(n.vector)
  }

  protected override pendingVector(vm: Vm): number {
    const c = this.children.get(vm)
    if (!c || c.pending.size === 0) return -1
    return Math.min(...c.pending)
  }

  protected override vectorInjected(vm: Vm, vector: number): void {
    this.children.get(vm)?.pending.delete(vector)
  }

  // ---------------------------------------------------------------------------------------- time and console

  deadline(vm: Vm): number {
    return this.children.get(vm)?.part.nextDeadline() ?? Infinity
  }

  override devicesAdvanced(vm: Vm): void {
    const c = this.children.get(vm)
    if (c && c.part.nextDeadline() <= this.now()) this.take(vm, c.part.advance(this.now()))
    super.devicesAdvanced(vm)
  }

  consoleInput(vm: Vm, bytes: Uint8Array): boolean {
    if (vm.spec.platform !== 'hyperv') return false
    const c = this.child(vm)
    this.take(vm, c.part.consoleInput(bytes))
    return true
  }

  pendingConsoleInput(vm: Vm): number {
    return vm.spec.platform === 'hyperv' ? (this.children.get(vm)?.part.pendingConsoleInput ?? 0) : 0
  }

  // ---------------------------------------------------------------------------------------- snapshots

  override saveState(w: StateWriter): void {
    super.saveState(w)
    w.section('hyperv-children')
    for (const vm of this.host.vms) {
      const c = this.children.get(vm)
      w.bool(c !== undefined)
      if (!c) continue
      c.part.saveState(w)
      w.json([...c.pending])
    }
  }

  override loadState(r: StateReader): void {
    super.loadState(r)
    r.section('hyperv-children')
    this.children.clear()
    for (const vm of this.host.vms) {
      if (!r.bool()) continue
      const part = new HypervPartition({ mem: vm.memory, disk: vm.disk, createdAt: 0 })
      part.onConsoleOutput = (bytes) => vm.console.write(bytes)
      part.loadState(r)
      this.children.set(vm, { part, pending: new Set(r.json<number[]>()) })
    }
  }
}
