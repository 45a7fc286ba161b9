import { HARDWARE_COMPONENTS, HARDWARE_DOMAIN, type TopologySpec } from '../topology'
import { c, e, hardwareEdges } from '../topology-helpers'

/**
 * Classic trap-and-emulate with ring compression (x86-virtualization-facts.md §2; hypervisor-flows.md
 * §7.2 "raw mode"): the guest kernel runs deprivileged in ring 1, the monitor owns ring 0 and the real
 * IDT, so every trap reaches the monitor first.
 */
export const TRAP_EMULATE: TopologySpec = {
  arch: 'trap-emulate',
  domains: [{ id: 'monitor', kind: 'hypervisor' }, { id: 'vm', kind: 'guest', perVm: true }, HARDWARE_DOMAIN],
  components: [
    c('guest-user', 'vm', 'r3', 'user-process', ['popek-goldberg-1974']),
    c('guest-kernel', 'vm', 'r1', 'kernel', ['popek-goldberg-1974']),
    c('monitor', 'monitor', 'r0', 'monitor', ['popek-goldberg-1974']),
    ...HARDWARE_COMPONENTS,
  ],
  edges: [
    e('guest-kernel', 'monitor', 'trap'),
    e('guest-user', 'monitor', 'trap'),
    e('monitor', 'guest-kernel', 'upcall'),
    e('monitor', 'guest-user', 'return'),
    e('guest-kernel', 'guest-user', 'return'),
    ...hardwareEdges('monitor'),
  ],
}
