import { FlowKind, HopCause } from '../trace/schema'
import type { FlowRecorder } from './flow'
import { componentIndex, type Topology } from './topology'

/**
 * The management plane (hypervisor-flows.md event (g)): a shell whose commands run the real creation
 * and teardown paths of each architecture as flows through its management components, and whose
 * output looks like the real tool's.
 */

export type VmPowerState = 'running' | 'off' | 'crashed'

export interface ManagedVm {
  /** 1-based VM number (VM 1, DomU 1, child partition 1, …). */
  readonly index: number
  readonly name: string
  readonly state: VmPowerState
  readonly memMiB: number
  readonly vcpus: number
  /** Virtual cycle at which it was last started. */
  readonly startedAt: number
  /** Cycles the VM's vCPUs have run. */
  readonly cpuCycles: number
  /** Running but blocked (halted, waiting for an interrupt) right now. */
  readonly blocked: boolean
}

/** What a shell may do to the session's VMs. */
export interface VmControl {
  list(): readonly ManagedVm[]
  /** Boots the VM from its image (a VM entry follows when it is scheduled). */
  start(index: number): void
  /** Stops the VM at once (destroy / power off / turn off). */
  destroy(index: number): void
  /** Virtual time in cycles. */
  now(): number
}

export interface ShellResult {
  /** What the tool prints (stdout and stderr in order), each line ending in "\n". */
  readonly output: string
  readonly exitCode: number
  /** The command attaches the user's terminal to this VM's console (xl console, virsh console). */
  readonly attachConsole?: number
}

export interface ManagementShell {
  /** The command names this shell understands (xl, virsh, vim-cmd, …), for help and completion. */
  readonly tools: readonly string[]
  execute(line: string): ShellResult
}

/** One hop of a management path: component base ids, the hop's cause, its cost ids and the step code it reports. */
export interface PathHop<K extends string> {
  readonly from: string
  readonly to: string
  readonly cause: HopCause
  readonly cost: K | readonly K[]
  readonly step: number
}

export function hop<K extends string>(
  from: string,
  to: string,
  cause: HopCause,
  cost: K | readonly K[],
  step: number,
): PathHop<K> {
  return { from, to, cause, cost, step }
}

/** Runs a management path for VM `vm` (null: no VM) as one Management flow. */
export function runPath<K extends string>(
  rec: FlowRecorder<K>,
  topology: Topology,
  vm: number | null,
  path: readonly PathHop<K>[],
  detail: number,
): void {
  const first = path[0]
  if (!first) return
  rec.begin(FlowKind.Management, detail, componentIndex(topology, first.from, vm), vm ?? 0)
  for (const h of path) {
    rec.step(h.step, vm ?? 0)
    rec.hop(
      componentIndex(topology, h.from, vm),
      componentIndex(topology, h.to, vm),
      h.cause,
      h.cost,
      h.step,
      vm ?? 0,
    )
  }
  rec.end()
}

/** Splits a command line into words: whitespace-separated, with single or double quotes grouping. */
export function tokenize(line: string): string[] {
  const out: string[] = []
  let cur = ''
  let quote: string | null = null
  let has = false
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = null
      else cur += ch
    } else if (ch === '"' || ch === "'") {
      quote = ch
      has = true
    } else if (/\s/.test(ch)) {
      if (has || cur) out.push(cur)
      cur = ''
      has = false
    } else cur += ch
  }
  if (quote) throw new ShellSyntaxError('unterminated quote')
  if (has || cur) out.push(cur)
  return out
}

export class ShellSyntaxError extends Error {}

export function ok(output = ''): ShellResult {
  return { output, exitCode: 0 }
}

export function fail(output: string, exitCode = 1): ShellResult {
  return { output, exitCode }
}

/** Left-aligns columns, as the real tools' tables do. */
export function table(rows: readonly (readonly string[])[], gap = 3, indent = ''): string {
  const widths: number[] = []
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)))
  return rows
    .map(
      (r) =>
        indent +
        r
          .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + gap)))
          .join('')
          .trimEnd() +
        '\n',
    )
    .join('')
}

/** Finds a VM by name (or by its number when `allowNumber`). */
export function findVm(vms: readonly ManagedVm[], key: string, allowNumber = false): ManagedVm | undefined {
  return (
    vms.find((v) => v.name === key) ?? (allowNumber ? vms.find((v) => String(v.index) === key) : undefined)
  )
}
