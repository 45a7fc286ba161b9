import { HopCause } from '../../trace/schema'
import type { FlowRecorder } from '../flow'
import {
  fail,
  hop,
  ok,
  runPath,
  tokenize,
  type ManagementShell,
  type PathHop,
  type ShellResult,
  type VmControl,
} from '../management'
import type { Topology } from '../topology'
import type { ManagementCostId } from '../vtx-costs'

/** Steps of Start-VM / Stop-VM through WMI, VMMS and the worker process (hypervisor-flows.md §5.3 (g)), as MgmtStep codes. */
export const HyperVStep = {
  Wmi: 1,
  SpawnWorker: 2,
  VidSetup: 3,
  CreatePartition: 4,
  DepositMemory: 5,
  CreateVp: 6,
  FirstEntry: 7,
  StopWorker: 8,
  DeletePartition: 9,
  Reply: 10,
} as const

type HvCost = ManagementCostId | 'entry'

const START: PathHop<HvCost>[] = [
  hop('powershell', 'vmms', HopCause.Rpc, 'mgmt-rpc', HyperVStep.Wmi),
  hop('vmms', 'vmwp', HopCause.Call, 'mgmt-spawn', HyperVStep.SpawnWorker),
  hop('vmwp', 'root-kernel', HopCause.Ioctl, 'mgmt-ioctl', HyperVStep.VidSetup),
  hop('root-kernel', 'hypervisor', HopCause.Trap, 'mgmt-ioctl', HyperVStep.CreatePartition),
  hop('root-kernel', 'hypervisor', HopCause.Trap, 'mgmt-populate', HyperVStep.DepositMemory),
  hop('root-kernel', 'hypervisor', HopCause.Trap, 'mgmt-ioctl', HyperVStep.CreateVp),
  hop('hypervisor', 'guest-kernel', HopCause.Return, 'entry', HyperVStep.FirstEntry),
  hop('vmms', 'powershell', HopCause.Return, 'mgmt-rpc', HyperVStep.Reply),
]
const STOP: PathHop<HvCost>[] = [
  hop('powershell', 'vmms', HopCause.Rpc, 'mgmt-rpc', HyperVStep.Wmi),
  hop('vmms', 'vmwp', HopCause.Rpc, 'mgmt-rpc', HyperVStep.StopWorker),
  hop('vmwp', 'root-kernel', HopCause.Ioctl, 'mgmt-ioctl', HyperVStep.StopWorker),
  hop('root-kernel', 'hypervisor', HopCause.Trap, 'mgmt-teardown', HyperVStep.DeletePartition),
  hop('vmms', 'powershell', HopCause.Return, 'mgmt-rpc', HyperVStep.Reply),
]
const QUERY: PathHop<HvCost>[] = [
  hop('powershell', 'vmms', HopCause.Rpc, 'mgmt-rpc', HyperVStep.Wmi),
  hop('vmms', 'powershell', HopCause.Return, 'mgmt-rpc', HyperVStep.Reply),
]

/** A .NET TimeSpan as PowerShell prints it: [d.]hh:mm:ss[.fffffff]. */
export function timeSpan(seconds: number): string {
  const ticks = Math.round(seconds * 1e7)
  const frac = ticks % 1e7
  const total = Math.floor(ticks / 1e7)
  const d = Math.floor(total / 86400)
  const p2 = (n: number) => String(n).padStart(2, '0')
  const hms = `${p2(Math.floor(total / 3600) % 24)}:${p2(Math.floor(total / 60) % 60)}:${p2(total % 60)}`
  return `${d > 0 ? `${d}.` : ''}${hms}${frac ? `.${String(frac).padStart(7, '0')}` : ''}`
}

/** PowerShell's Format-Table: columns sized to header and content, a dashed rule the width of each header, blank lines around. */
function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)))
  const line = (r: readonly string[]) =>
    r
      .map((c, j) => (j < r.length - 1 ? c.padEnd(widths[j]!) : c))
      .join(' ')
      .trimEnd() + '\n'
  const [head, ...body] = rows
  return '\n' + line(head!) + line(head!.map((h) => '-'.repeat(h.length))) + body.map(line).join('') + '\n'
}

/**
 * Hyper-V's PowerShell cmdlets in the root partition: `Get-VM [-Name n]`, `Start-VM [-Name] n`,
 * `Stop-VM [-Name] n [-TurnOff]` (cmdlet and parameter names are case-insensitive, as in PowerShell).
 * Ringside's guests have no shutdown integration service, so Stop-VM turns the VM off.
 */
export class PowerShellShell implements ManagementShell {
  readonly tools = ['Get-VM', 'Start-VM', 'Stop-VM'] as const

  constructor(
    private readonly vms: VmControl,
    private readonly rec: FlowRecorder<HvCost>,
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
    const [cmdlet, ...rest] = argv
    const name = this.nameParameter(rest)
    switch (cmdlet!.toLowerCase()) {
      case 'get-vm':
        return this.getVm(name)
      case 'start-vm':
        return this.change('Start-VM', name, true)
      case 'stop-vm':
        return this.change('Stop-VM', name, false)
      default:
        return fail(
          `${cmdlet} : The term '${cmdlet}' is not recognized as the name of a cmdlet, function, script file, or operable program.\n`,
        )
    }
  }

  private nameParameter(args: string[]): string | undefined {
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!
      if (a.toLowerCase() === '-name') return args[i + 1]
      if (!a.startsWith('-')) return a
    }
    return undefined
  }

  private getVm(name: string | undefined): ShellResult {
    const vms = this.vms
      .list()
      .filter((v) => name === undefined || v.name.toLowerCase() === name.toLowerCase())
    const now = this.vms.now()
    runPath(this.rec, this.topology, null, QUERY, HyperVStep.Wmi)
    if (vms.length === 0) return this.notFound('Get-VM', name ?? '')
    const rows = [['Name', 'State', 'CPUUsage(%)', 'MemoryAssigned(M)', 'Uptime', 'Status', 'Version']]
    for (const vm of vms) {
      const on = vm.state === 'running'
      rows.push([
        vm.name,
        on ? 'Running' : 'Off',
        '0',
        on ? String(vm.memMiB) : '0',
        timeSpan(on ? (now - vm.startedAt) / 1e9 : 0),
        'Operating normally',
        '11.0',
      ])
    }
    return ok(formatTable(rows))
  }

  private change(cmdlet: string, name: string | undefined, start: boolean): ShellResult {
    if (name === undefined)
      return fail(
        `${cmdlet} : Cannot process command because of one or more missing mandatory parameters: Name.\n`,
      )
    const vm = this.vms.list().find((v) => v.name.toLowerCase() === name.toLowerCase())
    if (!vm) return this.notFound(cmdlet, name)
    if ((vm.state === 'running') === start) {
      runPath(this.rec, this.topology, null, QUERY, HyperVStep.Wmi)
      return fail(
        `${cmdlet} : '${vm.name}' failed to change state.\nThe operation cannot be performed while the object is in its current state.\n`,
      )
    }
    runPath(this.rec, this.topology, vm.index, start ? START : STOP, HyperVStep.Wmi)
    if (start) this.vms.start(vm.index)
    else this.vms.destroy(vm.index)
    return ok()
  }

  private notFound(cmdlet: string, name: string): ShellResult {
    return fail(`${cmdlet} : Hyper-V was unable to find a virtual machine with name "${name}".\n`)
  }
}
