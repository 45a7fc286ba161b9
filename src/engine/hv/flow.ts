import { encodeContext, parseContextLabel } from '../privilege'
import { EventKind, HopCause, type FlowKind } from '../trace/schema'
import type { EventSink } from '../trace/sink'
import type { CostTable } from './costs'
import type { Topology } from './topology'

/** Context byte for a component's row; the hardware row has no privilege context (0xff). */
function rowContext(row: string): number {
  const ctx = parseContextLabel(row)
  return ctx ? encodeContext(ctx) : 0xff
}

/**
 * Records flows (DESIGN §3): the causal chain of hops one guest action starts. Each hop moves control
 * or data between two components of the topology, costs what the model's cost table says, advances
 * virtual time by that cost and is charged to the component doing the work (`cyclesByComponent`, the
 * runner's summary and the UI's stacked bars): the receiver of a call, trap or signal, the sender of
 * a return (a VM entry is the hypervisor's work, not the guest's).
 */
export class FlowRecorder<K extends string = string> {
  /** Cycles spent per component instance (index = component index). */
  readonly cyclesByComponent: Float64Array
  /** Flows started, by FlowKind. */
  readonly flowCounts = new Float64Array(16)
  private readonly ctx: Uint8Array
  private open = false
  private kind: FlowKind = 1
  private total = 0

  constructor(
    private readonly sink: EventSink,
    private readonly clock: { cycles: number },
    readonly topology: Topology,
    readonly costs: CostTable<K>,
  ) {
    this.cyclesByComponent = new Float64Array(topology.components.length)
    this.ctx = Uint8Array.from(topology.components, (c) => rowContext(c.row))
  }

  /** True while a flow is open (hops belong to it). */
  get active(): boolean {
    return this.open
  }

  /** Opens a flow. `detail` is what started it (exit reason, hypercall number, vector, port). */
  begin(kind: FlowKind, detail: number, at: number, arg1 = 0): void {
    if (this.open) this.end()
    this.sink.beginFlow()
    this.open = true
    this.kind = kind
    this.total = 0
    this.flowCounts[kind]++
    this.sink.emit(
      EventKind.FlowBegin,
      kind,
      detail >>> 0,
      arg1 >>> 0,
      0,
      this.ctx[at],
      this.ctx[at],
      at,
      at,
      0,
    )
  }

  /**
   * One hop from component `from` to `to` (instance indices). Its cost is the sum of the named cost
   * entries; it advances the clock and is charged to `to`, or to `from` for a return. Returns the cost.
   */
  hop(from: number, to: number, cause: HopCause, costIds: K | readonly K[], arg0 = 0, arg1 = 0): number {
    let c = 0
    if (typeof costIds === 'string') c = this.costs[costIds as K].cycles
    else for (const id of costIds as readonly K[]) c += this.costs[id].cycles
    this.clock.cycles += c
    this.cyclesByComponent[cause === HopCause.Return ? from : to] += c
    this.total += c
    this.sink.emit(EventKind.Hop, cause, arg0 >>> 0, arg1 >>> 0, 0, this.ctx[from], this.ctx[to], from, to, c)
    return c
  }

  /** Charges work done inside one component (no transfer of control), e.g. a device model emulating. */
  work(at: number, costIds: K | readonly K[]): number {
    let c = 0
    if (typeof costIds === 'string') c = this.costs[costIds as K].cycles
    else for (const id of costIds as readonly K[]) c += this.costs[id].cycles
    this.clock.cycles += c
    this.cyclesByComponent[at] += c
    this.total += c
    return c
  }

  /** A management-plane step (MgmtStep): `code` is the architecture's step number, for the caption. */
  step(code: number, arg0 = 0, arg1 = 0): void {
    this.sink.emit(EventKind.MgmtStep, code, arg0 >>> 0, arg1 >>> 0)
  }

  end(): void {
    if (!this.open) return
    this.sink.emit(EventKind.FlowEnd, this.kind, this.total)
    this.sink.endFlow()
    this.open = false
  }
}
