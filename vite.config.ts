import react from '@vitejs/plugin-react'
import { defineConfig, type Plugin } from 'vite'

/**
 * Content-Security-Policy (DESIGN §9): scripts only from the app's own origin — no inline script, no
 * eval ('wasm-unsafe-eval' is kept for a future WebAssembly block compiler). Styles allow inline
 * <style> elements because xterm.js writes its theme and cell metrics into them; style injection
 * cannot run script. In the dev server only, Vite's inline React-refresh preamble carries a nonce
 * and the HMR websocket is allowed.
 */
function contentSecurityPolicy(dev: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'wasm-unsafe-eval'${dev ? ` 'nonce-${DEV_NONCE}'` : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${dev ? ' ws: wss:' : ''}`,
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ')
}

const DEV_NONCE = 'ringside-dev-only'

/**
 * Cross-origin isolation (COOP + COEP) makes SharedArrayBuffer available, so events can cross from
 * the worker through a shared ring. Static hosts without these headers still work: the client then
 * transfers batches instead.
 */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
}

/** Puts the policy into index.html itself, so a plain static server (no headers) enforces it too. */
function cspMetaTag(): Plugin {
  return {
    name: 'ringside:csp-meta',
    transformIndexHtml(html, ctx) {
      const meta = `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(ctx.server !== undefined)}" />`
      if (!html.includes('<meta charset="UTF-8" />'))
        throw new Error('index.html: expected <meta charset="UTF-8" /> to put the CSP after')
      return html.replace('<meta charset="UTF-8" />', (charset) => `${charset}\n    ${meta}`)
    },
  }
}

export default defineConfig(({ command, isPreview }) => {
  const dev = command === 'serve' && !isPreview
  return {
    // Relative asset URLs: the built site works from any static server and any sub-path.
    base: './',
    plugins: [react(), cspMetaTag()],
    html: dev ? { cspNonce: DEV_NONCE } : {},
    worker: { format: 'es' },
    build: { target: 'es2022' },
    server: { headers: { ...ISOLATION_HEADERS, 'Content-Security-Policy': contentSecurityPolicy(true) } },
    preview: {
      headers: {
        ...ISOLATION_HEADERS,
        'Content-Security-Policy': `${contentSecurityPolicy(false)}; frame-ancestors 'none'`,
      },
    },
  }
})
