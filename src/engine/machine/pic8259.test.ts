import { describe, expect, it } from 'vitest'
import { StateReader, StateWriter } from '../snapshot'
import { PicPair } from './pic8259'

const MASTER = 0x20
const SLAVE = 0xa0

function pair(): { pic: PicPair; out: (p: number, v: number) => void; inb: (p: number) => number } {
  const pic = new PicPair(MASTER, SLAVE)
  return { pic, out: (p, v) => pic.portOut(p, 1, v), inb: (p) => pic.portIn(p, 1) }
}

/**
 * Linux's init_8259A (arch/x86/kernel/i8259.c): mask all, ICW1 0x11 (edge, cascade, ICW4), ICW2 the
 * vector base, ICW3 0x04 on the master (slave on IR2) and 0x02 on the slave (its identity), ICW4 0x01
 * (8086 mode, normal EOI; `auto_eoi` writes 0x03), then restore masks.
 */
function linuxInit(
  out: (p: number, v: number) => void,
  opts: { icw1?: number; icw4?: number; slaveId?: number } = {},
) {
  const icw1 = opts.icw1 ?? 0x11
  const icw4 = opts.icw4 ?? 0x01
  out(MASTER + 1, 0xff)
  out(SLAVE + 1, 0xff)
  out(MASTER, icw1)
  out(MASTER + 1, 0x30)
  out(MASTER + 1, 0x04)
  out(MASTER + 1, icw4)
  out(SLAVE, icw1)
  out(SLAVE + 1, 0x38)
  out(SLAVE + 1, opts.slaveId ?? 0x02)
  out(SLAVE + 1, icw4)
  out(MASTER + 1, 0x00)
  out(SLAVE + 1, 0x00)
}

const EOI = 0x20
const readIrr = 0x0a
const readIsr = 0x0b

describe('8259A pair', () => {
  it('delivers nothing before initialisation', () => {
    const { pic } = pair()
    pic.line(1).set(true)
    expect(pic.intr).toBe(false)
  })

  it('raises INTR for a request and moves it from IRR to ISR on INTA; EOI retires it', () => {
    const { pic, out, inb } = pair()
    linuxInit(out)
    pic.line(1).set(true)
    expect(pic.intr).toBe(true)
    expect(pic.hasInterrupt()).toBe(true)
    out(MASTER, readIrr)
    expect(inb(MASTER)).toBe(0x02)
    expect(pic.acknowledge()).toBe(0x31)
    expect(pic.intr).toBe(false)
    expect(inb(MASTER)).toBe(0x00) // IRR, still selected
    out(MASTER, readIsr)
    expect(inb(MASTER)).toBe(0x02)
    out(MASTER, EOI)
    expect(inb(MASTER)).toBe(0x00)
    expect(inb(MASTER + 1)).toBe(0x00) // IMR
  })

  it('resolves fixed priority (IR0 highest) and lets only higher levels nest', () => {
    const { pic, out } = pair()
    linuxInit(out)
    pic.line(5).set(true)
    pic.line(3).set(true)
    expect(pic.acknowledge()).toBe(0x33)
    expect(pic.intr).toBe(false) // IR5 is below IR3, which is in service
    pic.line(1).set(true)
    expect(pic.intr).toBe(true) // IR1 is above it
    expect(pic.acknowledge()).toBe(0x31)
    out(MASTER, EOI) // non-specific EOI retires the highest in service: IR1
    expect(pic.intr).toBe(false)
    out(MASTER, EOI) // IR3
    expect(pic.intr).toBe(true)
    expect(pic.acknowledge()).toBe(0x35)
  })

  it('masks requests with OCW1 and delivers them once unmasked', () => {
    const { pic, out } = pair()
    linuxInit(out)
    out(MASTER + 1, 0x10)
    pic.line(4).set(true)
    expect(pic.intr).toBe(false)
    out(MASTER + 1, 0x00)
    expect(pic.intr).toBe(true)
    expect(pic.acknowledge()).toBe(0x34)
  })

  it('latches one request per rising edge in edge-triggered mode', () => {
    const { pic, out } = pair()
    linuxInit(out)
    const l = pic.line(0)
    l.set(true)
    expect(pic.acknowledge()).toBe(0x30)
    out(MASTER, EOI)
    expect(pic.intr).toBe(false) // still high, but no new edge
    l.set(false)
    l.set(true)
    expect(pic.intr).toBe(true)
    pic.acknowledge()
    out(MASTER, EOI)
    l.pulse() // the line is high: no edge
    expect(pic.intr).toBe(false)
    l.set(false)
    l.pulse()
    expect(pic.intr).toBe(true) // a pulse is latched until INTA
    expect(pic.acknowledge()).toBe(0x30)
  })

  it('re-requests after EOI while the line stays high in level-triggered mode', () => {
    const { pic, out } = pair()
    linuxInit(out, { icw1: 0x19 })
    pic.line(6).set(true)
    expect(pic.acknowledge()).toBe(0x36)
    out(MASTER, EOI)
    expect(pic.intr).toBe(true)
    pic.line(6).set(false)
    expect(pic.acknowledge()).toBe(0x37) // withdrawn before INTA: default IR7
    expect(pic.intr).toBe(false)
  })

  it('cascades slave requests through IR2 with the slave supplying the vector', () => {
    const { pic, out, inb } = pair()
    linuxInit(out)
    pic.line(12).set(true)
    expect(pic.intr).toBe(true)
    expect(pic.acknowledge()).toBe(0x3c)
    out(MASTER, readIsr)
    out(SLAVE, readIsr)
    expect(inb(MASTER)).toBe(0x04)
    expect(inb(SLAVE)).toBe(0x10)
    out(SLAVE, EOI)
    out(MASTER, EOI)
    expect(inb(MASTER)).toBe(0)
    expect(inb(SLAVE)).toBe(0)
  })

  it('delivers a second slave request after both EOIs (the slave INT makes a new edge on IR2)', () => {
    const { pic, out } = pair()
    linuxInit(out)
    pic.line(9).set(true)
    pic.line(12).set(true)
    expect(pic.acknowledge()).toBe(0x39)
    expect(pic.intr).toBe(false)
    out(SLAVE, EOI)
    expect(pic.intr).toBe(false) // master IR2 still in service
    out(MASTER, EOI)
    expect(pic.intr).toBe(true)
    expect(pic.acknowledge()).toBe(0x3c)
  })

  it('lets slave requests preempt master levels below IR2 and not above it', () => {
    const { pic, out } = pair()
    linuxInit(out)
    pic.line(4).set(true)
    expect(pic.acknowledge()).toBe(0x34)
    pic.line(14).set(true)
    expect(pic.acknowledge()).toBe(0x3e)
    out(SLAVE, EOI)
    out(MASTER, EOI)
    out(MASTER, EOI)
    pic.line(1).set(true)
    expect(pic.acknowledge()).toBe(0x31)
    pic.line(8).set(true)
    expect(pic.intr).toBe(false)
  })

  it('answers a request withdrawn before INTA with spurious IRQ 7, setting no ISR bit', () => {
    const { pic, out, inb } = pair()
    linuxInit(out)
    pic.line(4).set(true)
    pic.line(4).set(false)
    expect(pic.intr).toBe(true) // INT stays asserted: the CPU will run INTA
    expect(pic.acknowledge()).toBe(0x37)
    expect(pic.intr).toBe(false)
    out(MASTER, readIsr)
    expect(inb(MASTER)).toBe(0)
  })

  it('answers a withdrawn slave request with spurious IRQ 15; the master IR2 is in service', () => {
    const { pic, out, inb } = pair()
    linuxInit(out)
    pic.line(10).set(true)
    pic.line(10).set(false)
    expect(pic.intr).toBe(true)
    expect(pic.acknowledge()).toBe(0x3f)
    out(MASTER, readIsr)
    out(SLAVE, readIsr)
    expect(inb(MASTER)).toBe(0x04)
    expect(inb(SLAVE)).toBe(0x00)
    out(MASTER, EOI) // what Linux does for a spurious IRQ 15
    expect(inb(MASTER)).toBe(0)
    expect(pic.intr).toBe(false)
  })

  it('does not raise a spurious interrupt for a request that was never asserted on INT', () => {
    const { pic, out } = pair()
    linuxInit(out)
    out(MASTER + 1, 0x08)
    pic.line(3).set(true)
    pic.line(3).set(false)
    expect(pic.intr).toBe(false)
  })

  it('ends service at INTA in auto-EOI mode', () => {
    const { pic, out, inb } = pair()
    linuxInit(out, { icw4: 0x03 })
    pic.line(3).set(true)
    expect(pic.acknowledge()).toBe(0x33)
    out(MASTER, readIsr)
    expect(inb(MASTER)).toBe(0)
    pic.line(5).set(true)
    expect(pic.acknowledge()).toBe(0x35) // nothing in service blocks it
  })

  it('retires the named level with a specific EOI', () => {
    const { pic, out, inb } = pair()
    linuxInit(out)
    pic.line(3).set(true)
    pic.acknowledge()
    pic.line(1).set(true)
    pic.acknowledge()
    out(MASTER, 0x60 | 3) // specific EOI for IR3, leaving IR1 in service
    out(MASTER, readIsr)
    expect(inb(MASTER)).toBe(0x02)
  })

  it('rotates priorities on a rotating EOI and on set-priority', () => {
    const { pic, out } = pair()
    linuxInit(out)
    pic.line(0).set(true)
    pic.acknowledge()
    out(MASTER, 0xa0) // rotate on non-specific EOI: IR0 becomes the lowest
    pic.line(0).set(false)
    pic.line(0).set(true)
    pic.line(5).set(true)
    expect(pic.acknowledge()).toBe(0x35)
    out(MASTER, 0xc0 | 5) // set priority: IR5 lowest, so IR6 highest … IR5 lowest
    out(MASTER, 0x60 | 5)
    pic.line(6).set(true)
    expect(pic.acknowledge()).toBe(0x36)
  })

  it('lets lower levels in under special mask mode while the in-service level is masked', () => {
    const { pic, out } = pair()
    linuxInit(out)
    pic.line(3).set(true)
    pic.acknowledge()
    pic.line(5).set(true)
    expect(pic.intr).toBe(false)
    out(MASTER + 1, 0x08)
    out(MASTER, 0x68) // OCW3: ESMM | SMM
    expect(pic.intr).toBe(true)
    expect(pic.acknowledge()).toBe(0x35)
    out(MASTER, 0x48) // OCW3: ESMM, SMM clear
    out(MASTER, 0x60 | 5)
    pic.line(6).set(true)
    expect(pic.intr).toBe(false) // IR3 blocks again
  })

  it('answers the poll command with the highest request and acknowledges it', () => {
    const { pic, out, inb } = pair()
    linuxInit(out)
    pic.line(6).set(true)
    out(MASTER, 0x0c) // OCW3: poll
    expect(inb(MASTER)).toBe(0x86)
    expect(pic.intr).toBe(false)
    out(MASTER, 0x0c)
    expect(inb(MASTER)).toBe(0x00)
    out(MASTER, readIsr)
    expect(inb(MASTER)).toBe(0x40)
  })

  it('needs the slave identity in ICW3 to match the master input it hangs on', () => {
    const { pic, out } = pair()
    linuxInit(out, { slaveId: 0x03 })
    pic.line(12).set(true)
    expect(pic.intr).toBe(true)
    expect(pic.acknowledge()).toBe(0xff) // nobody drives the data bus
  })

  it('wires ISA IRQ2 to IRQ9 as the PC/AT does', () => {
    const { pic, out } = pair()
    linuxInit(out)
    expect(pic.line(2)).toBe(pic.line(9))
    pic.line(2).set(true)
    expect(pic.acknowledge()).toBe(0x39)
    expect(() => pic.line(16)).toThrow(RangeError)
  })

  it('reads back every byte of a 16-bit access as consecutive ports', () => {
    const { pic, out } = pair()
    linuxInit(out)
    out(MASTER + 1, 0xb8)
    out(MASTER, readIrr)
    pic.line(0).set(true)
    expect(pic.portIn(MASTER, 2)).toBe(0xb801)
  })

  it('continues identically after a save/load round trip', () => {
    const run = (pic: PicPair, out: (p: number, v: number) => void): number[] => {
      const vectors: number[] = []
      for (let i = 0; i < 6; i++) {
        pic.line((i * 5) % 16 === 2 ? 3 : (i * 5) % 16).set(true)
        while (pic.intr) vectors.push(pic.acknowledge())
        out(SLAVE, EOI)
        out(MASTER, EOI)
      }
      return vectors
    }
    const a = pair()
    linuxInit(a.out)
    a.pic.line(13).set(true)
    a.pic.line(7).set(true)
    a.pic.acknowledge()
    const w = new StateWriter()
    a.pic.saveState(w)
    const b = pair()
    b.pic.loadState(new StateReader(w.finish()))
    expect(b.pic.intr).toBe(a.pic.intr)
    expect(run(b.pic, b.out)).toEqual(run(a.pic, a.out))
  })
})
