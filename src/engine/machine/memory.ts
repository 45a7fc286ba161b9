/**
 * Physical memory: one contiguous little-endian byte array. The CPU reads and writes it through its
 * own fast paths; devices (DMA, virtqueues, the loader) use the methods here, which also tell every
 * CPU holding decoded code from the page written, so each decoded-instruction cache stays coherent
 * (the job real CPUs do with snooping, SDM Vol. 3A §11.6 "Self-modifying code").
 */
export const PAGE_SHIFT = 12
export const PAGE_SIZE = 1 << PAGE_SHIFT

/**
 * What a device sees of memory: physical addresses as the *guest* knows them. On bare metal that is
 * {@link PhysicalMemory} itself; for a VM it is a {@link MemoryWindow} onto the VM's slice of host
 * memory (a device model DMAs to guest-physical addresses, as QEMU does through its mapping of guest RAM).
 */
export interface DmaMemory {
  readonly size: number
  read8(a: number): number
  read16(a: number): number
  read32(a: number): number
  write8(a: number, v: number): void
  write16(a: number, v: number): void
  write32(a: number, v: number): void
  writeBytes(a: number, bytes: Uint8Array): void
  readBytes(a: number, length: number): Uint8Array
}

/**
 * A decoded-instruction cache over physical memory (one per CPU: several CPUs — one per VM — may share
 * one host memory). Each keeps its own record of the pages it decoded and counts itself in
 * {@link PhysicalMemory.codePages} while it holds code from a page.
 */
export interface CodeCache {
  /** A write landed on `page`, where some cache holds decoded code: drop this cache's code from the page, if any. */
  codeWritten(page: number): void
  /** Some cache started holding code from `page` (no cache did before): writes to it must no longer bypass the caches. */
  codePageAdded(page: number): void
}

export class PhysicalMemory implements DmaMemory {
  readonly u8: Uint8Array
  /** Per 4 KiB page: how many code caches (CPUs) hold decoded instructions from that page. */
  readonly codePages: Uint8Array
  private readonly codeCaches: CodeCache[] = []

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size <= 0 || size % PAGE_SIZE !== 0) {
      throw new RangeError(`memory size must be a positive multiple of ${PAGE_SIZE} bytes, got ${size}`)
    }
    this.u8 = new Uint8Array(size)
    this.codePages = new Uint8Array(size >>> PAGE_SHIFT)
  }

  read8(a: number): number {
    return this.u8[a]
  }
  read16(a: number): number {
    return this.u8[a] | (this.u8[a + 1] << 8)
  }
  read32(a: number): number {
    const m = this.u8
    return (m[a] | (m[a + 1] << 8) | (m[a + 2] << 16) | (m[a + 3] << 24)) >>> 0
  }

  write8(a: number, v: number): void {
    this.u8[a] = v
    if (this.codePages[a >>> PAGE_SHIFT]) this.codeWritten(a, 1)
  }
  write16(a: number, v: number): void {
    this.u8[a] = v
    this.u8[a + 1] = v >>> 8
    if (this.codePages[a >>> PAGE_SHIFT] | this.codePages[(a + 1) >>> PAGE_SHIFT]) this.codeWritten(a, 2)
  }
  write32(a: number, v: number): void {
    const m = this.u8
    m[a] = v
    m[a + 1] = v >>> 8
    m[a + 2] = v >>> 16
    m[a + 3] = v >>> 24
    if (this.codePages[a >>> PAGE_SHIFT] | this.codePages[(a + 3) >>> PAGE_SHIFT]) this.codeWritten(a, 4)
  }

  /** Copies bytes in (loader, DMA). */
  writeBytes(a: number, bytes: Uint8Array): void {
    if (a < 0 || a + bytes.length > this.size) {
      throw new RangeError(
        `write of ${bytes.length} bytes at 0x${a.toString(16)} is outside memory (${this.size} bytes)`,
      )
    }
    this.u8.set(bytes, a)
    this.codeWritten(a, bytes.length)
  }

  /** Copies bytes out (DMA, inspector). */
  readBytes(a: number, length: number): Uint8Array {
    return this.u8.slice(a, a + length)
  }

  /** Registers a code cache for write notifications; returns the function that unregisters it. */
  addCodeCache(cache: CodeCache): () => void {
    this.codeCaches.push(cache)
    return () => {
      const k = this.codeCaches.indexOf(cache)
      if (k >= 0) this.codeCaches.splice(k, 1)
    }
  }

  /** Tells every code cache but `from` that `page`, which holds decoded code, was written. */
  notifyCodeWrite(page: number, from: CodeCache | null): void {
    for (const c of this.codeCaches) if (c !== from) c.codeWritten(page)
  }

  /** Tells every code cache but `from` that `page` now holds decoded code (its count went from 0 to 1). */
  notifyCodePage(page: number, from: CodeCache): void {
    for (const c of this.codeCaches) if (c !== from) c.codePageAdded(page)
  }

  private codeWritten(a: number, len: number): void {
    const last = (a + len - 1) >>> PAGE_SHIFT
    for (let p = a >>> PAGE_SHIFT; p <= last; p++) if (this.codePages[p]) this.notifyCodeWrite(p, null)
  }
}

/**
 * A VM's guest-physical memory as a window onto host memory: guest-physical `a` is host-physical
 * `base + a`. Accesses outside the window read as all-ones and drop writes (no RAM there).
 */
export class MemoryWindow implements DmaMemory {
  constructor(
    readonly host: PhysicalMemory,
    readonly base: number,
    readonly size: number,
  ) {
    if (base % PAGE_SIZE !== 0 || size % PAGE_SIZE !== 0 || base + size > host.size) {
      throw new RangeError(
        `memory window 0x${base.toString(16)}+0x${size.toString(16)} does not fit host memory`,
      )
    }
  }
  private ok(a: number, n: number): boolean {
    return a >= 0 && a + n <= this.size
  }
  read8(a: number): number {
    return this.ok(a, 1) ? this.host.read8(this.base + a) : 0xff
  }
  read16(a: number): number {
    return this.ok(a, 2) ? this.host.read16(this.base + a) : 0xffff
  }
  read32(a: number): number {
    return this.ok(a, 4) ? this.host.read32(this.base + a) : 0xffffffff
  }
  write8(a: number, v: number): void {
    if (this.ok(a, 1)) this.host.write8(this.base + a, v)
  }
  write16(a: number, v: number): void {
    if (this.ok(a, 2)) this.host.write16(this.base + a, v)
  }
  write32(a: number, v: number): void {
    if (this.ok(a, 4)) this.host.write32(this.base + a, v)
  }
  writeBytes(a: number, bytes: Uint8Array): void {
    if (!this.ok(a, bytes.length))
      throw new RangeError(
        `write of ${bytes.length} bytes at guest-physical 0x${a.toString(16)} is outside the VM's memory`,
      )
    this.host.writeBytes(this.base + a, bytes)
  }
  readBytes(a: number, length: number): Uint8Array {
    if (!this.ok(a, length))
      throw new RangeError(
        `read of ${length} bytes at guest-physical 0x${a.toString(16)} is outside the VM's memory`,
      )
    return this.host.readBytes(this.base + a, length)
  }
}
