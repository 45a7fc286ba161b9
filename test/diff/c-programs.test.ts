/**
 * gcc-compiled C programs (issue 3): the same i386 ELF runs as a Linux process and on the Ringside
 * PC (it picks its output and exit path by CPL, see bench/workload/platform.h); its COM1 output in the
 * engine must equal its stdout on the real CPU. Built with -O2 and -Os, as the issue asks.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { BareMetal } from '../../src/engine/machine/bare-metal-run'

const root = fileURLToPath(new URL('../..', import.meta.url))
const PROGRAMS: readonly { name: string; source: string; defines: string[] }[] = [
  { name: 'bench workload (SCALE=1)', source: 'bench/workload/workload.c', defines: ['-DSCALE=1'] },
  { name: 'mix (64-bit arithmetic, jump tables, structs, bits)', source: 'test/diff/c/mix.c', defines: [] },
]

function gccWorks(): boolean {
  const r = spawnSync('sh', ['-c', 'echo "int main(void){return 0;}" | gcc -m32 -x c -c -o /dev/null -'])
  return r.status === 0
}

const haveGcc = gccWorks()
const dir = haveGcc ? mkdtempSync(join(tmpdir(), 'ringside-c-')) : ''
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

function build(source: string, opt: string, defines: string[], out: string): void {
  execFileSync('gcc', [
    '-m32',
    opt,
    '-march=i686',
    '-ffreestanding',
    '-fno-pic',
    '-fno-stack-protector',
    '-fno-asynchronous-unwind-tables',
    '-nostdlib',
    '-static',
    '-Wl,-Ttext-segment=0x100000',
    '-Wl,--build-id=none',
    ...defines,
    '-o',
    out,
    join(root, source),
    '-lgcc',
  ])
}

function runInEngine(elf: string): { output: string; stop: string } {
  const m = new BareMetal()
  const out: number[] = []
  m.pc.onConsoleOutput = (console, bytes) => {
    if (console === 0) out.push(...bytes)
  }
  m.load(new Uint8Array(readFileSync(elf)))
  const stop = m.run(500_000_000)
  return { output: String.fromCharCode(...out), stop }
}

function runNative(elf: string): string {
  for (const [cmd, args] of [
    [elf, []],
    ['qemu-i386', [elf]],
  ] as const) {
    const r = spawnSync(cmd, args)
    if (!r.error && r.status === 0) return r.stdout.toString()
  }
  throw new Error(`cannot run ${elf} natively or with qemu-i386 (Debian package qemu-user)`)
}

describe.skipIf(!haveGcc)('gcc-compiled C programs: engine output = native output', () => {
  for (const p of PROGRAMS) {
    for (const opt of ['-O2', '-Os']) {
      it(`${p.name}, ${opt}`, () => {
        const elf = join(dir, `${p.source.replace(/\W/g, '_')}${opt}`)
        build(p.source, opt, p.defines, elf)
        const native = runNative(elf)
        const engine = runInEngine(elf)
        expect(engine.stop).toBe('debug-exit')
        expect(native.length).toBeGreaterThan(20)
        expect(engine.output).toBe(native)
      })
    }
  }
})

describe.skipIf(haveGcc)('gcc-compiled C programs', () => {
  it.skip('needs gcc -m32 (Debian packages gcc and gcc-multilib)', () => {})
})
