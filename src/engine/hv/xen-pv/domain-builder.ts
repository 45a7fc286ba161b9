import { CR0_ET, CR0_PE, CR0_PG, CR0_WP } from '../../cpu/constants'
import { Seg } from '../../cpu/decoded'
import { FAULT } from '../../cpu/fault'
import { fetchDescriptor, loadCsFromDesc, loadSegmentReg } from '../../cpu/segmentation'
import { PAGE_SHIFT, PAGE_SIZE, type PhysicalMemory } from '../../machine/memory'
import { RingCause } from '../../trace/schema'
import {
  ElfNote,
  GDT_LIMIT,
  GDT_VIRT_START,
  HYPERCALL_STUB,
  HYPERCALL_VECTOR,
  Hypercall,
  IDT_LIMIT,
  IDT_VIRT,
  MAX_GUEST_CMDLINE,
  SharedInfo,
  START_INFO_MAGIC,
  Selector,
  StartInfo,
  TSS_LIMIT,
  TSS_OFFSET,
  FIRST_RESERVED_GDT_PAGE,
} from './abi'
import type { XenDomain } from './domain'
import { M2P_BASE, M2P_FRAMES, M2P_L1, XEN_GDT_PAGE, ZERO_PAGE } from './memory-layout'
import { PageType, type PageTypes } from './page-types'

/** Xen's own GDT entries (x86_32 gdt_table): index → descriptor (lo, hi). Ring 1 and 3 end at 3.94 GiB. */
const XEN_GDT: readonly (readonly [number, number, number])[] = [
  [Selector.FLAT_RING0_CS >>> 3, 0x0000ffff, 0x00cf9a00],
  [Selector.FLAT_RING0_DS >>> 3, 0x0000ffff, 0x00cf9200],
  [Selector.FLAT_RING1_CS >>> 3, 0x0000c3ff, 0x00cfba00],
  [Selector.FLAT_RING1_DS >>> 3, 0x0000c3ff, 0x00cfb200],
  [Selector.FLAT_RING3_CS >>> 3, 0x0000c3ff, 0x00cffa00],
  [Selector.FLAT_RING3_DS >>> 3, 0x0000c3ff, 0x00cff200],
]
const TSS_BASE = IDT_VIRT + TSS_OFFSET
/** A busy 32-bit TSS descriptor, DPL 0 (SDM Vol. 3A Figure 7-3). */
const TSS_DESC_LO = ((TSS_BASE & 0xffff) << 16) | TSS_LIMIT
const TSS_DESC_HI = ((TSS_BASE >>> 16) & 0xff) | 0x8b00 | (TSS_BASE & 0xff000000)
const TSS_ATTR = 0x8b

/** Entry bits: present, writable, user, accessed, dirty. */
const P = 0x1
const RW = 0x2
const US = 0x4
const A = 0x20
const D = 0x40

/**
 * Writes Xen's pages that every domain shares, once per host: its reserved GDT page, the zero page,
 * an empty M2P table (every entry INVALID_M2P_ENTRY) and the L1 table mapping it read-only.
 */
export function initXenPages(mem: PhysicalMemory): void {
  mem.u8.fill(0, XEN_GDT_PAGE, XEN_GDT_PAGE + 2 * PAGE_SIZE)
  mem.u8.fill(0xff, M2P_BASE, M2P_BASE + M2P_FRAMES * 4)
  mem.u8.fill(0, M2P_L1, M2P_L1 + PAGE_SIZE)
  for (let i = 0; i < (M2P_FRAMES * 4) / PAGE_SIZE; i++)
    mem.write32(M2P_L1 + i * 4, (M2P_BASE + i * PAGE_SIZE) | P | A)
  const page = XEN_GDT_PAGE - FIRST_RESERVED_GDT_PAGE * PAGE_SIZE // descriptor index → address in the page
  for (const [index, lo, hi] of XEN_GDT) {
    mem.write32(page + index * 8, lo)
    mem.write32(page + index * 8 + 4, hi)
  }
  const tss = page + (Selector.TSS >>> 3) * 8
  mem.write32(tss, TSS_DESC_LO)
  mem.write32(tss + 4, TSS_DESC_HI)
}

/** The Xen ELF notes of a kernel image (elfnote.h), by type; a string on a malformed image. */
function readXenNotes(image: Uint8Array): Map<number, Uint8Array> | string {
  if (image.length < 52 || image[0] !== 0x7f || image[1] !== 0x45 || image[2] !== 0x4c || image[3] !== 0x46)
    return 'not an ELF image'
  const v = new DataView(image.buffer, image.byteOffset, image.byteLength)
  const phoff = v.getUint32(28, true)
  const phentsize = v.getUint16(42, true)
  const phnum = v.getUint16(44, true)
  const notes = new Map<number, Uint8Array>()
  for (let k = 0; k < phnum; k++) {
    const o = phoff + k * phentsize
    if (o + 32 > image.length) return 'ELF program headers lie outside the file'
    if (v.getUint32(o, true) !== 4) continue // PT_NOTE
    const off = v.getUint32(o + 4, true)
    const end = off + v.getUint32(o + 16, true)
    if (end > image.length) return 'ELF note segment lies outside the file'
    for (let at = off; at + 12 <= end;) {
      const namesz = v.getUint32(at, true)
      const descsz = v.getUint32(at + 4, true)
      const type = v.getUint32(at + 8, true)
      const name = at + 12
      const desc = name + ((namesz + 3) & ~3)
      const next = desc + ((descsz + 3) & ~3)
      if (next > end) return 'malformed ELF note'
      if (namesz === 4 && String.fromCharCode(...image.subarray(name, name + 3)) === 'Xen')
        notes.set(type, image.slice(desc, desc + descsz))
      at = next
    }
  }
  return notes
}

function noteString(b: Uint8Array | undefined): string | undefined {
  if (!b) return undefined
  const nul = b.indexOf(0)
  return String.fromCharCode(...(nul < 0 ? b : b.subarray(0, nul)))
}

function noteNumber(b: Uint8Array | undefined): number | undefined {
  if (!b || b.length < 4) return undefined
  return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0
}

/** What the toolstack wires up before the builder runs: the store and console rings' channels. */
export interface BuildInputs {
  readonly storeEvtchn: number
  readonly consoleEvtchn: number
  readonly cmdline: string
}

/** The pseudo-physical frames the builder used below the kernel (Ringside's boot protocol [R]). */
export interface BootLayout {
  readonly startInfoPfn: number
  readonly storePfn: number
  readonly consolePfn: number
  readonly p2mPfn: number
  readonly p2mFrames: number
  readonly l2Pfn: number
  readonly l1Frames: number
  readonly stackTop: number
  readonly entry: number
  readonly hypercallPage: number
}

/** First and last pseudo-physical frame the boot area may use: above page 0, below the kernel at 1 MiB. */
const BOOT_AREA_FIRST = 1
const BOOT_AREA_END = 0x100

/**
 * Xen's domain builder for a 32-bit PV kernel (libxenguest xc_dom_*, here in Xen itself [R]): read the
 * ELF notes, fill the hypercall page, build start_info, the pseudo-physical-to-machine list, the
 * M2P entries and bootstrap page tables mapping all of the domain's memory at virtual = pseudo-
 * physical (XEN_ELFNOTE_VIRT_BASE 0), and start the vCPU in ring 1 with paging on. Ringside's boot
 * protocol places these below the kernel's 1 MiB, where real Xen puts them after the kernel image
 * [R: ringos's frame allocator owns everything above its image]. The image is already loaded at its
 * physical addresses (pseudo-physical, since the domain's memory window is its pseudo-physical
 * space). Returns the layout, or why the image cannot be built.
 */
export function buildDomain(
  mem: PhysicalMemory,
  types: PageTypes,
  dom: XenDomain,
  inputs: BuildInputs,
): BootLayout | string {
  const notes = readXenNotes(dom.vm.spec.image)
  if (typeof notes === 'string') return notes
  if (noteString(notes.get(ElfNote.XEN_VERSION)) !== 'xen-3.0')
    return 'xc_dom_find_loader: no loader found (the image has no Xen ELF notes for xen-3.0)'
  if (noteString(notes.get(ElfNote.PAE_MODE)) === 'yes')
    return 'a PAE kernel cannot run on non-PAE Ringside Xen'
  if ((noteNumber(notes.get(ElfNote.VIRT_BASE)) ?? 0) !== 0)
    return 'Ringside Xen loads kernels at virtual base 0 only [R]'
  const entry = noteNumber(notes.get(ElfNote.ENTRY)) ?? dom.vm.image?.entry
  const hypercallPage = noteNumber(notes.get(ElfNote.HYPERCALL_PAGE))
  if (entry === undefined) return 'no entry point'

  const n = dom.nrPages
  const p2mFrames = Math.ceil((n * 4) / PAGE_SIZE)
  const l1Frames = Math.ceil(n / 1024)
  let next = BOOT_AREA_FIRST
  const take = (count: number) => {
    const f = next
    next += count
    return f
  }
  const startInfoPfn = take(1)
  const storePfn = take(1)
  const consolePfn = take(1)
  const p2mPfn = take(p2mFrames)
  const l2Pfn = take(1)
  const l1Pfn = take(l1Frames)
  const stackPfn = take(1)
  if (next > BOOT_AREA_END) return `the boot area below 1 MiB cannot hold the tables for ${n} pages`
  if (dom.vm.image && dom.vm.image.start < BOOT_AREA_END * PAGE_SIZE)
    return 'the kernel must be loaded at 1 MiB or above'

  const maddr = (pfn: number) => dom.mfn(pfn) * PAGE_SIZE
  mem.u8.fill(0, maddr(BOOT_AREA_FIRST), maddr(next))

  // Memory: the domain's frames, the P2M list the guest reads, the M2P entries Xen keeps.
  types.assign(dom.domid, dom.baseMfn, n)
  for (let pfn = 0; pfn < n; pfn++) {
    mem.write32(maddr(p2mPfn) + pfn * 4, dom.mfn(pfn))
    types.setM2p(dom.mfn(pfn), pfn)
  }

  // The hypercall page: one stub per hypercall, HYPERVISOR_iret's a jump target (x86_32/traps.c).
  if (hypercallPage !== undefined) {
    if (hypercallPage % PAGE_SIZE !== 0 || hypercallPage / PAGE_SIZE >= n)
      return 'the hypercall page is not a page of the domain'
    const hp = maddr(hypercallPage / PAGE_SIZE)
    mem.writeBytes(hp, new Uint8Array(PAGE_SIZE).fill(0xcc))
    for (let i = 0; i < PAGE_SIZE / HYPERCALL_STUB; i++) {
      const at = hp + i * HYPERCALL_STUB
      if (i === Hypercall.iret) {
        mem.writeBytes(at, Uint8Array.of(0x50, 0xb8, i, 0, 0, 0, 0xcd, HYPERCALL_VECTOR))
      } else {
        mem.writeBytes(at, Uint8Array.of(0xb8, i, 0, 0, 0, 0xcd, HYPERCALL_VECTOR, 0xc3))
      }
    }
  }

  // Bootstrap page tables: every pseudo-physical page at its own address, page tables read-only.
  const l2 = maddr(l2Pfn)
  for (let i = 0; i < l1Frames; i++) mem.write32(l2 + i * 4, maddr(l1Pfn + i) | P | RW | US | A | D)
  for (let pfn = 0; pfn < n; pfn++) {
    const table = pfn >= l2Pfn && pfn < l1Pfn + l1Frames
    mem.write32(maddr(l1Pfn) + pfn * 4, maddr(pfn) | P | (table ? 0 : RW) | A)
  }

  // start_info.
  const si = maddr(startInfoPfn)
  mem.writeBytes(si + StartInfo.magic, asciiz(START_INFO_MAGIC, 32))
  const w = (off: number, v: number) => mem.write32(si + off, v)
  w(StartInfo.nr_pages, n)
  w(StartInfo.shared_info, dom.pages.sharedInfo)
  w(StartInfo.store_mfn, dom.mfn(storePfn))
  w(StartInfo.store_evtchn, inputs.storeEvtchn)
  w(StartInfo.console_mfn, dom.mfn(consolePfn))
  w(StartInfo.console_evtchn, inputs.consoleEvtchn)
  w(StartInfo.pt_base, l2Pfn * PAGE_SIZE)
  w(StartInfo.nr_pt_frames, 1 + l1Frames)
  w(StartInfo.mfn_list, p2mPfn * PAGE_SIZE)
  mem.writeBytes(si + StartInfo.cmd_line, asciiz(inputs.cmdline, MAX_GUEST_CMDLINE))
  w(StartInfo.first_p2m_pfn, p2mPfn)
  w(StartInfo.nr_p2m_frames, p2mFrames)

  // Xen's pages for the domain: shared_info (events masked), the grant frame, the per-domain map.
  for (const page of [dom.pages.sharedInfo, dom.pages.grantTable, dom.pages.idt, dom.pages.perdomainL1])
    mem.u8.fill(0, page, page + PAGE_SIZE)
  mem.write8(dom.pages.sharedInfo + SharedInfo.upcall_mask, 1)
  types.assign(dom.domid, dom.pages.sharedInfo >>> PAGE_SHIFT, 1)
  types.assign(dom.domid, dom.pages.grantTable >>> PAGE_SHIFT, 1)
  writePerdomainMap(mem, dom, [])
  mem.write16(dom.pages.idt + TSS_OFFSET + 0x66, TSS_LIMIT + 1) // I/O bitmap base beyond the limit: no ports

  // Validate and pin the bootstrap directory, and load it.
  const l2Mfn = dom.mfn(l2Pfn)
  if (types.pin(dom.domid, l2Mfn, PageType.L2) !== 0)
    return `bootstrap page tables rejected: ${types.lastError}`
  if (types.getType(dom.domid, l2Mfn, PageType.L2) !== 0)
    return `bootstrap page tables rejected: ${types.lastError}`
  dom.s.cr3Mfn = l2Mfn
  dom.s.storeMfn = dom.mfn(storePfn)
  dom.s.consoleMfn = dom.mfn(consolePfn)

  const stackTop = (stackPfn + 1) * PAGE_SIZE
  const err = startVcpu(dom, l2Mfn, entry, startInfoPfn * PAGE_SIZE, stackTop)
  if (err) return err
  return {
    startInfoPfn,
    storePfn,
    consolePfn,
    p2mPfn,
    p2mFrames,
    l2Pfn,
    l1Frames,
    stackTop,
    entry,
    hypercallPage: hypercallPage ?? 0,
  }
}

/**
 * The per-domain L1 behind Xen's per-domain L2 slot: the guest's GDT frames at GDT pages 0–13 (a zero
 * page where it gave none), Xen's reserved GDT page at page 14, then Xen's IDT/TSS page. Supervisor
 * mappings: guest segments end below them (check_descriptor), the CPU reaches them implicitly.
 */
export function writePerdomainMap(mem: PhysicalMemory, dom: XenDomain, gdtFrames: readonly number[]): void {
  const l1 = dom.pages.perdomainL1
  for (let i = 0; i < FIRST_RESERVED_GDT_PAGE; i++) {
    const f = gdtFrames[i]
    mem.write32(l1 + i * 4, f === undefined ? ZERO_PAGE | P | A : (f << PAGE_SHIFT) | P | RW | A | D)
  }
  mem.write32(l1 + FIRST_RESERVED_GDT_PAGE * 4, XEN_GDT_PAGE | P | RW | A | D)
  mem.write32(l1 + (FIRST_RESERVED_GDT_PAGE + 1) * 4, dom.pages.idt | P | RW | A | D)
}

/**
 * The vCPU's start of day (xc_dom_x86.c, "start info" and vcpu context for PV32): ring 1 on Xen's flat
 * ring-1 segments, EIP at the entry, ESI = start_info's virtual address, ESP on the bootstrap stack,
 * EFLAGS.IF = 1 (events are masked in shared_info instead), paging on with the bootstrap directory;
 * GDTR, IDTR and TR at Xen's per-vCPU tables.
 */
function startVcpu(
  dom: XenDomain,
  l2Mfn: number,
  entry: number,
  startInfo: number,
  stackTop: number,
): string | null {
  const c = dom.cpu
  c.r.fill(0)
  c.cr0 = CR0_PE | CR0_ET | CR0_WP | CR0_PG
  c.cr3 = l2Mfn << PAGE_SHIFT
  c.cr4 = 0
  c.gdtBase = GDT_VIRT_START | 0
  c.gdtLimit = GDT_LIMIT
  c.idtBase = IDT_VIRT | 0
  c.idtLimit = IDT_LIMIT
  c.trSel = Selector.TSS
  c.trBase = TSS_BASE | 0
  c.trLimit = TSS_LIMIT
  c.trAttr = TSS_ATTR
  c.flushTlb(true)
  c.updateMasks()
  try {
    if (!fetchDescriptor(c, Selector.FLAT_RING1_CS)) return "Xen's ring-1 code descriptor is not in the GDT"
    loadCsFromDesc(c, Selector.FLAT_RING1_CS, 1, entry | 0, RingCause.Iret, c.eip)
    for (const s of [Seg.SS, Seg.DS, Seg.ES, Seg.FS, Seg.GS]) loadSegmentReg(c, s, Selector.FLAT_RING1_DS)
  } catch (e) {
    if (e === FAULT) return `loading Xen's ring-1 segments faulted (vector ${c.excVector})`
    throw e
  }
  c.setEflags(0x202)
  c.r[6] = startInfo
  c.r[4] = stackTop
  return null
}

function asciiz(s: string, size: number): Uint8Array {
  const out = new Uint8Array(size)
  for (let i = 0; i < s.length && i < size - 1; i++) out[i] = s.charCodeAt(i) & 0xff
  return out
}
