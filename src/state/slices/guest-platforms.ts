import type { Platform } from '../../engine/session/config'

/**
 * Whether a guest built for `platform` runs on architecture `arch`. Modelling choice [R] until the
 * models declare it: a paravirtual platform speaks one hypervisor's interface — xen-pv makes
 * hypercalls instead of privileged instructions and has no emulated devices, so it runs on Xen PV
 * only, and Xen PV runs nothing else; hyperv sets up its hypercall page through the Hyper-V MSRs
 * (#GP elsewhere). The native and virtio platforms drive devices every other architecture provides.
 */
export function runsOn(arch: string, platform: Platform): boolean {
  if (arch === 'xen-pv' || platform === 'xen-pv') return arch === platform
  if (platform === 'hyperv') return arch === 'hyperv'
  return true
}
