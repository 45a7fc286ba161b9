import { expect, test } from './fixtures'

test.use({ allowErrors: [/diagnostic engine fault/] })

test('an engine exception is shown as an error and the engine keeps running', async ({ ringside, page }) => {
  await ringside.open()
  await ringside.openAbout()
  await page.getByTestId('fault-throw').click()
  await ringside.closeAbout()
  await expect(ringside.engineError).toHaveAttribute('data-code', 'engine')
  await expect(ringside.engineError).toContainText('diagnostic engine fault')
  await expect(ringside.engineStatus).toHaveAttribute('data-status', 'ready')
  await page.getByTestId('engine-error-dismiss').click()
  await expect(ringside.engineError).toBeHidden()
})

test('a dead worker is shown, restarts on request, and the user keeps their settings', async ({
  ringside,
  page,
}) => {
  await ringside.open()
  await ringside.languageSelect.selectOption('zh-CN')
  await ringside.themeSelect.selectOption('dark')
  await ringside.separator('inspector').focus()
  await page.keyboard.press('ArrowLeft')
  await ringside.openAbout()
  await page.getByTestId('fault-crash').click()
  await page.getByTestId('about-close').click()
  await expect(ringside.engineStatus).toHaveAttribute('data-status', 'failed')
  await expect(ringside.engineError).toHaveAttribute('data-code', 'crashed')
  await expect(ringside.engineError).toContainText('引擎已停止运行')

  await page.getByTestId('engine-restart').click()
  await ringside.waitForEngine()
  await expect(ringside.engineError).toBeHidden()
  expect(await ringside.htmlLang()).toBe('zh-CN')
  expect(await ringside.theme()).toBe('dark')
  await expect(ringside.separator('inspector')).toHaveAttribute('aria-valuenow', '30')
  await ringside.openAbout()
  expect(await ringside.synth(10_000)).toMatchObject({ received: 10_000, seqErrors: 0 })
})
