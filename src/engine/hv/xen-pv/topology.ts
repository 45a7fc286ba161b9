import { HARDWARE_COMPONENTS, HARDWARE_DOMAIN, type TopologySpec } from '../topology'
import { c, e } from '../topology-helpers'

/**
 * 32-bit Xen PV (hypervisor-flows.md §4.2; Barham et al. 2003): Xen in ring 0, PV kernels (Dom0 and
 * DomU) in ring 1, user space in ring 3; split drivers with backends in Dom0. No VT-x is used by this
 * model, so the rows are plain rings [R: on VT-capable hardware Xen would have executed VMXON and
 * these would be root-mode rings, §11.3].
 */
export const XEN_PV: TopologySpec = {
  arch: 'xen-pv',
  domains: [
    { id: 'xen', kind: 'hypervisor' },
    { id: 'dom0', kind: 'management' },
    { id: 'domu', kind: 'guest', perVm: true },
    HARDWARE_DOMAIN,
  ],
  components: [
    c('domU-user', 'domu', 'r3', 'user-process', ['xen-pv-abi']),
    c('domU-kernel', 'domu', 'r1', 'kernel', ['xen-pv-abi']),
    c('xl', 'dom0', 'r3', 'shell', ['xen-pv-abi'], { management: true }),
    c('xenstored', 'dom0', 'r3', 'management', ['xen-pv-abi'], { management: true }),
    c('dom0-kernel', 'dom0', 'r1', 'kernel', ['xen-pv-abi']),
    c('blkback', 'dom0', 'r1', 'driver', ['xen-pv-abi'], { within: 'dom0-kernel' }),
    c('consoleback', 'dom0', 'r1', 'driver', ['xen-pv-abi'], { within: 'dom0-kernel' }),
    c('xen', 'xen', 'r0', 'hypervisor', ['xen-pv-abi', 'barham-2003']),
    ...HARDWARE_COMPONENTS,
  ],
  edges: [
    e('domU-user', 'xen', 'trap'),
    // INT 0x80 through the direct trap gate Xen installs for the guest's handler (32-bit fast path).
    e('domU-user', 'domU-kernel', 'syscall'),
    e('xen', 'domU-kernel', 'upcall'),
    e('domU-kernel', 'xen', 'trap'),
    e('xen', 'domU-user', 'return'),
    e('domU-kernel', 'domU-user', 'return'),
    e('xen', 'dom0-kernel', 'upcall'),
    e('dom0-kernel', 'xen', 'trap'),
    e('dom0-kernel', 'blkback', 'call'),
    e('dom0-kernel', 'consoleback', 'call'),
    e('blkback', 'xen', 'trap'),
    e('consoleback', 'xen', 'trap'),
    e('xen', 'blkback', 'return'),
    e('xen', 'consoleback', 'return'),
    e('blkback', 'disk', 'io'),
    e('consoleback', 'uart', 'io'),
    e('xl', 'dom0-kernel', 'syscall'),
    e('dom0-kernel', 'xl', 'return'),
    e('xl', 'xenstored', 'rpc'),
    e('xenstored', 'xl', 'return'),
    e('xenstored', 'dom0-kernel', 'syscall'),
    e('dom0-kernel', 'xenstored', 'signal'),
    e('timer', 'xen', 'signal'),
    e('cpu', 'xen', 'trap'),
    e('disk', 'xen', 'signal'),
    e('uart', 'xen', 'signal'),
    e('nic', 'xen', 'signal'),
  ],
}
