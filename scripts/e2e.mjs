// npm run test:e2e [-- <playwright args>]: builds the app, serves it (vite preview with COOP/COEP, and
// a plain static server under a sub-path), runs the Playwright suite against both, stops the servers.
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
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

const bin = (name) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname
if ((await run(bin('vite'), ['build', '--logLevel', 'warn'])) !== 0) process.exit(1)

const previewPort = await freePort()
const preview = spawn(
  bin('vite'),
  ['preview', '--port', String(previewPort), '--strictPort', '--host', '127.0.0.1'],
  {
    stdio: ['ignore', 'ignore', 'inherit'],
  },
)
const staticServer = await serveStatic('dist', STATIC_PREFIX)
let code = 1
try {
  const baseUrl = `http://127.0.0.1:${previewPort}/`
  await waitFor(baseUrl, 30_000)
  const env = {
    ...process.env,
    RINGSIDE_BASE_URL: baseUrl,
    RINGSIDE_STATIC_URL: `http://127.0.0.1:${staticServer.address().port}${STATIC_PREFIX}`,
  }
  code = await run(bin('playwright'), ['test', ...process.argv.slice(2)], env)
} catch (err) {
  console.error(err instanceof Error ? err.message : err)
} finally {
  preview.kill()
  staticServer.close()
}
process.exit(code)
