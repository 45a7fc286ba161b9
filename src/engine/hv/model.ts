import type { Cpu } from '../cpu/cpu'
import type { PhysicalMemory } from '../machine/memory'
import type { StateReader, StateWriter } from '../snapshot'
import type { EventSink } from '../trace/sink'
import type { ArchId } from './architectures'
import type { FlowRecorder } from './flow'
import type { ManagementShell } from './management'
import type { Topology } from './topology'
import type { Vm } from '../session/vm'
import type { PagingMode } from '../session/config'

/** What the session gives a hypervisor model. */
export interface ModelHost {
  readonly sink: EventSink
  readonly clock: { cycles: number }
  /** All of the machine's RAM; each VM's guest-physical memory is a window onto it. */
  readonly hostMemory: PhysicalMemory
  readonly topology: Topology
  readonly flows: FlowRecorder<string>
  readonly vms: readonly Vm[]
  /** Memory virtualization the session asked for (VT-x models: EPT or shadow page tables). */
  readonly paging: PagingMode
  /** KVM: the virtio block queue is served by a vhost worker in the host kernel. */
  readonly vhost: boolean
  /** Starts (boots) or stops a VM, as the management plane asks. */
  startVm(index: number): void
  stopVm(index: number): void
}

/**
 * A hypervisor model (DESIGN §5): how an architecture runs its VMs' vCPUs and handles what the CPU
 * hands over — VM exits, traps of a deprivileged guest, hypercalls, device doorbells, interrupts to
 * deliver — each as a flow through its components, with the effect applied (emulate, run the device,
 * inject). Device emulation is the shared code of src/engine/machine; where it runs is the model's.
 */
export interface HypervisorModel {
  readonly arch: ArchId
  /** The management shell (xl, virsh, vim-cmd, PowerShell, …), or null where there is none. */
  readonly shell: ManagementShell | null
  /** Builds the vCPU of a VM being started: its environment says how memory, ports, MMIO and interrupts are reached. */
  createCpu(vm: Vm): Cpu
  /** The VM's image is loaded and its vCPU is at the entry state. */
  vmStarted(vm: Vm): void
  vmStopped(vm: Vm): void
  /** Called before the session runs the VM's vCPU (a VM entry: pending interrupts are injected here). */
  beforeRun(vm: Vm): void
  /** The vCPU's run stopped at the model's request (a VM exit, a monitor trap): handle it. */
  handleStop(vm: Vm): void
  /** The VM's devices were advanced (an IRQ line may have risen): wake or interrupt the vCPU as the architecture does. */
  devicesAdvanced(vm: Vm): void
  /** VM exits by SDM basic reason, their names, and the component that handled them (VT-x models). */
  exitSummary?(): {
    exits: Record<string, number>
    exitNames: Record<string, string>
    exitsByHandler: Record<string, Record<string, number>>
  }
  /** Hypercalls the guests made, by the hypervisor's name for each (paravirtual models). */
  hypercallCounts?(): Record<string, number>
  /** The guest's view of its CPU (VT-x models: the VMCS guest-state area while the vCPU is in root operation). */
  guestView?(vm: Vm): GuestView | null
  /** The next virtual cycle at which the model itself needs the vCPU stopped (a hypervisor timer), or Infinity. */
  deadline?(vm: Vm): number
  /** Keystrokes for a VM whose console is the hypervisor's (a VMBus or Xen console): true when taken. */
  consoleInput?(vm: Vm, bytes: Uint8Array): boolean
  /** Keystrokes still queued in such a console. */
  pendingConsoleInput?(vm: Vm): number
  /** Model-specific figures the headless runner adds to its JSON (e.g. `bt`, binary translation's cache statistics). */
  summaryExtras?(): Readonly<Record<string, unknown>>
  saveState(w: StateWriter): void
  /** Called after the session restored the VMs; the session restores the model's reserved host memory afterwards. */
  loadState(r: StateReader): void
}

/** The registers that differ between the guest's view and the physical CPU's while a hypervisor runs. */
export interface GuestView {
  readonly eip: number
  readonly esp: number
  readonly eflags: number
  readonly cr0: number
  readonly cr3: number
  readonly cr4: number
  readonly cs: number
  readonly ss: number
  readonly cpl: number
}

/** Counts a model reports for the runner's summary and the UI's charts. */
export interface ModelCounters {
  /** VM exits by basic exit reason. */
  readonly exits: ReadonlyMap<number, number>
  /** VM exits by basic exit reason and the component (base id) that handled them. */
  readonly exitsByHandler: ReadonlyMap<number, ReadonlyMap<string, number>>
}
