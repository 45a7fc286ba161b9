import { cost, type CostTable } from './costs'
import { NATIVE_COSTS } from './native-costs'

/**
 * Costs shared by every hardware-assisted (VT-x) model: the hardware transitions are the same
 * whichever hypervisor handles the exit. One consistent data set is used for them — Bonzini's 2012
 * kvm-unit-tests measurements on one machine (vmcall 3,898; inl_from_kernel 7,237; inl_from_qemu
 * 20,574; outl_to_kernel 4,451) — so that paths built from these pieces add up to the measured totals.
 */
export const VTX_COSTS = {
  exit: cost(
    1949,
    'kvm-unit-tests-2012',
    'vmcall round trip 3,898 cycles with a trivial handler, split evenly between the exit and the entry hop [R: the split]',
  ),
  entry: cost(
    1949,
    'kvm-unit-tests-2012',
    'vmcall round trip 3,898 cycles, split evenly between the exit and the entry hop [R: the split]',
  ),
  'emulate-kernel-device': cost(
    3339,
    'kvm-unit-tests-2012',
    'inl_from_kernel 7,237 − vmcall 3,898: emulating a device inside the hypervisor ("the cost of emulation is 3,300 cycles")',
  ),
  'emulate-user-device': cost(
    3676,
    'kvm-unit-tests-2012',
    "inl_from_qemu 20,574 − vmcall 3,898 − the 13,000-cycle user-space round trip: the device model's own emulation work",
  ),
  'user-space-exit': cost(
    6500,
    'kvm-unit-tests-2012',
    '"the cost of exiting to userspace is 13,000 cycles", split evenly between leaving for and returning from the user-space device model [R: the split]',
  ),
  'kernel-notify': cost(
    553,
    'kvm-unit-tests-2012',
    'outl_to_kernel 4,451 − vmcall 3,898: an in-kernel write handler (used for an ioeventfd match) [R: outl_to_kernel measures an in-kernel PIO device]',
  ),
  'guest-syscall': NATIVE_COSTS['guest-syscall'],
  'guest-sysret': NATIVE_COSTS['guest-sysret'],
  'native-fault': NATIVE_COSTS['native-fault'],
  'native-page-fault': NATIVE_COSTS['native-page-fault'],
  'host-syscall': cost(
    300,
    'local-kvm-measurement',
    'a native system call (getppid ~250–380 cycles) by a host user-space process',
  ),
  'timer-deliver': cost(
    3756,
    'kvm-ipi-2020',
    "tscdeadline round trip 5,285 cycles − vmcall 1,529 on the same Skylake-SP machine: the timer path's own work (host timer callback, marking the vector pending, injection)",
  ),
  inject: cost(
    0,
    'intel-sdm-vmx',
    'event injection is part of the VM entry (VM-entry interruption-information field): no cost beyond the entry hop',
  ),
  'ept-populate': cost(
    3300,
    'kvm-unit-tests-2012',
    'no published figure for faulting a page in on an EPT violation; modelled as one in-kernel emulation ("the cost of emulation is 3,300 cycles") [R]',
  ),
  'shadow-page-fault': cost(
    7344,
    'adams-agesen-2006',
    "first-generation VT-x true guest page fault 11,242 cycles round trip − this table's exit+entry 3,898: the shadow MMU's work [R: different machines]",
  ),
  'shadow-pte-write': cost(
    8835,
    'adams-agesen-2006',
    'first-generation VT-x ptemod 12,733 cycles − exit+entry 3,898: emulating a write to a write-protected guest page table and updating the shadow [R: different machines]',
  ),
  'shadow-cr3': cost(
    1108,
    'kvm-mmu-cr0-2022',
    'CR0-toggle exit with the shadow MMU 5,006 cycles − exit+entry 3,898: switching shadow roots on a CR3 load [R: a CR0 toggle used as the nearest measured MMU-context exit]',
  ),
  'shadow-invlpg': cost(
    1108,
    'kvm-mmu-cr0-2022',
    'as shadow-cr3: an MMU-context exit handled with the shadow MMU [R]',
  ),
  'halt-block': cost(
    0,
    'intel-sdm-vmx',
    'a blocked vCPU costs nothing while another runs; the time it waits is idle time, not work',
  ),
} as const satisfies CostTable
export type VtxCostId = keyof typeof VTX_COSTS

/** Management-plane operations have no cycle figures in the references; these are modelling choices. */
export const MANAGEMENT_COSTS = {
  'mgmt-rpc': cost(
    50_000,
    'ringside-model',
    'a local RPC (UNIX socket, WMI, xenstore request) modelled as 50 µs at 1 GHz [R]',
  ),
  'mgmt-spawn': cost(
    2_000_000,
    'ringside-model',
    'starting a process (QEMU, VMWP, VMX world, device model) modelled as 2 ms [R]',
  ),
  'mgmt-ioctl': cost(
    5_000,
    'ringside-model',
    'a control ioctl or hypercall that creates or configures VM state modelled as 5 µs [R]',
  ),
  'mgmt-populate': cost(
    500_000,
    'ringside-model',
    'allocating and mapping guest memory modelled as 0.5 ms for the VM sizes Ringside runs [R]',
  ),
  'mgmt-teardown': cost(
    200_000,
    'ringside-model',
    "tearing down a VM's state (memory, vCPUs, device model) modelled as 0.2 ms [R]",
  ),
} as const satisfies CostTable
export type ManagementCostId = keyof typeof MANAGEMENT_COSTS
