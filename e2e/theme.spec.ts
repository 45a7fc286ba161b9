import { expect, test } from './fixtures'

test('the theme switch changes the --rs- tokens and survives a reload', async ({ ringside, page }) => {
  await ringside.open()
  expect(await ringside.theme()).toBe('light')
  const lightBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor)

  await ringside.themeSelect.selectOption('dark')
  expect(await ringside.theme()).toBe('dark')
  const darkBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor)
  expect(darkBg).not.toBe(lightBg)

  await ringside.themeSelect.selectOption('projector')
  expect(await ringside.theme()).toBe('projector')
  expect(await ringside.token('--rs-font-size')).toBe('20px')
  expect(await page.evaluate(() => getComputedStyle(document.body).fontSize)).toBe('20px')

  await page.reload()
  await ringside.waitForEngine()
  expect(await ringside.theme()).toBe('projector')
  await expect(ringside.themeSelect).toHaveValue('projector')
})

test.describe('a browser that prefers dark', () => {
  test.use({ colorScheme: 'dark' })

  test('starts dark, and Alt+Shift+T cycles the themes', async ({ ringside, page }) => {
    await ringside.open()
    expect(await ringside.theme()).toBe('dark')
    await page.keyboard.press('Alt+Shift+KeyT')
    expect(await ringside.theme()).toBe('projector')
    await page.keyboard.press('Alt+Shift+KeyT')
    expect(await ringside.theme()).toBe('light')
  })
})
