import { Irq } from '../../machine/layout'
import type { Vm } from '../../session/vm'
import { HopCause } from '../../trace/schema'
import type { ModelHost } from '../model'
import { vmControl } from '../vm-control'
import type { DeviceClass } from '../vtx/device-class'
import { VtxModel } from '../vtx/vtx-model'
import type { EsxiCostId } from './costs'
import { ESXI_VIM_CMD, EsxShell, type EsxCost } from './vim-cmd'

/**
 * VMware ESXi with hardware assistance (hypervisor-flows.md §6.2). Every exit of a VM is handled by
 * its VMM inside the VMkernel, which emulates device registers itself; storage and network I/O go on to
 * the VMkernel's own stacks; output through other devices (the serial port's backing file or pipe)
 * goes to the VM's VMX user world [R: the VMM/VMX device split is proprietary, §11.6]. There is no
 * management OS: hostd and vpxa are VMkernel user worlds.
 */
export class EsxiModel extends VtxModel<EsxiCostId> {
  readonly arch = 'esxi' as const
  readonly shell: EsxShell<EsxCost>
  protected readonly hypervisorId = 'vmm'
  protected readonly cpuidSignature = [0x40000010, 'VMwareVMware'] as const

  constructor(host: ModelHost) {
    super(host)
    this.shell = new EsxShell(vmControl(host), this.flows, host.topology, ESXI_VIM_CMD)
  }

  protected deviceAccess(vm: Vm, device: DeviceClass, write: boolean): string {
    this.work(vm, 'vmm', 'emulate-kernel-device')
    if (device === 'storage' || device === 'notify') {
      this.hop(vm, 'vmm', 'vmkernel', HopCause.Call, 'vmm-to-vmkernel')
      this.hop(vm, 'vmkernel', 'vmm', HopCause.Return, 'vmkernel-to-vmm')
    } else if (device === 'console' && write) {
      this.hop(vm, 'vmm', 'vmx', HopCause.Message, 'vmm-to-vmx')
      this.hop(vm, 'vmx', 'vmkernel', HopCause.Syscall, 'host-syscall')
      this.hop(vm, 'vmx', 'vmm', HopCause.Return, 'vmx-to-vmm')
    }
    return 'vmm'
  }

  protected interruptPath(vm: Vm, irq: number, running: boolean): void {
    // Physical interrupts are taken by the VMkernel's drivers; the VMM posts the virtual interrupt [R, §6.2 (d)].
    const hw =
      irq === Irq.pit || irq < 0 ? 'timer' : irq === Irq.ata || irq === Irq.virtioBlock ? 'disk' : 'uart'
    this.hop(null, hw, 'vmkernel', HopCause.Signal, running ? 'exit' : 'inject')
    this.hop(vm, 'vmkernel', 'vmm', HopCause.Return, 'timer-deliver')
  }
}
