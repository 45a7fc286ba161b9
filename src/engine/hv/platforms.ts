import type { Platform } from '../session/config'
import type { ArchId } from './architectures'

/**
 * The guest platforms each architecture's model runs (src/engine/session/config.ts), as plain data the
 * UI can import without the models. A paravirtual platform speaks one hypervisor's interface — xen-pv
 * makes hypercalls instead of privileged instructions and finds no emulated devices; hyperv sets up
 * its hypercall page through Hyper-V's MSRs (#GP elsewhere) — while the native and virtio platforms
 * drive devices the other architectures provide. Classic trap-and-emulate, binary translation and
 * containers run the native guest.
 */
export const ARCH_PLATFORMS: Readonly<Record<ArchId, readonly Platform[]>> = {
  bare: ['native', 'virtio'],
  kvm: ['native', 'virtio'],
  'xen-hvm': ['native', 'virtio'],
  esxi: ['native', 'virtio'],
  hyperv: ['native', 'hyperv'],
  'xen-pv': ['xen-pv'],
  'trap-emulate': ['native'],
  'vmware-bt': ['native'],
  workstation: ['native', 'virtio'],
  container: ['native'],
}
