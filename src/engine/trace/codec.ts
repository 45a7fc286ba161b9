import { RECORD_WORDS, W, isEventKind, type TraceEvent } from './schema'

/**
 * Typed views over a buffer of event records. One instance per buffer; the f64 fields (seq, cycle)
 * and the u32 words share the bytes.
 */
export class RecordView {
  readonly u32: Uint32Array
  readonly f64: Float64Array
  readonly capacity: number

  constructor(
    readonly buffer: ArrayBufferLike,
    byteOffset = 0,
    capacity?: number,
  ) {
    const cap = capacity ?? Math.floor((buffer.byteLength - byteOffset) / (RECORD_WORDS * 4))
    this.capacity = cap
    this.u32 = new Uint32Array(buffer, byteOffset, cap * RECORD_WORDS)
    this.f64 = new Float64Array(buffer, byteOffset, (cap * RECORD_WORDS) / 2)
  }
}

/** Writes one event at record index `i`. Fields are masked to their widths. */
export function encodeEvent(v: RecordView, i: number, e: TraceEvent): void {
  const b = i * RECORD_WORDS
  const f = b >> 1
  v.f64[f + W.seq / 2] = e.seq
  v.f64[f + W.cycle / 2] = e.cycle
  v.u32[b + W.head] =
    (e.kind & 0xff) | ((e.pcpu & 0xff) << 8) | ((e.vm & 0xff) << 16) | ((e.vcpu & 0xff) << 24)
  v.u32[b + W.reason] = (e.reason & 0xffff) | ((e.fromCtx & 0xff) << 16) | ((e.toCtx & 0xff) << 24)
  v.u32[b + W.comps] = (e.from & 0xffff) | ((e.to & 0xffff) << 16)
  v.u32[b + W.cost] = e.cost >>> 0
  v.u32[b + W.arg0] = e.arg0 >>> 0
  v.u32[b + W.arg1] = e.arg1 >>> 0
  v.u32[b + W.flow] = e.flow >>> 0
  v.u32[b + W.arg2] = e.arg2 >>> 0
}

/** Reads the event at record index `i`. Throws on a kind this schema does not know (corrupt data). */
export function decodeEvent(v: RecordView, i: number): TraceEvent {
  const b = i * RECORD_WORDS
  const f = b >> 1
  const head = v.u32[b + W.head]
  const kind = head & 0xff
  if (!isEventKind(kind)) throw new Error(`event record ${i}: unknown kind ${kind}`)
  const reason = v.u32[b + W.reason]
  const comps = v.u32[b + W.comps]
  return {
    seq: v.f64[f + W.seq / 2],
    cycle: v.f64[f + W.cycle / 2],
    kind,
    pcpu: (head >>> 8) & 0xff,
    vm: (head >>> 16) & 0xff,
    vcpu: head >>> 24,
    reason: reason & 0xffff,
    fromCtx: (reason >>> 16) & 0xff,
    toCtx: reason >>> 24,
    from: comps & 0xffff,
    to: comps >>> 16,
    cost: v.u32[b + W.cost],
    arg0: v.u32[b + W.arg0],
    arg1: v.u32[b + W.arg1],
    flow: v.u32[b + W.flow],
    arg2: v.u32[b + W.arg2],
  }
}

/** Kind of the record at `i`, without decoding the rest. */
export function kindAt(v: RecordView, i: number): number {
  return v.u32[i * RECORD_WORDS + W.head] & 0xff
}
