import { HopCause } from '../../trace/schema'
import { EsxStep } from '../esxi/vim-cmd'
import type { FlowRecorder } from '../flow'
import {
  fail,
  findVm,
  hop,
  ok,
  runPath,
  table,
  tokenize,
  type ManagementShell,
  type PathHop,
  type ShellResult,
  type VmControl,
} from '../management'
import type { Topology } from '../topology'
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
 * architecture: the same commands and output as the ESXi shell (esxi/vim-cmd.ts), with the power-on
 * path ending in the VMM's translator instead of a VM entry.
 */
export class BtVimCmd implements ManagementShell {
  readonly tools = ['vim-cmd'] as const

  constructor(
    private readonly vms: VmControl,
    private readonly rec: FlowRecorder<VmwareBtCostId>,
    private readonly topology: Topology,
  ) {}

  execute(line: string): ShellResult {
    let argv: string[]
    try {
      argv = tokenize(line)
    } catch (e) {
      return fail(`${(e as Error).message}\n`)
    }
    if (argv.length === 0) return ok()
    if (argv[0] !== 'vim-cmd') return fail(`-sh: ${argv[0]}: not found\n`, 127)
    const cmd = argv[1]
    switch (cmd) {
      case 'vmsvc/getallvms': {
        runPath(this.rec, this.topology, null, QUERY, EsxStep.HostdRequest)
        const rows = [['Vmid', 'Name', 'File', 'Guest OS', 'Version', 'Annotation']]
        for (const vm of this.vms.list())
          rows.push([
            String(vm.index),
            vm.name,
            `[datastore1] ${vm.name}/${vm.name}.vmx`,
            'otherGuest',
            'vmx-04',
            '',
          ])
        return ok(table(rows))
      }
      case 'vmsvc/power.on':
      case 'vmsvc/power.off':
      case 'vmsvc/power.getstate':
        return this.power(cmd, argv[2])
      case undefined:
        return ok('Commands available under /:\nhostsvc/      vimsvc/       vmsvc/        help\n')
      default:
        return fail(`Unknown command: '${cmd}'\n`)
    }
  }

  private power(cmd: string, vmid: string | undefined): ShellResult {
    if (vmid === undefined) return fail('Insufficient arguments.\nUsage: ' + cmd.split('/')[1] + ' vmid\n')
    const vm = findVm(this.vms.list(), vmid, true)
    if (!vm || String(vm.index) !== vmid) return fail(`Unable to find a VM corresponding to "${vmid}"\n`)
    const state = vm.state === 'running' ? 'Powered on' : 'Powered off'
    if (cmd === 'vmsvc/power.getstate') {
      runPath(this.rec, this.topology, null, QUERY, EsxStep.HostdRequest)
      return ok(`Retrieved runtime info\n${state}\n`)
    }
    const on = cmd === 'vmsvc/power.on'
    const verb = on ? 'Powering on VM:\n' : 'Powering off VM:\n'
    if ((vm.state === 'running') === on) {
      runPath(this.rec, this.topology, null, QUERY, EsxStep.HostdRequest)
      return fail(
        `${verb}Power ${on ? 'on' : 'off'} failed\n(vim.fault.InvalidPowerState) {\n   msg = "The attempted operation cannot be performed in the current state (${state}).",\n}\n`,
      )
    }
    runPath(this.rec, this.topology, vm.index, on ? POWER_ON : POWER_OFF, EsxStep.HostdRequest)
    if (on) this.vms.start(vm.index)
    else this.vms.destroy(vm.index)
    return ok(verb)
  }
}
