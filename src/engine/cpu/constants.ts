/**
 * Architectural constants of IA-32 (Intel SDM Vol. 3A): exception vectors, control-register bits,
 * descriptor fields, and the CPU's own software-TLB entry flags.
 */

/** Exception vectors (SDM Vol. 3A §6.3.1, Table 6-1). */
export const Vec = {
  DE: 0,
  DB: 1,
  NMI: 2,
  BP: 3,
  OF: 4,
  BR: 5,
  UD: 6,
  NM: 7,
  DF: 8,
  TS: 10,
  NP: 11,
  SS: 12,
  GP: 13,
  PF: 14,
  MF: 16,
  AC: 17,
  MC: 18,
} as const

/** Vectors whose exceptions push an error code (SDM Vol. 3A §6.13, Table 6-1 "Error Code" column). */
export const HAS_ERROR_CODE =
  (1 << Vec.DF) |
  (1 << Vec.TS) |
  (1 << Vec.NP) |
  (1 << Vec.SS) |
  (1 << Vec.GP) |
  (1 << Vec.PF) |
  (1 << Vec.AC)

/** Contributory exceptions for the double-fault rules (SDM Vol. 3A §6.15, Table 6-4). */
export const CONTRIBUTORY = (1 << Vec.DE) | (1 << Vec.TS) | (1 << Vec.NP) | (1 << Vec.SS) | (1 << Vec.GP)

/** CR0 bits (SDM Vol. 3A §2.5). */
export const CR0_PE = 1 << 0
export const CR0_MP = 1 << 1
export const CR0_EM = 1 << 2
export const CR0_TS = 1 << 3
export const CR0_ET = 1 << 4
export const CR0_NE = 1 << 5
export const CR0_WP = 1 << 16
export const CR0_AM = 1 << 18
export const CR0_NW = 1 << 29
export const CR0_CD = 1 << 30
export const CR0_PG = 1 << 31
/** CR0 bits that exist; writes to the others are ignored (SDM Vol. 3A §2.5 "reserved bits"). */
export const CR0_DEFINED =
  CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_NW | CR0_CD | CR0_PG

/** CR4 bits (SDM Vol. 3A §2.5). */
export const CR4_TSD = 1 << 2
export const CR4_DE = 1 << 3
export const CR4_PSE = 1 << 4
export const CR4_PGE = 1 << 7
export const CR4_PCE = 1 << 8
export const CR4_VMXE = 1 << 13
/** CR4 bits this CPU implements; setting any other raises #GP(0) (SDM Vol. 3A §2.5). */
export const CR4_SUPPORTED = CR4_TSD | CR4_DE | CR4_PSE | CR4_PGE | CR4_PCE | CR4_VMXE

/** Page-table entry bits (SDM Vol. 3A §4.3, Tables 4-4 to 4-6). */
export const PTE_P = 1 << 0
export const PTE_RW = 1 << 1
export const PTE_US = 1 << 2
export const PTE_A = 1 << 5
export const PTE_D = 1 << 6
export const PTE_PS = 1 << 7
export const PTE_G = 1 << 8

/** #PF error-code bits (SDM Vol. 3A §4.7, Figure 4-12). */
export const PF_P = 1
export const PF_W = 2
export const PF_U = 4
export const PF_RSVD = 8

/**
 * Segment attributes as kept in the hidden part of a segment register: bits 15:0 are bits 55:40 of
 * the descriptor (type, S, DPL, P, limit 19:16, AVL, L, D/B, G — SDM Vol. 3A §3.4.5, Figure 3-8);
 * bit 16 marks a register loaded with a null selector ("unusable").
 */
export const A_TYPE = 0x000f
export const A_ACCESSED = 0x0001
export const A_S = 0x0010
export const A_DPL_SHIFT = 5
export const A_P = 0x0080
export const A_DB = 0x4000
export const A_G = 0x8000
export const A_UNUSABLE = 0x10000
/** Type bits for code/data segments (S = 1): bit 3 code, bit 2 conforming (code) / expand-down (data), bit 1 readable (code) / writable (data). */
export const T_CODE = 0x8
export const T_CONFORMING = 0x4
export const T_EXPDOWN = 0x4
export const T_RW = 0x2

/** System-descriptor types (S = 0), SDM Vol. 3A §3.5, Table 3-2. */
export const SYS_TSS16_AVAIL = 1
export const SYS_LDT = 2
export const SYS_TSS16_BUSY = 3
export const SYS_CALLGATE16 = 4
export const SYS_TASKGATE = 5
export const SYS_INTGATE16 = 6
export const SYS_TRAPGATE16 = 7
export const SYS_TSS32_AVAIL = 9
export const SYS_TSS32_BUSY = 11
export const SYS_CALLGATE32 = 12
export const SYS_INTGATE32 = 14
export const SYS_TRAPGATE32 = 15

/** Flat 4 GiB descriptors' attributes as a multiboot loader leaves them (code ER / data RW, DPL 0, P, D/B, G, accessed). */
export const FLAT_CODE_ATTR = 0x009b | A_DB | A_G | 0x0f00
export const FLAT_DATA_ATTR = 0x0093 | A_DB | A_G | 0x0f00

/**
 * Software-TLB entry flags (low 12 bits of an entry; the high 20 bits hold physical page XOR linear
 * page, so `physical = (entry & ~0xfff) ^ linear`, as in v86). An access takes the inline fast path
 * when `(entry & mask) === TLB_VALID` with the mask for its kind and privilege.
 */
export const TLB_VALID = 1
export const TLB_NOUSER = 2 // U/S = 0 somewhere in the walk: no user access
export const TLB_NOUSER_W = 4 // user writes need the slow path (read-only, or D not yet set)
export const TLB_NOSUP_W = 8 // supervisor writes need the slow path (read-only with CR0.WP, or D not yet set)
export const TLB_CODE = 16 // the physical page holds decoded instructions: writes take the slow path
export const TLB_MMIO = 32 // not RAM: every access takes the slow path to the MMIO bus
export const TLB_GLOBAL = 64 // global page (CR4.PGE): survives CR3 loads
export const TLB_LARGE = 128 // filled from a 4 MiB page
export const TLB_NOEXEC = 256 // EPT denies instruction fetches: fetches take the slow path (and exit)
export const TLB_NOREAD = 512 // EPT denies data reads (an execute-only page): reads take the slow path (and exit)

export const READ_MASK_SUP = TLB_VALID | TLB_MMIO | TLB_NOREAD
export const READ_MASK_USER = TLB_VALID | TLB_MMIO | TLB_NOREAD | TLB_NOUSER
export const FETCH_MASK_SUP = TLB_VALID | TLB_MMIO | TLB_NOEXEC
export const FETCH_MASK_USER = TLB_VALID | TLB_MMIO | TLB_NOEXEC | TLB_NOUSER
export const WRITE_MASK_SUP = TLB_VALID | TLB_MMIO | TLB_CODE | TLB_NOSUP_W
export const WRITE_MASK_USER = TLB_VALID | TLB_MMIO | TLB_CODE | TLB_NOUSER | TLB_NOUSER_W

/** Halt states of the CPU. */
export const HALT_NONE = 0
/** HLT with IF = 1: waiting for an interrupt. */
export const HALT_WAIT = 1
/** HLT with IF = 0: stopped (only NMI or reset could wake it; neither is modelled). */
export const HALT_STOP = 2
