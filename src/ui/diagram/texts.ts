import type { ArchId } from '../../engine/hv/architectures'
import type { ComponentInstance, DomainInstance, EdgeKind, Row, Topology } from '../../engine/hv/topology'
import type { SourceId } from '../../engine/hv/sources'
import { architecturesEn } from '../../i18n/locales/architectures.en'
import { EDGE_SOURCES } from '../../i18n/locales/architectures.edges'
import { architecturesZhCN, type ArchitectureMessages } from '../../i18n/locales/architectures.zh-CN'
import type { LayoutTexts } from './layout'

/** The architecture texts of an interface language (zh-CN is the source language and the fallback). */
export function architectureMessages(language: string): ArchitectureMessages {
  return language.toLowerCase().startsWith('en') ? architecturesEn : architecturesZhCN
}

/** Replaces `{{name}}` placeholders. */
export function fill(template: string, vars: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (all, k: string) => (k in vars ? String(vars[k]) : all))
}

type Keyed<T> = Readonly<Record<string, T | undefined>>

/** Everything the diagram says about one architecture, in one language. */
export class DiagramTexts {
  constructor(
    readonly msgs: ArchitectureMessages,
    readonly arch: ArchId,
    readonly topology: Topology,
  ) {}

  get archName(): string {
    return this.msgs.names[this.arch]
  }

  /** The label of a domain column, numbered for per-VM domains ("VM 2", "DomU 2"). */
  domain(d: DomainInstance): string {
    const template = (this.msgs.domains as Keyed<string>)[d.baseId] ?? d.baseId
    return fill(template, { n: d.vm ?? '' })
  }

  /** The label the n-th VM has in this architecture (its per-VM domain's label). */
  vmLabel(vm: number): string {
    const d = this.topology.domains.find((x) => x.vm === vm)
    return d === undefined ? String(vm) : this.domain(d)
  }

  /** A VM's name as the architecture calls it (DomU 1, child partition 1, …), or "VM n" where its domain has no number. */
  vmName(vm: number): string {
    const label = this.vmLabel(vm)
    return label === String(vm) ? fill(this.msgs.domains.vm, { n: vm }) : label
  }

  componentName(c: ComponentInstance): string {
    return (this.msgs.components as Keyed<{ name: string }>)[c.baseId]?.name ?? c.baseId
  }

  /** The component's name, with the VM of a per-VM instance ("QEMU (VM 2)"). */
  componentFullName(c: ComponentInstance): string {
    const name = this.componentName(c)
    return c.vm === null ? name : fill(this.msgs.diagram.instance, { name, domain: this.vmLabel(c.vm) })
  }

  private isPerVmDomain(c: ComponentInstance): boolean {
    return this.topology.domains.some((d) => d.id === c.domain && d.vm !== null)
  }

  componentWhat(c: ComponentInstance): string {
    return (this.msgs.components as Keyed<{ what: string }>)[c.baseId]?.what ?? ''
  }

  componentWhy(c: ComponentInstance): string | null {
    return (this.msgs.why[this.arch] as Keyed<string>)[c.baseId] ?? null
  }

  managementMark(): string {
    return fill(this.msgs.diagram.mark, { label: this.msgs.management })
  }

  row(row: Row): string {
    return this.msgs.rows[row]
  }

  /**
   * The note beside a row's label: "VMX root" beside "Ring −1", the one label that does not say its
   * VMX mode itself ("ring −1" is a colloquial name, hypervisor-flows.md §11).
   */
  rowMode(row: Row): string | null {
    return row === 'root-r0' ? this.msgs.diagram.modeRoot : null
  }

  rowNote(row: Row): string | null {
    return (this.msgs.rowNotes as Keyed<string>)[row] ?? null
  }

  cause(kind: EdgeKind): string {
    return this.msgs.diagram.causes[kind]
  }

  edgeName(kind: EdgeKind, from: ComponentInstance, to: ComponentInstance): string {
    return fill(this.msgs.diagram.edgeName, {
      kind: this.cause(kind),
      from: this.componentFullName(from),
      to: this.componentFullName(to),
    })
  }

  /**
   * The edge's own text — what travels along it and why, in this architecture — with its sources,
   * keyed by the base edge `from>to` (every per-VM copy shares it); null for an edge that has none.
   */
  edgeText(
    from: ComponentInstance,
    to: ComponentInstance,
  ): { readonly text: string; readonly sources: readonly SourceId[] } | null {
    const key = `${from.baseId}>${to.baseId}`
    const text = (this.msgs.edges[this.arch] as Keyed<string>)[key]
    const sources = (EDGE_SOURCES[this.arch] as Keyed<readonly SourceId[]>)[key]
    return text === undefined || sources === undefined ? null : { text, sources }
  }

  /** The generic sentence for an edge kind ("Trap: … moves control from X to Y"). */
  edgeWhat(kind: EdgeKind, from: ComponentInstance, to: ComponentInstance): string {
    return fill(this.msgs.edgeKinds[kind], {
      from: this.componentFullName(from),
      to: this.componentFullName(to),
    })
  }

  /** What started a flow, for FlowBegin's kind and detail (exit reason, hypercall number, vector). */
  flowLabel(kind: string, detail: number): string {
    const template = (this.msgs.diagram.flowKinds as Keyed<string>)[kind] ?? kind
    return fill(template, { detail })
  }

  cycles(count: number, locale: string): string {
    return fill(this.msgs.diagram.cycles, { count: count.toLocaleString(locale) })
  }

  /** What the layout writes into boxes and on the row axis. */
  layoutTexts(): LayoutTexts {
    return {
      component: (c) => {
        const detail: string[] = []
        if (c.vm !== null && !this.isPerVmDomain(c)) detail.push(this.vmLabel(c.vm))
        if (c.management) detail.push(this.managementMark())
        return { title: this.componentName(c), detail: detail.length > 0 ? detail.join(' · ') : null }
      },
      row: (row) => ({ label: this.row(row), note: this.rowMode(row) }),
      domain: (d) => this.domain(d),
      marker: this.msgs.diagram.cpuHere,
    }
  }
}
