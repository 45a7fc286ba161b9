import { Cpu } from '../../cpu/cpu'
import { FAULT } from '../../cpu/fault'
import type { TrapSource } from '../../cpu/vmx-seam'
import { MmioBus, PortBus } from '../../machine/bus'
import type { Vm } from '../../session/vm'
import type { StateReader, StateWriter } from '../../snapshot'
import { EventKind, FlowKind, HopCause } from '../../trace/schema'
import { irqDevice, portDevice } from '../devices'
import type { FlowRecorder } from '../flow'
import type { GuestView, HypervisorModel, ModelHost } from '../model'
import { componentIndex } from '../topology'
import type { TrapEmulateCostId } from './costs'
import { MONITOR_REGION_BYTES, RingCompressionMonitor, type Emulation } from './ring-compression'

const SYSCALL_VECTOR = 0x80
const GP = 13
const PF = 14

/** Component indices of one VM's flows. */
interface Parts {
  readonly kernel: number
  readonly user: number
  readonly monitor: number
  readonly cpu: number
}

/**
 * Classic trap-and-emulate with ring compression and no hardware support (x86-virtualization-facts.md
 * §2; the structure of VirtualBox's raw mode without its code patching, hypervisor-flows.md §7.2): the
 * guest kernel runs in ring 1, the monitor in ring 0 owns the real IDT, GDT, TSS and page tables
 * (trap-emulate/ring-compression.ts, ../shadow-mmu.ts). Every privileged instruction of the guest
 * kernel raises #GP and is emulated; every exception, interrupt and system call reaches the monitor
 * first and is reflected to the guest kernel through its virtual IDT; port I/O goes to the VM's
 * emulated devices. The sensitive-but-unprivileged instructions are not caught — the CPU reports them
 * as `SensitiveNoTrap` events, and the ringos `popf` and `sgdt` lab programs show what goes wrong.
 */
export class TrapEmulateModel implements HypervisorModel {
  readonly arch = 'trap-emulate' as const
  readonly shell = null
  private readonly flows: FlowRecorder<TrapEmulateCostId>
  private readonly monitors = new Map<number, RingCompressionMonitor>()

  constructor(private readonly host: ModelHost) {
    this.flows = host.flows as FlowRecorder<TrapEmulateCostId>
  }

  /** The monitor of VM `index` (1-based), for tests and the inspector. */
  monitor(index: number): RingCompressionMonitor | undefined {
    return this.monitors.get(index)
  }

  createCpu(vm: Vm): Cpu {
    // The guest reaches no device directly: at ring 1 with IOPL 0 and no I/O bitmap every port access
    // faults into the monitor, and device memory is not mapped (the buses the CPU sees are empty).
    const cpu = new Cpu({
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
    cpu.sensitiveWatch = true
    return cpu
  }

  private parts(vm: Vm): Parts {
    const t = this.host.topology
    return {
      kernel: componentIndex(t, 'guest-kernel', vm.index),
      user: componentIndex(t, 'guest-user', vm.index),
      monitor: componentIndex(t, 'monitor'),
      cpu: componentIndex(t, 'cpu'),
    }
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
      const irq = mon.lastIrq
      const dev = componentIndex(this.host.topology, irqDevice(irq))
      f.begin(FlowKind.Interrupt, vector, dev, irq >>> 0)
      f.hop(dev, p.monitor, HopCause.Signal, 'monitor-trap', vector, irq >>> 0)
      this.reflect(mon, p, vector, -1, 'external', 0)
      f.end()
      return true
    }
    if (source === 'software') {
      if (vector === SYSCALL_VECTOR && cpu.cpl === 3) {
        const eax = cpu.r[0] >>> 0
        this.host.sink.emit(EventKind.Syscall, eax, cpu.eip >>> 0, cpu.r[3] >>> 0)
        f.begin(FlowKind.Syscall, eax, p.user)
        f.hop(p.user, p.monitor, HopCause.Trap, 'guest-syscall', eax)
        this.reflect(mon, p, vector, -1, 'software', length, 'syscall-reflect')
        f.end()
        return true
      }
      f.begin(FlowKind.Exception, vector, from)
      f.hop(from, p.monitor, HopCause.Trap, 'monitor-trap', vector)
      this.reflect(mon, p, vector, -1, 'software', length)
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
        this.emulated(mon, p, done)
        return true
      }
    }
    if (vector === PF) return this.pageFault(mon, p, from, errorCode)
    f.begin(FlowKind.Exception, vector, from, errorCode >>> 0)
    f.hop(from, p.monitor, HopCause.Trap, 'monitor-trap', vector, errorCode >>> 0)
    this.reflect(mon, p, vector, errorCode, 'exception', 0)
    f.end()
    return true
  }

  /** A trapped privileged instruction the monitor emulated, as a flow through the monitor (and the device). */
  private emulated(mon: RingCompressionMonitor, p: Parts, e: Emulation): void {
    const f = this.flows
    f.begin(FlowKind.Exception, GP, p.kernel, e.op)
    f.hop(p.kernel, p.monitor, HopCause.Trap, 'monitor-trap', mon.cpu.eip >>> 0, e.op)
    switch (e.kind) {
      case 'io': {
        const dev = componentIndex(this.host.topology, portDevice(e.port))
        const costs: TrapEmulateCostId[] = Array.from(
          { length: Math.max(1, e.count) },
          () => 'emulate-device',
        )
        f.hop(p.monitor, dev, e.write ? HopCause.Call : HopCause.Return, costs, e.port, e.value)
        f.hop(dev, p.monitor, HopCause.Return, 'resume', e.port, e.value)
        break
      }
      case 'mmu':
        f.work(p.monitor, 'emulate-mmu')
        break
      case 'cpu':
      case 'halt':
        f.work(p.monitor, 'emulate-privileged')
        break
    }
    if (e.kind !== 'halt' || mon.cpu.pendingQueued() > 0)
      f.hop(p.monitor, p.kernel, HopCause.Return, 'resume')
    f.end()
    mon.pump()
  }

  /** #PF: a hidden fault (the shadow lacked an entry), a write to a traced page table, or the guest's own fault. */
  private pageFault(mon: RingCompressionMonitor, p: Parts, from: number, errorCode: number): boolean {
    const f = this.flows
    const cpu = mon.cpu
    const linear = cpu.cr2
    const r = mon.mmu.fault(linear, errorCode)
    switch (r.kind) {
      case 'fixed':
      case 'pt-write': {
        if (r.kind === 'pt-write') mon.mmu.unsync(r.gpa)
        this.host.sink.emit(
          EventKind.ShadowFault,
          errorCode,
          linear >>> 0,
          r.kind === 'fixed' ? r.entry >>> 0 : 0,
          r.gpa >>> 0,
        )
        f.begin(r.kind === 'fixed' ? FlowKind.Exception : FlowKind.PageTableUpdate, PF, from, linear >>> 0)
        f.hop(from, p.monitor, HopCause.Trap, 'monitor-trap', linear >>> 0, errorCode >>> 0)
        f.work(p.monitor, 'shadow-fill')
        f.hop(p.monitor, from, HopCause.Return, 'resume')
        f.end()
        return true
      }
      case 'guest':
      case 'unbacked': {
        mon.cr2 = linear
        const err = r.kind === 'guest' ? r.errorCode : errorCode & 6
        f.begin(FlowKind.Exception, PF, from, err)
        f.hop(from, p.monitor, HopCause.Trap, 'monitor-trap', linear >>> 0, err)
        f.work(p.monitor, 'shadow-fill')
        this.reflect(mon, p, PF, err, 'exception', 0)
        f.end()
        return true
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
    costId: TrapEmulateCostId = 'reflect',
  ): void {
    const hidden = mon.reflect(vector, errorCode, source, length)
    for (let k = 0; k < hidden; k++) this.flows.work(p.monitor, 'shadow-fill')
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
    w.section('trap-emulate')
    for (const vm of this.host.vms) {
      const mon = this.monitors.get(vm.index)
      w.bool(mon !== undefined && vm.state !== 'off')
      if (mon !== undefined && vm.state !== 'off') mon.saveState(w)
    }
  }

  loadState(r: StateReader): void {
    r.section('trap-emulate')
    for (const vm of this.host.vms) {
      if (r.bool()) this.monitors.get(vm.index)!.loadState(r)
    }
  }
}
