import { describe, expect, it } from 'vitest'
import { FakeVms, recorderFor } from '../management-test-kit'
import { instantiateTopology } from '../topology'
import { HYPERV_COSTS } from './costs'
import { PowerShellShell, timeSpan } from './powershell'
import { HYPERV } from './topology'

function setup(running = true) {
  const t = instantiateTopology(HYPERV, 2)
  const vms = new FakeVms(['vm1', 'vm2'], running)
  const r = recorderFor(t, HYPERV_COSTS, vms.clock)
  return { vms, shell: new PowerShellShell(vms, r.rec, t), ...r }
}

describe('Hyper-V PowerShell (WMI → VMMS → VMWP → hypercalls)', () => {
  it("formats Get-VM as PowerShell's table", () => {
    const { shell, vms } = setup()
    vms.destroy(2)
    vms.clock.cycles = 61_500_000_000
    expect(shell.execute('Get-VM').output).toBe(
      '\n' +
        'Name State   CPUUsage(%) MemoryAssigned(M) Uptime           Status             Version\n' +
        '---- -----   ----------- ----------------- ------           ------             -------\n' +
        'vm1  Running 0           32                00:01:01.5000000 Operating normally 11.0\n' +
        'vm2  Off     0           0                 00:00:00         Operating normally 11.0\n' +
        '\n',
    )
  })

  it('starts a VM: VMMS spawns the worker process, which creates the partition and VP by hypercalls from the root kernel', () => {
    const { shell, vms, events, hops } = setup(false)
    expect(shell.execute('start-vm -name vm1')).toEqual({ output: '', exitCode: 0 })
    expect(vms.log).toEqual(['start 1'])
    expect(hops(events())).toEqual([
      'powershell>vmms',
      'vmms>vmwp@1',
      'vmwp@1>root-kernel',
      'root-kernel>hypervisor',
      'root-kernel>hypervisor',
      'root-kernel>hypervisor',
      'hypervisor>guest-kernel@1',
      'vmms>powershell',
    ])
  })

  it('stops, and reports errors as PowerShell does', () => {
    const { shell, vms } = setup()
    expect(shell.execute('Stop-VM vm2 -TurnOff').exitCode).toBe(0)
    expect(vms.log).toEqual(['destroy 2'])
    expect(shell.execute('Start-VM -Name vm1').output).toContain('failed to change state')
    expect(shell.execute('Get-VM -Name nosuch').output).toBe(
      'Get-VM : Hyper-V was unable to find a virtual machine with name "nosuch".\n',
    )
    expect(shell.execute('Start-VM').output).toContain('missing mandatory parameters: Name')
    expect(shell.execute('virsh list').output).toContain("The term 'virsh' is not recognized")
  })

  it('prints TimeSpans like .NET', () => {
    expect(timeSpan(0)).toBe('00:00:00')
    expect(timeSpan(3723.25)).toBe('01:02:03.2500000')
    expect(timeSpan(90061)).toBe('1.01:01:01')
  })
})
