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

/**
 * First-generation VT-x, as Adams & Agesen measured it (ASPLOS 2006, Pentium 4 672 with VT-x and no
 * EPT; x86-virtualization-facts.md §3.1): for the comparison of software and hardware virtualization
 * (`--cost-profile vtx-2006`, with `--paging shadow`, as that hardware had no EPT). The paper gives no
 * bare exit figure; its hardware-VMM rows — true page fault 11,242, ptemod 12,733, `in` 15,826 — are
 * each "dominated by one exit/emulate/entry round trip on NetBurst" (§3.1), so the page fault is taken
 * as the round trip and the others' excess as their handlers' work [R: the split]. Trips to user
 * space keep their 2012 figure.
 */
export const KVM_VTX_2006_COSTS = {
  ...KVM_COSTS,
  exit: cost(
    5621,
    'adams-agesen-2006',
    'first-generation VT-x true page fault round trip 11,242 cycles, taken as exit + entry and split evenly [R]',
  ),
  entry: cost(
    5621,
    'adams-agesen-2006',
    'first-generation VT-x true page fault round trip 11,242 cycles, taken as exit + entry and split evenly [R]',
  ),
  'shadow-page-fault': cost(
    0,
    'adams-agesen-2006',
    'included in the 11,242-cycle round trip the exit and entry hops carry',
  ),
  'shadow-pte-write': cost(
    1491,
    'adams-agesen-2006',
    'ptemod 12,733 − the 11,242-cycle round trip: tracing the page-table write',
  ),
  'shadow-cr3': cost(0, 'adams-agesen-2006', 'no separate figure: the round trip dominates (§3.1) [R]'),
  'shadow-invlpg': cost(0, 'adams-agesen-2006', 'no separate figure: the round trip dominates (§3.1) [R]'),
  'emulate-kernel-device': cost(
    4584,
    'adams-agesen-2006',
    '`in` 15,826 − the 11,242-cycle round trip: the VMM emulating a port',
  ),
} as const satisfies CostTable
