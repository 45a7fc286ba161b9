/**
 * container: one ringos kernel with PID, mount and UTS namespaces (ringos-container.elf). Two
 * containers made by runc must not see each other's processes; every system call goes from the
 * calling process straight to the one kernel; runc's steps are the management flow.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { Session } from '../../src/engine/session/session'
import { EventKind, FlowKind, type TraceEvent } from '../../src/engine/trace/schema'
import { RuncStep } from '../../src/engine/hv/container/model'
import { determinism, guestFile, recorded } from './kit'

/** A session of the container architecture on ringos-container, with every event recorded. */
function containers() {
  const g = recorded(
    new Session({
      arch: 'container',
      vms: [
        {
          image: guestFile('ringos-container.elf'),
          disk: guestFile('ringos-container-disk.img'),
          platform: 'native',
        },
      ],
    }),
  )
  return { ...g, boot: () => (g.idle(), g.console().replace(/\r\n/g, '\n')) }
}

/** `ps` output as rows of pid, ppid and name. */
function ps(out: string): { pid: number; ppid: number; name: string }[] {
  return out
    .split('\n')
    .slice(1)
    .filter((l) => l.trim())
    .map((l) => {
      const w = l.trim().split(/\s+/)
      return { pid: Number(w[0]), ppid: Number(w[1]), name: w[w.length - 1]! }
    })
}

describe('containers on one ringos kernel', () => {
  const g = containers()
  const out: Record<string, string> = {}
  let events: TraceEvent[]

  beforeAll(() => {
    out.boot = g.boot()
    out.db = g.command('runc run -d db /bin/clockd')
    out.list = g.command('runc list')
    out.hostPs = g.command('ps')
    g.events()
    out.web = g.command('runc run web')
    out.webPs = g.command('ps')
    out.webLs = g.command('ls')
    events = g.events()
    out.exit = g.command('exit')
    out.after = g.command('ps')
  }, 120_000)

  it('boots the one kernel to the host shell', () => {
    expect(out.boot).toContain('ringos 1.0 on the native platform')
    expect(out.boot).toMatch(/\$ $/)
  })

  it('ps in a container shows only its own processes, numbered from 1', () => {
    const clockd = Number(out.db!.trim())
    expect(clockd).toBeGreaterThan(1)
    expect(out.list).toMatch(new RegExp(`^db\\s+${clockd}\\s+running\\s+1\\s+8\\s+/rootfs/$`, 'm'))
    // The host sees everything, the container's clockd with its host pid.
    expect(ps(out.hostPs!).map((p) => p.pid)).toContain(clockd)
    // In "web": its shell is process 1 and ps process 2; db's clockd and the host's processes are not there.
    expect(ps(out.webPs!)).toEqual([
      { pid: 1, ppid: 0, name: 'sh' },
      { pid: 2, ppid: 1, name: 'ps' },
    ])
    // Its "/" is the disk's rootfs/ (pivot_root): no runc, no lab programs in there.
    expect(out.webLs).toMatch(/bin\/sh\n/)
    expect(out.webLs).not.toMatch(/runc|popf|rootfs/)
    // Back on the host, db is still running.
    expect(ps(out.after!).map((p) => p.pid)).toContain(clockd)
  })

  it('sends every system call straight from the calling process to the one kernel: no monitor, no exits', () => {
    const syscalls = events.filter((e) => e.kind === EventKind.FlowBegin && e.reason === FlowKind.Syscall)
    expect(syscalls.length).toBeGreaterThan(20)
    const hops = events.filter((e) => e.kind === EventKind.Hop && e.reason === 9 /* HopCause.Syscall */)
    const pairs = new Set(hops.map((e) => `${g.component(e.from)}>${g.component(e.to)}`))
    expect(pairs).toContain('container-user>host-kernel')
    expect([...pairs].every((p) => p.endsWith('>host-kernel'))).toBe(true)
    expect(events.some((e) => e.kind === EventKind.VmExit || e.kind === EventKind.VmEntry)).toBe(false)
    expect(g.s.topology.components.some((c) => c.kind === 'hypervisor' || c.kind === 'monitor')).toBe(false)
  })

  it('reports runc’s system calls as the management flow, with its steps: clone with CLONE_NEW*, cgroup, pivot_root, execve', () => {
    const mgmt = events.filter((e) => e.kind === EventKind.FlowBegin && e.reason === FlowKind.Management)
    const runcSteps = new Set<number>(Object.values(RuncStep))
    expect(mgmt.map((e) => e.arg0).filter((n) => runcSteps.has(n))).toEqual([
      RuncStep.Clone,
      RuncStep.Cgroup,
      RuncStep.PivotRoot,
      RuncStep.Execve,
    ])
    // runc's other calls (`runc list` reading the container table and writing it out) are management too.
    expect(mgmt.length).toBeGreaterThan(4)
    const steps = events.filter((e) => e.kind === EventKind.MgmtStep)
    expect(steps[0]!.arg0 >>> 0).toBe(0x20000000 | 0x00020000 | 0x04000000) // CLONE_NEWPID | NEWNS | NEWUTS
    const from = events.filter((e) => e.kind === EventKind.Hop && mgmt.some((m) => m.flow === e.flow))
    expect(new Set(from.map((e) => `${g.component(e.from)}>${g.component(e.to)}`))).toEqual(
      new Set(['runc>host-kernel']),
    )
  })
})

describe('the runc management shell', () => {
  it('types runc commands into the host console, where the host runs them', () => {
    const g = containers()
    g.boot()
    const r = g.s.manage('runc run -d db /bin/clockd')
    expect(r.exitCode).toBe(0)
    expect(g.s.run({ maxInstructions: 100_000_000, untilIdleMs: 100 }).stop).toBe('idle')
    expect(g.command('runc list')).toMatch(/^db\s+\d+\s+running/m)
    expect(g.s.manage('virsh list').exitCode).toBe(127)
  }, 60_000)
})

describe('container sessions', () => determinism(containers))
