import { fail, ok, tokenize, type ManagementShell, type ShellResult } from '../management'

/**
 * The management shell of the container architecture. runc is not a service beside the machine but
 * an ordinary program of the host it manages (runc(8); ringos's /bin/runc on the container disk): a
 * `runc` line here is typed into the host's terminal — VM 1's console — where the host shell runs it,
 * and its output appears there. Its steps (clone with CLONE_NEW*, cgroup, pivot_root, execve) are then
 * system calls of the one kernel, which the model reports as the management flow (container/model.ts).
 * While a container's shell holds the console the line goes to that shell instead, which has no runc:
 * as with a real terminal, manage containers from the host.
 */
export class RuncShell implements ManagementShell {
  readonly tools = ['runc'] as const

  constructor(private readonly typeOnHost: (line: string) => void) {}

  execute(line: string): ShellResult {
    let argv: string[]
    try {
      argv = tokenize(line)
    } catch (e) {
      return fail(`${(e as Error).message}\n`)
    }
    if (argv.length === 0) return ok()
    if (argv[0] !== 'runc')
      return fail(`sh: ${argv[0]}: not found (only runc manages containers here)\n`, 127)
    this.typeOnHost(argv.join(' '))
    return ok(`(runc runs on the host: "${argv.join(' ')}" typed into the host console)\n`)
  }
}
