import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { disassemble, disassembleRange } from './disasm'

// The reference is GNU objdump (`objdump -d -M intel`) from this machine's binutils. Two ways of
// comparing it with objdump's text, both documented in disasm.ts:
//  - whitespace is normalised (objdump pads the mnemonic to a column);
//  - in a symbolized object objdump prints a branch target as `1d <f+0x1d>`; the `<symbol+offset>`
//    annotation is stripped and the bare hex becomes `0x1d`, which is how objdump prints the same
//    target without symbols and how disassemble() prints it.

const CORPUS = fileURLToPath(new URL('../../../test/disasm', import.meta.url))

function works(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' })
  return r.status === 0
}

const tmp = mkdtempSync(join(tmpdir(), 'ringside-disasm-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const haveObjdump = works('objdump', ['--version']) && works('objcopy', ['--version'])
const haveNasm = works('nasm', ['-v'])
const haveGcc32 = (() => {
  const src = join(tmp, 'probe.c')
  writeFileSync(src, 'int f(int x) { return x + 1; }\n')
  return works('gcc', ['-m32', '-ffreestanding', '-c', src, '-o', join(tmp, 'probe.o')])
})()
// The sweep pins objdump's text for rarely used and recent opcodes, which changes between binutils
// releases; it runs only against the version the tables were checked with (Debian 12's 2.40).
const objdumpVersion = haveObjdump ? execFileSync('objdump', ['--version']).toString().split('\n')[0] : ''
const haveObjdump240 = / 2\.40(\.|$)/.test(objdumpVersion)
const NEED_OBJDUMP = 'needs objdump and objcopy (Debian package binutils)'
const NEED_OBJDUMP_240 = 'needs objdump from binutils 2.40 (Debian 12 package binutils)'
const NEED_NASM = 'needs nasm (Debian package nasm)'
const NEED_GCC = 'needs gcc with -m32 (Debian packages gcc and gcc-multilib)'

interface RefInsn {
  readonly offset: number
  readonly length: number
  readonly text: string
}

/** Normalises objdump's text as described at the top of this file. */
function normalise(text: string): string {
  return text
    .replace(/\b([0-9a-f]+) <[^>]*>/g, '0x$1')
    .replace(/\s+/g, ' ')
    .trim()
}

/** Parses `objdump -d -z --insn-width=16` output for one section. */
function objdump(file: string, args: string[], section: string): RefInsn[] {
  const out = execFileSync('objdump', ['-d', '-z', '-M', 'intel', '--insn-width=16', ...args, file], {
    maxBuffer: 1 << 28,
  }).toString()
  const insns: RefInsn[] = []
  let current = ''
  for (const line of out.split('\n')) {
    const sec = /^Disassembly of section (\S+):/.exec(line)
    if (sec) current = sec[1]
    const m = /^\s*([0-9a-f]+):\t([0-9a-f ]+?)\s*(?:\t(.*))?$/.exec(line)
    if (!m || current !== section) continue
    insns.push({ offset: parseInt(m[1], 16), length: m[2].split(' ').length, text: normalise(m[3] ?? '') })
  }
  return insns
}

interface Mismatch {
  readonly offset: number
  readonly bytes: string
  readonly objdump: string
  readonly ours: string
}

function hexBytes(code: Uint8Array, offset: number, length: number): string {
  return Array.from(code.subarray(offset, offset + length), (b) => b.toString(16).padStart(2, '0')).join(' ')
}

/** Compares every instruction objdump reports with disassemble() at the same offset. */
function compare(code: Uint8Array, ref: readonly RefInsn[]): Mismatch[] {
  const bad: Mismatch[] = []
  for (const r of ref) {
    const ours = disassemble(code, r.offset, r.offset)
    if (ours.length !== r.length || ours.text !== r.text) {
      bad.push({
        offset: r.offset,
        bytes: hexBytes(code, r.offset, Math.max(r.length, ours.length)),
        objdump: `[${r.length}] ${r.text}`,
        ours: `[${ours.length}] ${ours.text}`,
      })
    }
  }
  return bad
}

/** Extracts .text of an object file and compares it instruction by instruction. */
function compareObject(obj: string): { count: number; mismatches: Mismatch[] } {
  const bin = obj + '.text.bin'
  execFileSync('objcopy', ['-O', 'binary', '--only-section=.text', obj, bin])
  const code = new Uint8Array(readFileSync(bin))
  const ref = objdump(obj, [], '.text')
  return { count: ref.length, mismatches: compare(code, ref) }
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('disassemble: behaviour at the edges', () => {
  it('prints branch targets as absolute addresses, wrapping at 4 GiB and at 64 KiB under 66', () => {
    const at = (hex: string, address: number): string =>
      disassemble(Uint8Array.from(hex.split(' ').map((h) => parseInt(h, 16))), 0, address).text
    // Reference texts: objdump -D -b binary -m i386 -M intel --adjust-vma=<address>.
    expect(at('e9 00 00 00 80', 0x12345)).toBe('jmp 0x8001234a')
    expect(at('e9 20 00 00 00', 0xfffffff0)).toBe('jmp 0x15')
    expect(at('eb 20', 0xfffffff0)).toBe('jmp 0x12')
    expect(at('66 e9 00 80', 0x12345)).toBe('jmpw 0xa349')
    expect(at('66 0f 84 00 80', 0x12345)).toBe('je 0xa34a')
    expect(at('66 eb 80', 0x12345)).toBe('data16 jmp 0x122c8')
  })

  it('answers like objdump for an instruction cut off by the end of the bytes', () => {
    expect(disassemble(Uint8Array.of(0x8b, 0x80, 0x00), 0, 0)).toEqual({
      length: 1,
      mnemonic: '.byte 0x8b',
      operands: '',
      text: '.byte 0x8b',
    })
    expect(disassemble(Uint8Array.of(0x66, 0x8b), 0, 0).text).toBe('data16')
    expect(disassemble(Uint8Array.of(0x90), 1, 0)).toMatchObject({ length: 1, text: '(bad)' })
  })

  it('gives VEX, EVEX and XOP instructions their length with a placeholder text', () => {
    const cases: [string, number, string][] = [
      ['c5 f9 6f c0', 4, '(vex)'], // vmovdqa xmm0,xmm0
      ['c5 f8 77', 3, '(vex)'], // vzeroupper
      ['c4 e3 79 0f c0 01', 6, '(vex)'], // vpalignr xmm0,xmm0,xmm0,0x1
      ['62 f1 7c 08 58 40 01', 7, '(evex)'], // {evex} vaddps xmm0,xmm0,XMMWORD PTR [eax+0x10]
      ['8f e8 78 c0 c0 01', 6, '(xop)'], // vprotb xmm0,xmm0,0x1
      ['8f ea 78 10 c0 01 02 03 04', 9, '(xop)'], // bextr eax,eax,0x4030201
      ['c4 00', 2, 'les eax,FWORD PTR [eax]'], // not VEX: mod != 3
    ]
    for (const [hex, length, text] of cases) {
      const code = Uint8Array.from(hex.split(' ').map((h) => parseInt(h, 16)))
      expect(disassemble(code, 0, 0), hex).toMatchObject({ length, text })
    }
  })

  it('never throws on random bytes and always reports a length of 1 to 15', () => {
    const rnd = mulberry32(0x5eed)
    const code = new Uint8Array(64 * 1024)
    for (let i = 0; i < code.length; i++) code[i] = Math.floor(rnd() * 256)
    for (let off = 0; off < code.length; off++) {
      const d = disassemble(code, off, 0x1000 + off)
      if (!(d.length >= 1 && d.length <= 15) || d.text === '') {
        throw new Error(`offset ${off}: length ${d.length}, text '${d.text}'`)
      }
    }
    // Prefix floods and truncations.
    for (const b of [0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x26, 0x9b]) {
      const flood = new Uint8Array(20).fill(b)
      for (let n = 1; n <= 20; n++) {
        const d = disassemble(flood.subarray(0, n), 0, 0)
        expect(d.length).toBeGreaterThanOrEqual(1)
        expect(d.length).toBeLessThanOrEqual(15)
      }
    }
  })

  it('lists a range with addresses and bytes', () => {
    const code = Uint8Array.of(0x55, 0x89, 0xe5, 0xeb, 0xfe, 0xc3)
    const lines = disassembleRange(code, 0, code.length, 0x7c00)
    expect(lines.map((l) => [l.address, l.text, l.bytes.length])).toEqual([
      [0x7c00, 'push ebp', 1],
      [0x7c01, 'mov ebp,esp', 2],
      [0x7c03, 'jmp 0x7c03', 2],
      [0x7c05, 'ret', 1],
    ])
  })
})

describe('disassemble matches objdump -d -M intel on the corpus (test/disasm)', () => {
  const report = (m: Mismatch[]): string =>
    m
      .slice(0, 20)
      .map((x) => `  @${x.offset.toString(16)}  ${x.bytes}\n    objdump ${x.objdump}\n    ours    ${x.ours}`)
      .join('\n')

  it.skipIf(!haveObjdump || !haveNasm)(`NASM instruction forms (${NEED_NASM}; ${NEED_OBJDUMP})`, () => {
    const obj = join(tmp, 'forms.o')
    execFileSync('nasm', ['-f', 'elf32', '-o', obj, join(CORPUS, 'forms.asm')])
    const { count, mismatches } = compareObject(obj)
    expect(count).toBeGreaterThan(1000)
    expect(mismatches, report(mismatches)).toEqual([])
  })

  const sources = ['sort.c', 'crc.c', 'switch.c', 'bits.c', 'int64.c', 'misc.c']
  for (const opt of ['-O2', '-Os']) {
    it.skipIf(!haveObjdump || !haveGcc32)(`gcc ${opt} output (${NEED_GCC}; ${NEED_OBJDUMP})`, () => {
      let total = 0
      const mismatches: Mismatch[] = []
      for (const src of sources) {
        const obj = join(tmp, `${src}${opt}.o`)
        const flags = ['-m32', opt, '-ffreestanding', '-fno-pic', '-march=i686']
        execFileSync('gcc', [...flags, '-c', join(CORPUS, src), '-o', obj])
        const r = compareObject(obj)
        total += r.count
        mismatches.push(...r.mismatches.map((m) => ({ ...m, objdump: `${src}: ${m.objdump}` })))
      }
      expect(total).toBeGreaterThan(500)
      expect(mismatches, report(mismatches)).toEqual([])
    })
  }
})

describe('disassemble matches objdump on a seeded sweep of the opcode maps', () => {
  // Every opcode of the one-, two- and three-byte maps and the x87 escapes, under common prefix
  // combinations, with random ModRM/SIB/displacement/immediate bytes, plus fully random bytes, in
  // one objdump listing. A candidate is cut to the length disassemble() gives it and followed by a
  // NOP, so a length disagreement shows up as a desynchronised listing. An invalid encoding keeps
  // all its bytes (objdump decides "(bad)" from a ModRM byte it does not count) and is followed by
  // a 15-NOP sled on which the listing resynchronises. VEX/EVEX/XOP encodings are left out: their
  // text is a placeholder and their validity is not modelled (see disasm.ts).
  it.skipIf(!haveObjdump240)(`one listing of ~40 000 candidates (${NEED_OBJDUMP_240})`, () => {
    const rnd = mulberry32(20260101)
    const byte = (): number => Math.floor(rnd() * 256)
    const modrm = (): number => {
      const r = rnd()
      return r < 0.35 ? byte() | 0xc0 : r < 0.5 ? byte() & 0x3f : byte()
    }
    const prefixSets = [
      [], [], [], [0x66], [0x67], [0xf3], [0xf2], [0xf0], [0x2e], [0x3e], [0x26], [0x64], [0x65], [0x36],
      [0x66, 0x67], [0xf3, 0x66], [0xf2, 0x66], [0x66, 0xf3], [0x66, 0x66], [0xf0, 0xf2], [0xf0, 0xf3],
      [0xf3, 0xf2], [0x9b], [0x2e, 0x3e], [0x67, 0x26],
    ] // prettier-ignore
    const candidates: number[][] = []
    const tail = (): number[] => Array.from({ length: 13 }, byte)
    for (let op = 0; op < 256; op++) {
      for (const p of prefixSets) {
        for (let k = 0; k < 2; k++) {
          candidates.push([...p, op, modrm(), ...tail()])
          if (op !== 0x38 && op !== 0x3a) candidates.push([...p, 0x0f, op, modrm(), ...tail()])
        }
      }
      for (const p of [[], [0x66], [0xf3], [0xf2], [0x66, 0xf2], [0x2e]]) {
        candidates.push([...p, 0x0f, 0x38, op, modrm(), ...tail()])
        candidates.push([...p, 0x0f, 0x3a, op, modrm(), ...tail()])
      }
    }
    for (let op = 0xd8; op <= 0xdf; op++) {
      for (let m = 0; m < 256; m++) candidates.push([[0x66], [0x9b], []][m % 3].concat([op, m], tail()))
    }
    for (let i = 0; i < 8000; i++) candidates.push(Array.from({ length: 15 }, byte))

    const stream: number[] = []
    const starts: number[] = []
    for (const c of candidates) {
      const bytes = Uint8Array.from(c)
      const d = disassemble(bytes, 0, 0)
      if (/\((vex|evex|xop)\)$/.test(d.mnemonic)) continue
      starts.push(stream.length)
      if (d.text.includes('(bad)')) stream.push(...bytes.subarray(0, 15), ...new Array<number>(15).fill(0x90))
      else stream.push(...bytes.subarray(0, d.length), 0x90)
    }
    const code = Uint8Array.from(stream)
    const bin = join(tmp, 'sweep.bin')
    writeFileSync(bin, code)
    const ref = new Map(objdump(bin, ['-D', '-b', 'binary', '-m', 'i386'], '.data').map((r) => [r.offset, r]))
    const mismatches: Mismatch[] = []
    for (const s of starts) {
      const ours = disassemble(code, s, s)
      const r = ref.get(s)
      if (!r || r.length !== ours.length || r.text !== ours.text) {
        mismatches.push({
          offset: s,
          bytes: hexBytes(code, s, ours.length + 2),
          objdump: r ? `[${r.length}] ${r.text}` : 'no instruction starts here',
          ours: `[${ours.length}] ${ours.text}`,
        })
        if (mismatches.length >= 20) break
      }
    }
    expect(starts.length).toBeGreaterThan(35000)
    expect(mismatches, JSON.stringify(mismatches, null, 1)).toEqual([])
  })
})
