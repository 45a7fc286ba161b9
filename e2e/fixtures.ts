import { test as base, expect } from '@playwright/test'
import { RingsidePage } from './pages/ringside-page'

interface Fixtures {
  ringside: RingsidePage
  /** Console errors and uncaught page errors; the test fails at the end if any is not expected. */
  consoleErrors: string[]
  /** Messages matching these are expected by the test (e.g. a deliberate engine crash). */
  allowErrors: RegExp[]
}

export const test = base.extend<Fixtures>({
  allowErrors: [[], { option: true }],
  consoleErrors: async ({ page, allowErrors }, use) => {
    const errors: string[] = []
    const record = (text: string) => !allowErrors.some((re) => re.test(text)) && errors.push(text)
    page.on('console', (m) => m.type() === 'error' && record(m.text()))
    page.on('pageerror', (e) => record(`pageerror: ${e.message}`))
    await use(errors)
    expect(errors, 'console errors').toEqual([])
  },
  ringside: async ({ page, consoleErrors }, use) => {
    void consoleErrors
    await use(new RingsidePage(page))
  },
})

export { expect }
