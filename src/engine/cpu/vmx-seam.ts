/**
 * The seam where VT-x (`src/engine/vmx/`, attached as `vmx/vmx-cpu.ts` `VmxCpu`) meets the CPU. With
 * `Cpu.vmx` set, the CPU runs guest code in VMX non-root operation and asks these hooks at every point
 * where the SDM says non-root operation may leave to the monitor or behaves differently (SDM Vol. 3C
 * chapter 26 "VMX non-root operation"; summary in shared/reference/hypervisor-flows.md §1.3):
 *
 * - instructions that exit unconditionally or under a control (CPUID, HLT, INVLPG, RDTSC, MOV CR/DR,
 *   I/O, RDMSR/WRMSR, descriptor-table instructions, the VMX instructions, …). The CPU calls
 *   {@link VmxHooks.instruction} after the instruction's own fault checks (privilege level, I/O
 *   permission bitmap: SDM §26.1.1, these faults have priority over VM exits) and before it has any
 *   effect, with the basic exit reason it would cause and the exit qualification in the SDM format;
 * - exceptions (the exception bitmap), triple faults, and at each instruction boundary the
 *   interrupt window, external interrupts (pin-based controls) and the VMX-preemption timer;
 * - every guest-physical address (EPT), through `Cpu.guestPhysToHost`;
 * - instructions whose behaviour changes without an exit (§26.3): MOV from CR0/CR4 and SMSW read the
 *   read shadows, MOV to CR0/CR4, CLTS and LMSW keep host-owned bits, RDTSC adds the TSC offset —
 *   the CPU applies `vmx/controls.ts` to {@link VmxHooks.vmcs} there.
 *
 * A hook that returns true performed a VM exit; the CPU then abandons the instruction or event (exits
 * are fault-like: the instruction has not executed) and `Cpu.run` returns `stop`.
 */
import { ExitReason } from '../vmx/exit-reasons'
import type { Vmcs } from '../vmx/vmcs'

/** VMX instructions (decoded as {@link Op.Vmx}; #UD while the CPU is not in VMX operation). */
export const enum VmxInsn {
  Vmcall = 0,
  Vmlaunch = 1,
  Vmresume = 2,
  Vmxoff = 3,
  Vmptrld = 4,
  Vmptrst = 5,
  Vmclear = 6,
  Vmxon = 7,
  Vmread = 8,
  Vmwrite = 9,
  Invept = 10,
  Invvpid = 11,
}

/** Exit reason of each {@link VmxInsn}, indexed by its value (SDM Vol. 3C Appendix C). */
export const VMX_INSN_EXIT: readonly number[] = [
  ExitReason.VMCALL,
  ExitReason.VMLAUNCH,
  ExitReason.VMRESUME,
  ExitReason.VMXOFF,
  ExitReason.VMPTRLD,
  ExitReason.VMPTRST,
  ExitReason.VMCLEAR,
  ExitReason.VMXON,
  ExitReason.VMREAD,
  ExitReason.VMWRITE,
  ExitReason.INVEPT,
  ExitReason.INVVPID,
]

/** Where an event delivered through the IDT comes from (also what {@link Cpu.trapInterceptor} is told). */
export type TrapSource = 'exception' | 'software' | 'external'

/**
 * Where port and MMIO accesses go while a monitor emulates a guest instruction (KVM's emulator for
 * exits 30, 48, 49): the monitor's device models instead of the CPU's buses. MMIO addresses are the
 * host-physical addresses the second translation stage returned; the monitor maps them back.
 */
export interface IoRoute {
  portIn(port: number, size: 1 | 2 | 4): number
  portOut(port: number, size: 1 | 2 | 4, value: number): void
  mmioRead(hostPhys: number, size: 1 | 2 | 4): number
  mmioWrite(hostPhys: number, size: 1 | 2 | 4, value: number): void
}

export interface VmxHooks {
  /** The current VMCS: the CPU reads the controls that change instruction behaviour in non-root operation. */
  readonly vmcs: Vmcs
  /** True in VMX root operation (from a VM exit until the next VM entry): the CPU runs no guest code. */
  readonly inRoot: boolean
  /** The cycle at which the VMX-preemption timer expires (Infinity when it is not active). */
  readonly timerDeadline: number
  /**
   * An instruction that can cause a VM exit passed its fault checks. `reason` is the basic exit
   * reason it would cause, `qualification` the exit qualification in the SDM's format (Vol. 3C
   * §28.2.1: CR access, I/O instruction, INVLPG linear address, …; 0 where none is defined), `slot`
   * the decoded instruction (its length and operands, for the instruction-information field).
   * Returns true if the instruction caused a VM exit.
   */
  instruction(reason: number, qualification: number, slot: number): boolean
  /**
   * An exception is about to be delivered (exception bitmap, SDM §26.2). `errorCode` is -1 when none;
   * `source` is `software` for INT3, INTO and INT1, whose `length` is their instruction length.
   */
  exception(vector: number, errorCode: number, source: TrapSource, length: number): boolean
  /**
   * An instruction boundary in non-root operation, before any event is delivered: the VMX-preemption
   * timer (52), interrupt-window exiting (7) and external interrupts under external-interrupt exiting
   * (1, whatever the guest's RFLAGS.IF), in that priority (SDM §26.2, §26.7.5). True if one exited.
   */
  boundary(): boolean
  /** A triple fault: exit reason 2 instead of shutdown when it returns true. */
  tripleFault(): boolean
}
