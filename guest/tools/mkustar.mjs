// Writes a ustar archive (POSIX.1 "ustar Interchange Format") as a raw disk image, deterministically:
// entries in the order given, mtime from SOURCE_DATE_EPOCH, uid/gid 0, user and group "root", no
// directory entries, zero padding up to the image size. GNU tar's defaults (the builder's own uid,
// mtimes and ordering) would make every build differ.
//
// usage: node mkustar.mjs OUT.img SIZE_KIB NAME=FILE[:MODE] ...
import { readFileSync, writeFileSync } from 'node:fs'

const BLOCK = 512

function field(buf, offset, length, text) {
  const bytes = Buffer.from(text, 'utf8')
  if (bytes.length > length) throw new Error(`tar field too long: ${text}`)
  bytes.copy(buf, offset)
}

function octal(value, digits) {
  return value.toString(8).padStart(digits, '0') + '\0'
}

function header(name, size, mode, mtime) {
  const h = Buffer.alloc(BLOCK)
  field(h, 0, 100, name)
  field(h, 100, 8, octal(mode, 7))
  field(h, 108, 8, octal(0, 7))
  field(h, 116, 8, octal(0, 7))
  field(h, 124, 12, octal(size, 11))
  field(h, 136, 12, octal(mtime, 11))
  field(h, 148, 8, '        ') // checksum counts as spaces while it is computed
  field(h, 156, 1, '0')
  field(h, 257, 6, 'ustar\0')
  field(h, 263, 2, '00')
  field(h, 265, 32, 'root')
  field(h, 297, 32, 'root')
  field(h, 329, 8, octal(0, 7))
  field(h, 337, 8, octal(0, 7))
  let sum = 0
  for (const b of h) sum += b
  field(h, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ')
  return h
}

const [out, sizeKib, ...entries] = process.argv.slice(2)
const mtime = Number(process.env.SOURCE_DATE_EPOCH ?? '0')
if (!out || !sizeKib || entries.length === 0 || !Number.isInteger(mtime)) {
  console.error('usage: SOURCE_DATE_EPOCH=N node mkustar.mjs OUT.img SIZE_KIB NAME=FILE[:MODE] ...')
  process.exit(2)
}
const parts = []
for (const entry of entries) {
  const [name, spec] = entry.split('=')
  const [file, mode = '644'] = spec.split(':')
  const data = readFileSync(file)
  parts.push(header(name, data.length, parseInt(mode, 8), mtime), data)
  const pad = (BLOCK - (data.length % BLOCK)) % BLOCK
  if (pad) parts.push(Buffer.alloc(pad))
}
parts.push(Buffer.alloc(2 * BLOCK))
const tar = Buffer.concat(parts)
const size = Number(sizeKib) * 1024
if (tar.length > size) {
  console.error(`mkustar: the archive (${tar.length} bytes) does not fit in ${size} bytes`)
  process.exit(1)
}
const image = Buffer.alloc(size)
tar.copy(image)
writeFileSync(out, image)
