import { HARDWARE_COMPONENTS, HARDWARE_DOMAIN, type TopologySpec } from '../topology'
import { c, e, hardwareEdges } from '../topology-helpers'

/** Containers (hypervisor-flows.md §8): no hypervisor, one shared kernel, isolation by namespaces and cgroups. */
export const CONTAINER: TopologySpec = {
  arch: 'container',
  domains: [{ id: 'host', kind: 'host' }, { id: 'container', kind: 'guest', perVm: true }, HARDWARE_DOMAIN],
  components: [
    c('container-user', 'container', 'r3', 'user-process', ['containers-namespaces']),
    c('runc', 'host', 'r3', 'shell', ['containers-namespaces'], { management: true }),
    // The host's own processes (its init and shell): in the host's namespaces, in no container.
    c('host-user', 'host', 'r3', 'user-process', ['containers-namespaces']),
    c('host-kernel', 'host', 'r0', 'kernel', ['containers-namespaces']),
    ...HARDWARE_COMPONENTS,
  ],
  edges: [
    e('container-user', 'host-kernel', 'syscall'),
    e('host-kernel', 'container-user', 'return'),
    e('runc', 'host-kernel', 'syscall'),
    e('host-kernel', 'runc', 'return'),
    e('host-user', 'host-kernel', 'syscall'),
    e('host-kernel', 'host-user', 'return'),
    ...hardwareEdges('host-kernel'),
  ],
}
