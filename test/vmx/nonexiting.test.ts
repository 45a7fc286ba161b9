/**
 * Instruction behaviour that VMX non-root operation changes without an exit (SDM Vol. 3C §26.3), what
 * a monitor may show through CPUID, GETSEC and XSETBV, whose #UD comes before their unconditional
 * exit (§26.1.1), and RDPMC, which never exits: nonexiting.asm checks each effect from inside the guest.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { defaultLeaf } from '../../src/engine/cpu/cpuid'
import { PROC_RDTSC_EXITING, PROC_USE_TSC_OFFSETTING } from '../../src/engine/vmx/controls'
import { VmcsField as F } from '../../src/engine/vmx/vmcs-fields'
import { VmxGuest, cleanUp, haveNasm } from './harness'

afterAll(cleanUp)

const str4 = (s: string): number =>
  s.charCodeAt(0) | (s.charCodeAt(1) << 8) | (s.charCodeAt(2) << 16) | (s.charCodeAt(3) << 24)

describe.skipIf(!haveNasm)(
  'non-exiting changes in VMX non-root operation (needs nasm, Debian package nasm)',
  () => {
    it('read shadows, host-owned CR0.TS, the TSC offset, CPUID as the monitor chooses, #UD for GETSEC and XSETBV', () => {
      const g = new VmxGuest('nonexiting')
      const { m } = g
      const v = m.vmcs
      const cpu = m.cpu
      v.write(
        F.CPU_BASED_VM_EXEC_CONTROL,
        ((v.procControls & ~PROC_RDTSC_EXITING) | PROC_USE_TSC_OFFSETTING) >>> 0,
      )
      v.write64(F.TSC_OFFSET, 0, 1)
      const reasons: number[] = []
      const r = g.run((e) => {
        reasons.push(e.reason)
        if (e.reason !== 18) return false
        if (cpu.r[0] === 0) {
          v.write(F.CR0_GUEST_HOST_MASK, v.cr0Mask | 0x8)
          v.write(F.CR0_READ_SHADOW, v.cr0Shadow & ~0x8)
          v.write(F.GUEST_CR0, v.read(F.GUEST_CR0) | 0x8)
        } else {
          const leaf1 = defaultLeaf(1)
          cpu.cpuidOverrides.set(1, [leaf1[0], leaf1[1], (leaf1[2] | (1 << 31)) >>> 0, leaf1[3]])
          cpu.cpuidOverrides.set(0x40000000, [0x40000000, str4('Ring'), str4('side'), str4('VMM ')])
        }
        m.vmx.skipInstruction()
        return true
      })
      expect({ stop: r.stop, console: r.console }).toEqual({ stop: 'debug-exit', console: 'ok\n' })
      // Neither MOV from CR0, SMSW, CLTS, MOV to CR0, RDTSC nor the #NMs exited; RDMSR and CPUID did.
      // GETSEC (11) and XSETBV (55) did not: their #UD comes first (SDM Vol. 3C §26.1.1); nor RDPMC (15).
      expect(reasons.filter((x) => x !== 30)).toEqual([18, 31, 10, 18, 10, 10])
    })
  },
)
