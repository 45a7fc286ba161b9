import { cost, type CostTable } from '../costs'
import { MANAGEMENT_COSTS, VTX_COSTS } from '../vtx-costs'

/**
 * ESXi's cost table (hypervisor-flows.md §6.2). VMware publishes no per-exit figures; the exit and entry
 * are the same VT-x transitions as elsewhere. Handing a device access to the VMX user world is modelled
 * like KVM's trip to user space, and a call into the VMkernel's storage stack as an in-kernel call [R].
 */
export const ESXI_COSTS = {
  ...VTX_COSTS,
  ...MANAGEMENT_COSTS,
  'vmm-to-vmx': cost(
    6500,
    'kvm-unit-tests-2012',
    "the VMM hands the access to the VMX user world: modelled as half of KVM's 13,000-cycle user-space round trip [R: ESXi figures are not published]",
  ),
  'vmx-to-vmm': cost(
    6500,
    'kvm-unit-tests-2012',
    'the VMX user world returns the result to the VMM: the other half of the round trip [R]',
  ),
  'vmm-to-vmkernel': cost(
    553,
    'kvm-unit-tests-2012',
    'the VMM calls the VMkernel storage or network stack in the same address space: modelled as an in-kernel handler (outl_to_kernel − vmcall) [R]',
  ),
  'vmkernel-to-vmm': cost(553, 'kvm-unit-tests-2012', 'the VMkernel returns to the VMM [R: as above]'),
} as const satisfies CostTable
export type EsxiCostId = keyof typeof ESXI_COSTS
