import { describe, expect, it } from 'vitest'
import type { EngineClient } from '../../client/engine-client'
import { TOPOLOGIES } from '../../engine/hv/architectures'
import { componentIndex, instantiateTopology } from '../../engine/hv/topology'
import { encodeContext } from '../../engine/privilege'
import { RecordView, encodeEvent } from '../../engine/trace/codec'
import { EventKind, FlowKind, HopCause, RECORD_BYTES, type TraceEvent } from '../../engine/trace/schema'
import type { LiveDiagram } from '../diagram/draw'
import type { Speed } from '../diagram/flow-player'
import type { DiagramFlow } from '../diagram/trace-adapter'
import { LiveDiagramFeed } from './live-diagram'

const bare = instantiateTopology(TOPOLOGIES.bare, 1)
const user = componentIndex(bare, 'guest-user', null)
const kernel = componentIndex(bare, 'guest-kernel', null)

function event(e: Partial<TraceEvent>): TraceEvent {
  return {
    seq: 0,
    cycle: 0,
    kind: EventKind.Hop,
    pcpu: 0,
    vm: 0,
    vcpu: 0,
    reason: 0,
    fromCtx: 0,
    toCtx: 0,
    from: 0xffff,
    to: 0xffff,
    cost: 0,
    arg0: 0,
    arg1: 0,
    flow: 0,
    arg2: 0,
    ...e,
  }
}

/** A system call as the bare-metal model reports it: user → kernel → user, one flow. */
const syscall = (flow: number) => [
  event({ kind: EventKind.FlowBegin, reason: FlowKind.Syscall, arg0: 1, flow }),
  event({ kind: EventKind.Hop, reason: HopCause.Syscall, from: user, to: kernel, cost: 100, flow }),
  event({ kind: EventKind.Hop, reason: HopCause.Return, from: kernel, to: user, cost: 80, flow }),
  event({ kind: EventKind.FlowEnd, reason: FlowKind.Syscall, arg0: 180, flow }),
]

function setup() {
  let consume: (v: RecordView, start: number, count: number) => void = () => {}
  const client = {
    onEvents: (c: typeof consume) => {
      consume = c
      return { dispose: () => {} }
    },
  } as unknown as EngineClient
  let now = 0
  const frames: Array<() => void> = []
  const feed = new LiveDiagramFeed(client, {
    now: () => now,
    request: (cb) => frames.push(cb),
    cancel: () => {},
  })
  const seen = {
    active: [] as Array<number | null>,
    flows: [] as DiagramFlow[],
    hops: 0,
    skipped: 0,
    speed: null as Speed | null,
    paused: null as boolean | null,
  }
  const driver: LiveDiagram = {
    setActive: (c) => seen.active.push(c),
    countHop: () => seen.hops++,
    playFlow: (f) => seen.flows.push(f),
    skipFlow: () => seen.skipped++,
    setSpeed: (s) => (seen.speed = s),
    setPaused: (p) => (seen.paused = p),
  }
  const send = (events: TraceEvent[]) => {
    const view = new RecordView(new ArrayBuffer(events.length * RECORD_BYTES))
    events.forEach((e, i) => encodeEvent(view, i, e))
    consume(view, 0, events.length)
  }
  /** Runs the animation frames due `ms` from now. */
  const advance = (ms: number) => {
    now += ms
    for (const f of frames.splice(0)) f()
  }
  return { feed, driver, seen, send, advance }
}

describe('LiveDiagramFeed', () => {
  it('says a flow has been shown only once the diagram has had the time to show it', async () => {
    const { feed, send, advance } = setup()
    feed.setSession({ arch: 'bare', vms: 1 })
    feed.setSpeed('slow')
    send(syscall(1))
    let shown = false
    void feed.shownAll().then(() => (shown = true))
    advance(1000)
    await Promise.resolve()
    expect(shown).toBe(false)
    expect(feed.current()).toMatchObject({
      hop: 0,
      flow: { kind: 'syscall', hops: [{ to: kernel }, { to: user }] },
    })
    advance(10_000)
    await Promise.resolve()
    expect(shown).toBe(true)
    // The caption keeps the flow, marked as shown whole.
    expect(feed.current()?.hop).toBe(-1)
  })

  it('shows a management command at once, ahead of the flows waiting', () => {
    const { feed, send, advance } = setup()
    feed.setSession({ arch: 'bare', vms: 1 })
    feed.setSpeed('fast')
    for (let f = 1; f <= 20; f++) send(syscall(f))
    advance(16)
    expect(feed.current()?.flow.kind).toBe('syscall')
    send([
      event({ kind: EventKind.FlowBegin, reason: FlowKind.Management, flow: 99 }),
      event({ kind: EventKind.Hop, reason: HopCause.Rpc, from: user, to: kernel, flow: 99 }),
      event({ kind: EventKind.FlowEnd, reason: FlowKind.Management, flow: 99 }),
    ])
    advance(16)
    expect(feed.current()?.flow.kind).toBe('management')
  })

  it('moves the CPU marker once per frame, to where the last event put it', () => {
    const { feed, driver, seen, send, advance } = setup()
    feed.setSession({ arch: 'bare', vms: 1 })
    feed.attach(driver, bare)
    const ring = (to: 0 | 3) =>
      event({ kind: EventKind.RingChange, toCtx: encodeContext({ vmx: 'off', cpl: to }) })
    send([ring(0), ring(3), ring(0)])
    expect(seen.active).toEqual([])
    advance(16)
    expect(seen.active).toEqual([kernel])
  })

  it('at full speed builds no flows, but the diagram gets every hop as heat', () => {
    const { feed, driver, seen, send, advance } = setup()
    feed.setSession({ arch: 'bare', vms: 1 })
    feed.attach(driver, bare)
    feed.setSpeed('full')
    expect(seen.speed).toBe('full')
    for (let f = 1; f <= 50; f++) send(syscall(f))
    advance(16)
    expect(seen.flows).toEqual([])
    expect(seen.hops).toBe(100)
    expect(feed.current()).toBeNull()
  })

  it('shows a flow that began at full speed and ended at a slower one (a step after a full-speed run)', () => {
    const { feed, driver, seen, send } = setup()
    feed.setSession({ arch: 'bare', vms: 1 })
    feed.attach(driver, bare)
    feed.setSpeed('full')
    const flow = syscall(1)
    send(flow.slice(0, 2))
    feed.setSpeed('fast')
    send(flow.slice(2))
    expect(seen.flows.map((f) => f.hops.length)).toEqual([2])
  })

  it('builds no more flows than the pace can show, and tells the diagram how many it skipped', () => {
    const { feed, driver, seen, send } = setup()
    feed.setSession({ arch: 'bare', vms: 1 })
    feed.attach(driver, bare)
    feed.setSpeed('normal')
    for (let f = 1; f <= 50; f++) send(syscall(f))
    // One on show and three waiting at the normal pace.
    expect(seen.flows).toHaveLength(4)
    expect(seen.skipped).toBe(46)
    expect(seen.hops).toBe(100)
  })

  it('holds the token while paused, and slow motion waits for it', async () => {
    const { feed, driver, seen, send, advance } = setup()
    feed.setSession({ arch: 'bare', vms: 1 })
    feed.attach(driver, bare)
    feed.setSpeed('slow')
    send(syscall(1))
    let shown = false
    void feed.shownAll().then(() => (shown = true))
    advance(100)
    feed.setPaused(true)
    expect(seen.paused).toBe(true)
    const at = feed.current()
    advance(60_000)
    await Promise.resolve()
    expect(shown).toBe(false)
    expect(feed.current()).toBe(at)
    feed.setPaused(false)
    expect(seen.paused).toBe(false)
    advance(16)
    advance(60_000)
    await Promise.resolve()
    expect(shown).toBe(true)
  })

  it('feeds a diagram only while it draws the session topology', () => {
    const { feed, driver, seen, send } = setup()
    feed.setSession({ arch: 'bare', vms: 1 })
    feed.attach(driver, instantiateTopology(TOPOLOGIES.kvm, 1))
    send(syscall(1))
    expect(seen.flows).toEqual([])
    feed.attach(driver, bare)
    send(syscall(2))
    expect(seen.flows.map((f) => f.hops.length)).toEqual([2])
  })
})
