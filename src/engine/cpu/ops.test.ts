import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { Op, OP_COUNT } from './ops'

/** `case N: // Name` or `case N: {` followed by `// Name`, in the two executor files. */
function caseLabels(file: string): Map<number, string> {
  const src = readFileSync(fileURLToPath(new URL(file, import.meta.url)), 'utf8')
  const out = new Map<number, string>()
  const re = /case (\d+): (?:\/\/ (\w+)|\{\s*\n\s*\/\/ (\w+))/g
  for (let m = re.exec(src); m; m = re.exec(src)) {
    const n = Number(m[1])
    const name = m[2] ?? m[3]
    expect(out.has(n), `case ${n} appears twice in ${file}`).toBe(false)
    out.set(n, name)
  }
  return out
}

describe('executor case labels', () => {
  const hot = caseLabels('./execute.ts')
  const rare = caseLabels('./execute-rare.ts')
  // execute.ts also has small inner switches (ALU kinds) whose labels are not ops: only take its op labels.
  const ops = Object.entries(Op).filter((e): e is [string, number] => typeof e[1] === 'number')

  it('every op has exactly one handler, labelled with its own name', () => {
    expect(ops.length).toBe(OP_COUNT)
    for (const [name, n] of ops) {
      const label = hot.get(n) ?? rare.get(n)
      expect(label, `op ${name} (${n}) has no case`).toBeDefined()
      expect(label, `case ${n} is labelled ${label}, but op ${n} is ${name}`).toBe(name)
      expect(hot.has(n) && rare.has(n), `op ${name} handled twice`).toBe(false)
    }
  })
})
