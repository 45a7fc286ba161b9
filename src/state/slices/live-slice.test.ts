import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { GuestLibrary, parseGuestManifest } from '../../client/guest-images'
import { InProcessClient } from '../../client/in-process-client'
import { ARCH_IDS } from '../../engine/hv/architectures'
import { MODELS } from '../../engine/hv/models'
import { SCENARIOS, scenarioRuns } from '../../engine/session/scenarios'
import { utf8Decode } from '../../engine/util/utf8'
import { createSessionStore, type SessionStore } from '../session-store'
import { DEFAULT_LIVE, parseSettings } from '../settings'
import { defaultGuest } from './guest-platforms'

const GUESTS = new URL('../../../public/guests/', import.meta.url)
const served: string[] = []
const library = () =>
  new GuestLibrary(GUESTS, async (url) => {
    served.push(url)
    return new Response(readFileSync(fileURLToPath(url)))
  })

const stores: SessionStore[] = []
afterEach(() => {
  for (const s of stores.splice(0)) {
    s.dispose()
    s.client.dispose()
  }
})

async function open() {
  const store = createSessionStore(new InProcessClient(), { guests: library() })
  stores.push(store)
  await store.getState().connect()
  return store
}

const text = (store: SessionStore, vm = 1) =>
  store
    .getState()
    .consoles.history(vm)
    .map((b) => utf8Decode(b))
    .join('')

const bare = { arch: 'bare', vms: 1, guest: 'ringos-native' } as const

describe('the live session', () => {
  it('loads the guest, runs the boot and cpuinfo scenarios, and keeps running afterwards', async () => {
    const store = await open()
    await store.getState().openSession(bare)
    expect(store.getState().live).toMatchObject({ phase: 'ready', session: { arch: 'bare' } })
    // The ELF and the disk from the manifest, each fetched once.
    expect(served.filter((u) => u.endsWith('ringos-native.elf'))).toHaveLength(1)
    await store.getState().setSpeed('full')
    const booted = store.getState().runScenario('boot')
    await expect.poll(() => store.getState().live.scenario?.state, { timeout: 30_000 }).toBe('done')
    expect(text(store)).toMatch(/ringos 1\.0 on the native platform[\s\S]*\$ $/)
    expect(store.getState().live.running).toBe(true)
    await store.getState().pause()
    await booted
    expect(store.getState().live).toMatchObject({ running: false, status: { state: 'paused' } })

    const cpuinfo = store.getState().runScenario('cpuinfo')
    await expect.poll(() => store.getState().live.scenario?.state, { timeout: 30_000 }).toBe('done')
    expect(text(store)).toMatch(/\$ cpuinfo\r\nvendor: GenuineIntel[\s\S]*hypervisor: none[\s\S]*\$ $/)
    await store.getState().pause()
    await cpuinfo
  })

  it('Pause holds the animation; a run, a step or a demonstration lets it go on', async () => {
    const store = await open()
    await store.getState().openSession(bare)
    const held = () => store.getState().live.held
    expect(held()).toBe(false)
    const run = store.getState().run()
    await expect.poll(() => store.getState().live.status?.state).toBe('running')
    await store.getState().pause()
    await run
    expect(held()).toBe(true)
    await store.getState().step('instruction')
    expect(held()).toBe(false)
    await store.getState().pause()
    expect(held()).toBe(true)
    store.getState().setHeld(false)
    expect(held()).toBe(false)
  })

  it('in slow motion asks for one flow at a time, each after the previous was shown', async () => {
    const store = await open()
    await store.getState().openSession(bare)
    let shown = 0
    store.getState().setFlowPacer(async () => {
      shown++
      if (shown === 3) await store.getState().pause()
    })
    await store.getState().setSpeed('flow')
    await store.getState().run()
    expect(shown).toBe(3)
    expect(store.getState().live).toMatchObject({ running: false, status: { state: 'paused', stop: 'step' } })
  })

  it('switches between slow motion and a paced run while running', async () => {
    const store = await open()
    await store.getState().openSession(bare)
    await store.getState().setSpeed('flow')
    let shown = 0
    // A pacer takes time, as the diagram's animation does (an instant one would starve the timers).
    store.getState().setFlowPacer(async () => {
      if (++shown === 2) await store.getState().setSpeed('1m')
      await new Promise((r) => setTimeout(r, 1))
    })
    const running = store.getState().run()
    await expect.poll(() => store.getState().live.status?.state).toBe('running')
    expect(shown).toBe(2)
    await store.getState().setSpeed('flow')
    await expect.poll(() => shown).toBeGreaterThan(2)
    expect(store.getState().live.running).toBe(true)
    await store.getState().pause()
    await running
    expect(store.getState().live.running).toBe(false)
  })

  it('says which architectures can run when the chosen one has no model yet', async () => {
    const missing = ARCH_IDS.find((a) => MODELS[a] === undefined)
    if (missing === undefined) return
    const store = await open()
    await store.getState().openSession({ ...bare, arch: missing })
    expect(store.getState().live).toMatchObject({
      phase: 'unavailable',
      session: null,
      problem: { kind: 'no-model', arch: missing, available: Object.keys(MODELS) },
    })
  })

  it('runs a guest image whose platform the architecture runs', async () => {
    const store = await open()
    // The Hyper-V platform needs the Hyper-V MSRs: bare metal runs the first image that fits instead.
    await store.getState().openSession({ ...bare, guest: 'ringos-hyperv' })
    expect(store.getState().live).toMatchObject({ phase: 'ready', image: 'ringos-native' })
    expect(store.getState().live.images).toContain('ringos-virtio')
    expect(store.getState().live.images).not.toContain('ringos-hyperv')
    expect(store.getState().live.session?.vms[0]?.platform).toBe('native')
  })

  it("boots each architecture's default image unless the user picked another that runs there", async () => {
    const store = await open()
    const image = async (arch: 'container' | 'xen-pv' | 'kvm', guest: string) => {
      await store.getState().openSession({ arch, vms: 1, guest })
      expect(store.getState().live.phase).toBe('ready')
      return store.getState().live.image
    }
    // Containers need the kernel with namespaces and runc on its disk, though ringos-native's platform fits.
    expect(await image('container', defaultGuest('container'))).toBe('ringos-container')
    expect(served.some((u) => u.endsWith('ringos-container-disk.img'))).toBe(true)
    expect(store.getState().live.images).toEqual(['ringos-native', 'ringos-container'])
    expect(await image('container', 'ringos-native')).toBe('ringos-native')
    expect(await image('container', 'ringos-virtio')).toBe('ringos-container')
    expect(await image('xen-pv', 'ringos-native')).toBe('ringos-xen-pv')
    expect(store.getState().live.session?.vms[0]?.platform).toBe('xen-pv')
    expect(await image('kvm', defaultGuest('kvm'))).toBe('ringos-native')
  })

  it('re-creates the session with the same choices after the engine crashed and restarted', async () => {
    const store = await open()
    await store.getState().openSession(bare)
    await store.getState().fault('crash')
    await expect.poll(() => store.getState().engine.status).toBe('failed')
    expect(store.getState().live.session).toBeNull()
    await store.getState().restart()
    await expect.poll(() => store.getState().live.phase).toBe('ready')
    expect(store.getState().live).toMatchObject({
      config: bare,
      session: { arch: 'bare', vms: [{ index: 1 }] },
    })
  })

  it('a management line goes to the shell and into the management log', async () => {
    const store = await open()
    await store.getState().openSession(bare)
    const r = await store.getState().manage('xl list')
    // Bare metal has no management plane; the answer says so (exit 127), and it is not an error.
    expect(r).toMatchObject({ exitCode: 127 })
    expect(store.getState().live.management).toEqual([
      expect.objectContaining({ line: 'xl list', exitCode: 127, source: 'terminal' }),
    ])
    expect(store.getState().engine.error).toBeNull()
  })
})

describe('scenarios and settings', () => {
  it('a management scenario needs a shell that knows one of its tools', () => {
    const manage = SCENARIOS.find((s) => s.id === 'manage')!
    expect(scenarioRuns(manage, null)).toBe(false)
    expect(scenarioRuns(manage, ['virsh'])).toBe(true)
    expect(scenarioRuns(manage, ['esxcli'])).toBe(false)
    expect(SCENARIOS.filter((s) => s.id !== 'manage').every((s) => scenarioRuns(s, null))).toBe(true)
  })

  it('stored live choices are validated field by field', () => {
    expect(
      parseSettings(
        '{"live":{"scenario":"cpuinfo","speed":"warp","stepUnit":"event","guests":{"kvm":"ringos-virtio","bare":"../x","vax":"a"}}}',
      ).live,
    ).toEqual({
      ...DEFAULT_LIVE,
      scenario: 'cpuinfo',
      stepUnit: 'event',
      guests: { kvm: 'ringos-virtio' },
    })
    expect(parseSettings('{"live":{"guests":["ringos-native"]}}').live?.guests).toEqual({})
  })

  it('the guest manifest keeps only plain file names and known platforms', () => {
    expect(
      parseGuestManifest({
        format: 'ringos-guests/1',
        images: [
          { name: 'a', elf: 'a.elf', platform: 'native' },
          { name: 'b', elf: '../b.elf', platform: 'native' },
          { name: 'c', elf: 'c.elf', platform: 'amiga' },
          { name: 'd', elf: 'd.elf', disk: 'https://x/d.img', platform: 'virtio' },
        ],
      }),
    ).toEqual([{ name: 'a', elf: 'a.elf', disk: null, platform: 'native' }])
    expect(() => parseGuestManifest({ images: [] })).toThrow(/format/)
  })
})
