import { Cpu } from '../../cpu/cpu'
import { cpuidLeaf } from '../../cpu/cpuid'
import { MmioBus, PortBus } from '../../machine/bus'
import { Irq } from '../../machine/layout'
import type { Vm } from '../../session/vm'
import type { StateReader, StateWriter } from '../../snapshot'
import { EventKind, FlowKind, HopCause } from '../../trace/schema'
import type { TrapSource } from '../../cpu/vmx-seam'
import type { GuestPhys, HostPhys } from '../../types'
import {
  PIN_EXT_INTR_EXITING,
  PROC2_ENABLE_EPT,
  PROC2_UNRESTRICTED_GUEST,
  PROC_ACTIVATE_SECONDARY,
  PROC_CR3_LOAD_EXITING,
  PROC_CR3_STORE_EXITING,
  PROC_HLT_EXITING,
  PROC_INTR_WINDOW_EXITING,
  PROC_INVLPG_EXITING,
  PROC_UNCOND_IO_EXITING,
  PROC_USE_TSC_OFFSETTING,
  VMX_TRUE_CAPS,
  adjustControls,
} from '../../vmx/controls'
import { ShadowMmu } from '../shadow-mmu'
import { EPT_RWX, EptBuilder } from '../../vmx/ept'
import { EXIT_REASON_BASIC_MASK, ExitReason, exitReasonName } from '../../vmx/exit-reasons'
import { IntrType } from '../../vmx/interruption-info'
import { decodeIo } from '../../vmx/qualification'
import { ActivityState } from '../../vmx/vm-entry-checks'
import { Vmcs } from '../../vmx/vmcs'
import { VmcsField as F } from '../../vmx/vmcs-fields'
import { VmxCpu, type EmulatedIo } from '../../vmx/vmx-cpu'
import type { ArchId } from '../architectures'
import type { FlowRecorder } from '../flow'
import type { ManagementShell } from '../management'
import type { GuestView, HypervisorModel, ModelHost } from '../model'
import { componentIndex } from '../topology'
import { MMIO_WINDOW, mmioClass, portClass, type DeviceClass } from './device-class'

/**
 * Host memory each VM's paging structures may use: its EPT tables (a 64 MiB guest needs about 40 pages
 * with 4 KiB leaves), or with shadow paging the pool of shadow page tables.
 */
export const EPT_REGION_BYTES = 2 << 20

const CR0_PE = 1 << 0
const CR0_NE = 1 << 5
const CR0_WP = 1 << 16
const CR0_PG = 1 << 31
const CR4_PSE = 1 << 4
const CR4_PGE = 1 << 7
const CR4_VMXE = 1 << 13
const PF = 14
/** The guest's system-call vector (ringos and Linux i386: int 0x80). */
const SYSCALL_VECTOR = 0x80

/**
 * The host-state area a VM entry checks (SDM §27.2.2–27.2.3): a flat 32-bit host with paging and
 * VMXE [R: the hypervisor is TypeScript; these describe the host it stands for].
 */
const HOST_STATE: readonly [number, number][] = [
  [F.HOST_CR0, 0x80000031],
  [F.HOST_CR4, 0x2000],
  [F.HOST_CS_SELECTOR, 0x08],
  [F.HOST_SS_SELECTOR, 0x10],
  [F.HOST_DS_SELECTOR, 0x10],
  [F.HOST_ES_SELECTOR, 0x10],
  [F.HOST_TR_SELECTOR, 0x18],
  [F.HOST_RIP, 0xc0100000],
]

interface Vcpu {
  readonly vmcs: Vmcs
  readonly vmx: VmxCpu
  readonly ept: EptBuilder | null
  /** With `--paging shadow`: the shadow page tables the CPU walks instead of the guest's (no EPT). */
  readonly shadow: ShadowMmu | null
  /** A VM-exit or interrupt flow is open: the next VM entry's hop closes it. */
  flowOpen: boolean
  /** The guest component control returns to at the next entry. */
  returnTo: number
}

/**
 * The common machinery of the hardware-assisted models (KVM, Xen HVM, ESXi, Hyper-V, hosted): one
 * VMCS and one EPT per vCPU; the guest state captured at boot and entered with VMLAUNCH/VMRESUME;
 * every VM exit opened as a flow from the guest into the component that receives exits, handled, and
 * closed by the VM entry's hop; interrupts from the VM's emulated 8259A injected at VM entry, or an
 * interrupt window opened when the guest cannot take them (hypervisor-flows.md §2.2); HLT blocking the
 * vCPU until an interrupt is pending. What differs between architectures — which component handles
 * each exit, the path its work takes, and what it costs — is each subclass's.
 *
 * The VM's emulated 8259A is wired to the vCPU as its interrupt controller with external-interrupt
 * exiting on, so a device interrupt while the guest runs is a VM exit (reason 1), as a physical
 * interrupt is [R: on real hosts the interrupt that exits is the host's — a timer, an IPI — and the
 * guest's PIC is software; here one line stands for both].
 */
export abstract class VtxModel<K extends string> implements HypervisorModel {
  abstract readonly arch: ArchId
  abstract readonly shell: ManagementShell | null
  /** The component VM exits arrive at (kvm, xen, vmm, hypervisor). */
  protected abstract readonly hypervisorId: string
  /** CPUID leaf 0x40000000: the highest hypervisor leaf and the 12-byte vendor signature. */
  protected abstract readonly cpuidSignature: readonly [maxLeaf: number, signature: string]
  /** Map guest RAM on first touch (EPT violations, as KVM's TDP MMU does) instead of when the VM is built. */
  protected readonly lazyEpt: boolean = false
  /** Mark MMIO misconfigured (exit 49, KVM's MMIO marker) instead of leaving it unmapped (exit 48). */
  protected readonly mmioMisconfigured: boolean = false

  /** VM exits by basic reason. */
  readonly exits = new Map<number, number>()
  /** VM exits by basic reason and by the component (base id) that handled them. */
  readonly exitsByHandler = new Map<number, Map<string, number>>()
  protected readonly flows: FlowRecorder<K>
  private readonly vcpus = new Map<Vm, Vcpu>()

  constructor(protected readonly host: ModelHost) {
    this.flows = host.flows as FlowRecorder<K>
  }

  // ------------------------------------------------------------------------------------------
  // What each architecture says

  /**
   * A guest access reached an emulated device (the exit's hop into the hypervisor is already
   * recorded): record the hops that emulate it and return the base id of the component that
   * emulated the access (the runner's `exitsByHandler`). The access itself is performed afterwards.
   * `gpa` is the guest-physical address of an MMIO access (which virtio device a doorbell rings).
   */
  protected abstract deviceAccess(vm: Vm, device: DeviceClass, write: boolean, gpa?: number): string
  /**
   * An interrupt for `vm` from `irq` reaches the hypervisor: record its path from the hardware row
   * (`running`: the guest was running and took a VM exit for it; else the vCPU was halted).
   */
  protected abstract interruptPath(vm: Vm, irq: number, running: boolean): void

  /** A VMCALL (a hypercall in the architecture's ABI); the default answers as KVM does an unknown hypercall. */
  protected hypercall(vm: Vm): string {
    const vmx = this.vmxOf(vm)
    vmx.skipInstruction()
    vm.cpu.r[0] = -1000 // -KVM_ENOSYS (include/uapi/linux/kvm_para.h)
    return this.hypervisorId
  }

  /**
   * Exits an architecture handles its own way (Hyper-V's hypercalls and synthetic MSRs): return the
   * handling component's base id, or null to let the common handling below take it.
   */
  protected architectureExit(_vm: Vm, _reason: number, _qualification: number): string | null {
    return null
  }

  /** Virtual interrupts a model keeps besides the 8259A's (Hyper-V's SynIC): the next vector, or -1. */
  protected pendingVector(_vm: Vm): number {
    return -1
  }

  /** Called when {@link pendingVector}'s vector was injected. */
  protected vectorInjected(_vm: Vm, _vector: number): void {}

  // ------------------------------------------------------------------------------------------
  // Helpers for subclasses

  protected c(id: string, vm: Vm | null): number {
    return componentIndex(this.host.topology, id, vm?.index ?? null)
  }

  /** A hop between two components of VM `vm` (or shared ones). */
  protected hop(
    vm: Vm | null,
    from: string,
    to: string,
    cause: HopCause,
    cost: K | readonly K[],
    arg0 = 0,
  ): void {
    this.flows.hop(this.c(from, vm), this.c(to, vm), cause, cost, arg0)
  }

  protected work(vm: Vm | null, at: string, cost: K | readonly K[]): void {
    this.flows.work(this.c(at, vm), cost)
  }

  protected vmxOf(vm: Vm): VmxCpu {
    return this.vcpu(vm).vmx
  }

  private vcpu(vm: Vm): Vcpu {
    const v = this.vcpus.get(vm)
    if (!v) throw new Error(`${this.arch}: VM ${vm.index} has no vCPU`)
    return v
  }

  private guestComponent(vm: Vm, vmx: VmxCpu): number {
    return this.c(vmx.guestCpl === 3 ? 'guest-user' : 'guest-kernel', vm)
  }

  // ------------------------------------------------------------------------------------------
  // Building a vCPU

  createCpu(vm: Vm): Cpu {
    const cpu = new Cpu({
      mem: this.host.hostMemory,
      // Every port access exits (unconditional I/O exiting) and MMIO is reached only through EPT
      // exits, so the vCPU has no buses of its own: the hypervisor emulates.
      ports: new PortBus(),
      mmio: new MmioBus(),
      intc: vm.pc.pic,
      sink: this.host.sink,
      clock: this.host.clock,
    })
    cpu.trapInterceptor = (vector, errorCode, source) => this.guestTrap(vm, cpu, vector, errorCode, source)
    return cpu
  }

  /**
   * What the guest's own IDT delivers without any exit — a system call, a fault — costs what it costs
   * on bare metal (hypervisor-flows.md §3.2 (f): "KVM never sees it"); reported as the same flows so
   * architectures compare on equal terms. Nothing is intercepted.
   */
  private guestTrap(vm: Vm, cpu: Cpu, vector: number, errorCode: number, source: TrapSource): boolean {
    if (cpu.vmxMode !== 2) return false
    const kernel = this.c('guest-kernel', vm)
    if (source === 'software' && vector === SYSCALL_VECTOR) {
      const eax = cpu.r[0]! >>> 0
      this.host.sink.emit(EventKind.Syscall, eax, cpu.eip >>> 0, cpu.r[3]! >>> 0)
      const user = this.c('guest-user', vm)
      this.flows.begin(FlowKind.Syscall, eax, user)
      this.flows.hop(user, kernel, HopCause.Syscall, 'guest-syscall' as K, eax)
      this.flows.end()
    } else if (source === 'exception') {
      const cpuHw = this.c('cpu', null)
      this.flows.begin(FlowKind.Exception, vector, cpuHw, errorCode >>> 0)
      this.flows.hop(
        cpuHw,
        kernel,
        HopCause.Trap,
        (vector === PF ? 'native-page-fault' : 'native-fault') as K,
        vector,
        errorCode >>> 0,
      )
      this.flows.end()
    }
    return false
  }

  vmStarted(vm: Vm): void {
    const cpu = vm.cpu
    const vmcs = new Vmcs()
    const vmx = new VmxCpu(cpu, vmcs)
    cpu.vmx = vmx
    const region = { base: ((vm.index - 1) * EPT_REGION_BYTES) as HostPhys, size: EPT_REGION_BYTES }
    const shadowPaging = this.host.paging === 'shadow'
    let ept: EptBuilder | null = null
    let shadow: ShadowMmu | null = null
    if (shadowPaging) {
      // Shadow paging (KVM ept=0, Xen hap=0; hypervisor-flows.md §3.2 (e)): the CPU walks tables the
      // hypervisor builds from the guest's, so guest CR3 loads, INVLPG and page faults must exit.
      shadow = this.makeShadow(vm, region)
    } else {
      ept = new EptBuilder(this.host.hostMemory, region)
      if (!this.lazyEpt) ept.map(0 as GuestPhys, vm.memory.base as HostPhys, vm.memory.size)
      if (this.mmioMisconfigured) ept.markMmio(MMIO_WINDOW.base as GuestPhys, MMIO_WINDOW.size)
    }
    vmcs.write(F.PIN_BASED_VM_EXEC_CONTROL, adjustControls(PIN_EXT_INTR_EXITING, VMX_TRUE_CAPS.pin))
    const proc = PROC_HLT_EXITING | PROC_UNCOND_IO_EXITING | PROC_USE_TSC_OFFSETTING | PROC_ACTIVATE_SECONDARY
    const shadowExits = PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING | PROC_INVLPG_EXITING
    vmcs.write(
      F.CPU_BASED_VM_EXEC_CONTROL,
      adjustControls(shadowPaging ? proc | shadowExits : proc, VMX_TRUE_CAPS.proc),
    )
    vmcs.write(
      F.SECONDARY_VM_EXEC_CONTROL,
      adjustControls(shadowPaging ? 0 : PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST, VMX_TRUE_CAPS.proc2),
    )
    vmcs.write(F.VM_EXIT_CONTROLS, adjustControls(0, VMX_TRUE_CAPS.exit))
    vmcs.write(F.VM_ENTRY_CONTROLS, adjustControls(0, VMX_TRUE_CAPS.entry))
    if (ept) vmcs.write(F.EPT_POINTER, ept.eptp)
    for (const [field, value] of HOST_STATE) vmcs.write(field, value)
    // The guest's TSC starts at 0 when the VM starts (TSC offsetting, SDM §26.6.5): offset = −start.
    const offset = -vm.startedAt
    vmcs.write64(F.TSC_OFFSET, offset >>> 0, Math.floor(offset / 2 ** 32) >>> 0)
    this.setCpuid(cpu)
    vmx.captureGuestState()
    if (shadow) {
      // Guest page faults exit (exception bitmap); CR0.PG/WP/PE and CR4.PSE/PGE are the hypervisor's:
      // the guest sees its own values through the read shadows, the CPU runs with paging on (no
      // unrestricted guest without EPT) over the shadow root, write protection on (so tracked guest
      // page tables fault even in ring 0) and no global pages (shadow roots change under CR3).
      vmcs.write(F.EXCEPTION_BITMAP, 1 << PF)
      vmcs.write(F.CR0_GUEST_HOST_MASK, CR0_PG | CR0_WP | CR0_PE)
      vmcs.write(F.CR4_GUEST_HOST_MASK, CR4_PSE | CR4_PGE)
      vmx.setGuestCr0(cpu.cr0)
      vmx.setGuestCr4(cpu.cr4)
      vmcs.write(F.GUEST_CR0, (vmcs.read(F.GUEST_CR0) | CR0_PG | CR0_WP | CR0_NE | CR0_PE) >>> 0)
      vmcs.write(F.GUEST_CR4, (vmcs.read(F.GUEST_CR4) & ~CR4_PGE) | CR4_VMXE)
      vmcs.write(F.GUEST_CR3, shadow.setControl(cpu.cr0, cpu.cr4))
    } else {
      vmx.setGuestCr0(cpu.cr0)
      vmx.setGuestCr4(cpu.cr4)
    }
    vmcs.clear()
    this.vcpus.set(vm, { vmcs, vmx, ept, shadow, flowOpen: false, returnTo: this.c('guest-kernel', vm) })
  }

  private makeShadow(vm: Vm, region: { readonly base: number; readonly size: number }): ShadowMmu {
    const cpu = vm.cpu
    return new ShadowMmu({
      host: this.host.hostMemory,
      guestBase: vm.memory.base,
      guestSize: vm.memory.size,
      poolBase: region.base,
      poolPages: region.size >>> 12,
      mmioBase: MMIO_WINDOW.base,
      invalidate: (linear) => (linear === null ? cpu.flushTlb(true) : cpu.invlpg(linear)),
    })
  }

  /**
   * CPUID as the hypervisor answers it (issue 7 §4): the hypervisor-present bit CPUID.1:ECX[31] and
   * leaf 0x40000000 with the vendor signature — the only way the guest can tell (§0: no bit says
   * "non-root").
   */
  protected setCpuid(cpu: Cpu): void {
    cpu.cpuidOverrides.delete(1)
    const [a, b, c, d] = cpuidLeaf(cpu, 1, 0)
    cpu.cpuidOverrides.set(1, [a, b, (c | 0x80000000) >>> 0, d])
    const [max, sig] = this.cpuidSignature
    const word = (o: number) =>
      (sig.charCodeAt(o) |
        (sig.charCodeAt(o + 1) << 8) |
        (sig.charCodeAt(o + 2) << 16) |
        (sig.charCodeAt(o + 3) << 24)) >>>
      0
    cpu.cpuidOverrides.set(0x40000000, [max, word(0), word(4), word(8)])
  }

  vmStopped(vm: Vm): void {
    const v = this.vcpus.get(vm)
    if (v?.flowOpen) this.flows.end()
    this.vcpus.delete(vm)
  }

  // ------------------------------------------------------------------------------------------
  // VM entry

  beforeRun(vm: Vm): void {
    const v = this.vcpu(vm)
    if (!v.vmx.inRoot) return
    this.prepareInjection(vm, v)
    if (v.flowOpen) {
      this.flows.hop(this.c(this.hypervisorId, vm), v.returnTo, HopCause.Return, 'entry' as K)
      this.flows.end()
      v.flowOpen = false
    }
    const r = v.vmx.enter()
    if (!r.ok) vm.powerOff('crashed') // KVM_EXIT_FAIL_ENTRY: the VM stops, visibly (its reason is in the VMCS)
  }

  private interruptPending(vm: Vm): boolean {
    return vm.pc.pic.intr || this.pendingVector(vm) >= 0
  }

  /**
   * Injects the pending interrupt at this entry if the guest can take it, else opens an interrupt
   * window (KVM inject_pending_event / enable_irq_window, Xen vmx_intr_assist). While the window is
   * open, external-interrupt exiting is off, so the asserted 8259A line cannot exit again and again.
   */
  private prepareInjection(vm: Vm, v: Vcpu): void {
    const { vmcs, vmx } = v
    if (vmcs.read(F.VM_ENTRY_INTR_INFO_FIELD) & 0x80000000) return // an exception is being injected
    let proc = vmcs.read(F.CPU_BASED_VM_EXEC_CONTROL)
    let pin = vmcs.read(F.PIN_BASED_VM_EXEC_CONTROL)
    const pending = this.interruptPending(vm)
    if (!pending || vmx.guestInterruptible) {
      if (pending) {
        const vector = this.pendingVector(vm)
        if (vector >= 0) {
          vmx.inject(vector, IntrType.ExternalInterrupt)
          this.vectorInjected(vm, vector)
        } else {
          vmx.inject(vm.cpu.takeExternal(), IntrType.ExternalInterrupt)
        }
      }
      proc &= ~PROC_INTR_WINDOW_EXITING
      pin |= PIN_EXT_INTR_EXITING
    } else {
      proc |= PROC_INTR_WINDOW_EXITING
      pin &= ~PIN_EXT_INTR_EXITING
    }
    vmcs.write(F.CPU_BASED_VM_EXEC_CONTROL, proc >>> 0)
    vmcs.write(F.PIN_BASED_VM_EXEC_CONTROL, pin >>> 0)
  }

  // ------------------------------------------------------------------------------------------
  // VM exits

  private count(reason: number, handler: string): void {
    this.exits.set(reason, (this.exits.get(reason) ?? 0) + 1)
    let m = this.exitsByHandler.get(reason)
    if (!m) this.exitsByHandler.set(reason, (m = new Map()))
    m.set(handler, (m.get(handler) ?? 0) + 1)
  }

  private io(vm: Vm): EmulatedIo {
    const pc = vm.pc
    return {
      portIn: (port, size) => pc.ports.in(port, size),
      portOut: (port, size, value) => pc.ports.out(port, size, value),
      mmioRead: (gpa, size) => pc.mmio.read(gpa, size),
      mmioWrite: (gpa, size, value) => pc.mmio.write(gpa, size, value),
    }
  }

  handleStop(vm: Vm): void {
    const v = this.vcpu(vm)
    if (!v.vmx.inRoot) return
    const { vmcs } = v
    const reason = vmcs.read(F.VM_EXIT_REASON) & EXIT_REASON_BASIC_MASK
    const qualification = vmcs.read(F.EXIT_QUALIFICATION)
    v.returnTo = this.guestComponent(vm, v.vmx)
    const hv = this.c(this.hypervisorId, vm)
    if (reason === ExitReason.EXTERNAL_INTERRUPT) {
      // The interrupt's own path: from the device through the host into the hypervisor.
      const irq = this.pendingVector(vm) >= 0 ? -1 : pendingIrq(vm)
      this.flows.begin(FlowKind.Interrupt, irq >>> 0, this.c(hwFor(irq), null), reason)
      this.interruptPath(vm, irq, true)
      v.flowOpen = true
      this.count(reason, this.hypervisorId)
      return
    }
    this.flows.begin(FlowKind.VmExit, reason, v.returnTo, qualification)
    this.flows.hop(v.returnTo, hv, HopCause.Trap, 'exit' as K, reason, qualification)
    v.flowOpen = true
    this.count(reason, this.dispatch(vm, v, reason, qualification))
  }

  private dispatch(vm: Vm, v: Vcpu, reason: number, qualification: number): string {
    const { vmx, vmcs } = v
    const own = this.architectureExit(vm, reason, qualification)
    if (own !== null) return own
    switch (reason) {
      case ExitReason.HLT:
        vmx.emulate(this.io(vm))
        if (!vmx.guestInterruptible) {
          // HLT with interrupts off: nothing will ever wake it (as on bare metal).
          vm.halted = true
          this.closeFlow(v)
        } else if (!this.interruptPending(vm)) {
          // The vCPU blocks until an interrupt is pending (KVM kvm_vcpu_block, Xen hvm_hlt): the flow
          // ends here; waking is the interrupt's flow.
          vmcs.write(F.GUEST_ACTIVITY_STATE, ActivityState.Active)
          this.work(vm, this.hypervisorId, 'halt-block' as K)
          this.closeFlow(v)
          vm.blocked = true
        } else {
          vmcs.write(F.GUEST_ACTIVITY_STATE, ActivityState.Active)
        }
        return this.hypervisorId
      case ExitReason.IO_INSTRUCTION: {
        const io = decodeIo(qualification)
        const handler = this.deviceAccess(vm, portClass(io.port), io.direction === 'OUT')
        this.emulate(vm, v)
        return handler
      }
      case ExitReason.EPT_VIOLATION:
      case ExitReason.EPT_MISCONFIG: {
        const gpa = vmcs.read(F.GUEST_PHYSICAL_ADDRESS) >>> 0
        if (gpa < vm.memory.size && v.ept) {
          // First touch of guest RAM: map the page and let the guest retry (KVM's TDP page fault).
          const page = gpa & ~0xfff
          v.ept.map(page as GuestPhys, (vm.memory.base + page) as HostPhys, 0x1000, EPT_RWX)
          vmx.flushTranslations()
          this.work(vm, this.hypervisorId, 'ept-populate' as K)
          return this.hypervisorId
        }
        const handler = this.deviceAccess(vm, mmioClass(gpa), (qualification & 2) !== 0, gpa)
        vmx.emulate(this.io(vm))
        return handler
      }
      case ExitReason.EXCEPTION_NMI:
        if (v.shadow) return this.shadowPageFault(vm, v, v.shadow, qualification)
        vmx.emulate(this.io(vm))
        return this.hypervisorId
      case ExitReason.CR_ACCESS:
        if (v.shadow) return this.shadowCrAccess(vm, v, v.shadow, qualification)
        vmx.emulate(this.io(vm))
        return this.hypervisorId
      case ExitReason.INVLPG:
        if (v.shadow) {
          v.shadow.invlpg(qualification)
          vmx.skipInstruction()
          this.work(vm, this.hypervisorId, 'shadow-invlpg' as K)
          return this.hypervisorId
        }
        vmx.emulate(this.io(vm))
        return this.hypervisorId
      case ExitReason.INTERRUPT_WINDOW:
        // The guest can take interrupts again; the entry below injects (prepareInjection).
        return this.hypervisorId
      case ExitReason.VMCALL:
        return this.hypercall(vm)
      case ExitReason.TRIPLE_FAULT:
        // KVM_EXIT_SHUTDOWN: the VM is down.
        this.closeFlow(v)
        vm.powerOff('crashed')
        return this.hypervisorId
      default:
        // CPUID (10), RDMSR/WRMSR (31/32), CR accesses (28), INVLPG (14), RDTSC (16), INVD (13), the
        // other VMX instructions (#UD: no nested VMX): emulated in the hypervisor.
        vmx.emulate(this.io(vm))
        return this.hypervisorId
    }
  }

  // ------------------------------------------------------------------------------------------
  // Shadow paging (the MMU of hypervisor-flows.md §3.2 (e) without EPT)

  /**
   * A guest page fault exited (exception bitmap bit 14; the qualification is the faulting linear
   * address). A "hidden" fault the guest's own tables allow is fixed in the shadow and the instruction
   * restarts; a true fault is reflected to the guest with its CR2 and error code; a write to a tracked
   * guest page table makes that page unsync (KVM's mmu.rst) and restarts.
   */
  private shadowPageFault(vm: Vm, v: Vcpu, shadow: ShadowMmu, linear: number): string {
    const vector = v.vmcs.read(F.VM_EXIT_INTR_INFO) & 0xff
    if (vector !== PF) {
      v.vmx.emulate(this.io(vm))
      return this.hypervisorId
    }
    const error = v.vmcs.read(F.VM_EXIT_INTR_ERROR_CODE)
    const r = shadow.fault(linear, error)
    switch (r.kind) {
      case 'fixed':
        this.work(vm, this.hypervisorId, 'shadow-page-fault' as K)
        break
      case 'pt-write':
        shadow.unsync(r.gpa)
        this.work(vm, this.hypervisorId, 'shadow-pte-write' as K)
        break
      case 'guest':
      case 'unbacked':
        // The guest's own page fault: CR2 is written before the entry that delivers it (KVM keeps the
        // guest's CR2 and loads it before VMRESUME), then #PF with the guest's error code is injected.
        vm.cpu.cr2 = r.kind === 'guest' ? r.cr2 : r.linear
        v.vmx.inject(PF, IntrType.HardwareException, r.kind === 'guest' ? r.errorCode : error)
        this.work(vm, this.hypervisorId, 'shadow-page-fault' as K)
        break
    }
    return this.hypervisorId
  }

  /** MOV to or from CR0, CR3 or CR4 under shadow paging (exit 28, qualification SDM Table 28-3). */
  private shadowCrAccess(vm: Vm, v: Vcpu, shadow: ShadowMmu, q: number): string {
    const { vmcs, vmx } = v
    const cr = q & 0xf
    const type = (q >>> 4) & 3
    const gpr = (q >>> 8) & 0xf
    const r = vm.cpu.r
    const read = (n: number) => (n === 4 ? vmcs.read(F.GUEST_RSP) : r[n]! >>> 0)
    if (type === 1 && cr === 3) {
      // MOV from CR3 (CR3-store exiting): the guest sees its own page directory, not the shadow's.
      const value = shadow.guestControl.cr3
      if (gpr === 4) vmcs.write(F.GUEST_RSP, value)
      else r[gpr] = value
    } else if (type === 0 && cr === 3) {
      vmcs.write(F.GUEST_CR3, shadow.loadCr3(read(gpr)))
      this.work(vm, this.hypervisorId, 'shadow-cr3' as K)
    } else if (type === 0 && (cr === 0 || cr === 4)) {
      const g = shadow.guestControl
      const cr0 = cr === 0 ? read(gpr) : vmcs.read(F.CR0_READ_SHADOW)
      const cr4 = cr === 4 ? read(gpr) : vmcs.read(F.CR4_READ_SHADOW)
      if (cr === 0) {
        vmx.setGuestCr0(cr0)
        vmcs.write(F.GUEST_CR0, (vmcs.read(F.GUEST_CR0) | CR0_PG | CR0_WP | CR0_NE | CR0_PE) >>> 0)
      } else {
        vmx.setGuestCr4(cr4)
        vmcs.write(F.GUEST_CR4, (vmcs.read(F.GUEST_CR4) & ~CR4_PGE) | CR4_VMXE)
      }
      if (cr0 !== g.cr0 || cr4 !== g.cr4) vmcs.write(F.GUEST_CR3, shadow.setControl(cr0, cr4))
      if (cr0 & CR0_PG && !(g.cr0 & CR0_PG)) vmcs.write(F.GUEST_CR3, shadow.loadCr3(g.cr3))
      this.work(vm, this.hypervisorId, 'shadow-cr3' as K)
    } else {
      vmx.emulate(this.io(vm))
      return this.hypervisorId
    }
    vmx.skipInstruction()
    return this.hypervisorId
  }

  /**
   * Emulates the exiting instruction. Under shadow paging a string instruction's memory operand may
   * meet a shadow entry not built yet — a hidden fault, not the guest's: the shadow MMU fixes it and
   * the emulation continues where it stopped (REP instructions are restartable, SDM Vol. 1 §7.3.9.1),
   * as KVM's emulator walks the guest's own tables instead of faulting.
   */
  private emulate(vm: Vm, v: Vcpu): void {
    for (let tries = 0; tries < 64; tries++) {
      if (v.vmx.emulate(this.io(vm)) === 'done' || !v.shadow) return
      const info = v.vmcs.read(F.VM_ENTRY_INTR_INFO_FIELD)
      if ((info & 0x800000ff) !== (0x80000000 | PF)) return
      const r = v.shadow.fault(vm.cpu.cr2, v.vmcs.read(F.VM_ENTRY_EXCEPTION_ERROR_CODE))
      if (r.kind === 'guest' || r.kind === 'unbacked') return
      if (r.kind === 'pt-write') v.shadow.unsync(r.gpa)
      v.vmcs.write(F.VM_ENTRY_INTR_INFO_FIELD, info & ~0x80000000)
      this.work(vm, this.hypervisorId, 'shadow-page-fault' as K)
    }
  }

  private closeFlow(v: Vcpu): void {
    this.flows.end()
    v.flowOpen = false
  }

  // ------------------------------------------------------------------------------------------
  // Interrupts for halted vCPUs

  devicesAdvanced(vm: Vm): void {
    const v = this.vcpus.get(vm)
    if (!v || !this.interruptPending(vm)) return
    if (!vm.blocked) {
      // An interrupt of the model's own (a synthetic timer, a SynIC message) while the guest runs: the
      // physical interrupt behind it exits the guest (reason 1), as the 8259A's line does by itself.
      if (!v.vmx.inRoot && this.pendingVector(vm) >= 0) {
        v.vmx.forceExit(ExitReason.EXTERNAL_INTERRUPT, 0)
        this.handleStop(vm)
      }
      return
    }
    // A halted vCPU wakes (kvm_vcpu_kick / vcpu_unblock): the interrupt's path, then the entry that injects it.
    vm.blocked = false
    const irq = this.pendingVector(vm) >= 0 ? -1 : pendingIrq(vm)
    if (v.flowOpen) this.flows.end()
    this.flows.begin(FlowKind.Interrupt, irq >>> 0, this.c(hwFor(irq), null), 0)
    this.interruptPath(vm, irq, false)
    v.flowOpen = true
    v.returnTo = this.c('guest-kernel', vm)
  }

  // ------------------------------------------------------------------------------------------
  // Reports and snapshots

  /**
   * The guest's view of its CPU: between an exit and the next entry its state is in the VMCS
   * guest-state area; CR0 and CR4 read through the guest/host masks and read shadows (SDM §26.3).
   */
  guestView(vm: Vm): GuestView | null {
    const v = this.vcpus.get(vm)
    if (!v) return null
    const { vmcs, vmx } = v
    const c = vm.cpu
    const shadowed = (value: number, mask: number, shadow: number) =>
      ((value & ~mask) | (shadow & mask)) >>> 0
    const inRoot = vmx.inRoot
    const cr0 = inRoot ? vmcs.read(F.GUEST_CR0) : c.cr0
    const cr4 = inRoot ? vmcs.read(F.GUEST_CR4) : c.cr4
    return {
      eip: inRoot ? vmcs.read(F.GUEST_RIP) : c.eip >>> 0,
      esp: inRoot ? vmcs.read(F.GUEST_RSP) : c.r[4]! >>> 0,
      eflags: inRoot ? vmcs.read(F.GUEST_RFLAGS) : c.eflags >>> 0,
      cr0: shadowed(cr0, vmcs.read(F.CR0_GUEST_HOST_MASK), vmcs.read(F.CR0_READ_SHADOW)),
      cr3: inRoot ? vmcs.read(F.GUEST_CR3) : c.cr3 >>> 0,
      cr4: shadowed(cr4, vmcs.read(F.CR4_GUEST_HOST_MASK), vmcs.read(F.CR4_READ_SHADOW)),
      cs: inRoot ? vmcs.read(F.GUEST_CS_SELECTOR) : c.sel[1]! & 0xffff,
      ss: inRoot ? vmcs.read(F.GUEST_SS_SELECTOR) : c.sel[2]! & 0xffff,
      cpl: inRoot ? vmx.guestCpl : c.cpl,
    }
  }

  /** `exits`, `exitNames` and `exitsByHandler` of the runner's JSON. */
  exitSummary(): {
    exits: Record<string, number>
    exitNames: Record<string, string>
    exitsByHandler: Record<string, Record<string, number>>
  } {
    const exits: Record<string, number> = {}
    const exitNames: Record<string, string> = {}
    const exitsByHandler: Record<string, Record<string, number>> = {}
    for (const reason of [...this.exits.keys()].sort((a, b) => a - b)) {
      exits[String(reason)] = this.exits.get(reason) ?? 0
      exitNames[String(reason)] = exitReasonName(reason)
      exitsByHandler[String(reason)] = Object.fromEntries(
        [...(this.exitsByHandler.get(reason) ?? new Map<string, number>())].sort(),
      )
    }
    return { exits, exitNames, exitsByHandler }
  }

  saveState(w: StateWriter): void {
    w.section(`${this.arch}-vtx`)
    w.json({ exits: [...this.exits], byHandler: [...this.exitsByHandler].map(([r, m]) => [r, [...m]]) })
    for (const vm of this.host.vms) {
      const v = this.vcpus.get(vm)
      w.bool(v !== undefined)
      if (!v) continue
      v.vmcs.saveState(w)
      v.vmx.saveState(w)
      w.bool(v.ept !== null)
      v.ept?.saveState(w)
      w.bool(v.shadow !== null)
      v.shadow?.saveState(w)
      w.bool(v.flowOpen)
      w.u32(v.returnTo)
    }
  }

  /** Restored after the session restored the VMs (their RAM holds the EPT tables' contents). */
  loadState(r: StateReader): void {
    r.section(`${this.arch}-vtx`)
    const s = r.json<{ exits: [number, number][]; byHandler: [number, [string, number][]][] }>()
    this.exits.clear()
    for (const [k, n] of s.exits) this.exits.set(k, n)
    this.exitsByHandler.clear()
    for (const [k, m] of s.byHandler) this.exitsByHandler.set(k, new Map(m))
    this.vcpus.clear()
    for (const vm of this.host.vms) {
      if (!r.bool()) continue
      const cpu = vm.cpu
      const vmcs = new Vmcs()
      const vmx = new VmxCpu(cpu, vmcs)
      cpu.vmx = vmx
      vmcs.loadState(r)
      vmx.loadState(r)
      // The builder's constructor clears its root table; the session restores the reserved host memory
      // (the tables) after this, so the order is construct, loadState, memory (vmx/ept.ts).
      const region = { base: ((vm.index - 1) * EPT_REGION_BYTES) as HostPhys, size: EPT_REGION_BYTES }
      const ept = r.bool() ? new EptBuilder(this.host.hostMemory, region) : null
      ept?.loadState(r)
      let shadow: ShadowMmu | null = null
      if (r.bool()) {
        shadow = this.makeShadow(vm, region)
        shadow.loadState(r)
      }
      this.vcpus.set(vm, { vmcs, vmx, ept, shadow, flowOpen: r.bool(), returnTo: r.u32() })
    }
  }

  /** The reserved host memory: one EPT region per VM. */
  static reservedBytes(vms: number): number {
    return vms * EPT_REGION_BYTES
  }
}

/** The IRQ line the VM's 8259A would serve next, for the flow's label (0 when only the timer can be). */
function pendingIrq(vm: Vm): number {
  const irq = vm.pc.pic.pendingIrq()
  return irq < 0 ? Irq.pit : irq
}

/** The hardware-row component an IRQ line belongs to. */
function hwFor(irq: number): string {
  if (irq === Irq.pit || irq < 0) return 'timer'
  if (irq === Irq.ata || irq === Irq.virtioBlock) return 'disk'
  return 'uart'
}
