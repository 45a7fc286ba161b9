import { cost, type CostTable } from '../costs'
import { MANAGEMENT_COSTS, VTX_COSTS } from '../vtx-costs'

/**
 * Xen HVM's cost table (hypervisor-flows.md §4.3). The VM exit and entry are the same hardware
 * transitions as under KVM. The ioreq path to QEMU in Dom0 has no published figure: the reference says
 * it is "similar or higher" than KVM's 13,000-cycle trip to user space (two event-channel hops plus a
 * Dom0 reschedule), so that figure is spread over its four hops, plus a Dom0 schedule [R].
 */
export const XEN_HVM_COSTS = {
  ...VTX_COSTS,
  ...MANAGEMENT_COSTS,
  'ioreq-notify': cost(
    3250,
    'xen-hvm-ioreq',
    "Xen fills the vCPU's ioreq slot and sends the event channel to Dom0: a quarter of KVM's 13,000-cycle user-space round trip [R]",
  ),
  'evtchn-upcall': cost(
    3250,
    'xen-hvm-ioreq',
    "Dom0's event-channel driver wakes QEMU blocked on the evtchn device: a quarter of the 13,000-cycle round trip [R]",
  ),
  'ioreq-complete': cost(
    3250,
    'xen-hvm-ioreq',
    "QEMU writes the response and notifies its event channel (an ioctl into Dom0's kernel): a quarter of the round trip [R]",
  ),
  'evtchn-send': cost(
    3250,
    'xen-hvm-ioreq',
    "Dom0's kernel issues EVTCHNOP_send (hypercall 32); Xen wakes the blocked vCPU: a quarter of the round trip [R]",
  ),
  'dom0-schedule': cost(
    2000,
    'splitx-2011',
    'Xen switches the physical CPU to Dom0 to run QEMU: modelled as one more world switch of ~2,000 cycles ("direct cost of one exit") [R]',
  ),
} as const satisfies CostTable
export type XenHvmCostId = keyof typeof XEN_HVM_COSTS
