import { expect, test } from './fixtures'

test('regions resize by keyboard and by dragging, and keep their sizes across a reload', async ({
  ringside,
  page,
}) => {
  await ringside.open()
  const inspector = ringside.panel('inspector')
  const width = async () => (await inspector.boundingBox())?.width ?? 0
  const before = await width()

  const sep = ringside.separator('inspector')
  await sep.focus()
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft')
  await expect(sep).toHaveAttribute('aria-valuenow', '38')
  expect(await width()).toBeGreaterThan(before + 100)

  const bottom = ringside.separator('bottom')
  const box = await bottom.boundingBox()
  if (!box) throw new Error('no bottom separator')
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
  await page.mouse.down()
  await page.mouse.move(box.x + box.width / 2, box.y - 150, { steps: 5 })
  await page.mouse.up()
  const bottomValue = Number(await bottom.getAttribute('aria-valuenow'))
  expect(bottomValue).toBeGreaterThan(45)

  await page.reload()
  await ringside.waitForEngine()
  await expect(ringside.separator('inspector')).toHaveAttribute('aria-valuenow', '38')
  await expect(ringside.separator('bottom')).toHaveAttribute('aria-valuenow', String(bottomValue))

  await page.keyboard.press('Alt+Shift+KeyR')
  await expect(ringside.separator('inspector')).toHaveAttribute('aria-valuenow', '28')
})

test('every control is reachable with Tab and shows where the focus is', async ({ ringside, page }) => {
  await ringside.open()
  const visited: Array<{ id: string; outline: string }> = []
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab')
    const info = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null
      if (!el || el === document.body) return null
      const s = getComputedStyle(el)
      const id = el.dataset.testid ?? el.id ?? el.tagName
      return { id: id || el.className, outline: `${s.outlineStyle} ${s.outlineWidth}` }
    })
    // Once round: back at the first stop (several stops may share a class name, so compare with it).
    if (info === null || (visited.length > 0 && info.id === visited[0].id)) break
    visited.push(info)
  }
  const ids = visited.map((v) => v.id)
  for (const expected of [
    'language-select',
    'theme-select',
    'about-open',
    'region-diagram',
    'separator-inspector',
    'region-inspector',
    'separator-bottom',
    'region-consoles',
    'separator-consoles',
    'region-timeline',
  ])
    expect(ids).toContain(expected)
  for (const v of visited) expect(v.outline, v.id).toMatch(/^solid [3-9]/)
})

test('the skip link and region shortcuts move the focus', async ({ ringside, page }) => {
  await ringside.open()
  await page.keyboard.press('Tab')
  await expect(page.getByRole('link', { name: 'Skip to main content' })).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(page.getByRole('main')).toBeFocused()
  await page.keyboard.press('Alt+Shift+Digit3')
  await expect(page.locator('#region-inspector')).toBeFocused()
  await page.keyboard.press('Alt+Shift+Digit4')
  await expect(page.locator('#region-timeline')).toBeFocused()
})

test('the About panel opens with ?, says what Ringside is, and closes with Escape', async ({
  ringside,
  page,
}) => {
  await ringside.open()
  await page.keyboard.press('?')
  await expect(ringside.about).toBeVisible()
  await expect(ringside.about).toContainText('real x86 guest code')
  await expect(ringside.about.getByRole('row', { name: /Switch interface language/ })).toContainText(
    'Alt+Shift+L',
  )
  await page.keyboard.press('Escape')
  await expect(ringside.about).toBeHidden()
  await expect(page.getByTestId('about-open')).toBeVisible()
})
