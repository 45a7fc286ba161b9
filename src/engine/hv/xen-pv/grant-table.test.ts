// Grant tables, version 1 (grant_table.h, docs/misc/grant-tables.txt): a granted frame is usable only by
// the domain the entry names, read-only if it says so; Xen marks the entry in use while mapped.
import { beforeEach, describe, expect, it } from 'vitest'
import { PhysicalMemory } from '../../machine/memory'
import { Gntst, GTF } from './abi'
import { GrantTables } from './grant-table'

const GRANT_FRAME = 0x3000 // domain 1's grant table
const DOMU = 1
const DOM0 = 0

describe('GrantTables', () => {
  let mem: PhysicalMemory
  let g: GrantTables
  const setEntry = (ref: number, flags: number, domid: number, frame: number) => {
    mem.write16(GRANT_FRAME + ref * 8, flags)
    mem.write16(GRANT_FRAME + ref * 8 + 2, domid)
    mem.write32(GRANT_FRAME + ref * 8 + 4, frame)
  }
  const flags = (ref: number) => mem.read16(GRANT_FRAME + ref * 8)

  beforeEach(() => {
    mem = new PhysicalMemory(1 << 20)
    g = new GrantTables(
      mem,
      (d) => (d === DOMU ? GRANT_FRAME : -1),
      (d, mfn) => (d === DOMU && mfn >= 0x10 && mfn < 0x20) || (d === DOM0 && mfn >= 0x20 && mfn < 0x30),
    )
  })

  it('maps a granted frame for the named domain and marks the entry in use until unmapped', () => {
    setEntry(8, GTF.permit_access, DOM0, 0x12)
    const m = g.map(DOM0, DOMU, 8, true)
    expect(m).toEqual({ status: Gntst.okay, handle: expect.any(Number), mfn: 0x12 })
    expect(flags(8)).toBe(GTF.permit_access | GTF.reading | GTF.writing)
    expect(g.mappingsOf(DOM0)).toBe(1)
    if (!('handle' in m)) throw new Error('no handle')
    expect(g.unmap(DOMU, m.handle)).toBe(Gntst.bad_handle) // not the mapper
    expect(g.unmap(DOM0, m.handle)).toBe(Gntst.okay)
    expect(flags(8)).toBe(GTF.permit_access)
    expect(g.unmap(DOM0, m.handle)).toBe(Gntst.bad_handle)
  })

  it('a read-only grant maps for reading only', () => {
    setEntry(9, GTF.permit_access | GTF.readonly, DOM0, 0x13)
    expect(g.map(DOM0, DOMU, 9, true).status).toBe(Gntst.permission_denied)
    const m = g.map(DOM0, DOMU, 9, false)
    expect(m.status).toBe(Gntst.okay)
    expect(flags(9)).toBe(GTF.permit_access | GTF.readonly | GTF.reading)
  })

  it('refuses grants for another domain, revoked or out-of-range entries, and frames the granter does not own', () => {
    setEntry(10, GTF.permit_access, 3, 0x12)
    expect(g.map(DOM0, DOMU, 10, false).status).toBe(Gntst.permission_denied)
    setEntry(11, 0, DOM0, 0x12)
    expect(g.map(DOM0, DOMU, 11, false).status).toBe(Gntst.permission_denied)
    expect(g.map(DOM0, DOMU, 512, false).status).toBe(Gntst.bad_gntref)
    expect(g.map(DOM0, 7, 8, false).status).toBe(Gntst.bad_domain)
    setEntry(12, GTF.permit_access, DOM0, 0x25) // Dom0's own frame, "granted" by domain 1
    expect(g.map(DOM0, DOMU, 12, false).status).toBe(Gntst.general_error)
  })

  it('copies through a grant into the caller’s own frame (GNTTABOP_copy)', () => {
    setEntry(8, GTF.permit_access | GTF.readonly, DOM0, 0x12)
    mem.writeBytes(0x12000 + 100, Uint8Array.of(1, 2, 3, 4))
    expect(g.copy(DOM0, { domid: DOMU, ref: 8, offset: 100 }, { domid: DOM0, mfn: 0x21, offset: 8 }, 4)).toBe(
      Gntst.okay,
    )
    expect(Array.from(mem.readBytes(0x21000 + 8, 4))).toEqual([1, 2, 3, 4])
    // Writing through a read-only grant, or past the page, is refused.
    expect(g.copy(DOM0, { domid: DOM0, mfn: 0x21, offset: 0 }, { domid: DOMU, ref: 8, offset: 0 }, 4)).toBe(
      Gntst.permission_denied,
    )
    expect(
      g.copy(DOM0, { domid: DOMU, ref: 8, offset: 4094 }, { domid: DOM0, mfn: 0x21, offset: 0 }, 4),
    ).toBe(Gntst.bad_copy_arg)
  })
})
