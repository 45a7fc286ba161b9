import type { RecordConsumer } from '../engine/trace/transport-ring'
import type {
  CommandArgs,
  CommandName,
  CommandResult,
  ConsoleChunk,
  EngineErrorCode,
  EngineErrorInfo,
  HelloResult,
  SessionStatus,
} from '../worker/protocol'

export type { RecordConsumer } from '../engine/trace/transport-ring'

/** Something to undo: every listener registration returns one. */
export interface Disposable {
  dispose(): void
}

/** A failed command or a dead engine, as seen by the main thread. */
export class EngineError extends Error {
  override readonly name = 'EngineError'
  readonly code: EngineErrorCode
  readonly command: string | undefined
  readonly detail: string | undefined

  constructor(info: EngineErrorInfo) {
    super(info.message)
    this.code = info.code
    this.command = info.command
    this.detail = info.detail
  }

  toInfo(): EngineErrorInfo {
    return { code: this.code, message: this.message, command: this.command, detail: this.detail }
  }
}

/**
 * `idle` before {@link EngineClient.connect}; `connecting` until the handshake answers; `ready`;
 * `failed` after the engine died (commands reject until {@link EngineClient.restart}); `disposed`.
 */
export type ClientStatus = 'idle' | 'connecting' | 'ready' | 'failed' | 'disposed'

export interface StatusChange {
  readonly status: ClientStatus
  /** Set when the status is `ready`. */
  readonly hello?: HelloResult
  /** Set when the status is `failed`. */
  readonly error?: EngineError
}

/**
 * The main thread's handle on one engine (DESIGN §1, STYLE 4). Implemented over a Web Worker
 * ({@link ./worker-client}) and in-process ({@link ./in-process-client}) for tests; callers cannot tell
 * the difference except by speed.
 *
 * Events arrive through {@link onEvents} in batches, in sequence order; the views are valid only during
 * the call. Everything the engine emitted before a command completed is delivered before that
 * command's promise settles.
 */
export interface EngineClient {
  readonly status: ClientStatus
  /** The handshake's answer while `ready`. */
  readonly hello: HelloResult | null
  /** Starts the engine and performs the handshake. */
  connect(): Promise<HelloResult>
  /** Runs a command. Rejects with an {@link EngineError}. */
  call<C extends CommandName>(cmd: C, args: CommandArgs<C>): Promise<CommandResult<C>>
  onEvents(consumer: RecordConsumer): Disposable
  onStatus(listener: (change: StatusChange) => void): Disposable
  /**
   * A session's console output: every byte, in order (a channel of its own, never dropped like events
   * under pressure), after the events emitted before it.
   */
  onConsole(listener: (chunk: ConsoleChunk) => void): Disposable
  /** A session's status after each run slice and after each command that moves it. */
  onSession(listener: (status: SessionStatus) => void): Disposable
  /** Replaces a failed (or healthy) engine with a fresh one; pending commands reject with `disposed`. */
  restart(): Promise<HelloResult>
  dispose(): void
}

/** A list of listeners whose registrations are disposables. */
export class Listeners<A extends unknown[]> {
  private list: Array<(...args: A) => void> = []

  add(listener: (...args: A) => void): Disposable {
    this.list = [...this.list, listener]
    return { dispose: () => void (this.list = this.list.filter((l) => l !== listener)) }
  }

  emit(...args: A): void {
    for (const l of this.list) l(...args)
  }
}
