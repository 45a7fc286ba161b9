import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { GUESTS, REPO } from './tools'

/** The runner's JSON result (src/cli/summary.ts), the part these tests read. */
export interface RunResult {
  readonly stop: string
  readonly instructions: number
  readonly cycles: number
  readonly console: string
  readonly events: Readonly<Record<string, number>>
  readonly faults: Readonly<Record<string, number>>
}

const run = promisify(execFile)

/**
 * Boots a guest image through Ringside's headless runner — what `npm run -s ringside -- run --image
 * IMAGE --input INPUT --until-idle --json` does — and returns its JSON result.
 */
export async function runGuest(
  image: string,
  input: string,
  extra: readonly string[] = [],
): Promise<RunResult> {
  const args = ['src/cli/main.ts', 'run', '--image', join(GUESTS, image), '--until-idle', '--json', ...extra]
  if (input) args.push('--input', input)
  const { stdout } = await run(join(REPO, 'node_modules', '.bin', 'tsx'), args, {
    cwd: REPO,
    maxBuffer: 64 << 20,
  })
  return JSON.parse(stdout) as RunResult
}

/** One command of a transcript: the line typed after a prompt and everything printed until the next prompt. */
export interface Step {
  readonly command: string
  readonly output: string
}

/**
 * Splits console output at the shell's prompts. CR LF (the console's line ends) becomes LF. The text
 * before the first prompt is the boot log; a last step with an empty command is the final prompt.
 */
export function transcript(console: string): { boot: string; steps: Step[] } {
  const [boot, ...rest] = console.replace(/\r\n/g, '\n').split(/^\$ /m)
  const steps = rest.map((chunk) => {
    const nl = chunk.indexOf('\n')
    return nl < 0
      ? { command: chunk, output: '' }
      : { command: chunk.slice(0, nl), output: chunk.slice(nl + 1) }
  })
  return { boot, steps }
}

/** Parses `name: key=value key=value ...` from the first line of output that starts with prefix. */
export function fields(output: string, prefix: string): Record<string, string> {
  const line = output.split('\n').find((l) => l.startsWith(prefix))
  if (line === undefined) throw new Error(`no line starting with '${prefix}' in:\n${output}`)
  return Object.fromEntries(
    line
      .slice(prefix.length)
      .trim()
      .split(/\s+/)
      .map((kv) => kv.split('=') as [string, string]),
  )
}
