import { describe, expect, it } from 'vitest'
import {
  AddrSize,
  CrAccessType,
  GdtrIdtrInsn,
  LdtrTrInsn,
  TaskSwitchSource,
  crAccessQualification,
  decodeCrAccess,
  decodeEptViolation,
  decodeGdtrIdtrInfo,
  decodeIo,
  decodeLdtrTrInfo,
  decodeMovDr,
  decodeQualification,
  decodeTaskSwitch,
  decodeVmreadVmwriteInfo,
  gdtrIdtrInfo,
  insOutsInfo,
  instructionLengthDefined,
  ioQualification,
  ldtrTrInfoMem,
  ldtrTrInfoReg,
  movDrQualification,
  taskSwitchQualification,
  vmreadVmwriteInfoReg,
  vmxInsnInfoMem,
} from './qualification'

const EAX = 0
const ECX = 1
const EBX = 3
const ESI = 6
const DS = 3
const NONE = -1

describe('I/O instruction qualification (Table 28-5)', () => {
  it('out dx, al with DX = 0x3F8: size 0 (1 byte), OUT, DX operand, port 0x3F8', () => {
    const q = ioQualification(0x3f8, 1, false, false, false, false)
    expect(q).toBe(0x03f80000)
    expect(decodeIo(q)).toEqual({
      size: 1,
      direction: 'OUT',
      string: false,
      rep: false,
      operand: 'DX',
      port: 0x3f8,
    })
  })

  it('in al, 0x60: IN with an immediate port', () => {
    expect(ioQualification(0x60, 1, true, false, false, true)).toBe(0x00600048) // bit 3 IN, bit 6 immediate
  })

  it('rep insw with DX = 0x1F0: size 1 (2 bytes), IN, string, REP', () => {
    const q = ioQualification(0x1f0, 2, true, true, true, false)
    expect(q).toBe(0x01f00039) // 1 | 8 | 0x10 | 0x20
    expect(decodeIo(q)).toMatchObject({ size: 2, direction: 'IN', string: true, rep: true })
  })

  it('out dx, eax: size field 3', () => {
    expect(ioQualification(0xcfc, 4, false, false, false, false) & 7).toBe(3)
  })
})

describe('control-register access qualification (Table 28-3)', () => {
  it('mov cr3, eax: CR 3, MOV to CR, GPR 0', () => {
    expect(crAccessQualification(3, CrAccessType.MovToCr, EAX)).toBe(0x3)
  })
  it('mov ebx, cr3: CR 3, MOV from CR, GPR 3', () => {
    const q = crAccessQualification(3, CrAccessType.MovFromCr, EBX)
    expect(q).toBe(0x313)
    expect(decodeCrAccess(q)).toMatchObject({ cr: 3, accessType: 'MOV from CR', gpr: 'EBX' })
  })
  it('clts: CR 0, type 2', () => {
    expect(crAccessQualification(0, CrAccessType.Clts)).toBe(0x20)
  })
  it('lmsw with source 0x0001 from a register, and from memory (bit 6)', () => {
    expect(crAccessQualification(0, CrAccessType.Lmsw, 0, 1)).toBe(0x00010030)
    const q = crAccessQualification(0, CrAccessType.Lmsw, 0, 0xfff1, true)
    expect(q).toBe(0xfff10070)
    expect(decodeCrAccess(q)).toMatchObject({ accessType: 'LMSW', lmswOperand: 'memory', lmswSource: 0xfff1 })
  })
})

describe('MOV DR qualification (Table 28-4)', () => {
  it('mov dr7, ecx and mov eax, dr6', () => {
    expect(movDrQualification(7, false, ECX)).toBe(0x107)
    expect(movDrQualification(6, true, EAX)).toBe(0x16)
    expect(decodeMovDr(0x16)).toEqual({ dr: 6, direction: 'MOV from DR', gpr: 'EAX' })
  })
})

describe('task switch qualification (Table 28-2)', () => {
  it('jmp to TSS selector 0x28', () => {
    const q = taskSwitchQualification(0x28, TaskSwitchSource.Jmp)
    expect(q).toBe(0x80000028)
    expect(decodeTaskSwitch(q)).toEqual({ selector: 0x28, source: 'JMP' })
  })
})

describe('EPT violation qualification (Table 28-7)', () => {
  it('names the access, the permissions and the linear-address bits', () => {
    // A write by the guest to its own data (bit 1, bits 7 and 8) where EPT allows read and execute (bits 3, 5).
    expect(decodeEptViolation(0x1aa)).toEqual({
      read: false,
      write: true,
      fetch: false,
      readable: true,
      writable: false,
      executable: true,
      linearAddressValid: true,
      access: 'translation',
      nmiUnblockingDueToIret: false,
    })
    expect(decodeEptViolation(0x81).access).toBe('paging-structure')
    expect(decodeEptViolation(0x1).access).toBe('no linear address')
  })
})

describe('instruction information (Tables 28-9 to 28-14)', () => {
  it('lgdt [ebx+esi*4+0x10]: scale 2, 32-bit address, DS, index ESI, base EBX, 32-bit operand, LGDT', () => {
    const info = gdtrIdtrInfo(GdtrIdtrInsn.Lgdt, true, 2, AddrSize.Bits32, DS, ESI, EBX)
    // 2 | 1<<7 | 1<<11 | 3<<15 | 6<<18 | 3<<23 | 2<<28
    expect(info).toBe(0x21998882)
    expect(decodeGdtrIdtrInfo(info)).toEqual({
      scale: 4,
      addressSize: 32,
      segment: 'DS',
      index: 'ESI',
      base: 'EBX',
      instruction: 'LGDT',
      operandSize: 32,
    })
  })

  it('sidt [eax]: no index register (bit 22), SIDT', () => {
    // 1<<7 | 1<<11 | 3<<15 | 1<<22 | 0<<23 | 1<<28
    expect(gdtrIdtrInfo(GdtrIdtrInsn.Sidt, true, 0, AddrSize.Bits32, DS, NONE, EAX)).toBe(0x10418880)
  })

  it('lldt ax and str ecx: register operands (bit 10, register in bits 6:3)', () => {
    expect(ldtrTrInfoReg(LdtrTrInsn.Lldt, EAX)).toBe(0x20000400)
    const info = ldtrTrInfoReg(LdtrTrInsn.Str, ECX)
    expect(info).toBe(0x10000408)
    expect(decodeLdtrTrInfo(info)).toEqual({ instruction: 'STR', operand: { register: 'ECX' } })
  })

  it('ltr [0x1000]: a memory operand with neither base nor index', () => {
    const info = ldtrTrInfoMem(LdtrTrInsn.Ltr, 0, AddrSize.Bits32, DS, NONE, NONE)
    expect(info).toBe(0x38418080) // 1<<7 | 3<<15 | 1<<22 | 1<<27 | 3<<28
    expect(decodeLdtrTrInfo(info).operand).toEqual({
      memory: { scale: 1, addressSize: 32, segment: 'DS', index: null, base: null },
    })
  })

  it('VMX instructions: vmptrld [ebx] and vmread eax, ecx', () => {
    expect(vmxInsnInfoMem(0, AddrSize.Bits32, DS, NONE, EBX)).toBe(0x01c18080) // 1<<7 | 3<<15 | 1<<22 | 3<<23
    const info = vmreadVmwriteInfoReg(EAX, ECX)
    expect(info).toBe(0x10000400)
    expect(decodeVmreadVmwriteInfo(info)).toEqual({ operand: { register: 'EAX' }, reg2: 'ECX' })
  })

  it('outsb from DS:ESI with 32-bit addressing', () => {
    expect(insOutsInfo(AddrSize.Bits32, DS)).toBe(0x18080)
  })
})

describe('VM-exit instruction length (§28.2.5)', () => {
  it('is defined for instruction exits and undefined for events', () => {
    expect(instructionLengthDefined(10, 0, 0, 0)).toBe(true) // CPUID
    expect(instructionLengthDefined(30, 0, 0, 0)).toBe(true) // I/O
    expect(instructionLengthDefined(46, 0, 0, 0)).toBe(true) // LGDT etc.
    expect(instructionLengthDefined(1, 0, 0x80000020, 0)).toBe(false) // external interrupt
    expect(instructionLengthDefined(7, 0, 0, 0)).toBe(false) // interrupt window
    expect(instructionLengthDefined(48, 0x181, 0, 0)).toBe(false) // EPT violation of an ordinary access
  })

  it('is defined for INT3/INTO/INT1 exceptions and for exits while delivering INT n', () => {
    expect(instructionLengthDefined(0, 0, 0x80000603, 0)).toBe(true) // #BP from INT3 (type 6)
    expect(instructionLengthDefined(0, 0, 0x80000501, 0)).toBe(true) // INT1 (type 5)
    expect(instructionLengthDefined(0, 0, 0x80000b0d, 0)).toBe(false) // #GP (type 3)
    expect(instructionLengthDefined(48, 0x181, 0, 0x80000480)).toBe(true) // EPT violation delivering INT 0x80
    expect(instructionLengthDefined(0, 0, 0x80000b0e, 0x80000020)).toBe(false) // #PF delivering an IRQ
  })

  it('is defined for task switches by CALL, IRET, JMP but not through an IDT task gate of a hardware event', () => {
    expect(instructionLengthDefined(9, 0x40000028, 0, 0)).toBe(true) // IRET
    expect(instructionLengthDefined(9, 0xc0000028, 0, 0x80000b08)).toBe(false) // task gate, #DF
    expect(instructionLengthDefined(9, 0xc0000028, 0, 0x80000480)).toBe(true) // task gate, INT n
  })
})

describe('decodeQualification', () => {
  it('dispatches on the basic exit reason', () => {
    expect(decodeQualification(30, 0x03f80000)).toMatchObject({ port: 0x3f8, direction: 'OUT' })
    expect(decodeQualification(28, 0x3)).toMatchObject({ cr: 3, accessType: 'MOV to CR' })
    expect(decodeQualification(14, 0xc0001000)).toEqual({ linearAddress: 0xc0001000 })
    expect(decodeQualification(46, 0xfffffff0)).toEqual({ displacement: -16 })
  })
})
