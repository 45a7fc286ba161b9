import type { PhysicalMemory } from '../../machine/memory'
import type { StateReader, StateWriter } from '../../snapshot'
import { utf8Decode, utf8Encode } from '../../util/utf8'
import { XS_HEADER, XS_PAYLOAD_MAX, XsRing, XsType } from './abi'
import { DOM0 } from './event-channels'

interface Watch {
  readonly domid: number
  readonly path: string
  readonly token: string
}

/** What one round of serving a domain's ring did. */
export interface ServeResult {
  /** Requests answered. */
  readonly requests: number
  /** Anything written to the response ring (the domain needs a notification). */
  readonly wrote: boolean
}

const ERRORS = {
  ENOENT: 'ENOENT',
  EACCES: 'EACCES',
  EINVAL: 'EINVAL',
  ENOSYS: 'ENOSYS',
  E2BIG: 'E2BIG',
} as const

/**
 * xenstored, the store daemon in Dom0 user space (docs/misc/xenstore.txt, io/xs_wire.h): a tree of
 * small strings (/local/domain/<id>/…) with watches. A DomU talks to it over the store ring in its own
 * memory (start_info.store_mfn): requests in `req`, answers and watch events in `rsp`, each an
 * xsd_sockmsg header (type, req_id, tx_id, len) and a payload. Dom0's backends (modelled in TypeScript)
 * call it directly. Frontends and backends meet here: the frontend writes its ring reference, event
 * channel and state; the backend, watching that state, connects and answers with its own.
 *
 * Ringside's xenstored [R]: no transactions, no per-node permissions — a DomU may read any node but
 * write only below its own /local/domain/<id>/.
 */
export class Xenstored {
  private readonly tree = new Map<string, string>()
  private watches: Watch[] = []
  private readonly rings = new Map<number, number>()
  private readonly outgoing = new Map<number, Uint8Array[]>()
  private dom0Fired: { path: string; token: string }[] = []
  private draining = false

  constructor(
    private readonly mem: PhysicalMemory,
    /** A watch Dom0 set fired (its token says whose). */
    private readonly onDom0Watch: (path: string, token: string) => void,
  ) {}

  /** XS_INTRODUCE (by the toolstack): domain `domid`'s store ring is at machine address `ring`. */
  introduce(domid: number, ring: number): void {
    this.rings.set(domid, ring)
    this.outgoing.set(domid, [])
  }

  /** XS_RELEASE: the domain is gone; so are its ring, watches and nodes. */
  release(domid: number): void {
    this.rings.delete(domid)
    this.outgoing.delete(domid)
    this.watches = this.watches.filter((w) => w.domid !== domid)
    this.rm(`/local/domain/${domid}`)
  }

  read(path: string): string | undefined {
    return this.tree.get(normalize(path))
  }

  /** Writes a node (creating its parents) and fires the watches on it and its ancestors. */
  write(path: string, value: string): void {
    const p = normalize(path)
    for (let q = parent(p); q !== '/' && !this.tree.has(q); q = parent(q)) this.tree.set(q, '')
    this.tree.set(p, value)
    this.fire(p)
  }

  /** Removes a node and everything below it. */
  rm(path: string): void {
    const p = normalize(path)
    let removed = false
    for (const k of [...this.tree.keys()]) {
      if (k === p || k.startsWith(p + '/')) {
        this.tree.delete(k)
        removed = true
      }
    }
    if (removed) this.fire(p)
  }

  directory(path: string): string[] | undefined {
    const p = normalize(path)
    if (!this.tree.has(p) && p !== '/') return undefined
    const prefix = p === '/' ? '/' : p + '/'
    const names = new Set<string>()
    for (const k of this.tree.keys())
      if (k.startsWith(prefix)) names.add(k.slice(prefix.length).split('/')[0]!)
    return [...names].sort()
  }

  /** XS_WATCH: fires once at once (as xenstored does), then on every change at or below `path`. */
  watch(domid: number, path: string, token: string): void {
    const w = { domid, path: normalize(path), token }
    this.watches.push(w)
    this.notify(w, w.path)
  }

  unwatch(domid: number, path: string, token: string): boolean {
    const p = normalize(path)
    const before = this.watches.length
    this.watches = this.watches.filter((w) => !(w.domid === domid && w.path === p && w.token === token))
    return this.watches.length < before
  }

  private fire(path: string): void {
    for (const w of this.watches) if (path === w.path || path.startsWith(w.path + '/')) this.notify(w, path)
  }

  private notify(w: Watch, path: string): void {
    if (w.domid === DOM0) {
      this.dom0Fired.push({ path, token: w.token })
      this.drainDom0()
    } else {
      this.queue(w.domid, XsType.WATCH_EVENT, 0, `${path}\0${w.token}\0`)
    }
  }

  /** Dom0's watch callbacks run one after another, never nested (a callback may write nodes itself). */
  private drainDom0(): void {
    if (this.draining) return
    this.draining = true
    try {
      for (let e = this.dom0Fired.shift(); e; e = this.dom0Fired.shift()) this.onDom0Watch(e.path, e.token)
    } finally {
      this.draining = false
    }
  }

  private queue(domid: number, type: number, reqId: number, payload: string): void {
    const body = utf8Encode(payload)
    const msg = new Uint8Array(XS_HEADER + body.length)
    const v = new DataView(msg.buffer)
    v.setUint32(0, type, true)
    v.setUint32(4, reqId, true)
    v.setUint32(8, 0, true)
    v.setUint32(12, body.length, true)
    msg.set(body, XS_HEADER)
    this.outgoing.get(domid)?.push(msg)
  }

  /** Answers every complete request in the domain's ring and writes what fits of the replies and events. */
  serve(domid: number): ServeResult {
    const ring = this.rings.get(domid)
    if (ring === undefined) return { requests: 0, wrote: false }
    let requests = 0
    for (;;) {
      const cons = this.mem.read32(ring + XsRing.req_cons) >>> 0
      const avail = (this.mem.read32(ring + XsRing.req_prod) - cons) >>> 0
      if (avail < XS_HEADER || avail > XsRing.size) break
      const head = this.readRing(ring, XsRing.req, cons, XS_HEADER)
      const hv = new DataView(head.buffer)
      const len = hv.getUint32(12, true)
      if (len > XS_PAYLOAD_MAX) {
        // A malformed request: xenstored would drop the connection; Ringside skips what is there.
        this.mem.write32(ring + XsRing.req_cons, cons + avail)
        break
      }
      if (avail < XS_HEADER + len) break
      const payload = this.readRing(ring, XsRing.req, cons + XS_HEADER, len)
      this.mem.write32(ring + XsRing.req_cons, cons + XS_HEADER + len)
      this.handle(domid, hv.getUint32(0, true), hv.getUint32(4, true), payload)
      requests++
    }
    return { requests, wrote: this.flush(domid) }
  }

  private readRing(ring: number, half: number, from: number, n: number): Uint8Array {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i++) out[i] = this.mem.read8(ring + half + ((from + i) % XsRing.size))
    return out
  }

  /** Writes queued messages into the response ring while whole messages fit. */
  flush(domid: number): boolean {
    const ring = this.rings.get(domid)
    const q = this.outgoing.get(domid)
    if (ring === undefined || !q) return false
    let wrote = false
    while (q.length > 0) {
      const msg = q[0]!
      const prod = this.mem.read32(ring + XsRing.rsp_prod) >>> 0
      const used = (prod - (this.mem.read32(ring + XsRing.rsp_cons) >>> 0)) >>> 0
      if (used > XsRing.size || XsRing.size - used < msg.length) break
      for (let i = 0; i < msg.length; i++)
        this.mem.write8(ring + XsRing.rsp + ((prod + i) % XsRing.size), msg[i]!)
      this.mem.write32(ring + XsRing.rsp_prod, prod + msg.length)
      q.shift()
      wrote = true
    }
    return wrote
  }

  private handle(domid: number, type: number, reqId: number, payload: Uint8Array): void {
    const args = utf8Decode(payload).split('\0')
    const home = `/local/domain/${domid}`
    const abs = (p: string | undefined): string | null =>
      p === undefined || p === '' ? null : p.startsWith('/') ? normalize(p) : normalize(`${home}/${p}`)
    const reply = (t: number, body: string) => this.queue(domid, t, reqId, body)
    const error = (e: string) => reply(XsType.ERROR, `${e}\0`)
    const path = abs(args[0])
    switch (type) {
      case XsType.READ: {
        const v = path === null ? undefined : this.read(path)
        return v === undefined ? error(ERRORS.ENOENT) : reply(type, v)
      }
      case XsType.WRITE: {
        if (path === null) return error(ERRORS.EINVAL)
        if (!path.startsWith(home + '/')) return error(ERRORS.EACCES)
        // The value is everything after the path's NUL (it may itself contain NULs).
        const at = payload.indexOf(0)
        this.write(path, utf8Decode(payload.subarray(at + 1)))
        return reply(type, 'OK\0')
      }
      case XsType.MKDIR:
        if (path === null || !path.startsWith(home + '/')) return error(ERRORS.EACCES)
        if (!this.tree.has(path)) this.write(path, '')
        return reply(type, 'OK\0')
      case XsType.RM:
        if (path === null || !path.startsWith(home + '/')) return error(ERRORS.EACCES)
        this.rm(path)
        return reply(type, 'OK\0')
      case XsType.DIRECTORY: {
        const names = path === null ? undefined : this.directory(path)
        return names === undefined ? error(ERRORS.ENOENT) : reply(type, names.map((n) => `${n}\0`).join(''))
      }
      case XsType.GET_DOMAIN_PATH:
        return reply(type, `/local/domain/${Number(args[0])}\0`)
      case XsType.WATCH:
        if (path === null || args[1] === undefined) return error(ERRORS.EINVAL)
        reply(type, 'OK\0')
        this.watch(domid, path, args[1])
        return
      case XsType.UNWATCH:
        if (path === null || args[1] === undefined) return error(ERRORS.EINVAL)
        return this.unwatch(domid, path, args[1]) ? reply(type, 'OK\0') : error(ERRORS.ENOENT)
      default:
        return error(ERRORS.ENOSYS)
    }
  }

  saveState(w: StateWriter): void {
    w.json({
      tree: [...this.tree.entries()],
      watches: this.watches,
      rings: [...this.rings.entries()],
      outgoing: [...this.outgoing.entries()].map(([d, q]) => [d, q.map((m) => Array.from(m))]),
    })
  }

  loadState(r: StateReader): void {
    const s = r.json<{
      tree: [string, string][]
      watches: Watch[]
      rings: [number, number][]
      outgoing: [number, number[][]][]
    }>()
    this.tree.clear()
    for (const [k, v] of s.tree) this.tree.set(k, v)
    this.watches = s.watches
    this.rings.clear()
    for (const [d, a] of s.rings) this.rings.set(d, a)
    this.outgoing.clear()
    for (const [d, q] of s.outgoing)
      this.outgoing.set(
        d,
        q.map((m) => Uint8Array.from(m)),
      )
  }
}

function normalize(p: string): string {
  const parts = p.split('/').filter((s) => s !== '')
  return '/' + parts.join('/')
}

function parent(p: string): string {
  const i = p.lastIndexOf('/')
  return i <= 0 ? '/' : p.slice(0, i)
}
