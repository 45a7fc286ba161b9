import { describe, expect, it } from 'vitest'
import { PhysicalMemory } from '../machine/memory'
import {
  Msr,
  PIN_EXT_INTR_EXITING,
  PROC_ACTIVATE_SECONDARY,
  PROC_CR3_LOAD_EXITING,
  PROC_HLT_EXITING,
  PROC_INTR_WINDOW_EXITING,
  PROC_UNCOND_IO_EXITING,
  PROC_USE_IO_BITMAPS,
  PROC_USE_MSR_BITMAPS,
  PROC_USE_TSC_OFFSETTING,
  PROC2_DESC_TABLE_EXITING,
  PROC2_WBINVD_EXITING,
  VMX_CAPABILITY_MSRS,
  VMX_CAPS,
  VMX_TRUE_CAPS,
  adjustControls,
  cltsExits,
  controlsAllowed,
  cr0AfterClts,
  cr0AfterLmsw,
  cr0AfterMov,
  cr4AfterMov,
  descriptorTableExits,
  exceptionExits,
  externalInterruptExits,
  guestReadCr0,
  guestReadCr4,
  guestTsc,
  hltExits,
  interruptWindowExitDue,
  ioExits,
  lmswExits,
  movToCr0Exits,
  movToCr3Exits,
  movToCr4Exits,
  msrExits,
  wbinvdExits,
} from './controls'
import { Vmcs } from './vmcs'
import { VmcsField as F } from './vmcs-fields'

const IO_A = 0x1000
const IO_B = 0x2000
const MSRS = 0x3000

function setup(proc: number): { v: Vmcs; mem: PhysicalMemory } {
  const v = new Vmcs()
  v.vmwrite(F.CPU_BASED_VM_EXEC_CONTROL, proc)
  v.vmwrite(F.IO_BITMAP_A, IO_A)
  v.vmwrite(F.IO_BITMAP_B, IO_B)
  v.vmwrite(F.MSR_BITMAP, MSRS)
  return { v, mem: new PhysicalMemory(0x10000) }
}

function setBit(mem: PhysicalMemory, byteAddr: number, bit: number): void {
  mem.write8(byteAddr, mem.read8(byteAddr) | (1 << bit))
}

describe('I/O instructions (§26.1.3, §25.6.4)', () => {
  it('exit only under "unconditional I/O exiting" when there are no I/O bitmaps', () => {
    expect(ioExits(setup(0).v, setup(0).mem, 0x3f8, 1)).toBe(false)
    const { v, mem } = setup(PROC_UNCOND_IO_EXITING)
    expect(ioExits(v, mem, 0x3f8, 1)).toBe(true)
    expect(ioExits(v, mem, 0x80, 4)).toBe(true)
  })

  it('consult bitmap A for ports 0000–7FFF and B for 8000–FFFF, ignoring the unconditional control', () => {
    const { v, mem } = setup(PROC_USE_IO_BITMAPS | PROC_UNCOND_IO_EXITING)
    setBit(mem, IO_A + 0x7f, 0) // port 0x3F8: byte 0x3F8/8 = 0x7F, bit 0x3F8%8 = 0
    setBit(mem, IO_B + 0x000, 0) // port 0x8000: first bit of B
    setBit(mem, IO_B + 0xfff, 7) // port 0xFFFF: last bit of B
    setBit(mem, IO_A + 0xfff, 7) // port 0x7FFF: last bit of A
    expect(ioExits(v, mem, 0x3f8, 1)).toBe(true)
    expect(ioExits(v, mem, 0x3f9, 1)).toBe(false)
    expect(ioExits(v, mem, 0x3f7, 2)).toBe(true) // a word at 0x3F7 touches 0x3F8
    expect(ioExits(v, mem, 0x3f4, 4)).toBe(false) // 0x3F4–0x3F7
    expect(ioExits(v, mem, 0x8000, 1)).toBe(true)
    expect(ioExits(v, mem, 0x7fff, 1)).toBe(true)
    expect(ioExits(v, mem, 0x7ffe, 1)).toBe(false)
    expect(ioExits(v, mem, 0xffff, 1)).toBe(true)
    expect(ioExits(v, mem, 0x0000, 1)).toBe(false)
  })

  it('exit when an access wraps past port FFFF', () => {
    const { v, mem } = setup(PROC_USE_IO_BITMAPS)
    expect(ioExits(v, mem, 0xfffe, 2)).toBe(false)
    expect(ioExits(v, mem, 0xfffe, 4)).toBe(true)
  })
})

describe('RDMSR/WRMSR (§26.1.3, §25.6.9)', () => {
  it('always exit without MSR bitmaps', () => {
    const { v, mem } = setup(0)
    expect(msrExits(v, mem, 0x10, false)).toBe(true)
    expect(msrExits(v, mem, 0xc0000080, true)).toBe(true)
  })

  it('read the four 1-KByte bitmaps at offsets 0, 1024, 2048, 3072', () => {
    const { v, mem } = setup(PROC_USE_MSR_BITMAPS)
    setBit(mem, MSRS + 0 + (0x10 >> 3), 0x10 & 7) // read-low: IA32_TIME_STAMP_COUNTER 0x10
    setBit(mem, MSRS + 2048 + (0x174 >> 3), 0x174 & 7) // write-low: IA32_SYSENTER_CS 0x174
    setBit(mem, MSRS + 1024 + (0x80 >> 3), 0x80 & 7) // read-high: IA32_EFER 0xC0000080
    setBit(mem, MSRS + 3072 + (0x1fff >> 3), 0x1fff & 7) // write-high: 0xC0001FFF, the last one
    expect(msrExits(v, mem, 0x10, false)).toBe(true)
    expect(msrExits(v, mem, 0x10, true)).toBe(false)
    expect(msrExits(v, mem, 0x174, true)).toBe(true)
    expect(msrExits(v, mem, 0x174, false)).toBe(false)
    expect(msrExits(v, mem, 0xc0000080, false)).toBe(true)
    expect(msrExits(v, mem, 0xc0000080, true)).toBe(false)
    expect(msrExits(v, mem, 0x80, false)).toBe(false) // same bit number, low range: a different bitmap
    expect(msrExits(v, mem, 0xc0001fff, true)).toBe(true)
    expect(msrExits(v, mem, 0x1fff, true)).toBe(false)
  })

  it('exit for every MSR outside 0–1FFF and C0000000–C0001FFF', () => {
    const { v, mem } = setup(PROC_USE_MSR_BITMAPS)
    expect(msrExits(v, mem, 0x2000, false)).toBe(true)
    expect(msrExits(v, mem, 0x40000000, true)).toBe(true) // hypervisor range (e.g. Hyper-V MSRs)
    expect(msrExits(v, mem, 0xc0002000, false)).toBe(true)
    expect(msrExits(v, mem, 0x1fff, false)).toBe(false)
  })
})

describe('control registers (§26.1.3 exits, §26.3 behaviour without exit)', () => {
  // A hypervisor owning PE, NE, PG (as KVM does without unrestricted guest) and showing the guest
  // its own view: PE = 1, PG = 1, NE = 0.
  const OWN = 0x80000021
  const SHADOW = 0x80000001
  function crVmcs(): Vmcs {
    const v = new Vmcs()
    v.vmwrite(F.CR0_GUEST_HOST_MASK, OWN)
    v.vmwrite(F.CR0_READ_SHADOW, SHADOW)
    v.vmwrite(F.CR4_GUEST_HOST_MASK, 0x2000) // VMXE
    v.vmwrite(F.CR4_READ_SHADOW, 0)
    return v
  }

  it('MOV from CR0/CR4 returns the read shadow for host-owned bits', () => {
    const v = crVmcs()
    // Real CR0 = PG NE ET PE = 0x80000031; the guest sees NE from the shadow (0): 0x80000011.
    expect(guestReadCr0(v, 0x80000031)).toBe(0x80000011)
    // Real CR4 = VMXE | PSE; the guest does not see VMXE.
    expect(guestReadCr4(v, 0x2010)).toBe(0x10)
  })

  it('MOV to CR0 exits only when a host-owned bit would differ from the shadow', () => {
    const v = crVmcs()
    expect(movToCr0Exits(v, 0x80000011)).toBe(false) // PE, NE, PG equal the shadow
    expect(movToCr0Exits(v, 0x80000019)).toBe(false) // TS (bit 3) is guest-owned
    expect(movToCr0Exits(v, 0x00000011)).toBe(true) // clears PG
    expect(movToCr0Exits(v, 0x80000031)).toBe(true) // sets NE, which the shadow says is 0
  })

  it('a non-exiting MOV to CR0/CR4 changes only guest-owned bits', () => {
    const v = crVmcs()
    expect(cr0AfterMov(v, 0x80000031, 0x80000019)).toBe(0x80000039) // TS set, NE kept
    expect(cr4AfterMov(v, 0x2000, 0x10)).toBe(0x2010) // PSE set, VMXE kept
    expect(movToCr4Exits(v, 0x10)).toBe(false)
    expect(movToCr4Exits(v, 0x2010)).toBe(true)
  })

  it('CLTS exits iff TS is host-owned and set in the shadow; otherwise clears TS unless host-owned', () => {
    const v = crVmcs()
    expect(cltsExits(v)).toBe(false)
    expect(cr0AfterClts(v, 0x80000039)).toBe(0x80000031)
    v.vmwrite(F.CR0_GUEST_HOST_MASK, OWN | 8)
    expect(cltsExits(v)).toBe(false) // shadow TS = 0
    expect(cr0AfterClts(v, 0x80000039)).toBe(0x80000039) // host-owned TS is not modified
    v.vmwrite(F.CR0_READ_SHADOW, SHADOW | 8)
    expect(cltsExits(v)).toBe(true)
  })

  it('LMSW exits for MP/EM/TS changes against the shadow, and for setting a host-owned PE that the shadow has clear', () => {
    const v = new Vmcs()
    v.vmwrite(F.CR0_GUEST_HOST_MASK, 0x9) // owns PE and TS
    v.vmwrite(F.CR0_READ_SHADOW, 0x0)
    expect(lmswExits(v, 0x1)).toBe(true) // PE owned, shadow 0, source 1
    expect(lmswExits(v, 0x8)).toBe(true) // TS differs from the shadow
    expect(lmswExits(v, 0x6)).toBe(false) // MP and EM are guest-owned
    expect(cr0AfterLmsw(v, 0x80000011, 0x6)).toBe(0x80000017) // MP, EM loaded; PE and TS untouched
    v.vmwrite(F.CR0_READ_SHADOW, 0x1) // shadow PE = 1: LMSW cannot clear PE anyway, so no exit
    expect(lmswExits(v, 0x0)).toBe(false)
    const g = new Vmcs() // nothing owned: LMSW can set PE but never clear it
    expect(cr0AfterLmsw(g, 0x11, 0x0)).toBe(0x11)
    expect(cr0AfterLmsw(g, 0x10, 0xf)).toBe(0x1f)
  })

  it('MOV to CR3 exits under CR3-load exiting unless the value is one of the first CR3_TARGET_COUNT targets', () => {
    const v = new Vmcs()
    expect(movToCr3Exits(v, 0x1000)).toBe(false)
    v.vmwrite(F.CPU_BASED_VM_EXEC_CONTROL, PROC_CR3_LOAD_EXITING)
    expect(movToCr3Exits(v, 0x1000)).toBe(true) // count 0: every load exits
    v.vmwrite(F.CR3_TARGET_VALUE0, 0x1000)
    v.vmwrite(F.CR3_TARGET_VALUE1, 0x2000)
    v.vmwrite(F.CR3_TARGET_VALUE2, 0x3000)
    v.vmwrite(F.CR3_TARGET_COUNT, 2)
    expect(movToCr3Exits(v, 0x1000)).toBe(false)
    expect(movToCr3Exits(v, 0x2000)).toBe(false)
    expect(movToCr3Exits(v, 0x3000)).toBe(true) // target 2 is beyond the count
  })
})

describe('exception bitmap and #PF error-code mask/match (§26.2, §25.6.3)', () => {
  function exc(bitmap: number, mask: number, match: number): Vmcs {
    const v = new Vmcs()
    v.vmwrite(F.EXCEPTION_BITMAP, bitmap)
    v.vmwrite(F.PAGE_FAULT_ERROR_CODE_MASK, mask)
    v.vmwrite(F.PAGE_FAULT_ERROR_CODE_MATCH, match)
    return v
  }

  it('uses the vector bit for exceptions other than #PF', () => {
    const v = exc(1 << 6, 0, 0)
    expect(exceptionExits(v, 6, 0)).toBe(true)
    expect(exceptionExits(v, 13, 0)).toBe(false)
  })

  it('bit 14 with mask = match = 0 makes every #PF exit (shadow paging)', () => {
    const v = exc(1 << 14, 0, 0)
    expect(exceptionExits(v, 14, 0)).toBe(true)
    expect(exceptionExits(v, 14, 7)).toBe(true)
  })

  it('bit 14 = 1 with mask P, match P: only protection violations exit', () => {
    const v = exc(1 << 14, 1, 1)
    expect(exceptionExits(v, 14, 0x3)).toBe(true) // present, write
    expect(exceptionExits(v, 14, 0x2)).toBe(false) // not present: no match, complement of bit 14
  })

  it('bit 14 = 0 inverts the sense: non-matching #PFs exit', () => {
    const v = exc(0, 1, 1)
    expect(exceptionExits(v, 14, 0x3)).toBe(false)
    expect(exceptionExits(v, 14, 0x2)).toBe(true)
  })
})

describe('instructions and events decided by a single control', () => {
  it('HLT, external interrupts, WBINVD and descriptor-table instructions', () => {
    const v = new Vmcs()
    expect(hltExits(v)).toBe(false)
    v.vmwrite(F.CPU_BASED_VM_EXEC_CONTROL, PROC_HLT_EXITING)
    expect(hltExits(v)).toBe(true)
    v.vmwrite(F.PIN_BASED_VM_EXEC_CONTROL, PIN_EXT_INTR_EXITING)
    expect(externalInterruptExits(v)).toBe(true)
    v.vmwrite(F.SECONDARY_VM_EXEC_CONTROL, PROC2_WBINVD_EXITING | PROC2_DESC_TABLE_EXITING)
    expect(wbinvdExits(v)).toBe(false) // secondary controls not activated
    v.vmwrite(F.CPU_BASED_VM_EXEC_CONTROL, PROC_HLT_EXITING | PROC_ACTIVATE_SECONDARY)
    expect(wbinvdExits(v)).toBe(true)
    expect(descriptorTableExits(v)).toBe(true)
  })

  it('the interrupt window opens when IF = 1 and there is no STI/MOV-SS blocking', () => {
    const v = new Vmcs()
    expect(interruptWindowExitDue(v, true, false)).toBe(false)
    v.vmwrite(F.CPU_BASED_VM_EXEC_CONTROL, PROC_INTR_WINDOW_EXITING)
    expect(interruptWindowExitDue(v, true, false)).toBe(true)
    expect(interruptWindowExitDue(v, false, false)).toBe(false)
    expect(interruptWindowExitDue(v, true, true)).toBe(false)
  })
})

describe('RDTSC with TSC offsetting (§25.6.5)', () => {
  it('adds the signed 64-bit offset modulo 2^64, only when offsetting is on', () => {
    const v = new Vmcs()
    v.vmwrite(F.TSC_OFFSET, 0xfffffc18) // −1000
    v.vmwrite(F.TSC_OFFSET | 1, 0xffffffff)
    const out = new Uint32Array(2)
    guestTsc(v, 5000, out)
    expect([...out]).toEqual([5000, 0])
    v.vmwrite(F.CPU_BASED_VM_EXEC_CONTROL, PROC_USE_TSC_OFFSETTING)
    guestTsc(v, 5000, out)
    expect([...out]).toEqual([4000, 0])
    guestTsc(v, 999, out) // 999 − 1000 = −1 = FFFFFFFF_FFFFFFFF
    expect([...out]).toEqual([0xffffffff, 0xffffffff])
    v.vmwrite(F.TSC_OFFSET, 0xffffffff)
    v.vmwrite(F.TSC_OFFSET | 1, 0)
    guestTsc(v, 2 ** 32 + 5, out) // 1_00000005 + FFFFFFFF = 2_00000004
    expect([...out]).toEqual([4, 2])
  })
})

describe('capabilities (Appendix A)', () => {
  it('report the default1 settings Linux knows as *_ALWAYSON_WITHOUT_TRUE_MSR', () => {
    expect(VMX_CAPABILITY_MSRS.get(Msr.IA32_VMX_PINBASED_CTLS)?.[0]).toBe(0x00000016)
    expect(VMX_CAPABILITY_MSRS.get(Msr.IA32_VMX_PROCBASED_CTLS)?.[0]).toBe(0x0401e172)
    expect(VMX_CAPABILITY_MSRS.get(Msr.IA32_VMX_EXIT_CTLS)?.[0]).toBe(0x00036dff)
    expect(VMX_CAPABILITY_MSRS.get(Msr.IA32_VMX_ENTRY_CTLS)?.[0]).toBe(0x000011ff)
  })

  it('never require a control they forbid, and the TRUE MSRs only relax the others', () => {
    for (const key of ['pin', 'proc', 'proc2', 'exit', 'entry'] as const) {
      const c = VMX_CAPS[key]
      const t = VMX_TRUE_CAPS[key]
      expect((c.allowed0 & ~c.allowed1) >>> 0).toBe(0)
      expect((t.allowed0 & ~c.allowed0) >>> 0).toBe(0)
    }
    // The TRUE procbased MSR lets CR3-load/store exiting be 0 (what KVM and Xen need with EPT).
    expect(
      controlsAllowed(
        adjustControls(PROC_HLT_EXITING, VMX_TRUE_CAPS.proc) & ~PROC_CR3_LOAD_EXITING,
        VMX_TRUE_CAPS.proc,
      ),
    ).toBe(true)
    expect(controlsAllowed(VMX_CAPS.proc.allowed0 & ~PROC_CR3_LOAD_EXITING, VMX_CAPS.proc)).toBe(false)
  })

  it('describe an IA-32 processor: 32-bit VMX addresses, no 64-bit host, four CR3 targets, HLT activity', () => {
    const basicHi = VMX_CAPABILITY_MSRS.get(Msr.IA32_VMX_BASIC)?.[1] ?? 0
    expect(basicHi & 0x1fff).toBe(4096) // bits 44:32 VMCS region size
    expect((basicHi >>> 16) & 1).toBe(1) // bit 48
    expect((basicHi >>> 18) & 0xf).toBe(6) // bits 53:50 write-back
    expect((basicHi >>> 23) & 1).toBe(1) // bit 55 TRUE controls
    expect((VMX_CAPS.exit.allowed1 >>> 9) & 1).toBe(0) // host address-space size
    const misc = VMX_CAPABILITY_MSRS.get(Msr.IA32_VMX_MISC)?.[0] ?? 0
    expect((misc >>> 16) & 0x1ff).toBe(4)
    expect((misc >>> 6) & 1).toBe(1)
  })

  it('adjust desired controls the way adjust_vmx_controls() does', () => {
    const pin = adjustControls(PIN_EXT_INTR_EXITING | (1 << 7), VMX_CAPS.pin) // posted interrupts: unsupported
    expect(pin).toBe(0x17)
    expect(controlsAllowed(pin, VMX_CAPS.pin)).toBe(true)
  })
})
