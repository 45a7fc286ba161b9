import { EventBatcher } from '../trace/batcher'
import { RecordView, decodeEvent } from '../trace/codec'
import { EventKind, type TraceEvent } from '../trace/schema'
import { EventSink } from '../trace/sink'
import type { CostTable } from './costs'
import { FlowRecorder } from './flow'
import type { ManagedVm, VmControl } from './management'
import type { Topology } from './topology'

/**
 * A VM directory and a recording event sink for testing management shells without a CPU: what a
 * shell does to the VMs and which components its flows pass through.
 */
export class FakeVms implements VmControl {
  readonly clock = { cycles: 0 }
  readonly vms: ManagedVm[]
  readonly log: string[] = []

  constructor(names: readonly string[], running = true) {
    this.vms = names.map((name, i) => ({
      index: i + 1,
      name,
      state: running ? 'running' : 'off',
      memMiB: 32,
      vcpus: 1,
      startedAt: 0,
      cpuCycles: 0,
      blocked: false,
    }))
  }
  list(): readonly ManagedVm[] {
    return this.vms
  }
  start(index: number): void {
    this.log.push(`start ${index}`)
    this.set(index, 'running')
  }
  destroy(index: number): void {
    this.log.push(`destroy ${index}`)
    this.set(index, 'off')
  }
  now(): number {
    return this.clock.cycles
  }
  private set(index: number, state: ManagedVm['state']): void {
    const i = this.vms.findIndex((v) => v.index === index)
    this.vms[i] = { ...this.vms[i]!, state, startedAt: this.clock.cycles }
  }
}

export function recorderFor<K extends string>(
  topology: Topology,
  costs: CostTable<K>,
  clock: { cycles: number },
) {
  const sink = new EventSink(clock)
  const batcher = new EventBatcher(1 << 14)
  sink.attach(batcher)
  const rec = new FlowRecorder(sink, clock, topology, costs)
  const events = (): TraceEvent[] => {
    const b = batcher.take()
    const v = new RecordView(b.buffer)
    return Array.from({ length: b.count }, (_, i) => decodeEvent(v, i))
  }
  /** The hops of the recorded flows as "from>to" instance ids. */
  const hops = (evs: readonly TraceEvent[]): string[] =>
    evs
      .filter((e) => e.kind === EventKind.Hop)
      .map((e) => `${topology.components[e.from]!.id}>${topology.components[e.to]!.id}`)
  return { sink, rec, events, hops }
}
