import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { RecordView } from './codec'
import { RECORD_BYTES, W } from './schema'
import { EventRing } from './transport-ring'

/** A batch of `n` records whose seq fields are `first … first + n − 1`. */
function batch(first: number, n: number): RecordView {
  const v = new RecordView(new ArrayBuffer(n * RECORD_BYTES))
  for (let i = 0; i < n; i++) {
    v.f64[(i * 12 + W.seq) >> 1] = first + i
    v.u32[i * 12 + W.arg0] = (first + i) ^ 0x5a5a5a5a
  }
  return v
}

/** Reads everything available and returns the seq numbers, checking that arg0 travelled with them. */
function drain(ring: EventRing): number[] {
  const seqs: number[] = []
  ring.read((v, start, count) => {
    for (let i = start; i < start + count; i++) {
      const seq = v.f64[(i * 12 + W.seq) >> 1]
      expect(v.u32[i * 12 + W.arg0]).toBe((seq ^ 0x5a5a5a5a) >>> 0)
      seqs.push(seq)
    }
  })
  return seqs
}

const range = (first: number, n: number) => Array.from({ length: n }, (_, i) => first + i)

describe('EventRing', () => {
  it('keeps records in order across wrap-around', () => {
    const ring = new EventRing(EventRing.allocate(8))
    expect(ring.write(batch(0, 5), 5)).toBe(5)
    expect(drain(ring)).toEqual(range(0, 5))
    // Write index is 5: the next 6 records occupy slots 5, 6, 7, 0, 1, 2.
    expect(ring.write(batch(5, 6), 6)).toBe(6)
    const seen: Array<[number, number]> = []
    ring.read((_v, start, count) => seen.push([start, count]))
    expect(seen).toEqual([
      [5, 3],
      [0, 3],
    ])
    ring.write(batch(11, 8), 8)
    expect(drain(ring)).toEqual(range(11, 8))
  })

  it('reads at most as many records as the consumer asks for, in order, across wrap-around', () => {
    const ring = new EventRing(EventRing.allocate(8))
    ring.write(batch(0, 6), 6)
    drain(ring)
    ring.write(batch(6, 7), 7) // slots 6, 7, 0 … 4
    const seen: Array<[number, number]> = []
    const seqs: number[] = []
    const take = (max: number) =>
      ring.read((v, start, count) => {
        seen.push([start, count])
        for (let i = start; i < start + count; i++) seqs.push(v.f64[(i * 12 + W.seq) >> 1])
      }, max)
    expect(take(3)).toBe(3)
    expect(seen).toEqual([
      [6, 2],
      [0, 1],
    ])
    expect(ring.available()).toBe(4)
    expect(take(10)).toBe(4)
    expect(seqs).toEqual(range(6, 7))
    expect(take(10)).toBe(0)
  })

  it('writes only what fits when full and reports how much', () => {
    const ring = new EventRing(EventRing.allocate(4))
    expect(ring.write(batch(0, 3), 3)).toBe(3)
    expect(ring.free()).toBe(1)
    expect(ring.write(batch(3, 3), 3)).toBe(1)
    expect(ring.write(batch(4, 1), 1)).toBe(0)
    expect(drain(ring)).toEqual([0, 1, 2, 3])
    expect(ring.available()).toBe(0)
  })

  it('stays correct when the 32-bit indices wrap', () => {
    const sab = EventRing.allocate(4)
    const ctl = new Int32Array(sab)
    ctl[0] = -2 // write index 2^32 − 2
    ctl[16] = -2 // read index
    const ring = new EventRing(sab)
    expect(ring.write(batch(0, 4), 4)).toBe(4)
    expect(ring.available()).toBe(4)
    expect(drain(ring)).toEqual(range(0, 4))
  })

  it('rings the doorbell once per arm, and tells the consumer when records raced in', () => {
    const ring = new EventRing(EventRing.allocate(8))
    // A fresh ring starts armed: the consumer waits for the first write.
    ring.write(batch(0, 1), 1)
    expect(ring.takeDoorbell()).toBe(true)
    ring.write(batch(1, 1), 1)
    expect(ring.takeDoorbell()).toBe(false)
    expect(ring.arm()).toBe(false) // two records are waiting: read before sleeping
    drain(ring)
    expect(ring.arm()).toBe(true)
    ring.write(batch(2, 1), 1)
    expect(ring.takeDoorbell()).toBe(true)
  })

  it('rejects bad capacities and foreign buffers', () => {
    expect(() => EventRing.allocate(6)).toThrow(/power of two/)
    expect(() => EventRing.allocate(1)).toThrow(/power of two/)
    expect(() => new EventRing(new SharedArrayBuffer(EventRing.byteLength(8)))).toThrow(/not a ring/)
  })

  it('carries a million records from a producer thread without loss, reordering or torn records', async () => {
    const total = 1_000_000
    const sab = EventRing.allocate(1 << 12)
    const ringUrl = new URL('./transport-ring.ts', import.meta.url).href
    const codecUrl = new URL('./codec.ts', import.meta.url).href
    // The producer runs in a worker thread; tsx compiles the TypeScript modules it imports.
    const producer = `
      const { workerData, parentPort } = require('node:worker_threads')
      import('tsx/esm/api').then((tsx) => {
        tsx.register()
        return Promise.all([import(${JSON.stringify(ringUrl)}), import(${JSON.stringify(codecUrl)})])
      }).then(([{ EventRing }, { RecordView }]) => {
        const ring = new EventRing(workerData.sab)
        const n = 997
        const src = new RecordView(new ArrayBuffer(n * ${RECORD_BYTES}))
        let next = 0
        while (next < workerData.total) {
          const k = Math.min(n, workerData.total - next)
          for (let i = 0; i < k; i++) {
            src.f64[(i * 12) >> 1] = next + i
            src.u32[i * 12 + ${W.arg0}] = (next + i) ^ 0x5a5a5a5a
          }
          let done = 0
          while (done < k) {
            const w = ring.write(new RecordView(src.buffer, done * ${RECORD_BYTES}, k - done), k - done)
            done += w
            if (w === 0) ring.waitForRead(50)
          }
          next += k
        }
        parentPort.postMessage('done')
      })`
    const worker = new Worker(producer, {
      eval: true,
      workerData: { sab, total },
    })
    const failed = new Promise<never>((_, reject) => worker.once('error', reject))
    const ring = new EventRing(sab)
    let expected = 0
    let bad = 0
    const started = Date.now()
    while (expected < total && Date.now() - started < 30_000) {
      ring.read((v, start, count) => {
        for (let i = start; i < start + count; i++) {
          const seq = v.f64[(i * 12) >> 1]
          if (seq !== expected || v.u32[i * 12 + W.arg0] !== (seq ^ 0x5a5a5a5a) >>> 0) bad++
          expected = seq + 1
        }
      })
      await Promise.race([new Promise((r) => setImmediate(r)), failed])
    }
    await worker.terminate()
    expect(bad).toBe(0)
    expect(expected).toBe(total)
  })
})
