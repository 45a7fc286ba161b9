/**
 * Loads a guest image into physical memory the way a multiboot boot loader would:
 * - an ELF32 executable by its program headers (at their physical addresses), entered at e_entry;
 * - a flat binary with a multiboot header whose address fields are valid, at the header's addresses;
 * - any other flat binary at the load address (default 1 MiB), entered at the entry (default: the
 *   load address).
 * When the image carries a multiboot header, the multiboot information structure is built and the
 * entry state gets EAX = 0x2BADB002 and EBX = its address (Multiboot 0.6.96 §3.2).
 */
import type { DmaMemory } from '../machine/memory'
import { MULTIBOOT_BOOTLOADER_MAGIC, PcLayout } from '../machine/layout'
import { isElf, parseElf32 } from './elf32'
import { ImageError } from './image-error'
import { findMultibootHeader, usesAddressFields, writeMultibootInfo } from './multiboot'

export interface LoadOptions {
  /** Where a flat binary goes (default 0x100000). Ignored for ELF and multiboot address fields. */
  readonly loadAddr?: number
  /** Entry point override (default: e_entry, the multiboot entry_addr, or the load address). */
  readonly entry?: number
  /** Multiboot command line (default empty). */
  readonly cmdline?: string
  /** The machine's platform, passed in the multiboot boot loader name (see writeMultibootInfo). */
  readonly platform?: string
}

export interface LoadedImage {
  readonly format: 'elf' | 'flat'
  readonly multiboot: boolean
  readonly entry: number
  /** Register values at entry (EAX = multiboot magic and EBX = info address, or 0). */
  readonly eax: number
  readonly ebx: number
  /** Lowest and highest-plus-one physical addresses the image occupies. */
  readonly start: number
  readonly end: number
}

/** Preferred place for the multiboot information: conventional memory, as GRUB uses. */
const MBI_ADDR = 0x9000

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`
}

function place(mem: DmaMemory, addr: number, data: Uint8Array, memSize: number): void {
  if (addr < 0 || addr + memSize > mem.size) {
    throw new ImageError(
      `image part at ${hex(addr)} (${memSize} bytes) does not fit in ${mem.size >>> 20} MiB of RAM`,
    )
  }
  mem.writeBytes(addr, data)
  if (memSize > data.length) mem.writeBytes(addr + data.length, new Uint8Array(memSize - data.length))
}

export function loadImage(mem: DmaMemory, bytes: Uint8Array, opts: LoadOptions = {}): LoadedImage {
  if (bytes.length === 0) throw new ImageError('image is empty')
  const mb = findMultibootHeader(bytes)
  let entry: number
  let start = Infinity
  let end = 0
  let format: 'elf' | 'flat'
  if (isElf(bytes)) {
    format = 'elf'
    const elf = parseElf32(bytes)
    for (const s of elf.segments) {
      place(mem, s.paddr, bytes.subarray(s.offset, s.offset + s.fileSize), s.memSize)
      start = Math.min(start, s.paddr)
      end = Math.max(end, s.paddr + s.memSize)
    }
    entry = opts.entry ?? elf.entry
  } else if (mb && usesAddressFields(mb)) {
    format = 'flat'
    // Multiboot §3.1.3: the file offset of load_addr is header_offset − (header_addr − load_addr).
    const fileStart = mb.offset - (mb.headerAddr - mb.loadAddr)
    const loadEnd = mb.loadEndAddr === 0 ? mb.loadAddr + (bytes.length - fileStart) : mb.loadEndAddr
    const bssEnd = Math.max(mb.bssEndAddr, loadEnd)
    if (fileStart < 0 || loadEnd < mb.loadAddr || fileStart + (loadEnd - mb.loadAddr) > bytes.length) {
      throw new ImageError('multiboot header address fields do not match the file')
    }
    place(
      mem,
      mb.loadAddr,
      bytes.subarray(fileStart, fileStart + (loadEnd - mb.loadAddr)),
      bssEnd - mb.loadAddr,
    )
    start = mb.loadAddr
    end = bssEnd
    entry = opts.entry ?? mb.entryAddr
  } else {
    format = 'flat'
    const at = opts.loadAddr ?? PcLayout.defaultLoadAddr
    place(mem, at, bytes, bytes.length)
    start = at
    end = at + bytes.length
    entry = opts.entry ?? at
  }
  let eax = 0
  let ebx = 0
  if (mb) {
    const cmd = opts.cmdline ?? ''
    const need = 88 + cmd.length * 4 + 48
    let at = MBI_ADDR
    if (at < end && at + need > start) at = (end + 0xfff) & ~0xfff
    ebx = writeMultibootInfo(mem, at, cmd, opts.platform)
    eax = MULTIBOOT_BOOTLOADER_MAGIC
  }
  return { format, multiboot: mb !== null, entry: entry >>> 0, eax, ebx, start, end }
}
