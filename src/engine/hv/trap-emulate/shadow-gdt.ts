/**
 * Segment descriptors as a ring-compression monitor shadows them (x86-virtualization-facts.md §2;
 * hypervisor-flows.md §7.2, VirtualBox raw mode; Xen 32-bit PV keeps itself out of reach the same way):
 * the guest kernel's own GDT says its segments are ring 0, but the kernel runs in ring 1, so the GDT
 * the CPU really uses is a shadow copy in which
 *
 * - every code and data descriptor of DPL 0 gets DPL 1 (ring 1 may load it; SDM Vol. 3A §5.5–5.8);
 * - segments of DPL 0–2 stop below the monitor's region at the top of the linear address space, so
 *   ring-1 code cannot reach the monitor's tables even though paging treats rings 0–2 alike
 *   (supervisor, SDM Vol. 3A §4.6): segmentation is the resource control here;
 * - the monitor adds its own TSS descriptor, in an entry the guest does not use.
 *
 * Descriptor layout: SDM Vol. 3A §3.4.5, Figure 3-8.
 */
import { descAttr, descBase, descLimit } from '../../cpu/segmentation'

/** Linear address where the monitor's region starts: the top 4 MiB (one page-directory entry, 1023). */
export const MONITOR_LINEAR = 0xffc00000
/** Page-directory index of the monitor's region. */
export const MONITOR_PDE = MONITOR_LINEAR >>> 22
/** Entries in the shadow GDT (one page); the last one holds the monitor's TSS. */
export const SHADOW_GDT_ENTRIES = 512
export const MONITOR_TSS_SELECTOR = (SHADOW_GDT_ENTRIES - 1) << 3

const ACC_P = 0x80
const ACC_S = 0x10
const ACC_CODE = 0x08
const ACC_EXPDOWN_OR_CONFORMING = 0x04
const FLAG_G = 0x8

/** A descriptor as its two little-endian dwords. */
export interface Descriptor {
  readonly lo: number
  readonly hi: number
}

/** Encodes a descriptor from base, byte limit, access byte and flags nibble (G, D/B, L, AVL). */
export function makeDescriptor(base: number, limitBytes: number, access: number, flags: number): Descriptor {
  let limit = limitBytes >>> 0
  let f = flags & 0xf
  if (limit > 0xfffff) {
    limit = limit >>> 12
    f |= FLAG_G
  } else if (f & FLAG_G) limit = limit >>> 12
  return {
    lo: (limit & 0xffff) | ((base & 0xffff) << 16) | 0,
    hi:
      ((base >>> 16) & 0xff) |
      ((access & 0xff) << 8) |
      (limit & 0xf0000) |
      (f << 20) |
      (base & 0xff000000) |
      0,
  }
}

/** The hidden-part fields a segment register gets from a descriptor (as the CPU keeps them). */
export function segmentFields(d: Descriptor): { base: number; limit: number; attr: number } {
  return { base: descBase(d.lo, d.hi), limit: descLimit(d.lo, d.hi), attr: descAttr(d.hi) }
}

/**
 * The shadow of one guest descriptor: DPL 0 → 1 for code and data, and the segment cut below the
 * monitor's region unless it is a ring-3 segment (paging keeps ring 3 out: the monitor's pages are
 * supervisor-only). System descriptors (TSS, LDT, gates) are copied unchanged: the guest never loads
 * them into the real CPU (LTR and LLDT trap to the monitor). [R: expand-down data segments and call
 * gates are copied as they are; ringos uses neither.]
 */
export function shadowDescriptor(g: Descriptor): Descriptor {
  const access = (g.hi >>> 8) & 0xff
  if ((access & ACC_S) === 0 || (access & ACC_P) === 0) return g
  let dpl = (access >>> 5) & 3
  if (dpl === 0) dpl = 1
  const newAccess = (access & ~0x60) | (dpl << 5)
  const flags = (g.hi >>> 20) & 0xf
  let { lo, hi } = g
  hi = (hi & ~0xff00) | (newAccess << 8)
  const expandDown = (access & ACC_CODE) === 0 && (access & ACC_EXPDOWN_OR_CONFORMING) !== 0
  if (dpl < 3 && !expandDown) {
    const base = descBase(lo, hi) >>> 0
    const last = base + (descLimit(lo, hi) >>> 0)
    if (base >= MONITOR_LINEAR) return { lo, hi: hi & ~(ACC_P << 8) }
    if (last >= MONITOR_LINEAR) {
      // Cut at a whole number of pages below the monitor, so the limit can stay page-granular.
      const room = ((MONITOR_LINEAR - base) >>> 0) & ~0xfff
      if (room === 0) return { lo, hi: hi & ~(ACC_P << 8) }
      const d = makeDescriptor(base, room - 1, newAccess, flags | FLAG_G)
      lo = d.lo
      hi = d.hi
    }
  }
  return { lo, hi }
}

/** The monitor's TSS descriptor: a busy 32-bit TSS (it is loaded in TR). */
export function monitorTssDescriptor(base: number, limit: number): Descriptor {
  return makeDescriptor(base, limit, ACC_P | 0x0b, 0)
}

/**
 * Flat ring-1 code and data descriptors, which stand in for the loader's ring-0 segments until the
 * guest loads a GDT of its own (Multiboot leaves CS = 0x08 and DS = SS = 0x10 with flat 4 GiB
 * segments, Multiboot 0.6.96 §3.2).
 */
export function flatRing1(code: boolean): Descriptor {
  return shadowDescriptor(makeDescriptor(0, 0xffffffff, ACC_P | ACC_S | (code ? 0x0b : 0x03), 0xc))
}
