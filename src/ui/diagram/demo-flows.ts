import type { ArchId } from '../../engine/hv/architectures'
import { componentIndex, type EdgeKind, type Topology } from '../../engine/hv/topology'
import type { DiagramFlow } from './trace-adapter'

/**
 * Canonical flows from the references, shown on request as clearly labelled demonstrations while
 * the engine is not connected to the diagram: the guest's `OUT 0x3F8` to the emulated serial port
 * (event (b) of shared/reference/hypervisor-flows.md, VM exit 30) under each architecture that documents it.
 * No costs: per-hop cycles come from the engine's cost tables.
 */
export interface DemoFlow {
  /** Where the path is documented. */
  readonly ref: string
  readonly hops: readonly (readonly [from: string, to: string, cause: EdgeKind])[]
}

export const DEMO_FLOWS: Partial<Readonly<Record<ArchId, DemoFlow>>> = {
  kvm: {
    ref: 'hypervisor-flows.md §3.2(b)',
    hops: [
      ['guest-kernel', 'kvm', 'trap'],
      ['kvm', 'qemu', 'return'],
      ['qemu', 'host-kernel', 'syscall'],
      ['host-kernel', 'qemu', 'return'],
      ['qemu', 'kvm', 'ioctl'],
      ['kvm', 'guest-kernel', 'return'],
    ],
  },
  'xen-hvm': {
    ref: 'hypervisor-flows.md §4.3(b)',
    hops: [
      ['guest-kernel', 'xen', 'trap'],
      ['xen', 'dom0-kernel', 'upcall'],
      ['dom0-kernel', 'dom0-qemu', 'signal'],
      ['dom0-qemu', 'dom0-kernel', 'syscall'],
      ['dom0-kernel', 'xen', 'trap'],
      ['xen', 'guest-kernel', 'return'],
    ],
  },
  esxi: {
    // The serial port in the VMX user world is a modelling choice [R] (§6.2(b)).
    ref: 'hypervisor-flows.md §6.2(b)',
    hops: [
      ['guest-kernel', 'vmm', 'trap'],
      ['vmm', 'vmx', 'message'],
      ['vmx', 'vmkernel', 'syscall'],
      ['vmkernel', 'vmx', 'return'],
      ['vmx', 'vmm', 'return'],
      ['vmm', 'guest-kernel', 'return'],
    ],
  },
  hyperv: {
    ref: 'hypervisor-flows.md §5.3(b)',
    hops: [
      ['guest-kernel', 'hypervisor', 'trap'],
      ['hypervisor', 'root-kernel', 'message'],
      ['root-kernel', 'vmwp', 'signal'],
      ['vmwp', 'root-kernel', 'syscall'],
      ['root-kernel', 'hypervisor', 'trap'],
      ['hypervisor', 'guest-kernel', 'return'],
    ],
  },
  workstation: {
    ref: 'hypervisor-flows.md §7.1(b)',
    hops: [
      ['guest-kernel', 'vmm', 'trap'],
      ['vmm', 'vmmon', 'world-switch'],
      ['vmmon', 'vmapp', 'return'],
      ['vmapp', 'host-kernel', 'syscall'],
      ['host-kernel', 'vmapp', 'return'],
      ['vmapp', 'vmmon', 'ioctl'],
      ['vmmon', 'vmm', 'world-switch'],
      ['vmm', 'guest-kernel', 'return'],
    ],
  },
}

/** The demonstration flow of an architecture for VM `vm`, with the topology's component indices. */
export function demoFlow(demo: DemoFlow, topology: Topology, vm: number, label: string): DiagramFlow {
  return {
    kind: 'vm-exit',
    label,
    hops: demo.hops.map(([from, to, cause]) => ({
      from: componentIndex(topology, from, vm),
      to: componentIndex(topology, to, vm),
      cost: null,
      cause,
    })),
  }
}
