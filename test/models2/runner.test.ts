/**
 * The headless runner with the classic-virtualization architectures: `--arch trap-emulate`,
 * `--arch vmware-bt` (whose JSON adds `bt`, the translation cache's statistics) and `--arch container`
 * (booting ringos-container.elf, which guests.json gives its own disk).
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { fields, runGuest, transcript, type RunResult } from '../guest/runner'

const INPUT = 'echo hi\\nps\\ncat motd\\nsgdt\\n'

interface ArchResult extends RunResult {
  readonly arch: string
  readonly cpl: number
  readonly flows: Readonly<Record<string, number>>
  readonly cyclesByComponent: Readonly<Record<string, number>>
  readonly bt?: { translations: number; hits: number; callouts: number; blocks: number }
}

describe('runner --arch trap-emulate | vmware-bt | container', () => {
  const r: Record<string, ArchResult> = {}
  beforeAll(async () => {
    const [te, bt, ctr] = await Promise.all([
      runGuest('ringos-native.elf', INPUT, ['--arch', 'trap-emulate']),
      runGuest('ringos-native.elf', INPUT, ['--arch', 'vmware-bt']),
      runGuest('ringos-container.elf', 'runc run -d db /bin/clockd\\nrunc run web\\nps\\n', [
        '--arch',
        'container',
      ]),
    ])
    r['trap-emulate'] = te as ArchResult
    r['vmware-bt'] = bt as ArchResult
    r.container = ctr as ArchResult
  }, 180_000)

  it.each(['trap-emulate', 'vmware-bt'])('%s boots ringos and runs the shell’s commands', (arch) => {
    const j = r[arch]!
    expect(j).toMatchObject({ arch, stop: 'idle' })
    const steps = transcript(j.console).steps
    expect(steps.map((s) => s.command)).toEqual(['echo hi', 'ps', 'cat motd', 'sgdt', ''])
    expect(steps[0]!.output).toBe('hi\n')
    expect(steps[2]!.output).toContain('Welcome to ringos')
    // MOV from CS shows the ring-1 kernel its real ring under trap-emulate; the translator shows ring 0.
    expect(fields(steps[3]!.output, 'sgdt:').kernel_cpl).toBe(arch === 'trap-emulate' ? '1' : '0')
    expect(j.flows['syscall']).toBeGreaterThan(10)
  })

  it('trap-emulate: every trap lands in the monitor', () => {
    expect(r['trap-emulate']!.cyclesByComponent['monitor']).toBeGreaterThan(0)
    expect(r['trap-emulate']!.bt).toBeUndefined()
  })

  it('vmware-bt: the JSON gains the translation cache’s statistics', () => {
    const bt = r['vmware-bt']!.bt!
    expect(bt.translations).toBeGreaterThan(300)
    expect(bt.blocks).toBeLessThanOrEqual(bt.translations)
    expect(bt.hits).toBeGreaterThan(bt.translations)
    expect(bt.callouts).toBeGreaterThan(1000)
    expect(r['vmware-bt']!.cyclesByComponent['vmm']).toBeGreaterThan(0)
  })

  it('container: the containers’ ps shows only its own processes; no hypervisor is charged anything', () => {
    const j = r.container!
    expect(j).toMatchObject({ arch: 'container', stop: 'idle' })
    const ps = transcript(j.console).steps.find((s) => s.command === 'ps')!.output
    expect(
      ps
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.trim().split(/\s+/).pop()),
    ).toEqual(['sh', 'ps'])
    expect(Object.keys(j.cyclesByComponent).every((c) => !['monitor', 'vmm', 'kvm', 'xen'].includes(c))).toBe(
      true,
    )
    // Two `runc run`: four creation steps each, and runc's other system calls, all management flows.
    expect(j.flows['management']).toBeGreaterThan(8)
  })
})
