// The reference counter and synthetic timers against TLFS timers.md, in virtual time. Expected
// deadlines are worked out by hand from 100 ns units and the 1 GHz virtual clock (100 cycles per unit).
import { describe, expect, it } from 'vitest'
import { StateReader, StateWriter } from '../../snapshot'
import type { SynicMessage } from './synic'
import { ReferenceClock, StimerConfig, SyntheticTimers, type TimerNotice } from './synic-timer'

const DIRECT_32 =
  StimerConfig.enable | StimerConfig.periodic | StimerConfig.directMode | (32 << StimerConfig.vectorShift)
const MS = 1_000_000 // cycles per millisecond at 1 GHz

function setup(origin = 0) {
  const fired: TimerNotice[] = []
  const posted: [number, SynicMessage][] = []
  const t = new SyntheticTimers(
    new ReferenceClock(origin),
    (s, m) => (posted.push([s, m]), 'delivered'),
    (n) => fired.push(n),
  )
  return { t, fired, posted }
}

describe('reference counter', () => {
  it("counts 100 ns units from the partition's creation", () => {
    const c = new ReferenceClock(5 * MS)
    expect(c.at(5 * MS)).toBe(0)
    expect(c.at(6 * MS)).toBe(10_000) // 1 ms = 10,000 × 100 ns
    expect(c.at(6 * MS + 99)).toBe(10_000)
    expect(c.cycleOf(10_000)).toBe(6 * MS)
  })
})

describe('synthetic timers', () => {
  it('a periodic direct-mode timer of 100,000 units ticks every 10 ms from when it was started', () => {
    const { t, fired } = setup()
    t.writeConfig(0, DIRECT_32, 3 * MS)
    expect(t.nextDeadline()).toBe(Infinity) // count 0: not running
    t.writeCount(0, 100_000, 0, 3 * MS)
    expect(t.nextDeadline()).toBe(13 * MS)
    t.advance(13 * MS - 1)
    expect(fired).toEqual([])
    t.advance(13 * MS)
    expect(fired).toEqual([{ kind: 'interrupt', cause: 'stimer', timer: 0, vector: 32 }])
    expect(t.nextDeadline()).toBe(23 * MS)
  })

  it('skips whole missed periods and stays on its grid', () => {
    const { t, fired } = setup()
    t.writeConfig(0, DIRECT_32, 0)
    t.writeCount(0, 100_000, 0, 0)
    t.advance(35 * MS) // 10, 20 and 30 ms passed
    expect(fired.length).toBe(1)
    expect(t.nextDeadline()).toBe(40 * MS)
  })

  it('refuses a direct-mode vector below 16 (#GP)', () => {
    const { t } = setup()
    expect(t.writeConfig(1, StimerConfig.enable | StimerConfig.directMode | (15 << 4), 0)).toBe(false)
  })

  it('leaves a message-mode timer with SINTx = 0 disabled', () => {
    const { t } = setup()
    t.writeConfig(2, StimerConfig.enable | StimerConfig.periodic, 0)
    expect(t.readConfig(2) & StimerConfig.enable).toBe(0)
  })

  it('a one-shot timer expires at its absolute count, once, and disables itself', () => {
    const { t, posted } = setup(MS)
    t.writeCount(1, 50_000, 0, MS) // reference time 50,000 = cycle 1 ms + 5 ms
    t.writeConfig(1, StimerConfig.enable | (3 << StimerConfig.sintShift), MS)
    expect(t.nextDeadline()).toBe(6 * MS)
    t.advance(7 * MS)
    expect(posted.length).toBe(1)
    const [sint, m] = posted[0]
    expect(sint).toBe(3)
    expect(m.type).toBe(0x80000010) // HvMessageTimerExpired
    const v = new DataView(m.payload.buffer)
    expect([v.getUint32(0, true), Number(v.getBigUint64(8, true)), Number(v.getBigUint64(16, true))]).toEqual(
      [1, 50_000, 60_000],
    )
    expect(t.readConfig(1) & StimerConfig.enable).toBe(0)
    expect(t.nextDeadline()).toBe(Infinity)
    t.advance(100 * MS)
    expect(posted.length).toBe(1)
  })

  it('auto-enable: a non-zero count enables, a zero count disables', () => {
    const { t } = setup()
    t.writeConfig(0, StimerConfig.autoEnable | StimerConfig.periodic | StimerConfig.directMode | (40 << 4), 0)
    expect(t.nextDeadline()).toBe(Infinity)
    t.writeCount(0, 1000, 0, 0)
    expect(t.readConfig(0) & StimerConfig.enable).toBe(1)
    expect(t.nextDeadline()).toBe(100_000)
    t.writeCount(0, 0, 0, 0)
    expect(t.readConfig(0) & StimerConfig.enable).toBe(0)
    expect(t.nextDeadline()).toBe(Infinity)
  })

  it('survives a snapshot with its deadline', () => {
    const a = setup(2 * MS)
    a.t.writeConfig(0, DIRECT_32, 2 * MS)
    a.t.writeCount(0, 100_000, 0, 4 * MS)
    const w = new StateWriter()
    a.t.saveState(w)
    const b = setup()
    b.t.loadState(new StateReader(w.finish()))
    expect(b.t.nextDeadline()).toBe(14 * MS)
    expect(b.t.clock.at(3 * MS)).toBe(10_000)
    expect(b.t.readCount(0)).toEqual([100_000, 0])
  })
})
