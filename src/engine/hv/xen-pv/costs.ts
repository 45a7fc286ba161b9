import { BARE_COSTS } from '../bare/costs'
import { cost, type CostTable } from '../costs'
import { MANAGEMENT_COSTS } from '../vtx-costs'

/** One microsecond on Barham et al.'s 2.4 GHz Xeon, in its cycles. */
const US = 2400

/**
 * 32-bit Xen PV's cost table (hypervisor-flows.md §4.2, §10; x86-virtualization-facts.md §3.2).
 * The anchors are Barham et al.'s lmbench figures (SOSP 2003, 2.4 GHz Xeon; µs × 2,400 = cycles):
 * null call L 0.45 / Xen 0.46 µs, page fault 1.42 / 2.73 µs, context switch 0.77 / 1.97 µs. Where a
 * flow also exists on bare metal the bare figure is the base and the Xen/Linux ratio is applied, so
 * the two models compare on the same footing; the splits into hops are modelling choices [R].
 */
export const XEN_PV_COSTS = {
  ...MANAGEMENT_COSTS,
  'pv-syscall': cost(
    153,
    'barham-2003',
    "INT 0x80 through the trap gate Xen installs for the guest's handler: no Xen on the way; null call 0.46/0.45 µs = 1.02 × bare metal's 150-cycle entry",
  ),
  'pv-sysret': cost(
    153,
    'barham-2003',
    "IRET from the ring-1 kernel straight to ring 3 (events already on): 1.02 × bare metal's 150-cycle return, as for the entry",
  ),
  'xen-entry': cost(
    650,
    'barham-2003',
    'a trap into Xen (INT 0x82, a fault, an interrupt): page fault 2.73 − 1.42 µs = 3,144 cycles extra = four crossings (the fault through Xen, then the mmu_update that fixes the PTE) + one PTE validation; 650 per crossing [R: the split]',
  ),
  'xen-exit': cost(
    650,
    'barham-2003',
    'Xen back to the guest (IRET, or a bounce frame built on the guest kernel stack): one of the four crossings of the page-fault figure [R: the split]',
  ),
  'xen-validate-pte': cost(
    544,
    'barham-2003',
    "Xen's checks of one page-table entry (ownership, type and reference counts): the rest of the page-fault figure, 3,144 − 4 × 650",
  ),
  'xen-new-baseptr': cost(
    1580,
    'barham-2003',
    'MMUEXT_NEW_BASEPTR (type reference on the new directory, CR3 load, TLB flush): context switch 1.97 − 0.77 µs = 2,880 cycles − one hypercall round trip (1,300)',
  ),
  'xen-tlb-op': cost(
    100,
    'ringside-model',
    'INVLPG or a local TLB flush done by Xen for the guest; the instruction itself is cheap, no figure in the references [R]',
  ),
  'xen-hypercall-work': cost(
    200,
    'ringside-model',
    "a simple hypercall's own work (trap table, stack, callbacks, timer, mask bits): no figure in the references, modelled as 200 cycles [R]",
  ),
  'xen-emulate': cost(
    1500,
    'ringside-model',
    "Xen's privileged-op emulator (emul-priv-op.c: decode the faulting instruction, emulate it): no published figure; modelled as 1,500 cycles [R]",
  ),
  'evtchn-send': cost(
    150,
    'ringside-model',
    "EVTCHNOP_send's own work: set the port's pending, selector and upcall bits in the remote shared_info [R]",
  ),
  'xen-timer': cost(
    1000,
    'ringside-model',
    "Xen's timer interrupt: the timer softirq runs the expired vCPU timers and raises VIRQ_TIMER [R]",
  ),
  'xen-domain-switch': cost(
    Math.round(1.97 * US),
    'barham-2003',
    "Xen switches the physical CPU to another domain (page tables, stacks, segment state): modelled as XenoLinux's 2-process context switch, 1.97 µs [R: the nearest measured switch]",
  ),
  'dom0-evtchn': cost(
    300,
    'ringside-model',
    "Dom0's event-channel upcall handler finds the pending port and calls its backend [R]",
  ),
  'grant-map': cost(
    1000,
    'ringside-model',
    'GNTTABOP_map_grant_ref or unmap: check the grant entry, set or clear its in-use bits, map or unmap the frame in Dom0; no figure in the references [R]',
  ),
  'blkback-request': cost(
    2000,
    'ringside-model',
    'blkback takes a request off the ring and turns it into a block I/O for its disk driver [R]',
  ),
  'blkback-response': cost(
    1000,
    'ringside-model',
    'blkback writes the response into the ring and decides whether to notify [R]',
  ),
  'dom0-disk-sector': cost(
    264 * BARE_COSTS['native-pio'].cycles,
    'adams-agesen-2006',
    "Dom0's driver moves one sector by PIO, as bare metal's ringos does on the same disk: 8 register accesses + 256 data words × 3,209 cycles per port access",
  ),
  'consoleback-work': cost(
    500,
    'ringside-model',
    'the console backend copies a batch of bytes between the ring and the physical console [R]',
  ),
  'dom0-uart-byte': cost(
    BARE_COSTS['native-pio'].cycles,
    'adams-agesen-2006',
    "one byte to or from the 16550A by Dom0's serial driver: one port access, 3,209 cycles as on bare metal",
  ),
  'xenstored-request': cost(
    MANAGEMENT_COSTS['mgmt-rpc'].cycles,
    'ringside-model',
    'xenstored reads a request from a ring and answers it: a local RPC, 50 µs as the management table has it [R]',
  ),
} as const satisfies CostTable
export type XenPvCostId = keyof typeof XEN_PV_COSTS
