/**
 * The retired-instruction count (`Cpu.instructions`, the runner's `instructions`) counts what the
 * architectural event "Instructions Retired" counts (SDM Vol. 3B §20.2.1.2): "an instruction with a
 * REP prefix counts as one instruction (not per iteration)". The reference is qemu-i386 running the
 * same ELF as a Linux process: the program is straight-line, so each instruction it executes retires
 * exactly once, and the instructions qemu translated between `_start` and `done` (each address once;
 * qemu translates a REP instruction again for its repeat) are the count. `perf stat -e instructions:u`
 * on a native run would be the other reference, but needs a PMU (virtual machines often have none).
 *
 * Virtual time is not the retired count: one cycle per step, and each REP iteration is a step.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { BareMetal } from '../../src/engine/machine/bare-metal-run'
import { missingTools } from './harness'

const PROGRAM = `bits 32
section .text
global _start, done
_start:
  cld
  mov edi, buf
  mov ecx, 1000
  xor eax, eax
  rep stosb                 ; 1000 iterations
  mov esi, buf
  mov edi, buf2
  mov ecx, 300
  rep movsd                 ; 300
  xor ecx, ecx
  rep stosd                 ; ECX = 0: retires without an iteration
  mov byte [buf2 + 40], 1
  mov esi, buf
  mov edi, buf2
  mov ecx, 100
  repe cmpsb                ; stops at the first difference: 41
  mov edi, buf2
  mov al, 1
  mov ecx, 100
  repne scasb               ; stops at the match: 41
  std
  lea esi, [buf + 99]
  lea edi, [buf2 + 199]
  mov ecx, 100
  rep movsb                 ; backwards, 100
  cld
  mov esi, buf
  mov ecx, 16
  rep lodsd                 ; 16
  movsb                     ; no prefix
done:                       ; at CPL 3 (Linux) exit(0); at CPL 0 (the engine) HLT
  mov ax, cs
  test al, 3
  jz .engine
  mov eax, 1
  xor ebx, ebx
  int 0x80
.engine:
  hlt
section .bss
buf: resb 4096
buf2: resb 4096
`

/** Iterations beyond the first of each REP instruction above: steps (and cycles) the retired count leaves out. */
const EXTRA_ITERATIONS = 999 + 299 + 40 + 40 + 99 + 15
/** Instructions the engine retires from `done` on: MOV, TEST, JZ, HLT. */
const ENGINE_TAIL = 4

const missing =
  missingTools() ??
  (spawnSync('sh', ['-c', 'command -v qemu-i386']).status === 0
    ? null
    : 'qemu-i386 (Debian package qemu-user)')
const dir = missing ? '' : mkdtempSync(join(tmpdir(), 'ringside-retired-'))
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

function build(): string {
  const src = join(dir, 'retired.asm')
  const elf = join(dir, 'retired')
  writeFileSync(src, PROGRAM)
  execFileSync('nasm', ['-f', 'elf32', '-o', `${elf}.o`, src])
  execFileSync('ld', ['-m', 'elf_i386', '-Ttext-segment=0x100000', '-o', elf, `${elf}.o`])
  return elf
}

/** Instructions qemu-i386 executed in [_start, done): distinct addresses in its `-d in_asm` log. */
function qemuCount(elf: string): number {
  const sym = (name: string): number => {
    const line = execFileSync('nm', [elf], { encoding: 'utf8' })
      .split('\n')
      .find((l) => l.endsWith(` ${name}`))
    if (line === undefined) throw new Error(`no symbol ${name} in ${elf}`)
    return parseInt(line, 16)
  }
  const log = join(dir, 'in_asm.log')
  const r = spawnSync('qemu-i386', ['-d', 'in_asm', '-D', log, elf])
  if (r.status !== 0) throw new Error(`qemu-i386 ${elf} exited with ${r.status}: ${String(r.stderr)}`)
  const [start, done] = [sym('_start'), sym('done')]
  const seen = new Set<number>()
  for (const m of readFileSync(log, 'utf8').matchAll(/^0x([0-9a-f]+):/gm)) {
    const a = parseInt(m[1], 16)
    if (a >= start && a < done) seen.add(a)
  }
  return seen.size
}

/** Runs the ELF on a Ringside PC, in one run or in runs of `chunk` steps (a REP instruction is left and resumed many times). */
function engineRun(elf: string, chunk: number): { instructions: number; cycles: number } {
  const m = new BareMetal()
  m.load(new Uint8Array(readFileSync(elf)))
  let stop = m.run(chunk)
  while (stop === 'max-insns') stop = m.run(chunk)
  expect(stop).toBe('halt')
  return { instructions: m.cpu.instructions, cycles: m.clock.cycles }
}

describe.skipIf(missing !== null)('retired instructions: a REP string instruction counts once', () => {
  it('the engine retires what qemu-i386 executes, however the run is cut', () => {
    const elf = build()
    const reference = qemuCount(elf)
    // A hand count of the source between _start and done: 30 instructions.
    expect(reference).toBe(30)
    const whole = engineRun(elf, 1_000_000)
    expect(whole.instructions).toBe(reference + ENGINE_TAIL)
    expect(whole.cycles).toBe(reference + ENGINE_TAIL + EXTRA_ITERATIONS)
    // Stopped and resumed every 3 steps, each REP instruction stops with iterations left many times.
    expect(engineRun(elf, 3)).toEqual(whole)
  })
})

describe.skipIf(missing === null)('retired instructions', () => {
  it.skip(`need ${missing}`, () => {})
})
