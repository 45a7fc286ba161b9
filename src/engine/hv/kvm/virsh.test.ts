import { describe, expect, it } from 'vitest'
import { EventKind, FlowKind } from '../../trace/schema'
import { KVM } from './topology'
import { KVM_COSTS } from './costs'
import { VirshShell } from './virsh'
import { instantiateTopology } from '../topology'
import { FakeVms, recorderFor } from '../management-test-kit'

function setup(running = true) {
  const t = instantiateTopology(KVM, 2)
  const vms = new FakeVms(['vm1', 'vm2'], running)
  const r = recorderFor(t, KVM_COSTS, vms.clock)
  return { vms, shell: new VirshShell(vms, r.rec, t), ...r }
}

describe('virsh (KVM management through libvirt)', () => {
  it('lists running domains like libvirt does', () => {
    const { shell, vms } = setup()
    vms.destroy(2)
    const out = shell.execute('virsh list').output
    expect(out).toBe(' Id   Name   State\n' + '----------------------\n' + ' 1    vm1    running\n\n')
    expect(shell.execute('virsh list --all').output).toContain(' -    vm2    shut off')
  })

  it('starts a domain through libvirtd, QEMU and the KVM ioctls, ending in VMLAUNCH into the guest', () => {
    const { shell, vms, events, hops } = setup(false)
    const before = vms.clock.cycles
    const r = shell.execute('virsh start vm2')
    expect(r).toEqual({ output: "Domain 'vm2' started\n\n", exitCode: 0 })
    expect(vms.log).toEqual(['start 2'])
    const evs = events()
    expect(hops(evs)).toEqual([
      'virsh>libvirtd',
      'libvirtd>qemu@2',
      'qemu@2>kvm',
      'qemu@2>kvm',
      'qemu@2>kvm',
      'qemu@2>kvm',
      'qemu@2>kvm',
      'kvm>guest-kernel@2',
      'libvirtd>virsh',
    ])
    expect(evs[0]).toMatchObject({ kind: EventKind.FlowBegin, reason: FlowKind.Management })
    expect(evs.at(-1)).toMatchObject({ kind: EventKind.FlowEnd })
    const total = evs.filter((e) => e.kind === EventKind.Hop).reduce((s, e) => s + e.cost, 0)
    expect(vms.clock.cycles - before).toBe(total)
    expect(evs.at(-1)!.arg0).toBe(total)
  })

  it('destroys a running domain and refuses what libvirt refuses', () => {
    const { shell, vms } = setup()
    expect(shell.execute('virsh destroy 1')).toEqual({ output: "Domain 'vm1' destroyed\n\n", exitCode: 0 })
    expect(vms.log).toEqual(['destroy 1'])
    expect(shell.execute('virsh destroy vm1').output).toContain('domain is not running')
    expect(shell.execute('virsh start vm2')).toMatchObject({ exitCode: 1 })
    expect(shell.execute('virsh start nosuch').output).toBe("error: failed to get domain 'nosuch'\n")
    expect(shell.execute('virsh start').output).toBe("error: command 'start' requires <domain> option\n")
    expect(shell.execute('virsh reboot vm1').output).toBe("error: unknown command: 'reboot'\n")
    expect(shell.execute('xl list').exitCode).toBe(127)
    expect(shell.execute('virsh start "vm1').output).toContain('unterminated quote')
  })

  it('attaches the console of a running domain', () => {
    const { shell } = setup()
    expect(shell.execute('virsh console vm2')).toMatchObject({ attachConsole: 2, exitCode: 0 })
  })
})
