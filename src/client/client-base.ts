import { RECORD_BYTES } from '../engine/trace/schema'
import type { RecordView } from '../engine/trace/codec'
import type { RecordConsumer } from '../engine/trace/transport-ring'
import {
  PROTOCOL_VERSION,
  type CommandArgs,
  type CommandName,
  type CommandResult,
  type ConsoleChunk,
  type EngineErrorInfo,
  type HelloResult,
  type SessionNotice,
  type SessionStatus,
} from '../worker/protocol'
import {
  EngineError,
  Listeners,
  type ClientStatus,
  type Disposable,
  type EngineClient,
  type StatusChange,
} from './engine-client'

interface Pending {
  readonly cmd: string
  resolve(value: unknown): void
  reject(error: EngineError): void
}

/**
 * What both client implementations share: status, listeners, pending commands, the handshake, and the
 * rule that an engine failure rejects every pending command and refuses new ones until a restart.
 */
export abstract class ClientBase implements EngineClient {
  private statusNow: ClientStatus = 'idle'
  private helloNow: HelloResult | null = null
  private readonly statusListeners = new Listeners<[StatusChange]>()
  private readonly eventListeners = new Listeners<[RecordView, number, number]>()
  private readonly consoleListeners = new Listeners<[ConsoleChunk]>()
  private readonly sessionListeners = new Listeners<[SessionStatus]>()
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private connecting: Promise<HelloResult> | null = null
  /** How long the handshake may take before the engine counts as dead. */
  protected connectTimeoutMs = 15_000

  get status(): ClientStatus {
    return this.statusNow
  }

  get hello(): HelloResult | null {
    return this.helloNow
  }

  /** Creates the engine (worker or host) for a new connection. */
  protected abstract start(): void
  /** Tears down the current engine; messages from it must be ignored from now on. */
  protected abstract stop(): void
  /** Sends a command that has been registered under `id`; the answer comes through {@link settle}. */
  protected abstract send(id: number, cmd: CommandName, args: unknown): void

  connect(): Promise<HelloResult> {
    if (this.statusNow === 'disposed')
      return Promise.reject(new EngineError({ code: 'disposed', message: 'client disposed' }))
    if (this.connecting) return this.connecting
    if (this.statusNow === 'ready' && this.helloNow) return Promise.resolve(this.helloNow)
    this.setStatus({ status: 'connecting' })
    this.start()
    const connecting = this.handshake().finally(() => {
      if (this.connecting === connecting) this.connecting = null
    })
    this.connecting = connecting
    return connecting
  }

  call<C extends CommandName>(cmd: C, args: CommandArgs<C>): Promise<CommandResult<C>> {
    if (this.statusNow !== 'ready' && this.statusNow !== 'connecting') {
      const code = this.statusNow === 'disposed' ? 'disposed' : 'crashed'
      return Promise.reject(new EngineError({ code, message: `engine is ${this.statusNow}`, command: cmd }))
    }
    const id = this.nextId++
    const promise = new Promise<CommandResult<C>>((resolve, reject) => {
      this.pending.set(id, { cmd, resolve: resolve as (v: unknown) => void, reject })
    })
    this.send(id, cmd, args)
    return promise
  }

  onEvents(consumer: RecordConsumer): Disposable {
    return this.eventListeners.add(consumer)
  }

  onStatus(listener: (change: StatusChange) => void): Disposable {
    return this.statusListeners.add(listener)
  }

  onConsole(listener: (chunk: ConsoleChunk) => void): Disposable {
    return this.consoleListeners.add(listener)
  }

  onSession(listener: (status: SessionStatus) => void): Disposable {
    return this.sessionListeners.add(listener)
  }

  restart(): Promise<HelloResult> {
    if (this.statusNow === 'disposed') return this.connect()
    this.shutdown({ code: 'disposed', message: 'engine restarted' })
    this.statusNow = 'idle'
    this.connecting = null
    return this.connect()
  }

  dispose(): void {
    if (this.statusNow === 'disposed') return
    this.shutdown({ code: 'disposed', message: 'client disposed' })
    this.setStatus({ status: 'disposed' })
  }

  /** Delivers records to the event listeners. */
  protected dispatch(view: RecordView, start: number, count: number): void {
    this.eventListeners.emit(view, start, count)
  }

  /** Delivers a session's console output or status to its listeners. */
  protected notice(n: SessionNotice): void {
    if (n.t === 'console') for (const c of n.chunks) this.consoleListeners.emit(c)
    else this.sessionListeners.emit(n.status)
  }

  /** Completes command `id` (unknown ids — e.g. of a previous engine — are ignored). */
  protected settle(id: number, ok: boolean, value: unknown, error?: EngineErrorInfo): void {
    const p = this.pending.get(id)
    if (!p) return
    this.pending.delete(id)
    if (ok) p.resolve(value)
    else
      p.reject(
        new EngineError(error ?? { code: 'protocol', message: 'error without detail', command: p.cmd }),
      )
  }

  /** The engine died: reject everything pending and wait for a restart. */
  protected fail(info: EngineErrorInfo): void {
    if (this.statusNow === 'failed' || this.statusNow === 'disposed' || this.statusNow === 'idle') return
    const error = new EngineError({ ...info, code: info.code === 'engine' ? 'crashed' : info.code })
    this.shutdown(error.toInfo())
    this.setStatus({ status: 'failed', error })
  }

  private shutdown(reason: EngineErrorInfo): void {
    this.stop()
    this.helloNow = null
    const pending = [...this.pending.values()]
    this.pending.clear()
    for (const p of pending) p.reject(new EngineError({ ...reason, command: p.cmd }))
  }

  private async handshake(): Promise<HelloResult> {
    const timer = setTimeout(
      () =>
        this.fail({
          code: 'timeout',
          message: `the engine did not answer within ${this.connectTimeoutMs} ms`,
        }),
      this.connectTimeoutMs,
    )
    const hello = await this.call('hello', {}).finally(() => clearTimeout(timer))
    if (hello.protocol !== PROTOCOL_VERSION || hello.recordBytes !== RECORD_BYTES) {
      const message = `engine speaks protocol ${hello.protocol} with ${hello.recordBytes}-byte records; this page expects ${PROTOCOL_VERSION} and ${RECORD_BYTES}`
      this.fail({ code: 'protocol', message })
      throw new EngineError({ code: 'protocol', message })
    }
    if (this.statusNow !== 'connecting')
      throw new EngineError({ code: 'disposed', message: `engine is ${this.statusNow}` })
    this.helloNow = hello
    this.setStatus({ status: 'ready', hello })
    return hello
  }

  private setStatus(change: StatusChange): void {
    this.statusNow = change.status
    this.statusListeners.emit(change)
  }
}
