import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { GuestLibrary } from '../../client/guest-images'
import { InProcessClient } from '../../client/in-process-client'
import { FlowKind } from '../../engine/trace/schema'
import { COMMAND_ARGS, MAX_CYCLES_PER_SECOND } from '../../worker/protocol'
import { createSessionStore, type SessionStore } from '../session-store'

const GUESTS = new URL('../../../public/guests/', import.meta.url)
const library = () => new GuestLibrary(GUESTS, async (url) => new Response(readFileSync(fileURLToPath(url))))

const stores: SessionStore[] = []
afterEach(() => {
  for (const s of stores.splice(0)) {
    s.dispose()
    s.client.dispose()
  }
})

async function bareStore() {
  const store = createSessionStore(new InProcessClient(), { guests: library() })
  stores.push(store)
  await store.getState().connect()
  await store.getState().openSession({ arch: 'bare', vms: 1, guest: 'ringos-native' })
  expect(store.getState().live.phase).toBe('ready')
  return store
}

const answers = (store: SessionStore) => store.getState().inspector.answers

describe('the inspector slice', () => {
  it('asks the engine when a session opens, after a run and after every step', async () => {
    const store = await bareStore()
    await expect.poll(() => store.getState().inspector.detail?.detail?.cpu?.eip).toBeTypeOf('number')
    const first = store.getState().inspector.detail!
    expect(first).toMatchObject({
      arch: 'bare',
      instructions: 0,
      vms: [{ index: 1, context: { vmx: 'off', cpl: 0 } }],
    })

    // Boot to the prompt at full speed: the events land in the kept stream, the inspector follows.
    await store.client.call('run', { cyclesPerSecond: MAX_CYCLES_PER_SECOND, untilIdle: true })
    const trace = store.getState().trace
    expect(trace.size).toBeGreaterThan(1000)
    expect(trace.flowsByKind[FlowKind.Syscall]).toBeGreaterThan(0)
    await expect.poll(() => store.getState().inspector.detail?.instructions ?? 0).toBeGreaterThan(100_000)

    const before = answers(store)
    const eip = store.getState().inspector.detail!.detail!.cpu!.eip
    await store.getState().step('instruction')
    await expect.poll(() => answers(store)).toBeGreaterThan(before)
    expect(store.getState().inspector.detail!.detail!.cpu!.eip).not.toBe(eip)
  })

  it('walks the address the user picks and names the guest’s task from its map', async () => {
    const store = await bareStore()
    await store.client.call('run', { cyclesPerSecond: MAX_CYCLES_PER_SECOND, untilIdle: true })
    store.getState().pickAddress(0x100010)
    await expect.poll(() => store.getState().inspector.detail?.detail?.walk?.physical).toBe(0x100010)
    const map = JSON.parse(new TextDecoder().decode((await store.getState().guestMapBytes())!)) as {
      images: { kernel: { objects: { name: string; start: number }[] } }
    }
    const current = map.images.kernel.objects.find((o) => o.name === 'current')!
    store.getState().setTaskHint({ pointer: current.start, nameOffset: 12, nameLength: 32 })
    await expect
      .poll(() => store.getState().inspector.detail?.detail?.task)
      .toMatch(/^(idle|init|sh|clockd)$/)
    store.getState().pickAddress(null)
    await expect.poll(() => store.getState().inspector.detail?.detail?.walk).toBeNull()
  })

  it('starts the kept stream over with a new session', async () => {
    const store = await bareStore()
    await store.getState().step('flow')
    expect(store.getState().trace.size).toBeGreaterThan(0)
    await store.getState().openSession({ arch: 'bare', vms: 1, guest: 'ringos-native' })
    expect(store.getState().trace.size).toBe(0)
  })

  it('sends only bounded, well-formed requests to the worker', () => {
    expect(COMMAND_ARGS.inspectVm({ vm: 1, linear: 0xffffffff })).toEqual({ vm: 1, linear: 0xffffffff })
    expect(() => COMMAND_ARGS.inspectVm({ vm: 0 })).toThrow(/inspectVm.vm/)
    expect(() => COMMAND_ARGS.inspectVm({ vm: 1, linear: 2 ** 32 })).toThrow(/inspectVm.linear/)
    expect(() =>
      COMMAND_ARGS.inspectVm({ vm: 1, task: { pointer: 0, nameOffset: 0, nameLength: 1000 } }),
    ).toThrow(/nameLength/)
  })
})
