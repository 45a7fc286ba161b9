import type { ComponentSpec, EdgeKind, EdgeSpec } from './topology'
import type { SourceId } from './sources'

/**
 * Helpers for writing architecture topologies (each lives in `hv/<arch>/topology.ts`). Component ids
 * are a contract: tests, the UI and lessons use them. Facts: shared/reference/hypervisor-flows.md; each
 * component cites its source, and placements the references mark [R] are noted as modelling choices.
 */

export function c(
  id: string,
  domain: string,
  row: ComponentSpec['row'],
  kind: ComponentSpec['kind'],
  sources: readonly SourceId[],
  extra: Partial<Pick<ComponentSpec, 'management' | 'perVm' | 'within'>> = {},
): ComponentSpec {
  return { id, domain, row, kind, sources, ...extra }
}

export function e(from: string, to: string, kind: EdgeKind): EdgeSpec {
  return { from, to, kind }
}

/** Guest edges every architecture with a guest kernel and guest user space has. */
export function guestEdges(kernel = 'guest-kernel', user = 'guest-user'): EdgeSpec[] {
  return [e(user, kernel, 'syscall'), e(kernel, user, 'return')]
}

/**
 * Interrupt and I/O edges between a kernel that owns the hardware and the hardware row: it programs
 * the devices (and the timer, and the interrupt controller beside the CPU), and they interrupt it.
 */
export function hardwareEdges(
  owner: string,
  devices: readonly string[] = ['disk', 'uart', 'nic'],
): EdgeSpec[] {
  return [
    ...devices.map((d) => e(owner, d, 'io')),
    ...devices.map((d) => e(d, owner, 'signal')),
    e(owner, 'timer', 'io'),
    e('timer', owner, 'signal'),
    e(owner, 'cpu', 'io'),
    e('cpu', owner, 'trap'),
  ]
}
