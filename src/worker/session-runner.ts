import type { ShellResult } from '../engine/hv/management'
import { CYCLES_PER_MS } from '../engine/machine/clock'
import type { RunResult, Session, SessionStop, StepUnit } from '../engine/session/session'
import { EventKind } from '../engine/trace/schema'
import type { EventPump } from './event-pump'
import { BadRequest, type RunArgs, type RunState, type SessionNotice, type SessionStatus } from './protocol'

/** What a runner needs from the worker: the event pump, a channel for notices, and wall-clock pacing. */
export interface RunnerEnv {
  readonly pump: EventPump
  readonly notify: (notice: SessionNotice) => void
  readonly yieldToEventLoop: () => Promise<void>
  /** Wall-clock milliseconds. Only the pacing of a run reads it; the session never does. */
  readonly now: () => number
  readonly sleep: (ms: number) => Promise<void>
}

/** Wall time one run slice may take before the worker reads its messages again. */
const SLICE_MS = 8
/** Status messages while running: at most one per this many milliseconds (the last one always goes). */
const STATUS_MS = 100
/**
 * Idleness is judged at every millisecond of virtual time, never at slice ends, so where an
 * `untilIdle` run stops does not depend on how wall time sliced it.
 */
const IDLE_SAMPLE = CYCLES_PER_MS
/** The quiet time that counts as idle: 100 ms, as the runner's --until-idle. */
const IDLE_CYCLES = 100 * CYCLES_PER_MS
/** Stops after which the machine cannot go on by itself. */
const GUEST_STOPS: ReadonlySet<SessionStop> = new Set<SessionStop>(['halt', 'shutdown', 'debug-exit'])

/**
 * Drives one {@link Session} for the worker: continuous runs in bounded slices paced in virtual
 * cycles per wall second, steps, console input, management commands, snapshots. After each slice the
 * events go through the pump (bounded: dropped and counted under pressure) and console output and the
 * status go as notices (never dropped).
 *
 * Pacing: virtual time never runs ahead of `cyclesPerSecond × wall time` since the run (re)started. A
 * busy guest at the top rate therefore runs as fast as the engine can, and a halted one waits in real
 * time, as a halted CPU does. When the engine falls behind the rate, the run does not catch up later.
 */
export class SessionRunner {
  private state: RunState = 'paused'
  private last: RunResult | null = null
  private loop: Promise<SessionStatus> | null = null
  private pace: RunArgs = { cyclesPerSecond: CYCLES_PER_MS * 1000, untilIdle: false }
  private anchor = { wall: 0, cycles: 0 }
  private pauseRequested = false
  private disposed = false
  private failure: unknown = null
  /** Instructions per call into the session, tuned to about a millisecond of wall time. */
  private chunk = 20_000
  private quietSince = 0
  private consoleBytes = -1
  private statusAt = -Infinity

  constructor(
    readonly session: Session,
    private epoch: number,
    private readonly env: RunnerEnv,
  ) {
    this.collect()
    this.observe()
  }

  status(): SessionStatus {
    const s = this.session
    const last = this.last
    return {
      state: this.state,
      stop: last?.stop ?? null,
      vm: last?.vm ?? null,
      exitCode: last?.exitCode ?? null,
      cycles: s.clock.cycles,
      instructions: s.instructions,
      idle: s.clock.cycles - this.quietSince >= IDLE_CYCLES,
      epoch: this.epoch,
      vms: s.vms.map((vm) => ({ index: vm.index, state: vm.state, halted: vm.halted })),
    }
  }

  /** Starts a continuous run, or retunes the one in progress; resolves when it ends. */
  run(args: RunArgs): Promise<SessionStatus> {
    this.usable()
    this.pace = args
    this.anchor = { wall: this.env.now(), cycles: this.session.clock.cycles }
    if (this.loop === null) {
      const loop = this.runLoop().finally(() => {
        if (this.loop === loop) this.loop = null
      })
      this.loop = loop
    }
    return this.loop
  }

  async pause(): Promise<SessionStatus> {
    if (this.loop !== null) {
      this.pauseRequested = true
      await this.loop.catch(() => undefined)
    }
    return this.status()
  }

  async step(unit: StepUnit): Promise<SessionStatus> {
    this.usable()
    await this.pause()
    this.collect()
    this.guard(() => {
      this.last = this.session.step(unit)
      this.state = GUEST_STOPS.has(this.last.stop) ? 'stopped' : 'paused'
      this.observe()
    })
    await this.env.pump.drain()
    this.publish(true)
    return this.status()
  }

  input(vm: number, bytes: Uint8Array): void {
    this.usable()
    if (vm > this.session.vms.length) throw new BadRequest(`input.vm: there is no VM ${vm}`)
    this.guard(() => this.session.input(vm, bytes))
    this.quietSince = this.session.clock.cycles
  }

  async manage(line: string): Promise<ShellResult> {
    this.usable()
    this.collect()
    const result = this.guard(() => this.session.manage(line))
    // A VM the command started can run again.
    if (this.state === 'stopped') this.state = 'paused'
    this.quietSince = this.session.clock.cycles
    await this.env.pump.drain()
    this.publish(true)
    return result
  }

  snapshot(): Uint8Array {
    this.usable()
    return this.guard(() => this.session.snapshot())
  }

  async restore(bytes: Uint8Array): Promise<SessionStatus> {
    this.usable()
    await this.pause()
    this.guard(() => this.session.restore(bytes))
    this.epoch++
    this.last = null
    this.state = 'paused'
    this.consoleBytes = -1
    this.observe()
    // The restored console history is pending again: each terminal starts over with it.
    const out = new Map(this.session.takeConsoleOutput().map((o) => [o.vm, o.bytes]))
    this.env.notify({
      t: 'console',
      chunks: this.session.vms.map((vm) => ({
        vm: vm.index,
        bytes: out.get(vm.index) ?? new Uint8Array(0),
        redraw: true,
      })),
    })
    this.publish(true)
    return this.status()
  }

  /** Ends any run; the runner says nothing more. */
  async dispose(): Promise<void> {
    await this.pause()
    this.disposed = true
  }

  /** The pump takes this session's events (again, if another source — the synthetic generator — had it). */
  private collect(): void {
    this.env.pump.attach(this.session.sink)
  }

  private usable(): void {
    if (this.disposed) throw new BadRequest('the session was closed')
    if (this.failure !== null)
      throw new Error('this session failed earlier (see the first error); restart it', {
        cause: this.failure,
      })
  }

  /** Runs engine code; an exception marks the session failed (an engine bug, DESIGN §9) and is rethrown. */
  private guard<T>(f: () => T): T {
    try {
      return f()
    } catch (err) {
      if (!(err instanceof BadRequest)) {
        this.failure = err
        this.state = 'failed'
        this.publish(true)
      }
      throw err
    }
  }

  private async runLoop(): Promise<SessionStatus> {
    this.state = 'running'
    this.pauseRequested = false
    this.publish(true)
    try {
      for (;;) {
        if (this.pauseRequested || this.disposed) {
          this.state = 'paused'
          break
        }
        this.collect()
        const end = this.guard(() => this.slice())
        if (end !== null) {
          this.last = end
          this.state = GUEST_STOPS.has(end.stop) ? 'stopped' : 'paused'
          break
        }
        this.publish(false)
        const due = this.msUntilDue()
        await (due > 1 ? this.env.sleep(Math.min(due, 50)) : this.env.yieldToEventLoop())
      }
    } finally {
      this.pauseRequested = false
    }
    this.publish(true)
    return this.status()
  }

  /** Runs for at most {@link SLICE_MS} of wall time; returns the result that ends the run, or null. */
  private slice(): RunResult | null {
    const s = this.session
    const clock = s.clock
    const perMs = this.pace.cyclesPerSecond / 1000
    const start = this.env.now()
    for (;;) {
      const wall = this.env.now()
      const target = this.anchor.cycles + (wall - this.anchor.wall) * perMs
      if (clock.cycles >= target) return null
      if (wall - start >= SLICE_MS) {
        this.anchor = { wall, cycles: clock.cycles }
        return null
      }
      const boundary = (Math.floor(clock.cycles / IDLE_SAMPLE) + 1) * IDLE_SAMPLE
      const r = s.run({
        maxInstructions: this.chunk,
        maxCycles: Math.max(1, Math.ceil(Math.min(target, boundary) - clock.cycles)),
      })
      this.tune(r.instructions, this.env.now() - wall)
      if (GUEST_STOPS.has(r.stop)) return r
      if (clock.cycles >= boundary) {
        this.observe()
        if (this.pace.untilIdle && clock.cycles - this.quietSince >= IDLE_CYCLES)
          return { stop: 'idle', instructions: r.instructions, cycles: clock.cycles }
      }
    }
  }

  private tune(instructions: number, ms: number): void {
    if (instructions < this.chunk / 2 || ms <= 0) return
    this.chunk = Math.round(Math.min(1_000_000, Math.max(1000, instructions / ms)))
  }

  /** Wall milliseconds until the pace allows more virtual time. */
  private msUntilDue(): number {
    const ahead =
      this.session.clock.cycles -
      (this.anchor.cycles + (this.env.now() - this.anchor.wall) * (this.pace.cyclesPerSecond / 1000))
    return ahead > 0 ? ahead / (this.pace.cyclesPerSecond / 1000) : 0
  }

  /** Busy unless every running VM waits for an interrupt, no input is queued and no console byte moved. */
  private observe(): void {
    const s = this.session
    const bytes = s.sink.counts[EventKind.ConsoleByte] ?? 0
    const waiting = s.vms.every(
      (vm) => vm.state !== 'running' || ((vm.blocked || vm.halted) && vm.pc.pendingConsoleInput() === 0),
    )
    if (!waiting || bytes !== this.consoleBytes) {
      this.consoleBytes = bytes
      this.quietSince = s.clock.cycles
    }
  }

  /** Sends what the session produced: events (as far as the outlet takes them), console output, status. */
  private publish(force: boolean): void {
    if (this.disposed) return
    this.env.pump.flush()
    const out = this.session.takeConsoleOutput()
    if (out.length > 0)
      this.env.notify({ t: 'console', chunks: out.map((o) => ({ vm: o.vm, bytes: o.bytes, redraw: false })) })
    const now = this.env.now()
    if (!force && now - this.statusAt < STATUS_MS) return
    this.statusAt = now
    this.env.notify({ t: 'session', status: this.status() })
  }
}
