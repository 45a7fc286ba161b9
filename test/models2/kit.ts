/**
 * Helpers for the classic-virtualization model tests: a session on ringos, its console as a
 * transcript, every event it emits, and the guest's symbol map (the source of expected addresses).
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ArchId } from '../../src/engine/hv/architectures'
import { Session, type RunResult } from '../../src/engine/session/session'
import { EventBatcher } from '../../src/engine/trace/batcher'
import { RecordView, decodeEvent } from '../../src/engine/trace/codec'
import { RECORD_BYTES, type TraceEvent } from '../../src/engine/trace/schema'
import { utf8Decode, utf8Encode } from '../../src/engine/util/utf8'
import { GUESTS } from '../guest/tools'

export { fields, transcript } from '../guest/runner'

export const guestFile = (name: string): Uint8Array => new Uint8Array(readFileSync(join(GUESTS, name)))

/** A session running ringos-native (its disk included) on `arch`, with every event recorded. */
export function ringos(arch: ArchId, extra: Record<string, unknown> = {}) {
  const s = new Session({
    arch,
    vms: [{ image: guestFile('ringos-native.elf'), disk: guestFile('ringos-disk.img'), platform: 'native' }],
    ...extra,
  })
  const chunks: Uint8Array[] = []
  const take = (b: EventBatcher): void => {
    const t = b.take()
    chunks.push(new Uint8Array(t.buffer, 0, t.count * RECORD_BYTES).slice())
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
    console,
    events(): TraceEvent[] {
      take(batcher)
      return chunks.flatMap((c) => {
        const v = new RecordView(c.buffer as ArrayBuffer, c.byteOffset, c.length / RECORD_BYTES)
        return Array.from({ length: v.capacity }, (_, i) => decodeEvent(v, i))
      })
    },
    hash(): string {
      take(batcher)
      const h = createHash('sha256')
      for (const c of chunks) h.update(c)
      return h.digest('hex')
    },
    /** Base id of the component at an event's `from`/`to` index. */
    component(index: number): string {
      return s.topology.components[index]!.baseId
    },
  }
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
