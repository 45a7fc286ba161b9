/**
 * A tiny binary format for machine snapshots: a sequence of tagged sections, each a flat run of
 * numbers and byte arrays written in a fixed order by the component that owns the state. Snapshots
 * are what step-back, the timeline scrubber and worker restarts restore, so they must be complete
 * (everything that influences the future) and deterministic (same state → same bytes).
 */

import { utf8Decode, utf8Encode } from './util/utf8'

const MAGIC = 0x52534e50 // "RSNP"
const VERSION = 1

export class StateWriter {
  private buf = new ArrayBuffer(1 << 16)
  private view = new DataView(this.buf)
  private pos = 0

  constructor() {
    this.u32(MAGIC)
    this.u32(VERSION)
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.byteLength) return
    let cap = this.buf.byteLength * 2
    while (cap < this.pos + n) cap *= 2
    const next = new ArrayBuffer(cap)
    new Uint8Array(next).set(new Uint8Array(this.buf, 0, this.pos))
    this.buf = next
    this.view = new DataView(next)
  }

  /** Starts a named section; readers check the tag, so a mismatched layout fails loudly. */
  section(tag: string): void {
    this.str(`§${tag}`)
  }
  u8(v: number): void {
    this.ensure(1)
    this.view.setUint8(this.pos, v)
    this.pos += 1
  }
  u32(v: number): void {
    this.ensure(4)
    this.view.setUint32(this.pos, v >>> 0, true)
    this.pos += 4
  }
  i32(v: number): void {
    this.ensure(4)
    this.view.setInt32(this.pos, v | 0, true)
    this.pos += 4
  }
  f64(v: number): void {
    this.ensure(8)
    this.view.setFloat64(this.pos, v, true)
    this.pos += 8
  }
  bool(v: boolean): void {
    this.u8(v ? 1 : 0)
  }
  bytes(b: Uint8Array): void {
    this.u32(b.length)
    this.ensure(b.length)
    new Uint8Array(this.buf, this.pos, b.length).set(b)
    this.pos += b.length
  }
  /** A typed array of 32-bit words (registers, tables). */
  words(a: Int32Array | Uint32Array): void {
    this.u32(a.length)
    for (let i = 0; i < a.length; i++) this.u32(a[i])
  }
  str(s: string): void {
    this.bytes(utf8Encode(s))
  }
  /** Plain JSON-able data, for small structured state (device queues, model tables). */
  json(v: unknown): void {
    this.str(JSON.stringify(v))
  }
  finish(): Uint8Array {
    return new Uint8Array(this.buf.slice(0, this.pos))
  }
}

export class StateReader {
  private readonly view: DataView
  private pos = 0

  constructor(private readonly data: Uint8Array) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength)
    if (data.byteLength < 8 || this.u32() !== MAGIC) throw new Error('not a Ringside snapshot')
    const v = this.u32()
    if (v !== VERSION) throw new Error(`snapshot version ${v} is not supported (expected ${VERSION})`)
  }

  private need(n: number): void {
    if (this.pos + n > this.data.byteLength) throw new Error('snapshot is truncated')
  }
  section(tag: string): void {
    const got = this.str()
    if (got !== `§${tag}`)
      throw new Error(`snapshot layout mismatch: expected section ${tag}, found ${got.slice(1, 40)}`)
  }
  u8(): number {
    this.need(1)
    return this.view.getUint8(this.pos++)
  }
  u32(): number {
    this.need(4)
    const v = this.view.getUint32(this.pos, true)
    this.pos += 4
    return v
  }
  i32(): number {
    this.need(4)
    const v = this.view.getInt32(this.pos, true)
    this.pos += 4
    return v
  }
  f64(): number {
    this.need(8)
    const v = this.view.getFloat64(this.pos, true)
    this.pos += 8
    return v
  }
  bool(): boolean {
    return this.u8() !== 0
  }
  bytes(): Uint8Array {
    const n = this.u32()
    this.need(n)
    const b = this.data.slice(this.pos, this.pos + n)
    this.pos += n
    return b
  }
  /** Reads words into `into` (which must have the saved length). */
  words(into: Int32Array | Uint32Array): void {
    const n = this.u32()
    if (n !== into.length)
      throw new Error(`snapshot layout mismatch: ${n} words where ${into.length} expected`)
    for (let i = 0; i < n; i++) into[i] = this.u32()
  }
  str(): string {
    return utf8Decode(this.bytes())
  }
  json<T>(): T {
    return JSON.parse(this.str()) as T
  }
  get done(): boolean {
    return this.pos === this.data.byteLength
  }
}

/** Something whose state belongs in a machine snapshot. */
export interface Snapshottable {
  saveState(w: StateWriter): void
  loadState(r: StateReader): void
}
