// A plain static file server: no COOP/COEP, no CSP header — what a student's web host gives. The
// e2e suite serves the build under a sub-path with it to prove the relative base and the fallback
// to transferred batches.
import { createReadStream, statSync } from 'node:fs'
import { createServer } from 'node:http'
import { extname, join, normalize, resolve, sep } from 'node:path'

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
}

/** Serves `root` at `prefix` (e.g. "/courses/os/ringside/"). Resolves to the listening server. */
export function serveStatic(root, prefix, port = 0, host = '127.0.0.1') {
  const base = resolve(root)
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (!url.pathname.startsWith(prefix)) return void res.writeHead(404).end('not found')
    let rel = decodeURIComponent(url.pathname.slice(prefix.length))
    if (rel === '' || rel.endsWith('/')) rel += 'index.html'
    const file = normalize(join(base, rel))
    if (file !== base && !file.startsWith(base + sep)) return void res.writeHead(403).end('forbidden')
    let size
    try {
      const st = statSync(file)
      if (!st.isFile()) throw new Error('not a file')
      size = st.size
    } catch {
      return void res.writeHead(404).end('not found')
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': size,
    })
    createReadStream(file).pipe(res)
  })
  return new Promise((ok, fail) => {
    server.once('error', fail)
    server.listen(port, host, () => ok(server))
  })
}
