import { isSourceId, type SourceId } from './sources'

/**
 * A cost table: what each hop of a flow costs, in CPU cycles. Every entry names its source
 * (sources.ts → shared/reference/) and says how the figure was derived from it, so a student can
 * check any number the UI shows. Entries the references do not give directly are derived and say so
 * (the source is then `ringside-model` or the paper the derivation starts from, tag R).
 */
export interface CostEntry {
  readonly cycles: number
  readonly source: SourceId
  /** How the figure follows from the source (arithmetic, split, or the modelling choice made). */
  readonly derivation: string
}

export type CostTable<K extends string = string> = Readonly<Record<K, CostEntry>>

export class CostTableError extends Error {}

/** Every entry: a non-negative integer cycle count, a known source and a derivation. */
export function validateCostTable(name: string, table: CostTable): void {
  for (const [id, e] of Object.entries(table)) {
    if (!Number.isInteger(e.cycles) || e.cycles < 0)
      throw new CostTableError(`${name}.${id}: cycles must be a non-negative integer`)
    if (!isSourceId(e.source)) throw new CostTableError(`${name}.${id}: unknown source ${String(e.source)}`)
    if (e.derivation.trim().length < 10)
      throw new CostTableError(`${name}.${id}: say how the figure was derived`)
  }
}

export function cost(cycles: number, source: SourceId, derivation: string): CostEntry {
  return { cycles, source, derivation }
}
