/**
 * Golden guest programs for the protected-mode system architecture (issue 4): each .asm in this folder
 * is a flat NASM program (see lib.inc) that exercises one behaviour and checks what the Intel SDM
 * says, printing "ok" and exiting through isa-debug-exit with 0 — or "FAIL …" with 1. A program whose
 * first line is `; expect: shutdown` must end in a triple fault instead.
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
const programs = readdirSync(here).filter((f) => f.endsWith('.asm')).sort()
const dir = haveNasm ? mkdtempSync(join(tmpdir(), 'ringside-golden-')) : ''
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/** Assembles and runs a golden program; returns how it ended and its COM1 output. */
export function runGolden(file: string): { stop: string; exitCode: number | null; console: string; machine: BareMetal } {
  const out = join(dir, file.replace(/\.asm$/, '.bin'))
  execFileSync('nasm', ['-f', 'bin', '-I', here, '-o', out, join(here, file)])
  const m = new BareMetal()
  const con: number[] = []
  m.pc.onConsoleOutput = (c, bytes) => {
    if (c === 0) con.push(...bytes)
  }
  m.load(new Uint8Array(readFileSync(out)))
  const stop = m.run(50_000_000)
  return { stop, exitCode: m.pc.debugExit.exitCode, console: String.fromCharCode(...con), machine: m }
}

describe.skipIf(!haveNasm)('golden guest programs (SDM behaviours)', () => {
  for (const file of programs) {
    it(file.replace(/\.asm$/, ''), () => {
      const src = readFileSync(join(here, file), 'utf8')
      const r = runGolden(file)
      if (src.startsWith('; expect: shutdown')) {
        expect(r.stop, r.console).toBe('shutdown')
        return
      }
      expect(r.console).not.toContain('FAIL')
      expect(r.stop, r.console).toBe('debug-exit')
      expect(r.exitCode, r.console).toBe(1)
      expect(r.console.endsWith('ok\n'), r.console).toBe(true)
    })
  }
})

describe.skipIf(haveNasm)('golden guest programs', () => {
  it.skip('need nasm (Debian package nasm)', () => {})
})
