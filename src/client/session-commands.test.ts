import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { channelEndpoint } from '../../test/client/channel-endpoint'
import { ARCH_IDS } from '../engine/hv/architectures'
import { MODELS } from '../engine/hv/models'
import { Session } from '../engine/session/session'
import type { RecordView } from '../engine/trace/codec'
import { EventKind, RECORD_WORDS, W } from '../engine/trace/schema'
import { utf8Decode, utf8Encode } from '../engine/util/utf8'
import {
  BadRequest,
  COMMAND_ARGS,
  MAX_CYCLES_PER_SECOND,
  type CommandName,
  type SessionStatus,
} from '../worker/protocol'
import type { EngineClient } from './engine-client'
import { InProcessClient } from './in-process-client'
import { WorkerClient } from './worker-client'

const guest = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../public/guests/${name}`, import.meta.url)))
const native = {
  image: guest('ringos-native.elf'),
  disk: guest('ringos-disk.img'),
  platform: 'native' as const,
}
const FULL = { cyclesPerSecond: MAX_CYCLES_PER_SECOND, untilIdle: true }

describe('session command parsers', () => {
  const rejects = (cmd: CommandName, raw: unknown) =>
    expect(() => COMMAND_ARGS[cmd](raw), `${cmd} ${JSON.stringify(raw)}`).toThrow(BadRequest)

  it('reject malformed arguments', () => {
    const image = new Uint8Array([1, 2, 3])
    for (const raw of [
      null,
      {},
      { arch: 'nope', vms: [{ image, platform: 'native' }] },
      { arch: 'bare', vms: [] },
      { arch: 'bare', vms: [{ image: [1, 2, 3], platform: 'native' }] },
      { arch: 'bare', vms: [{ image, platform: 'amiga' }] },
      { arch: 'bare', vms: [{ image, platform: 'native', memMiB: 1 << 20 }] },
    ])
      rejects('createSession', raw)
    for (const raw of [
      { cyclesPerSecond: 0, untilIdle: false },
      { cyclesPerSecond: MAX_CYCLES_PER_SECOND + 1, untilIdle: false },
      { cyclesPerSecond: 1.5, untilIdle: false },
      { cyclesPerSecond: 1000 },
      { cyclesPerSecond: 1000, untilIdle: 'yes' },
    ])
      rejects('run', raw)
    for (const raw of [{}, { unit: 'page' }, 'flow']) rejects('step', raw)
    for (const raw of [
      { vm: 0, bytes: utf8Encode('x') },
      { vm: 9, bytes: utf8Encode('x') },
      { vm: 1, bytes: 'x' },
      { vm: 1, bytes: new Uint8Array(0) },
      { vm: 1, bytes: new Uint8Array(5000) },
    ])
      rejects('input', raw)
    for (const raw of [{ line: 7 }, { line: 'x'.repeat(600) }]) rejects('manage', raw)
    for (const raw of [{ bytes: [1] }, { bytes: new Uint8Array(0) }]) rejects('restore', raw)
    for (const cmd of ['pause', 'inspect', 'snapshot', 'disposeSession', 'architectures'] as const)
      rejects(cmd, 'now')
  })

  it('accept well-formed arguments', () => {
    expect(COMMAND_ARGS.run({ cyclesPerSecond: 5_000_000, untilIdle: false })).toEqual({
      cyclesPerSecond: 5_000_000,
      untilIdle: false,
    })
    expect(COMMAND_ARGS.step({ unit: 'flow' })).toEqual({ unit: 'flow' })
    expect(COMMAND_ARGS.createSession({ arch: 'bare', vms: [native] })).toMatchObject({ arch: 'bare' })
  })
})

/** Everything a client hears from one session: console text per VM, statuses, and event counts. */
function listen(client: EngineClient) {
  const heard = {
    console: new Map<number, string>(),
    statuses: [] as SessionStatus[],
    kinds: [] as number[],
    flows: [] as number[],
    dropped: 0,
  }
  client.onConsole((c) => {
    const before = c.redraw ? '' : (heard.console.get(c.vm) ?? '')
    heard.console.set(c.vm, before + utf8Decode(c.bytes))
  })
  client.onSession((s) => heard.statuses.push(s))
  client.onEvents((v: RecordView, start, count) => {
    for (let i = start; i < start + count; i++) {
      const b = i * RECORD_WORDS
      const kind = v.u32[b + W.head] & 0xff
      heard.kinds.push(kind)
      heard.flows.push(v.u32[b + W.flow])
      if (kind === EventKind.Dropped) heard.dropped += v.u32[b + W.arg0]
    }
  })
  return heard
}

const clients: EngineClient[] = []
afterEach(() => {
  for (const c of clients.splice(0)) c.dispose()
})

async function open(client: EngineClient) {
  clients.push(client)
  const heard = listen(client)
  await client.connect()
  return heard
}

describe('a bare-metal ringos session through the in-process client', () => {
  it('boots to the prompt, runs a typed command, and reports both on the console channel', async () => {
    const client = new InProcessClient()
    const heard = await open(client)
    const info = await client.call('createSession', { arch: 'bare', vms: [native] })
    expect(info).toMatchObject({ arch: 'bare', vms: [{ index: 1, name: 'vm1', platform: 'native' }] })
    expect(info.status).toMatchObject({ state: 'paused', stop: null, instructions: 0 })
    const booted = await client.call('run', FULL)
    expect(booted).toMatchObject({ state: 'paused', stop: 'idle', idle: true })
    expect(heard.console.get(1)).toMatch(/^ringos .* native platform[\s\S]*\$ $/)
    await client.call('input', { vm: 1, bytes: utf8Encode('echo hi\n') })
    const after = await client.call('run', FULL)
    expect(after.stop).toBe('idle')
    expect(after.instructions).toBeGreaterThan(booted.instructions)
    expect(heard.console.get(1)).toMatch(/\$ echo hi\r\nhi\r\n\$ $/)
    expect(heard.statuses.some((s) => s.state === 'running')).toBe(true)
    expect(heard.statuses.at(-1)).toEqual(after)
  })

  it('steps by flow through exactly one flow, and by instruction through one instruction', async () => {
    const client = new InProcessClient()
    const heard = await open(client)
    await client.call('createSession', { arch: 'bare', vms: [native] })
    await client.call('run', FULL)
    const one = await client.call('step', { unit: 'instruction' })
    expect(one.stop).toBe('step')
    expect((await client.call('step', { unit: 'instruction' })).instructions).toBe(one.instructions + 1)
    for (let i = 0; i < 3; i++) {
      const from = heard.kinds.length
      expect((await client.call('step', { unit: 'flow' })).stop).toBe('step')
      const kinds = heard.kinds.slice(from)
      const flows = heard.flows.slice(from)
      expect(kinds.filter((k) => k === EventKind.FlowBegin)).toHaveLength(1)
      expect(kinds.filter((k) => k === EventKind.FlowEnd)).toHaveLength(1)
      const hops = flows.filter((_, j) => kinds[j] === EventKind.Hop)
      expect(hops.length).toBeGreaterThan(0)
      expect(new Set(hops).size).toBe(1)
    }
  })

  it('stops a guest that powers off, or triple-faults, as a stopped machine with its reason', async () => {
    const client = new InProcessClient()
    await open(client)
    await client.call('createSession', { arch: 'bare', vms: [native] })
    await client.call('run', FULL)
    await client.call('input', { vm: 1, bytes: utf8Encode('poweroff\n') })
    expect(await client.call('run', FULL)).toMatchObject({ state: 'stopped', stop: 'debug-exit', vm: 1 })
    // UD2 with no IDT: #UD, then #DF, then shutdown (SDM Vol. 3A §6.15).
    const ud2 = { image: new Uint8Array([0x0f, 0x0b]), platform: 'native' as const, loadAddr: 0x100000 }
    await client.call('createSession', { arch: 'bare', vms: [ud2] })
    expect(await client.call('run', FULL)).toMatchObject({
      state: 'stopped',
      stop: 'shutdown',
      vms: [{ index: 1, state: 'crashed' }],
    })
    // Nothing runs any more, and that is an answer, not an error.
    expect((await client.call('run', FULL)).state).toBe('stopped')
  })

  it('pauses a continuous run, and restores a snapshot with the console as it was', async () => {
    const client = new InProcessClient()
    const heard = await open(client)
    await client.call('createSession', { arch: 'bare', vms: [native] })
    await client.call('run', FULL)
    const snap = await client.call('snapshot', {})
    const atSnapshot = heard.console.get(1)
    // A slow run goes on until paused.
    const running = client.call('run', { cyclesPerSecond: 1_000_000, untilIdle: false })
    await expect.poll(() => heard.statuses.at(-1)?.state).toBe('running')
    const paused = await client.call('pause', {})
    expect(paused.state).toBe('paused')
    expect(await running).toEqual(paused)
    await client.call('input', { vm: 1, bytes: utf8Encode('ls\n') })
    await client.call('run', FULL)
    expect(heard.console.get(1)).toContain('bin/ls')
    const restored = await client.call('restore', { bytes: snap })
    expect(restored.epoch).toBeGreaterThan(paused.epoch)
    expect(heard.console.get(1)).toBe(atSnapshot)
  })

  it('refuses an architecture without a model and commands without a session', async () => {
    const client = new InProcessClient()
    await open(client)
    await expect(client.call('pause', {})).rejects.toMatchObject({ code: 'bad-request' })
    const models = await client.call('architectures', {})
    expect(models.map((m) => m.id)).toEqual(Object.keys(MODELS))
    const missing = ARCH_IDS.find((a) => MODELS[a] === undefined)
    if (missing !== undefined)
      await expect(client.call('createSession', { arch: missing, vms: [native] })).rejects.toMatchObject({
        code: 'bad-request',
        message: expect.stringMatching(/not available/),
      })
  })
})

describe('console output under event back-pressure', () => {
  it('arrives whole and in order while events are dropped', async () => {
    // Reference: the same guest and input, run directly on the engine.
    const reference = new Session({ arch: 'bare', vms: [native] })
    reference.run({ maxInstructions: 50_000_000, untilIdleMs: 100 })
    reference.input(1, utf8Encode('help\nls\n'))
    reference.run({ maxInstructions: 50_000_000, untilIdleMs: 100 })
    const expected = reference
      .takeConsoleOutput()
      .map((o) => utf8Decode(o.bytes))
      .join('')

    const client = new WorkerClient({
      spawn: channelEndpoint,
      transport: 'transfer',
      batchRecords: 64,
      maxInFlight: 1,
    })
    const heard = await open(client)
    await client.call('createSession', { arch: 'bare', vms: [native] })
    await client.call('run', FULL)
    await client.call('input', { vm: 1, bytes: utf8Encode('help\nls\n') })
    await client.call('run', FULL)
    expect(heard.dropped).toBeGreaterThan(0)
    expect(heard.console.get(1)).toBe(expected)
  })
})
