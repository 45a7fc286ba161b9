/**
 * VMCS field encodings (Intel SDM Vol. 3C Appendix B "Field Encoding in VMCS"; names as in Linux
 * arch/x86/include/asm/vmx.h `enum vmcs_field`, which the SDM's names map onto one to one).
 *
 * An encoding is not an offset: the VMCS layout in memory is implementation-specific, and software
 * reaches a field only through VMREAD/VMWRITE with its 32-bit encoding (SDM §25.11.2 "VMREAD,
 * VMWRITE, and Encodings of VMCS Fields", Table 25-21):
 *
 * | bits  | meaning |
 * |-------|---------|
 * | 0     | access type: 0 full, 1 high (bits 63:32 of a 64-bit field; only 64-bit fields have it) |
 * | 9:1   | index |
 * | 11:10 | type: 0 control, 1 VM-exit information (read-only), 2 guest state, 3 host state |
 * | 12    | reserved (0) |
 * | 14:13 | width: 0 16-bit, 1 64-bit, 2 32-bit, 3 natural-width |
 * | 31:15 | reserved (0) |
 *
 * The table lists the fields that exist on Ringside's virtual CPU: the always-present ones plus
 * those of the VMX features it reports as supported (see `controls.ts`). Fields of features it does
 * not support (VPID, posted interrupts, TPR shadow, PML, …) are "unsupported VMCS components", as on
 * a real processor without those features: VMREAD/VMWRITE of them fail with VM-instruction error 12.
 */

/** Field encodings by SDM/KVM name. */
export const VmcsField = {
  // 16-bit guest-state fields (B.1.2)
  GUEST_ES_SELECTOR: 0x0800,
  GUEST_CS_SELECTOR: 0x0802,
  GUEST_SS_SELECTOR: 0x0804,
  GUEST_DS_SELECTOR: 0x0806,
  GUEST_FS_SELECTOR: 0x0808,
  GUEST_GS_SELECTOR: 0x080a,
  GUEST_LDTR_SELECTOR: 0x080c,
  GUEST_TR_SELECTOR: 0x080e,
  // 16-bit host-state fields (B.1.3)
  HOST_ES_SELECTOR: 0x0c00,
  HOST_CS_SELECTOR: 0x0c02,
  HOST_SS_SELECTOR: 0x0c04,
  HOST_DS_SELECTOR: 0x0c06,
  HOST_FS_SELECTOR: 0x0c08,
  HOST_GS_SELECTOR: 0x0c0a,
  HOST_TR_SELECTOR: 0x0c0c,
  // 64-bit control fields (B.2.1)
  IO_BITMAP_A: 0x2000,
  IO_BITMAP_B: 0x2002,
  MSR_BITMAP: 0x2004,
  VM_EXIT_MSR_STORE_ADDR: 0x2006,
  VM_EXIT_MSR_LOAD_ADDR: 0x2008,
  VM_ENTRY_MSR_LOAD_ADDR: 0x200a,
  EXECUTIVE_VMCS_POINTER: 0x200c,
  TSC_OFFSET: 0x2010,
  EPT_POINTER: 0x201a,
  // 64-bit read-only data field (B.2.2)
  GUEST_PHYSICAL_ADDRESS: 0x2400,
  // 64-bit guest-state fields (B.2.3)
  VMCS_LINK_POINTER: 0x2800,
  GUEST_IA32_DEBUGCTL: 0x2802,
  GUEST_PDPTR0: 0x280a,
  GUEST_PDPTR1: 0x280c,
  GUEST_PDPTR2: 0x280e,
  GUEST_PDPTR3: 0x2810,
  // 32-bit control fields (B.3.1)
  PIN_BASED_VM_EXEC_CONTROL: 0x4000,
  CPU_BASED_VM_EXEC_CONTROL: 0x4002,
  EXCEPTION_BITMAP: 0x4004,
  PAGE_FAULT_ERROR_CODE_MASK: 0x4006,
  PAGE_FAULT_ERROR_CODE_MATCH: 0x4008,
  CR3_TARGET_COUNT: 0x400a,
  VM_EXIT_CONTROLS: 0x400c,
  VM_EXIT_MSR_STORE_COUNT: 0x400e,
  VM_EXIT_MSR_LOAD_COUNT: 0x4010,
  VM_ENTRY_CONTROLS: 0x4012,
  VM_ENTRY_MSR_LOAD_COUNT: 0x4014,
  VM_ENTRY_INTR_INFO_FIELD: 0x4016,
  VM_ENTRY_EXCEPTION_ERROR_CODE: 0x4018,
  VM_ENTRY_INSTRUCTION_LEN: 0x401a,
  SECONDARY_VM_EXEC_CONTROL: 0x401e,
  // 32-bit read-only data fields (B.3.2)
  VM_INSTRUCTION_ERROR: 0x4400,
  VM_EXIT_REASON: 0x4402,
  VM_EXIT_INTR_INFO: 0x4404,
  VM_EXIT_INTR_ERROR_CODE: 0x4406,
  IDT_VECTORING_INFO_FIELD: 0x4408,
  IDT_VECTORING_ERROR_CODE: 0x440a,
  VM_EXIT_INSTRUCTION_LEN: 0x440c,
  VMX_INSTRUCTION_INFO: 0x440e,
  // 32-bit guest-state fields (B.3.3)
  GUEST_ES_LIMIT: 0x4800,
  GUEST_CS_LIMIT: 0x4802,
  GUEST_SS_LIMIT: 0x4804,
  GUEST_DS_LIMIT: 0x4806,
  GUEST_FS_LIMIT: 0x4808,
  GUEST_GS_LIMIT: 0x480a,
  GUEST_LDTR_LIMIT: 0x480c,
  GUEST_TR_LIMIT: 0x480e,
  GUEST_GDTR_LIMIT: 0x4810,
  GUEST_IDTR_LIMIT: 0x4812,
  GUEST_ES_AR_BYTES: 0x4814,
  GUEST_CS_AR_BYTES: 0x4816,
  GUEST_SS_AR_BYTES: 0x4818,
  GUEST_DS_AR_BYTES: 0x481a,
  GUEST_FS_AR_BYTES: 0x481c,
  GUEST_GS_AR_BYTES: 0x481e,
  GUEST_LDTR_AR_BYTES: 0x4820,
  GUEST_TR_AR_BYTES: 0x4822,
  GUEST_INTERRUPTIBILITY_INFO: 0x4824,
  GUEST_ACTIVITY_STATE: 0x4826,
  GUEST_SMBASE: 0x4828,
  GUEST_SYSENTER_CS: 0x482a,
  VMX_PREEMPTION_TIMER_VALUE: 0x482e,
  // 32-bit host-state field (B.3.4)
  HOST_IA32_SYSENTER_CS: 0x4c00,
  // natural-width control fields (B.4.1)
  CR0_GUEST_HOST_MASK: 0x6000,
  CR4_GUEST_HOST_MASK: 0x6002,
  CR0_READ_SHADOW: 0x6004,
  CR4_READ_SHADOW: 0x6006,
  CR3_TARGET_VALUE0: 0x6008,
  CR3_TARGET_VALUE1: 0x600a,
  CR3_TARGET_VALUE2: 0x600c,
  CR3_TARGET_VALUE3: 0x600e,
  // natural-width read-only data fields (B.4.2)
  EXIT_QUALIFICATION: 0x6400,
  IO_RCX: 0x6402,
  IO_RSI: 0x6404,
  IO_RDI: 0x6406,
  IO_RIP: 0x6408,
  GUEST_LINEAR_ADDRESS: 0x640a,
  // natural-width guest-state fields (B.4.3)
  GUEST_CR0: 0x6800,
  GUEST_CR3: 0x6802,
  GUEST_CR4: 0x6804,
  GUEST_ES_BASE: 0x6806,
  GUEST_CS_BASE: 0x6808,
  GUEST_SS_BASE: 0x680a,
  GUEST_DS_BASE: 0x680c,
  GUEST_FS_BASE: 0x680e,
  GUEST_GS_BASE: 0x6810,
  GUEST_LDTR_BASE: 0x6812,
  GUEST_TR_BASE: 0x6814,
  GUEST_GDTR_BASE: 0x6816,
  GUEST_IDTR_BASE: 0x6818,
  GUEST_DR7: 0x681a,
  GUEST_RSP: 0x681c,
  GUEST_RIP: 0x681e,
  GUEST_RFLAGS: 0x6820,
  GUEST_PENDING_DBG_EXCEPTIONS: 0x6822,
  GUEST_SYSENTER_ESP: 0x6824,
  GUEST_SYSENTER_EIP: 0x6826,
  // natural-width host-state fields (B.4.4)
  HOST_CR0: 0x6c00,
  HOST_CR3: 0x6c02,
  HOST_CR4: 0x6c04,
  HOST_FS_BASE: 0x6c06,
  HOST_GS_BASE: 0x6c08,
  HOST_TR_BASE: 0x6c0a,
  HOST_GDTR_BASE: 0x6c0c,
  HOST_IDTR_BASE: 0x6c0e,
  HOST_IA32_SYSENTER_ESP: 0x6c10,
  HOST_IA32_SYSENTER_EIP: 0x6c12,
  HOST_RSP: 0x6c14,
  HOST_RIP: 0x6c16,
} as const

export type VmcsFieldName = keyof typeof VmcsField

/** Field width, bits 14:13 of an encoding. */
export const FieldWidth = { Bits16: 0, Bits64: 1, Bits32: 2, Natural: 3 } as const
export type FieldWidth = (typeof FieldWidth)[keyof typeof FieldWidth]

/** Field type (the VMCS area), bits 11:10 of an encoding. */
export const FieldType = { Control: 0, ExitInfo: 1, Guest: 2, Host: 3 } as const
export type FieldType = (typeof FieldType)[keyof typeof FieldType]

/** Bit 0 of an encoding: the "high" access type of a 64-bit field (its bits 63:32). */
export const ENCODING_HIGH = 1

export function fieldWidth(encoding: number): FieldWidth {
  return ((encoding >>> 13) & 3) as FieldWidth
}
export function fieldType(encoding: number): FieldType {
  return ((encoding >>> 10) & 3) as FieldType
}
export function fieldIndex(encoding: number): number {
  return (encoding >>> 1) & 0x1ff
}

/**
 * Bits a field holds on Ringside's CPU. Natural-width fields are 32 bits because the CPU implements
 * IA-32 without Intel 64 (SDM §25.11.2: natural-width fields "have 64 bits on processors that
 * support Intel 64 architecture and 32 bits on processors that do not").
 */
export function fieldBits(encoding: number): 16 | 32 | 64 {
  const w = fieldWidth(encoding)
  return w === FieldWidth.Bits16 ? 16 : w === FieldWidth.Bits64 ? 64 : 32
}

/** One VMCS field for tables and the inspector. */
export interface VmcsFieldInfo {
  readonly name: VmcsFieldName
  readonly encoding: number
  readonly width: FieldWidth
  readonly type: FieldType
}

/** Every supported field, in encoding order (the inspector lists them area by area). */
export const VMCS_FIELDS: readonly VmcsFieldInfo[] = (Object.keys(VmcsField) as VmcsFieldName[])
  .map((name) => {
    const encoding = VmcsField[name]
    return { name, encoding, width: fieldWidth(encoding), type: fieldType(encoding) }
  })
  .sort((a, b) => a.encoding - b.encoding)

const NAME_BY_ENCODING = new Map<number, VmcsFieldName>(VMCS_FIELDS.map((f) => [f.encoding, f.name]))

/** The SDM/KVM name of a full-access encoding, or undefined for an unsupported component. */
export function vmcsFieldName(encoding: number): VmcsFieldName | undefined {
  return NAME_BY_ENCODING.get(encoding)
}

/**
 * The highest index (bits 9:1) of any supported encoding: what IA32_VMX_VMCS_ENUM bits 9:1 report
 * (SDM Appendix A.9 "VMCS Enumeration").
 */
export const VMCS_MAX_INDEX = VMCS_FIELDS.reduce((m, f) => Math.max(m, fieldIndex(f.encoding)), 0)
