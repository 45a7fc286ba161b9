/**
 * The trace event: one fixed-size binary record (DESIGN §3). Every event the engine reports — an
 * instruction sample, a ring change, an exception, a VM exit, a hop of a flow — is one record of
 * {@link RECORD_BYTES} bytes, so a batch is a flat ArrayBuffer that moves between threads by transfer
 * or through a SharedArrayBuffer ring with no serialisation.
 *
 * Layout (little-endian, 8-byte aligned; word = 32 bits):
 *
 * | words | field      | type | meaning |
 * |-------|------------|------|---------|
 * | 0–1   | seq        | f64  | sequence number, strictly increasing per session from 0 |
 * | 2–3   | cycle      | f64  | virtual cycle stamp (integral, < 2^53) |
 * | 4     | kind       | u8   | {@link EventKind} |
 * |       | pcpu       | u8   | physical CPU index |
 * |       | vm         | u8   | VM index (0xff: none, e.g. the hypervisor itself) |
 * |       | vcpu       | u8   | vCPU index within the VM |
 * | 5     | reason     | u16  | kind-specific: vector, SDM exit reason, hypercall number, … |
 * |       | fromCtx    | u8   | privilege context before (see privilege.ts encodeContext) |
 * |       | toCtx      | u8   | privilege context after |
 * | 6     | from       | u16  | component index in the session's topology (0xffff: none) |
 * |       | to         | u16  | component index |
 * | 7     | cost       | u32  | cycles this step costs (hops) or 0 |
 * | 8     | arg0       | u32  | kind-specific (guest EIP, port, address, …) |
 * | 9     | arg1       | u32  | kind-specific (value, error code, qualification, …) |
 * | 10    | flow       | u32  | id of the flow this event belongs to (0: none) |
 * | 11    | arg2       | u32  | kind-specific third argument |
 */
export const RECORD_WORDS = 12
export const RECORD_BYTES = RECORD_WORDS * 4

/** Word offsets within a record, for the Uint32Array view. */
export const W = {
  seq: 0,
  cycle: 2,
  head: 4,
  reason: 5,
  comps: 6,
  cost: 7,
  arg0: 8,
  arg1: 9,
  flow: 10,
  arg2: 11,
} as const

export const NO_VM = 0xff
/** The management domain (Xen's Dom0, Hyper-V's root partition) in a Schedule event's vm fields. */
export const MANAGEMENT_VM = 0xfe
export const NO_COMPONENT = 0xffff

/**
 * Event kinds. Values are part of the wire format: append, never renumber.
 * The comment on each says what `reason`, `arg0`, `arg1` and `arg2` carry.
 */
export const EventKind = {
  /** Sampled retired-instruction count. arg0: instructions since the previous sample; arg1: EIP now. */
  InsnRetired: 1,
  /** CPL or VMX mode changed. fromCtx/toCtx; reason: {@link RingCause}; arg0: new EIP; arg1: old EIP. */
  RingChange: 2,
  /** An exception was raised (SDM Vol. 3A §6.3). reason: vector; arg0: error code (0xffffffff: none); arg1: EIP; arg2: CR2 for #PF. */
  Exception: 3,
  /** A hardware interrupt was delivered through the IDT. reason: vector; arg0: IRQ line (0xffffffff: none); arg1: EIP. */
  Interrupt: 4,
  /** VM exit (SDM Vol. 3C §28). reason: basic exit reason; arg0: exit qualification; arg1: guest EIP; arg2: instruction length. */
  VmExit: 5,
  /** VM entry. reason: 0 VMLAUNCH, 1 VMRESUME; arg0: guest EIP. */
  VmEntry: 6,
  /** Event injected at VM entry (SDM Vol. 3C §27.6). reason: vector; arg0: interruption-information field; arg1: error code. */
  Injection: 7,
  /** Hypercall. reason: hypercall number in the hypervisor's own ABI; arg0, arg1: first arguments. */
  Hypercall: 8,
  /** Port I/O reached a device. reason: size | (1 << 8 if IN); arg0: port; arg1: value. */
  PortIo: 9,
  /** Memory-mapped I/O reached a device. reason: size | (1 << 8 if read); arg0: physical address; arg1: value. */
  MmioAccess: 10,
  /** EPT violation (48) or misconfiguration (49). reason: exit reason; arg0: guest-physical; arg1: qualification; arg2: guest-linear. */
  EptFault: 11,
  /** A shadow-paging fault handled by a monitor. reason: #PF error code; arg0: guest-linear; arg1: guest PTE value. */
  ShadowFault: 12,
  /** One memory reference of a page walk. reason: {@link WalkStep}; arg0: physical address read; arg1: entry value; arg2: linear address walked. */
  PageWalk: 13,
  /** A console byte. reason: console index (0 COM1, 1 COM2, 2 virtio console, …) | (1 << 8 if input); arg0: byte. */
  ConsoleByte: 14,
  /** A management-plane step. reason: step code of the architecture; arg0, arg1: step arguments. */
  MgmtStep: 15,
  /** Start of a flow. reason: {@link FlowKind}; arg0: flow-specific detail (exit reason, hypercall, vector, port). */
  FlowBegin: 16,
  /** End of a flow. reason: FlowKind; arg0: total cost in cycles. */
  FlowEnd: 17,
  /** One hop of a flow: control or data moved from `from` to `to`, costing `cost`. reason: {@link HopCause}. */
  Hop: 18,
  /**
   * The physical CPU switched to another vCPU/domain. reason: scheduler policy (0 unspecified);
   * arg0: previous vm | (vcpu << 8); arg1: next vm | (vcpu << 8). vm 0 is the idle CPU and
   * {@link MANAGEMENT_VM} the management domain (Xen's Dom0, Hyper-V's root partition).
   */
  Schedule: 19,
  /** A guest system call. reason: system-call number; arg0: EIP; arg1: first argument. */
  Syscall: 20,
  /** The CPU halted (HLT) waiting for an interrupt. arg0: EIP; arg1: 1 if IF was clear (stops the run). */
  Halt: 21,
  /** Shutdown (triple fault, SDM Vol. 3A §6.15 #DF). arg0: EIP. */
  Shutdown: 22,
  /** Write to the debug-exit port (QEMU isa-debug-exit). arg0: value written; arg1: exit code (value << 1 | 1). */
  DebugExit: 23,
  /** Disk transfer. reason: 0 read, 1 write; arg0: LBA; arg1: sector count; arg2: device (0 IDE, 1 virtio-blk, …). */
  DiskIo: 24,
  /** Virtqueue notification (a "kick"). reason: device type; arg0: queue index. */
  VirtioNotify: 25,
  /** Binary translation: a block translated. arg0: guest EIP; arg1: guest bytes; arg2: instructions. */
  BtTranslate: 26,
  /** Binary translation: a translated block found in the cache. arg0: guest EIP. */
  BtCacheHit: 27,
  /** Binary translation: translated code called into the VMM. reason: callout kind; arg0: guest EIP. */
  BtCallout: 28,
  /** Binary translation: translations invalidated. arg0: guest-physical page; arg1: blocks dropped. */
  BtInvalidate: 29,
  /** A timer device fired. reason: timer id (0 PIT ch0, …); arg0: IRQ line. */
  TimerTick: 30,
  /** Events the batcher had to drop since the last batch (emitted by the transport). arg0: count. */
  Dropped: 31,
  /**
   * A sensitive-but-unprivileged instruction ran at CPL > 0 without trapping (Robin & Irvine 2000;
   * x86-virtualization-facts.md §2.2): the hole that breaks classic trap-and-emulate. Reported by the
   * CPU only when a model asks for it (ring compression). reason: {@link SensitiveInsn}; arg0: EIP;
   * arg1: the value the guest observed (or the IF it tried to set); arg2: CPL.
   */
  SensitiveNoTrap: 32,
} as const
export type EventKind = (typeof EventKind)[keyof typeof EventKind]

/** Names by kind value, for JSON summaries and the UI (stable identifiers, not display text). */
export const EVENT_KIND_NAMES: Readonly<Record<EventKind, string>> = {
  1: 'insn-retired',
  2: 'ring-change',
  3: 'exception',
  4: 'interrupt',
  5: 'vm-exit',
  6: 'vm-entry',
  7: 'injection',
  8: 'hypercall',
  9: 'port-io',
  10: 'mmio',
  11: 'ept-fault',
  12: 'shadow-fault',
  13: 'page-walk',
  14: 'console-byte',
  15: 'mgmt-step',
  16: 'flow-begin',
  17: 'flow-end',
  18: 'hop',
  19: 'schedule',
  20: 'syscall',
  21: 'halt',
  22: 'shutdown',
  23: 'debug-exit',
  24: 'disk-io',
  25: 'virtio-notify',
  26: 'bt-translate',
  27: 'bt-cache-hit',
  28: 'bt-callout',
  29: 'bt-invalidate',
  30: 'timer-tick',
  31: 'dropped',
  32: 'sensitive-no-trap',
}

export function isEventKind(n: number): n is EventKind {
  return Object.prototype.hasOwnProperty.call(EVENT_KIND_NAMES, n)
}

/** Sensitive-but-unprivileged instructions (SensitiveNoTrap.reason). */
export const SensitiveInsn = {
  Sgdt: 1,
  Sidt: 2,
  Sldt: 3,
  Smsw: 4,
  Str: 5,
  Pushf: 6,
  Popf: 7,
  Lar: 8,
  Lsl: 9,
  Verr: 10,
  Verw: 11,
  PushSreg: 12,
  PopSreg: 13,
  MovFromSreg: 14,
  Iret: 15,
} as const
export type SensitiveInsn = (typeof SensitiveInsn)[keyof typeof SensitiveInsn]

/** Why a ring change happened (RingChange.reason). */
export const RingCause = {
  Interrupt: 1,
  Exception: 2,
  SoftwareInterrupt: 3,
  Iret: 4,
  FarCall: 5,
  FarReturn: 6,
  FarJump: 7,
  VmExit: 8,
  VmEntry: 9,
  Sysenter: 10,
  Sysexit: 11,
} as const
export type RingCause = (typeof RingCause)[keyof typeof RingCause]

/** Which reference of a page walk (PageWalk.reason): bits 3:0 level, bits 7:4 stage. */
export const WalkStep = {
  /** Guest (or native) 32-bit paging: level 2 = PDE, level 1 = PTE. */
  Guest: 0x00,
  /** EPT: level 4 = PML4E … level 1 = PTE. */
  Ept: 0x10,
} as const

/** Flow kinds (FlowBegin.reason): what started the causal chain. */
export const FlowKind = {
  VmExit: 1,
  Hypercall: 2,
  Interrupt: 3,
  Syscall: 4,
  Exception: 5,
  DeviceNotify: 6,
  Management: 7,
  PageTableUpdate: 8,
  Schedule: 9,
  BinaryTranslation: 10,
  /** A port or MMIO access reaching a device with no hypervisor on the path (bare metal, containers). */
  DeviceAccess: 11,
} as const
export type FlowKind = (typeof FlowKind)[keyof typeof FlowKind]

export const FLOW_KIND_NAMES: Readonly<Record<FlowKind, string>> = {
  1: 'vm-exit',
  2: 'hypercall',
  3: 'interrupt',
  4: 'syscall',
  5: 'exception',
  6: 'device-notify',
  7: 'management',
  8: 'page-table-update',
  9: 'schedule',
  10: 'binary-translation',
  11: 'device-access',
}

/** Why control or data moved on a hop (Hop.reason). */
export const HopCause = {
  Trap: 1,
  Return: 2,
  Call: 3,
  Signal: 4,
  Message: 5,
  Dma: 6,
  WorldSwitch: 7,
  Ioctl: 8,
  Syscall: 9,
  Upcall: 10,
  Rpc: 11,
} as const
export type HopCause = (typeof HopCause)[keyof typeof HopCause]

/** A decoded event, for tests, the CLI and the UI's detail views (the hot path never builds these). */
export interface TraceEvent {
  readonly seq: number
  readonly cycle: number
  readonly kind: EventKind
  readonly pcpu: number
  readonly vm: number
  readonly vcpu: number
  readonly reason: number
  readonly fromCtx: number
  readonly toCtx: number
  readonly from: number
  readonly to: number
  readonly cost: number
  readonly arg0: number
  readonly arg1: number
  readonly flow: number
  readonly arg2: number
}
