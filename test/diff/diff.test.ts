/**
 * Differential suite (issue 3 "Tests that must exist"; issue 4 "extended to flat ring-3 code"): seeded
 * cases run on this machine's CPU and in Ringside's, compared register by register, flag by flag.
 *
 *   RINGSIDE_DIFF_CASES=100000 RINGSIDE_DIFF_SEED=7 npx vitest run test/diff/diff.test.ts
 *   RINGSIDE_DIFF_STRICT=1 … also compares the flags the SDM leaves undefined.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Cpu } from '../../src/engine/cpu/cpu'
import type { PhysicalMemory } from '../../src/engine/machine/memory'
import { EventKind } from '../../src/engine/trace/schema'
import { generateCases } from './generator'
import {
  RECORD_DWORDS,
  buildProgram,
  compareRecords,
  missingTools,
  runEngine,
  runNative,
  type NativeRunner,
} from './harness'

const CASES = Number(process.env.RINGSIDE_DIFF_CASES ?? 5000)
const SEED = Number(process.env.RINGSIDE_DIFF_SEED ?? 1)
const STRICT = process.env.RINGSIDE_DIFF_STRICT === '1'
const BATCH = 1000
const missing = missingTools()
const dir = missing ? '' : mkdtempSync(join(tmpdir(), 'ringside-diff-'))
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/**
 * A minimal ring-0 monitor that puts the program at CPL 3 (SDM Vol. 3A §6.12: IRET to an outer ring),
 * with a DPL-3 interrupt gate for INT 0x80 that stops the machine, so the program's own "write
 * results" system call ends the run with ECX/EDX pointing at them.
 */
const RING3_MONITOR = `
bits 32
org 0x5000
  lgdt [gdtr]
  lidt [idtr]
  mov cx, 0x10
  mov ds, cx
  mov es, cx
  mov ss, cx
  mov esp, 0x9000
  mov cx, 0x28
  ltr cx
  push 0x23
  push 0x8000
  push 0x202
  push 0x1b
  push eax
  mov cx, 0x23
  mov ds, cx
  mov es, cx
  mov fs, cx
  mov gs, cx
  iretd
syscall:
  hlt
align 8
gdt:
  dq 0
  dq 0x00cf9b000000ffff
  dq 0x00cf93000000ffff
  dq 0x00cffb000000ffff
  dq 0x00cff3000000ffff
  dw 103, tss, 0x8900, 0
gdtr: dw 47
  dd gdt
idt: times 0x80 dq 0
  dw syscall, 0x08, 0xee00, 0
idtr: dw 0x80*8+7
  dd idt
tss: dd 0, 0x9000, 0x10
  times 23 dd 0
  dw 0, 104
`

function ring3Setup(): (cpu: Cpu, mem: PhysicalMemory) => void {
  const src = join(dir, 'ring3.asm')
  const bin = join(dir, 'ring3.bin')
  writeFileSync(src, RING3_MONITOR)
  execFileSync('nasm', ['-f', 'bin', '-o', bin, src])
  const code = new Uint8Array(readFileSync(bin))
  return (cpu, mem) => {
    mem.writeBytes(0x5000, code)
    cpu.r[0] = cpu.eip
    cpu.eip = 0x5000
  }
}

function runSuite(cpl: 0 | 3): { mismatches: string[]; runner: NativeRunner } {
  const mismatches: string[] = []
  let runner: NativeRunner = 'native'
  const setup = cpl === 3 ? ring3Setup() : undefined
  for (let first = 0; first < CASES; first += BATCH) {
    const n = Math.min(BATCH, CASES - first)
    const cases = generateCases(SEED + first, n, first)
    const elf = buildProgram(cases, dir, `batch${first}`)
    const native = runNative(elf, n * RECORD_DWORDS * 4)
    runner = native.runner
    const engine = runEngine(elf, n * RECORD_DWORDS * 4, setup)
    // At CPL 3 the run goes IRET → ring 3 → INT 0x80 → ring 0: exactly two ring changes.
    if (cpl === 3) expect(engine.cpu.sink.counts[EventKind.RingChange]).toBe(2)
    mismatches.push(...compareRecords(cases, native.records, engine.records, STRICT))
  }
  return { mismatches, runner }
}

describe.skipIf(missing !== null)(
  `differential suite: ${CASES} cases, seed ${SEED}${STRICT ? ', strict' : ''}`,
  () => {
    it('matches the real CPU at CPL 0 (registers, defined flags, memory)', () => {
      const { mismatches, runner } = runSuite(0)
      console.info(
        `differential suite at CPL 0: ${CASES} cases against the ${runner === 'native' ? 'real CPU' : 'qemu-i386 emulator'}`,
      )
      expect(mismatches.slice(0, 20)).toEqual([])
    })

    it('matches the real CPU at CPL 3 (entered by IRET from a ring-0 monitor, left by INT 0x80)', () => {
      const { mismatches } = runSuite(3)
      expect(mismatches.slice(0, 20)).toEqual([])
    })
  },
)

describe.skipIf(missing === null)('differential suite', () => {
  it.skip(`needs ${missing}`, () => {})
})
