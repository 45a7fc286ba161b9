// The committed images are what the sources build: guest/build.sh runs into a temporary directory
// and every file must match public/guests/ byte for byte. Only meaningful with the tool versions the
// images were recorded with; with others the test says so and skips.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GUESTS, REPO, localToolchain, recordedToolchain } from './tools'

const local = localToolchain()
const recorded = recordedToolchain()
const mismatch =
  typeof local === 'string'
    ? local
    : (['gcc', 'nasm', 'binutils'] as const)
        .filter((k) => local[k] !== recorded[k])
        .map((k) => `local ${k} "${local[k]}" is not the recorded "${recorded[k]}"`)
        .join('; ')

if (mismatch) console.warn(`test/guest/reproducible: cannot check the committed guest images: ${mismatch}`)

describe.skipIf(mismatch !== '')('guest images', () => {
  let dir = ''
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ringos-build-'))
    execFileSync('bash', [join(REPO, 'guest', 'build.sh'), join(dir, 'out')], {
      env: { ...process.env, GUEST_BUILD_DIR: join(dir, 'obj') },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
  })
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('are bit for bit what guest/build.sh makes of the sources', () => {
    const committed = readdirSync(GUESTS).sort()
    const built = readdirSync(join(dir, 'out')).sort()
    expect(built).toEqual(committed)
    const differing = committed.filter(
      (f) => !readFileSync(join(GUESTS, f)).equals(readFileSync(join(dir, 'out', f))),
    )
    expect(differing, 'committed files that differ from a fresh build (run npm run build:guests)').toEqual([])
  })

  it('have line maps that agree with addr2line on the unstripped kernel', () => {
    interface Image {
      functions: { name: string; start: number; end: number }[]
      objects: { name: string; start: number; end: number }[]
      files: string[]
      lines: [number, number, number][]
    }
    for (const platform of ['native', 'virtio', 'hyperv', 'xen-pv']) {
      const map = JSON.parse(readFileSync(join(dir, 'out', `ringos-${platform}.map.json`), 'utf8')) as {
        images: Record<string, Image>
      }
      const kernel = map.images.kernel
      const elf = join(dir, 'obj', `ringos-${platform}.elf`)
      // Every row of C code (nasm's own DWARF names its files differently; its rows are checked below
      // only for presence).
      const rows = kernel.lines.filter(([, f]) => f >= 0 && kernel.files[f].endsWith('.c'))
      expect(rows.length).toBeGreaterThan(500)
      const answers = execFileSync('addr2line', ['-e', elf, ...rows.map(([a]) => '0x' + a.toString(16))], {
        encoding: 'utf8',
      })
        .trim()
        .split('\n')
        .map((s) => s.replace(/ \(discriminator \d+\)$/, ''))
      expect(answers).toEqual(rows.map(([, f, line]) => `guest/${kernel.files[f]}:${line}`))
      expect(kernel.files).toContain('kernel/entry.asm')

      // Every sized function and variable nm reports, with the same start and size.
      const nm = execFileSync('nm', ['-S', '--defined-only', elf], { encoding: 'utf8' })
      let checked = 0
      for (const line of nm.trim().split('\n')) {
        const [addr, size, type, name] = line.split(/\s+/)
        if (name === undefined) continue
        const start = parseInt(addr, 16)
        const symbol = { name, start, end: start + parseInt(size, 16) }
        if (/^[tT]$/.test(type)) expect(kernel.functions, name).toContainEqual(symbol)
        else if (/^[bBdDrR]$/.test(type)) expect(kernel.objects, name).toContainEqual(symbol)
        else continue
        checked++
      }
      expect(checked).toBeGreaterThan(150)
    }
  })
})
