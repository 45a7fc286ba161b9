import { describe, expect, it } from 'vitest'
import { PhysicalMemory } from '../machine/memory'
import { StateReader, StateWriter } from '../snapshot'
import type { GuestPhys, HostPhys } from '../types'
import {
  EPT_EXEC,
  EPT_MISCONFIG,
  EPT_READ,
  EPT_RWX,
  EPT_VIOLATION,
  EPT_WRITE,
  EptBuilder,
  EptMemType,
  EptWalker,
  eptpValid,
  makeEptp,
} from './ept'
import { EptQual } from './qualification'

const READ = EptQual.READ
const WRITE = EptQual.WRITE
const FETCH = EptQual.FETCH
const LINEAR = EptQual.LINEAR_VALID | EptQual.TRANSLATION
const WB = 6 << 3

/** Hand-built tables (SDM §29.3.2): PML4 0x10000, PDPT 0x11000, PD 0x12000, PT 0x13000. */
function handBuilt(): {
  mem: PhysicalMemory
  eptp: number
  set: (addr: number, lo: number, hi?: number) => void
} {
  const mem = new PhysicalMemory(0x400000)
  const set = (addr: number, lo: number, hi = 0) => {
    mem.write32(addr, lo)
    mem.write32(addr + 4, hi)
  }
  set(0x10000, 0x11000 | 7) // PML4E 0
  set(0x11000, 0x12000 | 7) // PDPTE 0 → PD
  set(0x11008, 0x80000000 | 0x80 | WB | 7) // PDPTE 1: 1 GiB page at HPA 0x80000000
  set(0x12000, 0x13000 | 7) // PDE 0 → PT
  set(0x12008, 0x00000000 | 0x80 | WB | 7) // PDE 1: 2 MiB page at HPA 0
  set(0x13000 + 5 * 8, 0x200000 | WB | 7) // PTE 5: GPA 0x5000 → HPA 0x200000
  set(0x13000 + 7 * 8, 0x201000 | WB | EPT_READ | EPT_EXEC) // read/execute only
  set(0x13000 + 8 * 8, 0x202000 | WB | EPT_READ | EPT_WRITE) // not executable
  return { mem, eptp: 0x10000 | 6 | (3 << 3), set }
}

describe('EPT translation (SDM §29.3.2)', () => {
  it('walks PML4E → PDPTE → PDE → PTE for a 4 KiB page, reporting each reference', () => {
    const { mem, eptp } = handBuilt()
    const w = new EptWalker(mem)
    const refs: Array<[number, number]> = []
    expect(w.translate(eptp, 0x5abc, READ | LINEAR, (level, addr) => refs.push([level, addr]))).toBe(0x200abc)
    expect(refs).toEqual([
      [4, 0x10000],
      [3, 0x11000],
      [2, 0x12000],
      [1, 0x13028],
    ])
    expect([w.leafLevel, w.memoryType, w.permissions]).toEqual([1, 6, 7])
  })

  it('stops at a 2 MiB PDE leaf (3 references) and a 1 GiB PDPTE leaf (2 references)', () => {
    const { mem, eptp } = handBuilt()
    const w = new EptWalker(mem)
    let n = 0
    expect(w.translate(eptp, 0x212345, READ, () => n++)).toBe(0x12345)
    expect([n, w.leafLevel]).toEqual([3, 2])
    n = 0
    expect(w.translate(eptp, 0x40012345, FETCH, () => n++)).toBe(0x80012345)
    expect([n, w.leafLevel]).toEqual([2, 3])
  })

  it('reports a not-present entry as a violation with the access bits and no permissions', () => {
    const { mem, eptp } = handBuilt()
    const w = new EptWalker(mem)
    expect(w.translate(eptp, 0x6000, READ | LINEAR, null)).toBe(EPT_VIOLATION)
    expect(w.qualification).toBe(0x181) // read, linear address valid, translation; bits 5:3 = 0
    expect(w.translate(eptp, 0x80000000, WRITE, null)).toBe(EPT_VIOLATION) // PDPTE 2 not present
    expect(w.qualification).toBe(0x2)
  })

  it('reports a write to a read/execute page and a fetch from a non-executable page', () => {
    const { mem, eptp } = handBuilt()
    const w = new EptWalker(mem)
    expect(w.translate(eptp, 0x7010, READ, null)).toBe(0x201010)
    expect(w.translate(eptp, 0x7010, WRITE | LINEAR, null)).toBe(EPT_VIOLATION)
    expect(w.qualification).toBe(0x1aa) // write | readable | executable | linear | translation
    expect(w.translate(eptp, 0x8000, FETCH, null)).toBe(EPT_VIOLATION)
    expect(w.qualification).toBe(0x1c) // fetch | readable | writable
  })

  it('takes the AND of the permissions of every level', () => {
    const { mem, eptp, set } = handBuilt()
    set(0x11000, 0x12000 | EPT_READ | EPT_EXEC) // the PDPTE forbids writes to everything below it
    const w = new EptWalker(mem)
    expect(w.translate(eptp, 0x5000, READ, null)).toBe(0x200000)
    expect(w.translate(eptp, 0x5000, WRITE, null)).toBe(EPT_VIOLATION)
    expect(w.qualification).toBe(0x2a) // write; readable and executable, not writable
  })

  it('accepts execute-only pages (IA32_VMX_EPT_VPID_CAP bit 0) but not reads from them', () => {
    const { mem, eptp, set } = handBuilt()
    set(0x13000 + 12 * 8, 0x203000 | WB | EPT_EXEC)
    const w = new EptWalker(mem)
    expect(w.translate(eptp, 0xc000, FETCH, null)).toBe(0x203000)
    expect(w.translate(eptp, 0xc000, READ, null)).toBe(EPT_VIOLATION)
    expect(w.qualification).toBe(0x21)
  })
})

describe('EPT misconfigurations (SDM §29.3.3.1)', () => {
  const cases: Array<[string, number, number, number, number]> = [
    // [what, entry address, lo, hi, level of the misconfigured entry]
    ['write without read (010b)', 0x13000 + 9 * 8, 0x204000 | WB | 2, 0, 1],
    ['write/execute without read (110b, KVM MMIO)', 0x13000 + 9 * 8, 0x204000 | WB | 6, 0, 1],
    ['memory type 2', 0x13000 + 9 * 8, 0x204000 | (2 << 3) | 7, 0, 1],
    ['memory type 3', 0x13000 + 9 * 8, 0x204000 | (3 << 3) | 7, 0, 1],
    ['memory type 7', 0x13000 + 9 * 8, 0x204000 | (7 << 3) | 7, 0, 1],
    ['address bit 32, beyond MAXPHYADDR', 0x13000 + 9 * 8, 0x204000 | WB | 7, 1, 1],
    ['PDE (non-leaf) reserved bit 3', 0x12000, 0x13000 | 0x8 | 7, 0, 2],
    ['2 MiB PDE reserved bit 12', 0x12000, 0x200000 | 0x1000 | 0x80 | WB | 7, 0, 2],
    ['PML4E reserved bit 7', 0x10000, 0x11000 | 0x80 | 7, 0, 4],
  ]
  it.each(cases)('%s', (_what, addr, lo, hi, level) => {
    const { mem, eptp, set } = handBuilt()
    set(addr, lo, hi)
    const w = new EptWalker(mem)
    expect(w.translate(eptp, 0x9000, READ, null)).toBe(EPT_MISCONFIG)
    expect(w.misconfigLevel).toBe(level)
  })

  it('does not treat memory type 1 (WC) or a not-present entry with junk as misconfigured', () => {
    const { mem, eptp, set } = handBuilt()
    set(0x13000 + 9 * 8, 0x204000 | (1 << 3) | 7)
    set(0x13000 + 10 * 8, 0xfffffff8, 0xffffffff) // bits 2:0 = 0: not present, the rest ignored
    const w = new EptWalker(mem)
    expect(w.translate(eptp, 0x9000, READ, null)).toBe(0x204000)
    expect(w.translate(eptp, 0xa000, READ, null)).toBe(EPT_VIOLATION)
  })
})

describe('EPT accessed and dirty flags (SDM §29.3.5)', () => {
  it('sets A in every entry used and D in the leaf on a write', () => {
    const { mem, eptp } = handBuilt()
    const ad = eptp | (1 << 6)
    const w = new EptWalker(mem)
    w.translate(ad, 0x5000, READ, null)
    for (const a of [0x10000, 0x11000, 0x12000, 0x13028]) expect(mem.read32(a) & 0x300).toBe(0x100)
    w.translate(ad, 0x5000, WRITE, null)
    expect(mem.read32(0x13028) & 0x300).toBe(0x300)
    expect(mem.read32(0x12000) & 0x200).toBe(0)
  })

  it('treats guest paging-structure reads as writes, reporting both bits 0 and 1 on a violation', () => {
    const { mem, eptp } = handBuilt()
    const w = new EptWalker(mem)
    const pagingStructure = READ | EptQual.LINEAR_VALID
    expect(w.translate(eptp, 0x7000, pagingStructure, null)).toBe(0x201000) // A/D off: a read
    expect(w.translate(eptp | (1 << 6), 0x7000, pagingStructure, null)).toBe(EPT_VIOLATION)
    expect(w.qualification).toBe(0xab) // read | write | readable | executable | linear valid
  })

  it('leaves the flags alone when only inspecting', () => {
    const { mem, eptp } = handBuilt()
    const w = new EptWalker(mem)
    w.updateAccessedDirty = false
    w.translate(eptp | (1 << 6), 0x5000, WRITE, null)
    expect(mem.read32(0x13028) & 0x300).toBe(0)
  })
})

describe('EPTP (SDM §25.6.11)', () => {
  it('is valid with UC or WB, a 4-level walk and no reserved bits', () => {
    expect(makeEptp(0x10000 as HostPhys)).toBe(0x1001e)
    expect(eptpValid(0x1001e, 0)).toBe(true)
    expect(eptpValid(0x10018, 0)).toBe(true) // UC
    expect(eptpValid(0x1005e, 0)).toBe(true) // A/D enabled
    expect(eptpValid(0x10019, 0)).toBe(false) // WC
    expect(eptpValid(0x10026, 0)).toBe(false) // 5-level walk
    expect(eptpValid(0x1009e, 0)).toBe(false) // bit 7
    expect(eptpValid(0x1001e, 1)).toBe(false) // beyond MAXPHYADDR
  })
})

describe('EptBuilder', () => {
  const MiB = 0x100000
  const tables = { base: (12 * MiB) as HostPhys, size: MiB }
  const gpa = (n: number) => n as GuestPhys
  const hpa = (n: number) => n as HostPhys

  function build(): { mem: PhysicalMemory; b: EptBuilder; w: EptWalker } {
    const mem = new PhysicalMemory(16 * MiB)
    return { mem, b: new EptBuilder(mem, tables), w: new EptWalker(mem) }
  }

  it('builds an identity map from 2 MiB pages where alignment allows', () => {
    const { b, w } = build()
    b.identity(8 * MiB)
    for (const a of [0, 0x123456, 0x7fffff]) expect(w.translate(b.eptp, a, READ, null)).toBe(a)
    expect(w.leafLevel).toBe(2)
    expect(b.tableBytes).toBe(0x3000) // PML4, one PDPT, one PD
    expect(w.translate(b.eptp, 8 * MiB, READ, null)).toBe(EPT_VIOLATION)
  })

  it('uses 4 KiB pages when asked or when the offset is not 2 MiB-aligned', () => {
    const { b, w } = build()
    b.map(gpa(0), hpa(0), 4 * MiB, EPT_RWX, EptMemType.WB, 0x1000)
    expect(w.translate(b.eptp, 0x3abc, READ, null)).toBe(0x3abc)
    expect(w.leafLevel).toBe(1)
    expect(b.tableBytes).toBe(0x5000) // PML4, PDPT, PD, and 4 MiB / (512 × 4 KiB) = 2 page tables
    const { b: b2, w: w2 } = build()
    b2.map(gpa(0), hpa(4 * MiB + 0x1000), 2 * MiB)
    expect(w2.translate(b2.eptp, 0x1234, READ, null)).toBe(4 * MiB + 0x2234)
    expect(w2.leafLevel).toBe(1)
  })

  it('maps a VM at an offset in host memory', () => {
    const { b, w } = build()
    b.map(gpa(0), hpa(4 * MiB), 4 * MiB)
    expect(w.translate(b.eptp, 0x1234, READ, null)).toBe(4 * MiB + 0x1234)
    expect(w.translate(b.eptp, 0x3fffff, WRITE, null)).toBe(8 * MiB - 1)
    expect(w.translate(b.eptp, 4 * MiB, READ, null)).toBe(EPT_VIOLATION)
  })

  it('unmaps one page inside a 2 MiB page by splitting it, leaving its neighbours mapped', () => {
    const { b, w } = build()
    b.identity(4 * MiB)
    b.unmap(gpa(0x123000), 0x1000)
    expect(w.translate(b.eptp, 0x123456, READ | LINEAR, null)).toBe(EPT_VIOLATION)
    expect(w.qualification).toBe(0x181)
    expect(w.translate(b.eptp, 0x122fff, READ, null)).toBe(0x122fff)
    expect(w.leafLevel).toBe(1)
    expect(w.translate(b.eptp, 0x124000, WRITE, null)).toBe(0x124000)
    expect(w.translate(b.eptp, 0x300000, READ, null)).toBe(0x300000)
    expect(w.leafLevel).toBe(2)
  })

  it('write-protects pages: reads pass, writes exit with "writable" clear', () => {
    const { b, w } = build()
    b.identity(4 * MiB)
    b.protect(gpa(0x5000), 0x1000, EPT_READ | EPT_EXEC)
    expect(w.translate(b.eptp, 0x5010, READ, null)).toBe(0x5010)
    expect(w.translate(b.eptp, 0x5010, WRITE | LINEAR, null)).toBe(EPT_VIOLATION)
    expect(w.qualification).toBe(0x1aa)
    expect(w.translate(b.eptp, 0x6010, WRITE, null)).toBe(0x6010)
    expect(() => b.protect(gpa(0x5000), 0x1000, EPT_WRITE)).toThrow(RangeError)
  })

  it('marks MMIO ranges misconfigured as KVM does, even where nothing was mapped', () => {
    const { b, w } = build()
    b.identity(4 * MiB)
    b.markMmio(gpa(0xd0000000), 0x1000)
    b.markMmio(gpa(0x200000), 2 * MiB)
    expect(w.translate(b.eptp, 0xd0000010, READ, null)).toBe(EPT_MISCONFIG)
    expect(w.translate(b.eptp, 0x2abcde, WRITE, null)).toBe(EPT_MISCONFIG)
    expect(w.misconfigLevel).toBe(2)
    expect(w.translate(b.eptp, 0x1abcde, WRITE, null)).toBe(0x1abcde)
    b.protect(gpa(0x200000), 2 * MiB, EPT_READ) // protecting does not turn MMIO into RAM
    expect(w.translate(b.eptp, 0x2abcde, READ, null)).toBe(EPT_MISCONFIG)
  })

  it('allocates nothing to unmap what was never mapped, and fails loudly when its region is full', () => {
    const { mem, b } = build()
    b.unmap(gpa(0x40000000), 0x1000)
    expect(b.tableBytes).toBe(0x1000)
    const small = new EptBuilder(mem, { base: (8 * MiB) as HostPhys, size: 0x3000 })
    expect(() => small.map(gpa(0), hpa(0), 0x1000)).toThrow(/exhausted/)
  })
})

describe('EPT tables above 2 GiB', () => {
  it('follows table addresses with bit 31 set (read as all ones when no RAM is there: misconfigured)', () => {
    const { mem, eptp, set } = handBuilt()
    set(0x11000 + 2 * 8, 0x80000000 | 7) // PDPTE 2 → a page directory at 2 GiB, beyond this machine's RAM
    const w = new EptWalker(mem)
    const refs: number[] = []
    expect(w.translate(eptp, 0x80000000, READ, (_l, addr) => refs.push(addr))).toBe(EPT_MISCONFIG)
    expect(refs).toEqual([0x10000, 0x11010, 0x80000000])
  })
})

describe('EptBuilder snapshot', () => {
  it('restores where the next table page comes from, so edits after a restore do not reuse live tables', () => {
    const MiB = 0x100000
    const mem = new PhysicalMemory(4 * MiB)
    const region = { base: (3 * MiB) as HostPhys, size: MiB }
    const a = new EptBuilder(mem, region)
    a.map(0 as GuestPhys, 0 as HostPhys, 0x1000)
    const w = new StateWriter()
    a.saveState(w)
    const memory = mem.u8.slice()
    // A restore constructs the machine afresh, then loads memory and every component's state.
    const b = new EptBuilder(mem, region)
    mem.u8.set(memory)
    b.loadState(new StateReader(w.finish()))
    expect(b.tableBytes).toBe(a.tableBytes)
    b.map(0x200000 as GuestPhys, 0x200000 as HostPhys, 0x1000)
    const walker = new EptWalker(mem)
    expect(walker.translate(b.eptp, 0x123, READ, null)).toBe(0x123)
    expect(walker.translate(b.eptp, 0x200123, READ, null)).toBe(0x200123)
  })
})
