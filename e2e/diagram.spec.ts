import type { Locator, Page } from '@playwright/test'
import { ARCH_IDS, TOPOLOGIES, type ArchId } from '../src/engine/hv/architectures'
import { instantiateTopology } from '../src/engine/hv/topology'
import { architecturesEn } from '../src/i18n/locales/architectures.en'
import { architecturesZhCN } from '../src/i18n/locales/architectures.zh-CN'
import { expectNoViolations } from './axe'
import { expect, test } from './fixtures'
import { LivePage } from './pages/live-page'

/** The architecture diagram as a user sees it. */
class DiagramView {
  readonly root: Locator
  readonly picker: Locator
  readonly vmCount: Locator
  readonly details: Locator
  readonly token: Locator
  readonly hops: Locator

  constructor(readonly page: Page) {
    this.root = page.getByTestId('diagram')
    this.picker = page.getByTestId('arch-picker')
    this.vmCount = page.getByTestId('vm-count')
    this.details = page.getByTestId('diagram-details')
    this.token = page.getByTestId('flow-token')
    this.hops = page.getByTestId('flow-hops')
  }

  async choose(arch: ArchId, vms = 1): Promise<void> {
    await this.picker.selectOption(arch)
    await this.vmCount.selectOption(String(vms))
    await expect(this.root).toHaveAttribute('data-arch', arch)
    await expect(this.root).toHaveAttribute('data-vms', String(vms))
  }

  /** Every instance of component `baseId` (one per VM for per-VM components). */
  component(baseId: string): Locator {
    return this.root.locator(`[data-testid^="component-"][data-base-id="${baseId}"]`)
  }

  /** The box of a component instance (the first for per-VM components unless `vm` is given). */
  box(baseId: string, vm?: number): Locator {
    const c =
      vm === undefined
        ? this.component(baseId).first()
        : this.component(baseId).and(this.page.locator(`[data-vm="${vm}"]`))
    return c.locator(':scope > rect.rs-dg-box')
  }

  row(id: string): Locator {
    return this.root.locator(`g.rs-dg-row[data-row="${id}"]`)
  }

  column(id: string): Locator {
    return this.root.locator(`rect.rs-dg-column[data-column="${id}"]`)
  }

  /** Tabs from the architecture picker into the diagram's components (one tab stop). */
  async tabIntoComponents(): Promise<void> {
    await this.picker.focus()
    for (let i = 0; i < 6; i++) {
      await this.page.keyboard.press('Tab')
      if ((await this.focusedTestId())?.startsWith('component-')) return
    }
    throw new Error('no component took the focus')
  }

  async focusedTestId(): Promise<string | null> {
    return this.page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null)
  }

  async focusedBaseId(): Promise<string | null> {
    return this.page.evaluate(() => document.activeElement?.getAttribute('data-base-id') ?? null)
  }

  /** Moves the keyboard focus with the arrow keys until it is on `baseId`. */
  async arrowTo(baseId: string): Promise<void> {
    for (const key of ['ArrowRight', 'ArrowLeft'] as const) {
      for (let i = 0; i < 40; i++) {
        if ((await this.focusedBaseId()) === baseId) return
        await this.page.keyboard.press(key)
      }
    }
    throw new Error(`could not reach ${baseId} with the arrow keys`)
  }
}

interface TokenSample {
  readonly hop: string
  readonly x: string
  readonly y: string
  readonly label: string
  /** The hop list's current step. */
  readonly step: string
}

/**
 * Starts watching the token in every animation frame for `ms` (resolves with what was seen while the
 * token was shown: its hop, the centre of its circle, its label and the hop list's current step). Start
 * it before the flow, so that a short flow is seen whole however busy the machine is.
 */
function sampleToken(page: Page, ms: number): Promise<TokenSample[]> {
  return page.evaluate(
    (ms) =>
      new Promise<TokenSample[]>((resolve) => {
        const samples: TokenSample[] = []
        const end = performance.now() + ms
        const tick = () => {
          const token = document.querySelector('[data-testid="flow-token"]')
          const circle = token?.querySelector('circle')
          const hop = token?.getAttribute('data-hop')
          if (hop != null && circle != null)
            samples.push({
              hop,
              x: circle.getAttribute('cx') ?? '',
              y: circle.getAttribute('cy') ?? '',
              label: token?.getAttribute('data-label') ?? '',
              step:
                document.querySelector('[data-testid="flow-hops"] [aria-current="step"]')?.textContent ?? '',
            })
          if (performance.now() < end) requestAnimationFrame(tick)
          else resolve(samples)
        }
        requestAnimationFrame(tick)
      }),
    ms,
  )
}

/** The distinct token positions seen on each hop. */
function positionsByHop(samples: readonly TokenSample[]): Map<string, Set<string>> {
  const by = new Map<string, Set<string>>()
  for (const s of samples) by.set(s.hop, (by.get(s.hop) ?? new Set()).add(`${s.x},${s.y}`))
  return by
}

async function rect(l: Locator) {
  const b = await l.boundingBox()
  if (b === null) throw new Error('not rendered')
  return b
}

async function expectInside(inner: Locator, outer: Locator) {
  const a = await rect(inner)
  const b = await rect(outer)
  expect(a.x).toBeGreaterThanOrEqual(b.x - 1)
  expect(a.y).toBeGreaterThanOrEqual(b.y - 1)
  expect(a.x + a.width).toBeLessThanOrEqual(b.x + b.width + 1)
  expect(a.y + a.height).toBeLessThanOrEqual(b.y + b.height + 1)
}

/** Vertically within the row (its stripe on the axis spans the row's height). */
async function expectInRow(inner: Locator, row: Locator) {
  const a = await rect(inner)
  const b = await rect(row.locator('rect.rs-dg-row-stripe'))
  expect(a.y).toBeGreaterThanOrEqual(b.y - 4)
  expect(a.y + a.height).toBeLessThanOrEqual(b.y + b.height + 4)
}

test.describe('architecture diagram', () => {
  for (const arch of ARCH_IDS)
    test(`${arch}: every component of the topology is drawn, one per instance`, async ({
      ringside,
      page,
    }) => {
      const d = new DiagramView(page)
      await ringside.open()
      await d.choose(arch, 2)
      const t = instantiateTopology(TOPOLOGIES[arch], 2)
      // The test hook names the instance (`component-qemu@2`), so it is unique.
      for (const c of t.components) await expect(page.getByTestId(`component-${c.id}`), c.id).toHaveCount(1)
      for (const baseId of new Set(t.components.map((c) => c.baseId))) {
        const instances = t.components.filter((c) => c.baseId === baseId)
        await expect(d.component(baseId), baseId).toHaveCount(instances.length)
        if (instances[0].vm !== null)
          for (const c of instances)
            await expect(d.component(baseId).and(page.locator(`[data-vm="${c.vm}"]`))).toHaveCount(1)
      }
      for (const row of t.rows) await expect(d.row(row)).toHaveCount(1)
    })

  test('kvm: kvm.ko sits in the ring −1 row, labelled VMX root, inside the host kernel', async ({
    ringside,
    page,
  }) => {
    const d = new DiagramView(page)
    await ringside.open()
    await d.choose('kvm', 2)
    await expect(d.component('kvm')).toHaveAttribute('data-row', 'root-r0')
    await expect(d.row('root-r0')).toContainText('Ring −1')
    await expect(d.row('root-r0')).toContainText('VMX root')
    await expectInRow(d.box('kvm'), d.row('root-r0'))
    await expectInside(d.box('kvm'), d.box('host-kernel'))
    await expect(d.component('qemu')).toHaveCount(2)
    await expectInside(d.box('qemu', 2), d.column('host'))
  })

  test('xen-hvm: the Dom0 kernel and the management mark on xl', async ({ ringside, page }) => {
    const d = new DiagramView(page)
    await ringside.open()
    await d.choose('xen-hvm', 1)
    await expect(d.component('dom0-kernel')).toBeVisible()
    await expectInside(d.box('dom0-kernel'), d.column('dom0'))
    await expect(d.component('xl')).toHaveAttribute('data-management', 'true')
    await expect(d.component('xl')).toContainText('▣ management')
    await expect(d.component('dom0-qemu')).not.toContainText('▣')
  })

  test('esxi: hostd is drawn inside the VMkernel column, marked as management', async ({
    ringside,
    page,
  }) => {
    const d = new DiagramView(page)
    await ringside.open()
    await d.choose('esxi', 2)
    await expectInside(d.box('hostd'), d.column('vmkernel'))
    await expect(d.component('hostd')).toContainText('▣ management')
    await expectInside(d.box('vmm', 2), d.box('vmkernel'))
  })

  test('hyperv: the root partition kernel sits in a non-root row', async ({ ringside, page }) => {
    const d = new DiagramView(page)
    await ringside.open()
    await d.choose('hyperv', 1)
    await expect(d.component('root-kernel')).toHaveAttribute('data-row', 'nr-r0')
    await expect(d.row('nr-r0')).toContainText('Non-root ring 0')
    await expectInRow(d.box('root-kernel'), d.row('nr-r0'))
    await expectInside(d.box('root-kernel'), d.column('root'))
    await expect(d.component('hypervisor')).toHaveAttribute('data-row', 'root-r0')
  })

  for (const language of ['en', 'zh-CN'] as const)
    test(`keyboard: a component's and an edge's details open with Enter and close with Escape (${language})`, async ({
      ringside,
      page,
    }) => {
      const d = new DiagramView(page)
      await ringside.open()
      await ringside.languageSelect.selectOption(language)
      await d.choose('kvm', 1)
      await d.tabIntoComponents()
      await d.arrowTo('qemu')
      // The tooltip follows the keyboard focus.
      await expect(page.getByTestId('diagram-tooltip')).toContainText('QEMU')
      await page.keyboard.press('Enter')
      await expect(d.details).toBeVisible()
      await expect(d.details.getByRole('heading', { level: 3 })).toHaveText(
        language === 'en' ? 'QEMU (VM 1)' : 'QEMU（虚拟机 1）',
      )
      await expect(d.details).toContainText(
        language === 'en' ? 'Why control reaches it' : '控制为什么到达这里',
      )
      await expect(d.details).toContainText('KVM_EXIT_IO')
      await expect(d.details).toContainText('Documentation/virt/kvm/api.rst')
      await page.keyboard.press('Escape')
      await expect(d.details).toBeHidden()
      expect(await d.focusedTestId()).toBe('component-qemu@1')

      // The edges are the next tab stop.
      await page.keyboard.press('Tab')
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-edge'))).toBeTruthy()
      await page.keyboard.press('ArrowRight')
      const edge = await page.evaluate(() => document.activeElement?.getAttribute('data-edge') ?? '')
      await page.keyboard.press(' ')
      await expect(d.details).toBeVisible()
      await expect(d.details).toContainText(language === 'en' ? 'What this edge is' : '这条边表示什么')
      // …with the edge's own text (what travels along it in KVM, and why), not a template per kind.
      const base = edge.replace(/@\d+/g, '') as keyof (typeof architecturesEn)['edges']['kvm']
      const own = (language === 'en' ? architecturesEn : architecturesZhCN).edges.kvm[base]
      expect(own, `a text for ${base}`).toBeTruthy()
      await expect(d.details).toContainText(own.slice(0, 40))
      await page.keyboard.press('Escape')
      await expect(d.details).toBeHidden()
    })

  test('the chosen architecture and VM count survive a reload', async ({ ringside, page }) => {
    const d = new DiagramView(page)
    await ringside.open()
    await d.choose('xen-hvm', 3)
    await expect(d.component('dom0-qemu')).toHaveCount(3)
    await page.reload()
    await ringside.waitForEngine()
    await expect(d.picker).toHaveValue('xen-hvm')
    await expect(d.vmCount).toHaveValue('3')
    await expect(d.component('dom0-qemu')).toHaveCount(3)
  })

  test('a demonstration flow moves a token hop by hop through QEMU, labelled as a demonstration', async ({
    ringside,
    page,
  }) => {
    const d = new DiagramView(page)
    await ringside.open()
    await d.choose('kvm', 1)
    const live = new LivePage(page)
    // The session is ready: nothing above the diagram changes size any more (the guest's download).
    await expect(live.status).toHaveAttribute('data-state', 'paused')
    await expect(d.token).toBeHidden()
    // The run speed sets the animation's pace: 25 M cycles/s animates fast (six hops in about a second).
    await live.setSpeed('25m')
    const watching = sampleToken(page, 2500)
    await page.getByTestId('demo-flow').click()
    const samples = await watching
    expect(samples.some((s) => /VM exit 30/.test(s.label))).toBe(true)
    // The token moves along each hop, and the hop list follows it through QEMU.
    expect([...positionsByHop(samples).values()].some((p) => p.size > 2)).toBe(true)
    expect(samples.some((s) => s.step.includes('QEMU (VM 1)'))).toBe(true)
    await expect(page.getByTestId('flow-caption')).toContainText('hypervisor-flows.md §3.2(b)')
    await expect(page.getByTestId('flow-caption')).toContainText('not a running machine')
    await expect(d.token).toBeHidden()
    await expect(d.root.locator('[data-edge="kvm>qemu@1"].rs-dg-edge-visual')).toHaveAttribute(
      'data-used',
      'true',
    )
    // The hop list stays for reading after the token has gone.
    await expect(d.hops.locator('li')).toHaveCount(6)
  })

  test('under reduced motion the token jumps from hop to hop and the hop list is shown', async ({
    ringside,
    page,
  }) => {
    await page.emulateMedia({ reducedMotion: 'reduce' })
    const d = new DiagramView(page)
    await ringside.open()
    await d.choose('hyperv', 1)
    const live = new LivePage(page)
    // The session is ready: nothing above the diagram changes size any more (the guest's download).
    await expect(live.status).toHaveAttribute('data-state', 'paused')
    await live.setSpeed('25m')
    const watching = sampleToken(page, 2500)
    await page.getByTestId('demo-flow').click()
    const samples = await watching
    // Frame by frame through the flow: one place per hop, more than one hop, the hop list marking each.
    const byHop = positionsByHop(samples)
    expect(byHop.size).toBeGreaterThan(1)
    for (const [hop, places] of byHop) expect(places.size, `hop ${hop}`).toBe(1)
    expect(samples.every((s) => s.step !== '')).toBe(true)
    await expect(d.hops.locator('li')).toHaveCount(6)
  })

  test('the live Pause holds the token where it is; Run lets it go on', async ({ ringside, page }) => {
    const d = new DiagramView(page)
    const live = new LivePage(page)
    await ringside.open()
    await live.chooseArch('bare')
    // Slow motion: one flow at a time, 1.5 s a hop.
    await live.setSpeed('flow')
    await page.getByTestId('run').click()
    await expect(d.token).toBeVisible({ timeout: 20_000 })
    await page.getByTestId('pause').click()
    await expect(d.root.locator('svg[data-paused="true"]')).toHaveCount(1)
    const held = await sampleToken(page, 2000)
    expect(new Set(held.map((s) => `${s.hop} ${s.x},${s.y}`)).size).toBe(1)
    await page.getByTestId('run').click()
    await expect(d.token).not.toHaveAttribute('data-hop', held[0].hop, { timeout: 10_000 })
  })

  test('at full speed the diagram shows heat instead of tokens', async ({ ringside, page }) => {
    const d = new DiagramView(page)
    const live = new LivePage(page)
    await ringside.open()
    await live.chooseArch('bare')
    await live.setSpeed('full')
    await page.getByTestId('run').click()
    await expect(d.component('guest-kernel')).toHaveAttribute('data-rate', /\d/)
    await expect(d.root.locator('.rs-dg-edge-visual[data-rate]').first()).toBeVisible()
    await expect(d.token).toBeHidden()
    await expect(page.getByTestId('live-caption')).toHaveAttribute('data-heat', 'true')
    // A demonstration counts towards the heat too.
    await d.choose('xen-hvm', 1)
    await page.getByTestId('demo-flow').click()
    await expect(d.component('dom0-qemu')).toHaveAttribute('data-rate', /\d/)
    await expect(d.root.locator('.rs-dg-edge-visual[data-edge="xen>dom0-kernel"]')).toHaveAttribute(
      'data-rate',
      /\d/,
    )
    await expect(d.token).toBeHidden()
  })

  const axeCases = [
    { name: 'en-light', language: 'en', theme: 'light' },
    { name: 'zh-CN-light', language: 'zh-CN', theme: 'light' },
    { name: 'en-projector', language: 'en', theme: 'projector' },
    { name: 'zh-CN-projector', language: 'zh-CN', theme: 'projector' },
  ] as const
  for (const c of axeCases)
    test(`WCAG 2.2 A/AA: no violations with the diagram, a flow and the details pane (${c.name})`, async ({
      ringside,
      page,
    }, testInfo) => {
      const d = new DiagramView(page)
      await ringside.open()
      await ringside.languageSelect.selectOption(c.language)
      await ringside.themeSelect.selectOption(c.theme)
      await d.choose('xen-hvm', 2)
      await new LivePage(page).setSpeed('flow')
      await page.getByTestId('demo-flow').click()
      await expect(d.token).toBeVisible()
      await expectNoViolations(page, testInfo, `diagram-${c.name}-flow`)
      await d.tabIntoComponents()
      await page.keyboard.press('Enter')
      await expect(d.details).toBeVisible()
      await expectNoViolations(page, testInfo, `diagram-${c.name}-details`)
    })

  for (const size of [
    { width: 1280, height: 720 },
    { width: 1920, height: 1080 },
  ])
    test(`screenshots at ${size.width}×${size.height}`, async ({ ringside, page }, testInfo) => {
      await page.setViewportSize(size)
      const d = new DiagramView(page)
      await ringside.open()
      for (const [arch, language, theme] of [
        ['kvm', 'en', 'light'],
        ['xen-hvm', 'zh-CN', 'dark'],
        ['esxi', 'en', 'projector'],
        ['hyperv', 'zh-CN', 'projector'],
      ] as const) {
        await ringside.languageSelect.selectOption(language)
        await ringside.themeSelect.selectOption(theme)
        await d.choose(arch, 2)
        // Kept under test-results/ as artifacts.
        await page.screenshot({
          path: testInfo.outputPath(`diagram-${arch}-${size.width}x${size.height}-${language}-${theme}.png`),
        })
      }
    })
})
