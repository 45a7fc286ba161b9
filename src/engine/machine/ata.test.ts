import { describe, expect, it } from 'vitest'
import { StateReader, StateWriter } from '../snapshot'
import { EventKind } from '../trace/schema'
import { EventSink } from '../trace/sink'
import { ATA_ABRT, AtaDisk } from './ata'
import { DiskImage, SECTOR_SIZE } from './disk-image'

const DATA = 0x1f0
const ERROR = 0x1f1
const NSECT = 0x1f2
const LBA0 = 0x1f3
const LBA1 = 0x1f4
const LBA2 = 0x1f5
const DEVICE = 0x1f6
const STATUS = 0x1f7
const COMMAND = 0x1f7
const CONTROL = 0x3f6

/** A disk whose every byte is a function of its offset, so any misplaced sector shows. */
function patternedDisk(sectors: number): Uint8Array {
  const d = new Uint8Array(sectors * SECTOR_SIZE)
  for (let i = 0; i < d.length; i++) d[i] = (i * 131 + (i >> 9) * 7) & 0xff
  return d
}

function drive(image: Uint8Array | null) {
  const clock = { cycles: 0 }
  const sink = new EventSink(clock)
  let level = false
  let raises = 0
  const ata = new AtaDisk(
    DATA,
    CONTROL,
    {
      set: (l) => {
        if (l && !level) raises++
        level = l
      },
      pulse: () => {},
    },
    sink,
    image ? new DiskImage(image) : null,
  )
  return {
    ata,
    sink,
    irq: () => level,
    raises: () => raises,
    out: (p: number, v: number) => ata.portOut(p, 1, v),
    inb: (p: number) => ata.portIn(p, 1),
    inw: () => ata.portIn(DATA, 2),
    outw: (v: number) => ata.portOut(DATA, 2, v),
  }
}

type Drive = ReturnType<typeof drive>

/** Task file for an LBA28 command on device 0, as a driver writes it. */
function issue(d: Drive, command: number, lba: number, count: number): void {
  d.out(DEVICE, 0xe0 | ((lba >>> 24) & 0x0f))
  d.out(NSECT, count & 0xff)
  d.out(LBA0, lba & 0xff)
  d.out(LBA1, (lba >>> 8) & 0xff)
  d.out(LBA2, (lba >>> 16) & 0xff)
  d.out(COMMAND, command)
}

function readBlock(d: Drive): Uint8Array {
  const b = new Uint8Array(SECTOR_SIZE)
  for (let i = 0; i < SECTOR_SIZE; i += 2) {
    const w = d.inw()
    b[i] = w & 0xff
    b[i + 1] = w >> 8
  }
  return b
}

function writeBlock(d: Drive, b: Uint8Array): void {
  for (let i = 0; i < SECTOR_SIZE; i += 2) d.outw(b[i] | (b[i + 1] << 8))
}

describe('ATA channel', () => {
  it('floats with no disk: every register reads all-ones', () => {
    const d = drive(null)
    expect(d.inb(STATUS)).toBe(0xff)
    expect(d.inb(CONTROL)).toBe(0xff)
    expect(d.inw()).toBe(0xffff)
    d.out(COMMAND, 0xec)
    expect(d.irq()).toBe(false)
  })

  it('powers up with the ATA signature and DRDY', () => {
    const d = drive(patternedDisk(4))
    expect(d.inb(STATUS)).toBe(0x50)
    expect([d.inb(ERROR), d.inb(NSECT), d.inb(LBA0), d.inb(LBA1), d.inb(LBA2)]).toEqual([1, 1, 1, 0, 0])
  })

  it('answers status 00h for the absent device 1 and ignores its commands', () => {
    const d = drive(patternedDisk(4))
    d.out(DEVICE, 0xb0)
    expect(d.inb(STATUS)).toBe(0)
    expect(d.inb(CONTROL)).toBe(0)
    d.out(COMMAND, 0xec)
    expect(d.raises()).toBe(0)
    d.out(DEVICE, 0xa0)
    expect(d.inb(STATUS)).toBe(0x50)
  })
})

describe('IDENTIFY DEVICE', () => {
  it('returns the words a driver reads, with an interrupt that a STATUS read clears', () => {
    const sectors = 20000
    const d = drive(patternedDisk(sectors))
    d.out(DEVICE, 0xa0)
    d.out(COMMAND, 0xec)
    expect(d.irq()).toBe(true)
    expect(d.inb(CONTROL)).toBe(0x58) // alternate status: DRDY DSC DRQ, interrupt untouched
    expect(d.irq()).toBe(true)
    expect(d.inb(STATUS)).toBe(0x58)
    expect(d.irq()).toBe(false)
    const raw = readBlock(d)
    const w = (i: number) => raw[2 * i] | (raw[2 * i + 1] << 8)
    const str = (from: number, words: number) => {
      let s = ''
      for (let i = from; i < from + words; i++) s += String.fromCharCode(w(i) >> 8, w(i) & 0xff)
      return s.trimEnd()
    }
    expect(w(0)).toBe(0x0040)
    expect(w(49) & 0x0200).toBe(0x0200) // LBA
    expect(w(60) | (w(61) << 16)).toBe(sectors)
    expect(w(1) * w(3) * w(6)).toBeLessThanOrEqual(sectors)
    expect(str(27, 20)).toBe('Ringside ATA disk')
    expect(str(10, 10)).toMatch(/^[ -~]+$/)
    expect(w(255) & 0xff).toBe(0xa5)
    expect(raw.reduce((a, b) => a + b, 0) % 256).toBe(0)
    expect(d.inb(STATUS)).toBe(0x50) // DRQ clear after the block
    expect(d.raises()).toBe(1)
  })
})

describe('READ SECTORS / WRITE SECTORS', () => {
  it('reads sectors with one interrupt per block, none after the last', () => {
    const image = patternedDisk(64)
    const d = drive(image)
    issue(d, 0x20, 5, 3)
    const got: Uint8Array[] = []
    for (let i = 0; i < 3; i++) {
      expect(d.irq()).toBe(true)
      expect(d.inb(STATUS)).toBe(0x58)
      expect(d.irq()).toBe(false)
      got.push(readBlock(d))
    }
    expect(d.irq()).toBe(false)
    expect(d.inb(STATUS)).toBe(0x50)
    expect(d.raises()).toBe(3)
    got.forEach((b, i) => expect(b).toEqual(image.subarray((5 + i) * 512, (6 + i) * 512)))
    // The task file points at the last sector moved; the count has run down.
    expect([d.inb(NSECT), d.inb(LBA0)]).toEqual([0, 7])
  })

  it('treats a sector count of 0 as 256', () => {
    const image = patternedDisk(300)
    const d = drive(image)
    issue(d, 0x20, 10, 0)
    let blocks = 0
    while (d.inb(STATUS) & 0x08) {
      expect(readBlock(d)).toEqual(image.subarray((10 + blocks) * 512, (11 + blocks) * 512))
      blocks++
    }
    expect(blocks).toBe(256)
  })

  it('writes sectors: DRQ without an interrupt first, then one after each block', () => {
    const image = patternedDisk(16)
    const d = drive(image)
    issue(d, 0x30, 3, 2)
    expect(d.irq()).toBe(false)
    expect(d.inb(STATUS)).toBe(0x58)
    const a = new Uint8Array(512).fill(0xaa)
    const b = new Uint8Array(512).fill(0xbb)
    writeBlock(d, a)
    expect(d.irq()).toBe(true)
    expect(d.inb(STATUS)).toBe(0x58) // ready for the second block
    writeBlock(d, b)
    expect(d.irq()).toBe(true)
    expect(d.inb(STATUS)).toBe(0x50)
    expect(image.subarray(3 * 512, 4 * 512)).toEqual(a)
    expect(image.subarray(4 * 512, 5 * 512)).toEqual(b)
    expect(image[5 * 512]).toBe(patternedDisk(16)[5 * 512])
    expect(d.sink.counts[EventKind.DiskIo]).toBe(1)
  })

  it('moves two words per 32-bit data access', () => {
    const image = patternedDisk(2)
    const d = drive(image)
    issue(d, 0x20, 1, 1)
    const v = d.ata.portIn(DATA, 4)
    expect(v).toBe((image[512] | (image[513] << 8) | (image[514] << 16) | (image[515] << 24)) >>> 0)
  })

  it('aborts an access beyond the last sector', () => {
    const d = drive(patternedDisk(8))
    issue(d, 0x20, 7, 2)
    expect(d.irq()).toBe(true)
    expect(d.inb(STATUS)).toBe(0x51)
    expect(d.inb(ERROR)).toBe(ATA_ABRT)
  })

  it('aborts an unsupported command (READ DMA)', () => {
    const d = drive(patternedDisk(8))
    issue(d, 0xc8, 0, 1)
    expect(d.inb(STATUS)).toBe(0x51)
    expect(d.inb(ERROR)).toBe(ATA_ABRT)
  })

  it('addresses CHS with the reported geometry when the LBA bit is clear', () => {
    const image = patternedDisk(2000)
    const d = drive(image)
    d.out(DEVICE, 0xa0 | 1) // head 1
    d.out(NSECT, 1)
    d.out(LBA0, 2) // sector 2
    d.out(LBA1, 1) // cylinder 1
    d.out(LBA2, 0)
    d.out(COMMAND, 0x20)
    const lba = (1 * 16 + 1) * 63 + 1
    expect(readBlock(d)).toEqual(image.subarray(lba * 512, (lba + 1) * 512))
    d.out(LBA0, 0) // sector numbers start at 1
    d.out(COMMAND, 0x20)
    expect(d.inb(STATUS)).toBe(0x51)
  })
})

describe('ATA device control', () => {
  it('keeps INTRQ off the line while nIEN is set', () => {
    const d = drive(patternedDisk(8))
    d.out(CONTROL, 0x02)
    issue(d, 0x20, 0, 1)
    expect(d.irq()).toBe(false)
    expect(d.inb(CONTROL)).toBe(0x58)
    d.out(CONTROL, 0x00)
    expect(d.irq()).toBe(true) // still pending
  })

  it('holds BSY during a software reset and restores the signature after it', () => {
    const d = drive(patternedDisk(8))
    issue(d, 0x20, 3, 2)
    d.out(CONTROL, 0x04)
    expect(d.inb(CONTROL)).toBe(0x80)
    expect(d.irq()).toBe(false)
    d.out(CONTROL, 0x00)
    expect(d.inb(STATUS)).toBe(0x50)
    expect([d.inb(ERROR), d.inb(NSECT), d.inb(LBA0), d.inb(LBA1), d.inb(LBA2)]).toEqual([1, 1, 1, 0, 0])
  })
})

describe('ATA snapshots', () => {
  it('continues a transfer identically after a save/load round trip', () => {
    const a = drive(patternedDisk(32))
    issue(a, 0x20, 4, 3)
    a.inb(STATUS)
    for (let i = 0; i < 100; i++) a.inw()
    const w = new StateWriter()
    a.ata.saveState(w)
    const b = drive(patternedDisk(32))
    b.ata.loadState(new StateReader(w.finish()))
    const rest = (d: Drive) => {
      const got: number[] = []
      for (let i = 0; i < 3 * 256 - 100; i++) got.push(d.inw(), d.irq() ? 1 : 0)
      return got.concat(d.inb(STATUS))
    }
    expect(rest(b)).toEqual(rest(a))
  })
})
