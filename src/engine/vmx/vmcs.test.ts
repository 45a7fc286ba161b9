import { describe, expect, it } from 'vitest'
import { StateReader, StateWriter } from '../snapshot'
import { PROC_ACTIVATE_SECONDARY, PROC2_ENABLE_EPT } from './controls'
import { VmInstructionError } from './vm-instruction-error'
import { VMREAD_FAILED, Vmcs } from './vmcs'
import { VmcsField as F } from './vmcs-fields'

describe('VMREAD/VMWRITE (SDM §25.11.2, §31.3) with 32-bit operands', () => {
  it('keeps bits 15:0 of a 16-bit field and zero-extends on read', () => {
    const v = new Vmcs()
    expect(v.vmwrite(F.GUEST_CS_SELECTOR, 0x12345678)).toBe(0)
    expect(v.vmread(F.GUEST_CS_SELECTOR)).toBe(0x5678)
  })

  it('stores 32-bit and natural-width fields whole (natural width is 32 bits without Intel 64)', () => {
    const v = new Vmcs()
    v.vmwrite(F.EXCEPTION_BITMAP, 0xdeadbeef)
    v.vmwrite(F.GUEST_RIP, 0xfffffff0)
    expect(v.vmread(F.EXCEPTION_BITMAP)).toBe(0xdeadbeef)
    expect(v.vmread(F.GUEST_RIP)).toBe(0xfffffff0)
  })

  it('accesses 64-bit fields as full (bits 31:0, clearing 63:32) or high (bits 63:32 only)', () => {
    const v = new Vmcs()
    expect(v.vmwrite(F.TSC_OFFSET | 1, 0xffffffff)).toBe(0)
    expect(v.vmwrite(F.TSC_OFFSET, 0xfffffc18)).toBe(0) // clears the high half written before
    expect(v.vmread(F.TSC_OFFSET | 1)).toBe(0)
    v.vmwrite(F.TSC_OFFSET | 1, 0xffffffff) // now -1000 as a 64-bit value
    expect([v.vmread(F.TSC_OFFSET), v.vmread(F.TSC_OFFSET | 1)]).toEqual([0xfffffc18, 0xffffffff])
    expect([v.tscOffsetLo, v.tscOffsetHi]).toEqual([0xfffffc18, 0xffffffff])
  })

  it('fails VMWRITE to a read-only exit-information field with error 13, leaving it unchanged', () => {
    const v = new Vmcs()
    v.write(F.VM_EXIT_REASON, 30)
    expect(v.vmwrite(F.VM_EXIT_REASON, 12)).toBe(VmInstructionError.VMWRITE_READ_ONLY_VMCS_COMPONENT)
    expect(v.vmread(F.VM_EXIT_REASON)).toBe(30)
    expect(v.read(F.VM_INSTRUCTION_ERROR)).toBe(13)
    // The high half of a read-only 64-bit field is read-only too, but readable.
    expect(v.vmwrite(F.GUEST_PHYSICAL_ADDRESS | 1, 1)).toBe(13)
    expect(v.vmread(F.GUEST_PHYSICAL_ADDRESS | 1)).toBe(0)
  })

  it('fails VMREAD/VMWRITE of unsupported components with error 12', () => {
    const v = new Vmcs()
    expect(v.vmwrite(0x0000, 1)).toBe(VmInstructionError.UNSUPPORTED_VMCS_COMPONENT) // VPID: not supported
    expect(v.vmwrite(F.EXCEPTION_BITMAP | 1, 1)).toBe(12) // high access to a 32-bit field
    expect(v.vmwrite(0x10000 | F.GUEST_RIP, 1)).toBe(12) // reserved bits 31:15 set
    v.write(F.VM_INSTRUCTION_ERROR, 0)
    expect(v.vmread(F.GUEST_RIP | 1)).toBe(VMREAD_FAILED)
    expect(v.read(F.VM_INSTRUCTION_ERROR)).toBe(12)
  })

  it('applies secondary controls only while "activate secondary controls" is set (§25.6.2)', () => {
    const v = new Vmcs()
    v.vmwrite(F.SECONDARY_VM_EXEC_CONTROL, PROC2_ENABLE_EPT)
    expect(v.procControls2).toBe(0)
    v.vmwrite(F.CPU_BASED_VM_EXEC_CONTROL, PROC_ACTIVATE_SECONDARY)
    expect(v.procControls2).toBe(PROC2_ENABLE_EPT)
  })

  it('records an exit: reason and qualification, stale exit information cleared, injection consumed (§28.2)', () => {
    const v = new Vmcs()
    v.write(F.IDT_VECTORING_INFO_FIELD, 0x80000b0e)
    v.write(F.VM_EXIT_INSTRUCTION_LEN, 3)
    v.write64(F.GUEST_PHYSICAL_ADDRESS, 0x1000, 0)
    v.vmwrite(F.VM_ENTRY_INTR_INFO_FIELD, 0x80000020)
    v.recordExit(30, 0x03f80000)
    expect(v.read(F.VM_EXIT_REASON)).toBe(30)
    expect(v.read(F.EXIT_QUALIFICATION)).toBe(0x03f80000)
    expect(v.read(F.IDT_VECTORING_INFO_FIELD)).toBe(0)
    expect(v.read(F.VM_EXIT_INSTRUCTION_LEN)).toBe(0)
    expect(v.read(F.GUEST_PHYSICAL_ADDRESS)).toBe(0)
    expect(v.read(F.VM_ENTRY_INTR_INFO_FIELD)).toBe(0x20)
  })

  it('VMCLEAR makes the launch state clear and keeps the data', () => {
    const v = new Vmcs()
    v.launched = true
    v.vmwrite(F.GUEST_RIP, 0x1000)
    v.clear()
    expect(v.launched).toBe(false)
    expect(v.vmread(F.GUEST_RIP)).toBe(0x1000)
  })

  it('saves and restores every field and the launch state', () => {
    const a = new Vmcs()
    a.vmwrite(F.GUEST_RIP, 0x7c00)
    a.write64(F.EPT_POINTER, 0x5e, 0)
    a.vmwrite(F.TSC_OFFSET | 1, 0x80000000)
    a.launched = true
    const w = new StateWriter()
    a.saveState(w)
    const b = new Vmcs()
    const r = new StateReader(w.finish())
    b.loadState(r)
    expect(r.done).toBe(true)
    expect(b.launched).toBe(true)
    expect([b.read(F.GUEST_RIP), b.eptp, b.readHigh(F.TSC_OFFSET)]).toEqual([0x7c00, 0x5e, 0x80000000])
  })
})
