/**
 * ringos under `--arch vmx-null` (issue 5 item 8): the guest OS boots and runs its shell in VMX
 * non-root operation exactly as on bare metal — the same console output, the same instruction count
 * and the same virtual time — while its port I/O, HLT, RDTSC, CR3 loads, CPUID and MMIO exit to the
 * null monitor and its device interrupts come back as injected events. The expected values are the
 * bare-metal runner's, not the monitor's.
 */
import { describe, expect, it } from 'vitest'
import { runGuest } from '../guest/runner'

/** The shell session of test/guest/ringos.test.ts (every command, the timing ones included). */
const SESSION = [
  'echo hi there',
  'ps',
  'cat motd',
  'ls',
  'cpuinfo',
  'uptime',
  'bench cpu',
  'bench syscall',
  'bench io',
  'forkwait 10',
  'ptemod 1000',
  'popf',
  'sgdt',
  'fault',
  'echo still here',
  'nosuch',
]

interface VmxResult {
  readonly exits: Readonly<Record<string, number>>
  readonly exitNames: Readonly<Record<string, string>>
}

describe('ringos in VMX non-root operation under the null monitor', () => {
  it.each([
    ['native', SESSION],
    ['virtio', ['echo hi there', 'cat motd', 'ls', 'cpuinfo', 'sgdt', 'fault']],
  ])(
    'ringos-%s.elf: the same session as on bare metal',
    async (platform, commands) => {
      const image = `ringos-${platform}.elf`
      const input = commands.join('\n') + '\n'
      const [bare, vmx] = await Promise.all([
        runGuest(image, input),
        runGuest(image, input, ['--arch', 'vmx-null']),
      ])
      expect(vmx.console).toBe(bare.console)
      expect([vmx.stop, vmx.instructions, vmx.cycles, vmx.faults]).toEqual([
        bare.stop,
        bare.instructions,
        bare.cycles,
        bare.faults,
      ])
      const { exits, exitNames } = vmx as typeof vmx & VmxResult
      // Every port access exits (unconditional I/O exiting), and so does every HLT; device interrupts
      // arrive as external-interrupt exits and are injected.
      expect(exits['12']).toBe(bare.events.halt)
      expect(vmx.events.injection).toBe(bare.events.interrupt)
      expect(exits['28']).toBeGreaterThan(0) // CR3 loads: ringos switches address spaces
      expect(exits['10']).toBeGreaterThan(0) // cpuinfo's CPUID
      if (platform === 'virtio')
        expect(exits['49']).toBe(bare.events.mmio) // every virtio-mmio access: EPT misconfiguration
      else expect(exits['49']).toBeUndefined()
      expect(exitNames['30']).toBe('I/O instruction')
    },
    240_000,
  )
})
