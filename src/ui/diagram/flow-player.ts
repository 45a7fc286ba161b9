import type { DiagramFlow } from './trace-adapter'

export const SPEEDS = ['slow', 'normal', 'fast', 'full'] as const
export type Speed = (typeof SPEEDS)[number]

export function isSpeed(x: unknown): x is Speed {
  return typeof x === 'string' && (SPEEDS as readonly string[]).includes(x)
}

interface Pace {
  /** Milliseconds a token takes for one hop. */
  readonly hop: number
  /** Milliseconds between two flows. */
  readonly between: number
  /** Flows waiting beyond the one playing; more are skipped (their hops still count towards heat). */
  readonly queue: number
}

const PACE: Readonly<Record<Exclude<Speed, 'full'>, Pace>> = {
  slow: { hop: 1500, between: 700, queue: 0 },
  normal: { hop: 600, between: 250, queue: 3 },
  fast: { hop: 180, between: 60, queue: 12 },
}

/** Where the token is: flow, hop, and the fraction of the hop travelled. */
export interface TokenFrame {
  readonly flow: DiagramFlow
  /** Sequence number of the flow among those played (changes when another flow starts). */
  readonly serial: number
  readonly hop: number
  /** 0–1 along the hop; fixed at 0.5 under reduced motion (the token jumps from hop to hop). */
  readonly t: number
}

/**
 * Paces flows for the eye: in slow motion one flow at a time at a readable pace, faster with a short
 * queue, and at full speed no tokens at all (the diagram shows heat instead: heat.ts).
 * Time is the caller's (milliseconds, e.g. performance.now()); nothing here reads a clock.
 */
export class FlowPlayer {
  private _speed: Speed = 'normal'
  private _paused = false
  reducedMotion = false
  private readonly queue: DiagramFlow[] = []
  private current: { flow: DiagramFlow; serial: number; start: number } | null = null
  private serial = 0
  /** When paused: the moment time stopped. */
  private pausedAt = 0
  /** Flows not animated because they came faster than the pace allows. */
  skipped = 0

  get speed(): Speed {
    return this._speed
  }

  get paused(): boolean {
    return this._paused
  }

  setSpeed(speed: Speed, now: number): void {
    const previous = this._speed
    this._speed = speed
    if (speed === 'full') {
      this.skipped += this.queue.length + (this.current === null ? 0 : 1)
      this.queue.length = 0
      this.current = null
      return
    }
    const max = PACE[speed].queue
    if (this.queue.length > max) {
      this.skipped += this.queue.length - max
      this.queue.length = max
    }
    // Keep the token where it is: the same fraction of the flow, at the new pace.
    if (this.current !== null && previous !== 'full') {
      const at = this._paused ? this.pausedAt : now
      const hops = (at - this.current.start) / PACE[previous].hop
      this.current.start = at - hops * PACE[speed].hop
    }
  }

  setPaused(paused: boolean, now: number): void {
    if (paused === this._paused) return
    this._paused = paused
    if (paused) this.pausedAt = now
    else if (this.current !== null) this.current.start += now - this.pausedAt
  }

  /** Whether a flow enqueued now would be shown (not at full speed, nor with the queue full). */
  get accepts(): boolean {
    if (this._speed === 'full') return false
    return (this.current === null && !this._paused) || this.queue.length < PACE[this._speed].queue
  }

  /**
   * A flow to show; returns false when it is not (full speed, or the queue is full: counted as skipped).
   * A management flow is the user's own request: below full speed it is always shown, ahead of the
   * other flows waiting, which are dropped (their heat stays); earlier management flows keep their turn.
   */
  enqueue(flow: DiagramFlow, now: number): boolean {
    if (flow.kind === 'management' && this._speed !== 'full') {
      const ahead = this.queue.filter((f) => f.kind === 'management')
      this.skipped += this.queue.length - ahead.length
      this.queue.splice(0, this.queue.length, ...ahead)
      if (this.current !== null && this.current.flow.kind !== 'management') {
        this.skipped++
        this.current = null
      }
    } else if (!this.accepts) {
      this.skip()
      return false
    }
    if (this.current === null && !this._paused) this.start(flow, now)
    else this.queue.push(flow)
    return true
  }

  /** Counts a flow that was not built because {@link accepts} said no (at full speed none is shown: not counted). */
  skip(): void {
    if (this._speed !== 'full') this.skipped++
  }

  private start(flow: DiagramFlow, now: number): void {
    this.current = { flow, serial: ++this.serial, start: now }
  }

  /** The token at time `now` (null when nothing is playing); advances to queued flows. */
  frame(now: number): TokenFrame | null {
    if (this._speed === 'full') return null
    const at = this._paused ? this.pausedAt : now
    const pace = PACE[this._speed]
    for (;;) {
      if (this.current === null) {
        const next = this.queue.shift()
        if (next === undefined || this._paused) {
          if (next !== undefined) this.queue.unshift(next)
          return null
        }
        this.start(next, at)
      }
      const c = this.current
      if (c === null) return null
      const elapsed = at - c.start
      const hops = c.flow.hops.length
      if (elapsed < hops * pace.hop) {
        const hop = Math.floor(elapsed / pace.hop)
        const t = this.reducedMotion ? 0.5 : (elapsed - hop * pace.hop) / pace.hop
        return { flow: c.flow, serial: c.serial, hop, t }
      }
      if (elapsed < hops * pace.hop + pace.between) return null
      const nextStart = c.start + hops * pace.hop + pace.between
      this.current = null
      const next = this.queue.shift()
      if (next === undefined) return null
      this.start(next, nextStart)
    }
  }

  /** True while there is something left to animate (a frame loop may stop when false). */
  get busy(): boolean {
    return this.current !== null || this.queue.length > 0
  }

  clear(): void {
    this.queue.length = 0
    this.current = null
    this.skipped = 0
  }
}
