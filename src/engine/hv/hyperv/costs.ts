import { cost, type CostTable } from '../costs'
import { MANAGEMENT_COSTS, VTX_COSTS } from '../vtx-costs'

/**
 * Hyper-V's cost table (hypervisor-flows.md §5). A hypercall is a VMCALL exit, so the VMCALL round trip is
 * "the right order of magnitude" (x86-virtualization-facts.md §3.4). The intercept path to the root
 * partition's worker process has no published figure: it is modelled like KVM's 13,000-cycle trip to user
 * space, split over the intercept message, the hand-off to VMWP, and the resume hypercall [R].
 */
export const HYPERV_COSTS = {
  ...VTX_COSTS,
  ...MANAGEMENT_COSTS,
  hypercall: cost(
    1949,
    'kvm-unit-tests-2012',
    'a hypercall is a VMCALL exit; the exit half of the 3,898-cycle vmcall round trip (the entry hop carries the rest)',
  ),
  'intercept-message': cost(
    4333,
    'hyperv-tlfs',
    "the hypervisor suspends the VP and posts an intercept message to the root's SynIC (SIM page + SINT): a third of a 13,000-cycle trip to user space [R]",
  ),
  'vid-to-vmwp': cost(
    4333,
    'hyperv-tlfs',
    "the VID driver hands the intercept to the VM's worker process in root user space: a third of the round trip [R]",
  ),
  'set-vp-registers': cost(
    4334,
    'hyperv-tlfs',
    'VMWP completes the access and resumes the VP with HvCallSetVpRegisters (clearing HvRegisterInterceptSuspend): the last third [R]',
  ),
  'signal-event': cost(
    1949,
    'kvm-unit-tests-2012',
    'HvCallSignalEvent is a fast hypercall: the exit half of a vmcall round trip',
  ),
  'synic-interrupt': cost(
    553,
    'kvm-unit-tests-2012',
    'the hypervisor sets the SIEF bit and raises the SINT in the target VP: modelled as an in-kernel notification (outl_to_kernel − vmcall) [R]',
  ),
  'root-schedule': cost(
    2000,
    'splitx-2011',
    "the hypervisor switches the physical CPU to the root partition's virtual processor so the root can handle the request: modelled like Xen's switch to Dom0, one world switch of ~2,000 cycles [R]",
  ),
  'vsp-work': cost(
    3676,
    'kvm-unit-tests-2012',
    "the VSP reads the VMBus ring and issues the I/O to the root's driver stack: modelled like a device model's emulation work [R]",
  ),
} as const satisfies CostTable
export type HypervCostId = keyof typeof HYPERV_COSTS
