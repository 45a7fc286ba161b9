/**
 * Helpers for the classic-virtualization model tests: a session with every event recorded, its
 * console as command outputs, the guest's symbol map (the source of expected addresses), and the
 * determinism checks every architecture must pass.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import type { ArchId } from '../../src/engine/hv/architectures'
import { Session, type RunResult } from '../../src/engine/session/session'
import { EventBatcher } from '../../src/engine/trace/batcher'
import { RecordView, decodeEvent } from '../../src/engine/trace/codec'
import { RECORD_BYTES, type TraceEvent } from '../../src/engine/trace/schema'
import { utf8Decode, utf8Encode } from '../../src/engine/util/utf8'
import { GUESTS } from '../guest/tools'

export { fields, transcript } from '../guest/runner'

export const guestFile = (name: string): Uint8Array => new Uint8Array(readFileSync(join(GUESTS, name)))

/** A session with every event it emits recorded. */
export function recorded(s: Session) {
  let chunks: Uint8Array[] = []
  const hash = createHash('sha256')
  const take = (b: EventBatcher): void => {
    const t = b.take()
    const c = new Uint8Array(t.buffer, 0, t.count * RECORD_BYTES).slice()
    hash.update(c)
    chunks.push(c)
  }
  const batcher = new EventBatcher(1 << 15, take)
  s.attachEvents(batcher)
  let text = ''
  const console = (): string => {
    text += s
      .takeConsoleOutput()
      .map((o) => utf8Decode(o.bytes))
      .join('')
    return text
  }
  return {
    s,
    /** Runs until the guest waits for input again (or a budget runs out). */
    idle(maxInstructions = 200_000_000): RunResult {
      return s.run({ maxInstructions, untilIdleMs: 100 })
    },
    /** Types a line and runs until idle; returns what the command printed before the next prompt. */
    command(line: string): string {
      const before = console().length
      s.input(1, utf8Encode(`${line}\n`))
      const r = s.run({ maxInstructions: 200_000_000, untilIdleMs: 100 })
      if (r.stop !== 'idle') throw new Error(`'${line}' ended with ${r.stop}`)
      const out = console().slice(before).replace(/\r\n/g, '\n')
      return out.slice(out.indexOf('\n') + 1).replace(/\$ $/, '')
    },
    /** All console output so far. */
    console,
    /** The events since the last call. */
    events(): TraceEvent[] {
      take(batcher)
      const taken = chunks
      chunks = []
      return taken.flatMap((c) => {
        const v = new RecordView(c.buffer as ArrayBuffer, c.byteOffset, c.length / RECORD_BYTES)
        return Array.from({ length: v.capacity }, (_, i) => decodeEvent(v, i))
      })
    },
    /** A hash of every event so far. */
    hash(): string {
      take(batcher)
      return hash.copy().digest('hex')
    },
    /** Base id of the component at an event's `from`/`to` index. */
    component(index: number): string {
      return s.topology.components[index]!.baseId
    },
  }
}

/** A session running ringos-native (its disk included) on `arch`, with every event recorded. */
export function ringos(arch: ArchId) {
  return recorded(
    new Session({
      arch,
      vms: [
        { image: guestFile('ringos-native.elf'), disk: guestFile('ringos-disk.img'), platform: 'native' },
      ],
    }),
  )
}

/**
 * The determinism an architecture owes: the same inputs give the same event stream, and a session
 * restored from a snapshot goes on exactly as the original did (`extra` adds the model's own figures).
 */
export function determinism(
  make: () => ReturnType<typeof recorded>,
  extra: (g: ReturnType<typeof recorded>) => unknown = () => null,
): void {
  it('is deterministic: the same inputs give the same event stream', () => {
    const run = () => {
      const g = make()
      g.s.run({ maxInstructions: 2_000_000 })
      g.s.input(1, utf8Encode('ps\n'))
      g.s.run({ maxInstructions: 3_000_000 })
      return g.hash()
    }
    expect(run()).toBe(run())
  }, 60_000)

  it('continues identically after a snapshot is restored', () => {
    const g = make()
    g.s.run({ maxInstructions: 1_500_000 })
    const snap = g.s.snapshot()
    const go = () => {
      g.s.input(1, utf8Encode('ls\n'))
      g.s.run({ maxInstructions: 3_000_000 })
      const text = g.console() // a restore hands the console history out again: look at the last command
      return {
        ls: text.slice(text.lastIndexOf('$ ls\r\n')),
        cycles: g.s.clock.cycles,
        insns: g.s.instructions,
        extra: extra(g),
      }
    }
    const a = go()
    g.s.restore(snap)
    expect(go()).toEqual(a)
    expect(a.ls).toContain('bin/ls')
  }, 60_000)
}

interface MapImage {
  readonly functions: readonly { name: string; start: number; end: number }[]
  readonly objects: readonly { name: string; start: number; end: number }[]
}

/** A function's or object's address range in ringos-native's symbol map (kernel or a program). */
export function symbol(image: string, name: string): { start: number; end: number } {
  const map = JSON.parse(readFileSync(join(GUESTS, 'ringos-native.map.json'), 'utf8')) as {
    images: Record<string, MapImage>
  }
  const img = map.images[image]
  const hit = img?.functions.find((f) => f.name === name) ?? img?.objects.find((o) => o.name === name)
  if (!hit) throw new Error(`no ${name} in ${image}'s map`)
  return hit
}

export const within = (addr: number, r: { start: number; end: number }): boolean =>
  addr >= r.start && addr < r.end
