import { Irq } from '../../machine/layout'
import type { Vm } from '../../session/vm'
import { HopCause } from '../../trace/schema'
import type { ModelHost } from '../model'
import { vmControl } from '../vm-control'
import type { DeviceClass } from '../vtx/device-class'
import { VtxModel } from '../vtx/vtx-model'
import type { WorkstationCostId } from './costs'
import { VmrunShell } from './vmrun'

/**
 * VMware Workstation, a hosted (type 2) hypervisor (hypervisor-flows.md §7.1; Sugerman et al. 2001). A
 * host OS owns the hardware; the VMM runs in a world of its own, with the guest in VMX non-root
 * operation [R: the paper describes the binary-translation-era VMM; the hosted I/O path is the same].
 * Exits are handled by the VMM, which emulates simple devices itself (the PIC, the PIT); any access it
 * cannot finish — the serial port's and the disk's data — means a **world switch** back to the host:
 * the vmmon driver returns to the VM's VMware application, which does the work with ordinary host
 * system calls (a guest disk read becomes a read() on the host), calls the driver again and switches
 * back to the VMM world. Host interrupts that arrive while the VMM world runs are taken back to the
 * host the same way.
 */
export class WorkstationModel extends VtxModel<WorkstationCostId> {
  readonly arch = 'workstation' as const
  readonly shell: VmrunShell
  protected readonly hypervisorId = 'vmm'
  protected readonly cpuidSignature = [0x40000010, 'VMwareVMware'] as const

  constructor(host: ModelHost) {
    super(host)
    this.shell = new VmrunShell(vmControl(host), this.flows, host.topology)
  }

  protected deviceAccess(vm: Vm, device: DeviceClass, write: boolean): string {
    if (device === 'chipset') {
      this.work(vm, 'vmm', 'emulate-in-vmm')
      return 'vmm'
    }
    this.hop(vm, 'vmm', 'vmmon', HopCause.WorldSwitch, 'world-switch')
    this.hop(vm, 'vmmon', 'vmapp', HopCause.Return, 'inject')
    this.work(vm, 'vmapp', 'emulate-user-device')
    if (write || device === 'storage') {
      this.hop(vm, 'vmapp', 'host-kernel', HopCause.Syscall, 'host-syscall')
      this.hop(vm, 'host-kernel', 'vmapp', HopCause.Return, 'inject')
    }
    this.hop(vm, 'vmapp', 'vmmon', HopCause.Ioctl, 'inject')
    this.hop(vm, 'vmmon', 'vmm', HopCause.WorldSwitch, 'world-switch')
    return 'vmapp'
  }

  protected interruptPath(vm: Vm, irq: number, running: boolean): void {
    // The host takes its interrupt; the VMM world is switched back in to deliver the guest's.
    const hw =
      irq === Irq.pit || irq < 0 ? 'timer' : irq === Irq.ata || irq === Irq.virtioBlock ? 'disk' : 'uart'
    this.hop(null, hw, 'host-kernel', HopCause.Signal, running ? 'exit' : 'inject')
    this.hop(vm, 'host-kernel', 'vmmon', HopCause.Call, 'timer-deliver')
    this.hop(vm, 'vmmon', 'vmm', HopCause.WorldSwitch, 'world-switch')
  }
}
