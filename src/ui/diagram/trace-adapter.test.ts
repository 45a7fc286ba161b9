import { describe, expect, it } from 'vitest'
import { TOPOLOGIES } from '../../engine/hv/architectures'
import { componentIndex, instantiateTopology } from '../../engine/hv/topology'
import { encodeContext } from '../../engine/privilege'
import { RecordView, encodeEvent } from '../../engine/trace/codec'
import {
  EventKind,
  FlowKind,
  HopCause,
  NO_COMPONENT,
  NO_VM,
  RECORD_BYTES,
  RingCause,
  type TraceEvent,
} from '../../engine/trace/schema'
import { TraceToDiagram, type DiagramFlow, type FlowSink } from './trace-adapter'

const kvm = instantiateTopology(TOPOLOGIES.kvm, 2)
const at = (id: string, vm: number | null = null) => componentIndex(kvm, id, vm)
const NR0 = encodeContext({ vmx: 'nonroot', cpl: 0 })
const NR3 = encodeContext({ vmx: 'nonroot', cpl: 3 })
const ROOT0 = encodeContext({ vmx: 'root', cpl: 0 })
const ROOT3 = encodeContext({ vmx: 'root', cpl: 3 })
const R1 = encodeContext({ vmx: 'off', cpl: 1 })

let seq = 0
function ev(p: Partial<TraceEvent> & Pick<TraceEvent, 'kind'>): TraceEvent {
  return {
    seq: seq++,
    cycle: seq * 10,
    pcpu: 0,
    vm: 0,
    vcpu: 0,
    reason: 0,
    fromCtx: 0,
    toCtx: 0,
    from: NO_COMPONENT,
    to: NO_COMPONENT,
    cost: 0,
    arg0: 0,
    arg1: 0,
    flow: 0,
    arg2: 0,
    ...p,
  }
}
const begin = (flow: number, kind: FlowKind, detail: number) =>
  ev({ kind: EventKind.FlowBegin, flow, reason: kind, arg0: detail })
const hop = (flow: number, from: number, to: number, cause: HopCause, cost: number) =>
  ev({ kind: EventKind.Hop, flow, from, to, reason: cause, cost })
const end = (flow: number) => ev({ kind: EventKind.FlowEnd, flow, reason: FlowKind.VmExit })
const ring = (toCtx: number, vm: number) =>
  ev({ kind: EventKind.RingChange, reason: RingCause.VmExit, toCtx, vm })

/** Feeds events to an adapter as the client does: encoded records in a batch. */
function feed(adapter: TraceToDiagram, events: readonly TraceEvent[]): void {
  const view = new RecordView(new ArrayBuffer(RECORD_BYTES * events.length))
  events.forEach((e, i) => encodeEvent(view, i, e))
  adapter.consumeRecords(view, 0, events.length)
}

/** An adapter with a sink that records its calls; `accept` says which flows the sink wants built. */
function recorder(accept: (kind: string) => boolean = () => true) {
  const calls: Array<['active', number | null, number] | ['flow', DiagramFlow]> = []
  const hops: string[] = []
  const ended: string[] = []
  const sink: FlowSink = {
    setActive: (c, ctx) => calls.push(['active', c, ctx]),
    countHop: (from, to) => hops.push(`${from}>${to}`),
    acceptFlow: (kind) => {
      ended.push(kind)
      return accept(kind)
    },
    playFlow: (f) => calls.push(['flow', f]),
  }
  const adapter = new TraceToDiagram({
    topology: kvm,
    sink,
    label: (kind, detail) => `${kind} ${detail}`,
    maxOpenFlows: 4,
    maxHops: 8,
  })
  return {
    calls,
    hops,
    ended,
    adapter,
    consume: (...events: TraceEvent[]) => feed(adapter, events),
    flows: () => calls.filter((c) => c[0] === 'flow').map((c) => c[1] as DiagramFlow),
  }
}

/** KVM's port-I/O path (hypervisor-flows.md §3.2(b)) for VM 2, as a model would report it. */
function portIoFlow(flow: number): TraceEvent[] {
  return [
    begin(flow, FlowKind.VmExit, 30),
    hop(flow, at('guest-kernel', 2), at('kvm'), HopCause.Trap, 1200),
    hop(flow, at('kvm'), at('qemu', 2), HopCause.Return, 900),
    hop(flow, at('qemu', 2), at('uart'), HopCause.Call, 50),
    hop(flow, at('qemu', 2), at('kvm'), HopCause.Ioctl, 900),
    hop(flow, at('kvm'), at('guest-kernel', 2), HopCause.Return, 800),
    end(flow),
  ]
}

describe('trace events → diagram calls', () => {
  it('plays a flow once it ends, with its hops, costs, causes and label, and follows control hop by hop', () => {
    const { calls, adapter, consume } = recorder()
    consume(...portIoFlow(7))
    expect(calls).toEqual([
      ['active', at('kvm'), ROOT0],
      ['active', at('qemu', 2), ROOT3],
      // the UART is hardware: control does not move into it
      ['active', at('kvm'), ROOT0],
      ['active', at('guest-kernel', 2), NR0],
      [
        'flow',
        {
          kind: 'vm-exit',
          label: 'vm-exit 30',
          hops: [
            { from: at('guest-kernel', 2), to: at('kvm'), cost: 1200, cause: 'trap' },
            { from: at('kvm'), to: at('qemu', 2), cost: 900, cause: 'return' },
            { from: at('qemu', 2), to: at('uart'), cost: 50, cause: 'call' },
            { from: at('qemu', 2), to: at('kvm'), cost: 900, cause: 'ioctl' },
            { from: at('kvm'), to: at('guest-kernel', 2), cost: 800, cause: 'return' },
          ],
        },
      ],
    ])
    expect(adapter.skipped).toBe(0)
  })

  it('places a ring change on the one component of that row and VM, or only on the axis when ambiguous', () => {
    const { calls, consume } = recorder()
    consume(
      ring(NR3, 1),
      ring(NR3, 2),
      ring(NR0, 2),
      ring(ROOT3, 1), // QEMU of VM 1, not the management tools
      ring(ROOT0, NO_VM), // the host kernel (kvm.ko and vhost are inside it)
      ring(R1, 1), // no such row under KVM
    )
    expect(calls).toEqual([
      ['active', at('guest-user', 1), NR3],
      ['active', at('guest-user', 2), NR3],
      ['active', at('guest-kernel', 2), NR0],
      ['active', at('qemu', 1), ROOT3],
      ['active', at('host-kernel'), ROOT0],
      ['active', null, R1],
    ])
  })

  it('keeps interleaved flows apart by id', () => {
    const { flows, consume } = recorder()
    const a = portIoFlow(1)
    const b = [
      begin(2, FlowKind.Hypercall, 11),
      hop(2, at('guest-kernel', 1), at('kvm'), HopCause.Trap, 10),
      end(2),
    ]
    const c = [begin(3, FlowKind.Interrupt, 32), hop(3, at('kvm'), at('guest-kernel', 1), HopCause.Return, 5)]
    // b ends while a and c are open, then c ends while a is open: a keeps its hops.
    consume(c[0], a[0], b[0], a[1], b[1], a[2], b[2], c[1], end(3), ...a.slice(3))
    expect(flows().map((f) => [f.label, f.hops.map((h) => h.cost)])).toEqual([
      ['hypercall 11', [10]],
      ['interrupt 32', [5]],
      ['vm-exit 30', [1200, 900, 50, 900, 800]],
    ])
  })

  it('builds only the flows the sink wants, and counts every hop towards heat', () => {
    const { flows, hops, ended, calls, adapter, consume } = recorder((kind) => kind === 'hypercall')
    consume(
      ...portIoFlow(1),
      begin(2, FlowKind.Hypercall, 11),
      hop(2, at('guest-kernel', 1), at('kvm'), HopCause.Trap, 10),
      end(2),
    )
    expect(ended).toEqual(['vm-exit', 'hypercall'])
    expect(flows().map((f) => f.label)).toEqual(['hypercall 11'])
    expect(hops).toEqual([
      `${at('guest-kernel', 2)}>${at('kvm')}`,
      `${at('kvm')}>${at('qemu', 2)}`,
      `${at('qemu', 2)}>${at('uart')}`,
      `${at('qemu', 2)}>${at('kvm')}`,
      `${at('kvm')}>${at('guest-kernel', 2)}`,
      `${at('guest-kernel', 1)}>${at('kvm')}`,
    ])
    // The CPU marker follows a flow that is not shown as well.
    expect(calls.filter((c) => c[0] === 'active')).toHaveLength(5)
    // A flow not shown is not malformed input.
    expect(adapter.skipped).toBe(0)
  })

  it('skips and counts malformed or excessive input instead of failing', () => {
    const { adapter, flows, consume } = recorder()
    consume(
      hop(9, 0, 1, HopCause.Trap, 1), // no FlowBegin
      end(9), // no FlowBegin
      begin(0, FlowKind.VmExit, 1), // flow id 0 means "no flow"
      begin(3, 99 as FlowKind, 1), // unknown kind
      begin(4, FlowKind.VmExit, 1),
      hop(4, 0, 9999, HopCause.Trap, 1), // no such component
      hop(4, 0, 1, 77 as HopCause, 1), // unknown cause
      end(4), // ends a flow with nothing to show: not played
    )
    expect(flows()).toEqual([])
    expect(adapter.skipped).toBe(6)

    for (let f = 10; f < 16; f++) consume(begin(f, FlowKind.Interrupt, 32)) // 4 may be open at once
    expect(adapter.skipped).toBe(8)
    for (let i = 0; i < 10; i++) consume(hop(10, at('kvm'), at('guest-kernel', 1), HopCause.Return, 1))
    consume(end(10))
    expect(flows()[0].hops).toHaveLength(8)
    expect(adapter.skipped).toBe(10)
  })

  it('reads records anywhere in a batch, ignoring kinds it does not draw', () => {
    const events = [
      ev({ kind: EventKind.InsnRetired, arg0: 1000 }),
      ring(NR0, 1),
      ...portIoFlow(3),
      ev({ kind: EventKind.ConsoleByte, arg0: 0x41 }),
    ]
    const view = new RecordView(new ArrayBuffer(RECORD_BYTES * (events.length + 2)))
    events.forEach((e, i) => encodeEvent(view, i + 1, e))
    const { adapter, calls, flows } = recorder()
    adapter.consumeRecords(view, 1, events.length)
    expect(calls[0]).toEqual(['active', at('guest-kernel', 1), NR0])
    expect(flows().map((f) => f.hops.length)).toEqual([5])
    expect(adapter.skipped).toBe(0)
  })
})
