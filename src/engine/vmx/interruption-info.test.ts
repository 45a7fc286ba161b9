import { describe, expect, it } from 'vitest'
import {
  IntrType,
  decodeInterruptionInfo,
  encodeInterruptionInfo,
  injectionNeedsErrorCode,
  typeNeedsInstructionLength,
} from './interruption-info'

describe('interruption-information format (SDM §25.8.3, §28.2.2, §28.2.4)', () => {
  it('encodes the values hypervisors write', () => {
    // KVM vmx_inject_irq(): irq | INTR_TYPE_EXT_INTR | INTR_INFO_VALID_MASK for IRQ vector 0x20.
    expect(encodeInterruptionInfo(0x20, IntrType.ExternalInterrupt)).toBe(0x80000020)
    // #GP with error code: vector 13, type 3 << 8, deliver-error-code bit 11.
    expect(encodeInterruptionInfo(13, IntrType.HardwareException, true)).toBe(0x80000b0d)
    // NMI: vector 2, type 2.
    expect(encodeInterruptionInfo(2, IntrType.Nmi)).toBe(0x80000202)
    // INT 0x80: software interrupt, type 4.
    expect(encodeInterruptionInfo(0x80, IntrType.SoftwareInterrupt)).toBe(0x80000480)
    // INT3: software exception, type 6.
    expect(encodeInterruptionInfo(3, IntrType.SoftwareException)).toBe(0x80000603)
    // VM-exit information for an exception whose delivery unblocked NMIs through IRET: bit 12.
    expect(encodeInterruptionInfo(14, IntrType.HardwareException, true, true)).toBe(0x80001b0e)
  })

  it('decodes every field by name and round-trips every type', () => {
    expect(decodeInterruptionInfo(0x80000b0e)).toEqual({
      valid: true,
      vector: 14,
      type: 3,
      typeName: 'hardware exception',
      deliverErrorCode: true,
      nmiUnblockingDueToIret: false,
    })
    expect(decodeInterruptionInfo(0x20).valid).toBe(false)
    for (const type of Object.values(IntrType)) {
      const d = decodeInterruptionInfo(
        encodeInterruptionInfo(0x41, type, type === IntrType.HardwareException),
      )
      expect([d.valid, d.vector, d.type, d.deliverErrorCode]).toEqual([
        true,
        0x41,
        type,
        type === IntrType.HardwareException,
      ])
    }
  })

  it('uses the VM-entry instruction length for software interrupts and (privileged) software exceptions only', () => {
    expect([0, 2, 3, 4, 5, 6, 7].map(typeNeedsInstructionLength)).toEqual([
      false,
      false,
      false,
      true,
      true,
      true,
      false,
    ])
  })

  it('delivers an error code exactly for #DF #TS #NP #SS #GP #PF #AC as hardware exceptions in protected mode', () => {
    const withCode = [8, 10, 11, 12, 13, 14, 17]
    for (let vector = 0; vector < 32; vector++) {
      expect(injectionNeedsErrorCode(IntrType.HardwareException, vector, true)).toBe(
        withCode.includes(vector),
      )
    }
    expect(injectionNeedsErrorCode(IntrType.HardwareException, 14, false)).toBe(false) // real mode pushes none
    expect(injectionNeedsErrorCode(IntrType.SoftwareException, 13, true)).toBe(false)
    expect(injectionNeedsErrorCode(IntrType.SoftwareInterrupt, 14, true)).toBe(false)
  })
})
