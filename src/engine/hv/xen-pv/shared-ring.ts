import type { PhysicalMemory } from '../../machine/memory'
import { Ring } from './abi'

/** Unsigned 32-bit difference: ring indices are free-running counters that wrap. */
function sub(a: number, b: number): number {
  return (a - b) >>> 0
}

/**
 * The shared ring of xen/include/public/io/ring.h in a page of machine memory: a header with the
 * producer indices both sides publish (req_prod by the frontend, rsp_prod by the backend) and the
 * event indices each side sets to say when it wants a notification (req_event, rsp_event), then
 * `size` slots of `entrySize` bytes used for a request and later for its response. Indices only grow;
 * slot = index mod size. The "push and check notify" and "final check" macros keep notifications to
 * one per batch: a side notifies only when the other asked for an index it has just passed.
 */
export abstract class SharedRing {
  constructor(
    protected readonly mem: PhysicalMemory,
    /** Machine address of the ring page. */
    readonly base: number,
    readonly entrySize: number,
    readonly size: number,
  ) {}

  protected get32(off: number): number {
    return this.mem.read32(this.base + off) >>> 0
  }

  protected set32(off: number, v: number): void {
    this.mem.write32(this.base + off, v >>> 0)
  }

  /** Machine address of the slot of index `i`. */
  slot(i: number): number {
    return this.base + Ring.header + (i % this.size) * this.entrySize
  }
}

/** The backend's side (BACK_RING): consumes requests, produces responses. */
export class BackRing extends SharedRing {
  reqCons = 0
  rspProdPvt = 0

  /** RING_HAS_UNCONSUMED_REQUESTS: requests published and not taken, bounded by free response slots. */
  unconsumedRequests(): number {
    const req = sub(this.get32(Ring.req_prod), this.reqCons)
    const rsp = this.size - sub(this.reqCons, this.rspProdPvt)
    return Math.min(req, rsp)
  }

  /** Takes the next request: the machine address of its slot. */
  takeRequest(): number {
    return this.slot(this.reqCons++)
  }

  /** The slot for the next response (filled by the caller, then pushed). */
  nextResponse(): number {
    return this.slot(this.rspProdPvt++)
  }

  /** RING_PUSH_RESPONSES_AND_CHECK_NOTIFY: publishes the responses; true if the frontend wants a kick. */
  pushResponses(): boolean {
    const old = this.get32(Ring.rsp_prod)
    const now = this.rspProdPvt >>> 0
    this.set32(Ring.rsp_prod, now)
    return sub(now, this.get32(Ring.rsp_event)) < sub(now, old)
  }

  /** RING_FINAL_CHECK_FOR_REQUESTS: asks for a kick at the next request, then looks once more. */
  finalCheckForRequests(): boolean {
    if (this.unconsumedRequests() > 0) return true
    this.set32(Ring.req_event, this.reqCons + 1)
    return this.unconsumedRequests() > 0
  }
}

/** The frontend's side (FRONT_RING), as guest/platform/xen-pv.c drives it; used to test the backend. */
export class FrontRing extends SharedRing {
  reqProdPvt = 0
  rspCons = 0

  /** SHARED_RING_INIT: indices zero, both event indices 1. */
  init(): void {
    this.set32(Ring.req_prod, 0)
    this.set32(Ring.rsp_prod, 0)
    this.set32(Ring.req_event, 1)
    this.set32(Ring.rsp_event, 1)
  }

  nextRequest(): number {
    return this.slot(this.reqProdPvt++)
  }

  /** RING_PUSH_REQUESTS_AND_CHECK_NOTIFY. */
  pushRequests(): boolean {
    const old = this.get32(Ring.req_prod)
    const now = this.reqProdPvt >>> 0
    this.set32(Ring.req_prod, now)
    return sub(now, this.get32(Ring.req_event)) < sub(now, old)
  }

  /** RING_HAS_UNCONSUMED_RESPONSES. */
  unconsumedResponses(): number {
    return sub(this.get32(Ring.rsp_prod), this.rspCons)
  }

  takeResponse(): number {
    return this.slot(this.rspCons++)
  }

  /** RING_FINAL_CHECK_FOR_RESPONSES. */
  finalCheckForResponses(): boolean {
    if (this.unconsumedResponses() > 0) return true
    this.set32(Ring.rsp_event, this.rspCons + 1)
    return this.unconsumedResponses() > 0
  }
}
