/**
 * The 32-bit (non-PAE) Xen PV ABI as Ringside's Xen implements it: numbers and layouts from Xen's
 * public headers (xen/include/public/xen.h, arch-x86/xen-x86_32.h, event_channel.h, grant_table.h,
 * sched.h, vcpu.h, callback.h, elfnote.h, io/ring.h, io/blkif.h, io/console.h, io/xs_wire.h,
 * io/xenbus.h), with i386 struct layout (a uint64_t member is 4-byte aligned). The guest's copy is
 * guest/drivers/xen.h; docs/xen-pv-abi.md is the contract and names every simplification.
 */

/** Hypercall numbers (xen.h `__HYPERVISOR_*`). */
export const Hypercall = {
  set_trap_table: 0,
  mmu_update: 1,
  set_gdt: 2,
  stack_switch: 3,
  set_callbacks: 4,
  update_va_mapping: 14,
  set_timer_op: 15,
  xen_version: 17,
  console_io: 18,
  grant_table_op: 20,
  iret: 23,
  vcpu_op: 24,
  mmuext_op: 26,
  sched_op: 29,
  event_channel_op: 32,
} as const
export type HypercallName = keyof typeof Hypercall

/** Names by number, for events, the runner's counts and the UI. */
export const HYPERCALL_NAMES: ReadonlyMap<number, HypercallName> = new Map(
  (Object.entries(Hypercall) as [HypercallName, number][]).map(([k, v]) => [v, k]),
)

/** The software interrupt a 32-bit PV kernel enters Xen with (a DPL-1 gate in Xen's IDT). */
export const HYPERCALL_VECTOR = 0x82
/** Bytes per stub in the hypercall page. */
export const HYPERCALL_STUB = 32

/** Error returns (xen/include/public/errno.h), negated in EAX. */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EAGAIN: 11,
  ENOMEM: 12,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EINVAL: 22,
  ENOSPC: 28,
  ENOSYS: 38,
} as const

export const DOMID_SELF = 0x7ff0

/** Xen's reserved GDT entries from FIRST_RESERVED_GDT_ENTRY (14 pages × 512 = 7168, selector 0xe000). */
export const FIRST_RESERVED_GDT_PAGE = 14
/** GDTR limit Xen loads: the guest's 14 pages and its own reserved page [R: x86_32 value, see abi doc]. */
export const GDT_LIMIT = (FIRST_RESERVED_GDT_PAGE + 1) * 4096 - 1
export const Selector = {
  FLAT_RING0_CS: 0xe008,
  FLAT_RING0_DS: 0xe010,
  FLAT_RING1_CS: 0xe019,
  FLAT_RING1_DS: 0xe021,
  FLAT_RING3_CS: 0xe02b,
  FLAT_RING3_DS: 0xe033,
  /** Xen's TSS (x86_32 TSS_ENTRY = FIRST_RESERVED_GDT_ENTRY + 8). */
  TSS: 0xe040,
} as const

/**
 * Xen's part of every PV address space (non-PAE x86_32): the top 64 MiB. The read-only
 * machine-to-physical table is at its bottom (MACH2PHYS_VIRT_START), guest segments may reach up to
 * its end (GUEST_SEGMENT_MAX_ADDR = MACH2PHYS_VIRT_END), and above that Xen keeps each vCPU's GDT,
 * IDT and TSS [R: the per-domain area's address follows Xen 3.0's x86_32 config.h].
 */
export const HYPERVISOR_VIRT_START = 0xfc000000
export const MACH2PHYS_VIRT_START = 0xfc000000
export const MACH2PHYS_VIRT_END = 0xfc400000
export const GUEST_SEGMENT_MAX_ADDR = MACH2PHYS_VIRT_END
export const PERDOMAIN_VIRT_START = 0xfc400000
/** The vCPU's GDT: the guest's frames, then Xen's reserved page (page 14). */
export const GDT_VIRT_START = PERDOMAIN_VIRT_START
/** The page after the GDT: Xen's IDT (2 KiB), its TSS and the upcall gates [R: see the abi doc]. */
export const IDT_VIRT = PERDOMAIN_VIRT_START + 15 * 4096
export const IDT_LIMIT = 0x7ff
export const TSS_OFFSET = 0x800
export const TSS_LIMIT = 0x67
/** Gate slots Ringside's Xen bounces upcalls through: the event callback and the failsafe callback. */
export const CALLBACK_GATE_OFFSET = 0x900
export const FAILSAFE_GATE_OFFSET = 0x908
/** First L2 slot of Xen's area; the guest owns the slots below. */
export const HYPERVISOR_L2_SLOT = HYPERVISOR_VIRT_START >>> 22
export const M2P_L2_SLOT = MACH2PHYS_VIRT_START >>> 22
export const PERDOMAIN_L2_SLOT = PERDOMAIN_VIRT_START >>> 22
export const INVALID_M2P_ENTRY = 0xffffffff

/** start_info (xen.h) field offsets, x86_32. */
export const StartInfo = {
  magic: 0,
  nr_pages: 32,
  shared_info: 36,
  flags: 40,
  store_mfn: 44,
  store_evtchn: 48,
  console_mfn: 52,
  console_evtchn: 56,
  pt_base: 60,
  nr_pt_frames: 64,
  mfn_list: 68,
  mod_start: 72,
  mod_len: 76,
  cmd_line: 80,
  first_p2m_pfn: 1104,
  nr_p2m_frames: 1108,
} as const
export const START_INFO_MAGIC = 'xen-3.0-x86_32'
export const MAX_GUEST_CMDLINE = 1024

/** shared_info (xen.h) offsets, x86_32: vcpu_info[32] of 64 bytes, then the event bitmaps. */
export const SharedInfo = {
  vcpuInfoSize: 64,
  upcall_pending: 0,
  upcall_mask: 1,
  pending_sel: 4,
  cr2: 8,
  time: 32,
  evtchn_pending: 2048,
  evtchn_mask: 2176,
  wc_version: 2304,
  wc_sec: 2308,
  wc_nsec: 2312,
} as const
/** Ports in the two-level event-channel ABI for a 32-bit guest: 32 words of 32 bits. */
export const EVTCHN_PORTS = 1024

/** trap_info.flags: bits 1:0 the DPL that may raise the vector with INT n; bit 2 masks events on entry. */
export const TI_DPL_MASK = 3
export const TI_SET_IF = 4

/** mmu_update commands (low two bits of ptr). */
export const MmuCmd = { NORMAL_PT_UPDATE: 0, MACHPHYS_UPDATE: 1, PT_UPDATE_PRESERVE_AD: 2 } as const
/** mmuext_op commands. */
export const Mmuext = {
  PIN_L1_TABLE: 0,
  PIN_L2_TABLE: 1,
  PIN_L3_TABLE: 2,
  PIN_L4_TABLE: 3,
  UNPIN_TABLE: 4,
  NEW_BASEPTR: 5,
  TLB_FLUSH_LOCAL: 6,
  INVLPG_LOCAL: 7,
  TLB_FLUSH_MULTI: 8,
  INVLPG_MULTI: 9,
  TLB_FLUSH_ALL: 10,
  INVLPG_ALL: 11,
} as const
export const MMUEXT_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(Mmuext).map(([k, v]) => [v, k]),
)
/** update_va_mapping flags (UVMF_*): the flush to do after the update. */
export const UVMF_TLB_FLUSH = 1
export const UVMF_INVLPG = 2
export const UVMF_FLUSHTYPE_MASK = 3

export const SchedOp = { yield: 0, block: 1, shutdown: 2, poll: 3 } as const
export const Shutdown = { poweroff: 0, reboot: 1, suspend: 2, crash: 3 } as const
export const VcpuOp = {
  set_periodic_timer: 6,
  stop_periodic_timer: 7,
  set_singleshot_timer: 8,
  stop_singleshot_timer: 9,
} as const
export const CONSOLEIO_write = 0
export const XENVER_version = 0

export const EvtchnOp = {
  bind_interdomain: 0,
  bind_virq: 1,
  close: 3,
  send: 4,
  status: 5,
  alloc_unbound: 6,
  unmask: 9,
} as const
export const VIRQ_TIMER = 0

export const GnttabOp = { map_grant_ref: 0, unmap_grant_ref: 1, setup_table: 2, copy: 5 } as const
/** grant_entry_v1: flags (u16), domid (u16), frame (u32). */
export const GRANT_ENTRY_SIZE = 8
export const GTF = { permit_access: 1, readonly: 4, reading: 8, writing: 16 } as const
/** Grant status codes (GNTST_*). */
export const Gntst = {
  okay: 0,
  general_error: -1,
  bad_domain: -2,
  bad_gntref: -3,
  bad_handle: -4,
  permission_denied: -8,
  bad_copy_arg: -10,
} as const

/** Shared-ring header (io/ring.h): req_prod, req_event, rsp_prod, rsp_event, then 48 bytes of padding. */
export const Ring = { req_prod: 0, req_event: 4, rsp_prod: 8, rsp_event: 12, header: 64 } as const

/** io/blkif.h, x86_32 layout. */
export const Blkif = {
  OP_READ: 0,
  OP_WRITE: 1,
  RSP_OKAY: 0,
  RSP_ERROR: -1,
  RSP_EOPNOTSUPP: -2,
  /** sizeof(union blkif_sring_entry): the 108-byte request. */
  entrySize: 108,
  /** __RING_SIZE for one page: (4096 − 64) / 108 = 37, rounded down to a power of two. */
  ringSize: 32,
  maxSegments: 11,
  req: { operation: 0, nr_segments: 1, handle: 2, id: 4, sector_number: 12, seg: 20, segSize: 8 },
  rsp: { id: 0, operation: 8, status: 10 },
  SECTOR_SIZE: 512,
} as const

/** io/console.h: xencons_interface. */
export const Xencons = {
  in: 0,
  inSize: 1024,
  out: 1024,
  outSize: 2048,
  in_cons: 3072,
  in_prod: 3076,
  out_cons: 3080,
  out_prod: 3084,
} as const

/** io/xs_wire.h: the store ring and message types. */
export const XsRing = {
  req: 0,
  rsp: 1024,
  size: 1024,
  req_cons: 2048,
  req_prod: 2052,
  rsp_cons: 2056,
  rsp_prod: 2060,
} as const
export const XS_HEADER = 16
export const XS_PAYLOAD_MAX = 4096
export const XsType = {
  DIRECTORY: 1,
  READ: 2,
  WATCH: 4,
  UNWATCH: 5,
  GET_DOMAIN_PATH: 10,
  WRITE: 11,
  MKDIR: 12,
  RM: 13,
  WATCH_EVENT: 15,
  ERROR: 16,
} as const

/** io/xenbus.h */
export const XenbusState = {
  Unknown: 0,
  Initialising: 1,
  InitWait: 2,
  Initialised: 3,
  Connected: 4,
  Closing: 5,
  Closed: 6,
} as const

/** elfnote.h note types (name "Xen"). */
export const ElfNote = {
  ENTRY: 1,
  HYPERCALL_PAGE: 2,
  VIRT_BASE: 3,
  PADDR_OFFSET: 4,
  XEN_VERSION: 5,
  GUEST_OS: 6,
  LOADER: 8,
  PAE_MODE: 9,
} as const

/** The version Ringside's Xen reports (xen_version, CPUID leaf 0x40000001) [R]. */
export const XEN_MAJOR = 4
export const XEN_MINOR = 19
