/**
 * Port and memory-mapped I/O buses. A device claims port ranges or an MMIO window; an access nobody
 * claims behaves as on a PC with nothing at that address: reads return all-ones, writes are dropped.
 */

export type AccessSize = 1 | 2 | 4

/** A device on the I/O port bus. `port` is the absolute port number. */
export interface PortDevice {
  readonly name: string
  portIn(port: number, size: AccessSize): number
  portOut(port: number, size: AccessSize, value: number): void
}

/** A device in the MMIO window. `offset` is relative to the base the device was mapped at. */
export interface MmioDevice {
  readonly name: string
  mmioRead(offset: number, size: AccessSize): number
  mmioWrite(offset: number, size: AccessSize, value: number): void
}

const ALL_ONES = [0, 0xff, 0xffff, 0, 0xffffffff] as const

/** The 64 KiB x86 I/O space. Lookup is one array index per access. */
export class PortBus {
  private readonly owner: (PortDevice | undefined)[] = new Array<PortDevice | undefined>(0x10000)

  /** Claims ports `first`..`last` inclusive. Throws if any is already claimed (a wiring bug). */
  register(first: number, last: number, dev: PortDevice): void {
    for (let p = first; p <= last; p++) {
      const prev = this.owner[p]
      if (prev) throw new Error(`port 0x${p.toString(16)} claimed by ${prev.name} and ${dev.name}`)
    }
    for (let p = first; p <= last; p++) this.owner[p] = dev
  }

  deviceAt(port: number): PortDevice | undefined {
    return this.owner[port & 0xffff]
  }

  in(port: number, size: AccessSize): number {
    const dev = this.owner[port & 0xffff]
    return dev ? dev.portIn(port & 0xffff, size) : ALL_ONES[size]
  }

  out(port: number, size: AccessSize, value: number): void {
    this.owner[port & 0xffff]?.portOut(port & 0xffff, size, value)
  }
}

interface MmioRegion {
  readonly base: number
  readonly end: number
  readonly dev: MmioDevice
}

/** Memory-mapped I/O windows above RAM. Few regions, so a linear search is the fastest lookup. */
export class MmioBus {
  private readonly regions: MmioRegion[] = []

  map(base: number, length: number, dev: MmioDevice): void {
    const end = base + length
    for (const r of this.regions) {
      if (base < r.end && r.base < end) throw new Error(`MMIO ${dev.name} overlaps ${r.dev.name}`)
    }
    this.regions.push({ base, end, dev })
  }

  /** True if `addr` falls in a mapped window (the CPU uses this to keep MMIO pages out of its fast TLB). */
  claims(addr: number): boolean {
    return this.find(addr) !== undefined
  }

  read(addr: number, size: AccessSize): number {
    const r = this.find(addr)
    return r ? r.dev.mmioRead(addr - r.base, size) : ALL_ONES[size]
  }

  write(addr: number, size: AccessSize, value: number): void {
    const r = this.find(addr)
    r?.dev.mmioWrite(addr - r.base, size, value)
  }

  private find(addr: number): MmioRegion | undefined {
    const a = addr >>> 0
    for (const r of this.regions) if (a >= r.base && a < r.end) return r
    return undefined
  }
}
