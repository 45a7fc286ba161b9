import { describe, expect, it } from 'vitest'
import { PAPER, measure, winners } from '../../bench/lib/adams-agesen'

describe('Adams & Agesen (ASPLOS 2006) in shape: software vs first-generation hardware virtualization', () => {
  const table = measure(100)

  it.each(Object.keys(PAPER) as (keyof typeof PAPER)[])('%s: the winner matches the paper', (micro) => {
    expect(winners(table)[micro], PAPER[micro].why).toBe(PAPER[micro].winner)
  })

  it("keeps the paper's other orderings: native is fastest except for `in`, where BT beats even native", () => {
    expect(table.syscall.native).toBeLessThan(table.syscall.software)
    expect(table.syscall.hardware).toBe(table.syscall.native)
    expect(table.in.software).toBeLessThan(table.in.native)
    expect(table.in.native).toBeLessThan(table.in.hardware)
    expect(table.ptemod.native).toBeLessThan(table.ptemod.software)
    expect(table.forkwait.native).toBeLessThan(table.forkwait.software)
    // BT's system call costs about 2,000 cycles more than native (§3.1).
    expect(table.syscall.software - table.syscall.native).toBeGreaterThan(1500)
    expect(table.syscall.software - table.syscall.native).toBeLessThan(2500)
  })
})
