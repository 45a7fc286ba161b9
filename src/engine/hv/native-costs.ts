import { cost, type CostTable } from './costs'

/**
 * The hardware's own costs, with no hypervisor: Adams & Agesen's "native" column
 * (x86-virtualization-facts.md §3.1) and the native system call measured in a guest (§10). Every
 * architecture pays these for what its guest does natively — a system call, a fault delivered
 * through the guest's own IDT — and adds its own work on top.
 */
export const NATIVE_COSTS = {
  'guest-syscall': cost(
    150,
    'local-kvm-measurement',
    'native getppid round trip ~250–380 cycles (no exit involved), about half for entering the kernel [R: the split]',
  ),
  'guest-sysret': cost(
    150,
    'local-kvm-measurement',
    'native getppid round trip ~250–380 cycles, about half for returning to user mode [R: the split]',
  ),
  'native-pio': cost(
    3209,
    'adams-agesen-2006',
    'native `in` from port 0x80: 3,209 cycles on the Pentium 4 (an ISA bus access is slow on any machine)',
  ),
  'native-mmio': cost(
    300,
    'ringside-model',
    'an uncached access to a device register in the MMIO window; no figure in the references, modelled as 300 cycles [R]',
  ),
  'native-fault': cost(
    889,
    'adams-agesen-2006',
    'native divide-by-zero fault: delivery through the IDT and return, 889 cycles',
  ),
  'native-page-fault': cost(1093, 'adams-agesen-2006', 'native true page fault round trip: 1,093 cycles'),
  'native-interrupt': cost(
    889,
    'adams-agesen-2006',
    'delivering an external interrupt through the IDT and returning costs about what a fault does: modelled as the divzero figure, 889 cycles [R]',
  ),
  'native-ata-data': cost(
    456,
    'ringside-model',
    'one 16-bit read or write of the ATA data register: the PIO mode 4 cycle time, 120 ns (ATA/ATAPI-6), at the 3.8 GHz of the Pentium 4 the native figures come from [R: the references give only port 0x80]',
  ),
} as const satisfies CostTable
export type NativeCostId = keyof typeof NATIVE_COSTS
