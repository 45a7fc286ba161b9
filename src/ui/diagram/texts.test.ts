import { describe, expect, it } from 'vitest'
import { TOPOLOGIES } from '../../engine/hv/architectures'
import { componentIndex, instantiateTopology } from '../../engine/hv/topology'
import { FLOW_KIND_NAMES, HopCause, type FlowKind } from '../../engine/trace/schema'
import { architecturesEn } from '../../i18n/locales/architectures.en'
import { architecturesZhCN } from '../../i18n/locales/architectures.zh-CN'
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
})
