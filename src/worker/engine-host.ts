import { MODELS } from '../engine/hv/models'
import { ImageError } from '../engine/loader/image-error'
import { ConfigError, type SessionConfig } from '../engine/session/config'
import { inspectSession } from '../engine/session/inspection'
import { Session } from '../engine/session/session'
import { RECORD_BYTES } from '../engine/trace/schema'
import { ENGINE_VERSION } from '../engine/version'
import { EventPump, type EventOutlet } from './event-pump'
import {
  BadRequest,
  COMMAND_ARGS,
  PROTOCOL_VERSION,
  isCommandName,
  type CommandArgs,
  type CommandName,
  type CommandResult,
  type ModelInfo,
  type SessionInfo,
  type SessionNotice,
  type SynthArgs,
  type SynthResult,
} from './protocol'
import { SessionRunner } from './session-runner'
import { SyntheticEvents } from './synthetic-events'

/** What the host needs from where it runs (a worker, or the main thread for in-process clients). */
export interface HostEnv {
  readonly outlet: EventOutlet
  readonly batchRecords: number
  /** Whether this global scope is cross-origin isolated. */
  readonly isolated: boolean
  /** Lets queued messages (acknowledgements, new commands) run between engine slices. */
  readonly yieldToEventLoop: () => Promise<void>
  /** Raises `error` outside any command, the way an unexpected engine failure would. */
  readonly crash: (error: Error) => void
  /** Delivers a session's console output and status (in order with the events sent before them). */
  readonly notify: (notice: SessionNotice) => void
}

type Handlers = { readonly [C in CommandName]: (args: CommandArgs<C>) => Promise<CommandResult<C>> }

/**
 * Executes commands for one client: the engine side of the protocol, independent of how messages
 * travel. The worker entry wires it to `postMessage`; the in-process client calls it directly.
 */
export class EngineHost {
  private readonly pump: EventPump
  private readonly synthetic = new SyntheticEvents()
  private disposed = false
  private runner: SessionRunner | null = null
  /** Counts event streams: each new session starts its sequence numbers again. */
  private epoch = 0

  constructor(private readonly env: HostEnv) {
    this.pump = new EventPump(env.outlet, env.batchRecords)
  }

  /** For the transfer outlet: a batch buffer came back. */
  recycle(buffer: ArrayBuffer): void {
    this.pump.recycle(buffer)
  }

  /** Runs a typed command. */
  call<C extends CommandName>(cmd: C, args: CommandArgs<C>): Promise<CommandResult<C>> {
    if (this.disposed) return Promise.reject(new Error('engine host disposed'))
    return (this.handlers[cmd] as (a: CommandArgs<C>) => Promise<CommandResult<C>>)(args)
  }

  /** Runs a command from untrusted message data: the name and arguments are parsed first. */
  callUntrusted(cmd: string, raw: unknown): Promise<unknown> {
    if (!isCommandName(cmd))
      return Promise.reject(new BadRequest(`unknown command ${JSON.stringify(cmd.slice(0, 40))}`))
    try {
      return this.call(cmd, COMMAND_ARGS[cmd](raw))
    } catch (err) {
      return Promise.reject(err)
    }
  }

  /** Stops long-running commands at their next slice. */
  dispose(): void {
    this.disposed = true
    void this.runner?.dispose()
  }

  private session(): SessionRunner {
    if (this.runner === null) throw new BadRequest('no session: create one first')
    return this.runner
  }

  private readonly handlers: Handlers = {
    hello: async () => ({
      protocol: PROTOCOL_VERSION,
      engineVersion: ENGINE_VERSION,
      recordBytes: RECORD_BYTES,
      transport: this.env.outlet.mode,
      isolated: this.env.isolated,
    }),
    ping: async ({ nonce }) => ({ nonce }),
    synth: (args) => this.synth(args),
    fault: async ({ mode }) => {
      const error = new Error(`diagnostic engine fault (${mode})`)
      if (mode === 'throw') throw error
      this.env.crash(error)
      return null
    },
    architectures: async () =>
      Object.entries(MODELS).flatMap(([id, f]): ModelInfo[] => (f ? [{ id, maxVms: f.maxVms }] : [])),
    createSession: (config) => this.createSession(config),
    disposeSession: async () => {
      const runner = this.runner
      this.runner = null
      await runner?.dispose()
      return null
    },
    run: (args) => this.session().run(args),
    pause: () => this.session().pause(),
    step: ({ unit }) => this.session().step(unit),
    input: async ({ vm, bytes }) => {
      this.session().input(vm, bytes)
      return null
    },
    manage: ({ line }) => this.session().manage(line),
    inspect: async () => this.session().session.inspect(),
    inspectVm: async (request) => inspectSession(this.session().session, request),
    snapshot: async () => this.session().snapshot(),
    restore: ({ bytes }) => this.session().restore(bytes),
  }

  private async createSession(config: SessionConfig): Promise<SessionInfo> {
    const previous = this.runner
    this.runner = null
    await previous?.dispose()
    let session: Session
    try {
      session = new Session(config)
    } catch (err) {
      // The choice or the image is wrong, not the engine.
      if (err instanceof ConfigError || err instanceof ImageError) throw new BadRequest(err.message)
      throw err
    }
    const runner = new SessionRunner(session, ++this.epoch, {
      pump: this.pump,
      notify: this.env.notify,
      yieldToEventLoop: this.env.yieldToEventLoop,
      now: () => performance.now(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    })
    this.runner = runner
    return {
      arch: session.arch,
      vms: session.vms.map((vm) => ({ index: vm.index, name: vm.name, platform: vm.spec.platform })),
      shell: session.model.shell?.tools ?? null,
      status: runner.status(),
    }
  }

  private async synth({ count, seed, pace }: SynthArgs): Promise<SynthResult> {
    const gen = this.synthetic
    const pump = this.pump
    gen.reseed(seed)
    pump.attach(gen.sink)
    const firstSeq = gen.sink.nextSeq
    const droppedBefore = pump.dropped
    const batch = this.env.batchRecords
    // Lossless: one batch per slice, emitted only into an empty batcher once the outlet has room.
    // Flat-out: several batches per slice; whatever the outlet cannot take is dropped and counted.
    const slice = pace === 'lossless' ? batch : 4 * batch
    for (let left = count; left > 0;) {
      if (this.disposed) throw new Error('engine host disposed')
      if (pace === 'lossless') await pump.drain()
      const n = Math.min(slice, left)
      gen.emit(n)
      left -= n
      pump.flush()
      await this.env.yieldToEventLoop()
    }
    await pump.drain()
    return { emitted: count, dropped: pump.dropped - droppedBefore, firstSeq, nextSeq: gen.sink.nextSeq }
  }
}
