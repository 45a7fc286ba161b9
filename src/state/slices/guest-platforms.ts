import { ARCH_PLATFORMS } from '../../engine/hv/platforms'
import { isArchId, type ArchId } from '../../engine/hv/architectures'
import type { Platform } from '../../engine/session/config'

/** Whether a guest built for `platform` runs on architecture `arch` (src/engine/hv/platforms.ts). */
export function runsOn(arch: string, platform: Platform): boolean {
  return isArchId(arch) && ARCH_PLATFORMS[arch].includes(platform)
}

/**
 * The guest image (a name in public/guests/guests.json) an architecture boots unless the user picked
 * another: a Xen PV domain needs the kernel built for the PV interface, and the container
 * architecture the kernel with namespaces and runc on its disk (ringos-native has neither, though its
 * platform fits); everything else boots the native kernel.
 */
export function defaultGuest(arch: ArchId): string {
  switch (arch) {
    case 'xen-pv':
      return 'ringos-xen-pv'
    case 'container':
      return 'ringos-container'
    default:
      return 'ringos-native'
  }
}

/**
 * The image a session of `arch` runs: `wanted` if it runs there, else the architecture's default,
 * else the first image that runs there; undefined when none does.
 */
export function chooseGuest<T extends { readonly name: string; readonly platform: Platform }>(
  arch: ArchId,
  images: readonly T[],
  wanted: string,
): T | undefined {
  const fits = images.filter((i) => runsOn(arch, i.platform))
  const fallback = defaultGuest(arch)
  return fits.find((i) => i.name === wanted) ?? fits.find((i) => i.name === fallback) ?? fits[0]
}
