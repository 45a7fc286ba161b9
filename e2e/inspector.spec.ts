import type { Page, TestInfo } from '@playwright/test'
import { expectNoViolations } from './axe'
import { expect, test } from './fixtures'
import { LivePage } from './pages/live-page'

async function openBare(page: Page, live: LivePage): Promise<void> {
  await live.chooseArch('bare')
  await expect(page.getByTestId('inspector')).toHaveAttribute('data-state', 'ready')
}

test('after a step, shows the registers and the current instruction with its function from the symbol map', async ({
  ringside,
  page,
}) => {
  const live = new LivePage(page)
  await ringside.open()
  await openBare(page, live)
  const inspector = page.getByTestId('inspector')
  // The session waits at the kernel's entry point: _start in kernel/boot.asm (multiboot entry, EAX = magic).
  await expect(page.getByTestId('reg-eip')).toHaveText('0x00100010')
  await expect(page.getByTestId('reg-eax')).toHaveText('0x2badb002')
  await expect(page.getByTestId('inspector-location')).toContainText('_start')
  await expect(page.getByTestId('inspector-location')).toContainText('kernel/boot.asm')
  await expect(inspector.getByTestId('inspector-cpl').first()).toHaveText(/0/)

  await page.getByTestId('step-unit').selectOption('instruction')
  await page.getByTestId('step').click()
  // `cld` is one byte: EIP moves to the next instruction, still in _start, and the listing marks it.
  await expect(page.getByTestId('reg-eip')).toHaveText('0x00100011')
  const current = page.getByTestId('inspector-listing').locator('tr[aria-current="step"]')
  await expect(current).toContainText('00100011')
  await expect(current).toContainText('mov esp,0x')
  await expect(page.getByTestId('inspector-location')).toContainText('_start')
})

test('picking an address shows its page walk, and a bad address is refused', async ({ ringside, page }) => {
  const live = new LivePage(page)
  await ringside.open()
  await openBare(page, live)
  await live.boot()
  await live.pause()
  await expect(page.getByTestId('inspector-task')).toContainText(/idle|init|sh|clockd/)

  const input = page.getByTestId('walk-address')
  await input.fill('not an address')
  await page.getByTestId('walk-go').click()
  await expect(page.getByTestId('walk-error')).not.toBeEmpty()
  await expect(input).toHaveAttribute('aria-invalid', 'true')

  // Kernel memory is mapped 1:1 (guest/README.md): 32-bit paging, a PDE and a PTE, physical = linear.
  await input.fill('0x00100010')
  await input.press('Enter')
  const walk = page.getByTestId('walk-result')
  await expect(walk).toHaveAttribute('data-dimensions', '1d')
  await expect(walk).toHaveAttribute('data-outcome', 'ok')
  await expect(walk.getByTestId('walk-ref')).toHaveCount(2)
  await expect(page.getByTestId('walk-outcome')).toContainText('0x00100010 → 0x00100010')
  await expect(page.getByTestId('walk-error')).toBeEmpty()

  // Page 0 is left unmapped: the walk ends in a page fault.
  await input.fill('10')
  await input.press('Enter')
  await expect(walk).toHaveAttribute('data-outcome', 'page-fault')
})

test('keyboard only: the inspector sections and the page walk are reachable and operable', async ({
  ringside,
  page,
}) => {
  const live = new LivePage(page)
  await ringside.open()
  await openBare(page, live)
  // From the inspector region (its focus action), Tab through its sections to the address field.
  await page.locator('#region-inspector').focus()
  const input = page.getByTestId('walk-address')
  for (let i = 0; i < 40 && !(await input.evaluate((el) => el === document.activeElement)); i++)
    await page.keyboard.press('Tab')
  await expect(input).toBeFocused()
  await page.keyboard.type('100000')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('walk-result')).toBeVisible()
  // A section closes and opens from the keyboard.
  const segments = page.getByTestId('inspector-segments')
  await segments.locator('summary').focus()
  await page.keyboard.press('Enter')
  await expect(segments).toHaveAttribute('open', '')
})

// Under every VT-x architecture, the inspector's naming of a port-I/O exit (30, I/O instruction, with
// port, size and direction decoded) is checked in live.spec.ts, on the page booted there for the
// architecture's other checks.

test('bare metal says it has no VM exits', async ({ ringside, page }) => {
  const live = new LivePage(page)
  await ringside.open()
  await openBare(page, live)
  await expect(page.getByTestId('inspector-exit')).toContainText(/no VM exits/)
})

/** Axe on the inspector and the timeline panels, scrolled to the top. */
async function expectPanelsAccessible(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  // A target half scrolled out of its panel measures smaller than it is: start from the top.
  for (const region of ['#region-inspector', '#region-timeline'])
    await page.locator(region).evaluate((el) => el.scrollTo(0, 0))
  await expectNoViolations(page, testInfo, name, [
    '[data-testid="panel-inspector"]',
    '[data-testid="panel-timeline"]',
  ])
}

test('WCAG 2.2 A/AA: no violations in the inspector, timeline and counters, in both languages and the projector theme', async ({
  ringside,
  page,
}, testInfo) => {
  const live = new LivePage(page)
  await ringside.open()
  await openBare(page, live)
  await live.boot()
  await live.pause()
  await page.getByTestId('walk-address').fill('100010')
  await page.getByTestId('walk-go').click()
  await page.getByTestId('timeline-canvas').focus()
  await page.keyboard.press('Shift+ArrowRight')
  await expect(page.getByTestId('timeline-details').locator('dl')).toBeVisible()
  for (const [language, theme] of [
    ['en', 'light'],
    ['zh-CN', 'light'],
    ['en', 'dark'],
    ['zh-CN', 'projector'],
    ['en', 'projector'],
  ] as const) {
    await ringside.languageSelect.selectOption(language)
    await ringside.themeSelect.selectOption(theme)
    await page.getByTestId('tab-timeline').click()
    await expectPanelsAccessible(page, testInfo, `${language}-${theme}-timeline`)
    await page.getByTestId('tab-counters').click()
    await expectPanelsAccessible(page, testInfo, `${language}-${theme}-counters`)
  }
  await page.screenshot({ path: testInfo.outputPath('inspector-timeline-projector.png') })
})
