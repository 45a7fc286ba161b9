/**
 * The storage VSP: the root-side end of ringos's VMBus disk channel [R] (storvsc speaks SCSI over
 * VMBus; Ringside's channel carries plain sector requests, docs/hyperv-abi.md §6 "The storage
 * channel"). A request is a VM_PKT_DATA_USING_GPA_DIRECT packet: the guest-physical pages of the
 * buffer (`struct gpa_range`) and {u32 operation, u32 sector count, u64 first sector}; the VSP moves
 * the sectors between the VM's disk image and those pages, as the root's storage stack would by DMA,
 * and answers with a VM_PKT_COMP packet {u32 status, u32 sectors} carrying the request's
 * transaction id. The offer's user data holds the capacity in sectors [R].
 */
import { DiskImage, SECTOR_SIZE } from '../../machine/disk-image'
import type { DmaMemory } from '../../machine/memory'
import type { StateReader, StateWriter } from '../../snapshot'
import { guidBytes, type VmbusChannel, type VmbusServiceProvider } from './vmbus'
import { PACKET_DESCRIPTOR_BYTES, VmbusPacketType, packetFootprint, type RingPacket } from './vmbus-ring'

export const STORAGE_TYPE_GUID = '5249474e-0002-4e43-8e4f-52494e47534f'
export const STORAGE_INSTANCE_GUID = '5249474e-1002-4e43-8e4f-52494e47534f'
/** Request operations and completion statuses [R]. */
export const StorageOp = { read: 1, write: 2 } as const
export const StorageStatus = { ok: 0, malformed: 1, outOfRange: 2, badBuffer: 3 } as const
/** Sectors per request [R]. */
export const STORAGE_MAX_SECTORS = 64

const COMPLETION_BYTES = 8
const PAGE = 0x1000

interface Request {
  readonly op: number
  readonly lba: number
  readonly sectors: number
  readonly byteOffset: number
  readonly pfns: readonly number[]
}

function u64(v: DataView, at: number): number {
  return v.getUint32(at + 4, true) * 0x1_0000_0000 + v.getUint32(at, true)
}

/** Parses a request packet, or returns null when it is not one the VSP understands. */
function parseRequest(p: RingPacket): Request | null {
  if (p.type !== VmbusPacketType.dataUsingGpaDirect) return null
  const v = new DataView(p.bytes.buffer)
  const req = p.offset8 * 8
  const range = PACKET_DESCRIPTOR_BYTES + 8 // after {u32 reserved, u32 range count}
  if (range + 8 > req || req + 16 > p.bytes.length || v.getUint32(PACKET_DESCRIPTOR_BYTES + 4, true) !== 1)
    return null
  const byteCount = v.getUint32(range, true)
  const byteOffset = v.getUint32(range + 4, true)
  const op = v.getUint32(req, true)
  const sectors = v.getUint32(req + 4, true)
  if (op !== StorageOp.read && op !== StorageOp.write) return null
  if (
    sectors < 1 ||
    sectors > STORAGE_MAX_SECTORS ||
    byteCount !== sectors * SECTOR_SIZE ||
    byteOffset >= PAGE
  )
    return null
  const count = Math.ceil((byteOffset + byteCount) / PAGE)
  if (range + 8 + count * 8 > req) return null
  const pfns = Array.from({ length: count }, (_, i) => u64(v, range + 8 + i * 8))
  return { op, lba: u64(v, req + 8), sectors, byteOffset, pfns }
}

export class VmbusStorage implements VmbusServiceProvider {
  readonly device = 'storage'
  readonly typeGuid = guidBytes(STORAGE_TYPE_GUID)
  readonly instanceGuid = guidBytes(STORAGE_INSTANCE_GUID)
  private readonly disk: DiskImage | null

  constructor(
    private readonly mem: DmaMemory,
    disk: Uint8Array | null,
  ) {
    this.disk = disk ? new DiskImage(disk) : null
  }

  userData(): Uint8Array {
    const d = new Uint8Array(120)
    const sectors = this.disk?.sectors ?? 0
    const v = new DataView(d.buffer)
    v.setUint32(0, sectors % 0x1_0000_0000, true)
    v.setUint32(4, Math.floor(sectors / 0x1_0000_0000), true)
    return d
  }

  /**
   * Serves every request in the ring, in order, as long as the inbound ring has room for its
   * completion (otherwise it waits with pending_send_sz set); one signal for the whole batch.
   */
  service(ch: VmbusChannel): void {
    const need = packetFootprint(COMPLETION_BYTES)
    ch.send((inbound) => {
      ch.drain((p) => {
        const free = inbound.free()
        if (free === null || free <= need) {
          inbound.pendingSendSize = need + 1
          return false
        }
        inbound.pendingSendSize = 0
        const [status, sectors] = this.perform(ch, p)
        const data = new Uint8Array(COMPLETION_BYTES)
        const v = new DataView(data.buffer)
        v.setUint32(0, status, true)
        v.setUint32(4, sectors, true)
        inbound.write(VmbusPacketType.completion, 0, p.transLo, p.transHi, data)
        return true
      })
    })
  }

  /** Carries out one request; returns its status and the sectors transferred. */
  private perform(ch: VmbusChannel, p: RingPacket): [number, number] {
    const r = parseRequest(p)
    const report = (
      op: 'read' | 'write' | 'invalid',
      lba: number,
      sectors: number,
      status: number,
    ): [number, number] => {
      ch.notify({ kind: 'disk', relid: ch.relid, op, lba, sectors, status })
      return [status, status === StorageStatus.ok ? sectors : 0]
    }
    if (r === null) return report('invalid', 0, 0, StorageStatus.malformed)
    const op = r.op === StorageOp.read ? 'read' : 'write'
    if (!this.disk || !this.disk.contains(r.lba, r.sectors))
      return report(op, r.lba, r.sectors, StorageStatus.outOfRange)
    if (r.pfns.some((pfn) => (pfn + 1) * PAGE > this.mem.size))
      return report(op, r.lba, r.sectors, StorageStatus.badBuffer)
    const sectorBytes = this.disk.view(r.lba, r.sectors)
    let done = 0
    r.pfns.forEach((pfn, i) => {
      const start = i === 0 ? r.byteOffset : 0
      const n = Math.min(PAGE - start, sectorBytes.length - done)
      const gpa = pfn * PAGE + start
      if (op === 'read') this.mem.writeBytes(gpa, sectorBytes.subarray(done, done + n))
      else sectorBytes.set(this.mem.readBytes(gpa, n), done)
      done += n
    })
    return report(op, r.lba, r.sectors, StorageStatus.ok)
  }

  saveState(_w: StateWriter): void {
    // No state of its own: requests are served when signalled; the disk is the VM's.
  }

  loadState(_r: StateReader): void {}
}
