// ringos-hyperv.elf end to end on the bare-CPU Hyper-V harness (hyperv-harness.ts): boot to the
// prompt through the enlightenments, the shell's commands with the disk and the console on VMBus,
// and how often the guest signals the root: once per console write or disk request, never per byte.
// Expected values come from the disk's files, the TLFS's units and the virtual clock, not from a run.
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { CPU_HZ } from '../../src/engine/machine/clock'
import { HypervBareHarness } from './hyperv-harness'
import { fields, runGuest, transcript, type Step } from './runner'
import { GUESTS, REPO } from './tools'

const FS = join(REPO, 'guest', 'fs')
const image = new Uint8Array(readFileSync(join(GUESTS, 'ringos-hyperv.elf')))
const SESSION = ['echo hi there', 'cat motd', 'ls', 'cpuinfo', 'bench io', 'ps', 'uptime']
const STEPS = 50_000_000

function boot(input: string): HypervBareHarness {
  // Each run gets its own copy of the disk: the storage VSP writes to it in place.
  const h = new HypervBareHarness(image, new Uint8Array(readFileSync(join(GUESTS, 'ringos-disk.img'))))
  if (input) h.input(input)
  expect(h.run(STEPS)).toBe('idle')
  return h
}

/** HvCallSignalEvent calls per channel (relid 1 console, 2 storage), from the partition's notices. */
function signals(h: HypervBareHarness, relid: number): number {
  return h.of('guest-signal').filter((n) => n.relid === relid).length
}

describe('ringos-hyperv.elf on the bare-CPU Hyper-V harness', () => {
  let bootOnly: HypervBareHarness
  let session: HypervBareHarness
  let steps: Step[]
  const step = (command: string): string => {
    const s = steps.find((x) => x.command === command)
    if (!s) throw new Error(`'${command}' is not in the transcript`)
    return s.output
  }

  beforeAll(() => {
    bootOnly = boot('')
    session = boot(SESSION.join('\n') + '\n')
    steps = transcript(session.console).steps
  }, 120_000)

  it('boots to the prompt through the hypercall page, SynIC, STIMER0 and VMBus, in fewer than 5 M instructions', () => {
    const t = transcript(bootOnly.console)
    expect(t.boot).toMatch(
      /^ringos 1\.0 on the hyperv platform \(Hyper-V enlightenments: .*VMBus console and storage\)$/m,
    )
    expect(t.boot).toMatch(/^disk: 1024 sectors, \d+ files$/m)
    expect(t.steps).toEqual([{ command: '', output: '' }])
    expect(bootOnly.cpu.instructions).toBeLessThan(5_000_000)
    expect(bootOnly.of('hypercall-page')).toEqual([
      { kind: 'hypercall-page', gpa: expect.any(Number), enabled: true },
    ])
    expect(bootOnly.of('channel-open').map((n) => [n.device, n.ok])).toEqual([
      ['console', true],
      ['storage', true],
    ])
  })

  it('ticks at 100 Hz from STIMER0: 100,000 units of 100 ns are 10^7 cycles, so the TSC is measured at CPU_HZ', () => {
    expect(bootOnly.console).toContain(
      `timer: 100 Hz; TSC: ${CPU_HZ / 1000} kHz (measured against the timer)`,
    )
    expect(
      bootOnly
        .of('interrupt')
        .filter((n) => n.cause === 'stimer')
        .every((n) => n.vector === 32),
    ).toBe(true)
  })

  it('runs the session; every prompt answers', () => {
    expect(steps.map((s) => s.command)).toEqual([...SESSION, ''])
    expect(step('echo hi there')).toBe('hi there\n')
    expect(step('uptime')).toMatch(/^up \d+\.\d\d s \(\d+ timer ticks at 100 Hz\)\n$/)
  })

  it('cat motd and ls read the disk through the storage channel', () => {
    expect(step('cat motd')).toBe(readFileSync(join(FS, 'motd'), 'utf8'))
    const listed = new Map(
      step('ls')
        .trim()
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .map(([size, name]) => [name, Number(size)]),
    )
    for (const f of readdirSync(FS)) expect(listed.get(f), f).toBe(statSync(join(FS, f)).size)
  })

  it('cpuinfo names the hypervisor: "Microsoft Hv"', () => {
    expect(step('cpuinfo')).toMatch(
      /^hypervisor: "Microsoft Hv" \(CPUID\.1:ECX\[31\] set; leaves up to 0x40000005\)$/m,
    )
  })

  it('bench io reads 64 sectors over VMBus, each one request, one signal, one completion interrupt', () => {
    expect(fields(step('bench io'), 'bench io:')).toMatchObject({ reads: '64', errors: '0' })
    const disk = session.of('disk')
    expect(disk.length).toBeGreaterThanOrEqual(64)
    expect(disk.every((n) => n.op === 'read' && n.status === 0 && n.sectors === 1)).toBe(true)
    // A request waits for its completion before the next, so each finds the ring empty and signals.
    expect(signals(session, 2)).toBe(disk.length)
    expect(session.of('host-signal').filter((n) => n.relid === 2).length).toBe(disk.length)
  })

  it('ps shows at least three ring-3 processes', () => {
    const rows = step('ps').trim().split('\n').slice(1)
    expect(rows.filter((r) => r.trim().split(/\s+/)[2] === '3').length).toBeGreaterThanOrEqual(3)
  })

  it('the console is the VMBus channel: nothing on COM1, and one HvCallSignalEvent per write, not per byte', () => {
    expect(session.com1Bytes).toEqual([])
    const packets = session.of('console-output')
    const bytes = packets.reduce((n, p) => n + p.bytes, 0)
    expect(bytes).toBe(session.vmbusBytes.length)
    // The root drains the ring at each signal, so every console write (one packet) finds it empty
    // and signals once; the bytes of a write share that one hypercall.
    expect(signals(session, 1)).toBe(packets.length)
    expect(bytes).toBeGreaterThan(10 * packets.length)
  })

  it('same input, same output and the same instruction count', () => {
    const again = boot(SESSION.join('\n') + '\n')
    expect(again.console).toBe(session.console)
    expect(again.cpu.instructions).toBe(session.cpu.instructions)
  })
})

describe('ringos-hyperv.elf without Hyper-V', () => {
  it('says on COM1 that it needs the hyperv architecture, and halts', async () => {
    const r = await runGuest('ringos-hyperv.elf', '')
    expect(r.stop).toBe('halt')
    expect(r.console).toMatch(/^ringos \(hyperv platform\): no hypervisor \(CPUID\.1:ECX\[31\] clear\)/)
  }, 60_000)
})
