/**
 * ELF32 executables for IA-32 (System V ABI, "ELF" chapter 4 and the Intel386 supplement): the file
 * header and the program headers a loader needs. Anything malformed is reported as an
 * {@link ImageError}, never as a crash.
 */
import { ImageError } from './image-error'

export const ELF_MAGIC = 0x464c457f // "\x7fELF"
const ELFCLASS32 = 1
const ELFDATA2LSB = 1
const ET_EXEC = 2
const EM_386 = 3
const PT_LOAD = 1

/** A PT_LOAD segment: `fileSize` bytes from the file, zero-filled to `memSize` (the .bss). */
export interface ElfSegment {
  readonly paddr: number
  readonly vaddr: number
  readonly offset: number
  readonly fileSize: number
  readonly memSize: number
}

export interface Elf32 {
  readonly entry: number
  readonly segments: readonly ElfSegment[]
}

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true) === ELF_MAGIC
}

/** Parses an ELF32 little-endian i386 executable. */
export function parseElf32(bytes: Uint8Array): Elf32 {
  if (bytes.length < 52) throw new ImageError('ELF file is shorter than its 52-byte header')
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (v.getUint32(0, true) !== ELF_MAGIC) throw new ImageError('not an ELF file')
  if (bytes[4] !== ELFCLASS32) throw new ImageError('ELF file is not 32-bit (EI_CLASS)')
  if (bytes[5] !== ELFDATA2LSB) throw new ImageError('ELF file is not little-endian (EI_DATA)')
  if (v.getUint16(16, true) !== ET_EXEC)
    throw new ImageError('ELF file is not an executable (e_type is not ET_EXEC)')
  if (v.getUint16(18, true) !== EM_386)
    throw new ImageError('ELF file is not for i386 (e_machine is not EM_386)')
  const entry = v.getUint32(24, true)
  const phoff = v.getUint32(28, true)
  const phentsize = v.getUint16(42, true)
  const phnum = v.getUint16(44, true)
  if (phnum === 0) throw new ImageError('ELF file has no program headers')
  if (phentsize < 32) throw new ImageError(`ELF program header size ${phentsize} is too small`)
  if (phoff + phnum * phentsize > bytes.length)
    throw new ImageError('ELF program headers lie outside the file')
  const segments: ElfSegment[] = []
  for (let k = 0; k < phnum; k++) {
    const o = phoff + k * phentsize
    if (v.getUint32(o, true) !== PT_LOAD) continue
    const seg: ElfSegment = {
      offset: v.getUint32(o + 4, true),
      vaddr: v.getUint32(o + 8, true),
      paddr: v.getUint32(o + 12, true),
      fileSize: v.getUint32(o + 16, true),
      memSize: v.getUint32(o + 20, true),
    }
    if (seg.offset + seg.fileSize > bytes.length)
      throw new ImageError(`ELF segment ${k} lies outside the file`)
    if (seg.fileSize > seg.memSize)
      throw new ImageError(`ELF segment ${k} has a file size larger than its memory size`)
    segments.push(seg)
  }
  if (segments.length === 0) throw new ImageError('ELF file has no loadable (PT_LOAD) segment')
  return { entry, segments }
}
