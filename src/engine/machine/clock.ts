/**
 * Virtual time. The engine never reads a wall clock: time is the machine's cycle counter, advanced by
 * every retired instruction and by the costs the hypervisor models charge for their work.
 *
 * Modelling choice [R]: the virtual CPU runs at 1 GHz and every instruction costs one cycle (a real
 * core retires 1–4 per cycle; what matters to the visualizer is that hop costs from the references,
 * which are in real cycles, are comparable to guest work).
 */
export const CPU_HZ = 1_000_000_000

/** Cycles per millisecond of virtual time. */
export const CYCLES_PER_MS = CPU_HZ / 1000

/**
 * A device that does work as time passes (a timer, a UART transmitter, a disk completing a command).
 * The machine calls {@link advance} whenever the CPU reaches the deadline the device last asked for,
 * and before and after anything that may change device state, so devices never read a clock.
 */
export interface ClockedDevice {
  /**
   * Bring the device up to virtual time `now` (cycles). Returns the next cycle at which the device
   * needs to be advanced again, or `Infinity` when it has nothing scheduled.
   */
  advance(now: number): number
}
