import type { TopologySpec } from './topology'
import { BARE } from './bare/topology'
import { KVM } from './kvm/topology'
import { XEN_HVM } from './xen-hvm/topology'
import { ESXI } from './esxi/topology'
import { HYPERV } from './hyperv/topology'
import { TRAP_EMULATE } from './trap-emulate/topology'
import { VMWARE_BT } from './vmware-bt/topology'
import { XEN_PV } from './xen-pv/topology'
import { WORKSTATION } from './workstation/topology'
import { CONTAINER } from './container/topology'

/** Every architecture Ringside models, by id (DESIGN §5). */
export const TOPOLOGIES = {
  bare: BARE,
  kvm: KVM,
  'xen-hvm': XEN_HVM,
  esxi: ESXI,
  hyperv: HYPERV,
  'trap-emulate': TRAP_EMULATE,
  'vmware-bt': VMWARE_BT,
  'xen-pv': XEN_PV,
  workstation: WORKSTATION,
  container: CONTAINER,
} as const satisfies Record<string, TopologySpec>

export type ArchId = keyof typeof TOPOLOGIES
export const ARCH_IDS = Object.keys(TOPOLOGIES) as ArchId[]

export function isArchId(s: string): s is ArchId {
  return Object.prototype.hasOwnProperty.call(TOPOLOGIES, s)
}
