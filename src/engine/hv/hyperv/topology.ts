import { HARDWARE_COMPONENTS, HARDWARE_DOMAIN, type TopologySpec } from '../topology'
import { c, e, guestEdges } from '../topology-helpers'

/**
 * Microsoft Hyper-V (hypervisor-flows.md §5): the root partition is itself a partition — its kernel
 * runs in VMX non-root ring 0 (§11.1), with the VID driver and the VSPs; VMMS and one VMWP per VM are
 * root user processes. Child partitions run the guests.
 */
export const HYPERV: TopologySpec = {
  arch: 'hyperv',
  domains: [
    { id: 'hv', kind: 'hypervisor' },
    { id: 'root', kind: 'management' },
    { id: 'child', kind: 'guest', perVm: true },
    HARDWARE_DOMAIN,
  ],
  components: [
    c('guest-user', 'child', 'nr-r3', 'user-process', ['intel-sdm-vmx']),
    c('guest-kernel', 'child', 'nr-r0', 'kernel', ['hyperv-tlfs']),
    c('powershell', 'root', 'nr-r3', 'shell', ['hyperv-tlfs'], { management: true }),
    c('vmms', 'root', 'nr-r3', 'management', ['hyperv-tlfs'], { management: true }),
    c('vmwp', 'root', 'nr-r3', 'device-model', ['hyperv-tlfs'], { perVm: true }),
    c('root-kernel', 'root', 'nr-r0', 'kernel', ['hyperv-tlfs']),
    c('hypervisor', 'hv', 'root-r0', 'hypervisor', ['hyperv-tlfs']),
    ...HARDWARE_COMPONENTS,
  ],
  edges: [
    ...guestEdges(),
    // A guest exception the exception bitmap does not select goes through the guest's own IDT, no exit (vtx-model guestTrap).
    e('cpu', 'guest-kernel', 'trap'),
    e('guest-kernel', 'hypervisor', 'trap'),
    e('guest-user', 'hypervisor', 'trap'),
    e('hypervisor', 'guest-kernel', 'return'),
    e('hypervisor', 'guest-user', 'return'),
    e('hypervisor', 'root-kernel', 'message'),
    e('root-kernel', 'hypervisor', 'trap'),
    e('root-kernel', 'vmwp', 'signal'),
    e('vmwp', 'root-kernel', 'syscall'),
    e('powershell', 'vmms', 'rpc'),
    e('vmms', 'powershell', 'return'),
    e('vmms', 'vmwp', 'rpc'),
    e('vmms', 'root-kernel', 'syscall'),
    e('timer', 'hypervisor', 'signal'),
    e('cpu', 'hypervisor', 'trap'),
    e('root-kernel', 'disk', 'io'),
    e('root-kernel', 'uart', 'io'),
    e('root-kernel', 'nic', 'io'),
    // The root partition owns the physical devices: their completions reach its drivers (the VSPs' I/O).
    e('disk', 'root-kernel', 'signal'),
    e('disk', 'hypervisor', 'signal'),
    e('nic', 'hypervisor', 'signal'),
    e('uart', 'hypervisor', 'signal'),
  ],
}
