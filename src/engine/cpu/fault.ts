/**
 * Sentinels thrown inside the CPU to abandon the instruction being executed. They are constant
 * objects (no allocation, no stack capture); the run loop catches them at the instruction boundary.
 * A guest fault never escapes the CPU: it becomes an architectural exception (DESIGN §9).
 */

/** An exception was raised; its vector and error code are in `Cpu.excVector` / `Cpu.excError`. */
export const FAULT: { readonly kind: 'fault' } = { kind: 'fault' }

/** A monitor already took over (a VM exit): abandon the instruction and continue from the state it left. */
export const ABORT: { readonly kind: 'abort' } = { kind: 'abort' }
