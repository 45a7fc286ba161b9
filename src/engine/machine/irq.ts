/**
 * Interrupt wiring. Devices drive IRQ lines; the interrupt controller (the 8259A pair on the PC)
 * turns line levels into a pending vector the CPU acknowledges.
 */

/** What a device sees: its IRQ line. Edge-triggered controllers latch on a rising edge. */
export interface IrqLine {
  set(level: boolean): void
  /** A rising then falling edge, for edge-triggered interrupt sources. */
  pulse(): void
}

/** What the CPU (or a hypervisor model delivering interrupts) sees of the interrupt controller. */
export interface InterruptController {
  /**
   * The INTR output pin: true while an unmasked request is waiting. Kept up to date by the controller
   * on every state change, so the CPU can test it at each instruction boundary for the price of a
   * property read.
   */
  readonly intr: boolean
  /** True if an unmasked interrupt request is waiting for INTA (8259A: IRR & ~IMR above the in-service priority). */
  hasInterrupt(): boolean
  /** The IRQ line the last acknowledge served (-1: spurious or unknown), for events and flows. */
  readonly lastIrq?: number
  /** The INTA cycle: returns the vector and moves the request to in-service (8259A datasheet, "Interrupt sequence"). */
  acknowledge(): number
}
