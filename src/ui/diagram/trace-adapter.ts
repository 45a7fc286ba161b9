import type { ComponentInstance, EdgeKind, Topology } from '../../engine/hv/topology'
import { encodeContext, parseContextLabel } from '../../engine/privilege'
import { assertNever } from '../../engine/types'
import type { RecordView } from '../../engine/trace/codec'
import {
  EventKind,
  FLOW_KIND_NAMES,
  HopCause,
  NO_VM,
  RECORD_WORDS,
  W,
  type FlowKind,
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

/** What the trace adapter drives: where the CPU runs, heat, and the flows worth animating. */
export interface FlowSink {
  /** The component the CPU runs in (null when the events do not say) and its encoded privilege context. */
  setActive(component: number | null, context: number): void
  /** A hop of any flow passed from one component to another (heat). */
  countHop(from: number, to: number): void
  /**
   * A flow of `kind` has ended: whether to show it as a token. A flow that will not be shown (full
   * speed, or more flows than the pace can show) is never built; the sink counts it.
   */
  acceptFlow(kind: FlowKindName): boolean
  /** A flow the sink accepted, with its hops. */
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
  readonly sink: FlowSink
  /**
   * Formats what started a flow (FlowBegin.arg0: exit reason, hypercall number, vector, port) and the
   * call code of a Hypercall event inside it (-1: none), as a VMCALL exit carries one.
   */
  readonly label: (kind: FlowKindName, detail: number, hypercall: number) => string
  /** Flows open at once beyond this are not shown (counted in `skipped`). */
  readonly maxOpenFlows?: number
  /** Hops of one flow beyond this are not shown (counted in `skipped`). */
  readonly maxHops?: number
}

/** No context for this component: hardware (control does not move into a device). */
const NO_CONTEXT = -1

/**
 * Turns event records (trace/schema.ts) into diagram calls, reading each record's fields in place:
 * a RingChange or a hop of control into a component moves the CPU marker, every hop counts towards
 * heat, and FlowBegin … Hop … FlowEnd with one flow id becomes one `playFlow` when the sink accepts
 * the flow. Open flows live in preallocated tables, so consuming allocates nothing but the flows that
 * are shown. Untrusted input: unknown components, kinds and causes are skipped and counted, and
 * the number of open flows and hops is bounded.
 *
 * Event VM numbers are the session's (1-based, as Session and the topology's instances number VMs;
 * 0xff: none).
 */
export class TraceToDiagram {
  private readonly sink: FlowSink
  private readonly maxOpen: number
  private readonly maxHops: number
  /** Open flows, compact in slots 0 … open-1: flow id, kind, detail, hops. */
  private open = 0
  private readonly ids: Uint32Array
  private readonly kinds: Uint8Array
  private readonly details: Uint32Array
  private readonly hypercalls: Int32Array
  private readonly hopCount: Uint16Array
  /** By slot × maxHops + hop. */
  private readonly hopFrom: Uint16Array
  private readonly hopTo: Uint16Array
  private readonly hopCost: Uint32Array
  private readonly hopCause: Uint8Array
  /** Encoded context of each component's row, or NO_CONTEXT. */
  private readonly rowContext: Int16Array
  private readonly places = new Map<number, number | null>()
  /** Events that could not be shown (malformed, or past the bounds). */
  skipped = 0

  constructor(private readonly o: TraceAdapterOptions) {
    this.sink = o.sink
    this.maxOpen = o.maxOpenFlows ?? 64
    this.maxHops = o.maxHops ?? 128
    this.ids = new Uint32Array(this.maxOpen)
    this.kinds = new Uint8Array(this.maxOpen)
    this.details = new Uint32Array(this.maxOpen)
    this.hypercalls = new Int32Array(this.maxOpen)
    this.hopCount = new Uint16Array(this.maxOpen)
    const hops = this.maxOpen * this.maxHops
    this.hopFrom = new Uint16Array(hops)
    this.hopTo = new Uint16Array(hops)
    this.hopCost = new Uint32Array(hops)
    this.hopCause = new Uint8Array(hops)
    this.rowContext = Int16Array.from(o.topology.components, contextOfRow)
  }

  /** Consumes records `start … start + count` of an event batch (EngineClient.onEvents). */
  consumeRecords(view: RecordView, start: number, count: number): void {
    const u = view.u32
    for (let i = start, end = start + count; i < end; i++) {
      const b = i * RECORD_WORDS
      const head = u[b + W.head]
      switch (head & 0xff) {
        case EventKind.RingChange: {
          const ctx = u[b + W.reason] >>> 24
          this.sink.setActive(this.componentAt(ctx, (head >>> 16) & 0xff), ctx)
          break
        }
        case EventKind.FlowBegin:
          this.begin(u[b + W.flow], u[b + W.reason] & 0xffff, u[b + W.arg0])
          break
        case EventKind.Hop: {
          const comps = u[b + W.comps]
          this.hop(u[b + W.flow], u[b + W.reason] & 0xffff, comps & 0xffff, comps >>> 16, u[b + W.cost])
          break
        }
        case EventKind.FlowEnd:
          this.end(u[b + W.flow])
          break
        case EventKind.Hypercall: {
          const slot = this.slotOf(u[b + W.flow])
          if (slot >= 0) this.hypercalls[slot] = u[b + W.reason] & 0xffff
          break
        }
      }
    }
  }

  private slotOf(flow: number): number {
    for (let s = 0; s < this.open; s++) if (this.ids[s] === flow) return s
    return -1
  }

  private begin(flow: number, kind: number, detail: number): void {
    const name = flowKindName(kind)
    let slot = this.slotOf(flow)
    if (slot < 0) {
      if (name === null || flow === 0 || this.open >= this.maxOpen) {
        this.skipped++
        return
      }
      slot = this.open++
    } else if (name === null) {
      this.skipped++
      return
    }
    this.ids[slot] = flow
    this.kinds[slot] = kind
    this.details[slot] = detail
    this.hypercalls[slot] = -1
    this.hopCount[slot] = 0
  }

  private hop(flow: number, cause: number, from: number, to: number, cost: number): void {
    const slot = this.slotOf(flow)
    const n = this.rowContext.length
    if (slot < 0 || !HOP_CAUSES.has(cause) || from >= n || to >= n) {
      this.skipped++
      return
    }
    this.sink.countHop(from, to)
    const ctx = this.rowContext[to]
    if (ctx !== NO_CONTEXT) this.sink.setActive(to, ctx)
    const h = this.hopCount[slot]
    if (h >= this.maxHops) {
      this.skipped++
      return
    }
    const at = slot * this.maxHops + h
    this.hopFrom[at] = from
    this.hopTo[at] = to
    this.hopCost[at] = cost
    this.hopCause[at] = cause
    this.hopCount[slot] = h + 1
  }

  private end(flow: number): void {
    const slot = this.slotOf(flow)
    if (slot < 0) {
      this.skipped++
      return
    }
    const kind = flowKindName(this.kinds[slot]) ?? ''
    const shown = this.hopCount[slot] > 0 && this.sink.acceptFlow(kind) ? this.build(slot, kind) : null
    // Keep the table compact: the last open flow takes this slot.
    const last = --this.open
    if (slot !== last) this.move(last, slot)
    if (shown !== null) this.sink.playFlow(shown)
  }

  private build(slot: number, kind: FlowKindName): DiagramFlow {
    const hops: FlowHop[] = []
    for (let h = 0, at = slot * this.maxHops; h < this.hopCount[slot]; h++, at++)
      hops.push({
        from: this.hopFrom[at],
        to: this.hopTo[at],
        cost: this.hopCost[at],
        cause: hopCauseName(this.hopCause[at] as HopCause),
      })
    return { kind, label: this.o.label(kind, this.details[slot], this.hypercalls[slot]), hops }
  }

  private move(from: number, to: number): void {
    this.ids[to] = this.ids[from]
    this.kinds[to] = this.kinds[from]
    this.details[to] = this.details[from]
    this.hypercalls[to] = this.hypercalls[from]
    const hops = this.hopCount[from]
    this.hopCount[to] = hops
    const a = from * this.maxHops
    const b = to * this.maxHops
    this.hopFrom.copyWithin(b, a, a + hops)
    this.hopTo.copyWithin(b, a, a + hops)
    this.hopCost.copyWithin(b, a, a + hops)
    this.hopCause.copyWithin(b, a, a + hops)
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
        this.rowContext[c.index] === ctx &&
        c.within === null &&
        !c.management &&
        (c.vm === null || c.vm === vm),
    )
    const exact = candidates.filter((c) => c.vm !== null)
    if (exact.length === 1) return exact[0].index
    return candidates.length === 1 ? candidates[0].index : null
  }
}

function flowKindName(kind: number): FlowKindName | null {
  return Object.prototype.hasOwnProperty.call(FLOW_KIND_NAMES, kind)
    ? FLOW_KIND_NAMES[kind as FlowKind]
    : null
}

/** The encoded context of a component's row; NO_CONTEXT for hardware. */
function contextOfRow(c: ComponentInstance): number {
  if (c.row === 'hw') return NO_CONTEXT
  const ctx = parseContextLabel(c.row)
  return ctx === undefined ? NO_CONTEXT : encodeContext(ctx)
}
