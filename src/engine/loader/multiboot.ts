/**
 * Multiboot 0.6.96 (the GNU Multiboot Specification): finding the header in a kernel image (§3.1)
 * and building the boot information structure a loader passes in EBX (§3.3). Ringside boots guests
 * the way GRUB and `qemu-system-i386 -kernel` do, so the same kernel runs in both.
 */
import type { DmaMemory } from '../machine/memory'
import { utf8Encode } from '../util/utf8'
import { ImageError } from './image-error'

export const MULTIBOOT_HEADER_MAGIC = 0x1badb002
/** Header flag bit 16: the address fields are valid (a.out kludge, used by non-ELF images). */
const MB_FLAG_ADDRESSES = 1 << 16
/** The header must lie in the first 8192 bytes, 32-bit aligned (§3.1.1). */
const SEARCH_LIMIT = 8192

export interface MultibootHeader {
  /** Offset of the header in the file. */
  readonly offset: number
  readonly flags: number
  /** Address fields (valid when flags bit 16 is set). */
  readonly headerAddr: number
  readonly loadAddr: number
  readonly loadEndAddr: number
  readonly bssEndAddr: number
  readonly entryAddr: number
}

export function findMultibootHeader(bytes: Uint8Array): MultibootHeader | null {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const end = Math.min(bytes.length, SEARCH_LIMIT) - 12
  for (let o = 0; o <= end; o += 4) {
    if (v.getUint32(o, true) !== MULTIBOOT_HEADER_MAGIC) continue
    const flags = v.getUint32(o + 4, true)
    const checksum = v.getUint32(o + 8, true)
    if ((MULTIBOOT_HEADER_MAGIC + flags + checksum) >>> 0 !== 0) continue
    const addr = (k: number): number =>
      o + 12 + 4 * k + 4 <= bytes.length ? v.getUint32(o + 12 + 4 * k, true) : 0
    return {
      offset: o,
      flags,
      headerAddr: addr(0),
      loadAddr: addr(1),
      loadEndAddr: addr(2),
      bssEndAddr: addr(3),
      entryAddr: addr(4),
    }
  }
  return null
}

export function usesAddressFields(h: MultibootHeader): boolean {
  return (h.flags & MB_FLAG_ADDRESSES) !== 0
}

/** Boot information flags (§3.3). */
const MBI_MEMORY = 1 << 0
const MBI_CMDLINE = 1 << 2
const MBI_LOADER_NAME = 1 << 9
export const LOADER_NAME = 'Ringside'

/**
 * Writes the multiboot information structure (mem_lower/mem_upper, command line, boot loader name)
 * at `at` and returns its address. mem_lower is the conventional 640 KiB; mem_upper is the RAM above
 * 1 MiB in KiB (§3.3 "mem_upper"). Multiboot has no field for the machine's platform, so a known
 * platform rides in the boot loader name: "Ringside platform=virtio" (Ringside's convention; ringos
 * checks it against the platform it was built for).
 */
export function writeMultibootInfo(mem: DmaMemory, at: number, cmdline: string, platform?: string): number {
  const info = new Uint8Array(88)
  const v = new DataView(info.buffer)
  const cmd = utf8Encode(cmdline)
  const name = utf8Encode(platform === undefined ? LOADER_NAME : `${LOADER_NAME} platform=${platform}`)
  const cmdAt = at + info.length
  const nameAt = cmdAt + cmd.length + 1
  if (nameAt + name.length + 1 > mem.size) throw new ImageError('no room for the multiboot information')
  v.setUint32(0, MBI_MEMORY | MBI_CMDLINE | MBI_LOADER_NAME, true)
  v.setUint32(4, 640, true)
  v.setUint32(8, Math.max(0, (mem.size - 0x100000) >>> 10), true)
  v.setUint32(16, cmdAt, true)
  v.setUint32(64, nameAt, true)
  mem.writeBytes(at, info)
  mem.writeBytes(cmdAt, Uint8Array.of(...cmd, 0))
  mem.writeBytes(nameAt, Uint8Array.of(...name, 0))
  return at
}
