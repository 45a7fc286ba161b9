/**
 * The null monitor's machine is deterministic and snapshot-able like bare metal (DESIGN §3): a
 * snapshot taken while ringos boots in VMX non-root operation, restored into a fresh monitor, continues
 * to exactly the same console output, instruction count, virtual time and VM exits.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { utf8Decode, utf8Encode } from '../../src/engine/util/utf8'
import { NullMonitor } from '../../src/engine/vmx/null-monitor'
import { GUESTS } from '../guest/tools'

const image = new Uint8Array(readFileSync(join(GUESTS, 'ringos-native.elf')))
const disk = (): Uint8Array => new Uint8Array(readFileSync(join(GUESTS, 'ringos-disk.img')))
const IDLE = 100 * 1_000_000 // 100 ms of virtual time halted, as the runner's --until-idle

function monitor(): { m: NullMonitor; console: () => string } {
  const m = new NullMonitor({ disk: disk() })
  const out: number[] = []
  m.pc.onConsoleOutput = (c, bytes) => {
    if (c === 0) out.push(...bytes)
  }
  return { m, console: () => utf8Decode(Uint8Array.from(out)) }
}

describe('null monitor snapshots', () => {
  it('continues identically after a restore taken mid-boot, in non-root operation', () => {
    const a = monitor()
    a.m.load(image)
    a.m.pc.queueConsoleInput(0, utf8Encode('ls\n'))
    expect(a.m.run(400_000)).toBe('max-insns')
    expect(a.m.vmx.inRoot).toBe(false)
    const snap = a.m.snapshot()
    const before = a.console()
    expect(a.m.run(50_000_000, IDLE)).toBe('idle')

    const b = monitor()
    b.m.restore(snap)
    expect(b.m.run(50_000_000, IDLE)).toBe('idle')
    expect(before + b.console()).toBe(a.console())
    expect(a.console()).toContain('motd')
    expect([b.m.cpu.instructions, b.m.clock.cycles, b.m.exitSummary()]).toEqual([
      a.m.cpu.instructions,
      a.m.clock.cycles,
      a.m.exitSummary(),
    ])
  })
})
