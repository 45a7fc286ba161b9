import { PAGE_SHIFT, PAGE_SIZE, type PhysicalMemory } from '../../machine/memory'
import type { StateReader, StateWriter } from '../../snapshot'
import { Gntst, GRANT_ENTRY_SIZE, GTF } from './abi'

/** Entries in one grant-table frame (version 1: 8 bytes each). */
export const GRANT_ENTRIES = PAGE_SIZE / GRANT_ENTRY_SIZE

/** A grant mapping Xen keeps for the mapping domain (maptrack): what GNTTABOP_unmap_grant_ref undoes. */
interface Mapping {
  readonly granter: number
  readonly ref: number
  readonly mapper: number
  readonly write: boolean
  readonly mfn: number
}

export type MapResult =
  { readonly status: 0; readonly handle: number; readonly mfn: number } | { readonly status: number }

/** One side of a GNTTABOP_copy: a granted page (by reference) or a frame of the caller itself. */
export interface CopyPtr {
  readonly domid: number
  readonly ref?: number
  readonly mfn?: number
  readonly offset: number
}

/**
 * Grant tables, version 1 (xen/include/public/grant_table.h; docs/misc/grant-tables.txt): each domain
 * has a table Xen shares with it (GNTTABOP_setup_table); entry `ref` says which of its frames a given
 * other domain may use, read-only or not. The other domain asks Xen to map the grant
 * (GNTTABOP_map_grant_ref: Xen checks the entry and sets GTF_reading/GTF_writing while the mapping
 * exists, so the granter can see the page is in use), or to copy through it (GNTTABOP_copy).
 */
export class GrantTables {
  private readonly maptrack = new Map<number, Mapping>()
  private nextHandle = 1

  constructor(
    private readonly mem: PhysicalMemory,
    /** Machine address of a domain's grant-table frame, or -1 when it has none. */
    private readonly frameOf: (domid: number) => number,
    /** Whether a machine frame belongs to a domain (only its own frames can be granted). */
    private readonly owns: (domid: number, mfn: number) => boolean,
  ) {}

  private entryAddr(granter: number, ref: number): number {
    const frame = this.frameOf(granter)
    if (frame < 0 || !Number.isInteger(ref) || ref < 0 || ref >= GRANT_ENTRIES) return -1
    return frame + ref * GRANT_ENTRY_SIZE
  }

  /** Checks that `granter` lets `user` use `ref` (for writing too, if `write`); the frame, or a GNTST code. */
  private check(
    granter: number,
    ref: number,
    user: number,
    write: boolean,
  ): { mfn: number; at: number } | number {
    if (this.frameOf(granter) < 0) return Gntst.bad_domain
    const at = this.entryAddr(granter, ref)
    if (at < 0) return Gntst.bad_gntref
    const flags = this.mem.read16(at)
    const domid = this.mem.read16(at + 2)
    const mfn = this.mem.read32(at + 4) >>> 0
    if ((flags & GTF.permit_access) === 0 || domid !== user) return Gntst.permission_denied
    if (write && flags & GTF.readonly) return Gntst.permission_denied
    if (!this.owns(granter, mfn)) return Gntst.general_error
    return { mfn, at }
  }

  /** GNTTABOP_map_grant_ref (by `mapper` of `granter`'s reference `ref`). */
  map(mapper: number, granter: number, ref: number, write: boolean): MapResult {
    const c = this.check(granter, ref, mapper, write)
    if (typeof c === 'number') return { status: c }
    this.mem.write16(c.at, this.mem.read16(c.at) | GTF.reading | (write ? GTF.writing : 0))
    const handle = this.nextHandle++
    this.maptrack.set(handle, { granter, ref, mapper, write, mfn: c.mfn })
    return { status: Gntst.okay, handle, mfn: c.mfn }
  }

  /** GNTTABOP_unmap_grant_ref: the in-use bits clear when the last mapping of the entry goes. */
  unmap(mapper: number, handle: number): number {
    const m = this.maptrack.get(handle)
    if (!m || m.mapper !== mapper) return Gntst.bad_handle
    this.maptrack.delete(handle)
    const at = this.entryAddr(m.granter, m.ref)
    let reading = false
    let writing = false
    for (const o of this.maptrack.values()) {
      if (o.granter !== m.granter || o.ref !== m.ref) continue
      reading = true
      writing ||= o.write
    }
    let flags = this.mem.read16(at)
    if (!reading) flags &= ~GTF.reading
    if (!writing) flags &= ~GTF.writing
    this.mem.write16(at, flags)
    return Gntst.okay
  }

  /** GNTTABOP_copy by `caller`: `len` bytes, each side a grant (checked) or the caller's own frame. */
  copy(caller: number, src: CopyPtr, dst: CopyPtr, len: number): number {
    const resolve = (p: CopyPtr, write: boolean): number => {
      if (p.offset < 0 || len < 0 || p.offset + len > PAGE_SIZE) return Gntst.bad_copy_arg
      if (p.ref !== undefined) {
        const c = this.check(p.domid, p.ref, caller, write)
        return typeof c === 'number' ? c : (c.mfn << PAGE_SHIFT) + p.offset
      }
      if (p.mfn === undefined || p.domid !== caller || !this.owns(caller, p.mfn)) return Gntst.bad_copy_arg
      return (p.mfn << PAGE_SHIFT) + p.offset
    }
    const from = resolve(src, false)
    if (from < 0) return from
    const to = resolve(dst, true)
    if (to < 0) return to
    this.mem.writeBytes(to, this.mem.readBytes(from, len))
    return Gntst.okay
  }

  /** Mappings `mapper` still holds (a backend that goes away must have unmapped them all). */
  mappingsOf(mapper: number): number {
    let n = 0
    for (const m of this.maptrack.values()) if (m.mapper === mapper) n++
    return n
  }

  /** Drops every mapping of a destroyed domain's grants. */
  forget(granter: number): void {
    for (const [h, m] of this.maptrack) if (m.granter === granter) this.maptrack.delete(h)
  }

  saveState(w: StateWriter): void {
    w.f64(this.nextHandle)
    w.json([...this.maptrack.entries()])
  }

  loadState(r: StateReader): void {
    this.nextHandle = r.f64()
    this.maptrack.clear()
    for (const [h, m] of r.json<[number, Mapping][]>()) this.maptrack.set(h, m)
  }
}
