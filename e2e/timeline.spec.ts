import type { Locator } from '@playwright/test'
import { FlowKind } from '../src/engine/trace/schema'
import { expect, test } from './fixtures'
import { LivePage } from './pages/live-page'

/** The visible window of the timeline, in cycles (kept in data attributes by each draw). */
async function windowOf(canvas: Locator): Promise<{ from: number; to: number; events: number }> {
  const d = await canvas.evaluate((el) => ({ ...(el as HTMLElement).dataset }))
  return { from: Number(d.from), to: Number(d.to), events: Number(d.events) }
}

test('zoom, pan and click-to-inspect on the events of a real run', async ({ ringside, page }) => {
  const live = new LivePage(page)
  await ringside.open()
  await live.chooseArch('bare')
  await live.boot()
  await live.pause()
  const canvas = page.getByTestId('timeline-canvas')
  await expect.poll(async () => (await windowOf(canvas)).events).toBeGreaterThan(1000)

  await page.getByTestId('timeline-fit').click()
  await expect(page.getByTestId('timeline-follow')).toHaveAttribute('aria-pressed', 'false')
  // fit() starts a 2 % margin before the first event (cycle ≈ 0): wait for that draw.
  await expect.poll(async () => (await windowOf(canvas)).from).toBeLessThan(0)
  const all = await windowOf(canvas)
  await page.getByTestId('timeline-zoom-in').click()
  await expect
    .poll(async () => {
      const w = await windowOf(canvas)
      return w.to - w.from
    })
    .toBeCloseTo((all.to - all.from) / 2, -2)

  // Keys: → pans towards newer events by a tenth of the window; − zooms out.
  const zoomed = await windowOf(canvas)
  await canvas.focus()
  await page.keyboard.press('ArrowRight')
  await expect.poll(async () => (await windowOf(canvas)).from).toBeGreaterThan(zoomed.from)
  await page.keyboard.press('-')
  await expect
    .poll(async () => {
      const w = await windowOf(canvas)
      return w.to - w.from
    })
    .toBeGreaterThan(zoomed.to - zoomed.from)

  // Wheel over the canvas zooms in about the pointer; dragging pans.
  const box = (await canvas.boundingBox())!
  const before = await windowOf(canvas)
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2)
  await page.mouse.wheel(0, -300)
  await expect
    .poll(async () => {
      const w = await windowOf(canvas)
      return w.to - w.from
    })
    .toBeLessThan(before.to - before.from)
  const dragged = await windowOf(canvas)
  await page.mouse.down()
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2, { steps: 5 })
  await page.mouse.up()
  await expect.poll(async () => (await windowOf(canvas)).from).toBeGreaterThan(dragged.from)

  // Back to everything; the boot's first events are at the left edge: click them.
  await page.getByTestId('timeline-fit').click()
  const details = page.getByTestId('timeline-details')
  await expect.poll(async () => (await windowOf(canvas)).from).toBeLessThan(0)
  const w = await windowOf(canvas)
  // 120 px label gutter.
  const x = 120 + ((0 - w.from) / (w.to - w.from)) * (box.width - 120)
  await page.mouse.click(box.x + x + 1, box.y + box.height / 2)
  await expect(details.locator('dl')).toBeVisible()
  await expect(details).toContainText(/Kind/)

  // Keyboard selection walks event by event; the details follow.
  await canvas.focus()
  await page.keyboard.press('Shift+ArrowRight')
  const one = await details.locator('dl').textContent()
  await page.keyboard.press('Shift+ArrowRight')
  await expect(details.locator('dl')).not.toHaveText(one ?? '')
  await page.keyboard.press('Escape')
  await expect(details.locator('dl')).toHaveCount(0)
})

test('follows the newest events while running, and counts flows live', async ({ ringside, page }) => {
  const live = new LivePage(page)
  await ringside.open()
  await live.chooseArch('bare')
  await live.boot()
  await live.pause()
  await page.getByTestId('tab-counters').click()
  const counters = page.getByTestId('exit-counters')
  await expect(counters.getByTestId('no-exits')).toContainText(/no VM exits/)
  const syscalls = counters.getByTestId(`flow-count-${FlowKind.Syscall}`)
  const before = Number(await syscalls.getAttribute('data-count'))
  expect(before).toBeGreaterThan(0)
  await expect(counters.getByTestId('cycles-by-component')).toContainText(/Guest kernel/)

  // `bench syscall` makes 10 000 system calls: the counter moves while the machine runs.
  await page.getByTestId('run').click()
  await live.typeInto(live.console(1), 'bench syscall\n')
  await expect
    .poll(async () => Number(await syscalls.getAttribute('data-count')), { timeout: 20_000 })
    .toBeGreaterThan(before + 1000)
  await page.getByTestId('tab-timeline').click()
  const canvas = page.getByTestId('timeline-canvas')
  await expect(page.getByTestId('timeline-follow')).toHaveAttribute('aria-pressed', 'true')
  const a = await windowOf(canvas)
  await expect.poll(async () => (await windowOf(canvas)).to, { timeout: 10_000 }).toBeGreaterThan(a.to)
  await page.getByTestId('pause').click()
})

test('keyboard only: the timeline tabs and controls are reachable and operable', async ({
  ringside,
  page,
}) => {
  const live = new LivePage(page)
  await ringside.open()
  await live.chooseArch('bare')
  const tab = page.getByTestId('tab-timeline')
  await tab.focus()
  await page.keyboard.press('ArrowRight')
  await expect(page.getByTestId('tab-counters')).toBeFocused()
  await expect(page.getByTestId('tab-counters')).toHaveAttribute('aria-selected', 'true')
  await expect(page.getByTestId('exit-counters')).toBeVisible()
  await page.keyboard.press('ArrowLeft')
  await expect(tab).toHaveAttribute('aria-selected', 'true')
  // Tab from the tab list reaches the zoom buttons and the canvas.
  await page.keyboard.press('Tab')
  await expect(page.getByTestId('timeline-zoom-in')).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('timeline-follow')).toHaveAttribute('aria-pressed', 'true')
  for (let i = 0; i < 4; i++) await page.keyboard.press('Tab')
  await expect(page.getByTestId('timeline-canvas')).toBeFocused()
  await page.keyboard.press('Home')
  await expect(page.getByTestId('timeline-follow')).toHaveAttribute('aria-pressed', 'false')
  await page.keyboard.press('End')
  await expect(page.getByTestId('timeline-follow')).toHaveAttribute('aria-pressed', 'true')
})
