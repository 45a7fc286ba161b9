import { afterEach, describe, expect, it } from 'vitest'
import type { RecordView } from '../engine/trace/codec'
import { EventKind, RECORD_WORDS, W } from '../engine/trace/schema'
import { ENGINE_VERSION } from '../engine/version'
import { serveEngine, type HostPort } from '../worker/serve'
import { channelEndpoint } from '../../test/client/channel-endpoint'
import { EngineError, type EngineClient } from './engine-client'
import { InProcessClient } from './in-process-client'
import { WorkerClient } from './worker-client'

interface Received {
  seqs: number[]
  kinds: number[]
  /** Each record's words other than seq, for comparing streams. */
  bodies: string[]
  droppedReported: number
}

function collect(client: EngineClient): Received {
  const r: Received = { seqs: [], kinds: [], bodies: [], droppedReported: 0 }
  client.onEvents((v: RecordView, start, count) => {
    for (let i = start; i < start + count; i++) {
      const b = i * RECORD_WORDS
      r.seqs.push(v.f64[(b + W.seq) >> 1])
      const kind = v.u32[b + W.head] & 0xff
      r.kinds.push(kind)
      if (kind === EventKind.Dropped) r.droppedReported += v.u32[b + W.arg0]
      else r.bodies.push(Array.from(v.u32.subarray(b + W.head, b + RECORD_WORDS)).join(','))
    }
  })
  return r
}

const clients: EngineClient[] = []
afterEach(() => {
  for (const c of clients.splice(0)) c.dispose()
})

const configs: Array<[string, (opts?: { maxInFlight?: number; ringRecords?: number }) => EngineClient]> = [
  ['in-process', () => new InProcessClient(1024)],
  [
    'worker protocol, transfer',
    (o) => new WorkerClient({ spawn: channelEndpoint, transport: 'transfer', batchRecords: 1024, ...o }),
  ],
  [
    'worker protocol, ring',
    (o) =>
      new WorkerClient({
        spawn: channelEndpoint,
        transport: 'ring',
        batchRecords: 1024,
        ringRecords: 4096,
        ...o,
      }),
  ],
]

describe.each(configs)('%s client', (name, make) => {
  const open = (o?: { maxInFlight?: number; ringRecords?: number }) => {
    const c = make(o)
    clients.push(c)
    return c
  }

  it('answers the handshake with the engine version and its transport', async () => {
    const c = open()
    const hello = await c.connect()
    expect(c.status).toBe('ready')
    expect(hello.engineVersion).toBe(ENGINE_VERSION)
    expect(hello.recordBytes).toBe(48)
    expect(hello.transport).toBe(
      name.endsWith('ring') ? 'ring' : name.endsWith('transfer') ? 'transfer' : 'direct',
    )
    expect(await c.call('ping', { nonce: 42 })).toEqual({ nonce: 42 })
  })

  it('delivers every event of a lossless run, in order, before the command resolves', async () => {
    const c = open()
    const got = collect(c)
    await c.connect()
    const res = await c.call('synth', { count: 50_000, seed: 7, pace: 'lossless' })
    expect(res).toEqual({ emitted: 50_000, dropped: 0, firstSeq: 0, nextSeq: 50_000 })
    expect(got.seqs.length).toBe(50_000)
    expect(got.seqs.every((s, i) => s === i)).toBe(true)
    const again = await c.call('synth', { count: 10, seed: 7, pace: 'lossless' })
    expect(again.firstSeq).toBe(50_000)
    // Same seed, same records (sequence numbers aside).
    expect(got.bodies.slice(50_000)).toEqual(got.bodies.slice(0, 10))
  })

  it('turns an engine exception into a typed error and stays usable', async () => {
    const c = open()
    await c.connect()
    const err = await c.call('fault', { mode: 'throw' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(EngineError)
    expect((err as EngineError).code).toBe('engine')
    expect((err as EngineError).message).toMatch(/diagnostic engine fault/)
    expect(c.status).toBe('ready')
    expect(await c.call('ping', { nonce: 1 })).toEqual({ nonce: 1 })
  })

  it('rejects malformed arguments as bad requests', async () => {
    const c = open()
    await c.connect()
    const bad = { count: -1, seed: 0, pace: 'lossless' } as const
    await expect(c.call('synth', bad)).rejects.toMatchObject({ code: 'bad-request' })
    await expect(c.call('synth', { count: 1, seed: 0, pace: 'fast' as 'lossless' })).rejects.toMatchObject({
      code: 'bad-request',
    })
  })

  it('reports a dead engine, fails pending and new commands, and comes back on restart', async () => {
    const c = open()
    const statuses: string[] = []
    c.onStatus((s) => statuses.push(s.status))
    await c.connect()
    await c.call('fault', { mode: 'crash' })
    await expect.poll(() => c.status).toBe('failed')
    await expect(c.call('ping', { nonce: 1 })).rejects.toMatchObject({ code: 'crashed' })
    const hello = await c.restart()
    expect(hello.engineVersion).toBe(ENGINE_VERSION)
    expect(await c.call('ping', { nonce: 2 })).toEqual({ nonce: 2 })
    expect(statuses).toEqual(['connecting', 'ready', 'failed', 'connecting', 'ready'])
  })
})

describe.each(configs.slice(1))('%s client under back-pressure', (_name, make) => {
  it('drops what the main thread cannot take, counts it in the stream, and accounts for every sequence number', async () => {
    const c = make({ maxInFlight: 1, ringRecords: 1024 })
    clients.push(c)
    const got = collect(c)
    await c.connect()
    const res = await c.call('synth', { count: 200_000, seed: 3, pace: 'flat-out' })
    expect(res.dropped).toBeGreaterThan(0)
    // Strictly increasing; every missing sequence number was reported by a Dropped event.
    expect(got.seqs.every((s, i) => i === 0 || s > got.seqs[i - 1])).toBe(true)
    const last = got.seqs[got.seqs.length - 1]
    expect(got.seqs.length + got.droppedReported).toBe(last + 1)
    expect(got.droppedReported).toBe(res.dropped)
    expect(got.kinds.filter((k) => k === EventKind.Dropped).length).toBeGreaterThan(0)
  })
})

describe('the worker side of the protocol', () => {
  async function exchange(...messages: unknown[]): Promise<unknown[]> {
    const { port1, port2 } = new MessageChannel()
    serveEngine(port2 as unknown as HostPort, { isolated: false, crash: () => {} })
    const replies: unknown[] = []
    port1.onmessage = (ev) => replies.push(ev.data)
    for (const m of messages) port1.postMessage(m)
    await new Promise((r) => setTimeout(r, 50))
    port1.close()
    port2.close()
    return replies
  }

  it('answers malformed messages with a protocol error instead of dying', async () => {
    const replies = await exchange(
      'hello',
      { t: 'nonsense' },
      { t: 'call', id: 1, cmd: 'ping', args: { nonce: 1 } },
      { t: 'open', transport: { mode: 'ring', batchRecords: 8, ring: new SharedArrayBuffer(1024) } },
      { t: 'open', transport: { mode: 'transfer', batchRecords: 8, maxInFlight: 2 } },
      { t: 'call', id: 2, cmd: 'format-disk', args: {} },
      { t: 'call', id: 3, cmd: 'ping', args: { nonce: 3 } },
    )
    expect(replies).toEqual([
      {
        t: 'fatal',
        error: expect.objectContaining({
          code: 'protocol',
          message: expect.stringMatching(/expected an object/),
        }),
      },
      {
        t: 'fatal',
        error: expect.objectContaining({ code: 'protocol', message: expect.stringMatching(/unknown type/) }),
      },
      {
        t: 'result',
        id: 1,
        ok: false,
        error: expect.objectContaining({ code: 'protocol', message: 'call before open' }),
      },
      {
        t: 'fatal',
        error: expect.objectContaining({ code: 'protocol', message: expect.stringMatching(/not a ring/) }),
      },
      { t: 'result', id: 2, ok: false, error: expect.objectContaining({ code: 'bad-request' }) },
      { t: 'result', id: 3, ok: true, value: { nonce: 3 } },
    ])
  })
})
