import { EVENT_DEFAULTS } from '../../../test/trace/event-defaults'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Session } from '../../engine/session/session'
import { EventBatcher } from '../../engine/trace/batcher'
import { RecordView, encodeEvent } from '../../engine/trace/codec'
import { EventKind, RECORD_BYTES, type TraceEvent } from '../../engine/trace/schema'
import { BT_BOUNDS, BtCacheHistory, btBucket } from './bt-cache'

function batch(events: readonly (Partial<TraceEvent> & Pick<TraceEvent, 'kind' | 'seq' | 'cycle'>)[]) {
  const view = new RecordView(new ArrayBuffer(RECORD_BYTES * events.length))
  events.forEach((e, i) =>
    encodeEvent(view, i, {
      ...EVENT_DEFAULTS,
      ...e,
    }),
  )
  return view
}

describe('the binary-translation cache history', () => {
  it('buckets virtual time 1-2-5 per decade from 10 µs', () => {
    expect(BT_BOUNDS.slice(0, 7)).toEqual([10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000])
    expect(BT_BOUNDS.at(-1)).toBe(1e13)
    expect([0, 9_999, 10_000, 19_999, 20_000, 1_500_000, 1e15].map(btBucket)).toEqual([0, 0, 1, 1, 2, 7, 28])
  })

  it('counts translations, sampled hits, call-outs and invalidations per bucket, up to the newest event', () => {
    const h = new BtCacheHistory()
    const v = batch([
      { seq: 0, cycle: 5_000, kind: EventKind.BtTranslate, arg0: 0xc0100000, arg1: 40, arg2: 9 },
      { seq: 1, cycle: 15_000, kind: EventKind.BtTranslate },
      { seq: 2, cycle: 15_000, kind: EventKind.BtCacheHit, arg1: 256 },
      { seq: 3, cycle: 60_000, kind: EventKind.BtCallout, reason: 0x107 },
      { seq: 4, cycle: 60_000, kind: EventKind.BtInvalidate, arg0: 0x1000, arg1: 3 },
      { seq: 5, cycle: 150_000, kind: EventKind.InsnRetired, arg0: 1000 },
    ])
    h.consume(v, 0, 3)
    expect(h.figures()).toEqual({
      buckets: [
        [1, 0, 0, 0],
        [1, 256, 0, 0],
      ],
      totals: [2, 256, 0, 0],
    })
    h.consume(v, 3, 3)
    expect(h.figures()).toEqual({
      buckets: [
        [1, 0, 0, 0],
        [1, 256, 0, 0],
        [0, 0, 0, 0],
        [0, 0, 1, 1],
        [0, 0, 0, 0],
      ],
      totals: [2, 256, 1, 1],
    })
  })

  it('starts over with a new stream', () => {
    const h = new BtCacheHistory()
    h.consume(batch([{ seq: 10, cycle: 30_000, kind: EventKind.BtTranslate }]), 0, 1)
    h.consume(batch([{ seq: 0, cycle: 1_000, kind: EventKind.BtCallout }]), 0, 1)
    expect(h.figures()).toEqual({ buckets: [[0, 0, 1, 0]], totals: [0, 0, 1, 0] })
  })

  it('shows ringos on VMware BT warming its cache: translations first, hits after', () => {
    const guests = join(import.meta.dirname, '..', '..', '..', 'public', 'guests')
    const file = (name: string) => new Uint8Array(readFileSync(join(guests, name)))
    const s = new Session({
      arch: 'vmware-bt',
      vms: [{ image: file('ringos-native.elf'), disk: file('ringos-disk.img'), platform: 'native' }],
    })
    const h = new BtCacheHistory()
    const drain = (b: EventBatcher) => {
      const t = b.take()
      h.consume(new RecordView(t.buffer, 0, t.count), 0, t.count)
    }
    const batcher = new EventBatcher(1 << 14, drain)
    s.attachEvents(batcher)
    s.run({ maxInstructions: 200_000_000, untilIdleMs: 100 })
    for (const line of ['ls', 'ls', 'cat motd']) {
      s.input(1, new TextEncoder().encode(`${line}\n`))
      s.run({ maxInstructions: 200_000_000, untilIdleMs: 100 })
    }
    drain(batcher)
    const { buckets, totals } = h.figures()
    const active = buckets.filter(([t, hits]) => t + hits > 0)
    const [first, last] = [active[0]!, active.at(-1)!]
    expect(first[0]).toBeGreaterThan(first[1])
    expect(last[1]).toBeGreaterThan(10 * last[0])
    // The runner reports the same cache for this boot (bt.translations); here: hundreds of blocks.
    expect(totals[0]).toBeGreaterThan(300)
    expect(totals[2]).toBeGreaterThan(totals[0])
  }, 60_000)
})
