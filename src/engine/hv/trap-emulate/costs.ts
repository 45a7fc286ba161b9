import { cost, type CostTable } from '../costs'
import { VTX_COSTS } from '../vtx-costs'

/**
 * Classic trap-and-emulate with ring compression: every privileged instruction of the ring-1 guest
 * kernel is a #GP into the monitor, every event the guest must see is reflected through its virtual
 * IDT. The references give no figures for a pure trap-and-emulate monitor on x86 (there was none:
 * that is the point of Popek & Goldberg); the costs are derived from Adams & Agesen's Pentium 4
 * figures for the same pieces of work in VMware's software VMM, which also runs the guest kernel
 * deprivileged and handles its faults in a ring-0 monitor (x86-virtualization-facts.md §3.1). Each
 * derivation says which figures it combines [R].
 *
 * Consistency: a true guest page fault here costs monitor-trap + shadow-fill + reflect = 3,927, and a
 * reflected divide error monitor-trap + reflect = 3,223 — the BT VMM's pgfault and divzero figures.
 */
export const TRAP_EMULATE_COSTS = {
  'guest-syscall': VTX_COSTS['guest-syscall'],
  'monitor-trap': cost(
    889,
    'adams-agesen-2006',
    'a fault delivered through the real IDT to the ring-0 monitor and its IRET back: the native divzero round trip, 889 cycles [R: the same hardware path]',
  ),
  'emulate-privileged': cost(
    214,
    'adams-agesen-2006',
    "decoding the trapped instruction and updating the virtual CPU state: modelled as the software VMM's in-monitor emulation of `in` (native 3,209 / 15 ≈ 214 cycles), the only in-VMM emulation figure the paper gives [R]",
  ),
  'emulate-device': cost(
    214,
    'adams-agesen-2006',
    'one port access to a device the monitor emulates: `in` handled in the software VMM ≈ 15× faster than native 3,209 cycles (3,209 / 15 ≈ 214) [R: the work after the trap]',
  ),
  'emulate-mmu': cost(
    704,
    'adams-agesen-2006',
    "a CR3 load, INVLPG or paging-mode change emulated by the shadow MMU: modelled as the shadow MMU's share of a fault, BT pgfault 3,927 − BT divzero 3,223 = 704 cycles [R]",
  ),
  'shadow-fill': cost(
    704,
    'adams-agesen-2006',
    "walking the guest's page tables and making a shadow entry (or unsyncing a traced page): BT pgfault 3,927 − BT divzero 3,223 = 704 cycles, the part of a true fault the MMU adds [R]",
  ),
  reflect: cost(
    2334,
    'adams-agesen-2006',
    "building the guest's exception frame and entering its handler through the virtual IDT: BT divzero 3,223 − native divzero 889 = 2,334 cycles [R: the software VMM's fault-reflection overhead]",
  ),
  'syscall-reflect': cost(
    2000,
    'adams-agesen-2006',
    '"approximately 2000 more cycles than a native system call": the monitor owns the IDT, so INT 0x80 from ring 3 enters it and must be reflected to the guest kernel [R: the BT VMM figure for the same interposition]',
  ),
  resume: cost(
    0,
    'adams-agesen-2006',
    "returning to the guest after an emulation: the IRET is part of the monitor-trap round trip (native divzero's 889 cycles include it)",
  ),
} as const satisfies CostTable
export type TrapEmulateCostId = keyof typeof TRAP_EMULATE_COSTS
