import { expect, test } from './fixtures'

test.describe('a Chinese browser', () => {
  test.use({ locale: 'zh-CN' })

  test('gets the Chinese interface', async ({ ringside, page }) => {
    await ringside.open()
    expect(await ringside.htmlLang()).toBe('zh-CN')
    await expect(page.getByRole('heading', { name: '架构图' })).toBeVisible()
    await expect(ringside.engineStatus).toContainText('引擎就绪')
    await expect(page).toHaveTitle(/虚拟化架构可视化/)
  })
})

test('an English browser gets English; the switch changes everything at once and survives a reload', async ({
  ringside,
  page,
}) => {
  await ringside.open()
  expect(await ringside.htmlLang()).toBe('en')
  await expect(page.getByRole('heading', { name: 'Diagram' })).toBeVisible()

  await ringside.languageSelect.selectOption('zh-CN')
  expect(await ringside.htmlLang()).toBe('zh-CN')
  await expect(page.getByRole('heading', { name: '检查器' })).toBeVisible()
  await expect(page.getByRole('heading', { name: '时间线' })).toBeVisible()
  await expect(ringside.engineStatus).toContainText('引擎就绪')
  await expect(page).toHaveTitle(/虚拟化架构可视化/)

  await page.reload()
  await ringside.waitForEngine()
  expect(await ringside.htmlLang()).toBe('zh-CN')
  await expect(ringside.languageSelect).toHaveValue('zh-CN')
  await expect(page.getByRole('heading', { name: '控制台' })).toBeVisible()
})

test('Alt+Shift+L toggles the language from the keyboard', async ({ ringside, page }) => {
  await ringside.open()
  await page.keyboard.press('Alt+Shift+KeyL')
  expect(await ringside.htmlLang()).toBe('zh-CN')
  await page.keyboard.press('Alt+Shift+KeyL')
  expect(await ringside.htmlLang()).toBe('en')
})
