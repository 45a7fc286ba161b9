import { describe, expect, it } from 'vitest'
import {
  EXIT_REASON_NAMES,
  ExitReason,
  UNCONDITIONAL_EXITS,
  exitReasonName,
  exitTiming,
} from './exit-reasons'

describe('basic exit reasons (SDM Vol. 3C Appendix C)', () => {
  it('match the numbers in Linux uapi/asm/vmx.h and Xen vmx.h', () => {
    // Values from Linux EXIT_REASON_* (and hypervisor-flows.md §1.4).
    const linux: Array<[number, number]> = [
      [ExitReason.EXCEPTION_NMI, 0],
      [ExitReason.EXTERNAL_INTERRUPT, 1],
      [ExitReason.TRIPLE_FAULT, 2],
      [ExitReason.INTERRUPT_WINDOW, 7],
      [ExitReason.NMI_WINDOW, 8],
      [ExitReason.TASK_SWITCH, 9],
      [ExitReason.CPUID, 10],
      [ExitReason.HLT, 12],
      [ExitReason.INVD, 13],
      [ExitReason.INVLPG, 14],
      [ExitReason.RDTSC, 16],
      [ExitReason.VMCALL, 18],
      [ExitReason.VMXON, 27],
      [ExitReason.CR_ACCESS, 28],
      [ExitReason.DR_ACCESS, 29],
      [ExitReason.IO_INSTRUCTION, 30],
      [ExitReason.MSR_READ, 31],
      [ExitReason.MSR_WRITE, 32],
      [ExitReason.INVALID_GUEST_STATE, 33],
      [ExitReason.PAUSE, 40],
      [ExitReason.GDTR_IDTR, 46],
      [ExitReason.LDTR_TR, 47],
      [ExitReason.EPT_VIOLATION, 48],
      [ExitReason.EPT_MISCONFIG, 49],
      [ExitReason.PREEMPTION_TIMER, 52],
      [ExitReason.WBINVD, 54],
      [ExitReason.XSETBV, 55],
      [ExitReason.PML_FULL, 62],
      [ExitReason.BUS_LOCK, 74],
      [ExitReason.NOTIFY, 75],
    ]
    for (const [ours, theirs] of linux) expect(ours).toBe(theirs)
  })

  it('name each reason as the SDM does and leave the unused numbers unnamed', () => {
    expect(EXIT_REASON_NAMES[0]).toBe('Exception or non-maskable interrupt (NMI)')
    expect(EXIT_REASON_NAMES[28]).toBe('Control-register accesses')
    expect(EXIT_REASON_NAMES[30]).toBe('I/O instruction')
    expect(EXIT_REASON_NAMES[48]).toBe('EPT violation')
    expect(exitReasonName(0x80000021)).toBe('VM-entry failure due to invalid guest state')
    for (const unused of [35, 38, 42]) expect(EXIT_REASON_NAMES[unused]).toBeUndefined()
    for (const value of Object.values(ExitReason)) expect(EXIT_REASON_NAMES[value]).toBeDefined()
  })

  it('classify exits by when they happen relative to the guest instruction', () => {
    expect(exitTiming(ExitReason.IO_INSTRUCTION)).toBe('fault')
    expect(exitTiming(ExitReason.EPT_VIOLATION)).toBe('fault')
    expect(exitTiming(ExitReason.APIC_WRITE)).toBe('trap')
    expect(exitTiming(ExitReason.INTERRUPT_WINDOW)).toBe('event')
    expect(exitTiming(ExitReason.EXTERNAL_INTERRUPT)).toBe('event')
    expect(exitTiming(0x80000000 | ExitReason.INVALID_GUEST_STATE)).toBe('entry-failure')
  })

  it('list the unconditional exits of §26.1.2', () => {
    expect([...UNCONDITIONAL_EXITS].sort((a, b) => a - b)).toEqual([
      10, 11, 13, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 50, 53, 55,
    ])
  })
})
