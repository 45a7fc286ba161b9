import { readFileSync } from 'node:fs'
import { Session } from '../../src/engine/session/session'
import type { Platform } from '../../src/engine/session/config'
import { utf8Decode, utf8Encode } from '../../src/engine/util/utf8'

/** The committed guest images (public/guests/), read once. */
const cache = new Map<string, Uint8Array>()
export function guestFile(name: string): Uint8Array {
  let b = cache.get(name)
  if (!b)
    cache.set(
      name,
      (b = new Uint8Array(readFileSync(new URL(`../../public/guests/${name}`, import.meta.url)))),
    )
  return b
}

export const IMAGES: Record<'native' | 'virtio' | 'hyperv', string> = {
  native: 'ringos-native.elf',
  virtio: 'ringos-virtio.elf',
  hyperv: 'ringos-hyperv.elf',
}

/** A session of `arch` running ringos with `platform` in `vms` VMs, booted to its prompt. */
export function bootedSession(
  arch: string,
  platform: keyof typeof IMAGES = 'native',
  vms = 1,
  extra: Record<string, unknown> = {},
) {
  const s = new Session({
    arch,
    vms: Array.from({ length: vms }, () => ({
      image: guestFile(IMAGES[platform]),
      disk: guestFile('ringos-disk.img'),
      platform: platform as Platform,
    })),
    ...extra,
  })
  const boot = s.run({ maxInstructions: 40_000_000, untilIdleMs: 100 })
  return { s, boot, boot_console: takeConsole(s) }
}

/** Console output per VM since the last call. */
export function takeConsole(s: Session): string[] {
  const out = s.vms.map(() => '')
  for (const o of s.takeConsoleOutput()) out[o.vm - 1] += utf8Decode(o.bytes)
  return out
}

/** Types a line into VM `vm`'s console and runs until idle; returns what the console printed. */
export function type(s: Session, line: string, vm = 1): string {
  s.input(vm, utf8Encode(`${line}\n`))
  s.run({ maxInstructions: 200_000_000, untilIdleMs: 100 })
  return takeConsole(s)[vm - 1]!
}
