import { HopCause } from '../../trace/schema'
import type { FlowRecorder } from '../flow'
import {
  fail,
  findVm,
  hop,
  ok,
  runPath,
  tokenize,
  ShellSyntaxError,
  type ManagementShell,
  type ShellResult,
  type VmControl,
} from '../management'
import type { Topology } from '../topology'
import type { KvmCostId } from './costs'

/** Steps of libvirt's QEMU driver and QEMU's KVM set-up, as MgmtStep codes (hypervisor-flows.md §3.2 (g)). */
export const VirshStep = {
  Rpc: 1,
  SpawnQemu: 2,
  CreateVm: 3,
  SetMemoryRegion: 4,
  CreateVcpu: 5,
  SetVcpuState: 6,
  KvmRun: 7,
  VmLaunch: 8,
  Reply: 9,
  QmpQuit: 10,
  DestroyVm: 11,
} as const

const START = [
  hop<KvmCostId>('virsh', 'libvirtd', HopCause.Rpc, 'mgmt-rpc', VirshStep.Rpc),
  hop<KvmCostId>('libvirtd', 'qemu', HopCause.Call, 'mgmt-spawn', VirshStep.SpawnQemu),
  hop<KvmCostId>('qemu', 'kvm', HopCause.Ioctl, 'mgmt-ioctl', VirshStep.CreateVm),
  hop<KvmCostId>('qemu', 'kvm', HopCause.Ioctl, ['mgmt-ioctl', 'mgmt-populate'], VirshStep.SetMemoryRegion),
  hop<KvmCostId>('qemu', 'kvm', HopCause.Ioctl, 'mgmt-ioctl', VirshStep.CreateVcpu),
  hop<KvmCostId>('qemu', 'kvm', HopCause.Ioctl, 'mgmt-ioctl', VirshStep.SetVcpuState),
  hop<KvmCostId>('qemu', 'kvm', HopCause.Ioctl, 'mgmt-ioctl', VirshStep.KvmRun),
  hop<KvmCostId>('kvm', 'guest-kernel', HopCause.Return, 'entry', VirshStep.VmLaunch),
  hop<KvmCostId>('libvirtd', 'virsh', HopCause.Return, 'mgmt-rpc', VirshStep.Reply),
]
const DESTROY = [
  hop<KvmCostId>('virsh', 'libvirtd', HopCause.Rpc, 'mgmt-rpc', VirshStep.Rpc),
  hop<KvmCostId>('libvirtd', 'qemu', HopCause.Signal, 'mgmt-rpc', VirshStep.QmpQuit),
  hop<KvmCostId>('qemu', 'kvm', HopCause.Ioctl, 'mgmt-teardown', VirshStep.DestroyVm),
  hop<KvmCostId>('libvirtd', 'virsh', HopCause.Return, 'mgmt-rpc', VirshStep.Reply),
]
const QUERY = [
  hop<KvmCostId>('virsh', 'libvirtd', HopCause.Rpc, 'mgmt-rpc', VirshStep.Rpc),
  hop<KvmCostId>('libvirtd', 'virsh', HopCause.Return, 'mgmt-rpc', VirshStep.Reply),
]

const STATE_NAMES = { running: 'running', off: 'shut off', crashed: 'crashed' } as const

/**
 * `virsh` (libvirt's shell) for the KVM model: list, start, destroy, console. Output follows
 * libvirt ≥ 7 (quoted domain names; "shut off"; the list table with a dashed rule).
 */
export class VirshShell implements ManagementShell {
  readonly tools = ['virsh'] as const

  constructor(
    private readonly vms: VmControl,
    private readonly rec: FlowRecorder<KvmCostId>,
    private readonly topology: Topology,
  ) {}

  execute(line: string): ShellResult {
    let argv: string[]
    try {
      argv = tokenize(line)
    } catch (e) {
      return fail(`error: ${(e as ShellSyntaxError).message}\n`)
    }
    if (argv.length === 0) return ok()
    if (argv[0] !== 'virsh') return fail(`${argv[0]}: command not found (this shell runs virsh)\n`, 127)
    const [cmd, ...args] = argv.slice(1)
    switch (cmd) {
      case undefined:
      case 'help':
        return ok(
          " Domain Management (help keyword 'domain'):\n" +
            '    console                        connect to the guest console\n' +
            '    destroy                        destroy (stop) a domain\n' +
            '    start                          start a (previously defined) inactive domain\n' +
            " Domain Monitoring (help keyword 'monitor'):\n" +
            '    list                           list domains\n',
        )
      case 'list':
        return this.list(args)
      case 'start':
      case 'destroy':
      case 'console':
        return this.domainCommand(cmd, args)
      default:
        return fail(`error: unknown command: '${cmd}'\n`)
    }
  }

  private list(args: string[]): ShellResult {
    const all = args.includes('--all')
    const bad = args.find((a) => a !== '--all')
    if (bad) return fail(`error: command 'list' doesn't support option ${bad}\n`)
    runPath(this.rec, this.topology, null, QUERY, VirshStep.Rpc)
    const rows: string[][] = [['Id', 'Name', 'State']]
    for (const vm of this.vms.list()) {
      if (vm.state !== 'running' && !all) continue
      rows.push([vm.state === 'running' ? String(vm.index) : '-', vm.name, STATE_NAMES[vm.state]])
    }
    return ok(vshTable(rows) + '\n')
  }

  private domainCommand(cmd: 'start' | 'destroy' | 'console', args: string[]): ShellResult {
    const name = args[0]
    if (name === undefined) return fail(`error: command '${cmd}' requires <domain> option\n`)
    const vm = findVm(this.vms.list(), name, true)
    if (!vm) return fail(`error: failed to get domain '${name}'\n`)
    switch (cmd) {
      case 'start':
        if (vm.state === 'running') {
          runPath(this.rec, this.topology, null, QUERY, VirshStep.Rpc)
          return fail(
            `error: Failed to start domain '${vm.name}'\nerror: Requested operation is not valid: domain is already running\n`,
          )
        }
        runPath(this.rec, this.topology, vm.index, START, VirshStep.Rpc)
        this.vms.start(vm.index)
        return ok(`Domain '${vm.name}' started\n\n`)
      case 'destroy':
        if (vm.state !== 'running') {
          runPath(this.rec, this.topology, null, QUERY, VirshStep.Rpc)
          return fail(
            `error: Failed to destroy domain '${vm.name}'\nerror: Requested operation is not valid: domain is not running\n`,
          )
        }
        runPath(this.rec, this.topology, vm.index, DESTROY, VirshStep.Rpc)
        this.vms.destroy(vm.index)
        return ok(`Domain '${vm.name}' destroyed\n\n`)
      case 'console':
        if (vm.state !== 'running') return fail(`error: The domain is not running\n`)
        runPath(this.rec, this.topology, null, QUERY, VirshStep.Rpc)
        return {
          output: `Connected to domain '${vm.name}'\nEscape character is ^] (Ctrl + ])\n`,
          exitCode: 0,
          attachConsole: vm.index,
        }
    }
  }
}

/**
 * libvirt's table layout (tools/vsh-table.c, vshTablePrint): each cell printed as " %s", columns padded
 * to their widest cell plus two spaces, and under the header a rule of (width + 3) dashes per column.
 */
export function vshTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)))
  const line = (r: readonly string[]) =>
    r
      .map((cell, j) => ` ${cell}` + (j < r.length - 1 ? ' '.repeat(widths[j]! - cell.length + 2) : ''))
      .join('') + '\n'
  const [head, ...body] = rows
  return line(head!) + widths.map((w) => '-'.repeat(w + 3)).join('') + '\n' + body.map(line).join('')
}
