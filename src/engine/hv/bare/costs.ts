import { NATIVE_COSTS } from '../native-costs'

/** Bare metal's cost table: only the hardware's own transitions, against which every hypervisor is compared. */
export const BARE_COSTS = NATIVE_COSTS
export type BareCostId = keyof typeof BARE_COSTS
