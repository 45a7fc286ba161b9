import { cost, type CostTable } from '../costs'
import { MANAGEMENT_COSTS, VTX_COSTS } from '../vtx-costs'

/**
 * KVM's cost table (hypervisor-flows.md §3, x86-virtualization-facts.md §3.3). Built so that the
 * paths add up to Bonzini's 2012 measurements on one machine: CPUID/VMCALL = exit + entry = 3,898;
 * an in-kernel device (PIC, PIT) = exit + emulate-kernel-device + entry = 7,237 (inl_from_kernel);
 * a QEMU device (UART, IDE) = exit + user-space-exit + emulate-user-device + user-space-exit + entry
 * = 20,574 (inl_from_qemu).
 */
export const KVM_COSTS = {
  ...VTX_COSTS,
  ...MANAGEMENT_COSTS,
  ioeventfd: cost(
    553,
    'kvm-unit-tests-2012',
    'outl_to_kernel 4,451 − vmcall 3,898: KVM matches the write to a registered ioeventfd and signals it instead of returning to QEMU (api.rst KVM_IOEVENTFD)',
  ),
  'iothread-wake': cost(
    300,
    'local-kvm-measurement',
    "the eventfd wakes QEMU's iothread: about one host system call [R]",
  ),
  irqfd: cost(
    300,
    'local-kvm-measurement',
    'QEMU writes the irqfd (one host system call); KVM raises the virtual interrupt (api.rst KVM_IRQFD) [R]',
  ),
  'vhost-wake': cost(
    300,
    'local-kvm-measurement',
    'the eventfd wakes the vhost kernel thread; no return to user space [R]',
  ),
} as const satisfies CostTable
export type KvmCostId = keyof typeof KVM_COSTS
