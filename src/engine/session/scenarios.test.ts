import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { ArchId } from '../hv/architectures'
import { MODELS } from '../hv/models'
import { ARCH_PLATFORMS } from '../hv/platforms'
import { SCENARIOS, manageLine, scenarioRuns } from './scenarios'
import { Session } from './session'

const guest = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../../public/guests/${name}`, import.meta.url)))

/** A session of `arch` with the ringos build for its first platform (nothing runs: only the shell is used). */
function session(arch: ArchId): Session {
  const platform = ARCH_PLATFORMS[arch][0]!
  return new Session({
    arch,
    vms: [{ image: guest(`ringos-${platform}.elf`), disk: guest('ringos-disk.img'), platform }],
  })
}

describe('the management scenario', () => {
  const manage = SCENARIOS.find((s) => s.id === 'manage')!
  const step = manage.steps.find((s) => s.kind === 'manage')!

  for (const arch of Object.keys(MODELS) as ArchId[])
    it(`${arch}: runs wherever there is a management shell, and its line is one the shell accepts`, () => {
      const s = session(arch)
      const tools = s.model.shell?.tools ?? null
      expect(scenarioRuns(manage, tools)).toBe(tools !== null)
      if (tools === null) return
      const line = manageLine(step, tools)!
      expect(tools).toContain(line.split(' ')[0])
      const r = s.manage(line)
      expect(r.exitCode, r.output).toBe(0)
    })
})
