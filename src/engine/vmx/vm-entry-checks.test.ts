import { describe, expect, it } from 'vitest'
import {
  EXIT_ACK_INTR_ON_EXIT,
  PIN_EXT_INTR_EXITING,
  PROC_ACTIVATE_SECONDARY,
  PROC_HLT_EXITING,
  PROC_NMI_WINDOW_EXITING,
  PROC_UNCOND_IO_EXITING,
  PROC_USE_IO_BITMAPS,
  PROC2_ENABLE_EPT,
  PROC2_UNRESTRICTED_GUEST,
  VMX_TRUE_CAPS,
  adjustControls,
} from './controls'
import { encodeInterruptionInfo, IntrType } from './interruption-info'
import {
  ActivityState,
  Interruptibility,
  checkVmEntry,
  recordEntryFailure,
  type VmEntryResult,
} from './vm-entry-checks'
import { Vmcs } from './vmcs'
import { VmcsField as F } from './vmcs-fields'

/**
 * A VMCS a hypervisor could launch: a flat 32-bit protected-mode guest with paging (CS type 11, data
 * type 3, busy 32-bit TSS), EPT, HLT and I/O exiting, host state of a 32-bit kernel.
 */
function validVmcs(): Vmcs {
  const v = new Vmcs()
  const w = (f: number, x: number) => expect(v.vmwrite(f, x)).toBe(0)
  w(F.PIN_BASED_VM_EXEC_CONTROL, adjustControls(PIN_EXT_INTR_EXITING, VMX_TRUE_CAPS.pin))
  w(
    F.CPU_BASED_VM_EXEC_CONTROL,
    adjustControls(PROC_HLT_EXITING | PROC_UNCOND_IO_EXITING | PROC_ACTIVATE_SECONDARY, VMX_TRUE_CAPS.proc),
  )
  w(F.SECONDARY_VM_EXEC_CONTROL, PROC2_ENABLE_EPT)
  w(F.EPT_POINTER, 0x10000 | 0x1e)
  w(F.VM_EXIT_CONTROLS, adjustControls(EXIT_ACK_INTR_ON_EXIT, VMX_TRUE_CAPS.exit))
  w(F.VM_ENTRY_CONTROLS, adjustControls(0, VMX_TRUE_CAPS.entry))
  w(F.HOST_CR0, 0x80000031)
  w(F.HOST_CR4, 0x2000)
  w(F.HOST_CS_SELECTOR, 0x08)
  for (const s of [F.HOST_SS_SELECTOR, F.HOST_DS_SELECTOR, F.HOST_ES_SELECTOR]) w(s, 0x10)
  w(F.HOST_TR_SELECTOR, 0x18)
  w(F.GUEST_CR0, 0x80000031) // PG NE ET PE
  w(F.GUEST_CR4, 0x2010) // VMXE PSE
  w(F.GUEST_CS_SELECTOR, 0x08)
  w(F.GUEST_CS_AR_BYTES, 0xc09b) // G, D, P, DPL 0, S, type 11
  w(F.GUEST_CS_LIMIT, 0xffffffff)
  for (const [sel, ar, lim] of [
    [F.GUEST_SS_SELECTOR, F.GUEST_SS_AR_BYTES, F.GUEST_SS_LIMIT],
    [F.GUEST_DS_SELECTOR, F.GUEST_DS_AR_BYTES, F.GUEST_DS_LIMIT],
    [F.GUEST_ES_SELECTOR, F.GUEST_ES_AR_BYTES, F.GUEST_ES_LIMIT],
    [F.GUEST_FS_SELECTOR, F.GUEST_FS_AR_BYTES, F.GUEST_FS_LIMIT],
    [F.GUEST_GS_SELECTOR, F.GUEST_GS_AR_BYTES, F.GUEST_GS_LIMIT],
  ]) {
    w(sel, 0x10)
    w(ar, 0xc093) // G, D, P, DPL 0, S, type 3
    w(lim, 0xffffffff)
  }
  w(F.GUEST_LDTR_AR_BYTES, 0x10000) // unusable
  w(F.GUEST_TR_SELECTOR, 0x18)
  w(F.GUEST_TR_AR_BYTES, 0x8b) // P, busy 32-bit TSS
  w(F.GUEST_TR_LIMIT, 0x67)
  w(F.GUEST_GDTR_LIMIT, 0x1f)
  w(F.GUEST_IDTR_LIMIT, 0x7ff)
  w(F.GUEST_RFLAGS, 0x2)
  w(F.VMCS_LINK_POINTER, 0xffffffff)
  w(F.VMCS_LINK_POINTER | 1, 0xffffffff)
  return v
}

function failure(r: VmEntryResult): string {
  if (r.ok) return 'ok'
  return r.kind === 'fail-valid'
    ? `VMfailValid(${r.error})`
    : `exit 0x${r.exitReason.toString(16)} qual ${r.qualification}`
}

const GUEST = 'exit 0x80000021 qual 0'

describe('VM entry: basic checks (§27.1)', () => {
  it('accepts a valid VMCS on VMLAUNCH', () => {
    expect(failure(checkVmEntry(validVmcs(), 'launch'))).toBe('ok')
  })
  it('needs a clear VMCS for VMLAUNCH (error 4) and a launched one for VMRESUME (error 5)', () => {
    const v = validVmcs()
    expect(failure(checkVmEntry(v, 'resume'))).toBe('VMfailValid(5)')
    v.launched = true
    expect(failure(checkVmEntry(v, 'launch'))).toBe('VMfailValid(4)')
    expect(failure(checkVmEntry(v, 'resume'))).toBe('ok')
  })
})

describe('VM entry: control checks → VMfailValid(7) (§27.2.1)', () => {
  const cases: Array<[string, (v: Vmcs) => void]> = [
    ['a default1 pin-based bit cleared', (v) => v.vmwrite(F.PIN_BASED_VM_EXEC_CONTROL, PIN_EXT_INTR_EXITING)],
    [
      'NMI-window exiting without virtual NMIs',
      (v) => v.vmwrite(F.CPU_BASED_VM_EXEC_CONTROL, v.procControls | PROC_NMI_WINDOW_EXITING),
    ],
    [
      'unrestricted guest without EPT',
      (v) => v.vmwrite(F.SECONDARY_VM_EXEC_CONTROL, PROC2_UNRESTRICTED_GUEST),
    ],
    ['an EPTP with memory type WC', (v) => v.vmwrite(F.EPT_POINTER, 0x10000 | 0x19)],
    ['five CR3-target values', (v) => v.vmwrite(F.CR3_TARGET_COUNT, 5)],
    [
      'a misaligned I/O bitmap',
      (v) => {
        v.vmwrite(F.CPU_BASED_VM_EXEC_CONTROL, v.procControls | PROC_USE_IO_BITMAPS)
        v.vmwrite(F.IO_BITMAP_A, 0x1800)
      },
    ],
    ['injection type 1 (reserved)', (v) => v.vmwrite(F.VM_ENTRY_INTR_INFO_FIELD, 0x80000120)],
    [
      'an NMI with vector 3',
      (v) => v.vmwrite(F.VM_ENTRY_INTR_INFO_FIELD, encodeInterruptionInfo(3, IntrType.Nmi)),
    ],
    [
      '#GP without "deliver error code"',
      (v) => v.vmwrite(F.VM_ENTRY_INTR_INFO_FIELD, encodeInterruptionInfo(13, IntrType.HardwareException)),
    ],
    [
      '#UD with "deliver error code"',
      (v) =>
        v.vmwrite(F.VM_ENTRY_INTR_INFO_FIELD, encodeInterruptionInfo(6, IntrType.HardwareException, true)),
    ],
    [
      'INT 0x80 with instruction length 0',
      (v) => v.vmwrite(F.VM_ENTRY_INTR_INFO_FIELD, encodeInterruptionInfo(0x80, IntrType.SoftwareInterrupt)),
    ],
  ]
  it.each(cases)('%s', (_what, mutate) => {
    const v = validVmcs()
    mutate(v)
    expect(failure(checkVmEntry(v, 'launch'))).toBe('VMfailValid(7)')
  })

  it('accepts INT 0x80 with its instruction length and #PF with its error code', () => {
    const v = validVmcs()
    v.vmwrite(F.GUEST_RFLAGS, 0x202)
    v.vmwrite(F.VM_ENTRY_INTR_INFO_FIELD, encodeInterruptionInfo(0x80, IntrType.SoftwareInterrupt))
    v.vmwrite(F.VM_ENTRY_INSTRUCTION_LEN, 2)
    expect(failure(checkVmEntry(v, 'launch'))).toBe('ok')
    v.vmwrite(F.VM_ENTRY_INTR_INFO_FIELD, encodeInterruptionInfo(14, IntrType.HardwareException, true))
    v.vmwrite(F.VM_ENTRY_EXCEPTION_ERROR_CODE, 0x2)
    expect(failure(checkVmEntry(v, 'launch'))).toBe('ok')
  })
})

describe('VM entry: host-state checks → VMfailValid(8) (§27.2.2, §27.2.3)', () => {
  it.each([
    ['host CR4 without VMXE', F.HOST_CR4, 0x10],
    ['host CR0 without PG', F.HOST_CR0, 0x31],
    ['host CS selector 0', F.HOST_CS_SELECTOR, 0],
    ['host SS selector with RPL 3', F.HOST_SS_SELECTOR, 0x13],
  ])('%s', (_what, field, value) => {
    const v = validVmcs()
    v.vmwrite(field, value)
    expect(failure(checkVmEntry(v, 'launch'))).toBe('VMfailValid(8)')
  })
})

describe('VM entry: guest-state checks → exit reason 33 | 0x80000000 (§27.3.1)', () => {
  const cases: Array<[string, (v: Vmcs) => void]> = [
    ['paging off without unrestricted guest', (v) => v.vmwrite(F.GUEST_CR0, 0x31)],
    ['guest CR4 without VMXE', (v) => v.vmwrite(F.GUEST_CR4, 0x10)],
    ['guest CR4 with PAE, which the CPU does not implement', (v) => v.vmwrite(F.GUEST_CR4, 0x2030)],
    ['RFLAGS bit 1 clear', (v) => v.vmwrite(F.GUEST_RFLAGS, 0)],
    ['RFLAGS.VM set', (v) => v.vmwrite(F.GUEST_RFLAGS, 0x20002)],
    ['CS of type 3 without unrestricted guest', (v) => v.vmwrite(F.GUEST_CS_AR_BYTES, 0xc093)],
    ['SS.RPL different from CS.RPL', (v) => v.vmwrite(F.GUEST_SS_SELECTOR, 0x13)],
    ['a data segment not marked accessed', (v) => v.vmwrite(F.GUEST_DS_AR_BYTES, 0xc092)],
    ['limit 0xFFFFF000 with G = 1 (bits 11:0 not all 1)', (v) => v.vmwrite(F.GUEST_DS_LIMIT, 0xfffff000)],
    ['limit 0xFFFFFFFF with G = 0 (bits 31:20 not all 0)', (v) => v.vmwrite(F.GUEST_DS_AR_BYTES, 0x4093)],
    ['access-rights bits 11:8 set (a limit nibble left in)', (v) => v.vmwrite(F.GUEST_ES_AR_BYTES, 0xcf93)],
    ['TR holding an available (not busy) TSS', (v) => v.vmwrite(F.GUEST_TR_AR_BYTES, 0x89)],
    ['TR unusable', (v) => v.vmwrite(F.GUEST_TR_AR_BYTES, 0x10000)],
    ['GDTR limit above 16 bits', (v) => v.vmwrite(F.GUEST_GDTR_LIMIT, 0x10000)],
    ['blocking by STI with IF = 0', (v) => v.vmwrite(F.GUEST_INTERRUPTIBILITY_INFO, Interruptibility.STI)],
    ['injecting an external interrupt with IF = 0', (v) => v.vmwrite(F.VM_ENTRY_INTR_INFO_FIELD, 0x80000020)],
    [
      'injecting an external interrupt in an STI shadow',
      (v) => {
        v.vmwrite(F.GUEST_RFLAGS, 0x202)
        v.vmwrite(F.GUEST_INTERRUPTIBILITY_INFO, Interruptibility.STI)
        v.vmwrite(F.VM_ENTRY_INTR_INFO_FIELD, 0x80000020)
      },
    ],
    [
      'HLT activity in an STI shadow',
      (v) => {
        v.vmwrite(F.GUEST_RFLAGS, 0x202)
        v.vmwrite(F.GUEST_INTERRUPTIBILITY_INFO, Interruptibility.STI)
        v.vmwrite(F.GUEST_ACTIVITY_STATE, ActivityState.Hlt)
      },
    ],
    [
      'HLT activity with a #GP to inject',
      (v) => {
        v.vmwrite(F.GUEST_ACTIVITY_STATE, ActivityState.Hlt)
        v.vmwrite(F.VM_ENTRY_INTR_INFO_FIELD, encodeInterruptionInfo(13, IntrType.HardwareException, true))
      },
    ],
    [
      'the shutdown activity state (not supported)',
      (v) => v.vmwrite(F.GUEST_ACTIVITY_STATE, ActivityState.Shutdown),
    ],
    ['pending-debug-exceptions reserved bit 4', (v) => v.vmwrite(F.GUEST_PENDING_DBG_EXCEPTIONS, 0x10)],
  ]
  it.each(cases)('%s', (_what, mutate) => {
    const v = validVmcs()
    mutate(v)
    expect(failure(checkVmEntry(v, 'launch'))).toBe(GUEST)
  })

  it('reports a bad VMCS link pointer with qualification 4', () => {
    const v = validVmcs()
    v.vmwrite(F.VMCS_LINK_POINTER, 0)
    expect(failure(checkVmEntry(v, 'launch'))).toBe('exit 0x80000021 qual 4')
  })

  it('lets an unrestricted guest start with paging and protection off', () => {
    const v = validVmcs()
    v.vmwrite(F.SECONDARY_VM_EXEC_CONTROL, PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST)
    v.vmwrite(F.GUEST_CR0, 0x30) // NE ET
    expect(failure(checkVmEntry(v, 'launch'))).toBe('ok')
    v.vmwrite(F.GUEST_CR0, 0x80000030) // PG without PE
    expect(failure(checkVmEntry(v, 'launch'))).toBe(GUEST)
  })

  it('lets a halted guest be woken by an injected external interrupt', () => {
    const v = validVmcs()
    v.vmwrite(F.GUEST_RFLAGS, 0x202)
    v.vmwrite(F.GUEST_ACTIVITY_STATE, ActivityState.Hlt)
    v.vmwrite(F.VM_ENTRY_INTR_INFO_FIELD, 0x80000020)
    expect(failure(checkVmEntry(v, 'launch'))).toBe('ok')
  })

  it('requires the single-step BS bit to match RFLAGS.TF in an STI shadow', () => {
    const v = validVmcs()
    v.vmwrite(F.GUEST_RFLAGS, 0x302) // IF, TF
    v.vmwrite(F.GUEST_INTERRUPTIBILITY_INFO, Interruptibility.STI)
    expect(failure(checkVmEntry(v, 'launch'))).toBe(GUEST)
    v.vmwrite(F.GUEST_PENDING_DBG_EXCEPTIONS, 1 << 14)
    expect(failure(checkVmEntry(v, 'launch'))).toBe('ok')
  })
})

describe('recordEntryFailure', () => {
  it('writes the VM-instruction error, or the exit reason and qualification', () => {
    const v = validVmcs()
    recordEntryFailure(v, checkVmEntry(v, 'resume'))
    expect(v.read(F.VM_INSTRUCTION_ERROR)).toBe(5)
    v.vmwrite(F.VMCS_LINK_POINTER, 0)
    recordEntryFailure(v, checkVmEntry(v, 'launch'))
    expect([v.read(F.VM_EXIT_REASON), v.read(F.EXIT_QUALIFICATION)]).toEqual([0x80000021, 4])
  })
})
