// Adams & Agesen (ASPLOS 2006) reproduced in shape with ringos's lab programs: cycles per operation
// of syscall, in (port I/O), ptemod and forkwait on bare metal, under binary translation and under
// first-generation VT-x, the winner of each software-versus-hardware contest, and whether it matches
// the paper's. One JSON line.
import { PAPER, measure, winners } from './lib/adams-agesen'

const n = Number(process.env.RINGSIDE_AA_N ?? 400)
const table = measure(n)
const won = winners(table)
const matches = Object.fromEntries(
  Object.entries(won).map(([m, w]) => [m, w === PAPER[m as keyof typeof PAPER].winner]),
)
console.log(
  JSON.stringify({
    bench: 'adams-agesen',
    operations: n,
    cyclesPerOperation: table,
    winner: won,
    paperWinner: Object.fromEntries(Object.entries(PAPER).map(([m, p]) => [m, p.winner])),
    matchesPaper: matches,
    allMatch: Object.values(matches).every(Boolean),
  }),
)

// The same figures as a table on stderr (stdout stays one JSON line for tools).
const rows = Object.entries(table).map(([m, c]) => ({
  benchmark: m,
  native: Math.round(c.native),
  'binary translation': Math.round(c.software),
  'VT-x (2006)': Math.round(c.hardware),
  winner: won[m as keyof typeof won],
  'paper agrees': matches[m] ? 'yes' : 'NO',
}))
console.error('Adams & Agesen 2006, cycles per operation:')
// console.table writes to stdout; a Console on stderr keeps the JSON line alone there.
new console.Console(process.stderr).table(rows)
