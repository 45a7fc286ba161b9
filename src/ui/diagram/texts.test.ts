import { describe, expect, it } from 'vitest'
import { TOPOLOGIES } from '../../engine/hv/architectures'
import { componentIndex, instantiateTopology, type Topology } from '../../engine/hv/topology'
import { FLOW_KIND_NAMES, HopCause, type FlowKind } from '../../engine/trace/schema'
import { architecturesEn } from '../../i18n/locales/architectures.en'
import { architecturesZhCN } from '../../i18n/locales/architectures.zh-CN'
import { describeItem } from './DiagramDetails'
import { DiagramTexts, architectureMessages } from './texts'
import { hopCauseName } from './trace-adapter'

const kvm = instantiateTopology(TOPOLOGIES.kvm, 2)
const en = new DiagramTexts(architecturesEn, 'kvm', kvm)
const zh = new DiagramTexts(architecturesZhCN, 'kvm', kvm)

describe('diagram texts', () => {
  it('name every flow kind and hop cause of the trace schema in both languages', () => {
    for (const texts of [en, zh]) {
      for (const name of Object.values(FLOW_KIND_NAMES))
        expect(texts.msgs.diagram.flowKinds, name).toHaveProperty([name])
      for (const cause of Object.values(HopCause))
        expect(texts.cause(hopCauseName(cause as HopCause))).toBeTruthy()
    }
    expect(en.flowLabel(FLOW_KIND_NAMES[1 as FlowKind], 30)).toBe('VM exit 30')
    expect(zh.flowLabel('hypercall', 11)).toBe('超级调用 11')
  })

  it('qualify per-VM instances with their VM, in the architecture’s own words', () => {
    const qemu2 = kvm.components[componentIndex(kvm, 'qemu', 2)]
    expect(en.componentFullName(qemu2)).toBe('QEMU (VM 2)')
    const xen = instantiateTopology(TOPOLOGIES['xen-hvm'], 2)
    const dm = xen.components[componentIndex(xen, 'dom0-qemu', 2)]
    expect(new DiagramTexts(architecturesEn, 'xen-hvm', xen).componentFullName(dm)).toBe(
      'QEMU (Dom0) (DomU 2)',
    )
    expect(en.layoutTexts().component(qemu2)).toEqual({ title: 'QEMU', detail: 'VM 2' })
    const guest = kvm.components[componentIndex(kvm, 'guest-kernel', 2)]
    expect(en.layoutTexts().component(guest)).toEqual({ title: 'Guest kernel', detail: null })
  })

  it('name VMs as the architecture does, or "VM n" where it gives them no domain of their own', () => {
    const xen = new DiagramTexts(architecturesEn, 'xen-hvm', instantiateTopology(TOPOLOGIES['xen-hvm'], 2))
    expect(xen.vmName(2)).toBe('DomU 2')
    const bare = instantiateTopology(TOPOLOGIES.bare, 1)
    expect(new DiagramTexts(architecturesEn, 'bare', bare).vmName(1)).toBe('VM 1')
    expect(new DiagramTexts(architecturesZhCN, 'bare', bare).vmName(1)).toBe('虚拟机 1')
  })

  it('write "Ring −1" with VMX root beside it, and pick the interface language', () => {
    expect(en.layoutTexts().row('root-r0')).toEqual({ label: 'Ring −1', note: 'VMX root' })
    expect(zh.layoutTexts().row('root-r0')).toEqual({ label: 'Ring -1', note: '根模式（VMX root）' })
    expect(zh.layoutTexts().row('nr-r0')).toEqual({ label: '非根模式 Ring 0', note: null })
    expect(en.layoutTexts().row('r1')).toEqual({ label: 'Ring 1', note: null })
    expect(architectureMessages('en-US')).toBe(architecturesEn)
    expect(architectureMessages('zh-CN')).toBe(architecturesZhCN)
    expect(architectureMessages('fr')).toBe(architecturesZhCN)
  })

  /** The details of the edge between two component instances (`guest-kernel@2`, `qemu@2`). */
  function edgeDetails(texts: DiagramTexts, t: Topology, from: string, to: string) {
    const index = t.edges.findIndex((e) => t.components[e.from]!.id === from && t.components[e.to]!.id === to)
    expect(index, `${from}>${to}`).toBeGreaterThanOrEqual(0)
    return describeItem({ type: 'edge', index }, texts)
  }

  it('show an edge’s own text and sources, the same for every VM’s copy, in the interface language', () => {
    for (const vm of [1, 2]) {
      const d = edgeDetails(en, kvm, 'kvm', `qemu@${vm}`)
      expect(d.name).toBe(`return: kvm.ko + kvm-intel → QEMU (VM ${vm})`)
      expect(d.what).toMatch(/^KVM_RUN returns to QEMU's vCPU thread with KVM_EXIT_IO or KVM_EXIT_MMIO/)
      // Its own sources, not the union of the endpoints' (both cite only kvm-api).
      expect(d.sources).toEqual(['kvm-api', 'kvm-unit-tests-2012'])
    }
    const zhDetails = edgeDetails(zh, kvm, 'kvm', 'qemu@1')
    expect(zhDetails.what).toMatch(/^KVM_RUN 以 KVM_EXIT_IO 或 KVM_EXIT_MMIO 返回到 QEMU 的 vCPU 线程/)
    expect(zhDetails.sources).toEqual(['kvm-api', 'kvm-unit-tests-2012'])
  })

  it('fall back to the edge kind’s sentence and the endpoints’ sources for an edge without a text', () => {
    const spec = TOPOLOGIES.kvm
    const t = instantiateTopology(
      { ...spec, edges: [...spec.edges, { from: 'virsh', to: 'guest-kernel', kind: 'signal' }] },
      1,
    )
    const d = edgeDetails(new DiagramTexts(architecturesEn, 'kvm', t), t, 'virsh', 'guest-kernel@1')
    expect(d.what).toBe('Signal: virsh notifies Guest kernel (VM 1) (an interrupt, event or eventfd).')
    expect([...d.sources].sort()).toEqual(['intel-sdm-vmx', 'kvm-api'])
  })
})
