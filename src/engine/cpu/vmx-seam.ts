/**
 * The seam where VT-x (Engine III, `src/engine/vmx/`) attaches to the CPU. Today `Cpu.vmx` is null
 * and none of this runs; with a VMCS loaded, the CPU asks these hooks at every point where the SDM
 * says VMX non-root operation may leave to the monitor (SDM Vol. 3C chapter 26 "VMX non-root
 * operation"; summary in shared/reference/hypervisor-flows.md §1.3):
 *
 * - instructions that exit unconditionally or under a control (CPUID, HLT, INVLPG, RDTSC, MOV CR/DR,
 *   I/O, RDMSR/WRMSR, descriptor-table instructions, the VMX instructions, …). The CPU calls
 *   {@link VmxHooks.instruction} after the instruction's own fault checks (privilege level, I/O
 *   permission bitmap: SDM §26.1.1, these faults have priority over VM exits) and before it has any
 *   effect, with the basic exit reason it would cause and the exit qualification in the SDM format;
 * - exceptions (the exception bitmap), external interrupts (pin-based controls) and triple faults.
 *
 * A hook returns true when a VM exit happened; the CPU then abandons the instruction or event
 * (exits are fault-like: EIP still points at the instruction) and continues with whatever state the
 * monitor left.
 */

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

/** Basic exit reasons the CPU reports to {@link VmxHooks.instruction} (SDM Vol. 3C Appendix C). */
export const ExitReason = {
  ExceptionOrNmi: 0,
  ExternalInterrupt: 1,
  TripleFault: 2,
  Cpuid: 10,
  Hlt: 12,
  Invd: 13,
  Invlpg: 14,
  Rdpmc: 15,
  Rdtsc: 16,
  Vmcall: 18,
  Vmclear: 19,
  Vmlaunch: 20,
  Vmptrld: 21,
  Vmptrst: 22,
  Vmread: 23,
  Vmresume: 24,
  Vmwrite: 25,
  Vmxoff: 26,
  Vmxon: 27,
  CrAccess: 28,
  MovDr: 29,
  IoInstruction: 30,
  Rdmsr: 31,
  Wrmsr: 32,
  Pause: 40,
  GdtrIdtrAccess: 46,
  LdtrTrAccess: 47,
  Invept: 50,
  Invvpid: 53,
  Wbinvd: 54,
} as const

/** Exit reason of each {@link VmxInsn}, indexed by its value. */
export const VMX_INSN_EXIT: readonly number[] = [
  ExitReason.Vmcall,
  ExitReason.Vmlaunch,
  ExitReason.Vmresume,
  ExitReason.Vmxoff,
  ExitReason.Vmptrld,
  ExitReason.Vmptrst,
  ExitReason.Vmclear,
  ExitReason.Vmxon,
  ExitReason.Vmread,
  ExitReason.Vmwrite,
  ExitReason.Invept,
  ExitReason.Invvpid,
]

/** Where an event delivered through the IDT comes from (also what {@link Cpu.trapInterceptor} is told). */
export type TrapSource = 'exception' | 'software' | 'external'

export interface VmxHooks {
  /**
   * An instruction that can cause a VM exit passed its fault checks. `reason` is the basic exit
   * reason it would cause, `qualification` the exit qualification in the SDM's format (Vol. 3C
   * §28.2.1: CR access, I/O instruction, INVLPG linear address, …; 0 where none is defined), `slot`
   * the decoded instruction (its length and operands, for the instruction-information field).
   * Returns true if the instruction caused a VM exit.
   */
  instruction(reason: number, qualification: number, slot: number): boolean
  /** An exception is about to be delivered (exception bitmap, SDM §26.2). `errorCode` is -1 when none. */
  exception(vector: number, errorCode: number, source: TrapSource, length: number): boolean
  /**
   * An external interrupt is pending at the interrupt controller at an instruction boundary. Called
   * before EFLAGS.IF is considered: with external-interrupt exiting, IF does not block (SDM §26.2).
   */
  externalInterrupt(): boolean
  /** A triple fault: exit reason 2 instead of shutdown when it returns true. */
  tripleFault(): boolean
}
