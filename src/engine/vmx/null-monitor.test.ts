import { describe, expect, it } from 'vitest'
import { MsrBitmapOffset, PROC_USE_MSR_BITMAPS, msrExits } from './controls'
import { NullMonitor } from './null-monitor'

describe('null monitor VMCS', () => {
  it('uses an MSR bitmap in which every RDMSR and WRMSR exits, in host memory the guest cannot reach', () => {
    const m = new NullMonitor({ memMiB: 4 })
    const v = m.vmcs
    expect(v.procControls & PROC_USE_MSR_BITMAPS).toBe(PROC_USE_MSR_BITMAPS)
    const base = v.msrBitmap
    expect(base % 0x1000).toBe(0) // SDM Vol. 3C §27.2.1.1: a 4 KiB-aligned physical address
    expect(base).toBeGreaterThanOrEqual(4 << 20) // above guest RAM, which is all EPT maps
    expect(base + 0x1000).toBeLessThanOrEqual(m.host.size)
    // All four 1 KiB quarters (read/write × low/high MSRs, §25.6.9) are ones.
    for (const q of Object.values(MsrBitmapOffset)) {
      expect(m.host.u8.subarray(base + q, base + q + 1024).every((b) => b === 0xff)).toBe(true)
    }
    // IA32_TIME_STAMP_COUNTER, IA32_SYSENTER_EIP, the last low MSR, IA32_EFER, and one outside both ranges.
    for (const msr of [0x10, 0x176, 0x1fff, 0xc0000080, 0x40000000]) {
      expect(msrExits(v, m.host, msr, false)).toBe(true)
      expect(msrExits(v, m.host, msr, true)).toBe(true)
    }
  })
})
