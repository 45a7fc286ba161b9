import { describe, expect, it } from 'vitest'
import { FakeVms, recorderFor } from '../management-test-kit'
import { instantiateTopology } from '../topology'
import { ESXI_COSTS } from './costs'
import { ESXI } from './topology'
import { ESXI_VIM_CMD, EsxShell } from './vim-cmd'

function setup(running = true) {
  const t = instantiateTopology(ESXI, 2)
  const vms = new FakeVms(['vm1', 'vm2'], running)
  const r = recorderFor(t, ESXI_COSTS, vms.clock)
  return { vms, shell: new EsxShell(vms, r.rec, t, ESXI_VIM_CMD), ...r }
}

describe('ESXi shell (vim-cmd, esxcli through hostd)', () => {
  it('lists all VMs with vim-cmd vmsvc/getallvms', () => {
    const out = setup().shell.execute('vim-cmd vmsvc/getallvms').output.split('\n')
    expect(out[0]).toMatch(/^Vmid +Name +File +Guest OS +Version +Annotation$/)
    expect(out[1]).toMatch(/^1 +vm1 +\[datastore1\] vm1\/vm1\.vmx +otherGuest +vmx-19$/)
  })

  it('powers a VM on through hostd, a VMX user world and VMM worlds in the VMkernel — no management OS on the path', () => {
    const { shell, vms, events, hops } = setup(false)
    expect(shell.execute('vim-cmd vmsvc/power.on 2')).toEqual({ output: 'Powering on VM:\n', exitCode: 0 })
    expect(vms.log).toEqual(['start 2'])
    expect(hops(events())).toEqual([
      'vim-cmd>hostd',
      'hostd>vmkernel',
      'hostd>vmx@2',
      'vmx@2>vmkernel',
      'vmkernel>vmm@2',
      'vmm@2>guest-kernel@2',
      'hostd>vim-cmd',
    ])
    expect(shell.execute('vim-cmd vmsvc/power.getstate 2').output).toBe(
      'Retrieved runtime info\nPowered on\n',
    )
  })

  it('powers off, refuses invalid power states and unknown VMs, and lists running VM processes', () => {
    const { shell, vms } = setup()
    expect(shell.execute('vim-cmd vmsvc/power.on 1').output).toContain('InvalidPowerState')
    expect(shell.execute('vim-cmd vmsvc/power.off 1').output).toBe('Powering off VM:\n')
    expect(vms.log).toEqual(['destroy 1'])
    expect(shell.execute('vim-cmd vmsvc/power.off 9').output).toBe(
      'Unable to find a VM corresponding to "9"\n',
    )
    const ps = shell.execute('esxcli vm process list').output
    expect(ps).toMatch(/^vm2\n {3}World ID: \d+\n/)
    expect(ps).not.toContain('vm1')
    expect(shell.execute('esxcli vm process kill').exitCode).toBe(1)
  })
})
