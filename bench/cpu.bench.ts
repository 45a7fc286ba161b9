/**
 * CPU benchmark (issue 3 item 6): the freestanding C workload in bench/workload, compiled once with
 * gcc -m32 -O2, run in the Ringside engine (paging off, and paging on with an identity map of 4 KiB
 * pages), natively, and under qemu-i386. Prints one JSON line with MIPS for each and the ratios.
 * MIPS = the engine's retired-instruction count of the run ÷ wall time (the same instruction stream
 * runs in all four). Each figure is the best of BENCH_RUNS runs (default 2).
 *
 *   npx tsx bench/cpu.bench.ts
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { CR0_PG } from '../src/engine/cpu/constants'
import { BareMetal } from '../src/engine/machine/bare-metal-run'

const RUNS = Number(process.env.BENCH_RUNS ?? 2)
const dir = mkdtempSync(join(tmpdir(), 'ringside-bench-'))
const elf = join(dir, 'workload')
execFileSync('sh', [join(import.meta.dirname, 'workload', 'build.sh'), elf])
const image = new Uint8Array(readFileSync(elf))

/** Identity-maps all RAM with 4 KiB pages (PDEs and PTEs at 8 MiB) and turns paging on. */
function enablePaging(m: BareMetal): void {
  const mem = m.pc.mem
  const pd = 0x800000
  const pages = mem.size >>> 12
  for (let t = 0; t < pages / 1024; t++) {
    const pt = pd + 0x1000 * (t + 1)
    mem.write32(pd + 4 * t, pt | 7)
    for (let e = 0; e < 1024; e++) mem.write32(pt + 4 * e, ((t * 1024 + e) << 12) | 7)
  }
  m.cpu.cr3 = pd
  m.cpu.cr0 |= CR0_PG
  m.cpu.flushTlb(true)
}

function engineRun(paging: boolean): { seconds: number; instructions: number; output: string } {
  let best = Infinity
  let instructions = 0
  let output = ''
  for (let k = 0; k < RUNS; k++) {
    const m = new BareMetal()
    const out: number[] = []
    m.pc.onConsoleOutput = (_c, bytes) => out.push(...bytes)
    m.load(image)
    if (paging) enablePaging(m)
    const t0 = performance.now()
    const stop = m.run(2_000_000_000)
    const t = (performance.now() - t0) / 1000
    if (stop !== 'debug-exit') throw new Error(`engine run ended with ${stop}`)
    best = Math.min(best, t)
    instructions = m.cpu.instructions
    output = String.fromCharCode(...out)
  }
  return { seconds: best, instructions, output }
}

function hostRun(cmd: string, args: string[]): { seconds: number; output: string } | null {
  let best = Infinity
  let output = ''
  for (let k = 0; k < Math.max(RUNS, 3); k++) {
    const t0 = performance.now()
    const r = spawnSync(cmd, args)
    const t = (performance.now() - t0) / 1000
    if (r.error || r.status !== 0) return null
    best = Math.min(best, t)
    output = r.stdout.toString()
  }
  return { seconds: best, output }
}

const flat = engineRun(false)
const paged = engineRun(true)
const native = hostRun(elf, [])
const qemu = hostRun('qemu-i386', [elf])
rmSync(dir, { recursive: true, force: true })

const mips = (s: number | undefined): number | null => (s === undefined ? null : Math.round((flat.instructions / s / 1e6) * 10) / 10)
const round = (x: number | null): number | null => (x === null ? null : Math.round(x * 1000) / 1000)
const engineMips = mips(flat.seconds) as number
const pagingMips = mips(paged.seconds) as number
const nativeMips = mips(native?.seconds)
const qemuMips = mips(qemu?.seconds)
const sameOutput = paged.output === flat.output && (native === null || native.output === flat.output) && (qemu === null || qemu.output === flat.output)

console.log(
  JSON.stringify({
    bench: 'cpu',
    instructions: flat.instructions,
    engineMips,
    enginePagingMips: pagingMips,
    pagingOnVsOff: round(pagingMips / engineMips),
    nativeMips,
    qemuMips,
    engineVsNative: nativeMips === null ? null : round(engineMips / nativeMips),
    engineVsQemu: qemuMips === null ? null : round(engineMips / qemuMips),
    sameOutput,
  }),
)
