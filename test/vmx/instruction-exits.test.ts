/**
 * Instruction exits (SDM Vol. 3C §26.1, reasons of Appendix C): instruction-exits.asm runs under the
 * controls below; each exit is checked against the SDM — basic reason, exit qualification (Tables
 * 28-3 to 28-5), instruction length, instruction information (Tables 28-9 to 28-14), guest-linear
 * address — and the guest resumes after the handler (or the monitor's emulation) advanced RIP, which
 * the program checks itself. Expected values are written out from the SDM's bit layouts and the
 * instructions' encodings (checked with objdump), not computed by the code under test.
 */
import { afterAll, describe, expect, it } from 'vitest'
import {
  PROC_ACTIVATE_SECONDARY,
  PROC_CR3_LOAD_EXITING,
  PROC_CR3_STORE_EXITING,
  PROC_INVLPG_EXITING,
  PROC_MOV_DR_EXITING,
  PROC_PAUSE_EXITING,
  PROC_RDTSC_EXITING,
  PROC_USE_IO_BITMAPS,
  PROC_USE_MSR_BITMAPS,
  PROC2_DESC_TABLE_EXITING,
  PROC2_ENABLE_EPT,
  PROC2_UNRESTRICTED_GUEST,
  PROC2_WBINVD_EXITING,
  VMX_TRUE_CAPS,
  adjustControls,
} from '../../src/engine/vmx/controls'
import { VmcsField as F } from '../../src/engine/vmx/vmcs-fields'
import type { GuestPhys } from '../../src/engine/types'
import { VmxGuest, cleanUp, haveNasm, type Exit } from './harness'

afterAll(cleanUp)

const IO_A = 0xe00000
const IO_B = 0xe01000
const MSRS = 0xe02000

// Instruction-information fields (Tables 28-10, 28-11, 28-13, 28-14).
const ADDR32 = 1 << 7
const OP32 = 1 << 11
const DS = 3 << 15
const NO_INDEX = 1 << 22
const NO_BASE = 1 << 27
const REG = 1 << 10
const ABS = ADDR32 | DS | NO_INDEX | NO_BASE

function setUp(g: VmxGuest): void {
  const { m } = g
  const v = m.vmcs
  const proc =
    PROC_RDTSC_EXITING |
    PROC_CR3_LOAD_EXITING |
    PROC_CR3_STORE_EXITING |
    PROC_MOV_DR_EXITING |
    PROC_INVLPG_EXITING |
    PROC_PAUSE_EXITING |
    PROC_USE_IO_BITMAPS |
    PROC_USE_MSR_BITMAPS |
    PROC_ACTIVATE_SECONDARY
  v.write(F.CPU_BASED_VM_EXEC_CONTROL, adjustControls(proc, VMX_TRUE_CAPS.proc))
  v.write(
    F.SECONDARY_VM_EXEC_CONTROL,
    adjustControls(
      PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST | PROC2_DESC_TABLE_EXITING | PROC2_WBINVD_EXITING,
      VMX_TRUE_CAPS.proc2,
    ),
  )
  // The bitmaps live in guest RAM that EPT does not map, so the guest cannot see them.
  m.ept.unmap(IO_A as GuestPhys, 0x3000)
  v.write(F.IO_BITMAP_A, IO_A)
  v.write(F.IO_BITMAP_B, IO_B)
  v.write(F.MSR_BITMAP, MSRS)
  const mem = m.host
  mem.write8(IO_A + (0x80 >> 3), 1 << (0x80 & 7))
  mem.write8(IO_A + (0x2f8 >> 3), 1 << (0x2f8 & 7))
  mem.write8(MSRS + (0x174 >> 3), 1 << (0x174 & 7))
  mem.write8(MSRS + 2048 + (0x176 >> 3), 1 << (0x176 & 7))
  // CR0: TS and MP host-owned (shadow 0); CR4: PGE host-owned (shadow 0); one CR3-target value.
  v.write(F.CR0_GUEST_HOST_MASK, v.cr0Mask | 0x8 | 0x2)
  v.write(F.CR4_GUEST_HOST_MASK, v.cr4Mask | 0x80)
  v.write(F.CR3_TARGET_COUNT, 1)
  v.write(F.CR3_TARGET_VALUE0, 0x00123000)
}

describe.skipIf(!haveNasm)('instruction exits (needs nasm, Debian package nasm)', () => {
  it('exit by exit: reason, qualification, length, instruction information; the guest resumes after each', () => {
    const g = new VmxGuest('instruction-exits')
    setUp(g)
    const v = g.m.vmcs
    const cpu = g.m.cpu
    const started = (): boolean => g.exits.some((e) => e.reason === 18)
    const r = g.run((e) => {
      if (e.reason === 18 && e.rip === g.at('marker')) {
        g.m.vmx.skipInstruction()
        return true
      }
      if (!started()) return false
      switch (e.rip) {
        case g.at('cpuid'):
          cpu.r[3] = 0x4d4f4e49
          break
        case g.at('rdtsc'):
          cpu.r[0] = 0x89abcdef | 0
          cpu.r[2] = 0x01234567
          break
        case g.at('movcr0'):
          v.write(F.CR0_READ_SHADOW, v.cr0Shadow | 0x8)
          break
        case g.at('clts'):
          v.write(F.CR0_READ_SHADOW, v.cr0Shadow & ~0x8)
          break
        default:
          return false
      }
      g.m.vmx.skipInstruction()
      return true
    })
    expect(r.console).toBe('ok\n')
    expect(r.stop).toBe('debug-exit')
    expect(g.output(1)).toBe('>VMX\n')

    // Before the marker: the harness's own LGDT, LIDT and LTR exit under descriptor-table exiting.
    const first = g.exits.findIndex((e) => e.reason === 18)
    expect(g.exits.slice(0, first).map((e) => [e.reason, e.info >>> 28])).toEqual([
      [46, 2],
      [46, 3],
      [47, 3],
    ])
    expect(g.exits[2].info).toBe((3 << 28) | REG)

    const scratch = g.at('scratch')
    const expected: Partial<Exit & { at: string }>[] = [
      { at: 'marker', reason: 18, length: 3 },
      { at: 'cpuid', reason: 10, qualification: 0, length: 2 },
      { at: 'invd', reason: 13, length: 2 },
      { at: 'rdtsc', reason: 16, length: 2 },
      { at: 'rdmsr', reason: 31, length: 2 },
      { at: 'wrmsr', reason: 32, length: 2 },
      { at: 'movcr4', reason: 28, qualification: 4, length: 3 }, // CR4, MOV to CR, EAX
      { at: 'movcr0', reason: 28, qualification: 0, length: 3 }, // CR0, MOV to CR, EAX
      { at: 'clts', reason: 28, qualification: 2 << 4, length: 2 },
      { at: 'lmsw', reason: 28, qualification: (2 << 16) | (3 << 4), length: 3 }, // source 2 in 31:16, register operand
      { at: 'movcr3', reason: 28, qualification: 3, length: 3 },
      { at: 'movfromcr3', reason: 28, qualification: 3 | (1 << 4) | (3 << 8), length: 3 }, // CR3, MOV from CR, EBX
      { at: 'movdr7', reason: 29, qualification: 7, length: 3 }, // DR7, to DR, EAX
      { at: 'movdr6', reason: 29, qualification: 6 | (1 << 4) | (3 << 8), length: 3 }, // DR6, from DR, EBX
      { at: 'readdr7', reason: 29, qualification: 7 | (1 << 4), length: 3 }, // DR7, from DR, EAX
      { at: 'invlpg', reason: 14, qualification: 0x400000, length: 7 },
      { at: 'pause', reason: 40, length: 2 },
      { at: 'wbinvd', reason: 54, length: 2 },
      { at: 'sgdt', reason: 46, qualification: scratch, length: 7, info: ABS | OP32 | (0 << 28) },
      {
        at: 'sidt',
        reason: 46,
        qualification: 4,
        length: 5,
        info: 2 | ADDR32 | OP32 | DS | (6 << 18) | (3 << 23) | (1 << 28),
      },
      { at: 'lgdt', reason: 46, qualification: g.at('gdtr'), length: 7, info: ABS | OP32 | (2 << 28) },
      { at: 'sldt', reason: 47, qualification: 0, length: 3, info: REG | (0 << 3) | (0 << 28) },
      { at: 'str', reason: 47, qualification: scratch, length: 7, info: ABS | (1 << 28) },
      { at: 'lldt', reason: 47, qualification: 0, length: 3, info: REG | (0 << 3) | (2 << 28) },
      { at: 'in80', reason: 30, qualification: (0x80 << 16) | 0x40 | 0x8 | 0, length: 2 }, // imm, IN, byte
      { at: 'in7f', reason: 30, qualification: (0x7f << 16) | 0x40 | 0x8 | 1, length: 3 }, // imm, IN, word
      { at: 'out2f8', reason: 30, qualification: 0x2f8 << 16, length: 1 }, // DX, OUT, byte
      {
        at: 'outsb',
        reason: 30,
        qualification: (0x2f8 << 16) | 0x20 | 0x10,
        length: 2,
        info: ADDR32 | DS,
        guestLinear: g.at('text'),
      },
      { at: 'vmxon', reason: 27, qualification: scratch, length: 8, info: ABS },
      { at: 'vmclear', reason: 19, qualification: scratch, length: 8, info: ABS },
      { at: 'vmptrld', reason: 21, qualification: scratch, length: 7, info: ABS },
      { at: 'vmptrst', reason: 22, qualification: scratch, length: 7, info: ABS },
      { at: 'vmread', reason: 23, qualification: 0, length: 3, info: REG | (0 << 3) | (3 << 28) }, // r/m EAX, encoding in EBX
      { at: 'vmwrite', reason: 25, qualification: scratch, length: 7, info: ABS | (3 << 28) },
      { at: 'vmlaunch', reason: 20, length: 3 },
      { at: 'vmresume', reason: 24, length: 3 },
      { at: 'vmxoff', reason: 26, length: 3 },
      { at: 'invept', reason: 50, qualification: scratch, length: 9, info: ABS | (0 << 28) },
      { at: 'invvpid', reason: 53, qualification: scratch, length: 9, info: ABS | (0 << 28) },
    ]
    const seen = g.exits.slice(first)
    expect(seen.map((e) => e.reason)).toEqual(expected.map((x) => x.reason))
    seen.forEach((e, k) => {
      const { at, ...fields } = expected[k]
      expect({ ...e, at }, `exit ${k} at ${at}`).toMatchObject({ ...fields, at, rip: g.at(at!) })
    })
  })
})
