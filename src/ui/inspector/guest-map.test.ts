import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { GuestMap } from './guest-map'
import { USER_BASE, imageFor, ringosTaskHint } from './ringos'

const file = (name: string) => new URL(`../../../public/guests/${name}`, import.meta.url)
const map = GuestMap.parse(readFileSync(file('ringos-native.map.json')))

/** The kernel with its debug information, as guest/build.sh leaves it before stripping. */
const unstripped = new URL('../../../guest/build/ringos-native.elf', import.meta.url)

/** guest/build/ holds the unstripped kernel of the committed image (not of an older or edited build). */
function builtKernelIsCommitted(): boolean {
  if (!existsSync(unstripped)) return false
  const dir = mkdtempSync(join(tmpdir(), 'ringside-map-'))
  try {
    execFileSync('objcopy', ['--strip-debug', unstripped.pathname, join(dir, 'k.elf')])
    return readFileSync(join(dir, 'k.elf')).equals(readFileSync(file('ringos-native.elf')))
  } catch {
    return false
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** `addr2line -f` on the unstripped kernel: the reference for function and line. */
function addr2line(address: number): { fn: string; file: string; line: number } | null {
  if (!builtKernelIsCommitted()) return null
  try {
    const [fn, where] = execFileSync('addr2line', ['-f', '-e', unstripped.pathname, address.toString(16)])
      .toString()
      .split('\n')
    const m = /guest\/(\S+):(\d+)$/.exec(where!.trim())
    return m === null ? null : { fn: fn!, file: m[1]!, line: Number(m[2]) }
  } catch {
    return null
  }
}

describe('guest symbol map', () => {
  it('names the function and source line of kernel addresses as addr2line does', () => {
    const samples = [0x100400, 0x101000, 0x102297, 0x101234, 0x1003f0]
    const ref = samples.map(addr2line)
    if (ref.some((r) => r === null)) {
      console.warn(
        'skipped the addr2line comparison: needs addr2line and objcopy (Debian package binutils) and a guest/build/ that matches the committed images (npm run build:guests)',
      )
      return
    }
    samples.forEach((a, i) => {
      const loc = map.locate('kernel', a)
      expect(loc.fn, `0x${a.toString(16)}`).toBe(ref[i]!.fn)
      expect(`${loc.file}:${loc.line}`).toContain(`${ref[i]!.file}:${ref[i]!.line}`)
    })
  })

  it('knows where ringos keeps the current task, and which image an address belongs to', () => {
    expect(ringosTaskHint(map)).toEqual({
      pointer: map.object('kernel', 'current')!.start,
      nameOffset: 12,
      nameLength: 32,
    })
    expect(imageFor(map, 0x100000, 'sh')).toBe('kernel')
    expect(imageFor(map, USER_BASE + 0x10, 'sh')).toBe('sh')
    expect(imageFor(map, USER_BASE + 0x10, 'idle')).toBe('kernel')
    expect(map.locate('sh', USER_BASE + 0x10).fn).not.toBeNull()
  })

  it('refuses what is not a map and drops malformed entries', () => {
    expect(() => GuestMap.parse(new TextEncoder().encode('{"format":"x"}'))).toThrow(/ringos-map/)
    const m = GuestMap.parse(
      new TextEncoder().encode(
        JSON.stringify({
          format: 'ringos-map/1',
          images: {
            k: {
              functions: [{ name: 'f', start: 16, end: 32 }, { name: 'bad', start: -1, end: 2 }, 'x'],
              files: ['a.c'],
              lines: [
                [16, 0, 3],
                [20, 7, 9],
                [24, -1, 0],
              ],
            },
          },
        }),
      ),
    )
    expect(m.locate('k', 18)).toEqual({ image: 'k', fn: 'f', fnStart: 16, file: 'a.c', line: 3 })
    expect(m.locate('k', 26)).toMatchObject({ fn: 'f', file: null, line: null })
    expect(m.locate('k', 40).fn).toBeNull()
  })
})
