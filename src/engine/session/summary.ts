import { EVENT_KIND_NAMES, FLOW_KIND_NAMES, isEventKind, type FlowKind } from '../trace/schema'
import { utf8Decode } from '../util/utf8'
import type { RunResult, Session } from './session'

/**
 * A session's result as the headless runner prints it (README "Headless runner"): the Engine I fields
 * for VM 1 (registers, CPL, console, events, faults) and what a hypervisor model adds — VM exits by
 * SDM basic reason with their names and handlers, cycles by component, flows by kind, the management
 * shell's output.
 */
export interface SessionSummary {
  readonly arch: string
  readonly stop: RunResult['stop']
  readonly exitCode?: number
  readonly instructions: number
  readonly cycles: number
  readonly regs: Readonly<Record<string, number>>
  readonly cpl: number
  readonly console: string
  readonly events: Readonly<Record<string, number>>
  readonly faults: Readonly<Record<string, number>>
  readonly exits: Readonly<Record<string, number>>
  readonly exitNames: Readonly<Record<string, string>>
  readonly exitsByHandler: Readonly<Record<string, Readonly<Record<string, number>>>>
  /** Hypercalls by name, for a model that reports them (xen-pv). */
  readonly hypercalls?: Readonly<Record<string, number>>
  readonly cyclesByComponent: Readonly<Record<string, number>>
  readonly flows: Readonly<Record<string, number>>
  readonly management: string
  readonly vms: readonly {
    readonly name: string
    readonly state: string
    readonly halted: boolean
    readonly console: string
  }[]
}

export function sessionSummary(s: Session, result: RunResult): SessionSummary {
  const vm = s.vms[0]!
  const i = vm.cpu.inspect()
  const guest = s.guestView(vm.index)
  const seg = i.segments
  const regs = {
    eax: i.regs.eax,
    ebx: i.regs.ebx,
    ecx: i.regs.ecx,
    edx: i.regs.edx,
    esi: i.regs.esi,
    edi: i.regs.edi,
    ebp: i.regs.ebp,
    esp: guest.esp,
    eip: guest.eip,
    eflags: guest.eflags,
    cr0: guest.cr0,
    cr2: i.cr2,
    cr3: guest.cr3,
    cr4: guest.cr4,
    cs: guest.cs,
    ds: seg.ds.selector,
    es: seg.es.selector,
    fs: seg.fs.selector,
    gs: seg.gs.selector,
    ss: guest.ss,
  }
  const events: Record<string, number> = {}
  s.sink.counts.forEach((n, kind) => {
    if (n > 0 && isEventKind(kind)) events[EVENT_KIND_NAMES[kind]] = n
  })
  const faults: Record<string, number> = {}
  vm.cpu.faultCounts.forEach((n, v) => {
    if (n > 0) faults[String(v)] = n
  })
  const cyclesByComponent: Record<string, number> = {}
  for (const c of s.topology.components) {
    const n = s.flows.cyclesByComponent[c.index]!
    if (n > 0) cyclesByComponent[c.baseId] = (cyclesByComponent[c.baseId] ?? 0) + n
  }
  const flows: Record<string, number> = {}
  s.flows.flowCounts.forEach((n, k) => {
    if (n > 0) flows[FLOW_KIND_NAMES[k as FlowKind] ?? String(k)] = n
  })
  const exits = s.model.exitSummary?.() ?? { exits: {}, exitNames: {}, exitsByHandler: {} }
  const hypercalls = s.model.hypercallCounts?.()
  return {
    arch: s.arch,
    stop: result.stop,
    ...(result.exitCode === undefined ? {} : { exitCode: result.exitCode }),
    instructions: s.vms.reduce(
      (n, v) => n + (v.state === 'off' && v.instructions === 0 ? 0 : v.cpu.instructions),
      0,
    ),
    cycles: s.clock.cycles,
    regs,
    cpl: guest.cpl,
    console: utf8Decode(vm.console.all()),
    events,
    faults,
    ...exits,
    ...(hypercalls ? { hypercalls } : {}),
    cyclesByComponent,
    flows,
    management: s.managementLog,
    vms: s.vms.map((v) => ({
      name: v.name,
      state: v.state,
      halted: v.halted,
      console: utf8Decode(v.console.all()),
    })),
  }
}
