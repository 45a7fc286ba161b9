import { PAGE_SIZE } from '../../machine/memory'

/**
 * Where Ringside's Xen keeps its own data in machine memory: the bottom of host RAM, below the first
 * domain's frames [R: real Xen allocates these from its heap; only the roles are real]. Everything
 * here is machine (host-physical) addresses.
 *
 * | machine address        | what                                                                   |
 * |------------------------|------------------------------------------------------------------------|
 * | 0x001000               | Xen's reserved GDT page (FLAT_RING1/3 descriptors): GDT page 14         |
 * | 0x002000               | a zero page, mapped for the GDT pages a guest did not give             |
 * | 0x003000               | the L1 table that maps the M2P table at MACH2PHYS_VIRT_START (read-only)|
 * | 0x010000 + 0x8000·(d−1)| domain d: its per-domain L1, IDT/TSS page, shared_info, grant table    |
 * | 0x040000 … 0x200000    | the machine-to-physical (M2P) table, one 32-bit entry per machine frame |
 */
export const XEN_RESERVED_BYTES = 2 << 20
export const XEN_GDT_PAGE = 0x1000
export const ZERO_PAGE = 0x2000
export const M2P_L1 = 0x3000
export const M2P_BASE = 0x40000
/** Machine frames the M2P table covers (1.75 GiB of host memory: 4 domains of 256 MiB and Xen). */
export const M2P_FRAMES = (XEN_RESERVED_BYTES - M2P_BASE) / 4
/** Domains Xen has room for (the session's largest VM count). */
export const MAX_DOMUS = 4

const DOMAIN_AREA = 0x10000
const DOMAIN_STRIDE = 0x8000

/** Xen's own pages for domain `domid` (1-based DomU number). */
export interface DomainPages {
  /** The L1 table behind the per-domain L2 slot: GDT frames, then the IDT/TSS page. */
  readonly perdomainL1: number
  /** Xen's IDT, TSS and upcall gates for the domain's vCPU. */
  readonly idt: number
  readonly sharedInfo: number
  readonly grantTable: number
}

export function domainPages(domid: number): DomainPages {
  if (!Number.isInteger(domid) || domid < 1 || domid > MAX_DOMUS)
    throw new RangeError(`no Xen pages for domain ${domid}`)
  const base = DOMAIN_AREA + (domid - 1) * DOMAIN_STRIDE
  return {
    perdomainL1: base,
    idt: base + PAGE_SIZE,
    sharedInfo: base + 2 * PAGE_SIZE,
    grantTable: base + 3 * PAGE_SIZE,
  }
}
