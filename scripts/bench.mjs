// npm run bench: runs every bench/*.bench.ts in turn with tsx and prints each one's JSON line.
// A bench that fails prints {"bench": name, "error": …} instead, and the run exits non-zero.
import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { basename } from 'node:path'

const dir = new URL('../bench/', import.meta.url)
const tsx = new URL('../node_modules/.bin/tsx', import.meta.url).pathname
const only = process.argv.slice(2)
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.includes(basename(f, '.bench.ts')))
  .sort()

function run(file) {
  return new Promise((ok) => {
    const child = spawn(tsx, [new URL(file, dir).pathname], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => {
      process.stderr.write(d)
      err = (err + d).slice(-20_000)
    })
    child.on('exit', (code) => ok({ code: code ?? 1, out, err }))
  })
}

let failed = false
for (const file of benches) {
  const name = basename(file, '.bench.ts')
  const { code, out, err } = await run(file)
  const lines = out.split('\n').filter((l) => l.trim() !== '')
  let record
  try {
    record = lines.length === 1 ? JSON.parse(lines[0]) : undefined
  } catch {
    record = undefined
  }
  if (code === 0 && record?.bench === name) {
    console.log(JSON.stringify(record))
  } else {
    failed = true
    const thrown = err.split('\n').find((l) => /^\w*Error\b/.test(l))
    const why =
      code !== 0
        ? `exit code ${code}${thrown ? `: ${thrown}` : ''}`
        : `expected one JSON line {"bench":"${name}",…} on stdout, got ${lines.length} line(s)`
    console.log(JSON.stringify({ bench: name, error: why, stdout: out.slice(0, 2000) }))
  }
}
if (benches.length === 0) console.error('no bench/*.bench.ts found')
process.exit(failed ? 1 : 0)
