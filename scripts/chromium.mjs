// Where the tests and benchmarks find Chromium: Debian's package, or CHROMIUM_PATH.
import { existsSync } from 'node:fs'

/** Flags for a headless Chromium in a container or CI machine. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
]

export function chromiumPath() {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium'
}

/** The Chromium executable, or null when there is none. */
export function findChromium() {
  const path = chromiumPath()
  return existsSync(path) ? path : null
}

export function missingChromiumMessage() {
  return [
    `No Chromium at ${chromiumPath()}.`,
    'The end-to-end tests and benchmarks drive a real Chromium. Install one:',
    '  Debian/Ubuntu:  sudo apt-get install chromium',
    'or point CHROMIUM_PATH at a Chromium or Chrome executable, e.g.',
    '  CHROMIUM_PATH=/usr/bin/google-chrome npm test',
  ].join('\n')
}
