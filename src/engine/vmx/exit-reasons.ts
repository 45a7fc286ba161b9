/**
 * Basic VM-exit reasons (Intel SDM Vol. 3C Appendix C "VMX Basic Exit Reasons", Table C-1), the
 * numbers in bits 15:0 of the exit-reason field (0x4402); bit 31 of that field marks a VM-entry
 * failure (§28.2.1 "Basic VM-Exit Information"). Numbers cross-checked with Linux
 * arch/x86/include/uapi/asm/vmx.h and Xen xen/arch/x86/include/asm/hvm/vmx/vmx.h
 * (shared/reference/hypervisor-flows.md §1.4). Identifiers follow Linux's `EXIT_REASON_*`; the
 * display names are the SDM's.
 */
export const ExitReason = {
  EXCEPTION_NMI: 0,
  EXTERNAL_INTERRUPT: 1,
  TRIPLE_FAULT: 2,
  INIT_SIGNAL: 3,
  SIPI: 4,
  IO_SMI: 5,
  OTHER_SMI: 6,
  INTERRUPT_WINDOW: 7,
  NMI_WINDOW: 8,
  TASK_SWITCH: 9,
  CPUID: 10,
  GETSEC: 11,
  HLT: 12,
  INVD: 13,
  INVLPG: 14,
  RDPMC: 15,
  RDTSC: 16,
  RSM: 17,
  VMCALL: 18,
  VMCLEAR: 19,
  VMLAUNCH: 20,
  VMPTRLD: 21,
  VMPTRST: 22,
  VMREAD: 23,
  VMRESUME: 24,
  VMWRITE: 25,
  VMXOFF: 26,
  VMXON: 27,
  CR_ACCESS: 28,
  DR_ACCESS: 29,
  IO_INSTRUCTION: 30,
  MSR_READ: 31,
  MSR_WRITE: 32,
  INVALID_GUEST_STATE: 33,
  MSR_LOAD_FAIL: 34,
  MWAIT: 36,
  MONITOR_TRAP_FLAG: 37,
  MONITOR: 39,
  PAUSE: 40,
  MCE_DURING_VMENTRY: 41,
  TPR_BELOW_THRESHOLD: 43,
  APIC_ACCESS: 44,
  EOI_INDUCED: 45,
  GDTR_IDTR: 46,
  LDTR_TR: 47,
  EPT_VIOLATION: 48,
  EPT_MISCONFIG: 49,
  INVEPT: 50,
  RDTSCP: 51,
  PREEMPTION_TIMER: 52,
  INVVPID: 53,
  WBINVD: 54,
  XSETBV: 55,
  APIC_WRITE: 56,
  RDRAND: 57,
  INVPCID: 58,
  VMFUNC: 59,
  ENCLS: 60,
  RDSEED: 61,
  PML_FULL: 62,
  XSAVES: 63,
  XRSTORS: 64,
  PCONFIG: 65,
  SPP_EVENT: 66,
  UMWAIT: 67,
  TPAUSE: 68,
  LOADIWKEY: 69,
  ENCLV: 70,
  ENQCMD_PASID_FAIL: 72,
  ENQCMDS_PASID_FAIL: 73,
  BUS_LOCK: 74,
  NOTIFY: 75,
  SEAMCALL: 76,
  TDCALL: 77,
  RDMSRLIST: 78,
  WRMSRLIST: 79,
} as const
export type ExitReason = (typeof ExitReason)[keyof typeof ExitReason]

/** Bit 31 of the exit-reason field: the VM entry failed (reasons 33, 34, 41). */
export const EXIT_REASON_FAILED_VMENTRY = 0x80000000
/** Bits 15:0 of the exit-reason field. */
export const EXIT_REASON_BASIC_MASK = 0xffff

/** SDM Table C-1 names by basic exit reason; the runner prints these as `exitNames`. */
export const EXIT_REASON_NAMES: Readonly<Record<number, string>> = {
  0: 'Exception or non-maskable interrupt (NMI)',
  1: 'External interrupt',
  2: 'Triple fault',
  3: 'INIT signal',
  4: 'Start-up IPI (SIPI)',
  5: 'I/O system-management interrupt (SMI)',
  6: 'Other SMI',
  7: 'Interrupt window',
  8: 'NMI window',
  9: 'Task switch',
  10: 'CPUID',
  11: 'GETSEC',
  12: 'HLT',
  13: 'INVD',
  14: 'INVLPG',
  15: 'RDPMC',
  16: 'RDTSC',
  17: 'RSM',
  18: 'VMCALL',
  19: 'VMCLEAR',
  20: 'VMLAUNCH',
  21: 'VMPTRLD',
  22: 'VMPTRST',
  23: 'VMREAD',
  24: 'VMRESUME',
  25: 'VMWRITE',
  26: 'VMXOFF',
  27: 'VMXON',
  28: 'Control-register accesses',
  29: 'MOV DR',
  30: 'I/O instruction',
  31: 'RDMSR',
  32: 'WRMSR',
  33: 'VM-entry failure due to invalid guest state',
  34: 'VM-entry failure due to MSR loading',
  36: 'MWAIT',
  37: 'Monitor trap flag',
  39: 'MONITOR',
  40: 'PAUSE',
  41: 'VM-entry failure due to machine-check event',
  43: 'TPR below threshold',
  44: 'APIC access',
  45: 'Virtualized EOI',
  46: 'Access to GDTR or IDTR',
  47: 'Access to LDTR or TR',
  48: 'EPT violation',
  49: 'EPT misconfiguration',
  50: 'INVEPT',
  51: 'RDTSCP',
  52: 'VMX-preemption timer expired',
  53: 'INVVPID',
  54: 'WBINVD or WBNOINVD',
  55: 'XSETBV',
  56: 'APIC write',
  57: 'RDRAND',
  58: 'INVPCID',
  59: 'VMFUNC',
  60: 'ENCLS',
  61: 'RDSEED',
  62: 'Page-modification log full',
  63: 'XSAVES',
  64: 'XRSTORS',
  65: 'PCONFIG',
  66: 'SPP-related event',
  67: 'UMWAIT',
  68: 'TPAUSE',
  69: 'LOADIWKEY',
  70: 'ENCLV',
  72: 'ENQCMD PASID translation failure',
  73: 'ENQCMDS PASID translation failure',
  74: 'Bus lock',
  75: 'Instruction timeout',
  76: 'SEAMCALL',
  77: 'TDCALL',
  78: 'RDMSRLIST',
  79: 'WRMSRLIST',
}

/** The SDM name of an exit-reason field value (bit 31 and the other flag bits are ignored). */
export function exitReasonName(reason: number): string {
  return EXIT_REASON_NAMES[reason & EXIT_REASON_BASIC_MASK] ?? `reserved (${reason & EXIT_REASON_BASIC_MASK})`
}

/**
 * When an exit happens relative to the guest instruction stream (§28.1 "Architectural State Before a
 * VM Exit"):
 * - `fault`: caused by an instruction (or a memory access of one) before it executes; guest RIP
 *   still points at it and the handler advances RIP by the VM-exit instruction length
 *   (KVM `kvm_skip_emulated_instruction()`, Xen `update_guest_eip()`) if it emulates the instruction;
 * - `trap`: after the instruction completed; RIP points at the next one (APIC write, virtualized
 *   EOI, TPR below threshold, monitor trap flag, I/O SMI, bus lock);
 * - `event`: at an instruction boundary, not caused by an instruction (interrupts, SMIs, INIT/SIPI,
 *   the interrupt and NMI windows, the preemption timer, triple fault, instruction timeout);
 * - `entry-failure`: VM entry failed; the guest never ran.
 * Exit 0 is classed `fault` although a trap-class exception (#DB trap, #BP, #OF) is reported after
 * its instruction, with RIP past it.
 */
export type ExitTiming = 'fault' | 'trap' | 'event' | 'entry-failure'

const TRAP_LIKE: ReadonlySet<number> = new Set([
  ExitReason.IO_SMI,
  ExitReason.MONITOR_TRAP_FLAG,
  ExitReason.TPR_BELOW_THRESHOLD,
  ExitReason.EOI_INDUCED,
  ExitReason.APIC_WRITE,
  ExitReason.BUS_LOCK,
])
const EVENT_LIKE: ReadonlySet<number> = new Set([
  ExitReason.EXTERNAL_INTERRUPT,
  ExitReason.TRIPLE_FAULT,
  ExitReason.INIT_SIGNAL,
  ExitReason.SIPI,
  ExitReason.OTHER_SMI,
  ExitReason.INTERRUPT_WINDOW,
  ExitReason.NMI_WINDOW,
  ExitReason.PREEMPTION_TIMER,
  ExitReason.NOTIFY, // [R] classed as an event: it ends a stretch with no interrupt window
])
const ENTRY_FAILURES: ReadonlySet<number> = new Set([
  ExitReason.INVALID_GUEST_STATE,
  ExitReason.MSR_LOAD_FAIL,
  ExitReason.MCE_DURING_VMENTRY,
])

export function exitTiming(reason: number): ExitTiming {
  const basic = reason & EXIT_REASON_BASIC_MASK
  if (ENTRY_FAILURES.has(basic)) return 'entry-failure'
  if (TRAP_LIKE.has(basic)) return 'trap'
  if (EVENT_LIKE.has(basic)) return 'event'
  return 'fault'
}

/**
 * Instructions that exit in VMX non-root operation whatever the controls (§26.1.2 "Instructions That
 * Cause VM Exits Unconditionally"): CPUID, GETSEC, INVD, XSETBV and the VMX instructions. (VMREAD
 * and VMWRITE are in the list unless VMCS shadowing, which Ringside does not offer, lets them run.)
 */
export const UNCONDITIONAL_EXITS: readonly ExitReason[] = [
  ExitReason.CPUID,
  ExitReason.GETSEC,
  ExitReason.INVD,
  ExitReason.XSETBV,
  ExitReason.INVEPT,
  ExitReason.INVVPID,
  ExitReason.VMCALL,
  ExitReason.VMCLEAR,
  ExitReason.VMLAUNCH,
  ExitReason.VMPTRLD,
  ExitReason.VMPTRST,
  ExitReason.VMREAD,
  ExitReason.VMRESUME,
  ExitReason.VMWRITE,
  ExitReason.VMXOFF,
  ExitReason.VMXON,
]
