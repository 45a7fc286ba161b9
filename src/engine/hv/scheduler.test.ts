import { describe, expect, it } from 'vitest'
import { bootedSession } from '../../../test/models/guest-fixture'
import { EventBatcher } from '../trace/batcher'
import { RecordView, decodeEvent } from '../trace/codec'
import { EventKind, MANAGEMENT_VM } from '../trace/schema'
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
  const schedules = Array.from({ length: b.count }, (_, i) => decodeEvent(v, i)).filter(
    (e) => e.kind === EventKind.Schedule,
  )
  // The vCPU scheduler's own switches carry its policy; a switch to the management domain and back
  // (Dom0 running QEMU, the root partition handling an intercept) carries 0.
  const events = schedules.filter((e) => e.reason !== 0)
  const between = events.filter((e) => e.arg0 !== 0 && e.arg1 !== 0)
  const gaps = between.slice(1).map((e, i) => e.cycle - between[i]!.cycle)
  const management = schedules.filter((e) => e.reason === 0)
  return { events, between, gaps, policy: events[0]?.reason, management }
}

function median(xs: number[]): number {
  return xs.sort((a, b) => a - b)[xs.length >> 1]!
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

  it("ESXi (the VMkernel's proportional share in spirit) gives two busy vCPUs equal shares in quanta of 50 ms", () => {
    const { s } = bootedSession('esxi', 'native', 2)
    const batcher = new EventBatcher(1 << 18)
    s.attachEvents(batcher)
    const before = s.vms.map((vm) => vm.cpuCycles)
    for (const vm of s.vms) s.input(vm.index, utf8Encode('bench cpu 4096\n'))
    s.run({ maxCycles: 300_000_000 })
    const b = batcher.take()
    const v = new RecordView(b.buffer, 0, b.count)
    const between = Array.from({ length: b.count }, (_, i) => decodeEvent(v, i)).filter(
      (e) => e.kind === EventKind.Schedule && e.arg0 !== 0 && e.arg1 !== 0,
    )
    expect(between[0]?.reason).toBe(3)
    expect(between.length).toBeGreaterThanOrEqual(3)
    // Never switched before a quantum was used up…
    const gaps = between.slice(1).map((e, i) => e.cycle - between[i]!.cycle)
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(50_000_000)
    // …and the least-consumed-first rule evens out the shares, whoever started first.
    const used = s.vms.map((vm, i) => vm.cpuCycles - before[i]!)
    expect(Math.min(...used) / Math.max(...used)).toBeGreaterThan(0.8)
  })

  it('Hyper-V (round robin) takes turns every 10 ms, and runs the root partition for each intercept', () => {
    const { between, gaps, policy, management } = switches('hyperv', 60_000_000)
    expect(policy).toBe(4)
    expect(between.length).toBeGreaterThan(3)
    expect(median(gaps)).toBeGreaterThanOrEqual(10_000_000)
    expect(median(gaps)).toBeLessThan(11_000_000)
    // Strict turns: never the same VM twice in a row.
    expect(between.every((e, i) => i === 0 || e.arg1 !== between[i - 1]!.arg1)).toBe(true)
    // The legacy PIT's ticks are emulated in VMWP: the CPU goes to the root partition (MANAGEMENT_VM) and back.
    expect(management.length).toBeGreaterThan(0)
    expect(management.every((e) => e.arg0 === MANAGEMENT_VM || e.arg1 === MANAGEMENT_VM)).toBe(true)
  })

  it('has no vCPU scheduler to show on bare metal', () => {
    const { s } = bootedSession('bare')
    expect(s.sink.counts[EventKind.Schedule]).toBe(0)
  })
})
