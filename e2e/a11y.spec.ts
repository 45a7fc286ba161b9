import { expectNoViolations } from './axe'
import { expect, test } from './fixtures'

const cases = [
  { name: 'zh-CN light', language: 'zh-CN', theme: 'light' },
  { name: 'en light', language: 'en', theme: 'light' },
  { name: 'en dark', language: 'en', theme: 'dark' },
  { name: 'zh-CN projector', language: 'zh-CN', theme: 'projector' },
  { name: 'en projector', language: 'en', theme: 'projector' },
] as const

for (const c of cases) {
  test(`WCAG 2.2 A/AA: no violations, ${c.name}, main view and About panel`, async ({
    ringside,
    page,
  }, testInfo) => {
    await ringside.open()
    await ringside.languageSelect.selectOption(c.language)
    await ringside.themeSelect.selectOption(c.theme)
    await expectNoViolations(page, testInfo, `${c.name}-main`)
    await ringside.openAbout()
    await ringside.synth(1000)
    await page.getByTestId('ping').click()
    await expectNoViolations(page, testInfo, `${c.name}-about`)
  })
}

test.describe('engine error banner', () => {
  test.use({ allowErrors: [/diagnostic engine fault/] })
  for (const theme of ['light', 'projector'] as const)
    test(`WCAG 2.2 A/AA: no violations with the error banner, ${theme}`, async ({
      ringside,
      page,
    }, testInfo) => {
      await ringside.open()
      await ringside.themeSelect.selectOption(theme)
      await ringside.openAbout()
      await page.getByTestId('fault-throw').click()
      await ringside.closeAbout()
      await expect(ringside.engineError).toBeVisible()
      await page.getByText('Technical details').click()
      await expectNoViolations(page, testInfo, `error-${theme}`)
    })
})

for (const size of [
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
])
  test(`screenshots at ${size.width}×${size.height} in both languages and the projector theme`, async ({
    ringside,
    page,
  }, testInfo) => {
    await page.setViewportSize(size)
    await ringside.open()
    for (const [language, theme] of [
      ['en', 'light'],
      ['zh-CN', 'dark'],
      ['zh-CN', 'projector'],
    ] as const) {
      await ringside.languageSelect.selectOption(language)
      await ringside.themeSelect.selectOption(theme)
      // Kept under test-results/ as artifacts.
      await page.screenshot({
        path: testInfo.outputPath(`main-${size.width}x${size.height}-${language}-${theme}.png`),
      })
    }
  })
