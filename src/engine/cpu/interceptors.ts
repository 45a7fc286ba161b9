/**
 * Hooks a binary-translation monitor (VMware's classic BT, x86-virtualization-facts.md §2–3;
 * hypervisor-flows.md §6.3) attaches to the CPU so that guest-kernel code it runs deprivileged at
 * CPL > 0 behaves as at CPL 0 without taking the hardware trap:
 *
 * - {@link SensitiveInterceptor}: each sensitive-but-unprivileged instruction (the Robin & Irvine
 *   list the CPU reports with `SensitiveNoTrap` events) is offered to the monitor before it executes,
 *   so translated code can read the *virtual* IF, GDTR, CPL… instead of the real ones;
 * - {@link PrivilegedInterceptor}: each privileged instruction that is about to raise #GP(0) because
 *   CPL > 0 (or CPL > IOPL for CLI, STI and port I/O, SDM Vol. 3A §5.9, Vol. 1 §18.5) is offered
 *   first, so the monitor can replace the trap by a cheaper callout.
 *
 * A hook returns true when it emulated the instruction against the monitor's virtual CPU state and
 * advanced `cpu.eip` past it (the decoded slot gives its operands and `dec.len[slot]` its length);
 * the CPU then abandons the instruction. When a hook is called, `cpu.eip` is the instruction's EIP.
 * Both hooks are consulted only by the instructions concerned, never on the hot path.
 */
import type { SensitiveInsn } from '../trace/schema'

/** Privileged instructions offered to a {@link PrivilegedInterceptor} (the reason a BT callout names). */
export const PrivilegedInsn = {
  Cli: 1,
  Sti: 2,
  Hlt: 3,
  In: 4,
  Out: 5,
  Ins: 6,
  Outs: 7,
  MovToCr: 8,
  MovFromCr: 9,
  MovToDr: 10,
  MovFromDr: 11,
  Lgdt: 12,
  Lidt: 13,
  Lldt: 14,
  Ltr: 15,
  Lmsw: 16,
  Clts: 17,
  Invlpg: 18,
  Rdmsr: 19,
  Wrmsr: 20,
  Wbinvd: 21,
  Invd: 22,
} as const
export type PrivilegedInsn = (typeof PrivilegedInsn)[keyof typeof PrivilegedInsn]

/** Offered a sensitive-but-unprivileged instruction at CPL > 0 before it executes; true = emulated, EIP advanced. */
export type SensitiveInterceptor = (insn: SensitiveInsn, slot: number) => boolean

/** Offered a privileged instruction at CPL > 0 before it raises #GP(0); true = emulated, EIP advanced. */
export type PrivilegedInterceptor = (insn: PrivilegedInsn, slot: number) => boolean
