import type { Row } from '../../engine/hv/topology'

/**
 * The theme token (tokens.css) colouring each privilege context, as the diagram's rows and the
 * timeline's lanes show it: rings 1 and 2 share ring 1's colour, and so do the non-root rings 1 and 2
 * with non-root ring 0.
 */
export const CONTEXT_TOKEN: Readonly<Record<Row, string>> = {
  r0: '--rs-ctx-r0',
  r1: '--rs-ctx-r1',
  r2: '--rs-ctx-r1',
  r3: '--rs-ctx-r3',
  'root-r0': '--rs-ctx-root-r0',
  'root-r1': '--rs-ctx-r1',
  'root-r2': '--rs-ctx-r1',
  'root-r3': '--rs-ctx-root-r3',
  'nr-r0': '--rs-ctx-nr-r0',
  'nr-r1': '--rs-ctx-nr-r0',
  'nr-r2': '--rs-ctx-nr-r0',
  'nr-r3': '--rs-ctx-nr-r3',
  hw: '--rs-ctx-hardware',
}
