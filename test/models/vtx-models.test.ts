/**
 * Hypervisor models I (issue 7 "Tests that must exist"): for each hardware-assisted architecture, the
 * same workloads — boot to the prompt, a line on the emulated UART, the same line over virtio or
 * VMBus, a disk read, timer interrupts, cpuinfo, and management commands — with each exit handled
 * where hypervisor-flows.md says, golden summaries of the counts, and determinism.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { EventBatcher } from '../../src/engine/trace/batcher'
import { RecordView, decodeEvent } from '../../src/engine/trace/codec'
import { EventKind, FlowKind } from '../../src/engine/trace/schema'
import { sessionSummary } from '../../src/engine/session/summary'
import type { Session } from '../../src/engine/session/session'
import { bootedSession, type } from './guest-fixture'

interface ArchCase {
  readonly arch: 'kvm' | 'xen-hvm' | 'esxi' | 'hyperv' | 'workstation'
  /** Component that handles (emulates) a port-I/O exit to the UART (issue 7's test list). */
  readonly uartHandler: string
  /** Component VM exits arrive at. */
  readonly hypervisor: string
  readonly signature: string
  /** The paravirtual platform: its image, and the exit reason its notifications take. */
  readonly pv: 'virtio' | 'hyperv'
  readonly pvNotifyReason: string
  /** A management command that lists VMs, one that stops VM 2 and one that starts it again. */
  readonly list: string
  readonly stop: string
  readonly start: string
  readonly listed: RegExp
}

const CASES: readonly ArchCase[] = [
  {
    arch: 'kvm',
    uartHandler: 'qemu',
    hypervisor: 'kvm',
    signature: 'KVMKVMKVM',
    pv: 'virtio',
    pvNotifyReason: '49',
    list: 'virsh list',
    stop: 'virsh destroy vm2',
    start: 'virsh start vm2',
    listed: / 2 +vm2 +running/,
  },
  {
    arch: 'xen-hvm',
    uartHandler: 'dom0-qemu',
    hypervisor: 'xen',
    signature: 'XenVMMXenVMM',
    pv: 'virtio',
    pvNotifyReason: '48',
    list: 'xl list',
    stop: 'xl destroy vm2',
    start: 'xl create vm2.cfg',
    listed: /\nvm2 +\d+ +64 /m,
  },
  {
    arch: 'esxi',
    uartHandler: 'vmm',
    hypervisor: 'vmm',
    signature: 'VMwareVMware',
    pv: 'virtio',
    pvNotifyReason: '48',
    list: 'vim-cmd vmsvc/getallvms',
    stop: 'vim-cmd vmsvc/power.off 2',
    start: 'vim-cmd vmsvc/power.on 2',
    listed: /\n2 +vm2 /m,
  },
  {
    arch: 'workstation',
    uartHandler: 'vmapp',
    hypervisor: 'vmm',
    signature: 'VMwareVMware',
    pv: 'virtio',
    pvNotifyReason: '48',
    list: 'vmrun list',
    stop: 'vmrun stop vm2',
    start: 'vmrun start vm2',
    listed: /Total running VMs: 2\n[\s\S]*vm2\.vmx/,
  },
  {
    arch: 'hyperv',
    uartHandler: 'vmwp',
    hypervisor: 'hypervisor',
    signature: 'Microsoft Hv',
    pv: 'hyperv',
    pvNotifyReason: '18',
    list: 'Get-VM',
    stop: 'Stop-VM -Name vm2',
    start: 'Start-VM -Name vm2',
    listed: /\nvm2 +Running/,
  },
]

function record(s: Session) {
  const batcher = new EventBatcher(1 << 17)
  s.attachEvents(batcher)
  return () => {
    const b = batcher.take()
    const v = new RecordView(b.buffer, 0, b.count)
    return Array.from({ length: b.count }, (_, i) => decodeEvent(v, i))
  }
}

/**
 * The hop paths (base ids) of each completed flow of kind `kind` started by `detail` (a flow still open
 * when the run stopped — a vCPU woken at the last moment — is left out).
 */
function paths(
  s: Session,
  evs: ReturnType<ReturnType<typeof record>>,
  kind: number,
  detail?: number,
): string[][] {
  const name = (i: number) => s.topology.components[i]!.baseId
  const byFlow = new Map<number, string[]>()
  const done: string[][] = []
  for (const e of evs) {
    if (e.kind === EventKind.FlowBegin && e.reason === kind && (detail === undefined || e.arg0 === detail))
      byFlow.set(e.flow, [])
    if (e.kind === EventKind.Hop && byFlow.has(e.flow))
      byFlow.get(e.flow)!.push(`${name(e.from)}>${name(e.to)}`)
    if (e.kind === EventKind.FlowEnd && byFlow.has(e.flow)) done.push(byFlow.get(e.flow)!)
  }
  return done
}

const GOLDEN_DIR = new URL('./golden/', import.meta.url)

/** Compares a summary with its committed golden file (RINGSIDE_UPDATE_GOLDEN=1 rewrites it after review). */
function golden(name: string, value: unknown): void {
  const file = new URL(`${name}.json`, GOLDEN_DIR)
  const text = `${JSON.stringify(value, null, 1)}\n`
  if (process.env.RINGSIDE_UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN_DIR, { recursive: true })
    writeFileSync(file, text)
  }
  if (!existsSync(file))
    throw new Error(
      `no golden summary ${file.pathname}: review the run, then RINGSIDE_UPDATE_GOLDEN=1 writes it`,
    )
  expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(value)
}

function summaryOf(s: Session) {
  const j = sessionSummary(s, { stop: 'idle', instructions: 0, cycles: s.clock.cycles })
  return {
    exits: j.exits,
    exitsByHandler: j.exitsByHandler,
    flows: j.flows,
    cyclesByComponent: j.cyclesByComponent,
    console: j.console,
  }
}

describe.each(CASES)('$arch', (c) => {
  it('boots ringos to the prompt with the hypervisor handling CPUID and HLT, and matches its golden summary', () => {
    const { s, boot } = bootedSession(c.arch)
    expect(boot.stop).toBe('idle')
    const sum = summaryOf(s)
    expect(sum.console).toMatch(/ringos 1\.0[\s\S]*\$ $/)
    expect(Object.keys(sum.exitsByHandler['12']!)).toEqual([c.hypervisor])
    golden(`${c.arch}-boot`, sum)
  })

  it(`prints a line on the emulated UART with each port-I/O exit handled by ${c.uartHandler}`, () => {
    const { s } = bootedSession(c.arch)
    const events = record(s)
    expect(type(s, 'echo hello')).toBe('echo hello\r\nhello\r\n$ ')
    const flows = paths(s, events(), FlowKind.VmExit, 30)
    const uart = flows.filter((f) => f.length > 2)
    expect(uart.length).toBeGreaterThan('hello'.length)
    for (const f of uart) {
      expect(f[0]).toBe(`guest-kernel>${c.hypervisor}`)
      expect(f.some((h) => h.endsWith(`>${c.uartHandler}`)) || c.uartHandler === c.hypervisor).toBe(true)
      expect(f.at(-1)).toBe(`${c.hypervisor}>guest-kernel`)
    }
    expect(summaryOf(s).exitsByHandler['30']![c.uartHandler]).toBeGreaterThan(0)
    golden(`${c.arch}-uart`, summaryOf(s))
  })

  it(`sends the same line over ${c.pv} with one notification per request batch, not per byte`, () => {
    const { s, boot_console } = bootedSession(c.arch, c.pv)
    expect(boot_console[0]).toMatch(/\$ $/)
    const before = summaryOf(s).exits[c.pvNotifyReason] ?? 0
    const out = type(s, 'echo 0123456789abcdefghijklmnopqrstuvwxyz')
    expect(out).toContain('0123456789abcdefghijklmnopqrstuvwxyz\r\n$ ')
    const notifications = (summaryOf(s).exits[c.pvNotifyReason] ?? 0) - before
    expect(notifications).toBeGreaterThan(0)
    expect(notifications).toBeLessThan(out.length / 4)
    golden(`${c.arch}-${c.pv}`, summaryOf(s))
  })

  it('reads the disk (cat motd) and takes timer interrupts through the hypervisor', () => {
    const { s } = bootedSession(c.arch)
    const events = record(s)
    expect(type(s, 'cat motd')).toContain('欢迎使用 ringos')
    const evs = events()
    expect(evs.some((e) => e.kind === EventKind.DiskIo)).toBe(true)
    const interrupts = paths(s, evs, FlowKind.Interrupt)
    expect(interrupts.length).toBeGreaterThan(0)
    expect(interrupts.filter((p) => p.at(-1) !== `${c.hypervisor}>guest-kernel`)).toEqual([])
    expect(evs.filter((e) => e.kind === EventKind.Injection).length).toBeGreaterThan(0)
    golden(`${c.arch}-disk-timer`, summaryOf(s))
  })

  it(`shows cpuinfo the hypervisor's signature "${c.signature}"`, () => {
    const { s } = bootedSession(c.arch)
    expect(type(s, 'cpuinfo')).toContain(`hypervisor: "${c.signature}"`)
    golden(`${c.arch}-cpuinfo`, summaryOf(s))
  })

  it('runs the popf and sgdt lab programs correctly: VT-x closes both holes (issue 9)', () => {
    const { s } = bootedSession(c.arch)
    // POPF in the guest kernel really clears IF (no timer tick while "disabled")…
    expect(type(s, 'popf')).toMatch(/popf: if_before=1 if_after=0 ticks_while_disabled=0 .*result=ok/)
    // …and SGDT shows the guest its own GDT, in the kernel and in ring 3 alike.
    const sgdt = type(s, 'sgdt')
    const lgdt = /lgdt=(0x[0-9a-f]+\/0x[0-9a-f]+)/.exec(sgdt)?.[1]
    expect(lgdt).toBeDefined()
    expect(sgdt).toContain(`ring3=${lgdt} kernel=${lgdt} kernel_cpl=0 result=match ring3_result=match`)
  })

  it('runs management commands through the management plane', () => {
    const { s } = bootedSession(c.arch, 'native', 2)
    const events = record(s)
    expect(s.manage(c.list).output).toMatch(c.listed)
    expect(s.manage(c.stop).exitCode).toBe(0)
    expect(s.vms[1]!.state).toBe('off')
    expect(s.manage(c.start).exitCode).toBe(0)
    expect(s.vms[1]!.state).toBe('running')
    const mgmt = paths(s, events(), FlowKind.Management)
    expect(mgmt.length).toBe(3)
    expect(mgmt[2]!.some((h) => h.endsWith('>guest-kernel'))).toBe(true)
    s.run({ maxInstructions: 40_000_000, untilIdleMs: 100 })
    expect(s.vms[1]!.console.all().length).toBeGreaterThan(0)
    golden(`${c.arch}-management`, {
      management: sessionSummary(s, { stop: 'idle', instructions: 0, cycles: 0 }).management,
      paths: mgmt,
    })
  })

  it('gives the same event stream for the same inputs', () => {
    const run = () => {
      const { s } = bootedSession(c.arch)
      const events = record(s)
      type(s, 'ps')
      return events()
        .map((e) => `${e.kind}:${e.reason}:${e.from}:${e.to}:${e.cost}:${e.arg0}:${e.cycle}`)
        .join('|')
    }
    expect(run()).toBe(run())
  })
})

describe.each(['kvm', 'xen-hvm'] as const)('%s with shadow page tables (--paging shadow)', (arch) => {
  it('boots and runs with page faults, INVLPG and CR3 loads exiting to the hypervisor, and page-table updates cost more than with EPT', () => {
    const hv = arch === 'kvm' ? 'kvm' : 'xen'
    const shadow = bootedSession(arch, 'native', 1, { paging: 'shadow' })
    expect(shadow.boot.stop).toBe('idle')
    const out = type(shadow.s, 'ptemod 200')
    const perUpdate = (o: string) => Number(/cycles_per_update=([\d.]+)/.exec(o)?.[1])
    const sum = summaryOf(shadow.s)
    for (const reason of ['0', '14', '28'])
      expect(Object.keys(sum.exitsByHandler[reason] ?? {})).toEqual([hv])
    const ept = bootedSession(arch)
    const eptOut = type(ept.s, 'ptemod 200')
    expect(summaryOf(ept.s).exits['14']).toBeUndefined()
    expect(summaryOf(ept.s).exits['28']).toBeUndefined()
    expect(out).toMatch(/check=ok/)
    expect(perUpdate(out)).toBeGreaterThan(perUpdate(eptOut) * 2)
  })

  it('refuses shadow paging for virtio guests and unknown paging modes with a clear error', () => {
    expect(() => bootedSession(arch, 'virtio', 1, { paging: 'shadow' })).toThrow(
      /virtio-mmio devices need EPT/,
    )
    expect(() => bootedSession('esxi', 'native', 1, { paging: 'shadow' })).toThrow(
      /offers paging ept, not shadow/,
    )
    expect(() => bootedSession('bare', 'native', 1, { paging: 'ept' })).toThrow(
      /no memory-virtualization choice/,
    )
  })
})

describe('workstation (hosted)', () => {
  it('reaches the VMware application for a UART access through two world switches and the vmmon driver', () => {
    const { s } = bootedSession('workstation')
    const events = record(s)
    type(s, 'echo hi')
    const viaHost = paths(s, events(), FlowKind.VmExit, 30).filter((p) => p.includes('vmmon>vmapp'))
    expect(viaHost.length).toBeGreaterThan(0)
    for (const p of viaHost) {
      expect(p.slice(0, 3)).toEqual(['guest-kernel>vmm', 'vmm>vmmon', 'vmmon>vmapp'])
      expect(p.slice(-3)).toEqual(['vmapp>vmmon', 'vmmon>vmm', 'vmm>guest-kernel'])
    }
  })
})

describe('bare (no hypervisor): golden summaries of the same workloads, for comparison', () => {
  it('boots, echoes on the UART and over virtio, reads the disk and runs cpuinfo with no VM exit at all', () => {
    const { s, boot } = bootedSession('bare')
    expect(boot.stop).toBe('idle')
    expect(summaryOf(s).console).toMatch(/ringos 1\.0[\s\S]*\$ $/)
    golden('bare-boot', summaryOf(s))
    expect(type(s, 'echo hello')).toBe('echo hello\r\nhello\r\n$ ')
    golden('bare-uart', summaryOf(s))
    expect(type(s, 'cat motd')).toContain('欢迎使用 ringos')
    golden('bare-disk-timer', summaryOf(s))
    expect(type(s, 'cpuinfo')).toContain('hypervisor: none')
    const sum = summaryOf(s)
    golden('bare-cpuinfo', sum)
    expect(sum.exits).toEqual({})

    const pv = bootedSession('bare', 'virtio').s
    expect(type(pv, 'echo 0123456789abcdefghijklmnopqrstuvwxyz')).toContain(
      '0123456789abcdefghijklmnopqrstuvwxyz\r\n$ ',
    )
    golden('bare-virtio', summaryOf(pv))
  })
})
