/**
 * Scenarios: what the live view runs on a session, as timed inputs — wait until the guest waits at its
 * prompt, type a line into a VM's console, run a command in the management shell. They are data, so
 * the live view, lessons and tests run the same steps, and every step is an ordinary session command
 * (run until idle, input, manage). Labels are the interface's (i18n, keyed by id).
 *
 * The programs are ringos's (guest/README.md "The shell and its programs"); `bench syscall`, `bench io`
 * and `forkwait` are the microbenchmarks of Adams & Agesen (ASPLOS 2006) that show what a system call,
 * a disk read and a process creation cost on each architecture.
 */

/** ringos's shell prompt (guest/user/sh.c). */
export const RINGOS_PROMPT = '$ '

export type ScenarioStep =
  /** A fresh session: the VMs power on from their images. */
  | { readonly kind: 'reset' }
  /**
   * Run until the machine is idle (all input read, every VM waiting), or, when stepping flow by flow,
   * until the VM's console ends with `prompt`.
   */
  | { readonly kind: 'wait'; readonly vm: number; readonly prompt: string }
  /** Keystrokes into VM `vm`'s console (1-based). */
  | { readonly kind: 'type'; readonly vm: number; readonly text: string }
  /**
   * One line in the management shell, chosen by the shell's first tool (`virsh`, `xl`, `vim-cmd`,
   * `Get-VM`, `vmrun`, `runc`): the same request, as each architecture's tool spells it.
   */
  | { readonly kind: 'manage'; readonly lines: Readonly<Record<string, string>> }

export interface Scenario {
  readonly id: string
  readonly steps: readonly ScenarioStep[]
}

const wait: ScenarioStep = { kind: 'wait', vm: 1, prompt: RINGOS_PROMPT }

/** Waits for the prompt, types `line` into VM 1, and waits for the prompt again. */
function command<I extends string>(id: I, line: string): Scenario & { readonly id: I } {
  return { id, steps: [wait, { kind: 'type', vm: 1, text: `${line}\n` }, wait] }
}

export const SCENARIOS = [
  { id: 'boot', steps: [{ kind: 'reset' }, wait] },
  command('echo', 'echo hello, ringside'),
  command('cpuinfo', 'cpuinfo'),
  command('bench-syscall', 'bench syscall'),
  command('bench-io', 'bench io'),
  command('forkwait', 'forkwait 10'),
  {
    id: 'manage',
    steps: [
      wait,
      {
        kind: 'manage',
        lines: {
          virsh: 'virsh list --all',
          xl: 'xl list',
          'vim-cmd': 'vim-cmd vmsvc/getallvms',
          'Get-VM': 'Get-VM',
          vmrun: 'vmrun list',
          runc: 'runc list',
        },
      },
    ],
  },
] as const satisfies readonly Scenario[]

export type ScenarioId = (typeof SCENARIOS)[number]['id']
export const SCENARIO_IDS: readonly ScenarioId[] = SCENARIOS.map((s) => s.id)

export function isScenarioId(x: unknown): x is ScenarioId {
  return typeof x === 'string' && (SCENARIO_IDS as readonly string[]).includes(x)
}

export function scenario(id: ScenarioId): Scenario {
  const s = SCENARIOS.find((x) => x.id === id)
  if (s === undefined) throw new RangeError(`no scenario ${id}`)
  return s
}

/** The management line of a step for a shell whose tools are `tools`; null when the shell has none of them. */
export function manageLine(
  step: { readonly lines: Readonly<Record<string, string>> },
  tools: readonly string[],
): string | null {
  for (const t of tools) if (Object.prototype.hasOwnProperty.call(step.lines, t)) return step.lines[t] ?? null
  return null
}

/** Whether a scenario can run where the management shell has `tools` (null: no shell). */
export function scenarioRuns(s: Scenario, tools: readonly string[] | null): boolean {
  return s.steps.every(
    (step) => step.kind !== 'manage' || (tools !== null && manageLine(step, tools) !== null),
  )
}
