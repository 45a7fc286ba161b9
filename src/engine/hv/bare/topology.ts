import { HARDWARE_COMPONENTS, HARDWARE_DOMAIN, type TopologySpec } from '../topology'
import { c, guestEdges, hardwareEdges } from '../topology-helpers'

/** Bare metal: the guest OS is the OS; its drivers reach the devices directly (no hypervisor). */
export const BARE: TopologySpec = {
  arch: 'bare',
  domains: [{ id: 'machine', kind: 'host' }, HARDWARE_DOMAIN],
  components: [
    c('guest-user', 'machine', 'r3', 'user-process', ['intel-sdm-vmx']),
    c('guest-kernel', 'machine', 'r0', 'kernel', ['intel-sdm-vmx']),
    ...HARDWARE_COMPONENTS,
  ],
  edges: [...guestEdges(), ...hardwareEdges('guest-kernel')],
}
