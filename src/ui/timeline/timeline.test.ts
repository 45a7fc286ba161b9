import { describe, expect, it } from 'vitest'
import { encodeContext } from '../../engine/privilege'
import { RecordView, encodeEvent } from '../../engine/trace/codec'
import {
  EventKind,
  MANAGEMENT_VM,
  NO_COMPONENT,
  NO_VM,
  RECORD_BYTES,
  type TraceEvent,
} from '../../engine/trace/schema'
import { STATE_HARDWARE, STATE_IDLE, TraceBuffer } from '../../state/trace-buffer'
import {
  NO_STATE,
  SAMPLES_PER_COLUMN,
  bucketize,
  makeColumns,
  nearestRecord,
  type TimelineSource,
} from './buckets'
import { formatTick, tickStep } from './draw'
import { MIN_SPAN, fit, follow, pan, zoom } from './viewport'

const R0 = encodeContext({ vmx: 'off', cpl: 0 })
const R3 = encodeContext({ vmx: 'off', cpl: 3 })
const NR0 = encodeContext({ vmx: 'nonroot', cpl: 0 })
const ROOT0 = encodeContext({ vmx: 'root', cpl: 0 })

type Ev = Partial<TraceEvent> & { kind: TraceEvent['kind']; cycle: number }

/** Encodes events as a batch, numbering them from `seq`. */
function batch(events: readonly Ev[], seq = 0): RecordView {
  const v = new RecordView(new ArrayBuffer(Math.max(1, events.length) * RECORD_BYTES))
  events.forEach((e, i) =>
    encodeEvent(v, i, {
      seq: seq + i,
      pcpu: 0,
      vm: 1,
      vcpu: 0,
      reason: 0,
      fromCtx: 0,
      toCtx: 0,
      from: NO_COMPONENT,
      to: NO_COMPONENT,
      cost: 0,
      arg0: 0,
      arg1: 0,
      flow: 0,
      arg2: 0,
      ...e,
    }),
  )
  return v
}

function feed(buf: TraceBuffer, events: readonly Ev[], seq = 0): void {
  buf.consume(batch(events, seq), 0, events.length)
}

const ring = (cycle: number, to: number, vm = 1): Ev => ({ kind: EventKind.RingChange, cycle, toCtx: to, vm })

describe('TraceBuffer', () => {
  it('keeps at most its capacity, drops the oldest and counts them', () => {
    const buf = new TraceBuffer(1 << 16)
    const total = 200_000
    for (let start = 0; start < total; start += 16384) {
      const n = Math.min(16384, total - start)
      feed(
        buf,
        Array.from({ length: n }, (_, i) => ({ kind: EventKind.PortIo, cycle: (start + i) * 10 })),
        start,
      )
    }
    expect(buf.size).toBe(1 << 16)
    expect(buf.overwritten).toBe(total - (1 << 16))
    expect(buf.event(0).seq).toBe(total - (1 << 16))
    expect(buf.event(buf.size - 1).seq).toBe(total - 1)
    expect(buf.span()).toEqual({ from: (total - (1 << 16)) * 10, to: (total - 1) * 10 })
    // Still in cycle order across the ring's wrap: binary search finds every record.
    for (const i of [0, 1, 12345, 65535]) expect(buf.lowerBound(buf.cycle(i))).toBe(i)
  })

  it('starts over when the sequence goes back (a new session or a restore)', () => {
    const buf = new TraceBuffer(1 << 16)
    feed(
      buf,
      [ring(10, R3), { kind: EventKind.VmExit, cycle: 20, reason: 30, arg0: 0x3f80000, arg1: 0x1234, vm: 2 }],
      100,
    )
    expect(buf.size).toBe(2)
    expect(buf.exitsByReason[30]).toBe(1)
    expect([buf.lastExitReason[2], buf.lastExitQualification[2], buf.lastExitEip[2]]).toEqual([
      30, 0x3f80000, 0x1234,
    ])
    expect(buf.lastExitReason[1]).toBe(-1)
    feed(buf, [ring(5, R0)], 0)
    expect(buf.size).toBe(1)
    expect(buf.exitsByReason[30]).toBe(0)
    expect(buf.lastExitReason[2]).toBe(-1)
    expect(buf.event(0).cycle).toBe(5)
  })

  it('works out what the CPU does after each event', () => {
    const buf = new TraceBuffer(1 << 16)
    feed(buf, [
      ring(10, R3),
      { kind: EventKind.Syscall, cycle: 20 },
      ring(30, R0),
      { kind: EventKind.Hop, cycle: 40, fromCtx: R0, toCtx: 0xff, cost: 4 },
      { kind: EventKind.Hop, cycle: 50, fromCtx: 0xff, toCtx: R0 },
      { kind: EventKind.Halt, cycle: 60 },
      { kind: EventKind.InsnRetired, cycle: 61 },
      { kind: EventKind.TimerTick, cycle: 70, vm: NO_VM },
      { kind: EventKind.Interrupt, cycle: 80 },
      { kind: EventKind.FlowBegin, cycle: 90, reason: 1, fromCtx: NR0, toCtx: NR0 },
      ring(95, ROOT0),
      { kind: EventKind.Dropped, cycle: 99, arg0: 7 },
    ])
    expect(Array.from({ length: buf.size }, (_, i) => buf.stateAt(i))).toEqual([
      R3,
      R3,
      R0,
      STATE_HARDWARE,
      R0,
      STATE_IDLE,
      STATE_IDLE, // an instruction sample at the end of a run slice does not wake it
      STATE_IDLE,
      R0, // the interrupt wakes the vCPU in the context it halted in
      NR0,
      ROOT0,
      ROOT0,
    ])
    expect(buf.flowsByKind[1]).toBe(1)
    expect(buf.dropped).toBe(7)
    // The hop to the device is kept where it began: it took the 4 cycles before its stamp.
    expect(buf.cycle(3)).toBe(36)
  })
  it('follows the scheduler: idle when the physical CPU has no vCPU, a VM in the context it was last seen in', () => {
    const buf = new TraceBuffer(1 << 16)
    feed(buf, [
      ring(10, NR0, 1),
      ring(20, NR0 | 3, 2),
      { kind: EventKind.Schedule, cycle: 30, vm: 2, arg0: 2, arg1: 0 },
      { kind: EventKind.Schedule, cycle: 40, vm: NO_VM, arg0: 0, arg1: 1 },
      { kind: EventKind.Schedule, cycle: 50, vm: 1, arg0: 1, arg1: 2 },
    ])
    const states = Array.from({ length: buf.size }, (_, i) => buf.stateAt(i))
    expect(states).toEqual([NR0, NR0 | 3, STATE_IDLE, NR0, NR0 | 3])
  })
  it('does not draw the management domain (Dom0, the root partition) as idle: its hops say where it runs', () => {
    const buf = new TraceBuffer(1 << 16)
    feed(buf, [
      ring(10, NR0, 1),
      { kind: EventKind.Schedule, cycle: 20, vm: 1, arg0: 1, arg1: MANAGEMENT_VM },
      { kind: EventKind.Hop, cycle: 30, fromCtx: NR0, toCtx: ROOT0 },
      { kind: EventKind.Schedule, cycle: 40, vm: 1, arg0: MANAGEMENT_VM, arg1: 1 },
    ])
    const states = Array.from({ length: buf.size }, (_, i) => buf.stateAt(i))
    expect(states).toEqual([NR0, NR0, ROOT0, NR0])
  })
})

/** Counts the cycles the bucketing reads. */
function counting(src: TraceBuffer): TimelineSource & { reads: number } {
  const counter = { reads: 0 }
  const cycles = new Proxy(src.columns.cycles, {
    get(target, p) {
      if (typeof p === 'string' && /^\d+$/.test(p)) counter.reads++
      const v = Reflect.get(target, p) as unknown
      return typeof v === 'function' ? v.bind(target) : v
    },
  })
  return Object.assign(counter, { size: src.size, columns: { ...src.columns, cycles } })
}

describe('bucketize', () => {
  // r0 on [0, 100), r3 on [100, 400), idle from 400 (the clock is at 1000).
  const simple = () => {
    const buf = new TraceBuffer(1 << 16)
    feed(buf, [ring(0, R0), ring(100, R3), { kind: EventKind.Halt, cycle: 400 }])
    return buf
  }

  it('colours each column by the state that held longest in it', () => {
    const cols = makeColumns(10, 1)
    bucketize(simple(), 0, 1000, 1000, cols)
    expect(Array.from(cols.lanes[0]!)).toEqual([R0, R3, R3, R3, ...Array<number>(6).fill(STATE_IDLE)])
    expect(Array.from(cols.count)).toEqual([1, 1, 0, 0, 1, 0, 0, 0, 0, 0])
    // VM 1's lane shows its vCPU, halted too; a lane of a VM that never ran stays empty.
    expect(Array.from(cols.lanes[1]!)).toEqual(Array.from(cols.lanes[0]!))
    const two = makeColumns(10, 2)
    bucketize(simple(), 0, 1000, 1000, two)
    expect(two.lanes[2]!.every((s) => s === NO_STATE)).toBe(true)
    const wide = makeColumns(4, 1)
    bucketize(simple(), 0, 1000, 1000, wide)
    // [0, 250): 100 cycles of r0, 150 of r3.
    expect(wide.lanes[0]![0]).toBe(R3)
  })

  it('leaves columns before the first record and after the clock empty', () => {
    const cols = makeColumns(10, 1)
    bucketize(simple(), -500, 1500, 1000, cols)
    expect(cols.lanes[0]![0]).toBe(NO_STATE)
    expect(cols.lanes[0]![2]).toBe(R0)
    expect(cols.lanes[0]![9]).toBe(NO_STATE)
  })

  it('reads a bounded number of records per column, whatever the number of records', () => {
    const buf = new TraceBuffer(1 << 20)
    // 1 M records: 3 cycles in r3, then 1 in r0, repeated.
    const n = 1 << 20
    for (let start = 0; start < n; start += 1 << 16)
      feed(
        buf,
        Array.from({ length: 1 << 16 }, (_, i) => {
          const k = start + i
          return ring(Math.floor(k / 2) * 4 + (k % 2) * 3, k % 2 ? R0 : R3)
        }),
        start,
      )
    expect(buf.size).toBe(n)
    const src = counting(buf)
    const columns = 1000
    const cols = makeColumns(columns, 1)
    const end = buf.cycle(n - 1) + 1
    bucketize(src, 0, end, end, cols)
    expect(cols.lanes[0]!.every((s) => s === R3)).toBe(true)
    expect(Array.from(cols.count).reduce((a, b) => a + b, 0)).toBe(n)
    // Two binary searches (≤ 21 reads each for 2^20 records) and two reads per sample, per column.
    expect(src.reads).toBeLessThan(columns * (2 * 21 + 2 * SAMPLES_PER_COLUMN))
  })

  it('finds the record nearest to a click', () => {
    const buf = simple()
    expect(nearestRecord(buf, 110, 20)).toBe(1)
    expect(nearestRecord(buf, 390, 20)).toBe(2)
    expect(nearestRecord(buf, 250, 20)).toBe(-1)
  })
})

describe('viewport', () => {
  it('zooms about a point and keeps it in place', () => {
    const v = zoom({ from: 0, to: 1000, follow: false }, 0.5, 250, { from: 0, to: 1000 })
    expect(v).toEqual({ from: 125, to: 625, follow: false })
    expect(
      zoom(v, 1e-9, 300, { from: 0, to: 1000 }).to - zoom(v, 1e-9, 300, null).from,
    ).toBeGreaterThanOrEqual(MIN_SPAN)
    // Zooming out stops at a little more than the data.
    const out = zoom({ from: 0, to: 1000, follow: false }, 100, 500, { from: 0, to: 1000 })
    expect(out.to - out.from).toBe(1250)
  })

  it('follows the newest record until the user pans, and fits the data', () => {
    const v = follow({ from: 0, to: 100, follow: true }, 5000)
    expect(v).toEqual({ from: 4900, to: 5000, follow: true })
    const panned = pan(v, -50)
    expect(panned).toEqual({ from: 4850, to: 4950, follow: false })
    expect(follow(panned, 9000)).toBe(panned)
    expect(fit({ from: 1000, to: 2000 }, true)).toEqual({ from: 980, to: 2020, follow: true })
  })
})

describe('axis', () => {
  it('steps by 1, 2 or 5 × 10^k and labels neighbouring ticks differently, in both languages', () => {
    expect(tickStep(1000)).toBe(200_000)
    expect(tickStep(3)).toBe(500)
    const step = 200_000
    for (const language of ['en', 'zh-CN']) {
      const labels = [0, 1, 2, 3].map((k) => formatTick(5_901_400_000 + k * step, step, language))
      expect(new Set(labels).size, labels.join(' ')).toBe(4)
    }
    expect(formatTick(2_000_000_000, 1_000_000_000, 'en')).toBe('2B')
  })
})
