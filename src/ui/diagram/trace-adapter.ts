import type { ComponentInstance, EdgeKind, Topology } from '../../engine/hv/topology'
import { encodeContext, parseContextLabel } from '../../engine/privilege'
import { assertNever } from '../../engine/types'
import { kindAt, decodeEvent, type RecordView } from '../../engine/trace/codec'
import {
  EventKind,
  FLOW_KIND_NAMES,
  HopCause,
  NO_VM,
  type FlowKind,
  type TraceEvent,
} from '../../engine/trace/schema'

/** A flow kind's stable name (schema.ts FLOW_KIND_NAMES: `vm-exit`, `hypercall`, …). */
export type FlowKindName = string

export interface FlowHop {
  /** Component indices of the session's topology. */
  readonly from: number
  readonly to: number
  /** Cycles; null where no cost is known (a demonstration). */
  readonly cost: number | null
  readonly cause: EdgeKind
}

/** One flow as the diagram animates it: a token moving along its hops. */
export interface DiagramFlow {
  readonly kind: FlowKindName
  /** What started it, as the user reads it: the exit reason or hypercall name. */
  readonly label: string
  readonly hops: readonly FlowHop[]
}

/** What drives the diagram: where the CPU runs now, and the flows to animate. */
export interface DiagramDriver {
  /** The component the CPU runs in (null when the events do not say) and its encoded privilege context. */
  setActive(component: number | null, context: number): void
  playFlow(flow: DiagramFlow): void
}

export function hopCauseName(cause: HopCause): EdgeKind {
  switch (cause) {
    case HopCause.Trap:
      return 'trap'
    case HopCause.Return:
      return 'return'
    case HopCause.Call:
      return 'call'
    case HopCause.Signal:
      return 'signal'
    case HopCause.Message:
      return 'message'
    case HopCause.Dma:
      return 'dma'
    case HopCause.WorldSwitch:
      return 'world-switch'
    case HopCause.Ioctl:
      return 'ioctl'
    case HopCause.Syscall:
      return 'syscall'
    case HopCause.Upcall:
      return 'upcall'
    case HopCause.Rpc:
      return 'rpc'
    default:
      return assertNever(cause)
  }
}

const HOP_CAUSES = new Set<number>(Object.values(HopCause))

export interface TraceAdapterOptions {
  readonly topology: Topology
  readonly driver: DiagramDriver
  /** Formats what started a flow (FlowBegin.arg0: exit reason, hypercall number, vector, port). */
  readonly label: (kind: FlowKindName, detail: number) => string
  /** Flows open at once beyond this are not shown (counted in `skipped`). */
  readonly maxOpenFlows?: number
  /** Hops of one flow beyond this are not shown (counted in `skipped`). */
  readonly maxHops?: number
}

interface OpenFlow {
  readonly kind: FlowKindName
  readonly label: string
  readonly hops: FlowHop[]
}

/**
 * Turns decoded trace events (trace/schema.ts) into diagram calls: a RingChange or a hop of control
 * into a component moves the CPU marker; FlowBegin … Hop … FlowEnd with one flow id becomes one
 * `playFlow`. Untrusted input: unknown components, kinds and causes are skipped and counted, and the
 * number of open flows and hops is bounded.
 *
 * Event VM numbers are the session's (1-based, as Session and the topology's instances number VMs;
 * 0xff: none).
 */
export class TraceToDiagram {
  private readonly open = new Map<number, OpenFlow>()
  private readonly places = new Map<number, number | null>()
  private readonly maxOpen: number
  private readonly maxHops: number
  /** Events that could not be shown (malformed, or past the bounds). */
  skipped = 0

  constructor(private readonly o: TraceAdapterOptions) {
    this.maxOpen = o.maxOpenFlows ?? 64
    this.maxHops = o.maxHops ?? 128
  }

  /** Consumes records straight from an event batch (EngineClient.onEvents), decoding only those it uses. */
  consumeRecords(view: RecordView, start: number, count: number): void {
    for (let i = start; i < start + count; i++) {
      const k = kindAt(view, i)
      if (
        k === EventKind.RingChange ||
        k === EventKind.FlowBegin ||
        k === EventKind.Hop ||
        k === EventKind.FlowEnd
      )
        this.consume(decodeEvent(view, i))
    }
  }

  consume(e: TraceEvent): void {
    switch (e.kind) {
      case EventKind.RingChange:
        this.o.driver.setActive(this.componentAt(e.toCtx, e.vm), e.toCtx)
        return
      case EventKind.FlowBegin: {
        const kind = flowKindOf(e.reason)
        if (kind === null || e.flow === 0 || this.open.size >= this.maxOpen) {
          this.skipped++
          return
        }
        this.open.set(e.flow, { kind, label: this.o.label(kind, e.arg0), hops: [] })
        return
      }
      case EventKind.Hop: {
        const f = this.open.get(e.flow)
        const n = this.o.topology.components.length
        if (
          f === undefined ||
          !HOP_CAUSES.has(e.reason) ||
          e.from >= n ||
          e.to >= n ||
          f.hops.length >= this.maxHops
        ) {
          this.skipped++
          return
        }
        f.hops.push({ from: e.from, to: e.to, cost: e.cost, cause: hopCauseName(e.reason as HopCause) })
        const to = this.o.topology.components[e.to]
        const ctx = contextOfRow(to)
        if (ctx !== null) this.o.driver.setActive(to.index, ctx)
        return
      }
      case EventKind.FlowEnd: {
        const f = this.open.get(e.flow)
        if (f === undefined) {
          this.skipped++
          return
        }
        this.open.delete(e.flow)
        if (f.hops.length > 0) this.o.driver.playFlow(f)
        return
      }
      default:
        return
    }
  }

  /**
   * The component a privilege context of a VM points at, when the topology makes it unambiguous: the
   * one component of that row serving that VM (or shared), not counting components nested in another
   * and management tools. Otherwise null: the row axis still shows the context.
   */
  private componentAt(ctx: number, eventVm: number): number | null {
    const key = (ctx << 8) | eventVm
    let place = this.places.get(key)
    if (place === undefined) {
      place = this.findComponentAt(ctx, eventVm === NO_VM ? null : eventVm)
      this.places.set(key, place)
    }
    return place
  }

  private findComponentAt(ctx: number, vm: number | null): number | null {
    const candidates = this.o.topology.components.filter(
      (c) =>
        c.row !== 'hw' &&
        encodeContext(parseContextLabel(c.row) ?? { vmx: 'off', cpl: 0 }) === ctx &&
        c.within === null &&
        !c.management &&
        (c.vm === null || c.vm === vm),
    )
    const exact = candidates.filter((c) => c.vm !== null)
    if (exact.length === 1) return exact[0].index
    return candidates.length === 1 ? candidates[0].index : null
  }
}

function flowKindOf(reason: number): FlowKindName | null {
  return Object.prototype.hasOwnProperty.call(FLOW_KIND_NAMES, reason)
    ? FLOW_KIND_NAMES[reason as FlowKind]
    : null
}

/** The encoded context of a component's row; null for hardware (control does not move into a device). */
function contextOfRow(c: ComponentInstance): number | null {
  if (c.row === 'hw') return null
  const ctx = parseContextLabel(c.row)
  return ctx === undefined ? null : encodeContext(ctx)
}
