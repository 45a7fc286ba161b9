import { describe, expect, it } from 'vitest'
import { HeatMap } from './heat'

describe('heat', () => {
  it('is passes per second, decaying with a one-second half-life', () => {
    const h = new HeatMap()
    h.reset(3, 0)
    // 100 passes 0 → 1 spread over one second, folded every 10 ms as frames would.
    for (let t = 10; t <= 1000; t += 10) {
      h.count(0, 1)
      h.fold(t)
    }
    const rate = h.componentRate(1)
    // 100 passes in the last second with a one-second half-life: tens per second, not thousands.
    expect(rate).toBeGreaterThan(30)
    expect(rate).toBeLessThan(100)
    expect(h.edgeRate(0, 1)).toBeCloseTo(rate)
    expect(h.componentRate(0)).toBe(0)
    expect(h.edgeRate(1, 0)).toBe(0)
    h.fold(3000)
    expect(h.componentRate(1)).toBeCloseTo(rate / 4)
    expect(h.warm).toBe(true)
    h.fold(60_000)
    expect(h.componentRate(1)).toBe(0)
    expect(h.warm).toBe(false)
  })

  it('counts passes between folds in full, however many there are', () => {
    const a = new HeatMap()
    const b = new HeatMap()
    a.reset(2, 0)
    b.reset(2, 0)
    for (let i = 0; i < 10_000; i++) a.count(0, 1)
    a.fold(0)
    b.count(0, 1)
    b.fold(0)
    expect(a.componentRate(1)).toBeCloseTo(10_000 * b.componentRate(1))
  })

  it('ignores components outside the topology and starts over on reset', () => {
    const h = new HeatMap()
    h.reset(2, 0)
    h.count(0, 7)
    h.count(7, 0)
    expect(h.warm).toBe(false)
    h.count(0, 1)
    expect(h.warm).toBe(true)
    h.fold(0)
    h.reset(2, 100)
    expect(h.componentRate(1)).toBe(0)
    expect(h.warm).toBe(false)
  })
})
