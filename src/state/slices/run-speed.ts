import { MAX_CYCLES_PER_SECOND } from '../../worker/protocol'

/**
 * The speeds of the live view, slowest first. `flow`: slow motion — one flow at a time, each shown
 * before the next is asked for. The virtual-time rates are chosen so that ringos's boot to the prompt
 * (about 73 M cycles) is watchable: about a minute, 15 s and 3 s. `full`: as fast as the engine goes,
 * never faster than real time (a halted guest waits as long as a real one would).
 */
export const RUN_SPEEDS = [
  { id: 'flow', cyclesPerSecond: null },
  { id: '1m', cyclesPerSecond: 1_000_000 },
  { id: '5m', cyclesPerSecond: 5_000_000 },
  { id: '25m', cyclesPerSecond: 25_000_000 },
  { id: 'full', cyclesPerSecond: MAX_CYCLES_PER_SECOND },
] as const

export type RunSpeed = (typeof RUN_SPEEDS)[number]
export type RunSpeedId = RunSpeed['id']
export const DEFAULT_SPEED: RunSpeedId = '5m'

export function isRunSpeedId(x: unknown): x is RunSpeedId {
  return RUN_SPEEDS.some((s) => s.id === x)
}

export function runSpeed(id: RunSpeedId): RunSpeed {
  return RUN_SPEEDS.find((s) => s.id === id) ?? RUN_SPEEDS[0]
}
