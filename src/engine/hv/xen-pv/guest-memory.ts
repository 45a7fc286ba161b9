import type { Cpu } from '../../cpu/cpu'
import { PAGE_SIZE, type PhysicalMemory } from '../../machine/memory'

/**
 * Guest virtual memory as Xen reaches it while handling a hypercall (copy_from_guest /
 * copy_to_guest): through the page tables the vCPU has loaded, with supervisor access (a read-only
 * page stays read-only for Xen too, since CR0.WP is set). A failed translation is -EFAULT for the
 * hypercall, never an exception in Xen.
 */
export class GuestMemory {
  constructor(
    private readonly cpu: Cpu,
    private readonly mem: PhysicalMemory,
  ) {}

  /** The machine address of `va`, or -1 when the access would fault. */
  translate(va: number, write: boolean): number {
    const r = this.cpu.walk(va >>> 0, { write, user: false })
    return r.physical === null || r.physical + 1 > this.mem.size ? -1 : r.physical
  }

  /** Reads `n` bytes at `va` (page by page), or null when part of it is not mapped. */
  read(va: number, n: number): Uint8Array | null {
    const out = new Uint8Array(n)
    for (let done = 0; done < n;) {
      const at = (va + done) >>> 0
      const chunk = Math.min(n - done, PAGE_SIZE - (at % PAGE_SIZE))
      const pa = this.translate(at, false)
      if (pa < 0) return null
      out.set(this.mem.readBytes(pa, chunk), done)
      done += chunk
    }
    return out
  }

  /** Writes `bytes` at `va`; false (and possibly a partial write) when part of it is not writable. */
  write(va: number, bytes: Uint8Array): boolean {
    for (let done = 0; done < bytes.length;) {
      const at = (va + done) >>> 0
      const chunk = Math.min(bytes.length - done, PAGE_SIZE - (at % PAGE_SIZE))
      const pa = this.translate(at, true)
      if (pa < 0) return false
      this.mem.writeBytes(pa, bytes.subarray(done, done + chunk))
      done += chunk
    }
    return true
  }

  read32(va: number): number | null {
    const b = this.read(va, 4)
    return b === null ? null : (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0
  }

  write32(va: number, v: number): boolean {
    return this.write(va, Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff))
  }
}
