import { defineConfig } from '@playwright/test'
import { CHROMIUM_ARGS, findChromium, missingChromiumMessage } from './scripts/chromium.mjs'

const executablePath = findChromium()
if (executablePath === null) throw new Error(missingChromiumMessage())

const baseURL = process.env.RINGSIDE_BASE_URL
if (!baseURL)
  throw new Error(
    'Run the end-to-end suite with `npm run test:e2e` (scripts/e2e.mjs builds and serves the app).',
  )

export default defineConfig({
  testDir: 'e2e',
  // scripts/e2e.mjs gives each run its own folder under test-results/.
  outputDir: process.env.RINGSIDE_E2E_OUTPUT ?? 'test-results',
  // Two cores are shared with other work: one browser at a time.
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL,
    viewport: { width: 1280, height: 720 },
    locale: 'en-US',
    browserName: 'chromium',
    launchOptions: { executablePath, args: [...CHROMIUM_ARGS] },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
})
