import { HopCause } from '../../trace/schema'
import { EsxStep, type EsxVariant } from '../esxi/vim-cmd'
import { hop, type PathHop } from '../management'
import type { VmwareBtCostId } from './costs'

/**
 * Power-on through hostd on a VMkernel whose VMM runs the guest by binary translation: hostd asks
 * the VMkernel to create the VM's worlds, the VMkernel loads the VMM, and the VMM enters the guest's
 * code through the translator (hypervisor-flows.md §6.2 (g), with the BT VMM of §6.3 [R: the classic
 * VMX process is left out of this topology]).
 */
const POWER_ON: PathHop<VmwareBtCostId>[] = [
  hop('vim-cmd', 'hostd', HopCause.Rpc, 'mgmt-rpc', EsxStep.HostdRequest),
  hop('hostd', 'vmkernel', HopCause.Syscall, 'mgmt-spawn', EsxStep.CreateVmxWorld),
  hop('vmkernel', 'vmm', HopCause.Call, ['mgmt-ioctl', 'mgmt-populate'], EsxStep.CreateVmmWorlds),
  hop('vmm', 'bt', HopCause.Call, 'resume', EsxStep.FirstEntry),
  hop('hostd', 'vim-cmd', HopCause.Return, 'mgmt-rpc', EsxStep.Reply),
]
const POWER_OFF: PathHop<VmwareBtCostId>[] = [
  hop('vim-cmd', 'hostd', HopCause.Rpc, 'mgmt-rpc', EsxStep.HostdRequest),
  hop('hostd', 'vmkernel', HopCause.Syscall, 'mgmt-teardown', EsxStep.PowerOff),
  hop('hostd', 'vim-cmd', HopCause.Return, 'mgmt-rpc', EsxStep.Reply),
]
const QUERY: PathHop<VmwareBtCostId>[] = [
  hop('vim-cmd', 'hostd', HopCause.Rpc, 'mgmt-rpc', EsxStep.HostdRequest),
  hop('hostd', 'vim-cmd', HopCause.Return, 'mgmt-rpc', EsxStep.Reply),
]

/**
 * `vim-cmd vmsvc/getallvms | power.on | power.off | power.getstate` for the binary-translation
 * architecture: the ESXi shell (esxi/vim-cmd.ts) with the power-on path ending in the VMM's
 * translator instead of a VM entry, virtual hardware of the ESX 3 era and no esxcli.
 */
export const BT_VIM_CMD: EsxVariant<VmwareBtCostId> = {
  powerOn: POWER_ON,
  powerOff: POWER_OFF,
  query: QUERY,
  hardwareVersion: 'vmx-04',
  esxcli: false,
  help: 'Commands available under /:\nhostsvc/      vimsvc/       vmsvc/        help\n',
}
