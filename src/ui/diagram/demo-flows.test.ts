import { describe, expect, it } from 'vitest'
import { TOPOLOGIES, type ArchId } from '../../engine/hv/architectures'
import { instantiateTopology } from '../../engine/hv/topology'
import { DEMO_FLOWS, demoFlow } from './demo-flows'

describe('demonstration flows', () => {
  const demos = Object.entries(DEMO_FLOWS) as Array<[ArchId, NonNullable<(typeof DEMO_FLOWS)[ArchId]>]>

  it.each(demos)(
    '%s: every hop is an edge of the topology, and the flow leaves and re-enters the guest',
    (arch, demo) => {
      for (const vm of [1, 3]) {
        const t = instantiateTopology(TOPOLOGIES[arch], 3)
        const flow = demoFlow(demo, t, vm, 'x')
        for (const h of flow.hops) {
          const edge = t.edges.find((e) => e.from === h.from && e.to === h.to)
          expect(edge, `${t.components[h.from].id} → ${t.components[h.to].id}`).toBeDefined()
          expect(edge?.kind).toBe(h.cause)
          for (const c of [t.components[h.from], t.components[h.to]]) expect([null, vm]).toContain(c.vm)
        }
        const first = t.components[flow.hops[0].from]
        const last = t.components[flow.hops[flow.hops.length - 1].to]
        expect([first.id, last.id]).toEqual([`guest-kernel@${vm}`, `guest-kernel@${vm}`])
        expect(flow.hops.every((h) => h.cost === null)).toBe(true)
      }
    },
  )

  it('passes through the component the references name for a port-I/O exit', () => {
    const handler: Partial<Record<ArchId, string>> = {
      kvm: 'qemu',
      'xen-hvm': 'dom0-qemu',
      esxi: 'vmm',
      hyperv: 'vmwp',
    }
    for (const [arch, id] of Object.entries(handler) as Array<[ArchId, string]>) {
      const demo = DEMO_FLOWS[arch]
      expect(
        demo?.hops.some(([, to]) => to === id),
        arch,
      ).toBe(true)
    }
  })
})
