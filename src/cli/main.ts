/**
 * The headless runner: `npm run -s ringside -- run --image FILE [options]`. It boots an image on a
 * bare-metal Ringside PC and reports how the run ended (see README "Headless runner"). Bad arguments
 * or an unreadable or malformed image: one line on stderr, exit code 2. A guest that misbehaves is a
 * result, not an error.
 */
import { readFileSync } from 'node:fs'
import { BareMetal } from '../engine/machine/bare-metal-run'
import { NullMonitor } from '../engine/vmx/null-monitor'
import { CYCLES_PER_MS } from '../engine/machine/clock'
import { Console } from '../engine/machine/pc'
import { ImageError } from '../engine/loader/image-error'
import { USAGE, UsageError, parseRunArgs, type RunArgs } from './args'
import { guestImageInfo } from './guest-manifest'
import { runSummary } from './summary'
import { utf8Encode } from '../engine/util/utf8'
import { ConfigError, PLATFORMS, type Platform } from '../engine/session/config'
import { Session } from '../engine/session/session'
import { sessionSummary } from '../engine/session/summary'

/** --until-idle: virtual time the guest must spend halted, after reading all input, to count as idle. */
const UNTIL_IDLE_MS = 100

function fail(message: string, code: number): never {
  process.stderr.write(`ringside: ${message.split('\n')[0]}\n`)
  process.exit(code)
}

function readInput(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path))
  } catch (e) {
    fail(`cannot read ${what} '${path}': ${(e as NodeJS.ErrnoException).code ?? String(e)}`, 2)
  }
}

function isPlatform(p: string | undefined): p is Platform {
  return p !== undefined && (PLATFORMS as readonly string[]).includes(p)
}

/** `--arch <architecture>`: a session of that hypervisor model, with the runner's JSON plus the model's summary. */
function runSession(
  args: RunArgs,
  image: Uint8Array,
  disk: Uint8Array | undefined,
  platform: Platform,
): void {
  let session: Session
  try {
    session = new Session({
      arch: args.arch,
      vms: Array.from({ length: args.vms }, () => ({
        image,
        ...(disk ? { disk } : {}),
        platform,
        memMiB: args.memMiB,
        cmdline: args.cmdline,
        ...(args.loadAddr === undefined ? {} : { loadAddr: args.loadAddr }),
        ...(args.entry === undefined ? {} : { entry: args.entry }),
      })),
      ...(args.paging ? { paging: args.paging } : {}),
      ...(args.costProfile ? { costProfile: args.costProfile } : {}),
      ...(args.vhost ? { vhost: true } : {}),
      manage: args.manage,
    })
  } catch (e) {
    if (e instanceof ConfigError || e instanceof ImageError) fail(`${args.image}: ${e.message}`, 2)
    throw e
  }
  if (args.input) for (const vm of session.vms) session.input(vm.index, utf8Encode(args.input))
  const result = session.run({
    maxInstructions: args.maxInsns,
    ...(args.untilIdle ? { untilIdleMs: UNTIL_IDLE_MS } : {}),
  })
  const summary = { ...sessionSummary(session, result), ...session.model.summaryExtras?.() }
  if (args.json) process.stdout.write(`${JSON.stringify(summary)}\n`)
  else {
    process.stdout.write(summary.console)
    const code = summary.exitCode === undefined ? '' : ` exitCode=${summary.exitCode}`
    process.stderr.write(
      `ringside: arch=${summary.arch} stop=${summary.stop}${code} instructions=${summary.instructions} cycles=${summary.cycles}\n`,
    )
  }
}

function main(argv: readonly string[]): void {
  let args: RunArgs
  try {
    args = parseRunArgs(argv)
  } catch (e) {
    if (e instanceof UsageError) fail(`${e.message} (${USAGE})`, 2)
    throw e
  }
  const image = readInput(args.image, 'image')
  // A guest image built with its own disk and platform (guests.json) gets them by default.
  const guest = guestImageInfo(args.image)
  const diskPath = args.disk ?? guest?.disk
  const disk = diskPath === undefined ? undefined : readInput(diskPath, 'disk')
  if (args.arch !== 'machine' && args.arch !== 'vmx-null') {
    const own = guest?.platform
    runSession(args, image, disk, args.platform ?? (isPlatform(own) ? own : 'native'))
    return
  }
  const consoleIndex =
    (args.console ?? (guest?.platform === 'virtio' ? 'virtio' : 'com1')) === 'virtio'
      ? Console.virtio
      : Console.com1
  const m =
    args.arch === 'vmx-null'
      ? new NullMonitor({ memMiB: args.memMiB, disk })
      : new BareMetal({ memMiB: args.memMiB, disk })
  const out: number[] = []
  m.pc.onConsoleOutput = (console, bytes) => {
    if (console !== consoleIndex) return
    if (args.json) for (const b of bytes) out.push(b)
    else process.stdout.write(bytes)
  }
  try {
    m.load(image, { loadAddr: args.loadAddr, entry: args.entry, cmdline: args.cmdline })
  } catch (e) {
    if (e instanceof ImageError) fail(`${args.image}: ${e.message}`, 2)
    throw e
  }
  if (args.input) m.pc.queueConsoleInput(consoleIndex, utf8Encode(args.input))
  const stop = m.run(args.maxInsns, args.untilIdle ? UNTIL_IDLE_MS * CYCLES_PER_MS : Infinity)
  const summary = runSummary(m, stop, Uint8Array.from(out))
  if (args.json) process.stdout.write(`${JSON.stringify(summary)}\n`)
  else {
    const code = summary.exitCode === undefined ? '' : ` exitCode=${summary.exitCode}`
    process.stderr.write(
      `ringside: stop=${stop}${code} instructions=${summary.instructions} cycles=${summary.cycles} cpl=${summary.cpl}\n`,
    )
  }
}

try {
  main(process.argv.slice(2))
} catch (e) {
  fail(`internal error (a Ringside bug): ${e instanceof Error ? e.message : String(e)}`, 1)
}
