import { readFileSync } from 'node:fs'
import { expect, test } from './fixtures'

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string
}

test('loads without console errors, with its landmarks and a labelled region for each view', async ({
  ringside,
  page,
}) => {
  await ringside.open()
  await expect(page.getByRole('banner')).toBeVisible()
  await expect(page.getByRole('main')).toBeVisible()
  await expect(page.getByRole('contentinfo')).toBeVisible()
  for (const region of ['diagram', 'consoles', 'inspector', 'timeline'] as const)
    await expect(ringside.panel(region).getByRole('heading', { level: 2 })).toBeVisible()
})

test('answers through the real worker: handshake, ping, and events over the SharedArrayBuffer ring', async ({
  ringside,
  page,
}) => {
  await ringside.open()
  await expect(ringside.engineStatus).toHaveAttribute('data-version', version)
  await expect(ringside.engineStatus).toHaveAttribute('data-transport', 'ring')
  await expect(ringside.engineStatus).toContainText(`Engine ${version}`)
  await ringside.openAbout()
  await expect(page.getByTestId('engine-isolated')).toHaveText('yes')
  await page.getByTestId('ping').click()
  await expect(page.getByTestId('ping-result')).toHaveText(/Round trip \d/)
  const outcome = await ringside.synth(300_000)
  expect(outcome).toMatchObject({ received: 300_000, dropped: 0, seqErrors: 0 })
  await ringside.closeAbout()
  await expect(ringside.eventStream).toHaveAttribute('data-received', '300000')
  await expect(ringside.eventStream).toContainText('Events 300,000')
})

test('transfers batches when asked to, and drops and counts when the page falls behind', async ({
  ringside,
  page,
}) => {
  await ringside.open('?transport=transfer')
  await expect(ringside.engineStatus).toHaveAttribute('data-transport', 'transfer')
  await ringside.openAbout()
  expect(await ringside.synth(300_000)).toMatchObject({ received: 300_000, dropped: 0, seqErrors: 0 })
  // Keep the main thread busy while the worker runs flat out: the worker must drop, not queue.
  await page.getByTestId('synth-count').fill('5000000')
  await page.getByTestId('synth-pace').selectOption('flat-out')
  await page.getByTestId('synth-run').click()
  await page.evaluate(() => {
    const end = performance.now() + 300
    while (performance.now() < end) {
      // busy
    }
  })
  const result = page.getByTestId('synth-result')
  await expect(result).toHaveAttribute('data-state', 'done', { timeout: 60_000 })
  const d = await result.evaluate((el) => ({ ...(el as HTMLElement).dataset }))
  expect(Number(d.dropped)).toBeGreaterThan(0)
  expect(Number(d.received) + Number(d.dropped)).toBe(5_000_000)
  expect(Number(d.seqErrors)).toBe(0)
})

test.describe('security baseline', () => {
  test.use({ allowErrors: [/violates the following Content Security Policy directive 'script-src/] })

  test('the Content-Security-Policy forbids inline script and eval, and React and xterm.js work under it', async ({
    ringside,
    page,
  }) => {
    const response = await page.goto('./')
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'")
    expect(response?.headers()['cross-origin-opener-policy']).toBe('same-origin')
    expect(response?.headers()['cross-origin-embedder-policy']).toBe('require-corp')
    await ringside.waitForEngine()
    const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')
    expect(meta).not.toContain("'unsafe-eval'")
    expect(meta).not.toMatch(/script-src[^;]*'unsafe-inline'/)

    // Same-origin files are allowed (script-src 'self'); Playwright serves test files at these URLs.
    const serve = (name: string, body: string) =>
      page.route(`**/__e2e__/${name}`, (route) => route.fulfill({ body, contentType: 'text/javascript' }))
    await serve(
      'eval-probe.js',
      "try { (0, eval)('1'); window.__evalBlocked = false } catch { window.__evalBlocked = true }",
    )
    const loadScript = (name: string) =>
      page.evaluate(
        (url) =>
          new Promise((ok, fail) => {
            const script = document.createElement('script')
            script.src = url
            script.onload = ok
            script.onerror = fail
            document.head.append(script)
          }),
        new URL(`__e2e__/${name}`, page.url()).href,
      )
    await loadScript('eval-probe.js')
    expect(await page.evaluate(() => (window as { __evalBlocked?: boolean }).__evalBlocked)).toBe(true)

    const inline = await page.evaluate(async () => {
      const violations: string[] = []
      document.addEventListener('securitypolicyviolation', (e) => violations.push(e.effectiveDirective))
      const s = document.createElement('script')
      s.textContent = 'window.__inlineRan = true'
      document.head.append(s)
      await new Promise((r) => setTimeout(r, 50))
      return { ran: (window as { __inlineRan?: boolean }).__inlineRan === true, violations }
    })
    expect(inline.ran).toBe(false)
    // Reported once per policy: the header and the meta tag both forbid it.
    expect(new Set(inline.violations)).toEqual(new Set(['script-src-elem']))

    // xterm.js draws with inline <style> elements. Serve its bundle from the app's origin (allowed by
    // script-src 'self'), render a line, and watch for violations.
    const xterm = readFileSync(new URL('../node_modules/@xterm/xterm/lib/xterm.js', import.meta.url), 'utf8')
    const css = readFileSync(new URL('../node_modules/@xterm/xterm/css/xterm.css', import.meta.url), 'utf8')
    await serve('xterm.js', xterm)
    await loadScript('xterm.js')
    const rendered = await page.evaluate(async (css) => {
      const violations: string[] = []
      document.addEventListener('securitypolicyviolation', (e) => violations.push(e.effectiveDirective))
      const style = document.createElement('style')
      style.textContent = css
      document.head.append(style)
      type Term = { open(el: HTMLElement): void; write(s: string, cb: () => void): void }
      const { Terminal } = globalThis as unknown as { Terminal: new (o: object) => Term }
      const host = document.createElement('div')
      host.className = 'e2e-terminal'
      document.body.append(host)
      const term = new Terminal({ cols: 60, rows: 5 })
      term.open(host)
      await new Promise<void>((r) => term.write('ringside> echo ok\r\nok', r))
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))
      return { text: host.querySelector('.xterm-rows')?.textContent ?? '', violations }
    }, css)
    expect(rendered.violations).toEqual([])
    expect(rendered.text).toContain('ringside> echo ok')
  })
})
