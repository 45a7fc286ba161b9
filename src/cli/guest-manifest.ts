/**
 * The guest manifest: `guests.json` beside the guest images (public/guests/, written by
 * guest/build.sh) says which disk, symbol map and platform each ELF image was built with. The runner
 * reads it to give an image its own disk and console when the command line does not say.
 */
import { readFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

export interface GuestImageInfo {
  /** The disk image, as a path usable from here. */
  readonly disk: string
  /** `native`, `virtio`, … (guest/platform/). */
  readonly platform: string
}

interface ManifestEntry {
  elf: unknown
  disk: unknown
  platform: unknown
}

/** What guests.json beside `image` says about it, or null when there is no manifest or no entry. */
export function guestImageInfo(image: string): GuestImageInfo | null {
  let manifest: { images?: unknown }
  try {
    manifest = JSON.parse(readFileSync(join(dirname(image), 'guests.json'), 'utf8')) as { images?: unknown }
  } catch {
    return null
  }
  if (!Array.isArray(manifest.images)) return null
  const entry = (manifest.images as ManifestEntry[]).find(
    (e) => e !== null && typeof e === 'object' && e.elf === basename(image),
  )
  if (!entry || typeof entry.disk !== 'string' || typeof entry.platform !== 'string') return null
  return { disk: join(dirname(image), basename(entry.disk)), platform: entry.platform }
}
