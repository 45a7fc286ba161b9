import { ARCH_PLATFORMS } from '../../engine/hv/platforms'
import { isArchId } from '../../engine/hv/architectures'
import type { Platform } from '../../engine/session/config'

/** Whether a guest built for `platform` runs on architecture `arch` (src/engine/hv/platforms.ts). */
export function runsOn(arch: string, platform: Platform): boolean {
  return isArchId(arch) && ARCH_PLATFORMS[arch].includes(platform)
}
