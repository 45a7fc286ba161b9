import { Cpu } from '../../cpu/cpu'
import { PcLayout } from '../../machine/layout'
import type { TrapSource } from '../../cpu/vmx-seam'
import type { StateReader, StateWriter } from '../../snapshot'
import { EventKind, FlowKind, HopCause } from '../../trace/schema'
import type { Vm } from '../../session/vm'
import type { FlowRecorder } from '../flow'
import type { HypervisorModel, ModelHost } from '../model'
import { ObservedMmioBus, ObservedPortBus } from '../observed-buses'
import { irqDevice, mmioDevice, portDevice } from '../devices'
import { componentIndex, type Topology } from '../topology'
import type { BareCostId } from './costs'

/** The guest OS's system-call vector (ringos and Linux i386 both use `int 0x80`). */
const SYSCALL_VECTOR = 0x80
const PAGE_FAULT = 14

/**
 * Bare metal: no hypervisor. The guest's CPU is wired straight to the PC's buses and interrupt
 * controller; the model only reports what happens as flows — system calls, interrupts, exceptions and
 * device accesses — with the hardware's own costs (bare/costs.ts), the baseline of every comparison.
 */
export class BareModel implements HypervisorModel {
  readonly arch = 'bare' as const
  readonly shell = null
  private readonly flows: FlowRecorder<BareCostId>
  private readonly topology: Topology
  private readonly c: Record<'kernel' | 'user' | 'cpu' | 'timer' | 'uart' | 'disk' | 'memory' | 'nic', number>

  constructor(private readonly host: ModelHost) {
    this.flows = host.flows as FlowRecorder<BareCostId>
    this.topology = host.topology
    const ix = (id: string) => componentIndex(this.topology, id)
    this.c = {
      kernel: ix('guest-kernel'),
      user: ix('guest-user'),
      cpu: ix('cpu'),
      timer: ix('timer'),
      uart: ix('uart'),
      disk: ix('disk'),
      memory: ix('memory'),
      nic: ix('nic'),
    }
  }

  createCpu(vm: Vm): Cpu {
    const cpu: Cpu = new Cpu({
      mem: this.host.hostMemory,
      ports: new ObservedPortBus(vm.pc.ports, (port, _size, write, value) =>
        this.deviceAccess(
          cpu,
          this.c[portDevice(port)],
          port,
          write,
          value,
          port === PcLayout.ataCommand ? 'native-ata-data' : 'native-pio',
        ),
      ),
      mmio: new ObservedMmioBus(vm.pc.mmio, (addr, _size, write, value) =>
        this.deviceAccess(cpu, this.c[mmioDevice(addr)], addr, write, value, 'native-mmio'),
      ),
      intc: vm.pc.pic,
      sink: this.host.sink,
      clock: this.host.clock,
    })
    cpu.trapInterceptor = (vector, errorCode, source) => this.trap(vm, cpu, vector, errorCode, source)
    return cpu
  }

  private guestSide(cpu: Cpu): number {
    return cpu.cpl === 3 ? this.c.user : this.c.kernel
  }

  private deviceAccess(
    cpu: Cpu,
    device: number,
    addr: number,
    write: boolean,
    value: number,
    cost: BareCostId,
  ): void {
    const from = this.guestSide(cpu)
    this.flows.begin(FlowKind.DeviceAccess, addr, from, value)
    this.flows.hop(from, device, write ? HopCause.Call : HopCause.Return, cost, addr, value)
    this.flows.end()
  }

  /** Reports what the IDT is about to deliver; the CPU then delivers it (bare metal intercepts nothing). */
  private trap(vm: Vm, cpu: Cpu, vector: number, errorCode: number, source: TrapSource): boolean {
    const f = this.flows
    if (source === 'software' && vector === SYSCALL_VECTOR) {
      const eax = cpu.r[0] >>> 0
      this.host.sink.emit(EventKind.Syscall, eax, cpu.eip >>> 0, cpu.r[3] >>> 0)
      f.begin(FlowKind.Syscall, eax, this.c.user)
      f.hop(this.c.user, this.c.kernel, HopCause.Syscall, 'guest-syscall', eax)
      f.end()
    } else if (source === 'external') {
      const irq = vm.pc.pic.lastIrq
      const dev = this.c[irqDevice(irq)]
      f.begin(FlowKind.Interrupt, vector, dev, irq >>> 0)
      f.hop(dev, this.c.kernel, HopCause.Signal, 'native-interrupt', vector, irq >>> 0)
      f.end()
    } else {
      f.begin(FlowKind.Exception, vector, this.c.cpu, errorCode >>> 0)
      f.hop(
        this.c.cpu,
        this.c.kernel,
        HopCause.Trap,
        vector === PAGE_FAULT ? 'native-page-fault' : 'native-fault',
        vector,
        errorCode >>> 0,
      )
      f.end()
    }
    return false
  }

  vmStarted(): void {}
  vmStopped(): void {}
  beforeRun(): void {}
  handleStop(): void {}

  /** A CPU waiting in HLT wakes when the 8259A raises INTR (SDM Vol. 3A §6.7 "HLT"); the CPU itself then delivers it. */
  devicesAdvanced(vm: Vm): void {
    if (vm.blocked && vm.pc.pic.intr) vm.blocked = false
  }

  saveState(_w: StateWriter): void {}
  loadState(_r: StateReader): void {}
}
