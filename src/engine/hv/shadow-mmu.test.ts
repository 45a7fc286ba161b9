/**
 * The shadow page-table manager against an independent oracle: the CPU's own 32-bit page walk
 * (cpu/paging.ts, proven by the golden programs) over the guest's tables, with the guest's RAM placed
 * in host memory by `guestPhysToHost`. For every access the shadow must either give the same
 * guest-physical page (at its host address) or report the same #PF error code the guest's walk gives;
 * and the CPU, walking the shadow tables, must reach the same host page with no more rights than the
 * guest's tables grant.
 */
import { describe, expect, it } from 'vitest'
import { Cpu } from '../cpu/cpu'
import { MmioBus, PortBus } from '../machine/bus'
import { PhysicalMemory } from '../machine/memory'
import { StateReader, StateWriter } from '../snapshot'
import { EventSink } from '../trace/sink'
import { PfError, ShadowMmu } from './shadow-mmu'

const MiB = 1 << 20
const GUEST_BASE = 4 * MiB
const GUEST_SIZE = 8 * MiB
const POOL_BASE = 1 * MiB
const POOL_PAGES = 64

const P = 1
const RW = 2
const US = 4
const A = 0x20
const D = 0x40
const PS = 0x80
const PG = 0x80000000
const WP = 0x10000
const PSE = 0x10

/** Guest-physical layout of the test guest's tables. */
const PD = 0x10000
const PT_LOW = 0x11000 // maps 0–4 MiB: the "kernel" identity map, supervisor, read/write
const PT_USER = 0x12000 // maps 4–8 MiB (linear) for the user tests
const PD2 = 0x13000

function cpuOn(mem: PhysicalMemory): Cpu {
  const clock = { cycles: 0 }
  return new Cpu({
    mem,
    ports: new PortBus(),
    mmio: new MmioBus(),
    intc: null,
    sink: new EventSink(clock),
    clock,
  })
}

function machine() {
  const host = new PhysicalMemory(16 * MiB)
  const cpu = cpuOn(host)
  // The oracle walks a copy of the guest's RAM of its own, where guest-physical is physical.
  const guestRam = new PhysicalMemory(GUEST_SIZE)
  const ref = cpuOn(guestRam)
  const invalidated: (number | null)[] = []
  const mmu = new ShadowMmu({
    host,
    guestBase: GUEST_BASE,
    guestSize: GUEST_SIZE,
    poolBase: POOL_BASE,
    poolPages: POOL_PAGES,
    fixedPdes: [[1023, 0x2000 | P | RW]],
    invalidate: (l) => invalidated.push(l),
  })
  const g32 = (gpa: number) => host.read32(GUEST_BASE + gpa)
  const set = (gpa: number, v: number) => {
    host.write32(GUEST_BASE + gpa, v)
    guestRam.write32(gpa, v)
  }
  /** The guest's own walk (the oracle): guest-physical address or the #PF error code. */
  const oracle = (cr0: number, cr3: number, cr4: number, lin: number, write: boolean, user: boolean) => {
    ref.cr0 = cr0 | 1
    ref.cr3 = cr3
    ref.cr4 = cr4
    return ref.walk(lin, { write, user })
  }
  /** The CPU's walk of the current shadow root: host-physical address or the real #PF error code. */
  const real = (lin: number, write: boolean, user: boolean) => {
    cpu.cr0 = PG | WP | 1
    cpu.cr3 = mmu.root
    cpu.cr4 = 0
    return cpu.walk(lin, { write, user })
  }
  return { host, mmu, set, g32, oracle, real, invalidated }
}

/** The test guest's tables: 0–4 MiB identity (supervisor RW), 4–8 MiB user pages with mixed rights. */
function guestTables(m: ReturnType<typeof machine>) {
  m.set(PD + 0 * 4, PT_LOW | P | RW)
  m.set(PD + 1 * 4, PT_USER | P | RW | US)
  for (let i = 0; i < 1024; i++) m.set(PT_LOW + i * 4, (i << 12) | P | RW)
  // Linear 4 MiB + i·4 KiB → guest frame 0x200000 + i·4 KiB, rights by i mod 4:
  // 0 user RW (dirty), 1 user RO, 2 supervisor RW, 3 not present.
  for (let i = 0; i < 1024; i++) {
    const rights = [P | RW | US | D, P | US, P | RW, 0][i % 4]!
    m.set(PT_USER + i * 4, rights === 0 ? 0 : (0x200000 + i * 0x1000) | rights)
  }
}

/** Drives the shadow the way a monitor does: fault until the access succeeds or the guest must see a fault. */
function access(m: ReturnType<typeof machine>, lin: number, write: boolean, user: boolean) {
  for (let n = 0; n < 4; n++) {
    const r = m.real(lin, write, user)
    if (r.faultErrorCode === null) return { host: r.physical }
    const f = m.mmu.fault(lin, r.faultErrorCode)
    if (f.kind !== 'fixed') return f
  }
  throw new Error('no progress')
}

describe('ShadowMmu', () => {
  it('with guest paging off maps guest-linear = guest-physical to its host page, and nothing beyond RAM', () => {
    const m = machine()
    m.mmu.setControl(0x11, 0)
    expect(access(m, 0x123456, false, false)).toEqual({ host: GUEST_BASE + 0x123456 })
    expect(access(m, 0x7ffffc, true, false)).toEqual({ host: GUEST_BASE + 0x7ffffc })
    expect(access(m, 0x900000, false, false)).toMatchObject({ kind: 'unbacked' })
    // The monitor's own directory slot is not the guest's to use.
    expect(access(m, 0xffc01000, false, false)).toMatchObject({ kind: 'unbacked' })
    expect(m.mmu.stats.hiddenFaults).toBe(2)
  })

  it('gives every 4 KiB access the guest walk allows the same page, and reflects the rest with the guest error code', () => {
    const m = machine()
    guestTables(m)
    m.mmu.loadCr3(PD)
    m.mmu.setControl(PG | WP | 0x11, 0)
    let checked = 0
    for (let i = 0; i < 16; i++) {
      const lin = 0x400000 + i * 0x1000 + 0x10
      for (const write of [false, true]) {
        for (const user of [false, true]) {
          const want = m.oracle(PG | WP, PD, 0, lin, write, user)
          const got = access(m, lin, write, user)
          if (want.faultErrorCode === null) expect(got).toEqual({ host: GUEST_BASE + want.physical! })
          else expect(got).toEqual({ kind: 'guest', cr2: lin, errorCode: want.faultErrorCode })
          checked++
        }
      }
    }
    expect(checked).toBe(64)
    // U/S and R/W are those of the guest: a user write to the user-RO page faults with P|W|U, a user
    // read of the supervisor page with P|U, and a supervisor write to the RO page with P|W (CR0.WP = 1).
    expect(access(m, 0x401000, true, true)).toEqual({
      kind: 'guest',
      cr2: 0x401000,
      errorCode: PfError.P | PfError.W | PfError.U,
    })
    expect(access(m, 0x402000, false, true)).toEqual({
      kind: 'guest',
      cr2: 0x402000,
      errorCode: PfError.P | PfError.U,
    })
    expect(access(m, 0x401000, true, false)).toEqual({
      kind: 'guest',
      cr2: 0x401000,
      errorCode: PfError.P | PfError.W,
    })
    expect(access(m, 0x403000, false, false)).toEqual({ kind: 'guest', cr2: 0x403000, errorCode: 0 })
  })

  it('with CR0.WP = 0 lets the kernel write a read-only page, through a supervisor-only shadow entry', () => {
    const m = machine()
    guestTables(m)
    m.mmu.loadCr3(PD)
    m.mmu.setControl(PG | 0x11, 0)
    expect(m.oracle(PG, PD, 0, 0x401000, true, false).faultErrorCode).toBeNull()
    expect(access(m, 0x401000, true, false)).toEqual({ host: GUEST_BASE + 0x201000 })
    expect(m.mmu.shadowEntry(0x401000) & (RW | US)).toBe(RW)
    // A user read then still works (the guest allows it), through a rebuilt user entry.
    expect(access(m, 0x401000, false, true)).toEqual({ host: GUEST_BASE + 0x201000 })
  })

  it('shadows a guest 4 MiB page with 4 KiB entries, and reports reserved bits as the guest walk does', () => {
    const m = machine()
    guestTables(m)
    m.set(PD + 2 * 4, 0x400000 | P | RW | US | PS) // linear 8–12 MiB → guest 4–8 MiB
    m.set(PD + 3 * 4, 0x400000 | P | RW | PS | 0x2000) // reserved bit 13
    m.mmu.loadCr3(PD)
    m.mmu.setControl(PG | WP | 0x11, PSE)
    for (const lin of [0x800000, 0x812345, 0xbffffc]) {
      const want = m.oracle(PG | WP, PD, PSE, lin, true, true)
      expect(want.pageSize).toBe(4194304)
      expect(access(m, lin, true, true)).toEqual({ host: GUEST_BASE + want.physical! })
      // Each 4 KiB piece is its own shadow entry.
      expect(m.real(lin, false, true).pageSize).toBe(4096)
    }
    const rsvd = m.oracle(PG | WP, PD, PSE, 0xc00000, false, false).faultErrorCode
    expect(rsvd).toBe(PfError.P | PfError.RSVD)
    expect(access(m, 0xc00000, false, false)).toEqual({ kind: 'guest', cr2: 0xc00000, errorCode: rsvd })
    // The guest's dirty bit was set on its 4 MiB PDE by the write.
    expect(m.g32(PD + 2 * 4) & (A | D)).toBe(A | D)
  })

  it('maintains the guest accessed and dirty flags: read-only until the first write sets D', () => {
    const m = machine()
    guestTables(m)
    m.mmu.loadCr3(PD)
    m.mmu.setControl(PG | WP | 0x11, 0)
    const pte = PT_LOW + 0x50 * 4
    expect(m.g32(pte) & (A | D)).toBe(0)
    access(m, 0x50000, false, false)
    expect(m.g32(pte) & (A | D)).toBe(A)
    expect(m.mmu.shadowEntry(0x50000) & RW).toBe(0)
    access(m, 0x50000, true, false)
    expect(m.g32(pte) & (A | D)).toBe(A | D)
    expect(m.mmu.shadowEntry(0x50000) & RW).toBe(RW)
  })

  it('write-protects the guest page tables it shadows: a write to a PTE or PDE is a pt-write, not a hidden fault', () => {
    const m = machine()
    guestTables(m)
    m.mmu.loadCr3(PD)
    m.mmu.setControl(PG | WP | 0x11, 0)
    // The kernel's identity map reaches its own tables: PT_USER is at linear PT_USER.
    access(m, 0x400000, false, true)
    expect(m.mmu.isTracked(PT_USER)).toBe(true)
    expect(m.mmu.isTracked(PD)).toBe(true)
    expect(access(m, PT_USER + 8, false, false)).toEqual({ host: GUEST_BASE + PT_USER + 8 })
    expect(m.mmu.shadowEntry(PT_USER) & RW).toBe(0)
    expect(access(m, PT_USER + 8, true, false)).toEqual({ kind: 'pt-write', gpa: PT_USER + 8, level: 1 })
    expect(access(m, PD + 4, true, false)).toEqual({ kind: 'pt-write', gpa: PD + 4, level: 2 })
    // An ordinary data page is not tracked.
    expect(access(m, 0x30000, true, false)).toEqual({ host: GUEST_BASE + 0x30000 })
  })

  it('unsync: the page becomes writable, its shadow may go stale until INVLPG, and a CR3 load protects it again', () => {
    const m = machine()
    guestTables(m)
    m.mmu.loadCr3(PD)
    m.mmu.setControl(PG | WP | 0x11, 0)
    expect(access(m, 0x400000, false, true)).toEqual({ host: GUEST_BASE + 0x200000 })
    const f = access(m, PT_USER, true, false)
    expect(f).toMatchObject({ kind: 'pt-write', level: 1 })
    m.mmu.unsync(PT_USER)
    expect(m.mmu.isUnsync(PT_USER)).toBe(true)
    // The restarted write now goes through; the guest remaps linear 4 MiB to another frame.
    expect(access(m, PT_USER, true, false)).toEqual({ host: GUEST_BASE + PT_USER })
    m.set(PT_USER, 0x300000 | P | RW | US | D)
    // Until the guest flushes its TLB the old translation may be used (as on hardware)...
    expect(access(m, 0x400000, false, true)).toEqual({ host: GUEST_BASE + 0x200000 })
    // ...and after INVLPG the new one is.
    m.mmu.invlpg(0x400000)
    expect(m.invalidated).toContain(0x400000)
    expect(access(m, 0x400000, false, true)).toEqual({ host: GUEST_BASE + 0x300000 })
    // A CR3 load resynchronises: the page is tracked and write-protected again.
    m.set(PT_USER + 4 * 4, 0x310000 | P | RW | US | D)
    expect(access(m, 0x404000, false, true)).toEqual({ host: GUEST_BASE + 0x310000 })
    m.mmu.loadCr3(PD)
    expect(m.mmu.isUnsync(PT_USER)).toBe(false)
    expect(access(m, PT_USER, true, false)).toMatchObject({ kind: 'pt-write' })
    expect(m.mmu.stats.resyncs).toBe(1)
  })

  it('resync drops exactly the shadow entries whose guest entries changed', () => {
    const m = machine()
    guestTables(m)
    m.mmu.loadCr3(PD)
    m.mmu.setControl(PG | WP | 0x11, 0)
    access(m, 0x400000, false, true)
    access(m, 0x404000, false, true)
    m.mmu.unsync(PT_USER)
    m.set(PT_USER + 4 * 4, 0x350000 | P | RW | US | D)
    m.mmu.loadCr3(PD)
    expect(m.mmu.shadowEntry(0x400000) & P).toBe(P)
    expect(m.mmu.shadowEntry(0x404000)).toBe(0)
    expect(access(m, 0x404000, false, true)).toEqual({ host: GUEST_BASE + 0x350000 })
  })

  it('tracing: an emulated PTE write updates the shadow at once and the page stays protected', () => {
    const m = machine()
    guestTables(m)
    m.mmu.loadCr3(PD)
    m.mmu.setControl(PG | WP | 0x11, 0)
    expect(access(m, 0x400000, false, true)).toEqual({ host: GUEST_BASE + 0x200000 })
    m.invalidated.length = 0
    m.mmu.writeGuestEntry(PT_USER, 0x240000 | P | RW | US | D, 4)
    expect(m.invalidated).toContain(0x400000)
    // No hidden fault needed: the new translation is already in the shadow.
    const before = m.mmu.stats.hiddenFaults
    expect(m.real(0x400000, false, true).physical).toBe(GUEST_BASE + 0x240000)
    expect(m.mmu.stats.hiddenFaults).toBe(before)
    expect(m.g32(PT_USER) & A).toBe(A)
    expect(access(m, PT_USER, true, false)).toMatchObject({ kind: 'pt-write' })
    // Clearing the PTE removes the translation.
    m.mmu.writeGuestEntry(PT_USER, 0, 4)
    expect(access(m, 0x400000, false, true)).toEqual({ kind: 'guest', cr2: 0x400000, errorCode: PfError.U })
  })

  it('switches shadow roots on CR3 loads and reuses a root when the guest returns to its directory', () => {
    const m = machine()
    guestTables(m)
    for (let i = 0; i < 1024; i++) m.set(PD2 + i * 4, m.g32(PD + i * 4))
    m.set(PD2 + 4, 0) // the second address space has no user pages
    m.mmu.loadCr3(PD)
    const r1 = m.mmu.setControl(PG | WP | 0x11, 0)
    access(m, 0x400000, false, true)
    const r2 = m.mmu.loadCr3(PD2)
    expect(r2).not.toBe(r1)
    expect(access(m, 0x400000, false, true)).toEqual({ kind: 'guest', cr2: 0x400000, errorCode: PfError.U })
    expect(m.mmu.loadCr3(PD)).toBe(r1)
    expect(m.real(0x400000, false, true).physical).toBe(GUEST_BASE + 0x200000)
    expect(m.mmu.stats.rootsBuilt).toBe(3) // paging-off root, PD, PD2
  })

  it('stops shadowing a freed page table that is written as data again and again', () => {
    const m = machine()
    guestTables(m)
    for (let i = 0; i < 1024; i++) m.set(PD2 + i * 4, m.g32(PD + i * 4))
    m.set(PD2 + 4, 0)
    m.mmu.loadCr3(PD)
    m.mmu.setControl(PG | WP | 0x11, 0)
    access(m, 0x400000, false, true)
    // The process exits: the guest switches to another directory (the old root stays cached, its
    // tables tracked) and reuses the old user page table's frame as data.
    m.mmu.loadCr3(PD2)
    expect(m.mmu.isTracked(PT_USER)).toBe(true)
    let writes = 0
    for (; writes < 10; writes++) {
      const f = access(m, PT_USER + 0x100, true, false)
      if (!('kind' in f)) break
      expect(f).toMatchObject({ kind: 'pt-write' })
      m.mmu.writeGuestEntry(PT_USER + 0x100, writes, 4)
    }
    expect(writes).toBe(2)
    expect(m.mmu.isTracked(PT_USER)).toBe(false)
  })

  it('restores from a snapshot to the same shadow state', () => {
    const m = machine()
    guestTables(m)
    m.mmu.loadCr3(PD)
    m.mmu.setControl(PG | WP | 0x11, 0)
    access(m, 0x400000, false, true)
    access(m, 0x404000, true, true)
    m.mmu.unsync(PT_USER)
    const w = new StateWriter()
    m.mmu.saveState(w)
    const snap = w.finish()
    const pool = m.host.u8.slice(POOL_BASE, POOL_BASE + POOL_PAGES * 4096)
    const probe = () => [0x400000, 0x404000, 0x408000, PT_USER].map((l) => m.mmu.shadowEntry(l))
    const before = probe()
    access(m, 0x408000, false, false)
    m.mmu.loadCr3(PD)
    m.mmu.loadState(new StateReader(snap))
    m.host.u8.set(pool, POOL_BASE) // the pool's memory is its owner's to restore
    expect(probe()).toEqual(before)
    expect(m.mmu.isUnsync(PT_USER)).toBe(true)
    expect(access(m, 0x408000, false, false)).toEqual({ host: GUEST_BASE + 0x208000 })
  })
})
