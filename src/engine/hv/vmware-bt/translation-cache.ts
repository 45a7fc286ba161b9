/**
 * The translation cache of VMware's binary translator (hypervisor-flows.md §6.3; Bugnion et al., ACM
 * TOCS 2012; Adams & Agesen, ASPLOS 2006): guest kernel code never runs as it is, only as translated
 * blocks. A basic block is translated the first time control reaches it, kept in the cache keyed by its
 * guest-physical address, and chained to the successors it jumps to, so later executions neither
 * translate nor look anything up; control flow the translator cannot chain (returns, indirect jumps)
 * looks the target up in the cache. A write to a page whose code was translated drops that page's
 * translations (self-modifying code).
 *
 * How Ringside runs it [R]: the translation of almost every instruction is the instruction itself
 * ("most instructions translate identically"), so the CPU executes the guest's bytes from its own
 * decoded-block cache; the sensitive and privileged ones are replaced by call-outs through the CPU's
 * interceptors (cpu/interceptors.ts). {@link BtCpu} tells the cache when the CPU decodes a guest-kernel
 * block (a translation), when it enters one through a lookup rather than a chain (a cache hit), and
 * when it drops a page's blocks (an invalidation). Guest user code (ring 3) is not translated: it runs
 * directly.
 */
import { Cpu } from '../../cpu/cpu'
import { Op } from '../../cpu/ops'

/** One translated block. */
interface Block {
  readonly eip: number
  readonly bytes: number
  readonly insns: number
  /** Guest-physical addresses of the blocks it was chained to (at most two: fall-through and branch target). */
  readonly succ: number[]
}

/** Translation-cache statistics (the runner's `bt` object). */
export interface BtStats {
  /** Blocks translated (including retranslations after invalidation). */
  translations: number
  /** Guest instructions translated. */
  translatedInsns: number
  /** Lookups that found a translation (control flow the translator did not chain). */
  hits: number
  /** Of those, lookups after an indirect transfer (a return, a jump or call through a register or memory). */
  indirectHits: number
  /** Chain links made between translated blocks. */
  chains: number
  /** Invalidations (writes to pages holding translated code) and the blocks they dropped. */
  invalidations: number
  blocksInvalidated: number
  /** Blocks in the cache now. */
  blocks: number
}

/** What the cache reports to its model (events, flows, costs). */
export interface TranslationCacheEvents {
  translated(eip: number, gpa: number, bytes: number, insns: number): void
  hit(eip: number, indirect: boolean): void
  invalidated(gpaPage: number, blocks: number): void
}

export class TranslationCache {
  readonly stats: BtStats = {
    translations: 0,
    translatedInsns: 0,
    hits: 0,
    indirectHits: 0,
    chains: 0,
    invalidations: 0,
    blocksInvalidated: 0,
    blocks: 0,
  }
  private blocks = new Map<number, Block>()
  /** Guest page → guest-physical starts of the blocks on it. */
  private pages = new Map<number, number[]>()
  private prev = -1

  constructor(
    private readonly guestBase: number,
    private readonly guestSize: number,
    private readonly events: TranslationCacheEvents,
  ) {}

  /** Guest-physical address of a host-physical one in the VM's RAM, else -1. */
  private gpa(hostPhys: number): number {
    const g = hostPhys - this.guestBase
    return g >= 0 && g < this.guestSize ? g : -1
  }

  /**
   * Control reached guest-kernel code at `hostPhys` without the CPU's own chain: a lookup. `indirect`:
   * it follows an indirect transfer (a return, a jump or call through a register or memory), whose
   * target cannot be chained; other successors are chained to the block before.
   */
  lookup(hostPhys: number, eip: number, indirect: boolean): void {
    const g = this.covering(this.gpa(hostPhys))
    if (g < 0) return // a miss: the translation follows in built()
    this.stats.hits++
    if (indirect) {
      this.stats.indirectHits++
      this.prev = g
    } else this.link(g)
    this.events.hit(eip, indirect)
  }

  /**
   * The translated block that holds guest-physical `g`: starting there, or containing it (control
   * resumed inside a block — after an interrupt, a call-out, a single step — runs the same
   * translation from that instruction on).
   */
  private covering(g: number): number {
    if (this.blocks.has(g)) return g
    for (const start of this.pages.get(g >>> 12) ?? [])
      if (start < g && g < start + this.blocks.get(start)!.bytes) return start
    return -1
  }

  /** The CPU decoded the guest-kernel block at `hostPhys`: a translation, unless the cache already holds that code. */
  built(hostPhys: number, eip: number, bytes: number, insns: number): void {
    const g = this.gpa(hostPhys)
    if (g < 0 || this.covering(g) >= 0) return
    this.blocks.set(g, { eip, bytes, insns, succ: [] })
    const page = g >>> 12
    const list = this.pages.get(page)
    if (list) list.push(g)
    else this.pages.set(page, [g])
    this.stats.translations++
    this.stats.translatedInsns += insns
    this.stats.blocks = this.blocks.size
    this.link(g)
    this.events.translated(eip, g, bytes, insns)
  }

  /** The block entered before `g` jumps to it: chain them (first two successors). */
  private link(g: number): void {
    const p = this.prev >= 0 ? this.blocks.get(this.prev) : undefined
    if (p !== undefined && !p.succ.includes(g) && p.succ.length < 2) {
      p.succ.push(g)
      this.stats.chains++
    }
    this.prev = g
  }

  /** A write hit code on host page `hostPage`: the translations of that page are dropped. */
  invalidate(hostPage: number): void {
    const g = this.gpa(hostPage << 12)
    if (g < 0) return
    const list = this.pages.get(g >>> 12)
    if (list === undefined) return
    for (const b of list) this.blocks.delete(b)
    this.pages.delete(g >>> 12)
    for (const b of this.blocks.values()) {
      const k = b.succ.findIndex((s) => s >>> 12 === g >>> 12)
      if (k >= 0) b.succ.splice(k, 1)
    }
    if (this.prev >= 0 && this.prev >>> 12 === g >>> 12) this.prev = -1
    this.stats.invalidations++
    this.stats.blocksInvalidated += list.length
    this.stats.blocks = this.blocks.size
    this.events.invalidated(g & ~0xfff, list.length)
  }

  save(): unknown {
    return {
      stats: this.stats,
      blocks: [...this.blocks].map(([g, b]) => [g, b.eip, b.bytes, b.insns, b.succ]),
      prev: this.prev,
    }
  }

  load(raw: unknown): void {
    const s = raw as { stats: BtStats; blocks: [number, number, number, number, number[]][]; prev: number }
    Object.assign(this.stats, s.stats)
    this.blocks = new Map()
    this.pages = new Map()
    for (const [g, eip, bytes, insns, succ] of s.blocks) {
      this.blocks.set(g, { eip, bytes, insns, succ })
      const list = this.pages.get(g >>> 12)
      if (list) list.push(g)
      else this.pages.set(g >>> 12, [g])
    }
    this.prev = s.prev
  }
}

/**
 * The CPU of a vCPU under binary translation: an ordinary Ringside CPU whose decoded-block cache also
 * feeds the {@link TranslationCache} for guest-kernel code, and whose stores at adapted sites are
 * performed by the VMM as call-outs (adaptive BT: {@link calloutSites}).
 */
/** Ops that transfer control to a target known only at run time (cpu/ops.ts). */
const INDIRECT = new Uint8Array(256)
for (const op of [
  Op.Ret,
  Op.RetN,
  Op.JmpR32,
  Op.JmpM32,
  Op.CallR32,
  Op.CallM32,
  Op.JmpE,
  Op.CallE,
  Op.JmpFarE,
  Op.CallFarE,
  Op.RetFar,
  Op.Iret,
])
  INDIRECT[op] = 1

export class BtCpu extends Cpu {
  tc: TranslationCache | null = null
  /** The decoded blocks were just flushed (a snapshot, a restore, a full store): the next entry is no lookup. */
  private flushed = true
  /** Guest EIPs of stores the translator turned into call-outs (they kept faulting on traced page tables). */
  readonly calloutSites = new Set<number>()
  /** Performs a store at a call-out site; false when the VMM leaves it to the hardware (not a traced page). */
  storeCallout: ((linear: number, size: 1 | 2 | 4, value: number) => boolean) | null = null

  override fetchPhys(eip: number): number {
    const phys = super.fetchPhys(eip)
    // The CPU leaves `cur` one past the last instruction it retired: the transfer that led here. After
    // an instruction it decodes on its own every time (one that crosses a page, in the last slot), the
    // next block is a direct successor.
    const last = this.cur - 1
    if (this.flushed) this.flushed = false
    else if (this.cpl !== 3 && this.tc !== null && last !== this.dec.capacity - 1)
      this.tc.lookup(phys, eip, INDIRECT[this.dec.op[last] ?? 0] === 1)
    return phys
  }

  override flushBlocks(): void {
    super.flushBlocks()
    this.flushed = true
  }

  override buildBlock(phys: number, eip: number): number {
    const slot = super.buildBlock(phys, eip)
    if (this.cpl !== 3 && this.tc !== null && this.bPhys[slot] === phys)
      this.tc.built(phys, eip, this.bBytes[slot]!, this.bCount[slot]!)
    return slot
  }

  override invalidatePage(page: number): void {
    super.invalidatePage(page)
    this.tc?.invalidate(page)
  }

  private callout(linear: number, size: 1 | 2 | 4, value: number): boolean {
    return (
      this.cpl !== 3 &&
      this.calloutSites.has(this.insnEip()) &&
      this.storeCallout !== null &&
      this.storeCallout(linear, size, value)
    )
  }

  override wr32(linear: number, value: number): void {
    if (this.calloutSites.size !== 0 && this.callout(linear, 4, value)) return
    super.wr32(linear, value)
  }

  override wr16(linear: number, value: number): void {
    if (this.calloutSites.size !== 0 && this.callout(linear, 2, value)) return
    super.wr16(linear, value)
  }

  override wr8(linear: number, value: number): void {
    if (this.calloutSites.size !== 0 && this.callout(linear, 1, value)) return
    super.wr8(linear, value)
  }
}
