import { Cpu } from '../../cpu/cpu'
import type { TrapSource } from '../../cpu/vmx-seam'
import type { Vm } from '../../session/vm'
import type { StateReader, StateWriter } from '../../snapshot'
import { EventKind, FlowKind, HopCause } from '../../trace/schema'
import { utf8Encode } from '../../util/utf8'
import { irqDevice, mmioDevice, portDevice } from '../devices'
import type { FlowRecorder } from '../flow'
import type { HypervisorModel, ModelHost } from '../model'
import { ObservedMmioBus, ObservedPortBus } from '../observed-buses'
import { componentIndex } from '../topology'
import type { ContainerCostId } from './costs'
import { elfSymbol } from './elf-symbols'
import { RuncShell } from './runc-shell'

const SYSCALL_VECTOR = 0x80
const PAGE_FAULT = 14

/**
 * ringos's container system calls (guest/include/abi.h): the steps runc takes, reported as the
 * management flow of a container's creation, with these MgmtStep codes.
 */
export const RuncStep = { Clone: 15, Cgroup: 16, PivotRoot: 17, Execve: 18, Kill: 19 } as const
const RUNC_STEPS = new Set<number>(Object.values(RuncStep))

/** Byte offsets in ringos's `ns_now` (guest/kernel/container.c): pid, pid in its namespace, namespace, name. */
const NS_NOW_NS = 8
const NS_NOW_NAME = 12

/**
 * Containers (hypervisor-flows.md §8): no hypervisor, one kernel. The CPU is wired straight to the
 * machine, as on bare metal; the kernel (`host-kernel`, ringos built with namespaces and a pids
 * cgroup: ringos-container.elf) gives each container its own PID numbering, root directory and host
 * name. A system call goes from the calling process straight to that kernel — no monitor, no exit —
 * whether the process is the host's, runc, or a container's. The model tells them apart the way a
 * tracer does, by reading which process runs: the kernel keeps `ns_now` (pid, namespace, name) up to
 * date at every switch; the model finds it in the image's symbol table [R: Ringside's view, not
 * anything the hardware knows]. runc's system calls are reported as the management flow, its four
 * container-creation steps with MgmtStep events.
 */
export class ContainerModel implements HypervisorModel {
  readonly arch = 'container' as const
  readonly shell: RuncShell
  private readonly flows: FlowRecorder<ContainerCostId>
  /** Guest-physical address of the kernel's `ns_now`, or -1 (a kernel without containers). */
  private nsNow = -1

  constructor(private readonly host: ModelHost) {
    this.flows = host.flows as FlowRecorder<ContainerCostId>
    this.shell = new RuncShell((line) => {
      const vm = host.vms[0]
      if (vm === undefined || vm.state !== 'running') return
      vm.input(utf8Encode(`${line}\n`))
      this.devicesAdvanced(vm)
    })
  }

  private ix(id: string): number {
    return componentIndex(this.host.topology, id)
  }

  createCpu(vm: Vm): Cpu {
    const access = (
      dev: number,
      addr: number,
      write: boolean,
      value: number,
      cost: ContainerCostId,
    ): void => {
      const kernel = this.ix('host-kernel')
      this.flows.begin(FlowKind.DeviceAccess, addr, kernel, value)
      this.flows.hop(kernel, dev, write ? HopCause.Call : HopCause.Return, cost, addr, value)
      this.flows.end()
    }
    const cpu = new Cpu({
      mem: this.host.hostMemory,
      ports: new ObservedPortBus(vm.pc.ports, (port, _size, write, value) =>
        access(this.ix(portDevice(port)), port, write, value, 'native-pio'),
      ),
      mmio: new ObservedMmioBus(vm.pc.mmio, (addr, _size, write, value) =>
        access(this.ix(mmioDevice(addr)), addr, write, value, 'native-mmio'),
      ),
      intc: vm.pc.pic,
      sink: this.host.sink,
      clock: this.host.clock,
    })
    cpu.trapInterceptor = (vector, errorCode, source) => this.trap(vm, cpu, vector, errorCode, source)
    return cpu
  }

  /** The component of the process that runs now: a container's, runc, or the host's own. */
  private caller(vm: Vm): { component: number; ns: number } {
    if (this.nsNow < 0) return { component: this.ix('host-user'), ns: 0 }
    const ns = vm.memory.read32(this.nsNow + NS_NOW_NS) | 0
    if (ns !== 0) return { component: this.ix('container-user'), ns }
    const name = vm.memory.readBytes(this.nsNow + NS_NOW_NAME, 5)
    const runc = name[0] === 0x72 && name[1] === 0x75 && name[2] === 0x6e && name[3] === 0x63 && name[4] === 0
    return { component: this.ix(runc ? 'runc' : 'host-user'), ns: 0 }
  }

  /** Reports what the IDT is about to deliver; the CPU then delivers it (there is nothing to intercept). */
  private trap(vm: Vm, cpu: Cpu, vector: number, errorCode: number, source: TrapSource): boolean {
    const f = this.flows
    const kernel = this.ix('host-kernel')
    if (source === 'software' && vector === SYSCALL_VECTOR && cpu.cpl === 3) {
      const eax = cpu.r[0]! >>> 0
      const who = this.caller(vm)
      this.host.sink.emit(EventKind.Syscall, eax, cpu.eip >>> 0, cpu.r[3]! >>> 0)
      if (RUNC_STEPS.has(eax) || who.component === this.ix('runc')) {
        // Every system call of runc is the management plane at work (`runc list` reads and writes
        // too); clone (CLONE_NEW*), cgroup, pivot_root and execve are a container's creation, step by step.
        f.begin(FlowKind.Management, eax, who.component, cpu.r[3]! >>> 0)
        if (RUNC_STEPS.has(eax)) f.step(eax, cpu.r[3]! >>> 0, cpu.r[1]! >>> 0)
      } else f.begin(FlowKind.Syscall, eax, who.component, who.ns)
      f.hop(who.component, kernel, HopCause.Syscall, 'guest-syscall', eax, who.ns)
      f.end()
    } else if (source === 'external') {
      const irq = vm.pc.pic.lastIrq
      const dev = this.ix(irqDevice(irq))
      f.begin(FlowKind.Interrupt, vector, dev, irq >>> 0)
      f.hop(dev, kernel, HopCause.Signal, 'native-interrupt', vector, irq >>> 0)
      f.end()
    } else {
      const cpuBox = this.ix('cpu')
      f.begin(FlowKind.Exception, vector, cpuBox, errorCode >>> 0)
      f.hop(
        cpuBox,
        kernel,
        HopCause.Trap,
        vector === PAGE_FAULT ? 'native-page-fault' : 'native-fault',
        vector,
        errorCode >>> 0,
      )
      f.end()
    }
    return false
  }

  vmStarted(vm: Vm): void {
    this.nsNow = elfSymbol(vm.spec.image, 'ns_now') ?? -1
  }

  vmStopped(): void {}
  beforeRun(): void {}
  handleStop(): void {}

  /** A CPU waiting in HLT wakes when the 8259A raises INTR (SDM Vol. 3A §6.7 "HLT"); the CPU itself then delivers it. */
  devicesAdvanced(vm: Vm): void {
    if (vm.blocked && vm.pc.pic.intr) vm.blocked = false
  }

  saveState(w: StateWriter): void {
    w.section('container')
    w.f64(this.nsNow)
  }

  loadState(r: StateReader): void {
    r.section('container')
    this.nsNow = r.f64()
  }
}
