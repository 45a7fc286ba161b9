// io/ring.h's notification protocol: a side notifies only when the other asked (req_event/rsp_event)
// for an index it has just produced, so a busy backend is kicked once per batch. Free-running indices
// wrap at 2^32.
import { beforeEach, describe, expect, it } from 'vitest'
import { PhysicalMemory } from '../../machine/memory'
import { BackRing, FrontRing } from './shared-ring'

const PAGE = 0x4000
const REQ_EVENT = PAGE + 4

describe('shared ring (io/ring.h)', () => {
  let mem: PhysicalMemory
  let front: FrontRing
  let back: BackRing

  beforeEach(() => {
    mem = new PhysicalMemory(1 << 16)
    front = new FrontRing(mem, PAGE, 108, 32)
    back = new BackRing(mem, PAGE, 108, 32)
    front.init()
  })

  it('slots follow the 64-byte header, index modulo the ring size', () => {
    expect(front.slot(0)).toBe(PAGE + 64)
    expect(front.slot(33)).toBe(PAGE + 64 + 108)
  })

  it('kicks the backend for the first request, then not while it is busy, then again after its final check', () => {
    front.nextRequest()
    expect(front.pushRequests()).toBe(true) // req_event was 1
    front.nextRequest()
    expect(front.pushRequests()).toBe(false) // the backend has not asked for more yet
    expect(back.unconsumedRequests()).toBe(2)
    back.takeRequest()
    back.takeRequest()
    expect(back.finalCheckForRequests()).toBe(false)
    expect(mem.read32(REQ_EVENT)).toBe(3)
    front.nextRequest()
    front.nextRequest()
    expect(front.pushRequests()).toBe(true)
  })

  it('a final check that finds requests published meanwhile reports them (no lost wake-up)', () => {
    front.nextRequest()
    front.pushRequests()
    back.takeRequest()
    front.nextRequest()
    front.pushRequests()
    expect(back.finalCheckForRequests()).toBe(true)
  })

  it('responses notify the frontend only when it asked (rsp_event)', () => {
    for (let i = 0; i < 3; i++) front.nextRequest()
    front.pushRequests()
    for (let i = 0; i < 3; i++) back.takeRequest()
    back.nextResponse()
    expect(back.pushResponses()).toBe(true) // rsp_event 1
    back.nextResponse()
    expect(back.pushResponses()).toBe(false)
    expect(front.unconsumedResponses()).toBe(2)
    front.takeResponse()
    front.takeResponse()
    expect(front.finalCheckForResponses()).toBe(false)
    back.nextResponse()
    expect(back.pushResponses()).toBe(true)
  })

  it('counts correctly across the 2^32 wrap of the indices', () => {
    const start = 0xfffffffe
    mem.write32(PAGE, start) // req_prod
    mem.write32(PAGE + 8, start) // rsp_prod
    mem.write32(REQ_EVENT, start + 1)
    front.reqProdPvt = start
    back.reqCons = start
    back.rspProdPvt = start
    for (let i = 0; i < 4; i++) front.nextRequest()
    expect(front.pushRequests()).toBe(true)
    expect(mem.read32(PAGE)).toBe(2)
    expect(back.unconsumedRequests()).toBe(4)
  })

  it('never offers more requests than there are free response slots', () => {
    for (let i = 0; i < 32; i++) front.nextRequest()
    front.pushRequests()
    for (let i = 0; i < 32; i++) back.takeRequest()
    expect(back.unconsumedRequests()).toBe(0)
    // 32 taken, no responses yet: even if the frontend published more, none fits.
    mem.write32(PAGE, 40)
    expect(back.unconsumedRequests()).toBe(0)
    back.nextResponse()
    expect(back.unconsumedRequests()).toBe(1)
  })
})
