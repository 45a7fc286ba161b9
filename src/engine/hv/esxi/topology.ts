import { HARDWARE_COMPONENTS, HARDWARE_DOMAIN, type TopologySpec } from '../topology'
import { c, e, guestEdges, hardwareEdges } from '../topology-helpers'

/**
 * VMware ESXi in hardware-assisted mode (hypervisor-flows.md §6.1–6.2): no management OS; hostd and
 * vpxa are VMkernel user worlds; one VMM per VM inside the VMkernel and one VMX user world per VM.
 * The VMM/VMX device split is proprietary [R]: storage and network go to the VMkernel, the rest to VMX.
 */
export const ESXI: TopologySpec = {
  arch: 'esxi',
  domains: [
    { id: 'vmkernel', kind: 'hypervisor' },
    { id: 'vm', kind: 'guest', perVm: true },
    HARDWARE_DOMAIN,
  ],
  components: [
    c('guest-user', 'vm', 'nr-r3', 'user-process', ['intel-sdm-vmx']),
    c('guest-kernel', 'vm', 'nr-r0', 'kernel', ['intel-sdm-vmx']),
    c('vim-cmd', 'vmkernel', 'root-r3', 'shell', ['esxi-architecture'], { management: true }),
    c('hostd', 'vmkernel', 'root-r3', 'management', ['esxi-architecture'], { management: true }),
    c('vpxa', 'vmkernel', 'root-r3', 'management', ['esxi-architecture'], { management: true }),
    c('vmx', 'vmkernel', 'root-r3', 'device-model', ['esxi-architecture'], { perVm: true }),
    c('vmkernel', 'vmkernel', 'root-r0', 'hypervisor', ['esxi-architecture']),
    c('vmm', 'vmkernel', 'root-r0', 'monitor', ['esxi-architecture'], { perVm: true, within: 'vmkernel' }),
    ...HARDWARE_COMPONENTS,
  ],
  edges: [
    ...guestEdges(),
    // A guest exception the exception bitmap does not select goes through the guest's own IDT, no exit (vtx-model guestTrap).
    e('cpu', 'guest-kernel', 'trap'),
    e('guest-kernel', 'vmm', 'trap'),
    e('guest-user', 'vmm', 'trap'),
    e('vmm', 'guest-kernel', 'return'),
    e('vmm', 'guest-user', 'return'),
    e('vmm', 'vmkernel', 'call'),
    e('vmkernel', 'vmm', 'return'),
    e('vmm', 'vmx', 'message'),
    e('vmx', 'vmm', 'return'),
    e('vmx', 'vmkernel', 'syscall'),
    e('vmkernel', 'vmx', 'return'),
    e('vim-cmd', 'hostd', 'rpc'),
    e('hostd', 'vim-cmd', 'return'),
    e('vpxa', 'hostd', 'rpc'),
    e('hostd', 'vmkernel', 'syscall'),
    e('hostd', 'vmx', 'rpc'),
    ...hardwareEdges('vmkernel'),
  ],
}
