import { describe, expect, it } from 'vitest'
import {
  FieldType,
  FieldWidth,
  VMCS_FIELDS,
  VMCS_MAX_INDEX,
  VmcsField,
  fieldBits,
  fieldType,
  fieldWidth,
  vmcsFieldName,
} from './vmcs-fields'

describe('VMCS field encodings (SDM Vol. 3C Appendix B; values as in Linux enum vmcs_field)', () => {
  // Literal values copied from Linux arch/x86/include/asm/vmx.h, one per area and width.
  const linux: Record<string, number> = {
    GUEST_ES_SELECTOR: 0x00000800,
    GUEST_TR_SELECTOR: 0x0000080e,
    HOST_CS_SELECTOR: 0x00000c02,
    HOST_TR_SELECTOR: 0x00000c0c,
    IO_BITMAP_A: 0x00002000,
    IO_BITMAP_B: 0x00002002,
    MSR_BITMAP: 0x00002004,
    TSC_OFFSET: 0x00002010,
    EPT_POINTER: 0x0000201a,
    GUEST_PHYSICAL_ADDRESS: 0x00002400,
    VMCS_LINK_POINTER: 0x00002800,
    GUEST_IA32_DEBUGCTL: 0x00002802,
    GUEST_PDPTR3: 0x00002810,
    PIN_BASED_VM_EXEC_CONTROL: 0x00004000,
    CPU_BASED_VM_EXEC_CONTROL: 0x00004002,
    EXCEPTION_BITMAP: 0x00004004,
    PAGE_FAULT_ERROR_CODE_MASK: 0x00004006,
    PAGE_FAULT_ERROR_CODE_MATCH: 0x00004008,
    CR3_TARGET_COUNT: 0x0000400a,
    VM_EXIT_CONTROLS: 0x0000400c,
    VM_ENTRY_CONTROLS: 0x00004012,
    VM_ENTRY_INTR_INFO_FIELD: 0x00004016,
    VM_ENTRY_EXCEPTION_ERROR_CODE: 0x00004018,
    VM_ENTRY_INSTRUCTION_LEN: 0x0000401a,
    SECONDARY_VM_EXEC_CONTROL: 0x0000401e,
    VM_INSTRUCTION_ERROR: 0x00004400,
    VM_EXIT_REASON: 0x00004402,
    VM_EXIT_INTR_INFO: 0x00004404,
    VM_EXIT_INTR_ERROR_CODE: 0x00004406,
    IDT_VECTORING_INFO_FIELD: 0x00004408,
    IDT_VECTORING_ERROR_CODE: 0x0000440a,
    VM_EXIT_INSTRUCTION_LEN: 0x0000440c,
    VMX_INSTRUCTION_INFO: 0x0000440e,
    GUEST_ES_LIMIT: 0x00004800,
    GUEST_IDTR_LIMIT: 0x00004812,
    GUEST_CS_AR_BYTES: 0x00004816,
    GUEST_TR_AR_BYTES: 0x00004822,
    GUEST_INTERRUPTIBILITY_INFO: 0x00004824,
    GUEST_ACTIVITY_STATE: 0x00004826,
    GUEST_SYSENTER_CS: 0x0000482a,
    VMX_PREEMPTION_TIMER_VALUE: 0x0000482e,
    HOST_IA32_SYSENTER_CS: 0x00004c00,
    CR0_GUEST_HOST_MASK: 0x00006000,
    CR4_GUEST_HOST_MASK: 0x00006002,
    CR0_READ_SHADOW: 0x00006004,
    CR4_READ_SHADOW: 0x00006006,
    CR3_TARGET_VALUE0: 0x00006008,
    CR3_TARGET_VALUE3: 0x0000600e,
    EXIT_QUALIFICATION: 0x00006400,
    GUEST_LINEAR_ADDRESS: 0x0000640a,
    GUEST_CR0: 0x00006800,
    GUEST_CR3: 0x00006802,
    GUEST_CR4: 0x00006804,
    GUEST_GDTR_BASE: 0x00006816,
    GUEST_DR7: 0x0000681a,
    GUEST_RSP: 0x0000681c,
    GUEST_RIP: 0x0000681e,
    GUEST_RFLAGS: 0x00006820,
    GUEST_PENDING_DBG_EXCEPTIONS: 0x00006822,
    GUEST_SYSENTER_EIP: 0x00006826,
    HOST_CR0: 0x00006c00,
    HOST_CR3: 0x00006c02,
    HOST_CR4: 0x00006c04,
    HOST_RSP: 0x00006c14,
    HOST_RIP: 0x00006c16,
  }

  it.each(Object.entries(linux))('%s = 0x%s', (name, encoding) => {
    expect(VmcsField[name as keyof typeof VmcsField]).toBe(encoding)
    expect(vmcsFieldName(encoding)).toBe(name)
  })

  it('derives width and area from bits 14:13 and 11:10 as Table 25-21 defines them', () => {
    expect([fieldWidth(VmcsField.GUEST_CS_SELECTOR), fieldType(VmcsField.GUEST_CS_SELECTOR)]).toEqual([
      FieldWidth.Bits16,
      FieldType.Guest,
    ])
    expect([fieldWidth(VmcsField.EPT_POINTER), fieldType(VmcsField.EPT_POINTER)]).toEqual([
      FieldWidth.Bits64,
      FieldType.Control,
    ])
    expect([fieldWidth(VmcsField.VM_EXIT_REASON), fieldType(VmcsField.VM_EXIT_REASON)]).toEqual([
      FieldWidth.Bits32,
      FieldType.ExitInfo,
    ])
    expect([fieldWidth(VmcsField.HOST_RIP), fieldType(VmcsField.HOST_RIP)]).toEqual([
      FieldWidth.Natural,
      FieldType.Host,
    ])
    // Natural width is 32 bits on a processor without Intel 64.
    expect(fieldBits(VmcsField.GUEST_RIP)).toBe(32)
    expect(fieldBits(VmcsField.TSC_OFFSET)).toBe(64)
  })

  it('has only full-access encodings with reserved bits 31:15 and 12 clear', () => {
    for (const f of VMCS_FIELDS) expect(f.encoding & (0xffff8000 | 0x1000 | 1)).toBe(0)
  })

  it('reports the highest index in use for IA32_VMX_VMCS_ENUM', () => {
    // VMX_PREEMPTION_TIMER_VALUE 0x482E has index (0x482E >> 1) & 0x1FF = 0x17, the largest here.
    expect(VMCS_MAX_INDEX).toBe(0x17)
  })

  it('leaves out fields of features the CPU does not report (VPID, TPR shadow, posted interrupts)', () => {
    expect(vmcsFieldName(0x0000)).toBeUndefined() // VIRTUAL_PROCESSOR_ID
    expect(vmcsFieldName(0x2012)).toBeUndefined() // VIRTUAL_APIC_PAGE_ADDR
    expect(vmcsFieldName(0x0002)).toBeUndefined() // POSTED_INTR_NV
  })
})
