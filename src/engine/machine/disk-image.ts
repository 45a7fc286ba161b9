/**
 * An in-memory disk: the bytes of a raw image, addressed in 512-byte logical sectors (the sector size of
 * both ATA, ATA/ATAPI-6 §6.2, and virtio-blk, virtio 1.1 §5.2.4). The ATA and virtio-blk models share
 * one image; guest writes modify it in place. A trailing partial sector is not addressable.
 */
export const SECTOR_SIZE = 512

export class DiskImage {
  /** Whole sectors in the image. */
  readonly sectors: number

  constructor(readonly bytes: Uint8Array) {
    this.sectors = Math.floor(bytes.length / SECTOR_SIZE)
  }

  /** True if sectors `lba` … `lba + count − 1` all exist. */
  contains(lba: number, count: number): boolean {
    return lba >= 0 && count >= 0 && lba + count <= this.sectors
  }

  /** A view of `count` sectors from `lba` (the caller checks {@link contains}). */
  view(lba: number, count: number): Uint8Array {
    return this.bytes.subarray(lba * SECTOR_SIZE, (lba + count) * SECTOR_SIZE)
  }

  /** Writes `data` (a whole number of sectors) at `lba` (the caller checks {@link contains}). */
  write(lba: number, data: Uint8Array): void {
    this.bytes.set(data, lba * SECTOR_SIZE)
  }
}
