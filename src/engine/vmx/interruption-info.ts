/**
 * The interruption-information format shared by three VMCS fields (Intel SDM Vol. 3C):
 *
 * - VM-entry interruption information (0x4016): the event a VM entry injects (§25.8.3 "VM-Entry
 *   Controls for Event Injection", Table 25-17), delivered through the guest IDT as the last step of
 *   the entry (§27.6 "Event Injection");
 * - VM-exit interruption information (0x4404): the exception, NMI or external interrupt that caused
 *   an exit (§28.2.2 "Information for VM Exits Due to Vectored Events");
 * - IDT-vectoring information (0x4408): the event whose delivery an exit interrupted, which the
 *   hypervisor usually re-injects (§28.2.4 "Information for VM Exits During Event Delivery").
 *
 * | bits  | meaning |
 * |-------|---------|
 * | 7:0   | vector |
 * | 10:8  | type (see {@link IntrType}) |
 * | 11    | deliver error code (push the companion error-code field) |
 * | 12    | VM-exit interruption information: NMI unblocking due to IRET; reserved in the entry field |
 * | 30:13 | reserved (0) |
 * | 31    | valid |
 *
 * Same layout in Linux (`INTR_INFO_*`, `INTR_TYPE_*` in arch/x86/include/asm/vmx.h) and Xen
 * (`INTR_INFO_*` in xen/arch/x86/include/asm/hvm/vmx/vmx.h).
 */

/**
 * Interruption types (bits 10:8). Which one an event is: an interrupt from the interrupt controller
 * is 0; NMI 2; an exception the processor detects (#PF, #GP, #UD, …) 3; INT n 4; INT1 (ICEBP, opcode
 * F1) 5; INT3 and INTO 6; 7 is used only for a pending monitor-trap-flag exit. Type 1 is reserved.
 */
export const IntrType = {
  ExternalInterrupt: 0,
  Nmi: 2,
  HardwareException: 3,
  SoftwareInterrupt: 4,
  PrivilegedSoftwareException: 5,
  SoftwareException: 6,
  OtherEvent: 7,
} as const
export type IntrType = (typeof IntrType)[keyof typeof IntrType]

export const INTR_INFO_VECTOR_MASK = 0xff
export const INTR_INFO_TYPE_SHIFT = 8
export const INTR_INFO_DELIVER_ERROR_CODE = 1 << 11
export const INTR_INFO_NMI_UNBLOCKING = 1 << 12
export const INTR_INFO_VALID = 0x80000000
/** Bits that must be 0 in the VM-entry interruption-information field (§27.2.1.3). */
export const INTR_INFO_ENTRY_RESERVED = 0x7ffff000

const TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'external interrupt',
  1: 'reserved',
  2: 'NMI',
  3: 'hardware exception',
  4: 'software interrupt',
  5: 'privileged software exception',
  6: 'software exception',
  7: 'other event',
}

/** Encodes a valid interruption-information value. */
export function encodeInterruptionInfo(
  vector: number,
  type: IntrType,
  deliverErrorCode = false,
  nmiUnblocking = false,
): number {
  return (
    (INTR_INFO_VALID |
      (vector & INTR_INFO_VECTOR_MASK) |
      (type << INTR_INFO_TYPE_SHIFT) |
      (deliverErrorCode ? INTR_INFO_DELIVER_ERROR_CODE : 0) |
      (nmiUnblocking ? INTR_INFO_NMI_UNBLOCKING : 0)) >>>
    0
  )
}

/** An interruption-information value decoded field by field (for the inspector and tests). */
export interface InterruptionInfo {
  readonly valid: boolean
  readonly vector: number
  readonly type: number
  readonly typeName: string
  readonly deliverErrorCode: boolean
  readonly nmiUnblockingDueToIret: boolean
}

export function decodeInterruptionInfo(info: number): InterruptionInfo {
  const type = (info >>> INTR_INFO_TYPE_SHIFT) & 7
  return {
    valid: (info & INTR_INFO_VALID) !== 0,
    vector: info & INTR_INFO_VECTOR_MASK,
    type,
    typeName: TYPE_NAMES[type],
    deliverErrorCode: (info & INTR_INFO_DELIVER_ERROR_CODE) !== 0,
    nmiUnblockingDueToIret: (info & INTR_INFO_NMI_UNBLOCKING) !== 0,
  }
}

/**
 * Whether injecting an event of this type uses the VM-entry instruction-length field: software
 * interrupts, privileged software exceptions and software exceptions are delivered as if by an
 * instruction of that length, so the return address pushed is RIP + length (§27.6.1.1; the field must
 * then be 1–15 because IA32_VMX_MISC bit 30 is 0 on Ringside, §27.2.1.3).
 */
export function typeNeedsInstructionLength(type: number): boolean {
  return (
    type === IntrType.SoftwareInterrupt ||
    type === IntrType.PrivilegedSoftwareException ||
    type === IntrType.SoftwareException
  )
}

/** Exceptions that push an error code: #DF 8, #TS 10, #NP 11, #SS 12, #GP 13, #PF 14, #AC 17 (SDM Vol. 3A Table 6-1). */
const ERROR_CODE_VECTORS = (1 << 8) | (1 << 10) | (1 << 11) | (1 << 12) | (1 << 13) | (1 << 14) | (1 << 17)

/**
 * Whether an injected event must set "deliver error code" (§27.2.1.3): bit 11 is 1 if and only if
 * the type is hardware exception, the vector is one of #DF #TS #NP #SS #GP #PF #AC, and the guest is
 * in protected mode (or "unrestricted guest" is 0, which implies it). Software exceptions (INT3,
 * INTO) and INT n never push an error code.
 */
export function injectionNeedsErrorCode(type: number, vector: number, protectedMode: boolean): boolean {
  return (
    protectedMode &&
    type === IntrType.HardwareException &&
    vector < 32 &&
    ((ERROR_CODE_VECTORS >>> vector) & 1) === 1
  )
}
