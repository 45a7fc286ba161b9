import type { Locator } from '@playwright/test'
import { expectNoViolations } from './axe'
import { expect, test } from './fixtures'
import { LivePage } from './pages/live-page'

const count = async (row: Locator) => Number(await row.getAttribute('data-count'))

test('vmware-bt: the translation cache chart warms up with the boot and its counts grow with a command', async ({
  ringside,
  page,
}, testInfo) => {
  const live = new LivePage(page)
  await ringside.open()
  await live.chooseArch('vmware-bt')
  await live.boot()
  await live.pause()
  await page.getByTestId('tab-counters').click()
  const chart = page.getByTestId('exit-counters').getByTestId('bt-cache')
  await expect(chart).toBeVisible()
  const translations = chart.getByTestId('bt-count-translations')
  const hits = chart.getByTestId('bt-count-hits')
  await expect.poll(() => count(translations)).toBeGreaterThan(100)
  const before = { translations: await count(translations), hits: await count(hits) }
  expect(before.hits).toBeGreaterThan(before.translations)
  // The boot's first span of time is mostly translation; the latest, mostly cache hits.
  await expect(chart.getByTestId('bt-summary')).toHaveText(
    /^Before [\d.]+ [µm]?s: (\d+) % translations\. After [\d.]+ [µm]?s: (\d+) % cache hits\.$/,
  )

  await page.getByTestId('run').click()
  await live.typeInto(live.console(1), 'ls\n')
  await expect.poll(() => count(hits), { timeout: 20_000 }).toBeGreaterThan(before.hits)
  await expect.poll(() => count(chart.getByTestId('bt-count-callouts'))).toBeGreaterThan(0)
  await expectNoViolations(page, testInfo, 'bt-cache-en', ['[data-testid="bt-cache"]'])
  await ringside.languageSelect.selectOption('zh-CN')
  await expect(chart).toContainText('二进制翻译缓存')
  await expectNoViolations(page, testInfo, 'bt-cache-zh', ['[data-testid="bt-cache"]'])
})

test('the translation cache chart is only there for VMware BT', async ({ ringside, page }) => {
  const live = new LivePage(page)
  await ringside.open()
  await live.chooseArch('trap-emulate')
  await page.getByTestId('tab-counters').click()
  const counters = page.getByTestId('exit-counters')
  await expect(counters).toHaveAttribute('data-arch', 'trap-emulate')
  await expect(counters.getByTestId('bt-cache')).toHaveCount(0)
  await live.chooseArch('vmware-bt')
  await expect(counters).toHaveAttribute('data-arch', 'vmware-bt')
  await expect(counters.getByTestId('bt-cache')).toBeVisible()
})

test('trap-emulate: POPF in the ring-1 kernel is marked on the diagram and named, in both languages', async ({
  ringside,
  page,
}, testInfo) => {
  const live = new LivePage(page)
  await ringside.open()
  await live.chooseArch('trap-emulate')
  await live.boot()
  const marker = page.getByTestId('sensitive-marker')
  const caption = page.getByTestId('sensitive-caption')
  // Booting runs IRETs and segment loads that do not trap either: they are not marked.
  await expect(marker).toHaveCount(0)

  await live.typeInto(live.console(1), 'popf\n')
  await expect(marker).toHaveAttribute('data-insn', 'POPF', { timeout: 20_000 })
  await expect(marker).toHaveAttribute('data-component', 'guest-kernel@1')
  await expect(caption).toContainText('POPF ran in ring 1 without trapping — the monitor never saw it')
  await expect(caption).toBeInViewport()
  await expect(page.getByTestId('sensitive-where')).toContainText(
    /in plat_flags_write · [\w/.-]+\.c, line \d+/,
  )
  // The mark sits on the guest kernel, also once the diagram is drawn again in another language.
  const surrounds = async () => {
    const mark = (await marker.boundingBox())!
    const kernel = (await page.getByTestId('component-guest-kernel@1').boundingBox())!
    return (
      mark.x <= kernel.x &&
      mark.y <= kernel.y &&
      mark.x + mark.width >= kernel.x + kernel.width &&
      mark.y + mark.height >= kernel.y + kernel.height
    )
  }
  await expect.poll(surrounds).toBe(true)
  await expectNoViolations(page, testInfo, 'sensitive-en', ['[data-testid="sensitive-caption"]'])

  await ringside.languageSelect.selectOption('zh-CN')
  await expect(caption).toContainText('POPF 在 Ring 1 执行，没有陷入——监控器根本没看到它')
  await expect(page.getByTestId('sensitive-where')).toContainText('位于 plat_flags_write')
  await expect.poll(surrounds).toBe(true)
  await expectNoViolations(page, testInfo, 'sensitive-zh', ['[data-testid="sensitive-caption"]'])

  await page.getByTestId('sensitive-close').click()
  await expect(caption).toHaveCount(0)
})
