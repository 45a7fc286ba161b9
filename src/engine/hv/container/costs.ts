import { BARE_COSTS } from '../bare/costs'
import type { CostTable } from '../costs'
import { MANAGEMENT_COSTS } from '../vtx-costs'

/**
 * Containers add no hypervisor: a container's system call, page fault, interrupt or device access
 * costs what it costs on bare metal (hypervisor-flows.md §8), so the table is bare metal's. runc's
 * steps are ordinary system calls too; the shell's own work (the command reaching the host's terminal)
 * is a management RPC [R].
 */
export const CONTAINER_COSTS = {
  ...BARE_COSTS,
  'mgmt-rpc': MANAGEMENT_COSTS['mgmt-rpc'],
} as const satisfies CostTable
export type ContainerCostId = keyof typeof CONTAINER_COSTS
