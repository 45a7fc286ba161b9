import type { ShellResult, VmPowerState } from '../engine/hv/management'
import { MAX_VMS, ConfigError, parseSessionConfig, type SessionConfig } from '../engine/session/config'
import { MAX_TASK_NAME, type InspectRequest } from '../engine/session/inspect-request'
import type { SessionDetail } from '../engine/session/inspection'
import type { SessionInspection, SessionStop, StepUnit } from '../engine/session/session'

/**
 * The wire protocol between the main thread and the engine worker: typed commands (request/response
 * by id) one way, binary event batches the other (DESIGN §1, STYLE 3).
 *
 * A command is one entry of {@link CommandMap}: its argument and result types plus a parser for the
 * arguments in {@link COMMAND_ARGS}, because the worker treats every message as untrusted input. To add
 * a command, add it to both and give the worker's EngineHost a handler; the compiler then lets clients
 * call it. A session's console output and status travel as {@link SessionNotice} messages.
 */

export const PROTOCOL_VERSION = 2

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

/** An architecture whose model exists in this engine (src/engine/hv/models.ts). */
export interface ModelInfo {
  readonly id: string
  readonly maxVms: number
}

/** What a new session runs, as the worker reports it back. */
export interface SessionInfo {
  readonly arch: string
  readonly vms: readonly { readonly index: number; readonly name: string; readonly platform: string }[]
  /** The management shell's tools (xl, virsh, vim-cmd, …), or null where the architecture has none. */
  readonly shell: readonly string[] | null
  readonly status: SessionStatus
}

/** The fastest continuous run: virtual time at most as fast as wall time (a halted guest waits in real time). */
export const MAX_CYCLES_PER_SECOND = 1_000_000_000

export interface RunArgs {
  /**
   * Virtual cycles per wall-clock second, 1 … {@link MAX_CYCLES_PER_SECOND}. At the maximum the run
   * goes as fast as the engine can while the guest works.
   */
  readonly cyclesPerSecond: number
  /** End the run (stop `idle`) once all input is read and every VM has waited for 100 ms of virtual time. */
  readonly untilIdle: boolean
}

/**
 * `running`: a continuous run is in progress; `paused`: the machine can go on; `stopped`: it cannot
 * (every VM halted with interrupts off, shut down or exited); `failed`: the engine threw, the session
 * is gone; `none`: no session.
 */
export type RunState = 'none' | 'running' | 'paused' | 'stopped' | 'failed'

export interface VmStatus {
  readonly index: number
  readonly state: VmPowerState
  /** Halted with interrupts off: nothing wakes it. */
  readonly halted: boolean
}

/** Where a session is, sent after every run slice and returned by the commands that move it. */
export interface SessionStatus {
  readonly state: RunState
  /** Why the last run or step returned (null before the first). */
  readonly stop: SessionStop | null
  /** The VM the stop concerns (1-based). */
  readonly vm: number | null
  readonly exitCode: number | null
  readonly cycles: number
  readonly instructions: number
  /** All input read and every VM waiting (halted or blocked) for at least 100 ms of virtual time. */
  readonly idle: boolean
  /** Increases when the event stream starts again from another sequence number (a new session, a restore). */
  readonly epoch: number
  readonly vms: readonly VmStatus[]
}

/** A VM console's output since the previous chunk. `redraw`: the terminal starts over with this (a restore). */
export interface ConsoleChunk {
  readonly vm: number
  readonly bytes: Uint8Array
  readonly redraw: boolean
}

export const MAX_INPUT_BYTES = 4096
export const MAX_MANAGE_CHARS = 512
const MAX_SNAPSHOT_BYTES = 1 << 30

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
  /** The architectures this engine can run. */
  architectures: { args: Record<string, never>; result: readonly ModelInfo[] }
  /** Replaces the session (if any) with a new one, paused at its first instruction. */
  createSession: { args: SessionConfig; result: SessionInfo }
  disposeSession: { args: Record<string, never>; result: null }
  /** Runs continuously (or retunes a run in progress); resolves when the run ends (pause, a stop, idle). */
  run: { args: RunArgs; result: SessionStatus }
  /** Ends a continuous run after its current slice. */
  pause: { args: Record<string, never>; result: SessionStatus }
  /** Pauses, then one instruction, up to the next event, or up to the end of the next flow. */
  step: { args: { readonly unit: StepUnit }; result: SessionStatus }
  /** Keystrokes for VM `vm`'s console (1-based). */
  input: { args: { readonly vm: number; readonly bytes: Uint8Array }; result: null }
  /** One line in the architecture's management shell; its flow is in the event stream. */
  manage: { args: { readonly line: string }; result: ShellResult }
  inspect: { args: Record<string, never>; result: SessionInspection }
  /** The inspector's view: every VM's context, one VM in detail (code, a page walk, the VMCS), the session's counters. */
  inspectVm: { args: InspectRequest; result: SessionDetail }
  snapshot: { args: Record<string, never>; result: Uint8Array }
  restore: { args: { readonly bytes: Uint8Array }; result: SessionStatus }
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
  | SessionNotice

/**
 * What a session reports besides events, on channels of their own: console output (lossless, unlike
 * the bounded event stream) and its status after every run slice.
 */
export type SessionNotice =
  | { readonly t: 'console'; readonly chunks: readonly ConsoleChunk[] }
  | { readonly t: 'session'; readonly status: SessionStatus }

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

function bytesArg(raw: unknown, what: string, min: number, max: number): Uint8Array {
  if (!(raw instanceof Uint8Array) || raw.length < min || raw.length > max)
    throw new BadRequest(`${what}: expected ${min} to ${max} bytes`)
  return raw
}

const empty = (what: string) => (raw: unknown) => (record(raw, what), {})

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
  architectures: empty('architectures'),
  createSession: (raw) => {
    try {
      return parseSessionConfig(raw)
    } catch (err) {
      if (err instanceof ConfigError) throw new BadRequest(err.message)
      throw err
    }
  },
  disposeSession: empty('disposeSession'),
  run: (raw) => {
    const r = record(raw, 'run')
    if (typeof r.untilIdle !== 'boolean') throw new BadRequest('run.untilIdle: expected a boolean')
    return {
      cyclesPerSecond: integer(r.cyclesPerSecond, 'run.cyclesPerSecond', 1, MAX_CYCLES_PER_SECOND),
      untilIdle: r.untilIdle,
    }
  },
  pause: empty('pause'),
  step: (raw) => ({
    unit: oneOf<StepUnit>(record(raw, 'step').unit, 'step.unit', ['instruction', 'event', 'flow']),
  }),
  input: (raw) => {
    const r = record(raw, 'input')
    return {
      vm: integer(r.vm, 'input.vm', 1, MAX_VMS),
      bytes: bytesArg(r.bytes, 'input.bytes', 1, MAX_INPUT_BYTES),
    }
  },
  manage: (raw) => {
    const line = record(raw, 'manage').line
    if (typeof line !== 'string' || line.length > MAX_MANAGE_CHARS)
      throw new BadRequest(`manage.line: expected a string of at most ${MAX_MANAGE_CHARS} characters`)
    return { line }
  },
  inspect: empty('inspect'),
  inspectVm: (raw) => {
    const r = record(raw, 'inspectVm')
    const task = r.task === undefined ? undefined : record(r.task, 'inspectVm.task')
    return {
      vm: integer(r.vm, 'inspectVm.vm', 1, MAX_VMS),
      ...(r.linear === undefined ? {} : { linear: integer(r.linear, 'inspectVm.linear', 0, 0xffffffff) }),
      ...(task === undefined
        ? {}
        : {
            task: {
              pointer: integer(task.pointer, 'inspectVm.task.pointer', 0, 0xffffffff),
              nameOffset: integer(task.nameOffset, 'inspectVm.task.nameOffset', 0, 0xffff),
              nameLength: integer(task.nameLength, 'inspectVm.task.nameLength', 1, MAX_TASK_NAME),
            },
          }),
    }
  },
  snapshot: empty('snapshot'),
  restore: (raw) => ({
    bytes: bytesArg(record(raw, 'restore').bytes, 'restore.bytes', 1, MAX_SNAPSHOT_BYTES),
  }),
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
    case 'console':
      return parseConsole(m.chunks)
    case 'session': {
      const status = parseStatus(m.status)
      return status === undefined ? undefined : { t: 'session', status }
    }
    default:
      return undefined
  }
}

function parseConsole(raw: unknown): FromWorker | undefined {
  if (!Array.isArray(raw)) return undefined
  const chunks: ConsoleChunk[] = []
  for (const c of raw as unknown[]) {
    if (typeof c !== 'object' || c === null) return undefined
    const { vm, bytes, redraw } = c as Record<string, unknown>
    if (typeof vm !== 'number' || !(bytes instanceof Uint8Array) || typeof redraw !== 'boolean')
      return undefined
    chunks.push({ vm, bytes, redraw })
  }
  return { t: 'console', chunks }
}

const RUN_STATES: readonly RunState[] = ['none', 'running', 'paused', 'stopped', 'failed']

/** Checks the shape of a status from the worker (the numbers are shown, never used as indices). */
function parseStatus(raw: unknown): SessionStatus | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined
  const s = raw as Record<string, unknown>
  const num = (v: unknown) => typeof v === 'number'
  const numOrNull = (v: unknown) => v === null || num(v)
  if (
    !RUN_STATES.includes(s.state as RunState) ||
    !(s.stop === null || typeof s.stop === 'string') ||
    !numOrNull(s.vm) ||
    !numOrNull(s.exitCode) ||
    !num(s.cycles) ||
    !num(s.instructions) ||
    !num(s.epoch) ||
    typeof s.idle !== 'boolean' ||
    !Array.isArray(s.vms) ||
    !(s.vms as unknown[]).every(
      (v) =>
        typeof v === 'object' &&
        v !== null &&
        num((v as VmStatus).index) &&
        typeof (v as VmStatus).state === 'string' &&
        typeof (v as VmStatus).halted === 'boolean',
    )
  )
    return undefined
  return raw as SessionStatus
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
