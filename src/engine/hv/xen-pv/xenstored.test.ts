// xenstored over a domain's store ring (io/xs_wire.h): requests and replies as xsd_sockmsg header +
// payload in the 1 KiB byte rings, relative paths under /local/domain/<id>, watches that fire once at
// once and on every change below them, for a DomU (as XS_WATCH_EVENT messages) or Dom0 (callbacks).
import { beforeEach, describe, expect, it } from 'vitest'
import { PhysicalMemory } from '../../machine/memory'
import { XsRing, XsType } from './abi'
import { Xenstored } from './xenstored'

const RING = 0x8000
const DOMU = 3

/** The guest side of the store ring, written with the byte layout of io/xs_wire.h. */
class Client {
  private reqId = 0
  constructor(private readonly mem: PhysicalMemory) {}

  private put(bytes: Uint8Array): void {
    const prod = this.mem.read32(RING + XsRing.req_prod)
    for (let i = 0; i < bytes.length; i++) this.mem.write8(RING + XsRing.req + ((prod + i) % 1024), bytes[i]!)
    this.mem.write32(RING + XsRing.req_prod, prod + bytes.length)
  }

  send(type: number, payload: string): number {
    const body = new TextEncoder().encode(payload)
    const head = new Uint8Array(16)
    const v = new DataView(head.buffer)
    v.setUint32(0, type, true)
    v.setUint32(4, ++this.reqId, true)
    v.setUint32(12, body.length, true)
    this.put(head)
    this.put(body)
    return this.reqId
  }

  /** Every message xenstored wrote since the last call. */
  receive(): { type: number; reqId: number; payload: string }[] {
    const out = []
    let cons = this.mem.read32(RING + XsRing.rsp_cons)
    const prod = this.mem.read32(RING + XsRing.rsp_prod)
    const byte = (i: number) => this.mem.read8(RING + XsRing.rsp + ((cons + i) % 1024))
    const u32 = (i: number) => byte(i) | (byte(i + 1) << 8) | (byte(i + 2) << 16) | (byte(i + 3) << 24)
    while (prod - cons >= 16) {
      const len = u32(12)
      const payload = new TextDecoder().decode(Uint8Array.from({ length: len }, (_, i) => byte(16 + i)))
      out.push({ type: u32(0), reqId: u32(4), payload })
      cons += 16 + len
    }
    this.mem.write32(RING + XsRing.rsp_cons, cons)
    return out
  }
}

describe('Xenstored', () => {
  let mem: PhysicalMemory
  let xs: Xenstored
  let client: Client
  let dom0Watches: [string, string][]

  beforeEach(() => {
    mem = new PhysicalMemory(1 << 16)
    dom0Watches = []
    xs = new Xenstored(mem, (path, token) => dom0Watches.push([path, token]))
    xs.introduce(DOMU, RING)
    client = new Client(mem)
  })

  it('reads relative paths under the domain’s home; a missing node is ENOENT', () => {
    xs.write(`/local/domain/${DOMU}/device/vbd/51712/backend-id`, '0')
    const a = client.send(XsType.READ, 'device/vbd/51712/backend-id\0')
    const b = client.send(XsType.READ, '/local/domain/0/nothing\0')
    expect(xs.serve(DOMU)).toEqual({ requests: 2, wrote: true })
    expect(client.receive()).toEqual([
      { type: XsType.READ, reqId: a, payload: '0' },
      { type: XsType.ERROR, reqId: b, payload: 'ENOENT\0' },
    ])
  })

  it('a DomU writes only below its own home', () => {
    const a = client.send(XsType.WRITE, 'device/vbd/51712/state\x003')
    const b = client.send(XsType.WRITE, '/local/domain/0/backend/x\x00y')
    xs.serve(DOMU)
    expect(client.receive()).toEqual([
      { type: XsType.WRITE, reqId: a, payload: 'OK\0' },
      { type: XsType.ERROR, reqId: b, payload: 'EACCES\0' },
    ])
    expect(xs.read(`/local/domain/${DOMU}/device/vbd/51712/state`)).toBe('3')
    expect(xs.read('/local/domain/0/backend/x')).toBeUndefined()
  })

  it('a watch fires once at once and then for every change at or below its path', () => {
    const back = '/local/domain/0/backend/vbd/3/51712'
    const w = client.send(XsType.WATCH, `${back}/state\0be\0`)
    xs.serve(DOMU)
    expect(client.receive()).toEqual([
      { type: XsType.WATCH, reqId: w, payload: 'OK\0' },
      { type: XsType.WATCH_EVENT, reqId: 0, payload: `${back}/state\0be\0` },
    ])
    xs.write(`${back}/sectors`, '1024') // not below the watched path
    xs.write(`${back}/state`, '4')
    expect(xs.flush(DOMU)).toBe(true)
    expect(client.receive()).toEqual([{ type: XsType.WATCH_EVENT, reqId: 0, payload: `${back}/state\0be\0` }])
  })

  it("Dom0's watches are callbacks, run one at a time even when a callback writes a watched node", () => {
    const front = `/local/domain/${DOMU}/device/vbd/51712/state`
    xs.watch(0, front, 'blkback:3')
    xs.watch(0, '/local/domain/0/backend', 'tools')
    expect(dom0Watches).toEqual([
      [front, 'blkback:3'],
      ['/local/domain/0/backend', 'tools'],
    ])
    dom0Watches.length = 0
    client.send(XsType.WRITE, 'device/vbd/51712/state\x003')
    xs.serve(DOMU)
    expect(dom0Watches).toEqual([[front, 'blkback:3']])
  })

  it('handles a request that wraps around the end of the ring', () => {
    mem.write32(RING + XsRing.req_cons, 1020)
    mem.write32(RING + XsRing.req_prod, 1020)
    mem.write32(RING + XsRing.rsp_cons, 1010)
    mem.write32(RING + XsRing.rsp_prod, 1010)
    xs.write(`/local/domain/${DOMU}/name`, 'vm1')
    const a = client.send(XsType.READ, 'name\0')
    xs.serve(DOMU)
    expect(client.receive()).toEqual([{ type: XsType.READ, reqId: a, payload: 'vm1' }])
  })

  it('answers DIRECTORY with the children, and unknown requests with ENOSYS', () => {
    xs.write(`/local/domain/${DOMU}/device/vbd/51712/state`, '1')
    xs.write(`/local/domain/${DOMU}/device/vif/0/state`, '1')
    const a = client.send(XsType.DIRECTORY, 'device\0')
    const b = client.send(6, '') // XS_TRANSACTION_START: not offered
    xs.serve(DOMU)
    expect(client.receive()).toEqual([
      { type: XsType.DIRECTORY, reqId: a, payload: 'vbd\0vif\0' },
      { type: XsType.ERROR, reqId: b, payload: 'ENOSYS\0' },
    ])
  })
})
