import { HARDWARE_COMPONENTS, HARDWARE_DOMAIN, type TopologySpec } from '../topology'
import { c, e, guestEdges, hardwareEdges } from '../topology-helpers'

/** KVM + QEMU + libvirt (hypervisor-flows.md §3). The host Linux kernel with kvm.ko is the hypervisor, in VMX root ring 0. */
export const KVM: TopologySpec = {
  arch: 'kvm',
  domains: [{ id: 'host', kind: 'host' }, { id: 'vm', kind: 'guest', perVm: true }, HARDWARE_DOMAIN],
  components: [
    c('guest-user', 'vm', 'nr-r3', 'user-process', ['intel-sdm-vmx']),
    c('guest-kernel', 'vm', 'nr-r0', 'kernel', ['intel-sdm-vmx']),
    c('qemu', 'host', 'root-r3', 'device-model', ['kvm-api'], { perVm: true }),
    c('libvirtd', 'host', 'root-r3', 'management', ['kvm-api'], { management: true }),
    c('virsh', 'host', 'root-r3', 'shell', ['kvm-api'], { management: true }),
    c('host-kernel', 'host', 'root-r0', 'kernel', ['kvm-api']),
    c('kvm', 'host', 'root-r0', 'hypervisor', ['kvm-api'], { within: 'host-kernel' }),
    c('vhost', 'host', 'root-r0', 'driver', ['kvm-api'], { within: 'host-kernel', perVm: true }),
    ...HARDWARE_COMPONENTS,
  ],
  edges: [
    ...guestEdges(),
    // A guest exception the exception bitmap does not select goes through the guest's own IDT, no exit (vtx-model guestTrap).
    e('cpu', 'guest-kernel', 'trap'),
    e('guest-kernel', 'kvm', 'trap'),
    e('guest-user', 'kvm', 'trap'),
    e('kvm', 'guest-kernel', 'return'),
    e('kvm', 'guest-user', 'return'),
    e('kvm', 'qemu', 'return'),
    e('qemu', 'kvm', 'ioctl'),
    e('kvm', 'vhost', 'signal'),
    e('vhost', 'kvm', 'signal'),
    e('qemu', 'host-kernel', 'syscall'),
    e('host-kernel', 'qemu', 'return'),
    e('vhost', 'host-kernel', 'call'),
    e('host-kernel', 'vhost', 'return'),
    e('host-kernel', 'kvm', 'call'),
    e('virsh', 'libvirtd', 'rpc'),
    e('libvirtd', 'virsh', 'return'),
    e('libvirtd', 'qemu', 'rpc'),
    e('libvirtd', 'host-kernel', 'syscall'),
    ...hardwareEdges('host-kernel'),
  ],
}
