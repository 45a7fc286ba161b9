import type { TaskHint } from '../../engine/session/inspect-request'
import type { GuestMap } from './guest-map'

/**
 * What the inspector knows about ringos, the guest OS (guest/README.md): programs are linked at
 * 0x40000000 and the kernel below; `current` points at the running `struct proc`, whose name is at
 * byte 12 (`int pid, ppid; enum proc_state state; char name[NAME_MAX_LEN]`, guest/kernel/sched.h,
 * NAME_MAX_LEN = 32 in guest/include/abi.h). The symbol map names programs as `ps` does.
 */
export const USER_BASE = 0x40000000
const PROC_NAME_OFFSET = 12
const NAME_MAX_LEN = 32

export function ringosTaskHint(map: GuestMap): TaskHint | null {
  const current = map.object('kernel', 'current')
  return current === undefined
    ? null
    : { pointer: current.start, nameOffset: PROC_NAME_OFFSET, nameLength: NAME_MAX_LEN }
}

/** The map image that holds `address` while `task` runs: the program's for user addresses, else the kernel's. */
export function imageFor(map: GuestMap, address: number, task: string | null): string {
  return address >= USER_BASE && task !== null && map.has(task) ? task : 'kernel'
}
