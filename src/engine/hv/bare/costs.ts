import { cost, type CostTable } from '../costs'
import { VTX_COSTS } from '../vtx-costs'

/**
 * Bare metal's cost table: only the hardware's own transitions, against which every hypervisor is
 * compared (Adams & Agesen's "native" column, x86-virtualization-facts.md §3.1).
 */
export const BARE_COSTS = {
  'guest-syscall': VTX_COSTS['guest-syscall'],
  'guest-sysret': VTX_COSTS['guest-sysret'],
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
} as const satisfies CostTable
export type BareCostId = keyof typeof BARE_COSTS
