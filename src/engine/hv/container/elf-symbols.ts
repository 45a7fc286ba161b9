/**
 * Finds a symbol's address in an ELF32 image's symbol table (System V gABI, "Sections" and "Symbol
 * Table"; the ringos kernel keeps its symbols when debug information is stripped). The image is
 * untrusted input: anything out of bounds or malformed gives null, never an exception.
 */
import { utf8Encode } from '../../util/utf8'

const SHT_SYMTAB = 2
const SECTION_HEADER_BYTES = 40
const SYMBOL_BYTES = 16

export function elfSymbol(image: Uint8Array, name: string): number | null {
  const v = new DataView(image.buffer, image.byteOffset, image.byteLength)
  const u32 = (at: number): number | null =>
    at >= 0 && at + 4 <= image.length ? v.getUint32(at, true) : null
  const u16 = (at: number): number | null =>
    at >= 0 && at + 2 <= image.length ? v.getUint16(at, true) : null
  if (u32(0) !== 0x464c457f || image[4] !== 1) return null
  const shoff = u32(0x20)
  const shnum = u16(0x30)
  if (shoff === null || shnum === null) return null
  const want = utf8Encode(name)
  for (let k = 0; k < shnum; k++) {
    const sh = shoff + k * SECTION_HEADER_BYTES
    if (u32(sh + 4) !== SHT_SYMTAB) continue
    const off = u32(sh + 0x10)
    const size = u32(sh + 0x14)
    const link = u32(sh + 0x18)
    if (off === null || size === null || link === null) return null
    const strtab = u32(shoff + link * SECTION_HEADER_BYTES + 0x10)
    if (strtab === null) return null
    for (let s = off; s + SYMBOL_BYTES <= off + size; s += SYMBOL_BYTES) {
      const at = strtab + (u32(s) ?? -1)
      if (at < strtab || at + want.length >= image.length || image[at + want.length] !== 0) continue
      if (want.every((b, i) => image[at + i] === b)) return u32(s + 4)
    }
  }
  return null
}
