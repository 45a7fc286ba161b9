/**
 * The runner with a hypervisor model (issue 7 item 9): `--arch`, `--platform`, `--vms`, `--manage`,
 * `--paging`, and the JSON a model adds — `exits` (by SDM basic reason, as strings), `exitNames`,
 * `exitsByHandler`, `cyclesByComponent`, `flows` and `management`.
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { UsageError, parseRunArgs } from './args'

const root = fileURLToPath(new URL('../..', import.meta.url))
const native = join(root, 'public/guests/ringos-native.elf')

function runner(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('runner --arch', () => {
  it('parses the model options and refuses them without an architecture', () => {
    const a = parseRunArgs([
      'run',
      '--image',
      'x',
      '--arch',
      'kvm',
      '--vms',
      '2',
      '--manage',
      'virsh list',
      '--manage',
      'virsh destroy vm2',
      '--paging',
      'ept',
      '--platform',
      'virtio',
      '--cost-profile',
      'vtx-2006',
      '--vhost',
    ])
    expect(a).toMatchObject({
      arch: 'kvm',
      vms: 2,
      manage: ['virsh list', 'virsh destroy vm2'],
      paging: 'ept',
      platform: 'virtio',
      costProfile: 'vtx-2006',
      vhost: true,
    })
    expect(parseRunArgs(['run', '--image', 'x']).arch).toBe('machine')
    expect(parseRunArgs(['run', '--image', 'x', '--arch', 'kvm']).vhost).toBe(false)
    expect(() => parseRunArgs(['run', '--image', 'x', '--vms', '2'])).toThrow(UsageError)
    expect(() => parseRunArgs(['run', '--image', 'x', '--vhost'])).toThrow(/need an architecture/)
    expect(() => parseRunArgs(['run', '--image', 'x', '--cost-profile', 'vtx-2006'])).toThrow(
      /need an architecture/,
    )
    expect(() => parseRunArgs(['run', '--image', 'x', '--arch', 'kvm', '--vms', '9'])).toThrow(/--vms/)
    expect(() => parseRunArgs(['run', '--image', 'x', '--arch', 'kvm', '--platform', 'ps2'])).toThrow(
      /--platform/,
    )
    expect(() => parseRunArgs(['run', '--image', 'x', '--arch', 'kvm', '--console', 'com1'])).toThrow(
      /--console/,
    )
  })

  it('runs ringos under KVM and reports the exits where the references say they are handled', () => {
    const r = runner([
      'run',
      '--arch',
      'kvm',
      '--image',
      native,
      '--input',
      'echo hi\\n',
      '--until-idle',
      '--json',
      '--manage',
      'virsh list',
    ])
    expect(r.status).toBe(0)
    const j = JSON.parse(r.stdout)
    expect(j).toMatchObject({ arch: 'kvm', stop: 'idle', cpl: 0 })
    expect(j.console).toMatch(/\$ echo hi\r\nhi\r\n\$ $/)
    expect(j.exitNames['30']).toBe('I/O instruction')
    expect(j.exitsByHandler['30'].qemu).toBeGreaterThan(0)
    expect(j.exits['30']).toBe(j.exitsByHandler['30'].qemu + (j.exitsByHandler['30'].kvm ?? 0))
    expect(j.cyclesByComponent.kvm).toBeGreaterThan(0)
    expect(j.cyclesByComponent.qemu).toBeGreaterThan(0)
    expect(j.flows['vm-exit']).toBeGreaterThan(0)
    expect(j.management).toMatch(/^ Id +Name +State\n-+\n 1 +vm1 +running\n/)
  })

  it('refuses a configuration the model cannot run, with one line on stderr and exit code 2', () => {
    const r = runner(['run', '--arch', 'kvm', '--vms', '4', '--mem-mib', '3000', '--image', native])
    expect(r.status).toBe(2)
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1)
  })
})
