/**
 * VM-execution, VM-exit and VM-entry controls (Intel SDM Vol. 3C §25.6–§25.8), the capability values
 * Ringside's virtual CPU reports for them (Appendix A "VMX Capability Reporting Facility"), and the
 * decisions the CPU takes from them in VMX non-root operation (§26.1 "Instructions That Cause VM
 * Exits", §26.2 "Other Causes of VM Exits", §26.3 "Changes to Instruction Behavior in VMX Non-Root
 * Operation"). Bit values as in Linux arch/x86/include/asm/vmx.h and Xen
 * xen/arch/x86/include/asm/hvm/vmx/vmcs.h (summary: shared/reference/hypervisor-flows.md §1.2).
 *
 * Each decision is a small function of the VMCS (and, for the bitmaps, of physical memory), so the
 * CPU calls it only at the instruction or event concerned and pays nothing elsewhere.
 */
import type { Vmcs } from './vmcs'
import { VMCS_MAX_INDEX } from './vmcs-fields'

// ---------------------------------------------------------------------------------------------
// Pin-based VM-execution controls (§25.6.1, Table 25-5)

/** External interrupts cause VM exits (reason 1) whatever the guest's RFLAGS.IF. */
export const PIN_EXT_INTR_EXITING = 1 << 0
/** NMIs cause VM exits (reason 0 with type NMI). */
export const PIN_NMI_EXITING = 1 << 3
/** NMI blocking is virtualized (needed for NMI-window exiting). Not supported by Ringside. */
export const PIN_VIRTUAL_NMIS = 1 << 5
/** The VMX-preemption timer counts down in non-root operation; at 0 it causes exit 52. */
export const PIN_PREEMPTION_TIMER = 1 << 6
/** Posted-interrupt processing (APICv). Not supported by Ringside. */
export const PIN_POSTED_INTR = 1 << 7

// ---------------------------------------------------------------------------------------------
// Primary processor-based VM-execution controls (§25.6.2, Table 25-6)

/** Exit 7 at the start of any instruction where RFLAGS.IF = 1 and there is no STI/MOV-SS blocking. */
export const PROC_INTR_WINDOW_EXITING = 1 << 2
/** RDTSC (not exiting) returns TSC + TSC_OFFSET. */
export const PROC_USE_TSC_OFFSETTING = 1 << 3
export const PROC_HLT_EXITING = 1 << 7
export const PROC_INVLPG_EXITING = 1 << 9
export const PROC_MWAIT_EXITING = 1 << 10
export const PROC_RDPMC_EXITING = 1 << 11
export const PROC_RDTSC_EXITING = 1 << 12
/** MOV to CR3 exits unless the value is one of the first CR3_TARGET_COUNT CR3-target values. */
export const PROC_CR3_LOAD_EXITING = 1 << 15
export const PROC_CR3_STORE_EXITING = 1 << 16
/**
 * MOV to/from CR8 exiting. CR8 exists only in 64-bit mode (MOV CR8 is #UD elsewhere), so an IA-32
 * processor like Ringside's cannot set these; listed for completeness of the table.
 */
export const PROC_CR8_LOAD_EXITING = 1 << 19
export const PROC_CR8_STORE_EXITING = 1 << 20
export const PROC_USE_TPR_SHADOW = 1 << 21
/** Exit 8 when virtual NMIs are unblocked. Requires virtual NMIs; not supported by Ringside. */
export const PROC_NMI_WINDOW_EXITING = 1 << 22
export const PROC_MOV_DR_EXITING = 1 << 23
/** Every IN/INS/OUT/OUTS exits (ignored when the I/O bitmaps are used). */
export const PROC_UNCOND_IO_EXITING = 1 << 24
export const PROC_USE_IO_BITMAPS = 1 << 25
export const PROC_MONITOR_TRAP_FLAG = 1 << 27
/** RDMSR/WRMSR consult the MSR bitmap; without it every RDMSR/WRMSR exits. */
export const PROC_USE_MSR_BITMAPS = 1 << 28
export const PROC_MONITOR_EXITING = 1 << 29
export const PROC_PAUSE_EXITING = 1 << 30
export const PROC_ACTIVATE_SECONDARY = 0x80000000

// ---------------------------------------------------------------------------------------------
// Secondary processor-based VM-execution controls (§25.6.2, Table 25-7)

export const PROC2_VIRTUALIZE_APIC_ACCESSES = 1 << 0
/** Guest-physical addresses are translated through EPT (`ept.ts`). */
export const PROC2_ENABLE_EPT = 1 << 1
/** LGDT, LIDT, SGDT, SIDT exit (46); LLDT, LTR, SLDT, STR exit (47). */
export const PROC2_DESC_TABLE_EXITING = 1 << 2
export const PROC2_ENABLE_RDTSCP = 1 << 3
export const PROC2_ENABLE_VPID = 1 << 5
export const PROC2_WBINVD_EXITING = 1 << 6
/** The guest may run with CR0.PE = 0 or CR0.PG = 0 (requires EPT). */
export const PROC2_UNRESTRICTED_GUEST = 1 << 7
export const PROC2_PAUSE_LOOP_EXITING = 1 << 10
export const PROC2_ENABLE_PML = 1 << 17
export const PROC2_TSC_SCALING = 1 << 25

// ---------------------------------------------------------------------------------------------
// VM-exit controls (§25.7.1, Table 25-13)

export const EXIT_SAVE_DEBUG_CONTROLS = 1 << 2
/** Host runs in 64-bit mode after the exit. Must be 0 on a processor without Intel 64. */
export const EXIT_HOST_ADDR_SPACE_SIZE = 1 << 9
/**
 * On an exit caused by an external interrupt the processor acknowledges the interrupt controller and
 * stores the vector in the VM-exit interruption information; otherwise the interrupt stays pending.
 */
export const EXIT_ACK_INTR_ON_EXIT = 1 << 15
export const EXIT_SAVE_PREEMPTION_TIMER = 1 << 22

// ---------------------------------------------------------------------------------------------
// VM-entry controls (§25.8.1, Table 25-15)

export const ENTRY_LOAD_DEBUG_CONTROLS = 1 << 2
export const ENTRY_IA32E_MODE_GUEST = 1 << 9

// ---------------------------------------------------------------------------------------------
// Capabilities (Appendix A)

/** Capability MSR indices (Appendix A; SDM Vol. 4 Table 2-2). */
export const Msr = {
  IA32_VMX_BASIC: 0x480,
  IA32_VMX_PINBASED_CTLS: 0x481,
  IA32_VMX_PROCBASED_CTLS: 0x482,
  IA32_VMX_EXIT_CTLS: 0x483,
  IA32_VMX_ENTRY_CTLS: 0x484,
  IA32_VMX_MISC: 0x485,
  IA32_VMX_CR0_FIXED0: 0x486,
  IA32_VMX_CR0_FIXED1: 0x487,
  IA32_VMX_CR4_FIXED0: 0x488,
  IA32_VMX_CR4_FIXED1: 0x489,
  IA32_VMX_VMCS_ENUM: 0x48a,
  IA32_VMX_PROCBASED_CTLS2: 0x48b,
  IA32_VMX_EPT_VPID_CAP: 0x48c,
  IA32_VMX_TRUE_PINBASED_CTLS: 0x48d,
  IA32_VMX_TRUE_PROCBASED_CTLS: 0x48e,
  IA32_VMX_TRUE_EXIT_CTLS: 0x48f,
  IA32_VMX_TRUE_ENTRY_CTLS: 0x490,
} as const

/**
 * A control capability: `allowed0` has a 1 for each control that must be 1 (bits 31:0 of the MSR),
 * `allowed1` a 0 for each control that must be 0 (bits 63:32) (Appendix A.3–A.5).
 */
export interface ControlCapability {
  readonly allowed0: number
  readonly allowed1: number
}

/**
 * "Default1" controls: reserved bits that read as 1 in the non-TRUE capability MSRs (Appendix A.2;
 * Linux `*_ALWAYSON_WITHOUT_TRUE_MSR`). The TRUE MSRs (IA32_VMX_BASIC bit 55 = 1) let a few of them
 * be 0 — notably CR3-load/store exiting, which KVM and Xen clear when they use EPT.
 */
const PIN_DEFAULT1 = 0x00000016
const PROC_DEFAULT1 = 0x0401e172
const EXIT_DEFAULT1 = 0x00036dff
const ENTRY_DEFAULT1 = 0x000011ff

/**
 * What Ringside's virtual CPU implements. Everything the issue needs and nothing the CPU cannot do:
 * no virtual NMIs (and so no NMI-window exiting), no TPR shadow/APICv, no VPID, no MTF, no MSR-load
 * controls, no 64-bit host or guest [R: the subset is a modelling choice; the bit positions are the SDM's].
 */
export const VMX_CAPS = {
  pin: {
    allowed0: PIN_DEFAULT1,
    allowed1: (PIN_DEFAULT1 | PIN_EXT_INTR_EXITING | PIN_NMI_EXITING | PIN_PREEMPTION_TIMER) >>> 0,
  },
  proc: {
    allowed0: PROC_DEFAULT1,
    allowed1:
      (PROC_DEFAULT1 |
        PROC_INTR_WINDOW_EXITING |
        PROC_USE_TSC_OFFSETTING |
        PROC_HLT_EXITING |
        PROC_INVLPG_EXITING |
        PROC_RDTSC_EXITING |
        PROC_CR3_LOAD_EXITING |
        PROC_CR3_STORE_EXITING |
        PROC_MOV_DR_EXITING |
        PROC_UNCOND_IO_EXITING |
        PROC_USE_IO_BITMAPS |
        PROC_USE_MSR_BITMAPS |
        PROC_PAUSE_EXITING |
        PROC_ACTIVATE_SECONDARY) >>>
      0,
  },
  proc2: {
    allowed0: 0,
    allowed1: PROC2_ENABLE_EPT | PROC2_DESC_TABLE_EXITING | PROC2_WBINVD_EXITING | PROC2_UNRESTRICTED_GUEST,
  },
  exit: {
    allowed0: EXIT_DEFAULT1,
    allowed1: EXIT_DEFAULT1 | EXIT_ACK_INTR_ON_EXIT | EXIT_SAVE_PREEMPTION_TIMER,
  },
  entry: { allowed0: ENTRY_DEFAULT1, allowed1: ENTRY_DEFAULT1 },
} as const satisfies Record<string, ControlCapability>

/**
 * The TRUE capabilities (Appendix A.3.1, A.3.2, A.4, A.5), which VM entry enforces: as on current
 * Intel processors, CR3-load/store exiting and the save/load debug-controls bits may be 0
 * (IA32_VMX_TRUE_PROCBASED_CTLS bits 31:0 = 0x04006172 on real parts) [R: values chosen to match
 * common hardware].
 */
export const VMX_TRUE_CAPS = {
  pin: VMX_CAPS.pin,
  proc: { allowed0: 0x04006172, allowed1: VMX_CAPS.proc.allowed1 },
  proc2: VMX_CAPS.proc2,
  exit: { allowed0: EXIT_DEFAULT1 & ~EXIT_SAVE_DEBUG_CONTROLS, allowed1: VMX_CAPS.exit.allowed1 },
  entry: { allowed0: ENTRY_DEFAULT1 & ~ENTRY_LOAD_DEBUG_CONTROLS, allowed1: VMX_CAPS.entry.allowed1 },
} as const satisfies Record<string, ControlCapability>

/** Whether `value` is a legal setting of controls with capability `cap`. */
export function controlsAllowed(value: number, cap: ControlCapability): boolean {
  return (value & cap.allowed0) >>> 0 === cap.allowed0 >>> 0 && (value & ~cap.allowed1) === 0
}

/**
 * Forces the must-be-one controls on and the must-be-zero ones off, as hypervisors do before writing
 * a control field (Linux `adjust_vmx_controls()`, Xen `adjust_vmx_controls()` in vmcs.c).
 */
export function adjustControls(desired: number, cap: ControlCapability): number {
  return ((desired | cap.allowed0) & cap.allowed1) >>> 0
}

/** VMCS revision identifier in IA32_VMX_BASIC bits 30:0 [R: any value; real parts use small integers]. */
export const VMCS_REVISION_ID = 1
/** Number of CR3-target values (IA32_VMX_MISC bits 24:16; the SDM guarantees at least 4). */
export const CR3_TARGET_VALUES = 4
/** The preemption timer counts down by 1 each time TSC bit 5 changes (IA32_VMX_MISC bits 4:0) [R]. */
export const PREEMPTION_TIMER_RATE = 5
/** CR0 bits fixed to 1 in VMX operation: PE, NE, PG (unrestricted guest lifts PE and PG for the guest). */
export const CR0_FIXED0 = 0x80000021
/** CR4 bits fixed to 1 in VMX operation: VMXE. */
export const CR4_FIXED0 = 0x00002000
/**
 * CR4 bits that may be 1 in VMX operation: the CR4 bits Ringside's CPU implements (TSD, DE, PSE, PGE,
 * PCE, VMXE). Must stay equal to the CPU's set of supported CR4 bits.
 */
export const CR4_FIXED1 = 0x0000219c

/** EPT and VPID capabilities (Appendix A.10, IA32_VMX_EPT_VPID_CAP bits 31:0). */
export const EptCap = {
  EXECUTE_ONLY: 1 << 0,
  PAGE_WALK_4: 1 << 6,
  MEMTYPE_UC: 1 << 8,
  MEMTYPE_WB: 1 << 14,
  PAGE_2M: 1 << 16,
  PAGE_1G: 1 << 17,
  INVEPT: 1 << 20,
  ACCESSED_DIRTY: 1 << 21,
  INVEPT_SINGLE_CONTEXT: 1 << 25,
  INVEPT_ALL_CONTEXT: 1 << 26,
} as const

/** Ringside's EPT: 4-level, UC or WB structures, 2 MiB and 1 GiB pages, A/D flags, execute-only pages. */
export const EPT_CAPS =
  EptCap.EXECUTE_ONLY |
  EptCap.PAGE_WALK_4 |
  EptCap.MEMTYPE_UC |
  EptCap.MEMTYPE_WB |
  EptCap.PAGE_2M |
  EptCap.PAGE_1G |
  EptCap.INVEPT |
  EptCap.ACCESSED_DIRTY |
  EptCap.INVEPT_SINGLE_CONTEXT |
  EptCap.INVEPT_ALL_CONTEXT

/** IA32_VMX_MISC bit 6: the guest may be entered in the HLT activity state. */
const MISC_ACTIVITY_HLT = 1 << 6

/**
 * The 64-bit value of each VMX capability MSR as `[bits 31:0, bits 63:32]`. These describe the
 * virtual CPU to the hypervisor models (which build their controls with {@link adjustControls}) and
 * to the inspector; the guest does not see them — Ringside does not offer nested VMX, so its CPUID
 * reports no VMX and RDMSR of these indices raises #GP in a guest.
 */
export const VMX_CAPABILITY_MSRS: ReadonlyMap<number, readonly [number, number]> = new Map<
  number,
  readonly [number, number]
>([
  // Revision; bits 44:32 VMCS region size 4096; bit 48 32-bit physical addresses (no Intel 64);
  // bits 53:50 memory type WB (6); bit 54 INS/OUTS instruction information; bit 55 TRUE controls.
  [Msr.IA32_VMX_BASIC, [VMCS_REVISION_ID, 0x1000 | (1 << 16) | (6 << 18) | (1 << 22) | (1 << 23)]],
  [Msr.IA32_VMX_PINBASED_CTLS, [VMX_CAPS.pin.allowed0, VMX_CAPS.pin.allowed1]],
  [Msr.IA32_VMX_PROCBASED_CTLS, [VMX_CAPS.proc.allowed0, VMX_CAPS.proc.allowed1]],
  [Msr.IA32_VMX_EXIT_CTLS, [VMX_CAPS.exit.allowed0, VMX_CAPS.exit.allowed1]],
  [Msr.IA32_VMX_ENTRY_CTLS, [VMX_CAPS.entry.allowed0, VMX_CAPS.entry.allowed1]],
  [Msr.IA32_VMX_MISC, [PREEMPTION_TIMER_RATE | MISC_ACTIVITY_HLT | (CR3_TARGET_VALUES << 16), 0]],
  [Msr.IA32_VMX_CR0_FIXED0, [CR0_FIXED0, 0]],
  [Msr.IA32_VMX_CR0_FIXED1, [0xffffffff, 0]],
  [Msr.IA32_VMX_CR4_FIXED0, [CR4_FIXED0, 0]],
  [Msr.IA32_VMX_CR4_FIXED1, [CR4_FIXED1, 0]],
  [Msr.IA32_VMX_VMCS_ENUM, [VMCS_MAX_INDEX << 1, 0]],
  [Msr.IA32_VMX_PROCBASED_CTLS2, [VMX_CAPS.proc2.allowed0, VMX_CAPS.proc2.allowed1]],
  [Msr.IA32_VMX_EPT_VPID_CAP, [EPT_CAPS, 0]],
  [Msr.IA32_VMX_TRUE_PINBASED_CTLS, [VMX_TRUE_CAPS.pin.allowed0, VMX_TRUE_CAPS.pin.allowed1]],
  [Msr.IA32_VMX_TRUE_PROCBASED_CTLS, [VMX_TRUE_CAPS.proc.allowed0, VMX_TRUE_CAPS.proc.allowed1]],
  [Msr.IA32_VMX_TRUE_EXIT_CTLS, [VMX_TRUE_CAPS.exit.allowed0, VMX_TRUE_CAPS.exit.allowed1]],
  [Msr.IA32_VMX_TRUE_ENTRY_CTLS, [VMX_TRUE_CAPS.entry.allowed0, VMX_TRUE_CAPS.entry.allowed1]],
])

// ---------------------------------------------------------------------------------------------
// Decisions in VMX non-root operation

/** Byte reads of physical memory: how the processor fetches the I/O and MSR bitmaps. */
export interface PhysByteReader {
  read8(physAddr: number): number
}

/** HLT exits (12) iff "HLT exiting" (§26.1.3). */
export function hltExits(v: Vmcs): boolean {
  return (v.procControls & PROC_HLT_EXITING) !== 0
}
/** INVLPG exits (14) iff "INVLPG exiting"; the qualification is the linear-address operand. */
export function invlpgExits(v: Vmcs): boolean {
  return (v.procControls & PROC_INVLPG_EXITING) !== 0
}
/** RDTSC exits (16) iff "RDTSC exiting" (CR4.TSD #GP at CPL > 0 comes first). */
export function rdtscExits(v: Vmcs): boolean {
  return (v.procControls & PROC_RDTSC_EXITING) !== 0
}
/** PAUSE exits (40) iff "PAUSE exiting" (PAUSE-loop exiting is not supported). */
export function pauseExits(v: Vmcs): boolean {
  return (v.procControls & PROC_PAUSE_EXITING) !== 0
}
/** MOV to/from DR0–DR7 exits (29) iff "MOV-DR exiting" (#UD/#GP/#DB checks of the instruction come first). */
export function movDrExits(v: Vmcs): boolean {
  return (v.procControls & PROC_MOV_DR_EXITING) !== 0
}
/** MOV from CR3 exits (28) iff "CR3-store exiting". */
export function movFromCr3Exits(v: Vmcs): boolean {
  return (v.procControls & PROC_CR3_STORE_EXITING) !== 0
}
/** WBINVD exits (54) iff the secondary control "WBINVD exiting" is in effect. */
export function wbinvdExits(v: Vmcs): boolean {
  return (v.procControls2 & PROC2_WBINVD_EXITING) !== 0
}
/** LGDT/LIDT/SGDT/SIDT (46) and LLDT/LTR/SLDT/STR (47) exit iff "descriptor-table exiting" is in effect. */
export function descriptorTableExits(v: Vmcs): boolean {
  return (v.procControls2 & PROC2_DESC_TABLE_EXITING) !== 0
}
/** Guest-physical addresses go through EPT iff "enable EPT" is in effect. */
export function eptEnabled(v: Vmcs): boolean {
  return (v.procControls2 & PROC2_ENABLE_EPT) !== 0
}
/** An external interrupt causes exit 1 instead of being delivered (pin-based control; RFLAGS.IF irrelevant, §26.2). */
export function externalInterruptExits(v: Vmcs): boolean {
  return (v.pinControls & PIN_EXT_INTR_EXITING) !== 0
}
/** An NMI causes exit 0 (type NMI, vector 2) instead of being delivered. */
export function nmiExits(v: Vmcs): boolean {
  return (v.pinControls & PIN_NMI_EXITING) !== 0
}

/**
 * Interrupt-window exit (7) due before the next instruction (§26.2, §26.7.5 "Interrupt-Window
 * Exiting"): the control is 1, RFLAGS.IF = 1, and there is no blocking by STI or by MOV SS. It takes
 * priority over an external interrupt the guest could otherwise take, and ends a HLT.
 */
export function interruptWindowExitDue(
  v: Vmcs,
  interruptFlag: boolean,
  stiOrMovSsBlocking: boolean,
): boolean {
  return (v.procControls & PROC_INTR_WINDOW_EXITING) !== 0 && interruptFlag && !stiOrMovSsBlocking
}

/**
 * IN, INS, OUT, OUTS (§26.1.3, §25.6.4 "I/O-Bitmap Addresses"). Without I/O bitmaps the instruction
 * exits iff "unconditional I/O exiting" is 1. With them (the unconditional control is then ignored),
 * it exits iff the bit of any byte port it touches is 1 — bitmap A (4 KiB) covers ports 0000H–7FFFH,
 * bitmap B 8000H–FFFFH, port p at byte p/8 bit p%8 — or if the access wraps past port FFFFH. The
 * I/O-permission-bitmap #GP for CPL > IOPL comes first.
 */
export function ioExits(v: Vmcs, mem: PhysByteReader, port: number, size: 1 | 2 | 4): boolean {
  const p = v.procControls
  if ((p & PROC_USE_IO_BITMAPS) === 0) return (p & PROC_UNCOND_IO_EXITING) !== 0
  for (let i = 0; i < size; i++) {
    const q = port + i
    if (q > 0xffff) return true
    const base = q < 0x8000 ? v.ioBitmapA : v.ioBitmapB
    if ((mem.read8(base + ((q & 0x7fff) >>> 3)) >>> (q & 7)) & 1) return true
  }
  return false
}

/** Byte offsets of the four 1 KiB parts of the 4 KiB MSR bitmap (§25.6.9 "MSR-Bitmap Address"). */
export const MsrBitmapOffset = { ReadLow: 0, ReadHigh: 1024, WriteLow: 2048, WriteHigh: 3072 } as const

/**
 * RDMSR (31) / WRMSR (32) (§26.1.3, §25.6.9). Without MSR bitmaps every RDMSR/WRMSR exits. With them,
 * MSRs 00000000H–00001FFFH use the low bitmaps and C0000000H–C0001FFFH the high ones (bit = MSR &
 * 1FFFH); an access exits iff its bit is 1, and any MSR outside both ranges exits. The #GP for CPL > 0
 * comes first.
 */
export function msrExits(v: Vmcs, mem: PhysByteReader, msr: number, write: boolean): boolean {
  if ((v.procControls & PROC_USE_MSR_BITMAPS) === 0) return true
  const m = msr >>> 0
  let offset: number
  if (m <= 0x1fff) offset = write ? MsrBitmapOffset.WriteLow : MsrBitmapOffset.ReadLow
  else if (m >= 0xc0000000 && m <= 0xc0001fff)
    offset = write ? MsrBitmapOffset.WriteHigh : MsrBitmapOffset.ReadHigh
  else return true
  const bit = m & 0x1fff
  return ((mem.read8(v.msrBitmap + offset + (bit >>> 3)) >>> (bit & 7)) & 1) === 1
}

/**
 * Exceptions (§26.2, §25.6.3 "Exception Bitmap"): vectors 0–31 exit (reason 0) iff their bit in the
 * exception bitmap is 1 — except #PF, where the bit decides only if the error code matches:
 * `(errorCode & PFEC_MASK) === PFEC_MATCH`; if it does not match, the bit's complement decides. So
 * bit 14 = 1 with mask = match = 0 makes every #PF exit (shadow paging), and bit 14 = 0 with
 * mask = match = 0 makes none exit. Applies to hardware exceptions and to INT3/INTO/INT1, never to
 * INT n (a software interrupt) nor to NMIs (see {@link nmiExits}). `errorCode` is ignored unless the
 * vector is 14.
 */
export function exceptionExits(v: Vmcs, vector: number, errorCode: number): boolean {
  const bit = ((v.exceptionBitmap >>> vector) & 1) === 1
  if (vector !== 14) return bit
  return (errorCode & v.pfecMask) >>> 0 === v.pfecMatch >>> 0 ? bit : !bit
}

// Control registers (§26.1.3 for exits, §26.3 for what the instructions do when they do not exit).
// The guest/host mask owns a bit for the hypervisor: the guest reads the read shadow there, and a
// write that would make the bit differ from the shadow exits.

const CR0_PE = 1 << 0
const CR0_TS = 1 << 3

/** MOV to CR0 exits iff some bit set in the CR0 guest/host mask differs between the value and the CR0 read shadow. */
export function movToCr0Exits(v: Vmcs, value: number): boolean {
  return ((value ^ v.cr0Shadow) & v.cr0Mask) !== 0
}
/** MOV to CR4: as {@link movToCr0Exits} with the CR4 mask and shadow. */
export function movToCr4Exits(v: Vmcs, value: number): boolean {
  return ((value ^ v.cr4Shadow) & v.cr4Mask) !== 0
}
/** A MOV to CR0 that does not exit leaves host-owned bits unmodified (§26.3): the new CR0. */
export function cr0AfterMov(v: Vmcs, cr0: number, value: number): number {
  return ((cr0 & v.cr0Mask) | (value & ~v.cr0Mask)) >>> 0
}
/** A MOV to CR4 that does not exit: the new CR4. */
export function cr4AfterMov(v: Vmcs, cr4: number, value: number): number {
  return ((cr4 & v.cr4Mask) | (value & ~v.cr4Mask)) >>> 0
}
/**
 * MOV from CR0 (and SMSW, which keeps bits 15:0): host-owned bits come from the read shadow, the
 * others from CR0 (§26.3). This is how a guest never sees, e.g., CR0.NE forced on by VMX.
 */
export function guestReadCr0(v: Vmcs, cr0: number): number {
  return ((cr0 & ~v.cr0Mask) | (v.cr0Shadow & v.cr0Mask)) >>> 0
}
/** MOV from CR4: host-owned bits from the CR4 read shadow (hides CR4.VMXE from the guest). */
export function guestReadCr4(v: Vmcs, cr4: number): number {
  return ((cr4 & ~v.cr4Mask) | (v.cr4Shadow & v.cr4Mask)) >>> 0
}

/** CLTS exits iff CR0.TS is host-owned (mask bit 3 = 1) and the read shadow's TS is 1. */
export function cltsExits(v: Vmcs): boolean {
  return (v.cr0Mask & v.cr0Shadow & CR0_TS) !== 0
}
/** A CLTS that does not exit clears CR0.TS, unless TS is host-owned (then CR0 is unchanged). */
export function cr0AfterClts(v: Vmcs, cr0: number): number {
  return v.cr0Mask & CR0_TS ? cr0 >>> 0 : (cr0 & ~CR0_TS) >>> 0
}

/**
 * LMSW (loads CR0 bits 3:0 from a 16-bit source; it can set PE but not clear it) exits iff, for a
 * host-owned bit among MP, EM, TS (bits 3:1), the source differs from the read shadow, or PE is
 * host-owned, 0 in the read shadow and 1 in the source.
 */
export function lmswExits(v: Vmcs, source: number): boolean {
  const mask = v.cr0Mask
  const shadow = v.cr0Shadow
  if ((source ^ shadow) & mask & 0xe) return true
  return (mask & CR0_PE) !== 0 && (shadow & CR0_PE) === 0 && (source & CR0_PE) !== 0
}
/** An LMSW that does not exit: bits 3:0 not owned by the host take the source (PE only 0 → 1). */
export function cr0AfterLmsw(v: Vmcs, cr0: number, source: number): number {
  const writable = 0xf & ~v.cr0Mask
  return ((cr0 & ~writable) | (source & writable) | (cr0 & CR0_PE)) >>> 0
}

/**
 * MOV to CR3 exits iff "CR3-load exiting" is 1 and the value equals none of the first
 * CR3_TARGET_COUNT CR3-target values (count 0: every MOV to CR3 exits) (§26.1.3, §25.6.7
 * "CR3-Target Controls"). Hypervisors with EPT leave the control 0; shadow paging sets it.
 */
export function movToCr3Exits(v: Vmcs, value: number): boolean {
  if ((v.procControls & PROC_CR3_LOAD_EXITING) === 0) return false
  const n = v.cr3TargetCount
  for (let i = 0; i < n; i++) if (v.cr3Target(i) === value >>> 0) return false
  return true
}

/**
 * The TSC a non-exiting RDTSC returns (§26.3, §25.6.5 "Time-Stamp Counter Offset and Multiplier"):
 * with "use TSC offsetting" the 64-bit sum TSC + TSC_OFFSET (modulo 2^64; the offset is a signed
 * two's-complement value), otherwise the TSC. Written to `out` as [bits 31:0, bits 63:32] (EAX, EDX)
 * without allocating. `hostTsc` is an integer below 2^53.
 */
export function guestTsc(v: Vmcs, hostTsc: number, out: Uint32Array): void {
  const lo = hostTsc >>> 0
  const hi = Math.floor(hostTsc / 0x100000000) >>> 0
  if ((v.procControls & PROC_USE_TSC_OFFSETTING) === 0) {
    out[0] = lo
    out[1] = hi
    return
  }
  const sumLo = lo + v.tscOffsetLo
  out[0] = sumLo
  out[1] = hi + v.tscOffsetHi + (sumLo > 0xffffffff ? 1 : 0)
}
