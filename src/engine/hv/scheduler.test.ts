import { describe, expect, it } from 'vitest'
import { bootedSession } from '../../../test/models/guest-fixture'
import { EventBatcher } from '../trace/batcher'
import { RecordView, decodeEvent } from '../trace/codec'
import { EventKind } from '../trace/schema'
import { utf8Encode } from '../util/utf8'

/** Two VMs both running a CPU-bound loop; the physical CPU's switches between them (Schedule events). */
function switches(arch: string, cycles: number) {
  const { s } = bootedSession(arch, 'native', 2)
  const batcher = new EventBatcher(1 << 18)
  s.attachEvents(batcher)
  for (const vm of s.vms) s.input(vm.index, utf8Encode('bench cpu 1024\n'))
  s.run({ maxCycles: cycles })
  const b = batcher.take()
  const v = new RecordView(b.buffer, 0, b.count)
  const events = Array.from({ length: b.count }, (_, i) => decodeEvent(v, i)).filter(
    (e) => e.kind === EventKind.Schedule,
  )
  const between = events.filter((e) => e.arg0 !== 0 && e.arg1 !== 0)
  const gaps = between.slice(1).map((e, i) => e.cycle - between[i]!.cycle)
  return { events, between, gaps, policy: events[0]?.reason }
}

describe('vCPU scheduling on one physical CPU', () => {
  it('KVM (Linux CFS in spirit) alternates two busy vCPUs in slices of sched_latency / 2 = 3 ms', () => {
    const { between, gaps, policy } = switches('kvm', 60_000_000)
    expect(policy).toBe(1)
    expect(between.length).toBeGreaterThan(10)
    const median = gaps.sort((a, b) => a - b)[gaps.length >> 1]!
    expect(median).toBeGreaterThanOrEqual(3_000_000)
    expect(median).toBeLessThan(3_500_000)
    // Both VMs get the CPU.
    expect(new Set(between.map((e) => e.arg1))).toEqual(new Set([1, 2]))
  })

  it('Xen (credit scheduler in spirit) switches two busy vCPUs every 30 ms', () => {
    const { between, gaps, policy } = switches('xen-hvm', 150_000_000)
    expect(policy).toBe(2)
    expect(between.length).toBeGreaterThan(2)
    const median = gaps.sort((a, b) => a - b)[gaps.length >> 1]!
    expect(median).toBeGreaterThanOrEqual(30_000_000)
    expect(median).toBeLessThan(31_000_000)
  })

  it('has no vCPU scheduler to show on bare metal', () => {
    const { s } = bootedSession('bare')
    expect(s.sink.counts[EventKind.Schedule]).toBe(0)
  })
})
