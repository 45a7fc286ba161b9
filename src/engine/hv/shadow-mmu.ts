/**
 * Shadow page tables: memory virtualization without a second hardware translation stage (before EPT;
 * hypervisor-flows.md §3.2 (e), §6.3; Linux Documentation/virt/kvm/x86/mmu.rst "shadow pages").
 *
 * The guest keeps its own 32-bit page tables (Intel SDM Vol. 3A §4.3), whose entries hold
 * guest-physical addresses. The CPU never walks them: its CR3 points at a *shadow* page directory the
 * monitor builds, whose entries map guest-linear addresses straight to host-physical ones. Shadow
 * entries are made on demand, from the fault the empty shadow causes (a "hidden" page fault the guest
 * never sees); a fault the guest's own tables explain is a *true* fault, reflected to the guest with
 * the CR2 and error code its own walk gives.
 *
 * Coherence: the guest may rewrite its page tables at any time, so every guest frame a shadow page was
 * built from is *tracked* — mapped read-only in every shadow, so a write to it faults into the monitor.
 * The monitor then either emulates the write and updates the shadow at once ({@link ShadowMmu.writeGuestEntry},
 * VMware's "tracing"), or makes the page writable and *unsync*, resynchronising its shadow when the
 * guest flushes the TLB — INVLPG for one entry, a CR3 load for everything ({@link ShadowMmu.unsync},
 * KVM's unsync pages). The x86 TLB itself may be stale until such a flush (SDM Vol. 3A §4.10.4), so a
 * guest cannot tell the difference. A frame written again and again without being used as a page
 * table (a freed page table reused as data) stops being shadowed (KVM's write-flooding detection).
 *
 * Shadow roots are cached per guest CR3, so switching between processes reuses their shadows. The
 * guest's accessed and dirty bits are maintained by the monitor: A is set when a shadow entry is made,
 * and a page whose guest D bit is clear is mapped read-only until its first write sets D.
 *
 * The same manager serves a ring-compression monitor (trap-emulate, vmware-bt: hidden faults arrive as
 * #PF, INVLPG and MOV CR3 as trapped or translated instructions) and, later, a VT-x model with EPT off
 * (exit 0 with #PF, exit 14 INVLPG, exit 28 MOV CR3). Shadow tables use only 4 KiB pages; a guest
 * 4 MiB page is shadowed by a table of 4 KiB entries (as KVM does).
 */
import type { PhysicalMemory } from '../machine/memory'
import type { StateReader, StateWriter } from '../snapshot'
import type { GuestPhys, GuestVirt, HostPhys } from '../types'

const P = 1
const RW = 2
const US = 4
const A = 0x20
const D = 0x40
const PS = 0x80
/** Software-available bit 9 of a shadow entry: the guest's tables allow writes here (W was withheld). */
const AVL_W = 0x200
/** Bits 21:13 of a 4 MiB PDE are reserved without PSE-36 (SDM Vol. 3A Table 4-4). */
const PDE4M_RESERVED = 0x003fe000
const CR0_PG = 0x80000000
const CR0_WP = 0x10000
const CR4_PSE = 0x10

/** #PF error-code bits (SDM Vol. 3A §4.7). */
export const PfError = { P: 1, W: 2, U: 4, RSVD: 8 } as const

/** A guest-frame number (guest-physical address >> 12); -1 where a shadow page has no guest table. */
type Gfn = number

/** Pt-write faults a tracked frame may take without being walked as a page table before it is unshadowed. */
const FLOOD_LIMIT = 3
/** Shadow roots kept for guest CR3 values not currently loaded (least recently used go first). */
const MAX_ROOTS = 12

interface Root {
  /** Guest CR3 page (guest-physical), or -1 for the root used while guest paging is off. */
  readonly key: number
  readonly pd: ShadowPage
  readonly tables: (ShadowPage | undefined)[]
  lastUse: number
}

interface ShadowPage {
  /** Host-physical address of this shadow table. */
  readonly hpa: number
  /** 2: a shadow page directory (a root); 1: a shadow page table. */
  readonly level: 1 | 2
  /** The guest table it shadows (its frame is tracked), or -1 (a guest 4 MiB page, or paging off). */
  readonly gfn: Gfn
  readonly root: Root
  /** Level 1: the page-directory index it serves, and the guest PDE it was built from. */
  readonly pdi: number
  readonly guestPde: number
}

/**
 * What a page fault taken while the guest ran means:
 * - `fixed`: a hidden fault — the shadow lacked an entry the guest's tables allow; it is made now and
 *   the instruction is simply restarted;
 * - `guest`: a true fault of the guest, to be reflected with the guest-visible CR2 and error code;
 * - `pt-write`: a write the guest is allowed to make, to one of its own page-table pages (tracked):
 *   the monitor emulates it ({@link ShadowMmu.writeGuestEntry}) or unsyncs the page ({@link ShadowMmu.unsync});
 * - `unbacked`: the address is reserved for the monitor, or no RAM or device backs the guest-physical
 *   page: the guest cannot use it.
 */
export type ShadowFault =
  | { readonly kind: 'fixed'; readonly gpa: GuestPhys; readonly entry: number }
  | { readonly kind: 'guest'; readonly cr2: GuestVirt; readonly errorCode: number }
  | { readonly kind: 'pt-write'; readonly gpa: GuestPhys; readonly level: 1 | 2 }
  | { readonly kind: 'unbacked'; readonly linear: GuestVirt }

/** Counters for the runner's summary and the UI. */
export interface ShadowMmuStats {
  hiddenFaults: number
  guestFaults: number
  ptWrites: number
  emulatedWrites: number
  unsyncs: number
  resyncs: number
  rootSwitches: number
  rootsBuilt: number
  unshadowed: number
  poolResets: number
}

export interface ShadowMmuOptions {
  /** The machine's RAM. */
  readonly host: PhysicalMemory
  /** Where the guest's RAM lies in host memory: guest-physical `a` is host-physical `guestBase + a`. */
  readonly guestBase: number
  readonly guestSize: number
  /** Host pages the manager may use for shadow tables (page-aligned). */
  readonly poolBase: number
  readonly poolPages: number
  /**
   * Page-directory entries every shadow root carries unchanged: the monitor's own mappings (its
   * descriptor tables at the top of the address space), which the guest can neither see nor map.
   */
  readonly fixedPdes?: readonly (readonly [index: number, value: number])[]
  /** Guest-physical pages at or above this address are device memory, mapped to the same host-physical address (the PC's MMIO window). */
  readonly mmioBase?: number
  /** The real TLB must forget `linear` (null: everything) — a shadow entry it may cache changed. */
  readonly invalidate: (linear: number | null) => void
}

/** The result of walking the guest's own page tables for one access. */
interface GuestWalk {
  /** -1 when the access is allowed, else the #PF error code the guest would see. */
  fault: number
  gpa: number
  us: boolean
  rw: boolean
  dirty: boolean
  large: boolean
  /** The guest's leaf entry (PTE, or the 4 MiB PDE). */
  entry: number
  pde: number
  pdeGpa: number
  pteGpa: number
}

/**
 * The shadow page-table manager of one vCPU's guest. See the file comment for the model; the methods
 * are what a monitor calls when the guest loads CR0/CR3/CR4, executes INVLPG, or faults.
 */
export class ShadowMmu {
  readonly stats: ShadowMmuStats = {
    hiddenFaults: 0,
    guestFaults: 0,
    ptWrites: 0,
    emulatedWrites: 0,
    unsyncs: 0,
    resyncs: 0,
    rootSwitches: 0,
    rootsBuilt: 0,
    unshadowed: 0,
    poolResets: 0,
  }
  private readonly host: PhysicalMemory
  private readonly m32: Int32Array
  private readonly guestBase: number
  private readonly guestSize: number
  private readonly fixed: ReadonlyMap<number, number>
  private readonly mmioBase: number
  private readonly invalidate: (linear: number | null) => void
  private readonly poolBase: number
  private readonly poolPages: number
  private free: number[] = []
  private roots = new Map<number, Root>()
  private pages = new Map<number, ShadowPage>()
  /** Guest frames that shadow pages were built from (tracked, write-protected unless unsync). */
  private parents = new Map<Gfn, Set<ShadowPage>>()
  /** Host addresses of the shadow leaf entries that map each guest frame. */
  private rmap = new Map<Gfn, Set<number>>()
  private unsynced = new Set<Gfn>()
  private flood = new Map<Gfn, number>()
  private current: Root
  private cr0 = 0
  private cr3 = 0
  private cr4 = 0
  private clock = 0

  constructor(opts: ShadowMmuOptions) {
    this.host = opts.host
    this.m32 = new Int32Array(opts.host.u8.buffer, 0, opts.host.size >>> 2)
    this.guestBase = opts.guestBase
    this.guestSize = opts.guestSize
    this.poolBase = opts.poolBase
    this.poolPages = opts.poolPages
    this.fixed = new Map(opts.fixedPdes ?? [])
    this.mmioBase = opts.mmioBase ?? 0xc0000000
    this.invalidate = opts.invalidate
    if (opts.poolBase % 4096 !== 0 || opts.poolPages < 4)
      throw new RangeError('shadow pool: at least 4 aligned pages')
    this.resetPool()
    this.current = this.rootFor(-1)
  }

  /** Host-physical address of the shadow page directory the CPU's CR3 must hold now. */
  get root(): HostPhys {
    return this.current.pd.hpa as HostPhys
  }

  /** The guest's CR0 (PG, WP), CR3 and CR4 (PSE) as the monitor keeps them. */
  get guestControl(): { readonly cr0: number; readonly cr3: number; readonly cr4: number } {
    return { cr0: this.cr0, cr3: this.cr3, cr4: this.cr4 }
  }

  private get paging(): boolean {
    return (this.cr0 & CR0_PG) !== 0
  }

  /**
   * The guest loaded CR0 or CR4. A change of paging, write protection or page size extension
   * changes what every shadow entry means, so all shadows are dropped (KVM resets its MMU context on
   * these bits). Returns the root to load into CR3.
   */
  setControl(cr0: number, cr4: number): HostPhys {
    const relevant = CR0_PG | CR0_WP
    const changed = ((cr0 ^ this.cr0) & relevant) !== 0 || ((cr4 ^ this.cr4) & CR4_PSE) !== 0
    this.cr0 = cr0
    this.cr4 = cr4
    if (changed) {
      this.resetPool()
      this.current = this.rootFor(this.paging ? this.cr3 & ~0xfff : -1)
      this.invalidate(null)
    }
    return this.root
  }

  /**
   * The guest loaded CR3 (a TLB flush, SDM Vol. 3A §4.10.4.1): every unsync page is brought back in
   * step with the guest's tables and write-protected again, and the shadow root for the new page
   * directory becomes current (built, or reused from the cache). Returns the root for the CPU's CR3.
   */
  loadCr3(cr3: number): HostPhys {
    this.cr3 = cr3
    this.syncAll()
    if (this.paging) {
      const key = cr3 & 0xfffff000
      if (key !== this.current.key) this.stats.rootSwitches++
      this.current = this.rootFor(key)
    }
    this.invalidate(null)
    return this.root
  }

  /**
   * INVLPG (SDM Vol. 3A §4.10.4.1): the shadow entry for `linear` is dropped, so the next access
   * rebuilds it from the guest's tables as they are now; a shadow table whose guest PDE changed is
   * dropped as a whole.
   */
  invlpg(linear: number): void {
    const pdi = linear >>> 22
    if (this.fixed.has(pdi)) return
    const t = this.current.tables[pdi]
    if (t) {
      if (!this.tableMatches(t)) this.zapTable(t)
      else this.zapEntry(t, (linear >>> 12) & 0x3ff)
    }
    this.invalidate(linear)
  }

  /**
   * Handles a page fault the CPU took while running the guest on the shadow tables. `errorCode` is the
   * real #PF error code (its W and U bits describe the access).
   */
  fault(linear: number, errorCode: number): ShadowFault {
    const lin = linear >>> 0
    const write = (errorCode & PfError.W) !== 0
    const user = (errorCode & PfError.U) !== 0
    if (this.fixed.has(lin >>> 22)) return { kind: 'unbacked', linear: lin as GuestVirt }
    const g = this.walk(lin, write, user, true)
    if (g.fault >= 0) {
      this.stats.guestFaults++
      return { kind: 'guest', cr2: lin as GuestVirt, errorCode: g.fault }
    }
    const gfn = g.gpa >>> 12
    if (!this.backed(g.gpa)) return { kind: 'unbacked', linear: lin as GuestVirt }
    if (write && this.isProtected(gfn)) {
      this.stats.ptWrites++
      const n = (this.flood.get(gfn) ?? 0) + 1
      if (n >= FLOOD_LIMIT && this.unshadow(gfn)) {
        this.stats.unshadowed++
      } else {
        this.flood.set(gfn, n)
        return { kind: 'pt-write', gpa: (g.gpa | (lin & 0xfff)) as GuestPhys, level: this.trackedLevel(gfn) }
      }
    }
    this.setGuestAD(g, write)
    this.reserve(2)
    this.install(lin, g, write, user)
    this.stats.hiddenFaults++
    return { kind: 'fixed', gpa: (g.gpa | (lin & 0xfff)) as GuestPhys, entry: g.entry }
  }

  /**
   * Tracing: the monitor performs a guest write to a tracked page-table page itself (after decoding
   * the faulting store, or from a translated call-out) and updates the shadow entries built from the
   * entry it changed, keeping the page write-protected. `size` is 1, 2 or 4 bytes.
   */
  writeGuestEntry(gpa: number, value: number, size: 1 | 2 | 4): void {
    this.stats.emulatedWrites++
    const at = this.guestBase + (gpa >>> 0)
    if (size === 4) this.host.write32(at, value)
    else if (size === 2) this.host.write16(at, value)
    else this.host.write8(at, value)
    const gfn = gpa >>> 12
    const index = ((gpa >>> 0) & 0xfff) >>> 2
    for (const sp of [...(this.parents.get(gfn) ?? [])]) {
      if (sp.level === 2) {
        const t = sp.root.tables[index]
        if (t && !this.tableMatches(t)) this.zapTable(t)
      } else this.refreshEntry(sp, index)
    }
  }

  /**
   * KVM's alternative to tracing: the page becomes writable (its shadows may go stale) until the next
   * INVLPG or CR3 load resynchronises it. The faulting write is then simply restarted.
   */
  unsync(gpa: number): void {
    const gfn = gpa >>> 12
    if (this.unsynced.has(gfn)) return
    this.unsynced.add(gfn)
    this.stats.unsyncs++
    for (const spte of this.rmap.get(gfn) ?? []) {
      const e = this.m32[spte >>> 2]
      // Only where the guest allows writes and its D bit is already set; elsewhere the first write
      // still faults, so the guest's dirty bit gets set.
      if ((e & (AVL_W | D)) === (AVL_W | D)) this.m32[spte >>> 2] = e | RW
    }
  }

  /**
   * The guest's own translation of `linear` for an access (no side effects: nothing is marked accessed
   * and no fault is taken) — how the monitor reads the guest's descriptor tables and TSS. Returns the
   * guest-physical address, or null when the guest's tables do not allow the access.
   */
  translate(linear: number, write = false, user = false): GuestPhys | null {
    const g = this.walk(linear >>> 0, write, user, false)
    return g.fault < 0 ? ((g.gpa | (linear & 0xfff)) as GuestPhys) : null
  }

  /** True when guest frame `gpa >> 12` holds one of the guest's page tables that a shadow was built from. */
  isTracked(gpa: number): boolean {
    return this.parents.has(gpa >>> 12)
  }

  /** True when guest frame `gpa >> 12` is unsync (writable until the next resync). */
  isUnsync(gpa: number): boolean {
    return this.unsynced.has(gpa >>> 12)
  }

  /** The shadow entry for `linear` in the current root (0 when there is none), for tests and the inspector. */
  shadowEntry(linear: number): number {
    const pdi = linear >>> 22
    const pde = this.m32[(this.current.pd.hpa >>> 2) + pdi]
    if ((pde & P) === 0) return 0
    if (this.fixed.has(pdi)) return pde
    return this.m32[((pde & ~0xfff) >>> 2) + ((linear >>> 12) & 0x3ff)]
  }

  // ---------------------------------------------------------------- the guest's walk

  private readGuest(gpa: number): number {
    return gpa >= 0 && gpa + 4 <= this.guestSize ? this.host.read32(this.guestBase + gpa) | 0 : -1
  }

  private backed(gpa: number): boolean {
    return (gpa >= 0 && gpa < this.guestSize) || gpa >>> 0 >= this.mmioBase >>> 0
  }

  private walk(lin: number, write: boolean, user: boolean, resetFlood: boolean): GuestWalk {
    const w: GuestWalk = {
      fault: -1,
      gpa: lin & 0xfffff000,
      us: true,
      rw: true,
      dirty: true,
      large: false,
      entry: 0,
      pde: 0,
      pdeGpa: -1,
      pteGpa: -1,
    }
    if (!this.paging) return w
    const err = (write ? PfError.W : 0) | (user ? PfError.U : 0)
    w.pdeGpa = (this.cr3 & 0xfffff000) + ((lin >>> 22) << 2)
    const pde = (w.pde = this.readGuest(w.pdeGpa))
    if (resetFlood) this.flood.delete(w.pdeGpa >>> 12)
    if ((pde & P) === 0) {
      w.fault = err
      return w
    }
    if (pde & PS && this.cr4 & CR4_PSE) {
      if (pde & PDE4M_RESERVED) {
        w.fault = err | PfError.P | PfError.RSVD
        return w
      }
      w.large = true
      w.entry = pde
      w.gpa = (pde & 0xffc00000) | (lin & 0x003ff000)
      w.us = (pde & US) !== 0
      w.rw = (pde & RW) !== 0
      w.dirty = (pde & D) !== 0
    } else {
      w.pteGpa = (pde & 0xfffff000) + (((lin >>> 12) & 0x3ff) << 2)
      const pte = this.readGuest(w.pteGpa)
      if (resetFlood) this.flood.delete(w.pteGpa >>> 12)
      if ((pte & P) === 0) {
        w.fault = err
        return w
      }
      w.entry = pte
      w.gpa = pte & 0xfffff000
      w.us = (pde & pte & US) !== 0
      w.rw = (pde & pte & RW) !== 0
      w.dirty = (pte & D) !== 0
    }
    if (user && !w.us) w.fault = err | PfError.P
    else if (write && !w.rw && (user || (this.cr0 & CR0_WP) !== 0)) w.fault = err | PfError.P
    return w
  }

  /** Sets the guest's accessed (and, on a write, dirty) flags, as the hardware walk would (SDM Vol. 3A §4.8). */
  private setGuestAD(g: GuestWalk, write: boolean): void {
    if (!this.paging) return
    const set = (gpa: number, bits: number): void => {
      const v = this.readGuest(gpa)
      if ((v & bits) !== bits) this.host.write32(this.guestBase + gpa, v | bits)
    }
    if (g.large) set(g.pdeGpa, A | (write ? D : 0))
    else {
      set(g.pdeGpa, A)
      set(g.pteGpa, A | (write ? D : 0))
    }
    if (write) g.dirty = true
  }

  // ---------------------------------------------------------------- building shadows

  private resetPool(): void {
    this.free = []
    for (let k = this.poolPages - 1; k >= 0; k--) this.free.push(this.poolBase + k * 4096)
    this.roots.clear()
    this.pages.clear()
    this.parents.clear()
    this.rmap.clear()
    this.unsynced.clear()
    this.flood.clear()
  }

  /**
   * Makes sure an operation can take `n` shadow pages; when the pool is short, every shadow is dropped
   * and the current root rebuilt (KVM zaps shadow pages under memory pressure too).
   */
  private reserve(n: number): void {
    if (this.free.length >= n) return
    this.stats.poolResets++
    const key = this.current.key
    this.resetPool()
    this.current = this.rootFor(key)
    this.invalidate(null)
  }

  private alloc(): number {
    const hpa = this.free.pop()
    if (hpa === undefined) throw new Error('shadow pool exhausted inside an operation (reserve() first)')
    this.host.u8.fill(0, hpa, hpa + 4096)
    return hpa
  }

  private rootFor(key: number): Root {
    this.reserve(2)
    const cached = this.roots.get(key)
    if (cached) {
      cached.lastUse = ++this.clock
      return cached
    }
    if (this.roots.size >= MAX_ROOTS) this.evictRoot()
    const hpa = this.alloc()
    const tables: (ShadowPage | undefined)[] = new Array<ShadowPage | undefined>(1024)
    const root = { key, tables, lastUse: ++this.clock } as Root & { pd: ShadowPage }
    const pd: ShadowPage = { hpa, level: 2, gfn: key < 0 ? -1 : key >>> 12, root, pdi: -1, guestPde: 0 }
    ;(root as { pd: ShadowPage }).pd = pd
    for (const [i, v] of this.fixed) this.m32[(hpa >>> 2) + i] = v
    this.roots.set(key, root)
    this.pages.set(hpa, pd)
    if (pd.gfn >= 0) this.track(pd)
    this.stats.rootsBuilt++
    return root
  }

  private evictRoot(): void {
    let victim: Root | null = null
    for (const r of this.roots.values())
      if (r !== this.current && (victim === null || r.lastUse < victim.lastUse)) victim = r
    if (victim) this.dropRoot(victim)
  }

  private dropRoot(root: Root): void {
    for (const t of root.tables) if (t) this.zapTable(t)
    this.untrack(root.pd)
    this.pages.delete(root.pd.hpa)
    this.free.push(root.pd.hpa)
    this.roots.delete(root.key)
  }

  /** Records that `sp` was built from its guest frame, and write-protects that frame everywhere. */
  private track(sp: ShadowPage): void {
    let set = this.parents.get(sp.gfn)
    if (!set) {
      set = new Set()
      this.parents.set(sp.gfn, set)
      this.protect(sp.gfn)
    }
    set.add(sp)
  }

  private untrack(sp: ShadowPage): void {
    const set = this.parents.get(sp.gfn)
    if (!set) return
    set.delete(sp)
    if (set.size === 0) {
      this.parents.delete(sp.gfn)
      this.unsynced.delete(sp.gfn)
      this.flood.delete(sp.gfn)
    }
  }

  private isProtected(gfn: Gfn): boolean {
    return this.parents.has(gfn) && !this.unsynced.has(gfn)
  }

  private trackedLevel(gfn: Gfn): 1 | 2 {
    for (const sp of this.parents.get(gfn) ?? []) if (sp.level === 2) return 2
    return 1
  }

  /** Clears W in every shadow entry mapping `gfn` (they keep AVL_W, so the guest's permission is remembered). */
  private protect(gfn: Gfn): void {
    for (const spte of this.rmap.get(gfn) ?? []) {
      const e = this.m32[spte >>> 2]
      if (e & RW) {
        this.m32[spte >>> 2] = e & ~RW
        this.invalidateSpte(spte)
      }
    }
  }

  /** The linear address a shadow leaf entry maps, invalidated if its root is the current one. */
  private invalidateSpte(spte: number): void {
    const sp = this.pages.get(spte & ~0xfff)
    if (sp && sp.root === this.current)
      this.invalidate(((sp.pdi << 22) | (((spte & 0xfff) >>> 2) << 12)) >>> 0)
  }

  /** The guest PDE a shadow table was built from is still what the guest's directory holds. */
  private tableMatches(t: ShadowPage): boolean {
    if (t.root.key < 0) return true
    const now = this.readGuest((t.root.key & 0xfffff000) + (t.pdi << 2))
    return (now & (P | RW | US | PS | 0xfffff000)) === (t.guestPde & (P | RW | US | PS | 0xfffff000))
  }

  private install(lin: number, g: GuestWalk, write: boolean, user: boolean): void {
    const root = this.current
    const pdi = lin >>> 22
    let t = root.tables[pdi]
    const guestTable = !this.paging || g.large ? -1 : g.pde >>> 12
    if (t && (t.gfn !== guestTable || !this.tableMatches(t))) {
      this.zapTable(t)
      t = undefined
    }
    if (!t) {
      const hpa = this.alloc()
      t = { hpa, level: 1, gfn: guestTable, root, pdi, guestPde: this.paging ? g.pde : 0 }
      this.pages.set(hpa, t)
      root.tables[pdi] = t
      this.m32[(root.pd.hpa >>> 2) + pdi] = hpa | P | RW | US | A
      if (t.gfn >= 0) this.track(t)
    }
    const wp = (this.cr0 & CR0_WP) !== 0
    let us = g.us
    let guestW = g.rw
    // CR0.WP = 0 lets the kernel write read-only pages: a supervisor-only writable entry (as KVM does).
    if (!g.rw && !wp && write && !user) {
      guestW = true
      us = false
    }
    this.setLeaf(t, (lin >>> 12) & 0x3ff, g.gpa, guestW, us, g.dirty)
  }

  private setLeaf(
    t: ShadowPage,
    index: number,
    gpa: number,
    guestW: boolean,
    us: boolean,
    dirty: boolean,
  ): void {
    const gfn = gpa >>> 12
    const ram = gpa >= 0 && gpa < this.guestSize
    const hpa = ram ? this.guestBase + gpa : gpa >>> 0
    const writable = guestW && dirty && !this.isProtected(gfn)
    const spte =
      (hpa & 0xfffff000) |
      P |
      A |
      (us ? US : 0) |
      (writable ? RW : 0) |
      (dirty ? D : 0) |
      (guestW ? AVL_W : 0)
    const at = t.hpa + index * 4
    this.dropLeaf(at)
    this.m32[at >>> 2] = spte
    if (ram) {
      let set = this.rmap.get(gfn)
      if (!set) this.rmap.set(gfn, (set = new Set()))
      set.add(at)
    }
  }

  /** Removes the leaf entry at host address `at` from the reverse map and clears it. */
  private dropLeaf(at: number): void {
    const old = this.m32[at >>> 2]
    if ((old & P) === 0) return
    const hpa = old & 0xfffff000
    if (hpa >= this.guestBase && hpa < this.guestBase + this.guestSize) {
      const gfn = (hpa - this.guestBase) >>> 12
      const set = this.rmap.get(gfn)
      if (set) {
        set.delete(at)
        if (set.size === 0) this.rmap.delete(gfn)
      }
    }
    this.m32[at >>> 2] = 0
  }

  private zapEntry(t: ShadowPage, index: number): void {
    const at = t.hpa + index * 4
    if (this.m32[at >>> 2] & P) {
      this.dropLeaf(at)
      if (t.root === this.current) this.invalidate(((t.pdi << 22) | (index << 12)) >>> 0)
    }
  }

  /** Frees a shadow page table and unlinks it from its root. */
  private zapTable(t: ShadowPage): void {
    for (let k = 0; k < 1024; k++) this.dropLeaf(t.hpa + k * 4)
    this.m32[(t.root.pd.hpa >>> 2) + t.pdi] = 0
    t.root.tables[t.pdi] = undefined
    this.untrack(t)
    this.pages.delete(t.hpa)
    this.free.push(t.hpa)
    if (t.root === this.current) this.invalidate(null)
  }

  /**
   * Rebuilds one shadow entry from the guest entry it shadows, after an emulated write (KVM's
   * `mmu_pte_write_new_pte` prefetch). The guest entry is marked accessed then [R: the access that
   * follows a PTE update would set A anyway; doing it now saves a hidden fault, as the prefetch does].
   */
  private refreshEntry(t: ShadowPage, index: number): void {
    if (t.gfn < 0) return
    const gpte = (t.gfn << 12) + index * 4
    const pte = this.readGuest(gpte)
    const gpa = pte & 0xfffff000
    if ((pte & P) === 0 || !this.backed(gpa)) {
      this.zapEntry(t, index)
      return
    }
    if ((pte & A) === 0) this.host.write32(this.guestBase + gpte, pte | A)
    this.setLeaf(t, index, gpa, (t.guestPde & pte & RW) !== 0, (t.guestPde & pte & US) !== 0, (pte & D) !== 0)
    if (t.root === this.current) this.invalidate(((t.pdi << 22) | (index << 12)) >>> 0)
  }

  /** Brings every unsync page back in step with the guest's tables and write-protects it again. */
  private syncAll(): void {
    if (this.unsynced.size === 0) return
    for (const gfn of [...this.unsynced]) {
      this.stats.resyncs++
      for (const sp of [...(this.parents.get(gfn) ?? [])]) {
        if (sp.level === 2) {
          for (const t of sp.root.tables) if (t && !this.tableMatches(t)) this.zapTable(t)
        } else if (!this.tableMatches(sp)) this.zapTable(sp)
        else this.resyncTable(sp)
      }
      this.unsynced.delete(gfn)
      this.protect(gfn)
    }
  }

  /** Drops each shadow entry of `t` whose guest PTE no longer gives the same frame and rights (or lost A or D). */
  private resyncTable(t: ShadowPage): void {
    for (let k = 0; k < 1024; k++) {
      const at = t.hpa + k * 4
      const s = this.m32[at >>> 2]
      if ((s & P) === 0) continue
      const pte = this.readGuest((t.gfn << 12) + k * 4)
      const gpa = pte & 0xfffff000
      const hpa = gpa < this.guestSize ? this.guestBase + gpa : gpa >>> 0
      const same =
        (pte & (P | A)) === (P | A) &&
        hpa === (s & 0xfffff000) >>> 0 &&
        ((t.guestPde & pte & US) !== 0) === ((s & US) !== 0) &&
        ((t.guestPde & pte & RW) !== 0) === ((s & AVL_W) !== 0) &&
        ((s & D) === 0 || (pte & D) !== 0)
      if (!same) this.zapEntry(t, k)
    }
  }

  /**
   * A tracked frame written again and again without being walked as a page table: drop the shadow
   * pages built from it (not the current root), so it is an ordinary page again. False when it cannot be.
   */
  private unshadow(gfn: Gfn): boolean {
    const set = this.parents.get(gfn)
    if (!set) return false
    for (const sp of [...set]) {
      if (sp.level === 2) {
        if (sp.root === this.current) return false
        this.dropRoot(sp.root)
      } else this.zapTable(sp)
    }
    return !this.parents.has(gfn)
  }

  // ---------------------------------------------------------------- snapshots

  /**
   * Everything that shapes future behaviour besides the pool's memory: the guest's control registers
   * and all metadata, in order. The shadow tables themselves are host memory, saved by its owner (a
   * session saves the model's reserved region).
   */
  saveState(w: StateWriter): void {
    w.section('shadow-mmu')
    w.json({
      cr0: this.cr0,
      cr3: this.cr3,
      cr4: this.cr4,
      clock: this.clock,
      stats: this.stats,
      free: this.free,
      roots: [...this.roots.values()].map((r) => [r.key, r.pd.hpa, r.lastUse]),
      current: this.current.key,
      pages: [...this.pages.values()]
        .filter((p) => p.level === 1)
        .map((p) => [p.hpa, p.gfn, p.root.key, p.pdi, p.guestPde]),
      parents: [...this.parents].map(([g, s]) => [g, [...s].map((p) => p.hpa)]),
      rmap: [...this.rmap].map(([g, s]) => [g, [...s]]),
      unsynced: [...this.unsynced],
      flood: [...this.flood],
    })
  }

  loadState(r: StateReader): void {
    r.section('shadow-mmu')
    const s = r.json<{
      cr0: number
      cr3: number
      cr4: number
      clock: number
      stats: ShadowMmuStats
      free: number[]
      roots: [number, number, number][]
      current: number
      pages: [number, number, number, number, number][]
      parents: [number, number[]][]
      rmap: [number, number[]][]
      unsynced: number[]
      flood: [number, number][]
    }>()
    this.cr0 = s.cr0
    this.cr3 = s.cr3
    this.cr4 = s.cr4
    this.clock = s.clock
    Object.assign(this.stats, s.stats)
    this.free = s.free
    this.roots = new Map()
    this.pages = new Map()
    for (const [key, hpa, lastUse] of s.roots) {
      const root = { key, tables: new Array<ShadowPage | undefined>(1024), lastUse } as Root & {
        pd: ShadowPage
      }
      ;(root as { pd: ShadowPage }).pd = {
        hpa,
        level: 2,
        gfn: key < 0 ? -1 : key >>> 12,
        root,
        pdi: -1,
        guestPde: 0,
      }
      this.roots.set(key, root)
    }
    for (const root of this.roots.values()) this.pages.set(root.pd.hpa, root.pd)
    for (const [hpa, gfn, key, pdi, guestPde] of s.pages) {
      const root = this.roots.get(key)!
      const t: ShadowPage = { hpa, level: 1, gfn, root, pdi, guestPde }
      root.tables[pdi] = t
      this.pages.set(hpa, t)
    }
    this.parents = new Map(s.parents.map(([g, list]) => [g, new Set(list.map((h) => this.pages.get(h)!))]))
    this.rmap = new Map(s.rmap.map(([g, list]) => [g, new Set(list)]))
    this.unsynced = new Set(s.unsynced)
    this.flood = new Map(s.flood)
    this.current = this.roots.get(s.current)!
  }
}
