/**
 * A guest's symbol and line map (guest/tools/mkmap.mjs, format `ringos-map/1`): for each image (the
 * kernel and every program) its functions and data objects with address ranges and an address →
 * file/line table. The file is untrusted input: it is checked and bounded as it is read.
 */

interface Range {
  readonly name: string
  readonly start: number
  readonly end: number
}

interface MapImage {
  readonly functions: readonly Range[]
  readonly objects: readonly Range[]
  readonly files: readonly string[]
  /** Flat [address, file index, line] triples, sorted by address; file -1 ends a sequence. */
  readonly lines: Int32Array
}

/** Where an address is in a guest's code. */
export interface CodeLocation {
  readonly image: string
  readonly fn: string | null
  /** Start of the function containing the address, for decoding from an instruction boundary. */
  readonly fnStart: number | null
  readonly file: string | null
  readonly line: number | null
}

const MAX_IMAGES = 64
const MAX_ENTRIES = 500_000
const isAddress = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff

function ranges(raw: unknown): Range[] {
  if (!Array.isArray(raw)) return []
  return (raw as unknown[])
    .slice(0, MAX_ENTRIES)
    .flatMap((r): Range[] => {
      if (typeof r !== 'object' || r === null) return []
      const { name, start, end } = r as Record<string, unknown>
      if (typeof name !== 'string' || !isAddress(start) || !isAddress(end) || end < start) return []
      return [{ name: name.slice(0, 200), start, end }]
    })
    .sort((a, b) => a.start - b.start)
}

function lines(raw: unknown, files: number): Int32Array {
  if (!Array.isArray(raw)) return new Int32Array(0)
  const rows = (raw as unknown[]).slice(0, MAX_ENTRIES)
  const out = new Int32Array(rows.length * 3)
  let n = 0
  let last = -1
  for (const r of rows) {
    if (!Array.isArray(r) || r.length !== 3) continue
    const [address, file, line] = r as unknown[]
    if (!isAddress(address) || address < last || typeof file !== 'number' || typeof line !== 'number')
      continue
    if (!Number.isInteger(file) || file < -1 || file >= files || !Number.isInteger(line) || line < 0) continue
    out[n++] = address | 0
    out[n++] = file
    out[n++] = line
    last = address
  }
  return out.slice(0, n)
}

/** The last index in a sorted list whose start is ≤ `address`, or -1. */
function floorIndex(count: number, startAt: (i: number) => number, address: number): number {
  let lo = 0
  let hi = count
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (startAt(mid) <= address) lo = mid + 1
    else hi = mid
  }
  return lo - 1
}

export class GuestMap {
  private constructor(private readonly images: ReadonlyMap<string, MapImage>) {}

  static parse(bytes: Uint8Array): GuestMap {
    const raw: unknown = JSON.parse(new TextDecoder().decode(bytes))
    const r = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {}
    if (r.format !== 'ringos-map/1' || typeof r.images !== 'object' || r.images === null)
      throw new Error('symbol map: expected format ringos-map/1')
    const images = new Map<string, MapImage>()
    for (const [name, img] of Object.entries(r.images as Record<string, unknown>).slice(0, MAX_IMAGES)) {
      if (typeof img !== 'object' || img === null) continue
      const i = img as Record<string, unknown>
      const files = Array.isArray(i.files)
        ? (i.files as unknown[]).slice(0, 10_000).map((f) => (typeof f === 'string' ? f.slice(0, 300) : '?'))
        : []
      images.set(name.slice(0, 100), {
        functions: ranges(i.functions),
        objects: ranges(i.objects),
        files,
        lines: lines(i.lines, files.length),
      })
    }
    return new GuestMap(images)
  }

  has(image: string): boolean {
    return this.images.has(image)
  }

  /** A data object's range by name. */
  object(image: string, name: string): Range | undefined {
    return this.images.get(image)?.objects.find((o) => o.name === name)
  }

  /** The function and source line of `address` in `image` (nulls where the map has nothing). */
  locate(image: string, address: number): CodeLocation {
    const img = this.images.get(image)
    const none: CodeLocation = { image, fn: null, fnStart: null, file: null, line: null }
    if (img === undefined) return none
    const f = floorIndex(img.functions.length, (i) => img.functions[i]!.start, address)
    const fn = f >= 0 && address < img.functions[f]!.end ? img.functions[f]! : null
    const l = floorIndex(img.lines.length / 3, (i) => img.lines[i * 3]! >>> 0, address)
    const file = l >= 0 ? img.lines[l * 3 + 1]! : -1
    return {
      image,
      fn: fn?.name ?? null,
      fnStart: fn?.start ?? null,
      file: file >= 0 ? (img.files[file] ?? null) : null,
      line: file >= 0 ? img.lines[l * 3 + 2]! : null,
    }
  }
}
