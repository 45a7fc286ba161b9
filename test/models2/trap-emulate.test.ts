/**
 * trap-emulate: ringos with its kernel in ring 1 under a trap-and-emulate monitor. It must work —
 * boot, shell, files, processes — while the two sensitive-but-unprivileged lab programs go wrong
 * exactly as Popek & Goldberg's condition predicts, and the CPU names the instructions that did not
 * trap. Expected addresses come from the guest's symbol map; the right answers (bare metal) are
 * asserted by test/guest/ringos.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { EventKind, FlowKind, SensitiveInsn, type TraceEvent } from '../../src/engine/trace/schema'
import { determinism, fields, ringos, symbol, within } from './kit'

const hex = (n: number) => '0x' + (n >>> 0).toString(16).padStart(8, '0')

describe('trap-emulate runs ringos in ring 1', () => {
  let g: ReturnType<typeof ringos>
  let boot: string
  const out: Record<string, string> = {}
  let events: TraceEvent[]

  beforeAll(() => {
    g = ringos('trap-emulate')
    expect(g.idle().stop).toBe('idle')
    boot = g.console()
    for (const c of ['echo hi there', 'ps', 'cat motd', 'popf', 'sgdt']) out[c] = g.command(c)
    events = g.events()
  }, 120_000)

  it('boots to the prompt and answers the shell', () => {
    expect(boot).toContain('ringos 1.0 on the native platform')
    expect(boot).toMatch(/disk: 1024 sectors, \d+ files\r\n\$ $/)
    expect(out['echo hi there']).toBe('hi there\n')
    expect(out['ps']).toMatch(/^\s+PID\s+PPID RING STATE/)
    expect(out['ps']).toMatch(/\n\s+3\s+1\s+3 \w+\s+\d+\s+\d+ sh\n/)
    expect(out['cat motd']).toContain('Welcome to ringos')
  })

  it('popf: POPF in the ring-1 kernel cannot clear IF, without a fault, and timer ticks arrive', () => {
    const f = fields(out['popf']!, 'popf:')
    expect(f).toMatchObject({ if_before: '1', if_after: '1', result: 'wrong' })
    expect(Number(f.ticks_while_disabled)).toBeGreaterThan(0)
    // The CPU reported the POPF that did not trap, at its EIP in plat_flags_write, trying to set IF = 0.
    const popfs = events.filter(
      (e) => e.kind === EventKind.SensitiveNoTrap && e.reason === SensitiveInsn.Popf,
    )
    const fn = symbol('kernel', 'plat_flags_write')
    const clearing = popfs.filter((e) => e.arg1 === 0)
    expect(clearing.length).toBe(1)
    expect(within(clearing[0]!.arg0, fn)).toBe(true)
    expect(clearing[0]!.arg2).toBe(1) // CPL 1
  })

  it('sgdt: SGDT shows the monitor’s shadow GDT in ring 3 and in the kernel, and the kernel sees CPL 1', () => {
    const f = fields(out['sgdt']!, 'sgdt:')
    const gdt = symbol('kernel', 'gdt')
    expect(f.lgdt).toBe(`${hex(gdt.start)}/0x002f`)
    const real = g.s.vms[0]!.cpu.inspect().gdtr
    const shadow = `${hex(real.base)}/0x${real.limit.toString(16).padStart(4, '0')}`
    expect(real.base).not.toBe(gdt.start)
    expect(f).toMatchObject({
      ring3: shadow,
      kernel: shadow,
      kernel_cpl: '1',
      result: 'mismatch',
      ring3_result: 'mismatch',
    })
    const sgdts = events.filter(
      (e) => e.kind === EventKind.SensitiveNoTrap && e.reason === SensitiveInsn.Sgdt,
    )
    const user = sgdts.filter((e) => e.arg2 === 3)
    const kernel = sgdts.filter((e) => e.arg2 === 1)
    expect(user.length).toBe(1)
    expect(kernel.length).toBe(1)
    expect(within(user[0]!.arg0, symbol('sgdt', 'main'))).toBe(true)
    expect(within(kernel[0]!.arg0, symbol('kernel', 'plat_sgdt'))).toBe(true)
    expect(user[0]!.arg1 >>> 0).toBe(real.base)
  })

  it('traps privileged instructions and device accesses into the monitor, and reflects system calls and interrupts to the guest kernel', () => {
    const hops = new Set(
      events
        .filter((e) => e.kind === EventKind.Hop)
        .map((e) => `${g.component(e.from)}>${g.component(e.to)}`),
    )
    for (const h of [
      'guest-kernel>monitor',
      'monitor>guest-kernel',
      'guest-user>monitor',
      'monitor>uart',
      'monitor>disk',
      'timer>monitor',
    ])
      expect(hops).toContain(h)
    // No device is reached from the guest without the monitor.
    expect([...hops].filter((h) => h.startsWith('guest-') && /(uart|disk|timer)$/.test(h))).toEqual([])
    const syscalls = events.filter((e) => e.kind === EventKind.FlowBegin && e.reason === FlowKind.Syscall)
    expect(syscalls.length).toBeGreaterThan(10)
    // Every #GP the kernel took was a privileged instruction the monitor emulated or reflected; none
    // came from the sensitive ones (they do not trap).
    expect(events.some((e) => e.kind === EventKind.Exception && e.reason === 13)).toBe(true)
    expect(events.some((e) => e.kind === EventKind.ShadowFault)).toBe(true)
  })
})

describe('trap-emulate sessions', () => determinism(() => ringos('trap-emulate')))
