import { describe, expect, it } from 'vitest'
import { ARCH_IDS, TOPOLOGIES } from './architectures'
import {
  componentIndex,
  instantiateTopology,
  validateTopology,
  TopologyError,
  type TopologySpec,
} from './topology'

/** Component ids the issues name as contracts (issue 7 §2, issue 9 §1–5). */
const CONTRACT: Record<string, string[]> = {
  bare: ['guest-kernel', 'guest-user', 'cpu', 'memory', 'disk', 'nic', 'uart', 'timer'],
  kvm: ['kvm', 'host-kernel', 'qemu', 'libvirtd', 'virsh', 'guest-kernel', 'guest-user'],
  'xen-hvm': ['xen', 'dom0-kernel', 'dom0-qemu', 'xl', 'xenstored'],
  esxi: ['vmkernel', 'vmm', 'vmx', 'hostd', 'vpxa'],
  hyperv: ['hypervisor', 'root-kernel', 'vmwp', 'vmms', 'powershell'],
  'trap-emulate': ['monitor', 'guest-kernel', 'guest-user'],
  'vmware-bt': ['bt', 'vmm', 'guest-user'],
  'xen-pv': ['xen', 'dom0-kernel', 'blkback', 'consoleback', 'xl', 'xenstored', 'domU-kernel', 'domU-user'],
  workstation: ['vmapp', 'vmmon', 'vmm', 'host-kernel'],
  container: ['host-kernel', 'runc'],
}

describe('architecture topologies', () => {
  it.each(ARCH_IDS)('%s validates and has its contract components', (arch) => {
    const spec = TOPOLOGIES[arch]
    expect(spec.arch).toBe(arch)
    validateTopology(spec)
    const ids = spec.components.map((c) => c.id)
    for (const id of CONTRACT[arch] ?? []) expect(ids).toContain(id)
  })

  it('puts the hypervisor where the references say (ring −1 = root-r0) and the management OS kernels in their rings', () => {
    const row = (arch: keyof typeof TOPOLOGIES, id: string) =>
      TOPOLOGIES[arch].components.find((c) => c.id === id)?.row
    expect(row('kvm', 'kvm')).toBe('root-r0')
    expect(row('kvm', 'qemu')).toBe('root-r3')
    expect(row('xen-hvm', 'xen')).toBe('root-r0')
    expect(row('hyperv', 'hypervisor')).toBe('root-r0')
    // Hyper-V's root partition is itself a partition: non-root (hypervisor-flows.md §11.1).
    expect(row('hyperv', 'root-kernel')).toBe('nr-r0')
    expect(row('hyperv', 'vmwp')).toBe('nr-r3')
    expect(row('esxi', 'vmm')).toBe('root-r0')
    expect(row('xen-pv', 'domU-kernel')).toBe('r1')
    expect(row('trap-emulate', 'guest-kernel')).toBe('r1')
    expect(row('container', 'host-kernel')).toBe('r0')
  })

  it('has no ring −1 for containers and bare metal', () => {
    for (const arch of ['container', 'bare'] as const) {
      const t = instantiateTopology(TOPOLOGIES[arch], 1)
      expect(t.rows.some((r) => r.startsWith('root') || r.startsWith('nr'))).toBe(false)
    }
  })

  it('marks the management plane: Dom0 toolstack, ESXi agents in the VMkernel, Hyper-V root services, libvirt', () => {
    const mgmt = (arch: keyof typeof TOPOLOGIES) =>
      TOPOLOGIES[arch].components.filter((c) => c.management).map((c) => c.id)
    expect(mgmt('xen-hvm')).toEqual(expect.arrayContaining(['xl', 'xenstored']))
    expect(mgmt('esxi')).toEqual(expect.arrayContaining(['hostd', 'vpxa']))
    expect(TOPOLOGIES.esxi.components.find((c) => c.id === 'hostd')?.domain).toBe('vmkernel')
    expect(mgmt('hyperv')).toEqual(expect.arrayContaining(['vmms', 'powershell']))
    expect(mgmt('kvm')).toEqual(expect.arrayContaining(['libvirtd', 'virsh']))
  })

  it('instantiates per-VM columns and per-VM components with same-VM edges only', () => {
    const t = instantiateTopology(TOPOLOGIES.kvm, 2)
    expect(t.domains.map((d) => d.id)).toEqual(['host', 'vm-1', 'vm-2', 'hardware'])
    const qemus = t.components.filter((c) => c.baseId === 'qemu')
    expect(qemus.map((c) => [c.id, c.vm, c.domain])).toEqual([
      ['qemu@1', 1, 'host'],
      ['qemu@2', 2, 'host'],
    ])
    const k1 = componentIndex(t, 'guest-kernel', 1)
    const kvm = componentIndex(t, 'kvm')
    expect(t.edges).toContainEqual({ from: k1, to: kvm, kind: 'trap' })
    const q2 = componentIndex(t, 'qemu', 2)
    expect(t.edges.some((e) => e.from === kvm && e.to === q2)).toBe(true)
    const vhost1 = componentIndex(t, 'vhost', 1)
    expect(t.edges.some((e) => e.from === vhost1 && e.to === q2)).toBe(false)
    expect(t.components.every((c, i) => c.index === i)).toBe(true)
    expect(t.rows).toEqual(['nr-r3', 'nr-r0', 'root-r3', 'root-r0', 'hw'])
  })

  it('rejects malformed topologies with a clear message', () => {
    const base: TopologySpec = TOPOLOGIES.bare
    const bad = (patch: Partial<TopologySpec>) => () => validateTopology({ ...base, ...patch })
    expect(bad({ edges: [{ from: 'guest-kernel', to: 'nowhere', kind: 'io' }] })).toThrow(
      /edge to unknown component nowhere/,
    )
    expect(bad({ components: [...base.components, base.components[0]!] })).toThrow(TopologyError)
    expect(
      bad({
        components: [
          { id: 'x', domain: 'machine', row: 'r9' as never, kind: 'kernel', sources: ['intel-sdm-vmx'] },
        ],
      }),
    ).toThrow(/unknown row/)
    expect(
      bad({
        components: [{ id: 'x', domain: 'machine', row: 'r0', kind: 'kernel', sources: ['nope' as never] }],
      }),
    ).toThrow(/unknown source nope/)
    expect(() => instantiateTopology(base, 0)).toThrow(/VM count/)
  })
})
