// Writes the symbol and line map of ringos images, for the inspector: for each ELF32 image given
// (the kernel and every program), its functions and data objects with address ranges (from .symtab)
// and an address -> file/line table (from the DWARF line-number programs in .debug_line, DWARF 2-5,
// "Line Number Information" §6.2 of the DWARF 5 standard).
//
// usage: node mkmap.mjs OUT.map.json NAME=ELF ...
//
// Output:
// { "format": "ringos-map/1",
//   "images": { NAME: { "functions": [{"name", "start", "end"}],      end exclusive
//                       "objects": [{"name", "start", "end"}],        variables with a size
//                       "files": ["kernel/kmain.c", ...],          relative to guest/
//                       "lines": [[address, fileIndex, line], ...] } } }
// "lines" is sorted by address; each row holds until the next one; fileIndex -1 marks the end of a
// sequence (no line information from that address on).
import { readFileSync, writeFileSync } from 'node:fs'
import { posix } from 'node:path'

function sections(elf) {
  const dv = new DataView(elf.buffer, elf.byteOffset, elf.byteLength)
  if (dv.getUint32(0) !== 0x7f454c46 || elf[4] !== 1 || elf[5] !== 1)
    throw new Error('not an ELF32 little-endian file')
  const shoff = dv.getUint32(32, true)
  const shentsize = dv.getUint16(46, true)
  const shnum = dv.getUint16(48, true)
  const shstrndx = dv.getUint16(50, true)
  const headers = []
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize
    headers.push({
      nameOff: dv.getUint32(o, true),
      type: dv.getUint32(o + 4, true),
      addr: dv.getUint32(o + 12, true),
      offset: dv.getUint32(o + 16, true),
      size: dv.getUint32(o + 20, true),
      link: dv.getUint32(o + 24, true),
      flags: dv.getUint32(o + 8, true),
    })
  }
  const strtab = headers[shstrndx]
  const byName = new Map()
  headers.forEach((h, index) => {
    h.index = index
    h.name = cstr(elf, strtab.offset + h.nameOff)
    h.data = elf.subarray(h.offset, h.offset + (h.type === 8 ? 0 : h.size)) // SHT_NOBITS has no data
    byName.set(h.name, h)
  })
  return { headers, byName }
}

function cstr(buf, at) {
  let end = at
  while (buf[end] !== 0) end++
  return buf.subarray(at, end).toString('utf8')
}

// Functions: STT_FUNC symbols with their sizes; assembly labels (STT_NOTYPE in an executable section)
// end where the next symbol starts. Objects: STT_OBJECT symbols with a size.
function symbols(elf, secs) {
  const symtab = secs.byName.get('.symtab')
  if (!symtab) return { functions: [], objects: [] }
  const strtab = secs.headers[symtab.link]
  const dv = new DataView(elf.buffer, elf.byteOffset, elf.byteLength)
  const syms = []
  const objects = []
  for (let o = symtab.offset; o < symtab.offset + symtab.size; o += 16) {
    const name = cstr(elf, strtab.offset + dv.getUint32(o, true))
    const value = dv.getUint32(o + 4, true)
    const size = dv.getUint32(o + 8, true)
    const type = elf[o + 12] & 0xf
    const shndx = dv.getUint16(o + 14, true)
    const sec = secs.headers[shndx]
    if (!name || shndx === 0 || shndx >= 0xff00 || !sec) continue
    if (type === 1 && size > 0) objects.push({ name, start: value, end: value + size })
    if (!(sec.flags & 4)) continue // SHF_EXECINSTR
    if (type === 2 || (type === 0 && !name.includes('.')))
      syms.push({ name, start: value, size, end: sec.addr + sec.size })
  }
  objects.sort((a, b) => a.start - b.start || a.name.localeCompare(b.name))
  syms.sort((a, b) => a.start - b.start || a.name.localeCompare(b.name))
  const out = []
  syms.forEach((s, i) => {
    const next = syms.slice(i + 1).find((n) => n.start > s.start)
    const end = s.size ? s.start + s.size : Math.min(next ? next.start : s.end, s.end)
    if (end > s.start) out.push({ name: s.name, start: s.start, end })
  })
  return { functions: out, objects }
}

class Reader {
  constructor(buf, pos = 0) {
    this.buf = buf
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
    this.pos = pos
  }
  u8() {
    return this.buf[this.pos++]
  }
  u16() {
    const v = this.dv.getUint16(this.pos, true)
    this.pos += 2
    return v
  }
  u32() {
    const v = this.dv.getUint32(this.pos, true)
    this.pos += 4
    return v
  }
  uleb() {
    let result = 0,
      shift = 0,
      b
    do {
      b = this.u8()
      result += (b & 0x7f) * 2 ** shift
      shift += 7
    } while (b & 0x80)
    return result
  }
  sleb() {
    let result = 0,
      shift = 0,
      b
    do {
      b = this.u8()
      result += (b & 0x7f) * 2 ** shift
      shift += 7
    } while (b & 0x80)
    if (b & 0x40) result -= 2 ** shift
    return result
  }
  cstr() {
    const s = cstr(this.buf, this.pos)
    this.pos += Buffer.byteLength(s) + 1
    return s
  }
}

const DW_LNCT_path = 1,
  DW_LNCT_directory_index = 2
const DW_FORM = {
  block: 0x09,
  data1: 0x0b,
  data2: 0x05,
  data4: 0x06,
  data8: 0x07,
  data16: 0x1e,
  string: 0x08,
  strp: 0x0e,
  line_strp: 0x1f,
  udata: 0x0f,
}

function readForm(r, form, secs) {
  switch (form) {
    case DW_FORM.string:
      return r.cstr()
    case DW_FORM.line_strp:
      return cstr(secs.byName.get('.debug_line_str').data, r.u32())
    case DW_FORM.strp:
      return cstr(secs.byName.get('.debug_str').data, r.u32())
    case DW_FORM.udata:
      return r.uleb()
    case DW_FORM.data1:
      return r.u8()
    case DW_FORM.data2:
      return r.u16()
    case DW_FORM.data4:
      return r.u32()
    case DW_FORM.data8:
      r.pos += 8
      return 0
    case DW_FORM.data16:
      r.pos += 16
      return 0
    case DW_FORM.block:
      r.pos += r.uleb()
      return 0
    default:
      throw new Error(`unsupported DWARF form 0x${form.toString(16)}`)
  }
}

function entryList(r, secs) {
  const formats = []
  const nFormats = r.u8()
  for (let i = 0; i < nFormats; i++) formats.push([r.uleb(), r.uleb()])
  const n = r.uleb()
  const entries = []
  for (let i = 0; i < n; i++) {
    const e = {}
    for (const [type, form] of formats) {
      const v = readForm(r, form, secs)
      if (type === DW_LNCT_path) e.path = v
      if (type === DW_LNCT_directory_index) e.dir = v
    }
    entries.push(e)
  }
  return entries
}

// Runs every line-number program of .debug_line; returns rows [address, path, line] (path null: end).
function lineRows(secs) {
  const sec = secs.byName.get('.debug_line')
  if (!sec) return []
  const rows = []
  const r = new Reader(sec.data)
  while (r.pos < sec.data.length) {
    const unitLength = r.u32()
    const unitEnd = r.pos + unitLength
    const version = r.u16()
    if (version >= 5) r.pos += 2 // address_size, segment_selector_size
    const headerLength = r.u32()
    const programStart = r.pos + headerLength
    const minInsn = r.u8()
    if (version >= 4) r.u8() // maximum_operations_per_instruction (1 on x86)
    const defaultIsStmt = r.u8()
    const lineBase = (r.u8() << 24) >> 24
    const lineRange = r.u8()
    const opcodeBase = r.u8()
    const stdLengths = [0]
    for (let i = 1; i < opcodeBase; i++) stdLengths.push(r.u8())
    let dirs, files
    if (version >= 5) {
      // Directory 0 is the compilation directory, guest/ itself (build.sh compiles there): paths in
      // the map are relative to guest/.
      dirs = entryList(r, secs).map((e, i) => (i === 0 && !posix.isAbsolute(e.path) ? '' : e.path))
      files = entryList(r, secs).map((e) => posix.normalize(posix.join(dirs[e.dir ?? 0] ?? '', e.path)))
    } else {
      dirs = ['']
      for (let d = r.cstr(); d; d = r.cstr()) dirs.push(d)
      files = [null] // DWARF 2-4 file numbers start at 1
      for (let f = r.cstr(); f; f = r.cstr()) {
        const dir = r.uleb()
        r.uleb()
        r.uleb() // modification time, length
        files.push(posix.normalize(posix.join(dirs[dir] ?? '', f)))
      }
    }
    r.pos = programStart
    let address = 0,
      file = 1,
      line = 1
    const reset = () => {
      address = 0
      file = 1
      line = 1
    }
    const emit = () => rows.push([address, files[file] ?? '?', line])
    void defaultIsStmt
    while (r.pos < unitEnd) {
      const op = r.u8()
      if (op >= opcodeBase) {
        const adj = op - opcodeBase
        address += Math.floor(adj / lineRange) * minInsn
        line += lineBase + (adj % lineRange)
        emit()
      } else if (op === 0) {
        const len = r.uleb()
        const end = r.pos + len
        const sub = r.u8()
        if (sub === 1) {
          rows.push([address, null, 0])
          reset()
        } // DW_LNE_end_sequence
        else if (sub === 2) address = r.u32() // DW_LNE_set_address
        r.pos = end
      } else if (op === 1)
        emit() // DW_LNS_copy
      else if (op === 2)
        address += r.uleb() * minInsn // advance_pc
      else if (op === 3)
        line += r.sleb() // advance_line
      else if (op === 4)
        file = r.uleb() // set_file
      else if (op === 8)
        address += Math.floor((255 - opcodeBase) / lineRange) * minInsn // const_add_pc
      else if (op === 9)
        address += r.u16() // fixed_advance_pc
      else for (let i = 0; i < stdLengths[op]; i++) r.uleb() // set_column, negate_stmt, … : operands only
    }
    r.pos = unitEnd
  }
  return rows
}

function imageMap(path) {
  const elf = readFileSync(path)
  const secs = sections(elf)
  const rows = lineRows(secs)
  // One row per address (the last one the programs emitted for it wins), sorted, without repeats.
  const byAddr = new Map()
  for (const row of rows) byAddr.set(row[0], row)
  const sorted = [...byAddr.values()].sort((a, b) => a[0] - b[0])
  const files = []
  const fileIndex = new Map()
  const lines = []
  let prev = null
  for (const [address, file, line] of sorted) {
    let idx = -1
    if (file !== null) {
      if (!fileIndex.has(file)) {
        fileIndex.set(file, files.length)
        files.push(file)
      }
      idx = fileIndex.get(file)
    }
    if (prev && prev[1] === idx && prev[2] === line) continue
    prev = [address, idx, line]
    lines.push(prev)
  }
  return { ...symbols(elf, secs), files, lines }
}

const [out, ...images] = process.argv.slice(2)
if (!out || images.length === 0) {
  console.error('usage: node mkmap.mjs OUT.map.json NAME=ELF ...')
  process.exit(2)
}
const map = { format: 'ringos-map/1', images: {} }
for (const spec of images) {
  const [name, path] = spec.split('=')
  map.images[name] = imageMap(path)
}
// One image per line keeps diffs of the committed maps readable.
const body = Object.entries(map.images)
  .map(([name, img]) => `    ${JSON.stringify(name)}: ${JSON.stringify(img)}`)
  .join(',\n')
writeFileSync(out, `{\n  "format": "ringos-map/1",\n  "images": {\n${body}\n  }\n}\n`)
