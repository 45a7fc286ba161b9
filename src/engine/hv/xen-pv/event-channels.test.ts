// Two-level event channels (xen.h "Event channel endpoints", event_channel.h): what lands in the
// guest's shared_info for a send, how the mask holds an event back until EVTCHNOP_unmask, and how
// interdomain ports reach Dom0 (modelled) and back. Offsets are the x86_32 shared_info layout.
import { beforeEach, describe, expect, it } from 'vitest'
import { PhysicalMemory } from '../../machine/memory'
import { Errno, VIRQ_TIMER } from './abi'
import { DOM0, EventChannels } from './event-channels'

const SHARED = 0x5000 // the DomU's shared_info page
const PENDING = SHARED + 2048 // evtchn_pending[32]
const MASK = SHARED + 2176 // evtchn_mask[32]
const UPCALL_PENDING = SHARED + 0 // vcpu_info[0].evtchn_upcall_pending
const PENDING_SEL = SHARED + 4 // vcpu_info[0].evtchn_pending_sel

describe('EventChannels', () => {
  let mem: PhysicalMemory
  let ev: EventChannels
  let kicks: number[]
  let dom0: number[]

  beforeEach(() => {
    mem = new PhysicalMemory(1 << 20)
    kicks = []
    dom0 = []
    ev = new EventChannels(mem, {
      sharedInfo: () => SHARED,
      kick: (d) => kicks.push(d),
      dom0Event: (p) => dom0.push(p),
    })
  })

  it('a VIRQ sets the port bit, its selector bit and upcall_pending, and kicks the vCPU', () => {
    expect(ev.bindVirq(1, VIRQ_TIMER)).toBe(1)
    expect(ev.bindVirq(1, VIRQ_TIMER)).toBe(-Errno.EEXIST)
    for (let p = 2; p < 40; p++) expect(ev.allocUnbound(1, DOM0)).toBe(p)
    expect(ev.bindVirq(1, 5)).toBe(40)
    expect(ev.raiseVirq(1, 5)).toBe(true)
    expect(mem.read32(PENDING + 4)).toBe(1 << 8) // port 40: word 1, bit 8
    expect(mem.read32(PENDING_SEL)).toBe(1 << 1)
    expect(mem.read8(UPCALL_PENDING)).toBe(1)
    expect(kicks).toEqual([1])
    // Already pending: nothing new, no second kick.
    ev.raiseVirq(1, 5)
    expect(kicks).toEqual([1])
  })

  it('a masked port only records the event; unmasking raises the upcall then', () => {
    const port = ev.bindVirq(1, VIRQ_TIMER)
    mem.write32(MASK, 1 << port) // the guest masks it (a plain write to shared_info)
    ev.raiseVirq(1, VIRQ_TIMER)
    expect(mem.read32(PENDING)).toBe(1 << port)
    expect(mem.read32(PENDING_SEL)).toBe(0)
    expect(mem.read8(UPCALL_PENDING)).toBe(0)
    expect(kicks).toEqual([])
    expect(ev.unmask(1, port)).toBe(0)
    expect(mem.read32(MASK)).toBe(0)
    expect(mem.read32(PENDING_SEL)).toBe(1)
    expect(mem.read8(UPCALL_PENDING)).toBe(1)
    expect(kicks).toEqual([1])
    expect(ev.unmask(1, 63)).toBe(-Errno.EINVAL)
  })

  it('interdomain: a DomU port offered to Dom0, bound by Dom0, notifies both ways', () => {
    const front = ev.allocUnbound(1, DOM0)
    expect(ev.bindInterdomain(DOM0, 2, front)).toBe(-Errno.EINVAL) // offered by domain 1, not 2
    const back = ev.bindInterdomain(DOM0, 1, front)
    expect(back).toBeGreaterThan(0)
    expect(ev.bindInterdomain(DOM0, 1, front)).toBe(-Errno.EINVAL) // already bound
    expect(ev.send(1, front)).toBe(0)
    expect(dom0).toEqual([back])
    expect(ev.send(DOM0, back)).toBe(0)
    expect(mem.read32(PENDING)).toBe(1 << front)
    expect(kicks).toEqual([1])
    // Closing Dom0's end leaves the DomU's port unbound again: sends fail.
    expect(ev.close(DOM0, back)).toBe(0)
    expect(ev.state(1, front)).toEqual({ kind: 'unbound', remoteDom: DOM0 })
    expect(ev.send(1, front)).toBe(-Errno.EINVAL)
  })

  it('refuses to send on an unbound or VIRQ port', () => {
    const port = ev.allocUnbound(1, DOM0)
    expect(ev.send(1, port)).toBe(-Errno.EINVAL)
    expect(ev.send(1, ev.bindVirq(1, VIRQ_TIMER))).toBe(-Errno.EINVAL)
    expect(ev.send(1, 999)).toBe(-Errno.EINVAL)
  })
})
