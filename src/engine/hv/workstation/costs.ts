import { cost, type CostTable } from '../costs'
import { MANAGEMENT_COSTS, VTX_COSTS } from '../vtx-costs'

/**
 * The hosted VMM's cost table (hypervisor-flows.md §7.1; Sugerman, Venkitachalam, Lim, USENIX ATC 2001,
 * measured on a 733 MHz Pentium III). The paper's path for a device the VMM cannot finish — a NIC
 * transmit through the host, 22.7 µs = 16,639 cycles — consists of the VMM's own emulation, two world
 * switches with the driver and VMApp hand-offs, the device model's work and a host write(); the world
 * switches get what remains once the other parts are priced as elsewhere in Ringside [R].
 */
export const WORKSTATION_COSTS = {
  ...VTX_COSTS,
  ...MANAGEMENT_COSTS,
  'emulate-in-vmm': cost(
    572,
    'sugerman-2001',
    'IN/OUT to a device the VMM emulates itself (the virtual PIC): 0.78 µs at 733 MHz',
  ),
  'world-switch': cost(
    6046,
    'sugerman-2001',
    'transmit via the host 22.7 µs = 16,639 cycles at 733 MHz, minus the VMM-handled access (572), the device model (3,676) and a host write() (300), split over the two world switches [R: the split]',
  ),
} as const satisfies CostTable
export type WorkstationCostId = keyof typeof WORKSTATION_COSTS
