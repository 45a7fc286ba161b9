import { describe, expect, it } from 'vitest'
import { EventBatcher } from './batcher'
import { RecordView, decodeEvent, encodeEvent } from './codec'
import { EVENT_KIND_NAMES, EventKind, RECORD_BYTES, type TraceEvent } from './schema'
import { EventSink } from './sink'

const sample: TraceEvent = {
  seq: 2 ** 40 + 7,
  cycle: 2 ** 52 - 1,
  kind: EventKind.VmExit,
  pcpu: 3,
  vm: 254,
  vcpu: 255,
  reason: 0xfffe,
  fromCtx: 0xa5,
  toCtx: 0x5a,
  from: 0xfffe,
  to: 0x1234,
  cost: 0xffffffff,
  arg0: 0x80000000,
  arg1: 0xdeadbeef,
  flow: 0xfffffff0,
  arg2: 1,
}

describe('event record codec', () => {
  it('round-trips every field at its full width', () => {
    const v = new RecordView(new ArrayBuffer(4 * RECORD_BYTES))
    encodeEvent(v, 2, sample)
    expect(decodeEvent(v, 2)).toEqual(sample)
  })

  it('masks each field to its declared width instead of corrupting neighbours', () => {
    const v = new RecordView(new ArrayBuffer(RECORD_BYTES))
    encodeEvent(v, 0, { ...sample, vm: 0x1ff, reason: 0x1ffff, from: 0x10001, arg0: -1 })
    const e = decodeEvent(v, 0)
    expect(e.vm).toBe(0xff)
    expect(e.vcpu).toBe(255)
    expect(e.reason).toBe(0xffff)
    expect(e.fromCtx).toBe(0xa5)
    expect(e.from).toBe(1)
    expect(e.to).toBe(0x1234)
    expect(e.arg0).toBe(0xffffffff)
  })

  it('rejects records of an unknown kind', () => {
    const v = new RecordView(new ArrayBuffer(RECORD_BYTES))
    expect(() => decodeEvent(v, 0)).toThrow(/unknown kind 0/)
  })

  it('names every kind', () => {
    for (const k of Object.values(EventKind)) expect(EVENT_KIND_NAMES[k]).toMatch(/^[a-z-]+$/)
  })
})

describe('EventSink and EventBatcher', () => {
  it('stamps strictly increasing sequence numbers and the virtual cycle', () => {
    const clock = { cycles: 100 }
    const sink = new EventSink(clock)
    const batcher = new EventBatcher(16)
    sink.attach(batcher)
    sink.vm = 1
    for (let i = 0; i < 5; i++) {
      clock.cycles += 10
      sink.emit(EventKind.PortIo, 1, 0x3f8, 65 + i)
    }
    const batch = batcher.take()
    expect(batch.count).toBe(5)
    const v = new RecordView(batch.buffer)
    const events = Array.from({ length: batch.count }, (_, i) => decodeEvent(v, i))
    expect(events.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4])
    expect(events.map((e) => e.cycle)).toEqual([110, 120, 130, 140, 150])
    expect(events.every((e) => e.vm === 1 && e.kind === EventKind.PortIo)).toBe(true)
    expect(events.map((e) => e.arg1)).toEqual([65, 66, 67, 68, 69])
  })

  it('drops and counts when the batch is full and nobody takes it, and keeps counting by kind', () => {
    const sink = new EventSink({ cycles: 0 })
    const batcher = new EventBatcher(3)
    sink.attach(batcher)
    for (let i = 0; i < 10; i++) sink.emit(EventKind.Interrupt, 32, i)
    expect(batcher.size).toBe(3)
    expect(batcher.dropped).toBe(7)
    const batch = batcher.take()
    expect(batch.dropped).toBe(7)
    expect(sink.counts[EventKind.Interrupt]).toBe(10)
    sink.emit(EventKind.Interrupt, 32, 99)
    const next = batcher.take()
    expect(next.count).toBe(1)
    expect(next.dropped).toBe(0)
    expect(decodeEvent(new RecordView(next.buffer), 0).seq).toBe(10)
  })

  it('lets onFull make room so nothing is dropped', () => {
    const batches: number[] = []
    const batcher = new EventBatcher(4, (b) => batches.push(b.take().count))
    const sink = new EventSink({ cycles: 0 })
    sink.attach(batcher)
    for (let i = 0; i < 10; i++) sink.emit(EventKind.Hop, 1, i)
    expect(batches).toEqual([4, 4])
    expect(batcher.size).toBe(2)
    expect(batcher.dropped).toBe(0)
  })

  it('calls onFull for every record that finds the buffer full, until one makes room', () => {
    let calls = 0
    const batcher = new EventBatcher(4, () => calls++)
    const sink = new EventSink({ cycles: 0 })
    sink.attach(batcher)
    for (let i = 0; i < 7; i++) sink.emit(EventKind.Hop, 1, i)
    expect([calls, batcher.size, batcher.dropped]).toEqual([3, 4, 3])
  })

  it('counts without recording when no batcher is attached', () => {
    const sink = new EventSink({ cycles: 0 })
    expect(sink.enabled).toBe(false)
    sink.emit(EventKind.Exception, 13, 0)
    expect(sink.counts[EventKind.Exception]).toBe(1)
    expect(sink.nextSeq).toBe(1)
  })
})
