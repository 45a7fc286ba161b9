// Event transport throughput, worker → main thread, in Chromium: the built app, its synthetic event
// generator (deterministic records through the real EventPump and transport), lossless pace, for
// transferred batches and for the SharedArrayBuffer ring. Prints one JSON line.
import { chromium } from '@playwright/test'
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { build, preview } from 'vite'
import { RingsidePage } from '../e2e/pages/ringside-page'
import { CHROMIUM_ARGS, findChromium, missingChromiumMessage } from '../scripts/chromium.mjs'

const EVENTS = 20_000_000
const RUNS = 3
const BUDGET = 5_000_000

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]

const executablePath = findChromium()
if (executablePath === null) throw new Error(missingChromiumMessage())

const outDir = mkdtempSync(join(tmpdir(), 'ringside-bench-'))
await build({ logLevel: 'silent', build: { outDir, emptyOutDir: true } })
const server = await preview({
  logLevel: 'silent',
  build: { outDir },
  preview: { port: 0, host: '127.0.0.1', open: false },
})
const browser = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS] })

try {
  const url = server.resolvedUrls?.local[0]
  if (!url) throw new Error('vite preview did not report its URL')
  const modes: Record<string, object> = {}
  for (const mode of ['transfer', 'ring'] as const) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } })
    // tsx compiles with esbuild's keepNames, which wraps named functions in a __name() helper that
    // does not exist in the page; functions passed to page.evaluate need a stand-in.
    // (A string, because tsx would wrap a function literal here too.)
    await page.addInitScript('globalThis.__name = (f) => f')
    const app = new RingsidePage(page)
    await app.open(mode === 'transfer' ? '?transport=transfer' : '', url)
    const transport = await app.engineStatus.getAttribute('data-transport')
    if (transport !== mode) throw new Error(`asked for ${mode}, the page uses ${transport}`)
    await app.openAbout()
    const rates: number[] = []
    const frames: number[] = []
    let dropped = 0
    for (let run = 0; run < RUNS; run++) {
      // Frame intervals on the main thread while the events stream in.
      await page.evaluate(() => {
        const w = window as unknown as { __frames: number[]; __stop: boolean }
        w.__frames = []
        w.__stop = false
        let last = performance.now()
        const tick = (t: number) => {
          w.__frames.push(t - last)
          last = t
          if (!w.__stop) requestAnimationFrame(tick)
        }
        requestAnimationFrame(tick)
      })
      const outcome = await app.synth(EVENTS, 'lossless', 120_000)
      if (outcome.received !== EVENTS || outcome.seqErrors !== 0)
        throw new Error(`${mode}: ${JSON.stringify(outcome)}`)
      rates.push(outcome.eventsPerSecond)
      dropped += outcome.dropped
      frames.push(
        ...(await page.evaluate(() => {
          const w = window as unknown as { __frames: number[]; __stop: boolean }
          w.__stop = true
          return w.__frames
        })),
      )
    }
    modes[mode] = {
      eventsPerSecond: Math.round(median(rates)),
      runs: rates.map(Math.round),
      dropped,
      frameP95Ms: Number(percentile(frames, 0.95).toFixed(1)),
      frameMaxMs: Number(Math.max(...frames).toFixed(1)),
    }
    await page.close()
  }
  const rate = (m: string) => (modes[m] as { eventsPerSecond: number }).eventsPerSecond
  console.log(
    JSON.stringify({
      bench: 'transport',
      events: EVENTS,
      pace: 'lossless',
      transfer: modes.transfer,
      ring: modes.ring,
      budgetEventsPerSecond: BUDGET,
      withinBudget: rate('transfer') >= BUDGET && rate('ring') >= BUDGET,
      machine: { cpus: cpus().length, node: process.version, chromium: browser.version() },
    }),
  )
} finally {
  await browser.close()
  await new Promise<void>((resolve) => server.httpServer.close(() => resolve()))
  rmSync(outDir, { recursive: true, force: true })
}
