// npm run test:e2e [-- <playwright args>]: builds the app, serves it (vite preview with COOP/COEP, and
// a plain static server under a sub-path), runs the Playwright suite against both, stops the servers.
// Each run builds into its own temporary folder and writes its artifacts to test-results/run-<pid>/
// (a finished run's folder is removed when the next run starts), so runs side by side do not clobber
// each other.
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findChromium, missingChromiumMessage } from './chromium.mjs'
import { serveStatic } from './static-server.mjs'

const STATIC_PREFIX = '/courses/os/ringside/'

function run(cmd, args, env = process.env) {
  return new Promise((ok) => {
    const child = spawn(cmd, args, { stdio: 'inherit', env })
    child.on('exit', (code, signal) => ok(code ?? (signal ? 1 : 0)))
  })
}

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer()
    s.once('error', fail)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => ok(port))
    })
  })
}

async function waitFor(url, ms) {
  const end = Date.now() + ms
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`${url} did not answer within ${ms} ms`)
}

if (findChromium() === null) {
  console.error(missingChromiumMessage())
  process.exit(1)
}

/** Whether process `pid` is still running. */
function alive(pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return err.code === 'EPERM'
  }
}

/** This run's artifact folder; the folders of runs that have finished are removed. */
function artifactFolder() {
  const root = new URL('../test-results/', import.meta.url).pathname
  try {
    for (const name of readdirSync(root)) {
      const pid = /^run-(\d+)$/.exec(name)?.[1]
      if (pid === undefined || !alive(Number(pid))) rmSync(join(root, name), { recursive: true, force: true })
    }
  } catch {
    // no test-results yet
  }
  return join(root, `run-${process.pid}`)
}

const bin = (name) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname
const outDir = mkdtempSync(join(tmpdir(), 'ringside-e2e-'))
const removeBuild = () => rmSync(outDir, { recursive: true, force: true })
if ((await run(bin('vite'), ['build', '--logLevel', 'warn', '--outDir', outDir, '--emptyOutDir'])) !== 0) {
  removeBuild()
  process.exit(1)
}

const previewPort = await freePort()
const preview = spawn(
  bin('vite'),
  ['preview', '--port', String(previewPort), '--strictPort', '--host', '127.0.0.1', '--outDir', outDir],
  {
    stdio: ['ignore', 'ignore', 'inherit'],
  },
)
const staticServer = await serveStatic(outDir, STATIC_PREFIX)
let code = 1
try {
  const baseUrl = `http://127.0.0.1:${previewPort}/`
  await waitFor(baseUrl, 30_000)
  const env = {
    ...process.env,
    RINGSIDE_BASE_URL: baseUrl,
    RINGSIDE_STATIC_URL: `http://127.0.0.1:${staticServer.address().port}${STATIC_PREFIX}`,
    RINGSIDE_E2E_OUTPUT: process.env.RINGSIDE_E2E_OUTPUT ?? artifactFolder(),
  }
  code = await run(bin('playwright'), ['test', ...process.argv.slice(2)], env)
} catch (err) {
  console.error(err instanceof Error ? err.message : err)
} finally {
  preview.kill()
  staticServer.close()
  removeBuild()
}
process.exit(code)
