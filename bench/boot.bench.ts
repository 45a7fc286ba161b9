// Boot to the shell prompt, for each ringos image in public/guests/guests.json: the guest instructions
// the headless runner counts from the loader's hand-off until the guest sits idle at its prompt
// (`--until-idle` with no input). Budget (issue 6): fewer than 5 M. Prints one JSON line. The native
// and virtio images boot on the raw machine; an image whose platform needs its hypervisor (hyperv,
// xen-pv) boots under that architecture's model.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const REPO = join(import.meta.dirname, '..')
const GUESTS = join(REPO, 'public', 'guests')
const BUDGET = 5_000_000

interface Summary {
  stop: string
  instructions: number
  cycles: number
  console: string
}

const manifest = JSON.parse(readFileSync(join(GUESTS, 'guests.json'), 'utf8')) as {
  images: { name: string; elf: string; platform: string }[]
}
/** Platforms that only run under their hypervisor's model. */
const NEEDS_ARCH: Record<string, string> = { hyperv: 'hyperv', 'xen-pv': 'xen-pv' }
const images: Record<string, object> = {}
for (const { name, elf, platform } of manifest.images) {
  const arch = NEEDS_ARCH[platform]
  const out = execFileSync(
    join(REPO, 'node_modules', '.bin', 'tsx'),
    [
      'src/cli/main.ts',
      'run',
      '--image',
      join(GUESTS, elf),
      ...(arch ? ['--arch', arch] : []),
      '--until-idle',
      '--json',
    ],
    { cwd: REPO, encoding: 'utf8', maxBuffer: 64 << 20 },
  )
  const r = JSON.parse(out) as Summary
  if (r.stop !== 'idle' || !r.console.endsWith('$ '))
    throw new Error(`${elf} did not reach its prompt (stop: ${r.stop})`)
  images[name] = {
    ...(arch ? { arch } : {}),
    instructions: r.instructions,
    virtualMsUntilIdle: Math.round(r.cycles / 1e6),
    withinBudget: r.instructions < BUDGET,
  }
}
console.log(JSON.stringify({ bench: 'boot', budgetInstructions: BUDGET, images }))
