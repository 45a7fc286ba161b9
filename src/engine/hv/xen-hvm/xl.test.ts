import { describe, expect, it } from 'vitest'
import { FakeVms, recorderFor } from '../management-test-kit'
import { instantiateTopology } from '../topology'
import { XEN_PV } from '../xen-pv/topology'
import { XEN_HVM_COSTS } from './costs'
import { XEN_HVM } from './topology'
import { XlShell } from './xl'

function setup(variant: 'hvm' | 'pv', running = true) {
  const t = instantiateTopology(variant === 'hvm' ? XEN_HVM : XEN_PV, 2)
  const vms = new FakeVms(['vm1', 'vm2'], running)
  const r = recorderFor(t, XEN_HVM_COSTS, vms.clock)
  return { vms, shell: new XlShell(vms, r.rec, t, variant), ...r }
}

describe('xl (Xen toolstack in Dom0)', () => {
  it("lists Domain-0 and the running domains in xl's fixed-width format", () => {
    const { shell } = setup('hvm')
    const lines = shell.execute('xl list').output.split('\n')
    expect(lines[0]).toBe('Name                                        ID   Mem VCPUs\tState\tTime(s)')
    expect(lines[1]).toBe('Domain-0                                     0  1024     1     r-----       0.0')
    expect(lines[2]).toBe('vm1                                          1    32     1     r-----       0.0')
    expect(lines[3]).toMatch(/^vm2 +2 +32 +1 +r----- +0\.0$/)
  })

  it('creates an HVM domain through libxl/libxc domctls, xenstore and a QEMU device model in Dom0', () => {
    const { shell, vms, events, hops } = setup('hvm', false)
    expect(shell.execute('xl create /etc/xen/vm2.cfg')).toEqual({
      output: 'Parsing config from /etc/xen/vm2.cfg\n',
      exitCode: 0,
    })
    expect(vms.log).toEqual(['start 2'])
    const h = hops(events())
    expect(h.filter((x) => x === 'dom0-kernel>xen')).toHaveLength(4)
    expect(h).toContain('xl>dom0-qemu@2')
    expect(h.at(-1)).toBe('xen>guest-kernel@2')
    expect(shell.execute('xl list').output).toMatch(/\nvm2 +1 /)
  })

  it('creates a PV domain without a device model: the backends attach through xenstore', () => {
    const { shell, events, hops } = setup('pv', false)
    shell.execute('xl create vm1')
    const h = hops(events())
    expect(h.some((x) => x.includes('qemu'))).toBe(false)
    expect(h).toContain('xenstored>dom0-kernel')
    expect(h.at(-1)).toBe('xen>domU-kernel@1')
  })

  it('destroys by name or id; ids are not reused', () => {
    const { shell, vms } = setup('hvm')
    expect(shell.execute('xl destroy 1')).toEqual({ output: '', exitCode: 0 })
    expect(vms.log).toEqual(['destroy 1'])
    expect(shell.execute('xl destroy vm1').output).toBe('vm1 is an invalid domain identifier (rc=-6)\n')
    shell.execute('xl create vm1.cfg')
    expect(shell.execute('xl list').output).toMatch(/\nvm1 +3 /)
    expect(shell.execute('xl create vm1.cfg').output).toContain('already exists')
    expect(shell.execute('xl create nosuch.cfg').output).toContain('No such file or directory')
    expect(shell.execute('xl console vm2')).toMatchObject({ attachConsole: 2 })
  })
})
