import { cost, type CostTable } from '../costs'
import { TRAP_EMULATE_COSTS } from '../trap-emulate/costs'
import { MANAGEMENT_COSTS } from '../vtx-costs'

/**
 * VMware's classic binary translator (hypervisor-flows.md §6.3): the software-VMM column of Adams &
 * Agesen, ASPLOS 2006 (Pentium 4 672; x86-virtualization-facts.md §3.1). Faults that still reach the
 * VMM (true page faults, hidden shadow faults, exceptions, interrupts) cost what they cost in the
 * ring-compression monitor, whose derivations start from the same column (trap-emulate/costs.ts); what
 * translation changes is that privileged and sensitive instructions become call-outs instead of traps.
 */
export const VMWARE_BT_COSTS = {
  ...MANAGEMENT_COSTS,
  'guest-syscall': TRAP_EMULATE_COSTS['guest-syscall'],
  'vmm-trap': TRAP_EMULATE_COSTS['monitor-trap'],
  'shadow-fill': TRAP_EMULATE_COSTS['shadow-fill'],
  reflect: TRAP_EMULATE_COSTS.reflect,
  resume: TRAP_EMULATE_COSTS.resume,
  'bt-syscall': cost(
    2000,
    'adams-agesen-2006',
    'syscall under the software VMM ≈ native + ~2,000 cycles: the VMM owns the IDT, so every kernel entry from ring 3 goes through it into translated code',
  ),
  'bt-callout': cost(
    35,
    'adams-agesen-2006',
    'a sensitive or privileged instruction translated into a short sequence on the virtual CPU (CLI, STI, POPF, PUSHF, SGDT, MOV from CS, …): the cr8wr figure, 35 cycles [R: the same kind of translation]',
  ),
  'bt-callout-io': cost(
    214,
    'adams-agesen-2006',
    '`in` translated into a call into the virtual chipset: ≈ 15× faster than native 3,209 cycles (3,209 / 15 ≈ 214)',
  ),
  'bt-callout-mmu': cost(
    704,
    'adams-agesen-2006',
    "MOV CR3, INVLPG or a paging-mode change as a call-out into the VMM's shadow MMU: BT pgfault 3,927 − BT divzero 3,223 = 704 cycles, the MMU's share of a fault [R]",
  ),
  'bt-translate': cost(
    2000,
    'ringside-model',
    'translating one basic block (decode, rewrite the sensitive instructions, emit into the cache, chain): no published figure; modelled as 2,000 cycles, about one system-call interposition [R]',
  ),
  'bt-invalidate': cost(
    1593,
    'adams-agesen-2006',
    "a write to a page holding translated code: the traced write faults into the VMM (monitor trap 889 + the shadow MMU's 704), which drops the page's translations [R]",
  ),
  'traced-write': cost(
    704,
    'adams-agesen-2006',
    "emulating a store that faulted on a write-protected (traced) guest page table and updating the shadow: the shadow MMU's share of a fault, 704 cycles, after the 889-cycle trap [R]",
  ),
  'ptemod-callout': cost(
    391,
    'adams-agesen-2006',
    'ptemod under the software VMM: adaptive BT turns the repeatedly faulting traced store into a short call-out, 391 cycles (12,733 / 391 ≈ 32.6× cheaper than first-generation VT-x)',
  ),
} as const satisfies CostTable
export type VmwareBtCostId = keyof typeof VMWARE_BT_COSTS
