/**
 * An ATA disk on the primary IDE channel, PIO only, as specified by ATA/ATAPI-6 (T13 1410D): the
 * command block registers (clause 7, "Register descriptions") at 0x1f0–0x1f7, the control block
 * (Device Control, Alternate Status) at 0x3f6, INTRQ on ISA IRQ14, and the PIO data-in and PIO
 * data-out protocols (clause 9, "Protocol"). Device 0 (master) only; device 1 is absent. With no
 * image the channel is empty and floats: every register reads all-ones.
 *
 * Commands (clause 8): IDENTIFY DEVICE, READ SECTORS, WRITE SECTORS, READ VERIFY SECTORS, FLUSH CACHE,
 * SET FEATURES, INITIALIZE DEVICE PARAMETERS, EXECUTE DEVICE DIAGNOSTIC, CHECK POWER MODE, IDLE and
 * STANDBY IMMEDIATE; anything else is aborted. Every command completes instantly (BSY is never seen outside a software reset) [R].
 */

import type { StateReader, StateWriter, Snapshottable } from '../snapshot'
import { EventKind } from '../trace/schema'
import type { EventSink } from '../trace/sink'
import type { AccessSize, PortDevice } from './bus'
import { SECTOR_SIZE, type DiskImage } from './disk-image'
import type { IrqLine } from './irq'

/**
 * Status register bits (clause 7, "Status register"). DSC (bit 4) is obsolete in ATA-6 but still
 * reported set, as drives do; DF (device fault, bit 5) is never set by this model.
 */
export const ATA_BSY = 0x80
export const ATA_DRDY = 0x40
export const ATA_DSC = 0x10
export const ATA_DRQ = 0x08
export const ATA_ERR = 0x01
/** Error register: command aborted. */
export const ATA_ABRT = 0x04

const DEV_DEV1 = 0x10
const DEV_LBA = 0x40
const CTL_NIEN = 0x02
const CTL_SRST = 0x04

/** Default CHS translation reported in IDENTIFY words 1, 3, 6 and used for CHS addressing [R]. */
const HEADS = 16
const SECTORS_PER_TRACK = 63
const LBA28_LIMIT = 0x0fffffff

const MODEL = 'Ringside ATA disk'
const SERIAL = 'RINGSIDE-0001'
const FIRMWARE = '1.0'

const enum Xfer {
  None = 0,
  Read = 1,
  Write = 2,
  Identify = 3,
}

/** Command codes (ATA/ATAPI-6 Annex, command codes table). */
const Cmd = {
  readSectors: 0x20,
  readSectorsNoRetry: 0x21,
  writeSectors: 0x30,
  writeSectorsNoRetry: 0x31,
  readVerify: 0x40,
  readVerifyNoRetry: 0x41,
  executeDiagnostic: 0x90,
  initializeParams: 0x91,
  standbyImmediate: 0xe0,
  idleImmediate: 0xe1,
  checkPowerMode: 0xe5,
  flushCache: 0xe7,
  identify: 0xec,
  setFeatures: 0xef,
} as const

/** Puts an ATA string into IDENTIFY words: space-padded, two characters per word, first in the high byte. */
function putString(buf: Uint8Array, word: number, words: number, s: string): void {
  const padded = s.padEnd(words * 2, ' ')
  for (let i = 0; i < words * 2; i += 2) {
    buf[word * 2 + i] = padded.charCodeAt(i + 1)
    buf[word * 2 + i + 1] = padded.charCodeAt(i)
  }
}

/** The PIO ATA device on one channel. */
export class AtaDisk implements PortDevice, Snapshottable {
  readonly name = 'ata'
  private error = 1
  private features = 0
  private nsect = 1
  private lbaLow = 1
  private lbaMid = 0
  private lbaHigh = 0
  private device = 0
  private status = ATA_DRDY | ATA_DSC
  private control = 0
  private intrq = false
  private irqLevel = false
  private readonly buf = new Uint8Array(SECTOR_SIZE)
  private pos = 0
  private xfer: Xfer = Xfer.None
  private lba = 0
  private left = 0

  constructor(
    private readonly commandBase: number,
    private readonly controlPort: number,
    private readonly irq: IrqLine,
    private readonly sink: EventSink | null,
    readonly disk: DiskImage | null,
  ) {}

  private get dev1(): boolean {
    return (this.device & DEV_DEV1) !== 0
  }

  /** INTRQ reaches the ISA line while pending, enabled (nIEN = 0) and device 0 is selected (the device drives INTRQ only when selected). */
  private updateIrq(): void {
    const level = this.intrq && !(this.control & CTL_NIEN) && !this.dev1
    if (level !== this.irqLevel) {
      this.irqLevel = level
      this.irq.set(level)
    }
  }

  private raise(): void {
    this.intrq = true
    this.updateIrq()
  }

  portIn(port: number, size: AccessSize): number {
    if (!this.disk) return size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff
    if (port === this.commandBase) {
      if (size === 4) return (this.readData() | (this.readData() << 16)) >>> 0
      const w = this.readData()
      return size === 2 ? w : w & 0xff // an 8-bit access still moves one word [R]
    }
    let v = 0
    for (let i = 0; i < size; i++) v |= this.readReg(port + i) << (8 * i)
    return v >>> 0
  }

  portOut(port: number, size: AccessSize, value: number): void {
    if (!this.disk) return
    if (port === this.commandBase) {
      this.writeData(value & 0xffff)
      if (size === 4) this.writeData(value >>> 16)
      return
    }
    for (let i = 0; i < size; i++) this.writeReg(port + i, (value >>> (8 * i)) & 0xff)
  }

  private readReg(port: number): number {
    if (port === this.controlPort) return this.dev1 ? 0 : this.status // alternate status: no side effect
    switch (port - this.commandBase) {
      case 1:
        return this.error
      case 2:
        return this.nsect
      case 3:
        return this.lbaLow
      case 4:
        return this.lbaMid
      case 5:
        return this.lbaHigh
      case 6:
        return this.device
      case 7:
        // Device 0 answers status reads for an absent device 1 with 00h. Reading STATUS
        // (not alternate status) clears a pending interrupt.
        if (this.dev1) return 0
        this.intrq = false
        this.updateIrq()
        return this.status
      default:
        return 0xff
    }
  }

  private writeReg(port: number, v: number): void {
    if (port === this.controlPort) {
      this.writeControl(v)
      return
    }
    if (this.control & CTL_SRST) return // registers are not writable during a software reset
    switch (port - this.commandBase) {
      case 1:
        this.features = v
        return
      case 2:
        this.nsect = v
        return
      case 3:
        this.lbaLow = v
        return
      case 4:
        this.lbaMid = v
        return
      case 5:
        this.lbaHigh = v
        return
      case 6:
        this.device = v
        this.updateIrq()
        return
      case 7:
        this.command(v)
        return
      default:
        return
    }
  }

  /** Device Control: SRST high holds the device in reset (BSY); its falling edge completes the reset. */
  private writeControl(v: number): void {
    const wasReset = (this.control & CTL_SRST) !== 0
    this.control = v
    if (v & CTL_SRST) {
      this.status = ATA_BSY
      this.xfer = Xfer.None
      this.intrq = false
    } else if (wasReset) {
      this.setSignature()
      this.status = ATA_DRDY | ATA_DSC
    }
    this.updateIrq()
  }

  /** The ATA signature and diagnostic code left after reset or EXECUTE DEVICE DIAGNOSTIC (clause 9, "Signature and persistence"). */
  private setSignature(): void {
    this.nsect = 1
    this.lbaLow = 1
    this.lbaMid = 0
    this.lbaHigh = 0
    this.device = 0
    this.error = 1 // device 0 passed, device 1 not present
  }

  /** The sector address in the task file: LBA28 when the device register's LBA bit is set, else CHS. */
  private address(): number {
    if (this.device & DEV_LBA) {
      return ((this.device & 0xf) << 24) | (this.lbaHigh << 16) | (this.lbaMid << 8) | this.lbaLow
    }
    const cyl = (this.lbaHigh << 8) | this.lbaMid
    if (this.lbaLow === 0) return -1 // sector numbers start at 1
    return (cyl * HEADS + (this.device & 0xf)) * SECTORS_PER_TRACK + this.lbaLow - 1
  }

  private setAddress(lba: number): void {
    if (this.device & DEV_LBA) {
      this.lbaLow = lba & 0xff
      this.lbaMid = (lba >>> 8) & 0xff
      this.lbaHigh = (lba >>> 16) & 0xff
      this.device = (this.device & 0xf0) | ((lba >>> 24) & 0xf)
      return
    }
    const cyl = Math.floor(lba / (HEADS * SECTORS_PER_TRACK))
    const rest = lba % (HEADS * SECTORS_PER_TRACK)
    this.lbaLow = (rest % SECTORS_PER_TRACK) + 1
    this.lbaMid = cyl & 0xff
    this.lbaHigh = (cyl >> 8) & 0xff
    this.device = (this.device & 0xf0) | Math.floor(rest / SECTORS_PER_TRACK)
  }

  private get capacity(): number {
    return Math.min(this.disk?.sectors ?? 0, LBA28_LIMIT)
  }

  private complete(): void {
    this.status = ATA_DRDY | ATA_DSC
    this.xfer = Xfer.None
    this.raise()
  }

  private abort(): void {
    this.error = ATA_ABRT
    this.status = ATA_DRDY | ATA_DSC | ATA_ERR
    this.xfer = Xfer.None
    this.raise()
  }

  /** A write to the Command register. Commands for the absent device 1 are ignored. */
  private command(cmd: number): void {
    if (this.dev1) return
    this.intrq = false // writing the Command register negates INTRQ
    this.updateIrq()
    this.error = 0
    switch (cmd) {
      case Cmd.identify:
        this.identify()
        this.startDataIn(Xfer.Identify)
        return
      case Cmd.readSectors:
      case Cmd.readSectorsNoRetry:
      case Cmd.writeSectors:
      case Cmd.writeSectorsNoRetry:
      case Cmd.readVerify:
      case Cmd.readVerifyNoRetry:
        this.readWrite(cmd)
        return
      case Cmd.executeDiagnostic:
        this.setSignature()
        this.complete()
        return
      case Cmd.checkPowerMode:
        this.nsect = 0xff // active or idle
        this.complete()
        return
      case Cmd.initializeParams: // CHS translation stays the default geometry [R]
      case Cmd.setFeatures:
      case Cmd.flushCache:
      case Cmd.idleImmediate:
      case Cmd.standbyImmediate:
        this.complete()
        return
      default:
        this.abort()
    }
  }

  /**
   * READ/WRITE/VERIFY SECTORS: sector count 0 means 256. An address beyond the capacity is aborted
   * (ATA-6, READ SECTORS error outputs, allows ABRT or IDNF for it; QEMU's IDE model reports ABRT too).
   */
  private readWrite(cmd: number): void {
    const lba = this.address()
    const count = this.nsect === 0 ? 256 : this.nsect
    if (lba < 0 || lba + count > this.capacity) {
      this.abort()
      return
    }
    this.lba = lba
    this.left = count
    if (cmd === Cmd.readVerify || cmd === Cmd.readVerifyNoRetry) {
      this.setAddress(lba + count - 1)
      this.nsect = 0
      this.complete()
      return
    }
    const write = cmd === Cmd.writeSectors || cmd === Cmd.writeSectorsNoRetry
    this.sink?.emit(EventKind.DiskIo, write ? 1 : 0, lba, count, 0)
    if (write) {
      // PIO data-out: DRQ for the first block without an interrupt; the host polls for it.
      this.xfer = Xfer.Write
      this.pos = 0
      this.status = ATA_DRDY | ATA_DSC | ATA_DRQ
      return
    }
    this.loadSector()
    this.startDataIn(Xfer.Read)
  }

  /** PIO data-in: the block is ready, DRQ is set and INTRQ asserted. */
  private startDataIn(kind: Xfer): void {
    this.xfer = kind
    this.pos = 0
    this.status = ATA_DRDY | ATA_DSC | ATA_DRQ
    this.raise()
  }

  private loadSector(): void {
    this.buf.set((this.disk as DiskImage).view(this.lba, 1))
  }

  private readData(): number {
    if (this.xfer !== Xfer.Read && this.xfer !== Xfer.Identify) return 0
    const w = this.buf[this.pos] | (this.buf[this.pos + 1] << 8)
    this.pos += 2
    if (this.pos === SECTOR_SIZE) this.dataInBlockDone()
    return w
  }

  private dataInBlockDone(): void {
    if (this.xfer === Xfer.Identify) {
      this.status = ATA_DRDY | ATA_DSC
      this.xfer = Xfer.None
      return
    }
    this.sectorDone()
    if (this.left > 0) {
      this.loadSector()
      this.startDataIn(Xfer.Read)
    } else {
      this.status = ATA_DRDY | ATA_DSC // the last block: no interrupt after it is read
      this.xfer = Xfer.None
    }
  }

  private writeData(w: number): void {
    if (this.xfer !== Xfer.Write) return
    this.buf[this.pos] = w & 0xff
    this.buf[this.pos + 1] = w >>> 8
    this.pos += 2
    if (this.pos < SECTOR_SIZE) return
    ;(this.disk as DiskImage).write(this.lba, this.buf)
    this.sectorDone()
    if (this.left > 0) {
      this.pos = 0
      this.status = ATA_DRDY | ATA_DSC | ATA_DRQ
      this.raise()
    } else {
      this.complete()
    }
  }

  /** After each sector the task file tracks progress: count down, address of the last sector moved. */
  private sectorDone(): void {
    this.setAddress(this.lba)
    this.lba++
    this.left--
    this.nsect = (this.nsect - 1) & 0xff
  }

  /** IDENTIFY DEVICE data (clause 8, IDENTIFY DEVICE, its table of words): the words drivers read. */
  private identify(): void {
    const b = this.buf
    b.fill(0)
    const sectors = this.capacity
    const cyls = Math.max(1, Math.min(16383, Math.floor(sectors / (HEADS * SECTORS_PER_TRACK))))
    const chsSectors = cyls * HEADS * SECTORS_PER_TRACK
    const words: [number, number][] = [
      [0, 0x0040], // fixed device, not removable
      [1, cyls],
      [3, HEADS],
      [6, SECTORS_PER_TRACK],
      [47, 0x8000], // READ/WRITE MULTIPLE not supported
      [49, 0x0200], // LBA supported, no DMA
      [50, 0x4000],
      [51, 0x0200], // PIO mode 2 timing (obsolete word)
      [53, 0x0003], // words 54–58 and 64–70 valid
      [54, cyls],
      [55, HEADS],
      [56, SECTORS_PER_TRACK],
      [57, chsSectors & 0xffff],
      [58, chsSectors >>> 16],
      [60, sectors & 0xffff], // total user-addressable LBA28 sectors
      [61, sectors >>> 16],
      [64, 0x0003], // PIO modes 3 and 4
      [65, 120],
      [66, 120],
      [67, 120],
      [68, 120],
      [80, 0x007e], // ATA-1 … ATA-6
      [83, 0x5000], // FLUSH CACHE supported; bit 14 shall be one
      [84, 0x4000],
      [86, 0x1000], // FLUSH CACHE enabled
      [87, 0x4000],
    ]
    for (const [i, v] of words) {
      b[i * 2] = v & 0xff
      b[i * 2 + 1] = v >>> 8
    }
    putString(b, 10, 10, SERIAL)
    putString(b, 23, 4, FIRMWARE)
    putString(b, 27, 20, MODEL)
    // Word 255: signature A5h and a checksum making all 512 bytes sum to 0 mod 256 (integrity word).
    b[510] = 0xa5
    let sum = 0
    for (let i = 0; i < 511; i++) sum += b[i]
    b[511] = -sum & 0xff
  }

  saveState(w: StateWriter): void {
    w.section('ata')
    for (const v of [this.error, this.features, this.nsect, this.lbaLow, this.lbaMid, this.lbaHigh]) w.u8(v)
    for (const v of [this.device, this.status, this.control, this.xfer]) w.u8(v)
    w.bool(this.intrq)
    w.bool(this.irqLevel)
    w.u32(this.pos)
    w.u32(this.lba)
    w.u32(this.left)
    w.bytes(this.buf)
  }

  loadState(r: StateReader): void {
    r.section('ata')
    this.error = r.u8()
    this.features = r.u8()
    this.nsect = r.u8()
    this.lbaLow = r.u8()
    this.lbaMid = r.u8()
    this.lbaHigh = r.u8()
    this.device = r.u8()
    this.status = r.u8()
    this.control = r.u8()
    this.xfer = r.u8() as Xfer
    this.intrq = r.bool()
    this.irqLevel = r.bool()
    this.pos = r.u32()
    this.lba = r.u32()
    this.left = r.u32()
    this.buf.set(r.bytes())
  }
}
