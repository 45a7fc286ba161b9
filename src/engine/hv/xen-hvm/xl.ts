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

/** Steps of `xl create` / `xl destroy` through libxl and libxc (hypervisor-flows.md §4.2 (g)), as MgmtStep codes. */
export const XlStep = {
  ParseConfig: 1,
  CreateDomain: 2,
  PopulatePhysmap: 3,
  BuildDomain: 4,
  XenstoreWrite: 5,
  SpawnDeviceModel: 6,
  BackendsAttach: 7,
  Unpause: 8,
  FirstEntry: 9,
  DestroyDomain: 10,
  Query: 11,
} as const

type XlCost = ManagementCostId | 'entry'

/** `xl` for the HVM model (QEMU device model per guest) or the PV model (backends in Dom0, no QEMU). */
export type XlVariant = 'hvm' | 'pv'

function createPath(variant: XlVariant): PathHop<XlCost>[] {
  const kernel = variant === 'hvm' ? 'guest-kernel' : 'domU-kernel'
  const domctl = (step: number, cost: XlCost | XlCost[]) => [
    hop<XlCost>('xl', 'dom0-kernel', HopCause.Syscall, 'mgmt-ioctl', step),
    hop<XlCost>('dom0-kernel', 'xen', HopCause.Trap, cost, step),
  ]
  return [
    ...domctl(XlStep.CreateDomain, 'mgmt-ioctl'),
    ...domctl(XlStep.PopulatePhysmap, 'mgmt-populate'),
    ...domctl(XlStep.BuildDomain, 'mgmt-ioctl'),
    hop<XlCost>('xl', 'xenstored', HopCause.Rpc, 'mgmt-rpc', XlStep.XenstoreWrite),
    variant === 'hvm'
      ? hop<XlCost>('xl', 'dom0-qemu', HopCause.Call, 'mgmt-spawn', XlStep.SpawnDeviceModel)
      : hop<XlCost>('xenstored', 'dom0-kernel', HopCause.Signal, 'mgmt-rpc', XlStep.BackendsAttach),
    ...domctl(XlStep.Unpause, 'mgmt-ioctl'),
    variant === 'hvm'
      ? hop<XlCost>('xen', kernel, HopCause.Return, 'entry', XlStep.FirstEntry)
      : hop<XlCost>('xen', kernel, HopCause.Upcall, 'mgmt-ioctl', XlStep.FirstEntry),
  ]
}

const DESTROY: PathHop<XlCost>[] = [
  hop('xl', 'dom0-kernel', HopCause.Syscall, 'mgmt-ioctl', XlStep.DestroyDomain),
  hop('dom0-kernel', 'xen', HopCause.Trap, 'mgmt-teardown', XlStep.DestroyDomain),
  hop('xl', 'xenstored', HopCause.Rpc, 'mgmt-rpc', XlStep.XenstoreWrite),
]
const QUERY: PathHop<XlCost>[] = [
  hop('xl', 'dom0-kernel', HopCause.Syscall, 'mgmt-ioctl', XlStep.Query),
  hop('dom0-kernel', 'xen', HopCause.Trap, 'mgmt-ioctl', XlStep.Query),
]

/** Dom0's own line in `xl list` (modelling choice: a 1 GiB, one-vCPU Dom0). */
const DOM0_MEM_MIB = 1024

/**
 * `xl` (Xen's toolstack CLI) in Dom0: list, create, destroy, console. Output follows tools/xl
 * (`xl list`: "%-40s %5d %5lu %5d     %c%c%c%c%c%c  %8.1f"). Domain ids count up from 1 and are not
 * reused, as Xen allocates them.
 */
export class XlShell implements ManagementShell {
  readonly tools = ['xl'] as const
  private readonly domid = new Map<number, number>()
  private nextDomid = 1

  constructor(
    private readonly vms: VmControl,
    private readonly rec: FlowRecorder<XlCost>,
    private readonly topology: Topology,
    private readonly variant: XlVariant,
  ) {}

  /** Domains that were running before any xl command (created with the session) get their ids in order. */
  private assignIds(): void {
    for (const vm of this.vms.list())
      if (vm.state === 'running' && !this.domid.has(vm.index)) this.domid.set(vm.index, this.nextDomid++)
  }

  execute(line: string): ShellResult {
    let argv: string[]
    try {
      argv = tokenize(line)
    } catch (e) {
      return fail(`${(e as Error).message}\n`)
    }
    if (argv.length === 0) return ok()
    if (argv[0] !== 'xl') return fail(`${argv[0]}: command not found (this shell runs xl)\n`, 127)
    this.assignIds()
    const [cmd, ...args] = argv.slice(1)
    switch (cmd) {
      case undefined:
      case 'help':
        return ok(
          'Usage xl [-vfNtT] <subcommand> [args]\n\nxl full list of subcommands:\n\n' +
            ' create              Create a domain from config file <filename>\n' +
            ' list                List information about all/some domains\n' +
            ' destroy             Terminate a domain immediately\n' +
            " console             Attach to domain's console\n",
        )
      case 'list':
        return this.list()
      case 'create':
        return this.create(args)
      case 'destroy':
      case 'console':
        return this.onDomain(cmd, args[0])
      default:
        return fail(`command not implemented\n`)
    }
  }

  private list(): ShellResult {
    runPath(this.rec, this.topology, null, QUERY, XlStep.Query)
    let out = 'Name                                        ID   Mem VCPUs\tState\tTime(s)\n'
    const row = (name: string, id: number, mem: number, vcpus: number, state: string, seconds: number) =>
      `${name.padEnd(40)} ${String(id).padStart(5)} ${String(mem).padStart(5)} ${String(vcpus).padStart(5)}     ${state}  ${seconds.toFixed(1).padStart(8)}\n`
    out += row('Domain-0', 0, DOM0_MEM_MIB, 1, 'r-----', 0)
    for (const vm of this.vms.list()) {
      const id = this.domid.get(vm.index)
      if (vm.state !== 'running' || id === undefined) continue
      out += row(vm.name, id, vm.memMiB, vm.vcpus, vm.blocked ? '-b----' : 'r-----', vm.cpuCycles / 1e9)
    }
    return ok(out)
  }

  private create(args: string[]): ShellResult {
    const file = args.find((a) => !a.startsWith('-'))
    if (file === undefined) return fail('Usage: xl [-v] create <ConfigFile> [options] [vars]\n')
    const base = file
      .split('/')
      .pop()!
      .replace(/\.cfg$/, '')
    const path = file.includes('/') ? file : `/etc/xen/${base}.cfg`
    const vm = this.vms.list().find((v) => v.name === base)
    if (!vm)
      return fail(
        `Parsing config from ${path}\nFailed to read config file: ${path}: No such file or directory\n`,
      )
    if (vm.state === 'running')
      return fail(
        `Parsing config from ${path}\nlibxl: error: libxl_create.c: domain with name "${vm.name}" already exists\n`,
      )
    this.rec.step(XlStep.ParseConfig, vm.index)
    runPath(this.rec, this.topology, vm.index, createPath(this.variant), XlStep.CreateDomain)
    this.vms.start(vm.index)
    this.domid.set(vm.index, this.nextDomid++)
    return ok(`Parsing config from ${path}\n`)
  }

  private onDomain(cmd: 'destroy' | 'console', key: string | undefined): ShellResult {
    if (key === undefined) return fail(`'xl ${cmd}' requires at least 1 argument.\n\n`)
    const vm = this.find(key)
    if (!vm) return fail(`${key} is an invalid domain identifier (rc=-6)\n`)
    if (cmd === 'console') return { output: '', exitCode: 0, attachConsole: vm.index }
    runPath(this.rec, this.topology, vm.index, DESTROY, XlStep.DestroyDomain)
    this.domid.delete(vm.index)
    this.vms.destroy(vm.index)
    return ok()
  }

  /** A running domain by name or domain id. */
  private find(key: string): ManagedVm | undefined {
    return this.vms
      .list()
      .find((v) => v.state === 'running' && (v.name === key || String(this.domid.get(v.index)) === key))
  }
}
