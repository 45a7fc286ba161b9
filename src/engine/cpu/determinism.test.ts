/**
 * Determinism (issue 3 item 3), on the real guest OS (timer interrupts, paging, ring-3 processes,
 * system calls, the ATA disk): running N steps equals stepping N times; the same inputs give the
 * same event stream (hash of every record); a snapshot restored into a fresh machine continues
 * exactly as the uninterrupted run.
 *
 * InsnRetired samples are emitted once per `run` return by design, so a run of N and N single steps
 * differ in those samples only: that comparison hashes every other event, and compares the machine
 * (CPU, devices, memory) without the sink's counters.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { BareMetal } from '../machine/bare-metal-run'
import { EventBatcher } from '../trace/batcher'
import { StateWriter } from '../snapshot'
import { EventKind, RECORD_BYTES } from '../trace/schema'
import { saveSparseBytes } from '../machine/pc'
import { EventSink } from '../trace/sink'
import { utf8Encode } from '../util/utf8'

const guests = fileURLToPath(new URL('../../../public/guests/', import.meta.url))
const kernel = new Uint8Array(readFileSync(`${guests}ringos-native.elf`))
const disk = new Uint8Array(readFileSync(`${guests}ringos-disk.img`))
const INPUT = utf8Encode('ls\nps\necho determinism\n')

/** FNV-1a over event records (all of them, or all but InsnRetired samples without their sequence numbers). */
class StreamHash {
  h = 0x811c9dc5
  events = 0
  constructor(private readonly skipSamples: boolean) {}
  add(buf: ArrayBuffer, count: number): void {
    const words = new Uint32Array(buf)
    let h = this.h
    for (let e = 0; e < count; e++) {
      const w0 = (e * RECORD_BYTES) >> 2
      if (this.skipSamples && (words[w0 + 4] & 0xff) === EventKind.InsnRetired) continue
      // Without samples the sequence numbers shift, so hash everything after the seq field.
      for (let k = this.skipSamples ? 2 : 0; k < RECORD_BYTES >> 2; k++)
        h = Math.imul(h ^ words[w0 + k], 16777619)
      this.events++
    }
    this.h = h >>> 0
  }
}

/** CPU, devices and RAM, without the event sink's counters. */
function machineState(m: BareMetal): Uint8Array {
  const w = new StateWriter()
  w.f64(m.clock.cycles)
  m.cpu.saveState(w)
  m.pc.saveState(w)
  saveSparseBytes(w, m.pc.mem.u8)
  return w.finish()
}

function machine(skipSamples = false): { m: BareMetal; hash: StreamHash; flush: () => void } {
  const hash = new StreamHash(skipSamples)
  const clock = { cycles: 0 }
  const batcher = new EventBatcher(4096, (b) => {
    const batch = b.take()
    hash.add(batch.buffer, batch.count)
  })
  const sink = new EventSink(clock)
  sink.attach(batcher)
  const m = new BareMetal({ disk: disk.slice(), sink, clock })
  m.load(kernel)
  m.input(INPUT)
  return {
    m,
    hash,
    flush: () => {
      const batch = batcher.take()
      hash.add(batch.buffer, batch.count)
    },
  }
}

const N = 2_000_000

describe('determinism on ringos', () => {
  it('running N steps equals stepping N times (state and event stream)', () => {
    const a = machine(true)
    expect(a.m.run(N)).toBe('max-insns')
    a.flush()
    const b = machine(true)
    for (let k = 0; k < N; k++) b.m.run(1)
    b.flush()
    expect(b.m.steps).toBe(a.m.steps)
    expect(b.m.cpu.instructions).toBe(a.m.cpu.instructions)
    expect(b.hash.events).toBe(a.hash.events)
    expect(b.hash.h).toBe(a.hash.h)
    expect(machineState(b.m)).toEqual(machineState(a.m))
    // The run really exercised the machine: ring changes, interrupts, port I/O.
    expect(a.m.sink.counts[2]).toBeGreaterThan(100)
    expect(a.m.sink.counts[4]).toBeGreaterThan(10)
  })

  it('the same inputs give the same event stream', () => {
    const a = machine()
    const b = machine()
    a.m.run(3_000_000)
    b.m.run(3_000_000)
    a.flush()
    b.flush()
    expect(a.hash.events).toBeGreaterThan(1000)
    expect(b.hash.h).toBe(a.hash.h)
  })

  it('a snapshot restored into a fresh machine continues exactly as the uninterrupted run', () => {
    const a = machine()
    a.m.run(N)
    a.m.run(N)
    a.flush()
    const b = machine()
    b.m.run(N)
    const snap = b.m.snapshot()
    b.flush()
    const c = machine()
    c.m.restore(snap)
    // Drop what the fresh machine emitted before the restore (its own queued keystrokes) and continue
    // B's hash: B's first half followed by C's second half must hash as A's whole stream.
    c.flush()
    c.hash.events = b.hash.events
    c.hash.h = b.hash.h
    c.m.run(N)
    c.flush()
    expect(c.m.cpu.instructions).toBe(a.m.cpu.instructions)
    expect(c.m.clock.cycles).toBe(a.m.clock.cycles)
    expect(c.m.snapshot()).toEqual(a.m.snapshot())
    expect(c.hash.events).toBe(a.hash.events)
    expect(c.hash.h).toBe(a.hash.h)
  })
})
