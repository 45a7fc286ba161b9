/**
 * The wire protocol between the main thread and the engine worker: typed commands (request/response
 * by id) one way, binary event batches the other (DESIGN §1, STYLE 3).
 *
 * A command is one entry of {@link CommandMap}: its argument and result types plus a parser for the
 * arguments in {@link COMMAND_ARGS}, because the worker treats every message as untrusted input. To add
 * a command (run, pause, step, input, manage, snapshot, restore, inspect), add it to both and give the
 * worker's EngineHost a handler; the compiler then lets clients call it.
 */

export const PROTOCOL_VERSION = 1

/** How event records reach the main thread. `direct`: in-process, handed over by a function call. */
export type TransportMode = 'transfer' | 'ring' | 'direct'

/** Sent once, before any command, to set up the event transport. */
export type TransportSetup =
  | {
      readonly mode: 'transfer'
      /** Records per batch (one ArrayBuffer each). */
      readonly batchRecords: number
      /** Batches posted and not yet acknowledged before the worker starts dropping. */
      readonly maxInFlight: number
    }
  | {
      readonly mode: 'ring'
      readonly batchRecords: number
      /** An EventRing (src/engine/trace/transport-ring.ts) allocated by the main thread. */
      readonly ring: SharedArrayBuffer
    }

export interface HelloResult {
  readonly protocol: number
  readonly engineVersion: string
  readonly recordBytes: number
  readonly transport: TransportMode
  /** Whether the worker's global scope is cross-origin isolated (SharedArrayBuffer may be shared). */
  readonly isolated: boolean
}

/**
 * `lossless`: the generator waits for room before each batch (measures sustained throughput).
 * `flat-out`: it never waits; what the transport cannot take is dropped and counted, as the engine
 * does when the UI falls behind.
 */
export type SynthPace = 'lossless' | 'flat-out'

export interface SynthArgs {
  /** Events to generate, 1 … {@link MAX_SYNTH_EVENTS}. */
  readonly count: number
  /** PRNG seed: the same seed gives the same records (apart from seq, which continues). */
  readonly seed: number
  readonly pace: SynthPace
}

export interface SynthResult {
  readonly emitted: number
  /** Records the transport dropped during this run (reported in the stream as Dropped events). */
  readonly dropped: number
  /** Sequence number of the first generated event. */
  readonly firstSeq: number
  /** Sequence number the next event will get. */
  readonly nextSeq: number
}

export type FaultMode = 'throw' | 'crash'

/** Every command: argument and result types. */
export interface CommandMap {
  /** Handshake: versions, transport, isolation. */
  hello: { args: Record<string, never>; result: HelloResult }
  /** Round trip: returns its argument. */
  ping: { args: { readonly nonce: number }; result: { readonly nonce: number } }
  /** Deterministic synthetic events through the real transport (the transport bench and e2e use it). */
  synth: { args: SynthArgs; result: SynthResult }
  /**
   * Diagnostics: `throw` raises an exception inside the command (a typed error on the client);
   * `crash` raises one outside any command (the worker dies; the client must restart it).
   */
  fault: { args: { readonly mode: FaultMode }; result: null }
}

export type CommandName = keyof CommandMap
export type CommandArgs<C extends CommandName> = CommandMap[C]['args']
export type CommandResult<C extends CommandName> = CommandMap[C]['result']

export const MAX_SYNTH_EVENTS = 1_000_000_000

/** What went wrong, as carried across the thread boundary. */
export type EngineErrorCode =
  /** The engine threw while executing a command (an engine bug: DESIGN §9). */
  | 'engine'
  /** A command's arguments failed validation. */
  | 'bad-request'
  /** The worker died or stopped answering; restart it. */
  | 'crashed'
  /** A message did not follow this protocol. */
  | 'protocol'
  /** The client was disposed or restarted while the command was pending. */
  | 'disposed'
  /** No answer within the time allowed. */
  | 'timeout'

export interface EngineErrorInfo {
  readonly code: EngineErrorCode
  readonly message: string
  readonly command?: string
  /** Stack trace or other detail for the error view; never interpreted. */
  readonly detail?: string
}

/** Main thread → worker. */
export type ToWorker =
  | { readonly t: 'open'; readonly transport: TransportSetup }
  | { readonly t: 'call'; readonly id: number; readonly cmd: string; readonly args: unknown }
  /** A transferred batch returned for reuse after the main thread consumed it. */
  | { readonly t: 'ack'; readonly buffer: ArrayBuffer }

/** Worker → main thread. */
export type FromWorker =
  | { readonly t: 'result'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly t: 'result'; readonly id: number; readonly ok: false; readonly error: EngineErrorInfo }
  | { readonly t: 'batch'; readonly buffer: ArrayBuffer; readonly count: number }
  /** The ring has records and the consumer had asked to be woken. */
  | { readonly t: 'ring' }
  /** An error outside any command: the worker is no longer usable. */
  | { readonly t: 'fatal'; readonly error: EngineErrorInfo }

/** A malformed request: reported to the caller as `bad-request`. */
export class BadRequest extends Error {
  override readonly name = 'BadRequest'
}

function record(raw: unknown, what: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new BadRequest(`${what}: expected an object`)
  return raw as Record<string, unknown>
}

function integer(raw: unknown, what: string, min: number, max: number): number {
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < min || raw > max)
    throw new BadRequest(`${what}: expected an integer in [${min}, ${max}], got ${String(raw)}`)
  return raw
}

function oneOf<T extends string>(raw: unknown, what: string, values: readonly T[]): T {
  if (typeof raw !== 'string' || !(values as readonly string[]).includes(raw))
    throw new BadRequest(`${what}: expected one of ${values.join(', ')}`)
  return raw as T
}

/** Argument parsers, one per command: untrusted message data in, typed and bounded arguments out. */
export const COMMAND_ARGS: { readonly [C in CommandName]: (raw: unknown) => CommandArgs<C> } = {
  hello: (raw) => (record(raw, 'hello'), {}),
  ping: (raw) => ({ nonce: integer(record(raw, 'ping').nonce, 'ping.nonce', 0, 2 ** 53) }),
  synth: (raw) => {
    const r = record(raw, 'synth')
    return {
      count: integer(r.count, 'synth.count', 1, MAX_SYNTH_EVENTS),
      seed: integer(r.seed, 'synth.seed', 0, 0xffffffff),
      pace: oneOf<SynthPace>(r.pace, 'synth.pace', ['lossless', 'flat-out']),
    }
  },
  fault: (raw) => ({ mode: oneOf<FaultMode>(record(raw, 'fault').mode, 'fault.mode', ['throw', 'crash']) }),
}

export function isCommandName(cmd: unknown): cmd is CommandName {
  return typeof cmd === 'string' && Object.prototype.hasOwnProperty.call(COMMAND_ARGS, cmd)
}

/** Parses a message from the main thread; throws BadRequest on anything else. */
export function parseToWorker(raw: unknown): ToWorker {
  const m = record(raw, 'message')
  switch (m.t) {
    case 'call':
      return { t: 'call', id: integer(m.id, 'call.id', 0, 2 ** 53), cmd: String(m.cmd), args: m.args }
    case 'ack':
      if (!(m.buffer instanceof ArrayBuffer)) throw new BadRequest('ack.buffer: expected an ArrayBuffer')
      return { t: 'ack', buffer: m.buffer }
    case 'open': {
      const s = record(m.transport, 'open.transport')
      const batchRecords = integer(s.batchRecords, 'open.transport.batchRecords', 1, 1 << 20)
      if (s.mode === 'transfer')
        return {
          t: 'open',
          transport: {
            mode: 'transfer',
            batchRecords,
            maxInFlight: integer(s.maxInFlight, 'open.transport.maxInFlight', 1, 64),
          },
        }
      if (s.mode === 'ring' && typeof SharedArrayBuffer === 'function' && s.ring instanceof SharedArrayBuffer)
        return { t: 'open', transport: { mode: 'ring', batchRecords, ring: s.ring } }
      throw new BadRequest('open.transport: expected a transfer or ring setup')
    }
    default:
      throw new BadRequest(`message: unknown type ${String(m.t)}`)
  }
}

/** Parses a message from the worker; returns undefined for anything that is not one. */
export function parseFromWorker(raw: unknown): FromWorker | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined
  const m = raw as Record<string, unknown>
  switch (m.t) {
    case 'result':
      if (typeof m.id !== 'number') return undefined
      if (m.ok === true) return { t: 'result', id: m.id, ok: true, value: m.value }
      return { t: 'result', id: m.id, ok: false, error: parseErrorInfo(m.error) }
    case 'batch':
      if (!(m.buffer instanceof ArrayBuffer) || typeof m.count !== 'number') return undefined
      return { t: 'batch', buffer: m.buffer, count: m.count }
    case 'ring':
      return { t: 'ring' }
    case 'fatal':
      return { t: 'fatal', error: parseErrorInfo(m.error) }
    default:
      return undefined
  }
}

const ERROR_CODES: readonly EngineErrorCode[] = [
  'engine',
  'bad-request',
  'crashed',
  'protocol',
  'disposed',
  'timeout',
]

function parseErrorInfo(raw: unknown): EngineErrorInfo {
  const r = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {}
  const code = ERROR_CODES.find((c) => c === r.code) ?? 'protocol'
  const text = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : undefined)
  return {
    code,
    message: text(r.message, 2000) ?? 'unknown error',
    command: text(r.command, 100),
    detail: text(r.detail, 20_000),
  }
}

/** Converts anything thrown into the wire form. */
export function toErrorInfo(err: unknown, command?: string): EngineErrorInfo {
  if (err instanceof BadRequest) return { code: 'bad-request', message: err.message, command }
  if (err instanceof Error)
    return { code: 'engine', message: `${err.name}: ${err.message}`, command, detail: err.stack }
  return { code: 'engine', message: String(err), command }
}
