/**
 * What the inspector asks the engine for (the `inspectVm` command's arguments). Kept apart from
 * `inspection.ts` so the wire protocol's parser does not pull the inspection builders (and the
 * disassembler) into the page's first bundle.
 */

/**
 * Guest-OS awareness: where the guest keeps a pointer to its current task and where the task's name
 * is in it (as a debugger's OS-awareness plug-in is told). The UI fills it from the guest's symbol map.
 */
export interface TaskHint {
  /** Linear address of the pointer to the current task. */
  readonly pointer: number
  /** Byte offset of the NUL-terminated name in the task structure. */
  readonly nameOffset: number
  /** Bytes reserved for the name (at most {@link MAX_TASK_NAME}). */
  readonly nameLength: number
}

export const MAX_TASK_NAME = 64

/** What to inspect. */
export interface InspectRequest {
  /** The VM to look at in detail (1-based); its CPU, code, walk, VMCS and task. */
  readonly vm: number
  /** A linear address to walk, as an access of the VM's current privilege level (a read). */
  readonly linear?: number
  readonly task?: TaskHint
}
