import { describe, expect, it } from 'vitest'
import { bootedSession, type, takeConsole } from '../../../../test/models/guest-fixture'
import { EventBatcher } from '../../trace/batcher'
import { RecordView, decodeEvent } from '../../trace/codec'
import { EventKind, FlowKind } from '../../trace/schema'
import type { KvmModel } from './model'

function exitsOf(s: ReturnType<typeof bootedSession>['s']) {
  return (s.model as KvmModel).exitSummary()
}

describe('KVM + QEMU', () => {
  it('boots ringos to its prompt in VMX non-root, with exits handled where KVM handles them', () => {
    const { s, boot, boot_console } = bootedSession('kvm')
    expect(boot.stop).toBe('idle')
    expect(boot_console[0]).toMatch(/ringos 1\.0 on the native platform[\s\S]*\$ $/)
    const { exits, exitsByHandler } = exitsOf(s)
    // Port I/O to the UART and the IDE disk: KVM_EXIT_IO to QEMU; to the PIC and PIT: the in-kernel irqchip.
    expect(exitsByHandler['30']!.qemu).toBeGreaterThan(0)
    expect(exitsByHandler['30']!.kvm).toBeGreaterThan(0)
    // Guest RAM is mapped on first touch; HLT blocks the vCPU in kvm.ko.
    expect(exits['48']).toBeGreaterThan(0)
    expect(exitsByHandler['12']).toEqual({ kvm: exits['12'] })
  })

  it('shows the hypervisor to cpuinfo only through CPUID (hypervisor bit and leaf 0x40000000)', () => {
    const { s } = bootedSession('kvm')
    expect(type(s, 'cpuinfo')).toMatch(/hypervisor: "KVMKVMKVM"/)
    expect(exitsOf(s).exitsByHandler['10']).toEqual({ kvm: expect.any(Number) })
  })

  it('sends each byte printed on the emulated UART through KVM to QEMU and back (KVM_EXIT_IO, KVM_RUN)', () => {
    const { s } = bootedSession('kvm')
    const batcher = new EventBatcher(1 << 16)
    s.attachEvents(batcher)
    expect(type(s, 'echo hi')).toBe('echo hi\r\nhi\r\n$ ')
    const b = batcher.take()
    const v = new RecordView(b.buffer)
    const evs = Array.from({ length: b.count }, (_, i) => decodeEvent(v, i))
    const name = (i: number) => s.topology.components[i]!.baseId
    // Group hops by flow, keep the I/O exits (reason 30) that reached QEMU.
    const flows = new Map<number, string[]>()
    for (const e of evs) {
      if (e.kind === EventKind.FlowBegin && e.reason === FlowKind.VmExit && e.arg0 === 30)
        flows.set(e.flow, [])
      if (e.kind === EventKind.Hop && flows.has(e.flow))
        flows.get(e.flow)!.push(`${name(e.from)}>${name(e.to)}`)
    }
    const viaQemu = [...flows.values()].filter((h) => h.includes('kvm>qemu'))
    expect(viaQemu.length).toBeGreaterThan(0)
    for (const h of viaQemu) {
      expect(h[0]).toBe('guest-kernel>kvm')
      expect(h).toContain('qemu>kvm')
      expect(h.at(-1)).toBe('kvm>guest-kernel')
    }
    // A transmitted byte goes on to the host (the chardev write).
    expect(viaQemu.some((h) => h.includes('qemu>host-kernel'))).toBe(true)
  })

  it('runs virtio with one ioeventfd exit per request batch, not per byte', () => {
    const { s, boot_console } = bootedSession('kvm', 'virtio')
    expect(boot_console[0]).toMatch(/virtio[\s\S]*\$ $/)
    const before = exitsOf(s).exits['49'] ?? 0
    const out = type(s, 'echo 0123456789abcdefghij')
    expect(out).toContain('0123456789abcdefghij')
    const notifies = (exitsOf(s).exits['49'] ?? 0) - before
    // The line and its echo travel in a few virtqueue requests, each kicked once: far fewer exits than bytes.
    expect(notifies).toBeGreaterThan(0)
    expect(notifies).toBeLessThan(out.length / 2)
  })

  it('with --vhost, serves the block queue from a vhost worker in the host kernel, not from QEMU', () => {
    /** The hop paths (base ids, from and to of each hop) of every flow while `cat motd` runs. */
    const flowsOf = (vhost: boolean) => {
      const { s } = bootedSession('kvm', 'virtio', 1, vhost ? { vhost: true } : {})
      const batcher = new EventBatcher(1 << 17)
      s.attachEvents(batcher)
      expect(type(s, 'cat motd')).toContain('欢迎使用 ringos')
      const b = batcher.take()
      const v = new RecordView(b.buffer, 0, b.count)
      const name = (i: number) => s.topology.components[i]!.baseId
      const flows = new Map<number, string[]>()
      for (let i = 0; i < b.count; i++) {
        const e = decodeEvent(v, i)
        if (e.kind === EventKind.Hop)
          flows.set(e.flow, [...(flows.get(e.flow) ?? []), name(e.from), name(e.to)])
      }
      return [...flows.values()].map((f) => f.join(' '))
    }
    const doorbellViaQemu = (f: string) => f.includes('kvm qemu qemu host-kernel')
    const withVhost = flowsOf(true)
    // The block doorbell: ioeventfd to the worker, the I/O in the host kernel, the completion by irqfd.
    expect(
      withVhost.filter((f) => f.includes('kvm vhost vhost host-kernel host-kernel vhost vhost kvm')).length,
    ).toBeGreaterThan(0)
    expect(withVhost.filter((f) => f.includes('vhost') && f.includes('qemu'))).toEqual([])
    // Without it, QEMU's iothread serves the block queue too: more doorbells reach QEMU, none vhost.
    const withQemu = flowsOf(false)
    expect(withQemu.filter((f) => f.includes('vhost'))).toEqual([])
    expect(withQemu.filter(doorbellViaQemu).length).toBeGreaterThan(withVhost.filter(doorbellViaQemu).length)
  })

  it('refuses --vhost on an architecture without it', () => {
    expect(() => bootedSession('xen-hvm', 'virtio', 1, { vhost: true })).toThrow(
      /xen-hvm has no vhost option/,
    )
  })

  it('starts and destroys VMs through virsh → libvirtd → QEMU → KVM', () => {
    const { s } = bootedSession('kvm', 'native', 2)
    expect(s.manage('virsh list').output).toMatch(/ 1 +vm1 +running\n 2 +vm2 +running/)
    expect(s.manage('virsh destroy vm2').exitCode).toBe(0)
    expect(s.vms[1]!.state).toBe('off')
    expect(s.manage('virsh start vm2').output).toBe("Domain 'vm2' started\n\n")
    s.run({ maxInstructions: 40_000_000, untilIdleMs: 100 })
    expect(takeConsole(s)[1]).toMatch(/ringos 1\.0[\s\S]*\$ $/)
  })

  it('runs two VMs on one physical CPU, each with its own console', () => {
    const { s, boot_console } = bootedSession('kvm', 'native', 2)
    expect(boot_console[0]).toMatch(/\$ $/)
    expect(boot_console[1]).toMatch(/\$ $/)
    expect(type(s, 'echo one', 1)).toContain('one')
    expect(type(s, 'echo two', 2)).toContain('two')
  })

  it('is deterministic and restores snapshots exactly', () => {
    const a = bootedSession('kvm')
    const snap = a.s.snapshot()
    const outA = type(a.s, 'ls')
    const cyclesA = a.s.clock.cycles
    a.s.restore(snap)
    takeConsole(a.s)
    expect(type(a.s, 'ls')).toBe(outA)
    expect(a.s.clock.cycles).toBe(cyclesA)
    const b = bootedSession('kvm')
    expect(type(b.s, 'ls')).toBe(outA)
    expect(b.s.clock.cycles).toBe(cyclesA)
  })

  it('costs an I/O exit what kvm-unit-tests measured: 20,574 cycles through QEMU, 7,237 in the kernel', () => {
    const { s } = bootedSession('kvm')
    const rec = new EventBatcher(1 << 16)
    s.attachEvents(rec)
    type(s, 'echo x')
    const b = rec.take()
    const v = new RecordView(b.buffer, 0, b.count)
    const evs = Array.from({ length: b.count }, (_, i) => decodeEvent(v, i))
    const name = (i: number) => s.topology.components[i]!.baseId
    const totals = new Map<string, Set<number>>()
    const path = new Map<number, string[]>()
    for (const e of evs) {
      if (e.kind === EventKind.FlowBegin && e.reason === FlowKind.VmExit && e.arg0 === 30)
        path.set(e.flow, [])
      if (e.kind === EventKind.Hop && path.has(e.flow)) path.get(e.flow)!.push(name(e.to))
      if (e.kind === EventKind.FlowEnd && path.has(e.flow)) {
        const key = path.get(e.flow)!.join('>')
        if (!totals.has(key)) totals.set(key, new Set())
        totals.get(key)!.add(e.arg0)
      }
    }
    // IN from the UART's status register: exit, KVM_EXIT_IO to QEMU, the 16550 model, KVM_RUN, entry.
    expect(totals.get('kvm>qemu>kvm>guest-kernel')).toEqual(new Set([20574]))
    // The 8259A's EOI: emulated by the in-kernel irqchip.
    expect(totals.get('kvm>guest-kernel')).toEqual(new Set([7237]))
  })
})
