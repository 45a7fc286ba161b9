import { parseContextLabel, type ContextLabel } from '../privilege'
import { isSourceId, type SourceId } from './sources'

/**
 * Architecture topologies as data (DESIGN §3, STYLE "architectures are data"): the components an
 * architecture consists of, where each runs (its row: a privilege context, or the hardware row) and
 * in which domain (its column), and the edges control or data can take between them. The diagram is
 * drawn from this, tests and lessons refer to component ids, and a diff of two architectures is a diff
 * of this data. Topologies are validated when loaded.
 */

/** The diagram's rows: privilege contexts, plus the hardware row at the bottom. */
export type Row = ContextLabel | 'hw'

export type ComponentKind =
  | 'hypervisor'
  | 'monitor'
  | 'translator'
  | 'kernel'
  | 'driver'
  | 'device-model'
  | 'user-process'
  | 'management'
  | 'shell'
  | 'hardware'

export type DomainKind = 'hypervisor' | 'host' | 'management' | 'guest' | 'hardware' | 'world'

export interface DomainSpec {
  readonly id: string
  readonly kind: DomainKind
  /** One column per VM (VM 1, VM 2, …; DomU 1, …; child partition 1, …). */
  readonly perVm?: boolean
}

export interface ComponentSpec {
  /** Stable id: part of the contract with tests, the UI and lessons (e.g. `kvm`, `qemu`, `dom0-qemu`). */
  readonly id: string
  readonly domain: string
  readonly row: Row
  readonly kind: ComponentKind
  /** Part of the management plane (the diagram marks it ▣). */
  readonly management?: boolean
  /** One instance per VM even though its domain is shared (QEMU per VM in the host, VMX per VM in the VMkernel). */
  readonly perVm?: boolean
  /** The component this one runs inside (kvm.ko inside the host kernel, the VMM inside the VMkernel). */
  readonly within?: string
  /** References that say it runs here and does this. */
  readonly sources: readonly SourceId[]
}

export type EdgeKind =
  | 'trap'
  | 'call'
  | 'return'
  | 'signal'
  | 'message'
  | 'dma'
  | 'world-switch'
  | 'ioctl'
  | 'syscall'
  | 'upcall'
  | 'rpc'
  | 'io'

export interface EdgeSpec {
  readonly from: string
  readonly to: string
  readonly kind: EdgeKind
}

export interface TopologySpec {
  readonly arch: string
  readonly domains: readonly DomainSpec[]
  readonly components: readonly ComponentSpec[]
  readonly edges: readonly EdgeSpec[]
}

/** The hardware row every architecture shares (issue 8: CPU, memory, disk, NIC, UART, timer). */
export const HARDWARE_DOMAIN: DomainSpec = { id: 'hardware', kind: 'hardware' }
export const HARDWARE_COMPONENTS: readonly ComponentSpec[] = (
  ['cpu', 'memory', 'disk', 'nic', 'uart', 'timer'] as const
).map((id) => ({
  id,
  domain: 'hardware',
  row: 'hw' as const,
  kind: 'hardware' as const,
  sources: ['intel-sdm-vmx'] as const,
}))

/** Display order of rows, top to bottom: user above kernel, guest above host, hardware last. */
const ROW_ORDER: readonly Row[] = [
  'nr-r3',
  'nr-r2',
  'nr-r1',
  'nr-r0',
  'r3',
  'root-r3',
  'r2',
  'root-r2',
  'r1',
  'root-r1',
  'r0',
  'root-r0',
  'hw',
]

export class TopologyError extends Error {}

/** Checks a topology spec: unique ids, known domains/rows/sources, edges between existing components. */
export function validateTopology(t: TopologySpec): void {
  const fail = (msg: string): never => {
    throw new TopologyError(`topology ${t.arch}: ${msg}`)
  }
  const domains = new Map<string, DomainSpec>()
  for (const d of t.domains) {
    if (!/^[a-z][a-z0-9-]*$/.test(d.id)) fail(`bad domain id "${d.id}"`)
    if (domains.has(d.id)) fail(`duplicate domain ${d.id}`)
    domains.set(d.id, d)
  }
  const comps = new Map<string, ComponentSpec>()
  for (const c of t.components) {
    if (!/^[a-z][a-zA-Z0-9-]*$/.test(c.id)) fail(`bad component id "${c.id}"`)
    if (comps.has(c.id)) fail(`duplicate component ${c.id}`)
    const d = domains.get(c.domain) ?? fail(`component ${c.id} is in unknown domain ${c.domain}`)
    if (c.row !== 'hw' && !parseContextLabel(c.row)) fail(`component ${c.id} has unknown row ${c.row}`)
    if ((c.row === 'hw') !== (d.kind === 'hardware'))
      fail(`component ${c.id}: only hardware sits in the hardware row`)
    if (c.perVm && d.perVm) fail(`component ${c.id} is per-VM twice (its domain already is)`)
    if (c.sources.length === 0) fail(`component ${c.id} names no source`)
    for (const s of c.sources) if (!isSourceId(s)) fail(`component ${c.id} cites unknown source ${s}`)
    comps.set(c.id, c)
  }
  for (const c of t.components) {
    if (c.within !== undefined && !comps.has(c.within))
      fail(`component ${c.id} is within unknown ${c.within}`)
  }
  const seen = new Set<string>()
  for (const e of t.edges) {
    if (!comps.has(e.from)) fail(`edge from unknown component ${e.from}`)
    if (!comps.has(e.to)) fail(`edge to unknown component ${e.to}`)
    if (e.from === e.to) fail(`edge from ${e.from} to itself`)
    const key = `${e.from}>${e.to}`
    if (seen.has(key)) fail(`duplicate edge ${key}`)
    seen.add(key)
  }
}

export interface DomainInstance {
  /** Instance id: the spec id, or `<id>-<n>` for the n-th VM's column (1-based). */
  readonly id: string
  readonly baseId: string
  readonly kind: DomainKind
  readonly vm: number | null
}

export interface ComponentInstance {
  /** Index carried in trace events (`from`/`to`). */
  readonly index: number
  /** Instance id: the spec id, or `<id>@<n>` for the n-th VM's instance. */
  readonly id: string
  readonly baseId: string
  readonly vm: number | null
  readonly domain: string
  readonly row: Row
  readonly kind: ComponentKind
  readonly management: boolean
  readonly within: string | null
  readonly sources: readonly SourceId[]
}

export interface EdgeInstance {
  readonly from: number
  readonly to: number
  readonly kind: EdgeKind
}

/** A topology with its per-VM parts expanded for a given number of VMs: what a session and the diagram use. */
export interface Topology {
  readonly arch: string
  readonly vms: number
  readonly rows: readonly Row[]
  readonly domains: readonly DomainInstance[]
  readonly components: readonly ComponentInstance[]
  readonly edges: readonly EdgeInstance[]
}

/** Expands per-VM domains and components for `vms` VMs (≥ 1) and orders rows for display. */
export function instantiateTopology(spec: TopologySpec, vms: number): Topology {
  validateTopology(spec)
  if (!Number.isInteger(vms) || vms < 1 || vms > 8)
    throw new TopologyError(`topology ${spec.arch}: VM count must be 1–8, got ${vms}`)
  const domainSpec = new Map(spec.domains.map((d) => [d.id, d]))
  const domains: DomainInstance[] = []
  for (const d of spec.domains) {
    if (d.perVm)
      for (let n = 1; n <= vms; n++) domains.push({ id: `${d.id}-${n}`, baseId: d.id, kind: d.kind, vm: n })
    else domains.push({ id: d.id, baseId: d.id, kind: d.kind, vm: null })
  }
  const components: ComponentInstance[] = []
  const byBase = new Map<string, ComponentInstance[]>()
  for (const c of spec.components) {
    const perVm = c.perVm === true || domainSpec.get(c.domain)?.perVm === true
    const list: ComponentInstance[] = []
    for (let n = 1; n <= (perVm ? vms : 1); n++) {
      const vm = perVm ? n : null
      const inst: ComponentInstance = {
        index: components.length,
        id: perVm ? `${c.id}@${n}` : c.id,
        baseId: c.id,
        vm,
        domain: domainSpec.get(c.domain)?.perVm ? `${c.domain}-${n}` : c.domain,
        row: c.row,
        kind: c.kind,
        management: c.management === true,
        within: c.within === undefined ? null : c.within,
        sources: c.sources,
      }
      components.push(inst)
      list.push(inst)
    }
    byBase.set(c.id, list)
  }
  const edges: EdgeInstance[] = []
  for (const e of spec.edges) {
    const from = byBase.get(e.from) ?? []
    const to = byBase.get(e.to) ?? []
    for (const f of from) {
      for (const t of to) {
        if (f.vm !== null && t.vm !== null && f.vm !== t.vm) continue
        edges.push({ from: f.index, to: t.index, kind: e.kind })
      }
    }
  }
  const used = new Set(components.map((c) => c.row))
  const rows = ROW_ORDER.filter((r) => used.has(r))
  return { arch: spec.arch, vms, rows, domains, components, edges }
}

/** Finds the instance of component `baseId` for VM `vm` (or the shared instance). */
export function componentIndex(t: Topology, baseId: string, vm: number | null = null): number {
  let shared = -1
  for (const c of t.components) {
    if (c.baseId !== baseId) continue
    if (c.vm === null) shared = c.index
    else if (c.vm === vm || vm === null) return c.index
  }
  if (shared < 0)
    throw new TopologyError(`topology ${t.arch}: no component ${baseId}${vm === null ? '' : ` for VM ${vm}`}`)
  return shared
}
