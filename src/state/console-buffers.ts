import type { Disposable } from '../client/engine-client'
import type { ConsoleChunk } from '../worker/protocol'

type Listener = (bytes: Uint8Array, redraw: boolean) => void

interface VmConsole {
  chunks: Uint8Array[]
  bytes: number
  /** Bytes ever written (trimming does not lower it). */
  total: number
  /** The last bytes written, for prompt checks. */
  tail: Uint8Array
  listeners: Set<Listener>
}

const TAIL = 64

/**
 * The VM consoles' output on the main thread: kept (the last `limit` bytes per VM) so a terminal that
 * mounts late — xterm loads lazily — or remounts shows what came before, and passed on chunk by chunk
 * to the terminals listening.
 */
export class ConsoleBuffers {
  private readonly vms = new Map<number, VmConsole>()

  constructor(readonly limit = 256 << 10) {}

  private vm(index: number): VmConsole {
    let c = this.vms.get(index)
    if (c === undefined) {
      c = { chunks: [], bytes: 0, total: 0, tail: new Uint8Array(0), listeners: new Set() }
      this.vms.set(index, c)
    }
    return c
  }

  append({ vm, bytes, redraw }: ConsoleChunk): void {
    const c = this.vm(vm)
    if (redraw) {
      c.chunks = []
      c.bytes = 0
      c.tail = new Uint8Array(0)
    }
    if (bytes.length > 0) {
      c.chunks.push(bytes)
      c.bytes += bytes.length
      c.total += bytes.length
      const end = bytes.subarray(-TAIL)
      const joined = new Uint8Array(c.tail.length + end.length)
      joined.set(c.tail)
      joined.set(end, c.tail.length)
      c.tail = joined.slice(-TAIL)
      while (c.bytes > this.limit && c.chunks.length > 1) c.bytes -= c.chunks.shift()?.length ?? 0
    }
    for (const l of c.listeners) l(bytes, redraw)
  }

  /** Everything kept for VM `vm`, oldest first. */
  history(vm: number): readonly Uint8Array[] {
    return this.vm(vm).chunks
  }

  /** Bytes VM `vm` has written since the last clear. */
  total(vm: number): number {
    return this.vm(vm).total
  }

  /** Whether VM `vm`'s output ends with `text` (ASCII). */
  endsWith(vm: number, text: string): boolean {
    const t = this.vm(vm).tail
    if (text.length > t.length) return false
    for (let i = 0; i < text.length; i++)
      if (t[t.length - text.length + i] !== text.charCodeAt(i)) return false
    return true
  }

  subscribe(vm: number, listener: Listener): Disposable {
    const c = this.vm(vm)
    c.listeners.add(listener)
    return { dispose: () => void c.listeners.delete(listener) }
  }

  /** A new session: every terminal starts over. */
  clear(): void {
    for (const [vm, c] of this.vms) {
      c.chunks = []
      c.bytes = 0
      c.total = 0
      c.tail = new Uint8Array(0)
      for (const l of c.listeners) l(new Uint8Array(0), true)
      if (c.listeners.size === 0) this.vms.delete(vm)
    }
  }
}
