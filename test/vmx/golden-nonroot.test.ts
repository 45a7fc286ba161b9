/**
 * Nothing in the guest can tell it runs in VMX non-root operation (SDM Vol. 3C §23.3; issue 5 item 7):
 * every golden guest program (test/golden/*.asm — exceptions, paging, segments, privilege levels,
 * interrupts, devices) passes under the null monitor exactly as on bare metal, with its console
 * output unchanged, while HLT, I/O, RDTSC, MSR accesses, CR3 loads and MMIO exit and are emulated,
 * and device interrupts come back as injected events. The triple-fault program ends in exit 2.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { BareMetal } from '../../src/engine/machine/bare-metal-run'
import { NullMonitor } from '../../src/engine/vmx/null-monitor'
import { haveNasm } from './harness'

const golden = fileURLToPath(new URL('../golden/', import.meta.url))
const programs = haveNasm
  ? readdirSync(golden)
      .filter((f) => f.endsWith('.asm'))
      .sort()
  : []
const dir = haveNasm ? mkdtempSync(join(tmpdir(), 'ringside-golden-vmx-')) : ''
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

function header(src: string, key: string): string | null {
  const m = new RegExp(`^; ${key}: (.*)$`, 'm').exec(src)
  return m ? m[1] : null
}

/** The golden test disk (as test/golden/golden.test.ts builds it): byte (sector s, offset o) = (3s + o) & 0xff. */
function testDisk(sectors: number): Uint8Array {
  const d = new Uint8Array(sectors * 512)
  for (let i = 0; i < d.length; i++) d[i] = (3 * (i >> 9) + (i & 511)) & 0xff
  return d
}

function run(
  machine: BareMetal | NullMonitor,
  image: Uint8Array,
  input: string | null,
): { stop: string; console: string; virtio: string } {
  const con: number[] = []
  const virtio: number[] = []
  machine.pc.onConsoleOutput = (c, bytes) => (c === 0 ? con : c === 2 ? virtio : []).push(...bytes)
  machine.load(image)
  if (input !== null) machine.pc.queueConsoleInput(0, new TextEncoder().encode(input))
  const stop = machine.run(50_000_000)
  return { stop, console: String.fromCharCode(...con), virtio: String.fromCharCode(...virtio) }
}

describe.skipIf(!haveNasm)(
  'golden guest programs in VMX non-root operation (needs nasm, Debian package nasm)',
  () => {
    for (const file of programs) {
      it(file.replace(/\.asm$/, ''), () => {
        const src = readFileSync(join(golden, file), 'utf8')
        const bin = join(dir, file.replace(/\.asm$/, '.bin'))
        execFileSync('nasm', ['-f', 'bin', '-I', golden, '-o', bin, join(golden, file)])
        const image = new Uint8Array(readFileSync(bin))
        const sectors = header(src, 'disk')
        const disk = (): Uint8Array | undefined => (sectors === null ? undefined : testDisk(Number(sectors)))
        const input = header(src, 'input')
        const bare = run(new BareMetal({ disk: disk() }), image, input)
        const m = new NullMonitor({ disk: disk() })
        const vmx = run(m, image, input)
        expect(vmx).toEqual(bare)
        const { exits } = m.exitSummary()
        if (header(src, 'expect') === 'shutdown') {
          expect(vmx.stop).toBe('shutdown')
          expect(exits['2']).toBe(1) // triple fault
        } else {
          expect(vmx.console.endsWith('ok\n'), vmx.console).toBe(true)
          expect(exits['30']).toBeGreaterThan(0) // at least the console's port I/O exited
        }
      })
    }
  },
)
