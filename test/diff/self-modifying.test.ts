/**
 * Self-modifying code on one CPU (SDM Vol. 3A §8.1.3 "Handling Self- and Cross-Modifying Code",
 * §11.6 "Self-Modifying Code"): a store to an instruction's linear address takes effect for the next
 * instruction fetched after it — a store into the decoded block being executed, just ahead of EIP,
 * further ahead, one that changes an instruction's length, a REP MOVSB over the code ahead, and a
 * store behind EIP that a loop executes again. The same ELF runs as a Linux process on this
 * machine's CPU (its code section is writable) and in the Ringside CPU; their results must agree,
 * and equal what the patched code computes.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { missingTools, runEngine, runNative } from './harness'

const PROGRAM = `bits 32
section .smc progbits alloc exec write align=16
global _start
_start:
  ; 1. Just ahead of EIP: the immediate of the next instruction.
  mov byte [p1 + 1], 42
p1:
  mov eax, 7
  mov [results], eax
  ; 2. Further ahead in the same straight-line code.
  mov dword [p2 + 1], 0x11223344
  xor ebx, ebx
  inc ecx
  nop
p2:
  mov ebx, 0
  mov [results + 4], ebx
  ; 3. Five NOPs become MOV EDX, imm32: an instruction of another length.
  mov dword [p3], 0x556677ba
  mov byte [p3 + 4], 0x44
  xor edx, edx
p3:
  times 5 nop
  mov [results + 8], edx
  ; 4. Behind EIP: the loop's ADD is patched after it ran once; the second pass runs the new one.
  mov ecx, 2
  xor esi, esi
p4:
  add esi, strict byte 1
  mov byte [p4 + 2], 0x10
  dec ecx
  jnz p4
  mov [results + 12], esi
  ; 5. REP MOVSB copies new code over the instruction just ahead.
  mov esi, template
  mov edi, p5
  mov ecx, template_end - template
  cld
  rep movsb
p5:
  mov edi, 1
  mov [results + 16], edi
  ; Results: at CPL 3 (Linux) write them to stdout and exit; at CPL 0 (Ringside) stop with ECX/EDX
  ; pointing at them (test/diff/harness.ts runEngine).
  mov ecx, results
  mov edx, 20
  mov ax, cs
  test al, 3
  jz .engine
  mov eax, 4
  mov ebx, 1
  int 0x80
  mov eax, 1
  xor ebx, ebx
  int 0x80
.engine:
  hlt
template:
  mov edi, 0xabcdef01
template_end:
section .bss
results: resd 5
`

/** What the patched code computes: 42, 0x11223344, 0x44556677, 1 + 0x10, 0xabcdef01. */
const EXPECTED = [42, 0x11223344, 0x44556677, 0x11, 0xabcdef01]

const missing = missingTools()
const dir = missing ? '' : mkdtempSync(join(tmpdir(), 'ringside-smc-'))
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe.skipIf(missing !== null)('self-modifying code: native CPU = Ringside', () => {
  it('a store into the code being executed takes effect for the next fetch', () => {
    const src = join(dir, 'smc.asm')
    const elf = join(dir, 'smc')
    writeFileSync(src, PROGRAM)
    execFileSync('nasm', ['-f', 'elf32', '-o', `${elf}.o`, src])
    execFileSync('ld', [
      '-m',
      'elf_i386',
      '-Ttext-segment=0x100000',
      '--no-warn-rwx-segments',
      '-o',
      elf,
      `${elf}.o`,
    ])
    const native = runNative(elf, 20)
    expect(Array.from(native.records), native.runner).toEqual(EXPECTED)
    expect(Array.from(runEngine(elf, 20).records)).toEqual(EXPECTED)
  })
})

describe.skipIf(missing === null)('self-modifying code', () => {
  it.skip(`needs ${missing}`, () => {})
})
