import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export const REPO = join(import.meta.dirname, '..', '..')
export const GUESTS = join(REPO, 'public', 'guests')

/** The toolchain the committed images were built with (public/guests/toolchain.json). */
export interface Toolchain {
  readonly gcc: string
  readonly nasm: string
  readonly binutils: string
}

export function recordedToolchain(): Toolchain {
  return JSON.parse(readFileSync(join(GUESTS, 'toolchain.json'), 'utf8')) as Toolchain
}

function firstLine(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')[0]
      .trim()
  } catch {
    return null
  }
}

/**
 * The local tools, as build.sh records them, or a message naming what is missing and the Debian
 * package that provides it.
 */
export function localToolchain(): Toolchain | string {
  const gcc = firstLine('gcc', ['--version'])
  const nasm = firstLine('nasm', ['-v'])
  const binutils = firstLine('ld', ['--version'])
  if (!gcc) return 'gcc is not installed (Debian: gcc-multilib)'
  if (!nasm) return 'nasm is not installed (Debian: nasm)'
  if (!binutils) return 'ld is not installed (Debian: binutils)'
  if (firstLine('gcc', ['-m32', '-print-file-name=libgcc.a'])?.endsWith('libgcc.a') !== true) {
    return 'gcc cannot target -m32 (Debian: gcc-multilib)'
  }
  return { gcc, nasm, binutils }
}
