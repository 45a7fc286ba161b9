/**
 * Golden guest programs (issue 4; and the device tests through guest code of issue 3): each .asm in
 * this folder is a flat NASM program (see lib.inc) that exercises one behaviour and checks what the
 * Intel SDM or the device's datasheet says, printing "ok" and exiting through isa-debug-exit with 0 —
 * or "FAIL …" with 1. Header comments configure the run:
 *   `; expect: shutdown`       the program must end in a triple fault instead;
 *   `; disk: N`                an N-sector disk whose byte at (sector s, offset o) is (3s + o) & 0xff;
 *   `; input: TEXT`            keystrokes queued for COM1;
 *   `; virtio-console: TEXT`   what the program must write to the virtio console.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { BareMetal } from '../../src/engine/machine/bare-metal-run'

const here = fileURLToPath(new URL('.', import.meta.url))
const haveNasm = spawnSync('sh', ['-c', 'command -v nasm']).status === 0
const programs = readdirSync(here)
  .filter((f) => f.endsWith('.asm'))
  .sort()
const dir = haveNasm ? mkdtempSync(join(tmpdir(), 'ringside-golden-')) : ''
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

function header(src: string, key: string): string | null {
  const m = new RegExp(`^; ${key}: (.*)$`, 'm').exec(src)
  return m ? m[1] : null
}

/** The test disk of `; disk: N`: byte (sector s, offset o) = (3s + o) & 0xff. */
export function testDisk(sectors: number): Uint8Array {
  const d = new Uint8Array(sectors * 512)
  for (let i = 0; i < d.length; i++) d[i] = (3 * (i >> 9) + (i & 511)) & 0xff
  return d
}

/** Assembles and runs a golden program; returns how it ended and its COM1 and virtio console output. */
function runGolden(
  file: string,
  src: string,
): { stop: string; exitCode: number | null; console: string; virtio: string } {
  const out = join(dir, file.replace(/\.asm$/, '.bin'))
  execFileSync('nasm', ['-f', 'bin', '-I', here, '-o', out, join(here, file)])
  const sectors = header(src, 'disk')
  const m = new BareMetal({ disk: sectors === null ? undefined : testDisk(Number(sectors)) })
  const con: number[] = []
  const virtio: number[] = []
  m.pc.onConsoleOutput = (c, bytes) => {
    if (c === 0) con.push(...bytes)
    else if (c === 2) virtio.push(...bytes)
  }
  m.load(new Uint8Array(readFileSync(out)))
  const input = header(src, 'input')
  if (input !== null) m.input(new TextEncoder().encode(input))
  const stop = m.run(50_000_000)
  return {
    stop,
    exitCode: m.pc.debugExit.exitCode,
    console: String.fromCharCode(...con),
    virtio: String.fromCharCode(...virtio),
  }
}

describe.skipIf(!haveNasm)('golden guest programs (SDM behaviours)', () => {
  for (const file of programs) {
    it(file.replace(/\.asm$/, ''), () => {
      const src = readFileSync(join(here, file), 'utf8')
      const r = runGolden(file, src)
      if (header(src, 'expect') === 'shutdown') {
        expect(r.stop, r.console).toBe('shutdown')
        return
      }
      expect(r.console).not.toContain('FAIL')
      expect(r.stop, r.console).toBe('debug-exit')
      expect(r.exitCode, r.console).toBe(1)
      expect(r.console.endsWith('ok\n'), r.console).toBe(true)
      const virtio = header(src, 'virtio-console')
      if (virtio !== null) expect(r.virtio).toBe(virtio)
    })
  }
})

describe.skipIf(haveNasm)('golden guest programs', () => {
  it.skip('need nasm (Debian package nasm)', () => {})
})
