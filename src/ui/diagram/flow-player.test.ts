import { describe, expect, it } from 'vitest'
import { FlowPlayer } from './flow-player'
import type { DiagramFlow } from './trace-adapter'

const flow = (label: string, hops = 3): DiagramFlow => ({
  kind: 'vm-exit',
  label,
  hops: Array.from({ length: hops }, (_, i) => ({ from: i, to: i + 1, cost: 100, cause: 'trap' as const })),
})

/** Samples the token every `step` ms from `t0` to `t1`: the distinct (label, hop) pairs in order. */
function watch(p: FlowPlayer, t0: number, t1: number, step = 10): string[] {
  const seen: string[] = []
  for (let t = t0; t <= t1; t += step) {
    const f = p.frame(t)
    const key = f === null ? '-' : `${f.flow.label}:${f.hop}`
    if (seen[seen.length - 1] !== key) seen.push(key)
  }
  return seen
}

describe('flow playback', () => {
  it('in slow motion shows one flow at a time, hop by hop, and skips what arrives meanwhile', () => {
    const p = new FlowPlayer()
    p.setSpeed('slow', 0)
    expect(p.enqueue(flow('a'), 0)).toBe(true)
    expect(p.enqueue(flow('b'), 10)).toBe(false)
    expect(p.skipped).toBe(1)
    expect(watch(p, 0, 8000)).toEqual(['a:0', 'a:1', 'a:2', '-'])
    expect(p.busy).toBe(false)
  })

  it('shows management flows (the user’s own command) ahead of the others, each in turn', () => {
    const p = new FlowPlayer()
    p.setSpeed('slow', 0)
    const mgmt = (label: string): DiagramFlow => ({ ...flow(label, 1), kind: 'management' })
    p.enqueue(flow('a', 1), 0)
    // Step by step, a command's flows arrive together: none may push out another, or the guest's flow
    // playing now keep them waiting.
    expect(p.enqueue(mgmt('m1'), 10)).toBe(true)
    expect(p.enqueue(mgmt('m2'), 10)).toBe(true)
    expect(p.enqueue(flow('b', 1), 10)).toBe(false)
    expect(p.skipped).toBe(2)
    expect(watch(p, 10, 8000)).toEqual(['m1:0', '-', 'm2:0', '-'])
  })

  it('keeps each hop of a slow-motion flow on screen for more than a second', () => {
    const p = new FlowPlayer()
    p.setSpeed('slow', 0)
    p.enqueue(flow('a', 2), 0)
    let onHop0 = 0
    for (let t = 0; t < 5000; t += 10) if (p.frame(t)?.hop === 0) onHop0 += 10
    expect(onHop0).toBeGreaterThan(1000)
  })

  it('at normal speed queues a few flows and plays them in order', () => {
    const p = new FlowPlayer()
    for (const l of ['a', 'b', 'c', 'd', 'e', 'f']) p.enqueue(flow(l, 1), 0)
    expect(p.skipped).toBe(2)
    expect(watch(p, 0, 10_000).filter((k) => k !== '-')).toEqual(['a:0', 'b:0', 'c:0', 'd:0'])
  })

  it('moves the token smoothly along a hop, or holds it in the middle under reduced motion', () => {
    const p = new FlowPlayer()
    p.enqueue(flow('a', 2), 0)
    const t1 = p.frame(100)?.t ?? -1
    const t2 = p.frame(400)?.t ?? -1
    expect(t1).toBeGreaterThan(0)
    expect(t2).toBeGreaterThan(t1)
    p.reducedMotion = true
    expect(p.frame(100)?.t).toBe(0.5)
    expect(p.frame(400)?.t).toBe(0.5)
    // The information stays: the hops still advance.
    expect(p.frame(700)?.hop).toBe(1)
  })

  it('freezes while paused and resumes where it stopped', () => {
    const p = new FlowPlayer()
    p.enqueue(flow('a', 3), 0)
    const before = p.frame(300)
    p.setPaused(true, 300)
    expect(p.frame(5000)).toEqual(before)
    p.setPaused(false, 5000)
    expect(p.frame(5000)?.t).toBeCloseTo(before?.t ?? -1)
    expect(p.frame(5000)?.hop).toBe(before?.hop)
  })

  it('keeps the token in place when the speed changes mid-flow', () => {
    const p = new FlowPlayer()
    p.enqueue(flow('a', 3), 0)
    const at = p.frame(900) // normal: hop 1, half way
    p.setSpeed('slow', 900)
    const same = p.frame(900)
    expect(same?.hop).toBe(at?.hop)
    expect(same?.t).toBeCloseTo(at?.t ?? -1)
  })

  it('at full speed shows no tokens and accepts no flows', () => {
    const p = new FlowPlayer()
    p.setSpeed('full', 0)
    expect(p.accepts).toBe(false)
    expect(p.enqueue(flow('x'), 0)).toBe(false)
    expect(p.frame(10)).toBeNull()
    expect(p.busy).toBe(false)
    // Nothing is shown at full speed, so nothing counts as skipped for the pace.
    expect(p.skipped).toBe(0)
  })

  it('says whether a flow would be shown before it is built', () => {
    const p = new FlowPlayer()
    p.setSpeed('slow', 0)
    expect(p.accepts).toBe(true)
    p.enqueue(flow('a'), 0)
    // Slow motion queues nothing behind the flow on show.
    expect(p.accepts).toBe(false)
    p.skip()
    expect(p.skipped).toBe(1)
    p.frame(20_000)
    expect(p.accepts).toBe(true)
  })

  it('switching to full speed drops pending tokens and counts them', () => {
    const p = new FlowPlayer()
    p.enqueue(flow('a'), 0)
    p.enqueue(flow('b'), 0)
    p.setSpeed('full', 10)
    expect(p.busy).toBe(false)
    expect(p.skipped).toBe(2)
  })
})
