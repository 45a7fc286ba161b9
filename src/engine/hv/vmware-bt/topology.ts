import { HARDWARE_COMPONENTS, HARDWARE_DOMAIN, type TopologySpec } from '../topology'
import { c, e, hardwareEdges } from '../topology-helpers'

/**
 * Classic VMware binary translation (hypervisor-flows.md §6.3): guest user code runs directly in
 * ring 3; guest kernel code runs only as translated code from the translation cache, deprivileged
 * in ring 1 [R: ring 1 per VMware's 2007 white paper as summarised]; the VMM with the translator in ring 0.
 */
export const VMWARE_BT: TopologySpec = {
  arch: 'vmware-bt',
  domains: [
    { id: 'vmkernel', kind: 'hypervisor' },
    { id: 'vm', kind: 'guest', perVm: true },
    HARDWARE_DOMAIN,
  ],
  components: [
    c('guest-user', 'vm', 'r3', 'user-process', ['vmware-bt']),
    c('bt', 'vm', 'r1', 'translator', ['vmware-bt']),
    c('vim-cmd', 'vmkernel', 'r3', 'shell', ['esxi-architecture'], { management: true }),
    c('hostd', 'vmkernel', 'r3', 'management', ['esxi-architecture'], { management: true }),
    c('vmkernel', 'vmkernel', 'r0', 'hypervisor', ['esxi-architecture']),
    c('vmm', 'vmkernel', 'r0', 'monitor', ['vmware-bt'], { perVm: true, within: 'vmkernel' }),
    ...HARDWARE_COMPONENTS,
  ],
  edges: [
    e('guest-user', 'vmm', 'trap'),
    e('vmm', 'guest-user', 'return'),
    e('vmm', 'bt', 'call'),
    e('bt', 'vmm', 'call'),
    e('bt', 'guest-user', 'return'),
    e('vmm', 'vmkernel', 'call'),
    e('vmkernel', 'vmm', 'return'),
    e('vim-cmd', 'hostd', 'rpc'),
    e('hostd', 'vim-cmd', 'return'),
    e('hostd', 'vmkernel', 'syscall'),
    ...hardwareEdges('vmkernel'),
    // The VMM's virtual chipset and serial ports (A&A: `in` becomes "a call into the virtual chipset").
    e('vmm', 'uart', 'io'),
    e('uart', 'vmm', 'signal'),
    e('vmm', 'timer', 'io'),
    e('timer', 'vmm', 'signal'),
  ],
}
