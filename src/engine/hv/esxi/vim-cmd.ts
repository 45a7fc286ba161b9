import { HopCause } from '../../trace/schema'
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
  type ManagedVm,
  type PathHop,
  type ShellResult,
  type VmControl,
} from '../management'
import type { Topology } from '../topology'
import type { ManagementCostId } from '../vtx-costs'

/** Steps of an ESXi power-on/off through hostd (hypervisor-flows.md §6.2 (g)), as MgmtStep codes. */
export const EsxStep = {
  HostdRequest: 1,
  CreateVmxWorld: 2,
  StartVmx: 3,
  CreateVmmWorlds: 4,
  FirstEntry: 5,
  PowerOff: 6,
  Reply: 7,
} as const

/** The costs the ESXi management paths charge. */
export type EsxCost = ManagementCostId | 'entry'

const POWER_ON: PathHop<EsxCost>[] = [
  hop('vim-cmd', 'hostd', HopCause.Rpc, 'mgmt-rpc', EsxStep.HostdRequest),
  hop('hostd', 'vmkernel', HopCause.Syscall, 'mgmt-spawn', EsxStep.CreateVmxWorld),
  hop('hostd', 'vmx', HopCause.Rpc, 'mgmt-rpc', EsxStep.StartVmx),
  hop('vmx', 'vmkernel', HopCause.Syscall, ['mgmt-ioctl', 'mgmt-populate'], EsxStep.CreateVmmWorlds),
  hop('vmkernel', 'vmm', HopCause.Call, 'mgmt-ioctl', EsxStep.CreateVmmWorlds),
  hop('vmm', 'guest-kernel', HopCause.Return, 'entry', EsxStep.FirstEntry),
  hop('hostd', 'vim-cmd', HopCause.Return, 'mgmt-rpc', EsxStep.Reply),
]
const POWER_OFF: PathHop<EsxCost>[] = [
  hop('vim-cmd', 'hostd', HopCause.Rpc, 'mgmt-rpc', EsxStep.HostdRequest),
  hop('hostd', 'vmx', HopCause.Rpc, 'mgmt-rpc', EsxStep.PowerOff),
  hop('vmx', 'vmkernel', HopCause.Syscall, 'mgmt-teardown', EsxStep.PowerOff),
  hop('hostd', 'vim-cmd', HopCause.Return, 'mgmt-rpc', EsxStep.Reply),
]
const QUERY: PathHop<EsxCost>[] = [
  hop('vim-cmd', 'hostd', HopCause.Rpc, 'mgmt-rpc', EsxStep.HostdRequest),
  hop('hostd', 'vim-cmd', HopCause.Return, 'mgmt-rpc', EsxStep.Reply),
]

/** What differs between the VMkernels that answer vim-cmd: their paths and what they report. */
export interface EsxVariant<C extends string> {
  readonly powerOn: readonly PathHop<C>[]
  readonly powerOff: readonly PathHop<C>[]
  readonly query: readonly PathHop<C>[]
  /** The virtual hardware version getallvms shows (vmx-19: ESXi 7.0 U2). */
  readonly hardwareVersion: string
  /** esxcli exists (ESXi 5 and later). */
  readonly esxcli: boolean
  /** `vim-cmd` without a command: the namespaces it lists. */
  readonly help: string
}

/** vim-cmd on ESXi with hardware assistance. */
export const ESXI_VIM_CMD: EsxVariant<EsxCost> = {
  powerOn: POWER_ON,
  powerOff: POWER_OFF,
  query: QUERY,
  hardwareVersion: 'vmx-19',
  esxcli: true,
  help: 'Commands available under /:\nhbrsvc/       internalsvc/  solo/         vmsvc/\nhostsvc/      proxysvc/     vimsvc/       help\n',
}

/** World ids the VMkernel would assign (modelling choice: fixed, so runs are deterministic). */
const worldId = (vm: ManagedVm) => 2_098_000 + vm.index * 1000

/**
 * The ESXi shell: `vim-cmd vmsvc/getallvms | power.on | power.off | power.getstate` and
 * `esxcli vm process list`. Both reach the VMkernel through hostd: ESXi has no general-purpose
 * management OS (hypervisor-flows.md §6.1).
 */
export class EsxShell<C extends string> implements ManagementShell {
  readonly tools: readonly string[]

  constructor(
    private readonly vms: VmControl,
    private readonly rec: FlowRecorder<C>,
    private readonly topology: Topology,
    private readonly variant: EsxVariant<C>,
  ) {
    this.tools = variant.esxcli ? ['vim-cmd', 'esxcli'] : ['vim-cmd']
  }

  execute(line: string): ShellResult {
    let argv: string[]
    try {
      argv = tokenize(line)
    } catch (e) {
      return fail(`${(e as Error).message}\n`)
    }
    if (argv.length === 0) return ok()
    if (argv[0] === 'esxcli' && this.variant.esxcli) return this.esxcli(argv.slice(1))
    if (argv[0] === 'vim-cmd') return this.vimCmd(argv[1], argv.slice(2))
    return fail(`-sh: ${argv[0]}: not found\n`, 127)
  }

  private esxcli(args: string[]): ShellResult {
    if (args.join(' ') !== 'vm process list')
      return fail(`Error: Unknown command or namespace ${args.join(' ')}\n`)
    runPath(this.rec, this.topology, null, this.variant.query, EsxStep.HostdRequest)
    let out = ''
    for (const vm of this.vms.list()) {
      if (vm.state !== 'running') continue
      out += `${vm.name}\n   World ID: ${worldId(vm)}\n   Process ID: 0\n   VMX Cartel ID: ${worldId(vm) - 1}\n`
      out += `   UUID: 56 4d ${String(vm.index).padStart(2, '0')} 00 00 00 00 00-00 00 00 00 00 00 00 ${String(vm.index).padStart(2, '0')}\n`
      out += `   Display Name: ${vm.name}\n   Config File: /vmfs/volumes/datastore1/${vm.name}/${vm.name}.vmx\n\n`
    }
    return ok(out)
  }

  private vimCmd(cmd: string | undefined, args: string[]): ShellResult {
    switch (cmd) {
      case 'vmsvc/getallvms': {
        runPath(this.rec, this.topology, null, this.variant.query, EsxStep.HostdRequest)
        const rows = [['Vmid', 'Name', 'File', 'Guest OS', 'Version', 'Annotation']]
        for (const vm of this.vms.list())
          rows.push([
            String(vm.index),
            vm.name,
            `[datastore1] ${vm.name}/${vm.name}.vmx`,
            'otherGuest',
            this.variant.hardwareVersion,
            '',
          ])
        return ok(table(rows))
      }
      case 'vmsvc/power.on':
      case 'vmsvc/power.off':
      case 'vmsvc/power.getstate':
        return this.power(cmd, args[0])
      case undefined:
        return ok(this.variant.help)
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
      runPath(this.rec, this.topology, null, this.variant.query, EsxStep.HostdRequest)
      return ok(`Retrieved runtime info\n${state}\n`)
    }
    const on = cmd === 'vmsvc/power.on'
    const verb = on ? 'Powering on VM:\n' : 'Powering off VM:\n'
    if ((vm.state === 'running') === on) {
      runPath(this.rec, this.topology, null, this.variant.query, EsxStep.HostdRequest)
      return fail(
        `${verb}Power ${on ? 'on' : 'off'} failed\n(vim.fault.InvalidPowerState) {\n   msg = "The attempted operation cannot be performed in the current state (${state}).",\n}\n`,
      )
    }
    runPath(
      this.rec,
      this.topology,
      vm.index,
      on ? this.variant.powerOn : this.variant.powerOff,
      EsxStep.HostdRequest,
    )
    if (on) this.vms.start(vm.index)
    else this.vms.destroy(vm.index)
    return ok(verb)
  }
}
