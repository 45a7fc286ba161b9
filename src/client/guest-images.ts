import { PLATFORMS, type Platform } from '../engine/session/config'

/** One guest image of `guests.json` (written by guest/build.sh beside the images). */
export interface GuestImage {
  readonly name: string
  readonly elf: string
  readonly disk: string | null
  /** The symbol and line map for the inspector (guest/tools/mkmap.mjs), if there is one. */
  readonly map?: string
  readonly platform: Platform
}

/** Bytes fetched so far of one file; `total` is null when the server does not say. */
export interface FetchProgress {
  readonly file: string
  readonly loaded: number
  readonly total: number | null
}

const MAX_MANIFEST_BYTES = 64 << 10
const MAX_FILE_BYTES = 256 << 20
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/

/** A plain name of a file beside guests.json (no path), as images and their files are named. */
export function isGuestName(x: unknown): x is string {
  return typeof x === 'string' && FILE_NAME.test(x)
}

/** Reads guests.json (untrusted: only plain file names beside it, known platforms). */
export function parseGuestManifest(raw: unknown): GuestImage[] {
  const r = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {}
  if (r.format !== 'ringos-guests/1' || !Array.isArray(r.images))
    throw new Error('guests.json: expected format ringos-guests/1 with a list of images')
  return (r.images as unknown[]).slice(0, 64).flatMap((e): GuestImage[] => {
    if (typeof e !== 'object' || e === null) return []
    const { name, elf, disk, map, platform } = e as Record<string, unknown>
    const file = (v: unknown) => typeof v === 'string' && FILE_NAME.test(v)
    if (!file(name) || !file(elf) || (disk !== undefined && !file(disk)) || (map !== undefined && !file(map)))
      return []
    if (!(PLATFORMS as readonly unknown[]).includes(platform)) return []
    return [
      {
        name: name as string,
        elf: elf as string,
        disk: (disk as string | undefined) ?? null,
        ...(map === undefined ? {} : { map: map as string }),
        platform: platform as Platform,
      },
    ]
  })
}

type Fetch = (url: string) => Promise<Response>

/** Reads a response body, reporting progress per chunk and refusing more than `max` bytes. */
async function readBody(
  res: Response,
  file: string,
  max: number,
  progress: (p: FetchProgress) => void,
): Promise<Uint8Array> {
  if (!res.ok) throw new Error(`${file}: HTTP ${res.status}`)
  const length = Number(res.headers.get('content-length'))
  const total = Number.isFinite(length) && length > 0 ? length : null
  if (total !== null && total > max) throw new Error(`${file}: ${total} bytes is more than ${max}`)
  if (res.body === null) return new Uint8Array(await res.arrayBuffer())
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let loaded = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    loaded += value.length
    if (loaded > max) {
      await reader.cancel()
      throw new Error(`${file}: more than ${max} bytes`)
    }
    chunks.push(value)
    progress({ file, loaded, total })
  }
  const out = new Uint8Array(loaded)
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.length
  }
  return out
}

/**
 * The guest images beside the app (public/guests/, resolved against the document, so the site works
 * under any path). Files are fetched once, with progress, and kept for new sessions and restarts.
 */
export class GuestLibrary {
  private manifest: Promise<GuestImage[]> | null = null
  private readonly files = new Map<string, Promise<Uint8Array>>()

  constructor(
    private readonly base: URL,
    private readonly fetchFn: Fetch = (url) => fetch(url),
  ) {}

  images(): Promise<GuestImage[]> {
    this.manifest ??= this.fetchFn(new URL('guests.json', this.base).href)
      .then((res) => readBody(res, 'guests.json', MAX_MANIFEST_BYTES, () => {}))
      .then((bytes) => parseGuestManifest(JSON.parse(new TextDecoder().decode(bytes))))
    // A failed fetch is tried again next time.
    this.manifest.catch(() => (this.manifest = null))
    return this.manifest
  }

  /** A file beside guests.json (a name from the manifest). */
  file(name: string, progress: (p: FetchProgress) => void = () => {}): Promise<Uint8Array> {
    if (!isGuestName(name)) return Promise.reject(new Error(`not a guest file name: ${name}`))
    let p = this.files.get(name)
    if (p === undefined) {
      p = this.fetchFn(new URL(name, this.base).href).then((res) =>
        readBody(res, name, MAX_FILE_BYTES, progress),
      )
      this.files.set(name, p)
      p.catch(() => this.files.delete(name))
    }
    return p
  }
}
