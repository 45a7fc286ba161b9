/**
 * Runs differential cases twice — as a Linux i386 program on the real CPU (or under qemu-i386 where
 * this machine cannot run 32-bit binaries natively) and in the Ringside CPU — and compares the
 * registers, EFLAGS (minus the flags the SDM leaves undefined) and the scratch memory after each.
 *
 * One program holds a batch of cases. It is linked at 1 MiB so the same ELF file runs unchanged in
 * both places: at the end it checks its privilege level (CS.RPL) — at CPL 3 it is the Linux process
 * and writes its result records to stdout; in the engine it is at CPL 0 (or at CPL 3 under the
 * harness's tiny ring-0 monitor) and stops, and the harness reads the records from memory.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Cpu } from '../../src/engine/cpu/cpu'
import { loadImage } from '../../src/engine/loader/load-image'
import { MmioBus, PortBus } from '../../src/engine/machine/bus'
import { PhysicalMemory } from '../../src/engine/machine/memory'
import { EventSink } from '../../src/engine/trace/sink'
import { type DiffCase, REGS } from './generator'

/** Record per case: EAX ECX EDX EBX ESP EBP ESI EDI, EFLAGS, 16 scratch dwords. */
export const RECORD_DWORDS = 25
const DUMP_ORDER = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0
}

export type NativeRunner = 'native' | 'qemu-i386'

/** What is missing to run the suite (tool and Debian package), or null. */
export function missingTools(): string | null {
  if (!which('nasm')) return 'nasm (Debian package nasm)'
  if (!which('ld')) return 'ld (Debian package binutils)'
  return null
}

function flagsHex(v: number): string {
  return `0x${(v >>> 0).toString(16)}`
}

/** The NASM source of a batch. */
export function programSource(cases: readonly DiffCase[]): string {
  const out: string[] = [
    'bits 32',
    `%define NCASES ${cases.length}`,
    `%define REC ${RECORD_DWORDS * 4}`,
    '%macro DUMP 1',
    ...DUMP_ORDER.map((r, k) => `  mov [results+%1*REC+${k * 4}], ${r}`),
    '  mov esp, stack_top',
    '  pushfd',
    '  pop dword [results+%1*REC+32]',
    '  %assign j 0',
    '  %rep 16',
    '    mov eax, [scratch+j*4]',
    '    mov [results+%1*REC+36+j*4], eax',
    '    %assign j j+1',
    '  %endrep',
    '%endmacro',
    'section .text',
    'global _start',
    '_start:',
  ]
  cases.forEach((c, k) => {
    out.push(
      `case${c.id}:`,
      `  ; ${c.name}`,
      '  mov esp, stack_top',
      `  push dword ${flagsHex(c.flags)}`,
      '  popfd',
    )
    c.scratch.forEach((v, j) =>
      out.push(`  mov dword [scratch+${j * 4}], ${typeof v === 'number' ? flagsHex(v) : v}`),
    )
    out.push(`  mov esp, ${c.esp}`)
    for (const r of REGS) out.push(`  mov ${r}, ${c.regs[r]}`)
    for (const l of c.lines) out.push(`  ${l}`)
    out.push(`  DUMP ${k}`)
  })
  out.push(
    'done:',
    '  mov ecx, results',
    '  mov edx, NCASES*REC',
    '  mov ax, cs',
    '  test al, 3',
    '  jz .engine',
    '  mov eax, 4',
    '  mov ebx, 1',
    '  int 0x80',
    '  mov eax, 1',
    '  xor ebx, ebx',
    '  int 0x80',
    '.engine:',
    '  hlt',
    'section .data',
    'align 16',
    'scratch: times 16 dd 0',
    'section .bss',
    'alignb 16',
    'results: resb NCASES*REC',
    'stack: resb 256',
    'stack_top:',
  )
  return out.join('\n') + '\n'
}

/** Assembles and links a batch into `dir/name` (an ELF linked at 1 MiB). */
export function buildProgram(cases: readonly DiffCase[], dir: string, name: string): string {
  mkdirSync(dir, { recursive: true })
  const asm = join(dir, `${name}.asm`)
  const obj = join(dir, `${name}.o`)
  const elf = join(dir, name)
  writeFileSync(asm, programSource(cases))
  execFileSync('nasm', ['-f', 'elf32', '-o', obj, asm])
  execFileSync('ld', ['-m', 'elf_i386', '-Ttext-segment=0x100000', '-o', elf, obj])
  return elf
}

/** Runs the program as a Linux process; returns its records and which CPU ran it. */
export function runNative(elf: string, expectBytes: number): { records: Uint32Array; runner: NativeRunner } {
  for (const runner of ['native', 'qemu-i386'] as const) {
    const r =
      runner === 'native'
        ? spawnSync(elf, [], { maxBuffer: 1 << 28 })
        : spawnSync('qemu-i386', [elf], { maxBuffer: 1 << 28 })
    if (r.error || r.status !== 0) continue
    if (r.stdout.length !== expectBytes)
      throw new Error(`${runner} run of ${elf} wrote ${r.stdout.length} bytes, expected ${expectBytes}`)
    const b = new Uint8Array(r.stdout)
    return { records: new Uint32Array(b.buffer, b.byteOffset, b.length >>> 2), runner }
  }
  throw new Error(`cannot run ${elf} natively or with qemu-i386 (Debian package qemu-user)`)
}

/** Runs the program in the Ringside CPU (at CPL 0, or as `setup` arranges); returns the records and the CPU. */
export function runEngine(
  elf: string,
  expectBytes: number,
  setup?: (cpu: Cpu, mem: PhysicalMemory) => void,
): { records: Uint32Array; cpu: Cpu } {
  const mem = new PhysicalMemory(32 << 20)
  const clock = { cycles: 0 }
  const cpu = new Cpu({
    mem,
    ports: new PortBus(),
    mmio: new MmioBus(),
    intc: null,
    sink: new EventSink(clock),
    clock,
  })
  const img = loadImage(mem, new Uint8Array(readFileSync(elf)))
  cpu.resetFlat(img.entry, mem.size)
  setup?.(cpu, mem)
  const stop = cpu.run({ maxInsns: 50_000_000 })
  if (stop !== 'halted' && stop !== 'idle')
    throw new Error(`engine run of ${elf} ended with ${stop} at EIP 0x${(cpu.eip >>> 0).toString(16)}`)
  const at = cpu.r[1] >>> 0
  const len = cpu.r[2] >>> 0
  if (len !== expectBytes)
    throw new Error(`engine run of ${elf} reports ${len} bytes of results, expected ${expectBytes}`)
  const out = mem.u8.slice(at, at + len)
  return { records: new Uint32Array(out.buffer), cpu }
}

const FIELD_NAMES = [...DUMP_ORDER, 'eflags', ...Array.from({ length: 16 }, (_, k) => `scratch+${k * 4}`)]

/**
 * Compares records; returns one readable line per mismatching case. With `strict`, the flags the SDM
 * leaves undefined are compared too (to see where the engine differs from this particular CPU).
 */
export function compareRecords(
  cases: readonly DiffCase[],
  native: Uint32Array,
  engine: Uint32Array,
  strict = false,
): string[] {
  const bad: string[] = []
  for (let k = 0; k < cases.length; k++) {
    const c = cases[k]
    const diffs: string[] = []
    for (let f = 0; f < RECORD_DWORDS; f++) {
      let a = native[k * RECORD_DWORDS + f]
      let b = engine[k * RECORD_DWORDS + f]
      if (f === 8 && !strict) {
        a &= ~c.undefinedFlags
        b &= ~c.undefinedFlags
      }
      if (a !== b) diffs.push(`${FIELD_NAMES[f]} native 0x${a.toString(16)} engine 0x${b.toString(16)}`)
    }
    if (diffs.length)
      bad.push(
        `case ${k} [${c.name}] ${c.lines.join(' ; ')} | flags in 0x${c.flags.toString(16)} | ${diffs.join(', ')}`,
      )
  }
  return bad
}
