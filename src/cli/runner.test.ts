/**
 * The headless runner's contract (issue 3 item 7, issue 4 item 5): JSON fields, stop reasons, COM1
 * input and output, multiboot entry, and exit code 2 with one line on stderr for bad input.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { DEFAULT_MAX_INSNS, UsageError, parseRunArgs, unescapeInput } from './args'

const root = fileURLToPath(new URL('../..', import.meta.url))
const haveNasm = spawnSync('sh', ['-c', 'command -v nasm']).status === 0
const dir = mkdtempSync(join(tmpdir(), 'ringside-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function runner(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

function asm(name: string, source: string, format: 'bin' | 'elf' = 'bin'): string {
  const src = join(dir, `${name}.asm`)
  const out = join(dir, name)
  writeFileSync(src, source)
  if (format === 'bin') execFileSync('nasm', ['-f', 'bin', '-o', out, src])
  else {
    execFileSync('nasm', ['-f', 'elf32', '-o', `${out}.o`, src])
    execFileSync('ld', ['-m', 'elf_i386', '-Ttext=0x200000', '-o', out, `${out}.o`])
  }
  return out
}

/** COM1 output helpers for the guests below (polls LSR.THRE, SDM-free: PC16550D datasheet). */
const PUTS = `
puts:            ; esi = NUL-terminated string
  lodsb
  test al, al
  jz .done
  mov ah, al
.wait:
  mov dx, 0x3fd
  in al, dx
  test al, 0x20
  jz .wait
  mov al, ah
  mov dx, 0x3f8
  out dx, al
  jmp puts
.done:
  ret
`

describe('argument parsing', () => {
  it('accepts the documented options, decimal and hex numbers', () => {
    const a = parseRunArgs([
      'run',
      '--image',
      'x',
      '--load-addr',
      '0x200000',
      '--entry',
      '2097156',
      '--mem-mib',
      '16',
      '--input',
      'a\\nb',
      '--max-insns',
      '1000',
      '--json',
      '--cmdline',
      'quiet',
    ])
    expect(a).toMatchObject({
      image: 'x',
      loadAddr: 0x200000,
      entry: 2097156,
      memMiB: 16,
      input: 'a\nb',
      maxInsns: 1000,
      json: true,
      cmdline: 'quiet',
    })
    expect(parseRunArgs(['run', '--image', 'x']).maxInsns).toBe(DEFAULT_MAX_INSNS)
    expect(parseRunArgs(['run', '--image', 'x']).arch).toBe('machine')
    expect(parseRunArgs(['run', '--image', 'x', '--arch', 'vmx-null']).arch).toBe('vmx-null')
  })

  it('rejects what it does not understand', () => {
    for (const argv of [
      [],
      ['go'],
      ['run'],
      ['run', '--image'],
      ['run', '--image', 'x', '--mem-mib', 'lots'],
      ['run', '--image', 'x', '--frobnicate'],
      ['run', '--image', 'x', '--entry', '-1'],
    ]) {
      expect(() => parseRunArgs(argv), argv.join(' ')).toThrow(UsageError)
    }
  })

  it('expands the --input escapes', () => {
    expect(unescapeInput('ls\\n\\tx\\\\y\\x41\\q')).toBe('ls\n\tx\\yA\\q')
  })
})

describe.skipIf(!haveNasm)('runner contract (needs nasm, Debian package nasm)', () => {
  it('reports a debug-exit run as one JSON object with every field', () => {
    const img = asm(
      'hello',
      `bits 32
org 0x100000
  mov esi, msg
  call puts
  mov eax, 0x11
  mov ebx, 0x22
  mov dx, 0x501
  mov al, 5
  out dx, al
  hlt
${PUTS}
msg: db "hello, ring 0", 10, 0
`,
    )
    const r = runner(['run', '--image', img, '--json'])
    expect(r.status).toBe(0)
    const lines = r.stdout.trim().split('\n')
    expect(lines).toHaveLength(1)
    const j = JSON.parse(lines[0])
    expect(Object.keys(j).sort()).toEqual([
      'console',
      'cpl',
      'cycles',
      'events',
      'exitCode',
      'faults',
      'instructions',
      'regs',
      'stop',
    ])
    expect(j.stop).toBe('debug-exit')
    expect(j.exitCode).toBe((5 << 1) | 1)
    expect(j.console).toBe('hello, ring 0\n')
    expect(j.cpl).toBe(0)
    expect(Object.keys(j.regs)).toEqual([
      'eax',
      'ebx',
      'ecx',
      'edx',
      'esi',
      'edi',
      'ebp',
      'esp',
      'eip',
      'eflags',
      'cr0',
      'cr2',
      'cr3',
      'cr4',
      'cs',
      'ds',
      'es',
      'fs',
      'gs',
      'ss',
    ])
    expect(j.regs.ebx).toBe(0x22)
    expect(j.regs.cs).toBe(0x08)
    expect(j.regs.ss).toBe(0x10)
    expect(j.regs.cr0).toBe(0x11)
    expect(j.regs.esp).toBe(64 << 20)
    expect(j.events['port-io']).toBeGreaterThan(14)
    expect(j.events['debug-exit']).toBe(1)
    expect(j.instructions).toBeGreaterThan(50)
    expect(j.cycles).toBe(j.instructions)
    expect(j.faults).toEqual({})
  })

  it('stops at HLT with IF clear, at --max-insns, and on a triple fault', () => {
    const halt = runner(['run', '--image', asm('halt', 'bits 32\norg 0x100000\ncli\nhlt\n'), '--json'])
    expect(JSON.parse(halt.stdout)).toMatchObject({ stop: 'halt', instructions: 2 })
    const spin = runner([
      'run',
      '--image',
      asm('spin', 'bits 32\norg 0x100000\njmp $\n'),
      '--json',
      '--max-insns',
      '12345',
    ])
    expect(JSON.parse(spin.stdout)).toMatchObject({ stop: 'max-insns', instructions: 12345 })
    // INT3 with an empty IDT (limit 0): #BP, whose gate is beyond the limit → #GP(3·8+2); its gate is
    // beyond the limit too → a contributory fault during a contributory one → #DF; that fails → shutdown.
    const triple = JSON.parse(
      runner(['run', '--image', asm('triple', 'bits 32\norg 0x100000\nint3\n'), '--json']).stdout,
    )
    expect(triple.stop).toBe('shutdown')
    expect(triple.faults).toEqual({ '3': 1, '8': 1, '13': 1 })
    expect(triple.events.shutdown).toBe(1)
  })

  it('counts retired instructions (a REP string instruction once, one that faults not at all) and --max-insns in steps', () => {
    // Retired, by hand: 9 instructions up to and including REP STOSB; UD2 raises #UD and does not
    // retire; the handler's MOV and IRETD; CLI, HLT: 13 (SDM Vol. 3B §20.2.1.2, "Instructions Retired").
    // Steps: each of the 1,000 iterations, and the attempt at UD2: 13 + 999 + 1 = 1,013.
    // Cycles: one per instruction executed and per further REP iteration, none for the fault: 1,012.
    const img = asm(
      'retired',
      `bits 32
org 0x100000
  mov eax, handler
  mov [idt + 6 * 8], ax
  shr eax, 16
  mov [idt + 6 * 8 + 6], ax
  lgdt [gdtr]
  lidt [idtr]
  mov edi, 0x200000
  mov ecx, 1000
  rep stosb
  ud2
back:
  cli
  hlt
handler:
  mov dword [esp], back
  iretd
align 8
gdt: dq 0, 0x00cf9b000000ffff, 0x00cf93000000ffff
gdtr: dw $ - gdt - 1
  dd gdt
idt: times 6 dq 0
  dw 0, 0x08, 0x8e00, 0
idtr: dw $ - idt - 1
  dd idt
`,
    )
    const whole = JSON.parse(runner(['run', '--image', img, '--json']).stdout)
    expect(whole).toMatchObject({ stop: 'halt', instructions: 13, cycles: 1012, faults: { '6': 1 } })
    // 9 steps: 8 instructions and the first iteration of REP STOSB (at 0x10002c: 5 + 6 + 3 + 6 + 7 +
    // 7 + 5 + 5 bytes in), which has not retired: EIP stays on it.
    const cut = JSON.parse(runner(['run', '--image', img, '--json', '--max-insns', '9']).stdout)
    expect(cut).toMatchObject({ stop: 'max-insns', instructions: 8, cycles: 9 })
    expect(cut.regs).toMatchObject({ ecx: 999, eip: 0x10002c })
    const steps = JSON.parse(runner(['run', '--image', img, '--json', '--max-insns', '1012']).stdout)
    expect(steps).toMatchObject({ stop: 'max-insns', instructions: 12 })
  })

  it('loads a flat image at --load-addr, enters at --entry, and feeds --input to COM1', () => {
    const echo = asm(
      'echo',
      `bits 32
org 0x300000
  db 0xcc          ; never executed: --entry skips it
start:
.next:
  mov dx, 0x3fd
  in al, dx
  test al, 1
  jz .next
  mov dx, 0x3f8
  in al, dx
  cmp al, '.'
  je .stop
  out dx, al
  jmp .next
.stop:
  cli
  hlt
`,
    )
    const j = JSON.parse(
      runner([
        'run',
        '--image',
        echo,
        '--load-addr',
        '0x300000',
        '--entry',
        '0x300001',
        '--input',
        'ab\\nc.',
        '--json',
      ]).stdout,
    )
    expect(j.stop).toBe('halt')
    expect(j.console).toBe('ab\nc')
    expect(j.faults).toEqual({})
  })

  it('boots an ELF with a multiboot header: EAX = 0x2BADB002, EBX = the info with memory and command line', () => {
    const mb = asm(
      'mb',
      `bits 32
section .text
global _start
align 4
  dd 0x1badb002, 0, -0x1badb002
_start:
  mov edi, eax
  mov esi, [ebx+16]      ; cmdline
  call puts
  mov ecx, [ebx+8]       ; mem_upper (KiB)
  mov edx, [ebx]         ; flags
  cli
  hlt
${PUTS}
`,
      'elf',
    )
    const j = JSON.parse(
      runner(['run', '--image', mb, '--mem-mib', '16', '--cmdline', 'init=/bin/sh quiet', '--json']).stdout,
    )
    expect(j.stop).toBe('halt')
    expect(j.regs.edi).toBe(0x2badb002)
    expect(j.console).toBe('init=/bin/sh quiet')
    expect(j.regs.ecx).toBe(15 * 1024)
    expect(j.regs.edx & 5).toBe(5)
    expect(j.regs.eip).toBeGreaterThan(0x200000)
  })

  it('counts faults by vector and reports the CPL', () => {
    // A #UD handler that skips the 2-byte UD2, reached through a DPL-0 interrupt gate; three UD2s, then stop.
    const img = asm(
      'faults',
      `bits 32
org 0x100000
  lgdt [gdtr]
  lidt [idtr]
  ud2
  ud2
  ud2
  cli
  hlt
handler:
  add dword [esp], 2
  iretd
align 8
idt: times 6 dq 0
  dw handler, 0x08, 0x8e00, 0x0010
idtr: dw 7*8-1
  dd idt
gdt: dq 0, 0x00cf9b000000ffff, 0x00cf93000000ffff
gdtr: dw 23
  dd gdt
`,
    )
    const j = JSON.parse(runner(['run', '--image', img, '--json']).stdout)
    expect(j.stop).toBe('halt')
    expect(j.faults).toEqual({ '6': 3 })
    expect(j.events.exception).toBe(3)
    expect(j.cpl).toBe(0)
  })

  it('runs the guest in VMX non-root operation with --arch vmx-null: the bare-metal result plus its VM exits', () => {
    const img = asm(
      'vmx',
      `bits 32
org 0x100000
  cpuid                ; exits unconditionally (10)
  rdtsc                ; RDTSC exiting (16)
  mov ebx, eax
  mov esi, msg
  call puts            ; IN and OUT: unconditional I/O exiting (30)
  mov eax, cr3         ; no CR3-store exiting: no exit
  mov cr3, eax         ; CR3-load exiting (28)
  cli
  hlt                  ; HLT exiting (12); IF = 0 ends the run
${PUTS}
msg: db "non-root", 10, 0
`,
    )
    const bare = JSON.parse(runner(['run', '--image', img, '--json']).stdout)
    const vmx = JSON.parse(runner(['run', '--image', img, '--json', '--arch', 'vmx-null']).stdout)
    expect(Object.keys(vmx).sort()).toEqual([...Object.keys(bare), 'exitNames', 'exits'].sort())
    for (const k of ['stop', 'instructions', 'cycles', 'regs', 'cpl', 'console', 'faults'])
      expect(vmx[k], k).toEqual(bare[k])
    expect(vmx.console).toBe('non-root\n')
    expect(vmx.exits).toEqual({ '10': 1, '12': 1, '16': 1, '28': 1, '30': bare.events['port-io'] })
    expect(vmx.exitNames).toEqual({
      '10': 'CPUID',
      '12': 'HLT',
      '16': 'RDTSC',
      '28': 'Control-register accesses',
      '30': 'I/O instruction',
    })
    expect(vmx.events['vm-exit']).toBe(4 + bare.events['port-io'])
    expect(vmx.events['vm-entry']).toBe(vmx.events['vm-exit'])
    expect(runner(['run', '--image', img, '--arch', 'nosuch']).status).toBe(2)
  })

  it('reports bad arguments and bad images with one line on stderr and exit code 2', () => {
    const elfBad = join(dir, 'bad.elf')
    writeFileSync(elfBad, Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0, ...new Array(60).fill(0)))
    const big = asm('big', 'bits 32\norg 0x100000\ntimes 3*1024*1024 db 0x90\n')
    for (const args of [
      ['run', '--image'],
      ['run', '--bogus'],
      ['walk', '--image', 'x'],
      ['run', '--image', join(dir, 'does-not-exist')],
      ['run', '--image', elfBad],
      ['run', '--image', big, '--mem-mib', '2'],
    ]) {
      const r = runner(args)
      expect(r.status, args.join(' ')).toBe(2)
      expect(r.stdout).toBe('')
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1)
      expect(r.stderr).toMatch(/^ringside: /)
    }
  })
})

/** The files of a ustar archive (POSIX.1 "ustar Interchange Format": 512-byte headers, octal sizes), in order. */
function ustarFiles(tar: Uint8Array): { name: string; mode: string; data: Uint8Array }[] {
  const text = (o: number, n: number): string =>
    String.fromCharCode(...tar.subarray(o, o + n)).replace(/\0.*$/s, '')
  const files = []
  for (let off = 0; off + 512 <= tar.length && tar[off] !== 0;) {
    const size = parseInt(text(off + 124, 12), 8)
    files.push({
      name: text(off, 100),
      mode: text(off + 100, 8),
      data: tar.slice(off + 512, off + 512 + size),
    })
    off += 512 + Math.ceil(size / 512) * 512
  }
  return files
}

describe('--disk', () => {
  const image = join(root, 'public/guests/ringos-native.elf')

  it("boots the guest on the disk it names instead of the image's own (guests.json)", () => {
    // A disk made here with guest/tools/mkustar.mjs: the programs of the image's own disk, a motd of
    // our own, no readme.txt, and twice the size.
    const own = ustarFiles(new Uint8Array(readFileSync(join(root, 'public/guests/ringos-disk.img'))))
    expect(own.map((f) => f.name)).toContain('bin/sh')
    const motd = 'This disk was made by src/cli/runner.test.ts. 这张盘是测试做的。\n'
    const entries = own
      .filter((f) => f.name !== 'readme.txt')
      .map((f, i) => {
        const file = join(dir, `entry-${i}`)
        writeFileSync(file, f.name === 'motd' ? motd : f.data)
        return `${f.name}=${file}:${f.mode.replace(/^0+/, '')}`
      })
    const disk = join(dir, 'other-disk.img')
    execFileSync(process.execPath, [join(root, 'guest/tools/mkustar.mjs'), disk, '1024', ...entries], {
      env: { ...process.env, SOURCE_DATE_EPOCH: '0' },
    })
    const bytes = readFileSync(disk)
    for (const arch of ['machine', 'vmx-null']) {
      const r = runner([
        'run',
        '--image',
        image,
        '--arch',
        arch,
        '--disk',
        disk,
        '--until-idle',
        '--input',
        'cat motd\\n',
        '--json',
      ])
      expect(r.status, arch).toBe(0)
      const j = JSON.parse(r.stdout)
      expect(j.stop, arch).toBe('idle')
      expect(j.console, arch).toMatch(new RegExp(`^disk: 2048 sectors, ${own.length - 1} files$`, 'm'))
      expect(j.console.replace(/\r\n/g, '\n'), arch).toContain(`$ cat motd\n${motd}$ `)
    }
    expect(readFileSync(disk).equals(bytes)).toBe(true) // the runner works on a copy
  })

  it('reports a disk it cannot read with one line on stderr and exit code 2', () => {
    const missing = join(dir, 'no-such-disk.img')
    const r = runner(['run', '--image', image, '--disk', missing, '--until-idle'])
    expect(r.status).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe(`ringside: cannot read disk '${missing}': ENOENT\n`)
  })
})
