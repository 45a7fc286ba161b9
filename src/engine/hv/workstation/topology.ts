import { HARDWARE_COMPONENTS, HARDWARE_DOMAIN, type TopologySpec } from '../topology'
import { c, e, guestEdges, hardwareEdges } from '../topology-helpers'

/**
 * Hosted (type 2) VMware Workstation (hypervisor-flows.md §7.1, Sugerman et al. 2001): the host OS owns
 * the hardware; VMApp is a host process, VMDriver (vmmon) a host kernel module, and the VMM runs in its
 * own world, entered and left by a world switch. The guest runs with VT-x here [R: the 2001 paper
 * describes the BT-era VMM; the hosted I/O path is the same].
 */
export const WORKSTATION: TopologySpec = {
  arch: 'workstation',
  domains: [
    { id: 'host', kind: 'host' },
    { id: 'vmm-world', kind: 'world' },
    { id: 'vm', kind: 'guest', perVm: true },
    HARDWARE_DOMAIN,
  ],
  components: [
    c('guest-user', 'vm', 'nr-r3', 'user-process', ['intel-sdm-vmx']),
    c('guest-kernel', 'vm', 'nr-r0', 'kernel', ['intel-sdm-vmx']),
    c('vmrun', 'host', 'root-r3', 'shell', ['sugerman-2001'], { management: true }),
    c('vmapp', 'host', 'root-r3', 'device-model', ['sugerman-2001'], { perVm: true }),
    c('host-kernel', 'host', 'root-r0', 'kernel', ['sugerman-2001']),
    c('vmmon', 'host', 'root-r0', 'driver', ['sugerman-2001'], { within: 'host-kernel' }),
    c('vmm', 'vmm-world', 'root-r0', 'monitor', ['sugerman-2001'], { perVm: true }),
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
    e('vmm', 'vmmon', 'world-switch'),
    e('vmmon', 'vmm', 'world-switch'),
    e('vmmon', 'vmapp', 'return'),
    e('vmapp', 'vmmon', 'ioctl'),
    e('vmapp', 'host-kernel', 'syscall'),
    e('host-kernel', 'vmapp', 'return'),
    e('vmrun', 'vmapp', 'rpc'),
    e('vmapp', 'vmrun', 'return'),
    e('host-kernel', 'vmmon', 'call'),
    ...hardwareEdges('host-kernel'),
  ],
}
