import { HopCause } from '../../trace/schema'
import type { FlowRecorder } from '../flow'
import {
  fail,
  hop,
  ok,
  runPath,
  tokenize,
  type ManagementShell,
  type ManagedVm,
  type PathHop,
  type ShellResult,
  type VmControl,
} from '../management'
import type { Topology } from '../topology'
import type { ManagementCostId } from '../vtx-costs'

/** Steps of a power-on/off by `vmrun` (hypervisor-flows.md §7.1), as MgmtStep codes. */
export const VmrunStep = { Request: 1, SpawnVmx: 2, LoadVmm: 3, FirstEntry: 4, PowerOff: 5 } as const

type Cost = ManagementCostId | 'world-switch' | 'entry'

const START: PathHop<Cost>[] = [
  hop('vmrun', 'vmapp', HopCause.Rpc, 'mgmt-spawn', VmrunStep.SpawnVmx),
  hop('vmapp', 'vmmon', HopCause.Ioctl, ['mgmt-ioctl', 'mgmt-populate'], VmrunStep.LoadVmm),
  hop('vmmon', 'vmm', HopCause.WorldSwitch, 'world-switch', VmrunStep.LoadVmm),
  hop('vmm', 'guest-kernel', HopCause.Return, 'entry', VmrunStep.FirstEntry),
]
const STOP: PathHop<Cost>[] = [
  hop('vmrun', 'vmapp', HopCause.Rpc, 'mgmt-rpc', VmrunStep.Request),
  hop('vmapp', 'vmmon', HopCause.Ioctl, 'mgmt-teardown', VmrunStep.PowerOff),
]

const QUERY: PathHop<Cost>[] = [
  hop('vmrun', 'vmapp', HopCause.Rpc, 'mgmt-rpc', VmrunStep.Request),
  hop('vmapp', 'vmrun', HopCause.Return, 'mgmt-rpc', VmrunStep.Request),
]

const vmxPath = (vm: ManagedVm) => `/home/student/vmware/${vm.name}/${vm.name}.vmx`

/**
 * `vmrun`, VMware Workstation's command-line control: `list`, `start PATH`, `stop PATH`. A VM is its
 * .vmx file; starting one spawns its VMware application process, which loads the VMM through the
 * vmmon driver and world-switches into it.
 */
export class VmrunShell implements ManagementShell {
  readonly tools = ['vmrun'] as const

  constructor(
    private readonly vms: VmControl,
    private readonly rec: FlowRecorder<Cost>,
    private readonly topology: Topology,
  ) {}

  execute(line: string): ShellResult {
    let argv: string[]
    try {
      argv = tokenize(line)
    } catch (e) {
      return fail(`Error: ${(e as Error).message}\n`)
    }
    if (argv.length === 0) return ok()
    if (argv[0] !== 'vmrun') return fail(`${argv[0]}: command not found (this shell runs vmrun)\n`, 127)
    const [cmd, path] = argv.slice(1).filter((a) => a !== '-T' && a !== 'ws')
    switch (cmd) {
      case 'list': {
        const running = this.vms.list().filter((v) => v.state === 'running')
        // vmrun asks each running VM's process (VIX) [R: one query per listed VM shown as one].
        const first = running[0]
        if (first) runPath(this.rec, this.topology, first.index, QUERY, VmrunStep.Request)
        return ok(`Total running VMs: ${running.length}\n${running.map((v) => `${vmxPath(v)}\n`).join('')}`)
      }
      case 'start':
      case 'stop': {
        if (path === undefined)
          return fail(`Error: Invalid argument: ${cmd} requires the path to a .vmx file\n`)
        const vm = this.vms
          .list()
          .find((v) => vmxPath(v) === path || v.name === path || `${v.name}.vmx` === path)
        if (!vm) return fail(`Error: Cannot open VM: ${path}, The virtual machine cannot be found\n`)
        if ((vm.state === 'running') === (cmd === 'start')) {
          return fail(
            cmd === 'start'
              ? `Error: The virtual machine is already running: ${vmxPath(vm)}\n`
              : `Error: The virtual machine is not powered on: ${vmxPath(vm)}\n`,
          )
        }
        runPath(this.rec, this.topology, vm.index, cmd === 'start' ? START : STOP, VmrunStep.Request)
        if (cmd === 'start') this.vms.start(vm.index)
        else this.vms.destroy(vm.index)
        return ok()
      }
      default:
        return fail(`Error: Unrecognized command: ${cmd ?? ''}\n`)
    }
  }
}
