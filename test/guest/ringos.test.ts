// ringos booted through Ringside's headless runner on the bare-metal PC, native and virtio images:
// boot to the prompt, the shell's commands, every lab program's result line, a faulting program, and
// determinism. Expected values come from the guest's sources (the disk's files, the GDT's address in
// the symbol map) or from an independent computation (CRC-32 from Node's zlib), not from the run.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import { fields, runGuest, transcript, type RunResult, type Step } from './runner'
import { GUESTS, REPO } from './tools'

const FS = join(REPO, 'guest', 'fs')
const PROGRAMS = readdirSync(join(REPO, 'guest', 'user'))
  .filter((f) => f.endsWith('.c') && f !== 'ulib.c')
  .map((f) => f.slice(0, -2))

/** The commands of the long session, in order. */
const SESSION = [
  'help',
  'echo hi there',
  'ps',
  'cat motd',
  'ls',
  'cpuinfo',
  'uptime',
  'bench cpu',
  'bench syscall',
  'bench io',
  'bench pio',
  'forkwait 10',
  'ptemod 1000',
  'popf',
  'sgdt',
  'fault',
  'echo still here',
  'nosuch',
]

/** cycles / n with two decimals, truncated, as the guest prints it. */
function ratio(cycles: string, n: string): string {
  return (Math.floor((Number(cycles) * 100) / Number(n)) / 100).toFixed(2)
}

function gdtAddress(platform: string): number {
  const map = JSON.parse(readFileSync(join(GUESTS, `ringos-${platform}.map.json`), 'utf8')) as {
    images: { kernel: { objects: { name: string; start: number; end: number }[] } }
  }
  const gdt = map.images.kernel.objects.find((o) => o.name === 'gdt')
  if (!gdt) throw new Error('no gdt in the kernel map')
  return gdt.start
}

const hex = (n: number, digits: number) => '0x' + n.toString(16).padStart(digits, '0')

describe.each(['native', 'virtio'])('ringos-%s.elf', (platform) => {
  const image = `ringos-${platform}.elf`
  let boot: RunResult
  let session: RunResult
  let steps: Step[]
  const step = (command: string): string => {
    const s = steps.find((x) => x.command === command)
    if (!s) throw new Error(`'${command}' is not in the transcript`)
    return s.output
  }

  beforeAll(async () => {
    ;[boot, session] = await Promise.all([runGuest(image, ''), runGuest(image, SESSION.join('\n') + '\n')])
    steps = transcript(session.console).steps
  }, 120_000)

  it('boots to the shell prompt in fewer than 5 M instructions', () => {
    expect(boot.stop).toBe('idle')
    const t = transcript(boot.console)
    expect(t.boot).toContain(`ringos 1.0 on the ${platform} platform`)
    expect(t.boot).toMatch(/^disk: 1024 sectors, \d+ files$/m)
    expect(t.steps).toEqual([{ command: '', output: '' }]) // one prompt, nothing after it
    expect(boot.instructions).toBeLessThan(5_000_000)
  })

  it('runs every command of the session, each answered by a prompt', () => {
    expect(session.stop).toBe('idle')
    expect(steps.map((s) => s.command)).toEqual([...SESSION, ''])
  })

  it('help names every command in /bin and every mode of bench', () => {
    const help = step('help')
    // Programs that are not commands: init and clockd run from boot, sh is the shell, true is forkwait's child.
    for (const p of PROGRAMS.filter((x) => !['init', 'clockd', 'sh', 'true'].includes(x)))
      expect(help, p).toMatch(new RegExp(`^  ${p}\\b`, 'm'))
    const usage = /usage: (bench .*)\\n/.exec(readFileSync(join(REPO, 'guest', 'user', 'bench.c'), 'utf8'))
    const modes = [...(usage?.[1] ?? '').matchAll(/bench (\w+)/g)].map((m) => m[1])
    expect(modes).toContain('pio')
    for (const mode of modes) expect(help, mode).toMatch(new RegExp(`^  bench \\S*\\b${mode}\\b`, 'm'))
  })

  it('echo', () => {
    expect(step('echo hi there')).toBe('hi there\n')
  })

  it('ps shows init, the shell, the daemon and ps itself in ring 3, and the idle loop in ring 0', () => {
    const rows = step('ps')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/))
    const byName = new Map(
      rows.map((r) => [r[6], { pid: Number(r[0]), ppid: Number(r[1]), ring: r[2], state: r[3] }]),
    )
    expect(byName.get('idle')).toMatchObject({ pid: 0, ring: '0' })
    expect(byName.get('init')).toMatchObject({ pid: 1, ring: '3' })
    expect(byName.get('sh')).toMatchObject({ ppid: 1, ring: '3', state: 'blocked' })
    expect(byName.get('clockd')).toMatchObject({ ppid: 1, ring: '3', state: 'sleeping' })
    expect(byName.get('ps')).toMatchObject({ ppid: byName.get('sh')?.pid, ring: '3', state: 'running' })
    expect(rows.filter((r) => r[2] === '3').length).toBeGreaterThanOrEqual(3)
  })

  it('cat motd prints the bilingual file from the disk', () => {
    const motd = readFileSync(join(FS, 'motd'), 'utf8')
    expect(motd).toMatch(/[\u4e00-\u9fff]/) // it does hold Chinese text
    expect(step('cat motd')).toBe(motd)
  })

  it('ls lists the text files with their sizes and every program', () => {
    const listed = new Map(
      step('ls')
        .trim()
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .map(([size, name]) => [name, Number(size)]),
    )
    for (const f of readdirSync(FS)) expect(listed.get(f), f).toBe(statSync(join(FS, f)).size)
    for (const p of PROGRAMS) expect(listed.has(`bin/${p}`), p).toBe(true)
  })

  it('cpuinfo reports the CPU and, on bare metal, no hypervisor', () => {
    const out = step('cpuinfo')
    expect(out).toMatch(/^vendor: \S{12}\n/)
    expect(out).toMatch(/^family: \d+ model: \d+ stepping: \d+$/m)
    expect(out).toMatch(/^brand: \S.*$/m)
    expect(out).toMatch(/^hypervisor: none \(CPUID.1:ECX\[31\] clear\)$/m)
  })

  it('uptime', () => {
    expect(step('uptime')).toMatch(/^up \d+\.\d\d s \(\d+ timer ticks at 100 Hz\)\n$/)
  })

  it('bench cpu computes the right CRC-32 and reports its cycles', () => {
    const f = fields(step('bench cpu'), 'bench cpu:')
    const data = Uint8Array.from({ length: Number(f.bytes) }, (_, i) => (i * 31 + 7) & 0xff)
    expect(f.bytes).toBe('16384')
    expect(f.crc32).toBe(hex(crc32(data), 8))
    expect(f.cycles_per_byte).toBe(ratio(f.cycles, f.bytes))
  })

  it('bench syscall', () => {
    const f = fields(step('bench syscall'), 'bench syscall:')
    expect(f.calls).toBe('10000')
    expect(Number(f.cycles)).toBeGreaterThan(0)
    expect(f.cycles_per_call).toBe(ratio(f.cycles, f.calls))
  })

  it('bench io reads sectors without errors', () => {
    const f = fields(step('bench io'), 'bench io:')
    expect(f).toMatchObject({ reads: '64', errors: '0' })
    expect(f.cycles_per_read).toBe(ratio(f.cycles, f.reads))
  })

  it('bench pio reads port 0x80 in the kernel', () => {
    const f = fields(step('bench pio'), 'bench pio:')
    expect(f.reads).toBe('1000')
    expect(Number(f.cycles)).toBeGreaterThan(0)
    expect(f.cycles_per_read).toBe(ratio(f.cycles, f.reads))
  })

  it('forkwait creates and reaps its children', () => {
    const f = fields(step('forkwait 10'), 'forkwait:')
    expect(f).toMatchObject({ children: '10', failed: '0' })
    expect(f.cycles_per_child).toBe(ratio(f.cycles, f.children))
  })

  it('ptemod sees every remapping', () => {
    const f = fields(step('ptemod 1000'), 'ptemod:')
    expect(f).toMatchObject({ updates: '1000', check: 'ok' })
    expect(f.cycles_per_update).toBe(ratio(f.cycles, f.updates))
  })

  it('popf: on bare metal POPF really clears IF and no timer tick arrives', () => {
    const f = fields(step('popf'), 'popf:')
    expect(f).toEqual({
      if_before: '1',
      if_after: '0',
      ticks_while_disabled: '0',
      spin_ms: '30',
      result: 'ok',
    })
  })

  it('sgdt: ring 3 and the kernel both see the GDT the kernel loaded', () => {
    const gdt = `${hex(gdtAddress(platform), 8)}/0x002f` // six 8-byte descriptors: limit 47
    const f = fields(step('sgdt'), 'sgdt:')
    expect(f).toEqual({
      lgdt: gdt,
      ring3: gdt,
      kernel: gdt,
      kernel_cpl: '0',
      result: 'match',
      ring3_result: 'match',
    })
  })

  it('a faulting program is killed with a report and the shell lives on', () => {
    const out = step('fault')
    expect(out).toMatch(
      /^\*\*\* exception #PF \(vector 14, page fault\) in process \d+ \(fault\) at ring 3$/m,
    )
    expect(out).toMatch(/error 0x00000006 \(not present, write, user\) {2}cr2 0x00000000$/m)
    expect(out).toMatch(/^\*\*\* {3}process \d+ \(fault\) killed; the kernel carries on$/m)
    expect(out).toMatch(/^sh: fault was killed by exception 14$/m)
    expect(session.faults).toEqual({ '14': 1 })
    expect(step('echo still here')).toBe('still here\n')
    expect(step('nosuch')).toBe('sh: nosuch: command not found (try help)\n')
  })

  it('same input, same output and the same instruction count', async () => {
    const input = 'echo hi\nps\nbench syscall 100\n'
    const [a, b] = await Promise.all([runGuest(image, input), runGuest(image, input)])
    expect(a.stop).toBe('idle')
    expect(b).toEqual(a)
  })
})
