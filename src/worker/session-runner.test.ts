import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { Session } from '../engine/session/session'
import { DirectOutlet, EventPump } from './event-pump'
import type { SessionNotice } from './protocol'
import { SessionRunner } from './session-runner'

const guest = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../public/guests/${name}`, import.meta.url)))

describe('SessionRunner', () => {
  it('turns an engine exception into a failed session that refuses further work', async () => {
    const session = new Session({
      arch: 'bare',
      vms: [{ image: guest('ringos-native.elf'), disk: guest('ringos-disk.img'), platform: 'native' }],
    })
    session.run = () => {
      throw new Error('engine bug')
    }
    const notices: SessionNotice[] = []
    const runner = new SessionRunner(session, 1, {
      pump: new EventPump(new DirectOutlet(() => {}), 256),
      notify: (n) => notices.push(n),
      yieldToEventLoop: () => new Promise((resolve) => setTimeout(resolve, 0)),
      now: () => performance.now(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    })
    await expect(runner.run({ cyclesPerSecond: 1_000_000_000, untilIdle: false })).rejects.toThrow(
      'engine bug',
    )
    expect(runner.status().state).toBe('failed')
    expect(notices.at(-1)).toMatchObject({ t: 'session', status: { state: 'failed' } })
    await expect(runner.step('instruction')).rejects.toThrow(/failed earlier/)
  })
})
