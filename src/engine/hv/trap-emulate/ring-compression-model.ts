import { Cpu, type CpuEnv } from '../../cpu/cpu'
import { FAULT } from '../../cpu/fault'
import type { TrapSource } from '../../cpu/vmx-seam'
import { MmioBus, PortBus } from '../../machine/bus'
import type { Vm } from '../../session/vm'
import type { StateReader, StateWriter } from '../../snapshot'
import { EventKind, FlowKind, HopCause } from '../../trace/schema'
import type { ArchId } from '../architectures'
import { irqDevice, portDevice, type HardwareId } from '../devices'
import type { FlowRecorder } from '../flow'
import type { ManagementShell } from '../management'
import type { GuestView, HypervisorModel, ModelHost } from '../model'
import { componentIndex } from '../topology'
import { MONITOR_REGION_BYTES, RingCompressionMonitor, type Emulation } from './ring-compression'
import type { ShadowFault } from '../shadow-mmu'

const SYSCALL_VECTOR = 0x80
export const GP = 13
export const PF = 14

/** Component indices of one VM's flows. */
export interface Parts {
  readonly vm: number
  /** The guest kernel as it runs (trap-emulate: `guest-kernel`; BT: translated code, `bt`). */
  readonly kernel: number
  readonly user: number
  /** The ring-0 monitor (`monitor`, or the BT `vmm`). */
  readonly monitor: number
}

/** The cost entries a ring-compression model charges, by the role they play in its flows. */
export interface RingCompressionCosts<K extends string> {
  /** A fault or interrupt delivered to the monitor through the real IDT, and the return. */
  readonly trap: K
  /** Back to the guest once the monitor is done (part of the trap's round trip). */
  readonly resume: K
  /** Entering the guest kernel's handler through its virtual IDT. */
  readonly reflect: K
  /** INT 0x80 from ring 3, and its interposition by the monitor. */
  readonly guestSyscall: K
  readonly syscallReflect: K
  /** The shadow MMU's work on a page fault. */
  readonly shadowFill: K
  /** Emulating a privileged instruction, by what it touched; `io` is charged per port access. */
  readonly emulate: Readonly<Record<Emulation['kind'], K>>
}

/**
 * What the two ring-compression architectures share (trap-emulate, vmware-bt): a
 * {@link RingCompressionMonitor} per VM on a CPU that reaches no device directly, with every event the
 * real IDT would deliver handled first by the monitor and reported as a flow — interrupts and system
 * calls reflected to the guest kernel, page faults given to the shadow MMU, exceptions reflected, and
 * privileged instructions that trapped (#GP) emulated. Subclasses say which components take part,
 * what each step costs, and what happens to a write to a traced page table.
 */
export abstract class RingCompressionModel<K extends string> implements HypervisorModel {
  abstract readonly arch: ArchId
  abstract readonly shell: ManagementShell | null
  protected readonly flows: FlowRecorder<K>
  protected readonly monitors = new Map<number, RingCompressionMonitor>()

  constructor(
    protected readonly host: ModelHost,
    private readonly ids: { readonly kernel: string; readonly monitor: string },
    protected readonly cost: RingCompressionCosts<K>,
  ) {
    this.flows = host.flows as FlowRecorder<K>
  }

  /** The monitor of VM `index` (1-based), for tests and the inspector. */
  monitor(index: number): RingCompressionMonitor | undefined {
    return this.monitors.get(index)
  }

  /** The CPU a VM's vCPU is (BT subclasses it). */
  protected makeCpu(env: CpuEnv): Cpu {
    return new Cpu(env)
  }

  /** Hooks the model adds to a new vCPU besides the trap interceptor. */
  protected abstract attach(vm: Vm, cpu: Cpu, mon: RingCompressionMonitor): void

  createCpu(vm: Vm): Cpu {
    // The guest reaches no device directly: outside ring 0 with IOPL 0 and no I/O bitmap every port
    // access faults into the monitor, and device memory is not mapped (the buses the CPU sees are empty).
    const cpu = this.makeCpu({
      mem: this.host.hostMemory,
      ports: new PortBus(),
      mmio: new MmioBus(),
      intc: null,
      sink: this.host.sink,
      clock: this.host.clock,
    })
    const mon = new RingCompressionMonitor(vm, cpu, (vm.index - 1) * MONITOR_REGION_BYTES, this.host.sink)
    this.monitors.set(vm.index, mon)
    cpu.trapInterceptor = (vector, errorCode, source, length) =>
      this.trap(vm, mon, vector, errorCode, source, length)
    this.attach(vm, cpu, mon)
    return cpu
  }

  protected parts(vm: Vm): Parts {
    const t = this.host.topology
    return {
      vm: vm.index,
      kernel: componentIndex(t, this.ids.kernel, vm.index),
      user: componentIndex(t, 'guest-user', vm.index),
      monitor: componentIndex(t, this.ids.monitor, vm.index),
    }
  }

  protected component(id: string): number {
    return componentIndex(this.host.topology, id)
  }

  /** Everything the real IDT would deliver comes here first: the monitor owns it. */
  private trap(
    vm: Vm,
    mon: RingCompressionMonitor,
    vector: number,
    errorCode: number,
    source: TrapSource,
    length: number,
  ): boolean {
    const cpu = mon.cpu
    const p = this.parts(vm)
    const from = cpu.cpl === 3 ? p.user : p.kernel
    const f = this.flows
    if (source === 'external') {
      if (!mon.acceptInterrupt(vector)) return true
      const dev = this.component(irqDevice(mon.lastIrq))
      f.begin(FlowKind.Interrupt, vector, dev, mon.lastIrq >>> 0)
      this.interruptHops(p, dev, vector, mon.lastIrq)
      this.reflect(mon, p, vector, -1, 'external', 0, this.cost.reflect)
      f.end()
      return true
    }
    if (source === 'software') {
      const syscall = vector === SYSCALL_VECTOR && cpu.cpl === 3
      if (syscall) {
        const eax = cpu.r[0]! >>> 0
        this.host.sink.emit(EventKind.Syscall, eax, cpu.eip >>> 0, cpu.r[3]! >>> 0)
        f.begin(FlowKind.Syscall, eax, p.user)
        f.hop(p.user, p.monitor, HopCause.Trap, this.cost.guestSyscall, eax)
      } else {
        f.begin(FlowKind.Exception, vector, from)
        f.hop(from, p.monitor, HopCause.Trap, this.cost.trap, vector)
      }
      this.reflect(
        mon,
        p,
        vector,
        -1,
        'software',
        length,
        syscall ? this.cost.syscallReflect : this.cost.reflect,
      )
      f.end()
      return true
    }
    if (vector === GP && cpu.cpl !== 3 && cpu.insnEip() === cpu.eip) {
      let done: Emulation | null
      try {
        done = mon.emulate(cpu.cur)
      } catch (e) {
        if (e !== FAULT) throw e
        // The emulated instruction's own fault (its operand, or a hidden page fault on it), handled as
        // the CPU would deliver it (CR2 is written at delivery).
        if (cpu.excVector === PF) cpu.cr2 = cpu.excAddr
        return this.trap(vm, mon, cpu.excVector, cpu.excError, 'exception', 0)
      }
      if (done !== null) {
        f.begin(FlowKind.Exception, GP, p.kernel, done.op)
        f.hop(p.kernel, p.monitor, HopCause.Trap, this.cost.trap, cpu.eip >>> 0, done.op)
        this.emulationHops(p, mon, done)
        f.end()
        mon.pump()
        return true
      }
    }
    if (vector === PF) {
      this.pageFault(vm, mon, p, from, errorCode)
      return true
    }
    f.begin(FlowKind.Exception, vector, from, errorCode >>> 0)
    f.hop(from, p.monitor, HopCause.Trap, this.cost.trap, vector, errorCode >>> 0)
    this.reflect(mon, p, vector, errorCode, 'exception', 0, this.cost.reflect)
    f.end()
    return true
  }

  /** The monitor's work for an emulated instruction (through the device for port I/O), and the return to the kernel. */
  protected emulationHops(p: Parts, mon: RingCompressionMonitor, e: Emulation): void {
    const f = this.flows
    if (e.kind === 'io') {
      const costs = Array.from({ length: Math.max(1, e.count) }, () => this.cost.emulate.io)
      this.deviceHops(p, portDevice(e.port), e.port, e.write, e.value, costs)
    } else f.work(p.monitor, this.cost.emulate[e.kind])
    if (e.kind !== 'halt' || mon.cpu.pendingQueued() > 0)
      f.hop(p.monitor, p.kernel, HopCause.Return, this.cost.resume)
  }

  /** A port access the monitor emulates: to the device's component and back. */
  protected deviceHops(
    p: Parts,
    dev: HardwareId,
    port: number,
    write: boolean,
    value: number,
    costs: readonly K[],
  ): void {
    const d = this.component(dev)
    this.flows.hop(p.monitor, d, write ? HopCause.Call : HopCause.Return, costs, port, value)
    this.flows.hop(d, p.monitor, HopCause.Return, this.cost.resume, port, value)
  }

  /** A virtual device's interrupt (from component `dev`) reaching the monitor. */
  protected interruptHops(p: Parts, dev: number, vector: number, irq: number): void {
    this.flows.hop(dev, p.monitor, HopCause.Signal, this.cost.trap, vector, irq >>> 0)
  }

  /**
   * A write to a guest page table the shadow MMU traces (write-protected). Trap-and-emulate lets the
   * page go unsync (KVM's way: no instruction to decode); BT overrides this with tracing.
   */
  protected tracedWrite(
    _vm: Vm,
    mon: RingCompressionMonitor,
    p: Parts,
    from: number,
    r: ShadowFault & { kind: 'pt-write' },
    errorCode: number,
  ): void {
    mon.mmu.unsync(r.gpa)
    const f = this.flows
    f.begin(FlowKind.PageTableUpdate, PF, from, r.gpa >>> 0)
    f.hop(from, p.monitor, HopCause.Trap, this.cost.trap, mon.cpu.cr2 >>> 0, errorCode >>> 0)
    f.work(p.monitor, this.cost.shadowFill)
    f.hop(p.monitor, from, HopCause.Return, this.cost.resume)
    f.end()
  }

  /** #PF: a hidden fault (the shadow lacked an entry), a write to a traced page table, or the guest's own fault. */
  private pageFault(vm: Vm, mon: RingCompressionMonitor, p: Parts, from: number, errorCode: number): void {
    const f = this.flows
    const linear = mon.cpu.cr2
    const r = mon.mmu.fault(linear, errorCode)
    switch (r.kind) {
      case 'fixed':
        this.host.sink.emit(EventKind.ShadowFault, errorCode, linear >>> 0, r.entry >>> 0, r.gpa >>> 0)
        f.begin(FlowKind.Exception, PF, from, linear >>> 0)
        f.hop(from, p.monitor, HopCause.Trap, this.cost.trap, linear >>> 0, errorCode >>> 0)
        f.work(p.monitor, this.cost.shadowFill)
        f.hop(p.monitor, from, HopCause.Return, this.cost.resume)
        f.end()
        return
      case 'pt-write':
        this.host.sink.emit(EventKind.ShadowFault, errorCode, linear >>> 0, 0, r.gpa >>> 0)
        this.tracedWrite(vm, mon, p, from, r, errorCode)
        return
      case 'guest':
      case 'unbacked': {
        mon.cr2 = linear
        const err = r.kind === 'guest' ? r.errorCode : errorCode & 6
        f.begin(FlowKind.Exception, PF, from, err)
        f.hop(from, p.monitor, HopCause.Trap, this.cost.trap, linear >>> 0, err)
        f.work(p.monitor, this.cost.shadowFill)
        this.reflect(mon, p, PF, err, 'exception', 0, this.cost.reflect)
        f.end()
        return
      }
    }
  }

  /** Reflects an event to the guest kernel (the upcall hop), charging any hidden fault on its stack. */
  private reflect(
    mon: RingCompressionMonitor,
    p: Parts,
    vector: number,
    errorCode: number,
    source: TrapSource,
    length: number,
    costId: K,
  ): void {
    const hidden = mon.reflect(vector, errorCode, source, length)
    for (let k = 0; k < hidden; k++) this.flows.work(p.monitor, this.cost.shadowFill)
    this.flows.hop(p.monitor, p.kernel, HopCause.Upcall, costId, vector, errorCode >>> 0)
  }

  guestView(vm: Vm): GuestView | null {
    return this.monitors.get(vm.index)?.guestView() ?? null
  }

  vmStarted(vm: Vm): void {
    this.monitors.get(vm.index)?.start()
  }

  vmStopped(): void {}

  beforeRun(vm: Vm): void {
    this.monitors.get(vm.index)?.pump()
  }

  handleStop(): void {}

  /** The virtual PIC may have raised a request: hand it to the guest if it can take it, waking a halted vCPU. */
  devicesAdvanced(vm: Vm): void {
    const mon = this.monitors.get(vm.index)
    if (mon === undefined || vm.state !== 'running') return
    if (mon.pump() && vm.blocked) vm.blocked = false
  }

  saveState(w: StateWriter): void {
    w.section(this.arch)
    for (const vm of this.host.vms) {
      const mon = this.monitors.get(vm.index)
      const on = mon !== undefined && vm.state !== 'off'
      w.bool(on)
      if (on) mon.saveState(w)
    }
  }

  loadState(r: StateReader): void {
    r.section(this.arch)
    for (const vm of this.host.vms) if (r.bool()) this.monitors.get(vm.index)!.loadState(r)
  }
}
