import { HARDWARE_COMPONENTS, HARDWARE_DOMAIN, type TopologySpec } from '../topology'
import { c, e, guestEdges } from '../topology-helpers'

/**
 * Xen HVM (hypervisor-flows.md §4.1, §4.3). Dom0 is modelled as a 32-bit PV domain, so its kernel runs
 * in ring 1 — in VMX root operation, because Xen executes VMXON at boot (§0, §11.3) [R: a 64-bit PV Dom0
 * would be root-r3 and a PVH Dom0 nr-r0; Ringside's guests are 32-bit].
 */
export const XEN_HVM: TopologySpec = {
  arch: 'xen-hvm',
  domains: [
    { id: 'xen', kind: 'hypervisor' },
    { id: 'dom0', kind: 'management' },
    { id: 'domu', kind: 'guest', perVm: true },
    HARDWARE_DOMAIN,
  ],
  components: [
    c('guest-user', 'domu', 'nr-r3', 'user-process', ['intel-sdm-vmx']),
    c('guest-kernel', 'domu', 'nr-r0', 'kernel', ['intel-sdm-vmx']),
    c('xl', 'dom0', 'root-r3', 'shell', ['xen-pv-abi'], { management: true }),
    c('xenstored', 'dom0', 'root-r3', 'management', ['xen-pv-abi'], { management: true }),
    c('dom0-qemu', 'dom0', 'root-r3', 'device-model', ['xen-hvm-ioreq'], { perVm: true }),
    c('dom0-kernel', 'dom0', 'root-r1', 'kernel', ['xen-pv-abi']),
    c('xen', 'xen', 'root-r0', 'hypervisor', ['xen-pv-abi', 'xen-hvm-ioreq']),
    ...HARDWARE_COMPONENTS,
  ],
  edges: [
    ...guestEdges(),
    // A guest exception the exception bitmap does not select goes through the guest's own IDT, no exit (vtx-model guestTrap).
    e('cpu', 'guest-kernel', 'trap'),
    e('guest-kernel', 'xen', 'trap'),
    e('guest-user', 'xen', 'trap'),
    e('xen', 'guest-kernel', 'return'),
    e('xen', 'guest-user', 'return'),
    e('xen', 'dom0-kernel', 'upcall'),
    e('dom0-kernel', 'xen', 'trap'),
    e('dom0-kernel', 'dom0-qemu', 'signal'),
    e('dom0-qemu', 'dom0-kernel', 'syscall'),
    e('xl', 'dom0-kernel', 'syscall'),
    e('xl', 'xenstored', 'rpc'),
    e('xenstored', 'xl', 'return'),
    e('dom0-kernel', 'xl', 'return'),
    e('xenstored', 'dom0-kernel', 'syscall'),
    e('xl', 'dom0-qemu', 'rpc'),
    e('timer', 'xen', 'signal'),
    e('cpu', 'xen', 'trap'),
    e('dom0-kernel', 'disk', 'io'),
    e('dom0-kernel', 'uart', 'io'),
    e('dom0-kernel', 'nic', 'io'),
    e('disk', 'xen', 'signal'),
    e('nic', 'xen', 'signal'),
    e('uart', 'xen', 'signal'),
  ],
}
