/**
 * VT-x on Ringside's CPU: VM entries, VMX non-root operation and VM exits (Intel SDM Vol. 3C chapters
 * 26–28), with EPT as the second translation stage (chapter 29). A hypervisor model attaches one per
 * vCPU — `cpu.vmx = new VmxCpu(cpu, vmcs)` — and then drives it the way KVM's `vcpu_enter_guest()` or
 * Xen's `vmx_do_resume()` drive the hardware:
 *
 * ```
 *   captureGuestState()            the vCPU's initial registers → VMCS guest-state area
 *   enter()                        VMLAUNCH/VMRESUME: checks, load guest state, inject an event
 *   cpu.run(...) → 'stop'          the guest ran until a VM exit (inRoot = true)
 *   vmcs.read(VM_EXIT_REASON) …    handle it: emulate(io), skipInstruction(), inject(…)
 *   enter()                        and so on
 * ```
 *
 * The hypervisor is TypeScript, not guest code, so "root operation" is the model's handler running
 * while the CPU runs nothing: the guest's general registers stay in `cpu.r` (they are not in the VMCS
 * on real hardware either) and everything else lives in the VMCS guest-state area between an exit and
 * the next entry. The CPU asks this class at each point where the SDM says non-root operation may exit
 * (cpu/vmx-seam.ts), and every guest-physical address goes through EPT when it is enabled, with the
 * result cached in the CPU's software TLB so that instructions that do not exit cost what they cost
 * on bare metal.
 */
import type { Cpu } from '../cpu/cpu'
import * as constants from '../cpu/constants'
import { SG_A16, SG_REG, Seg } from '../cpu/decoded'
import { ABORT } from '../cpu/fault'
import * as flags from '../cpu/flags'
import { deliverEvent } from '../cpu/interrupts'
import * as ops from '../cpu/ops'
import { VmxInsn, type IoRoute, type TrapSource, type VmxHooks } from '../cpu/vmx-seam'
import { contextCode } from '../privilege'
import type { Snapshottable, StateReader, StateWriter } from '../snapshot'
import * as schema from '../trace/schema'
import type { GuestPhys, HostPhys } from '../types'
import * as controls from './controls'
import { EPT_MISCONFIG, EPTP_ACCESSED_DIRTY, EptWalker } from './ept'
import * as exitReasons from './exit-reasons'
import * as interruptionInfo from './interruption-info'
import * as qualification from './qualification'
import * as entryChecks from './vm-entry-checks'
import { type Vmcs, vmcsSlot } from './vmcs'
import { VmcsField } from './vmcs-fields'
import { twoDimensionalWalk } from './two-dimensional-walk'

// Imported bindings copied once into module constants: loaders that present each import as a getter
// on an exports object (tsx, Vitest) would otherwise turn every use on the hot path into a call.
const { A_G, A_UNUSABLE, CR0_PE, CR0_PG, CR0_WP, CR4_PGE, CR4_PSE, HALT_NONE, HALT_STOP, HALT_WAIT, Vec } =
  constants
const {
  EXIT_ACK_INTR_ON_EXIT,
  EXIT_SAVE_PREEMPTION_TIMER,
  PIN_PREEMPTION_TIMER,
  PREEMPTION_TIMER_RATE,
  PROC_RDPMC_EXITING,
  PROC2_UNRESTRICTED_GUEST,
  descriptorTableExits,
  eptEnabled,
  exceptionExits,
  externalInterruptExits,
  hltExits,
  interruptWindowExitDue,
  invlpgExits,
  ioExits,
  lmswExits,
  movDrExits,
  movFromCr3Exits,
  movToCr0Exits,
  movToCr3Exits,
  movToCr4Exits,
  msrExits,
  pauseExits,
  rdtscExits,
  wbinvdExits,
  cltsExits,
  CR4_FIXED0,
  CR0_FIXED0,
} = controls
const { ExitReason, EXIT_REASON_BASIC_MASK } = exitReasons
const {
  INTR_INFO_DELIVER_ERROR_CODE,
  INTR_INFO_VALID,
  IntrType,
  encodeInterruptionInfo,
  injectionNeedsErrorCode,
  typeNeedsInstructionLength,
} = interruptionInfo
const {
  AddrSize,
  CrAccessType,
  EptQual,
  GdtrIdtrInsn,
  LdtrTrInsn,
  gdtrIdtrInfo,
  insOutsInfo,
  ldtrTrInfoMem,
  ldtrTrInfoReg,
  vmreadVmwriteInfoReg,
  vmxInsnInfoMem,
} = qualification
const { ActivityState, Interruptibility, checkVmEntry, recordEntryFailure } = entryChecks
const { IF } = flags
const { Op } = ops
const { EventKind, RingCause, WalkStep } = schema
const F = { ...VmcsField }

export interface VmxCpuOptions {
  /**
   * EPT tables are the model's: it builds them in host memory it reserved (`EptBuilder`) and writes
   * the EPT pointer; the CPU only walks what EPTP points to. The one option: how many iterations of
   * a REP string instruction {@link VmxCpu.emulate} performs in one call (default 65536; the rest
   * exits again, as the instruction is resumable).
   */
  readonly maxEmulatedRepetitions?: number
}

/** The device side of {@link VmxCpu.emulate}: where the emulated instruction's port and MMIO accesses go. */
export interface EmulatedIo {
  portIn(port: number, size: 1 | 2 | 4): number
  portOut(port: number, size: 1 | 2 | 4, value: number): void
  /** MMIO at a guest-physical address (accesses that faulted EPT as a violation or misconfiguration). */
  mmioRead(gpa: number, size: 1 | 2 | 4): number
  mmioWrite(gpa: number, size: 1 | 2 | 4, value: number): void
}

/**
 * What {@link VmxCpu.enter} reports. A failed entry is either VMfailValid (the instruction failed on a
 * control or host-state check: `vmfailValid` is the VM-instruction error, also in the VMCS) or a
 * failure after it started (invalid guest state: `exitReason` 0x80000021, recorded as an exit). `rule`
 * quotes the SDM rule that failed (vm-entry-checks.ts).
 */
export type VmEntryResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly vmfailValid?: number; readonly exitReason?: number; readonly rule: string }

/** A guest-linear address translated through the guest's paging and EPT. */
export interface GuestTranslation {
  readonly guestPhys: GuestPhys
  readonly hostPhys: HostPhys
}

/** Bits of the segment access rights the VMCS keeps (§25.4.1 Table 25-2); the CPU keeps limit 19:16 in bits 11:8. */
const AR_MASK = 0x1f0ff
/** TR as KVM's vmx_vcpu_reset() and the processor's reset state give it when no TSS was loaded: busy 32-bit TSS, limit FFFFH [R]. */
const TR_RESET_AR = 0x8b
/** Host-physical pages that stand for emulated MMIO while {@link VmxCpu.emulate} runs: above any RAM the CPU can have (≤ 3 GiB). */
const ALIAS_BASE = 0xfffe0000
const ALIAS_PAGES = 4

/** Storage slots of the guest-state fields a VM exit saves and a VM entry loads (SDM §25.4). */
const G = {
  CR0: vmcsSlot(F.GUEST_CR0),
  CR3: vmcsSlot(F.GUEST_CR3),
  CR4: vmcsSlot(F.GUEST_CR4),
  DR7: vmcsSlot(F.GUEST_DR7),
  RSP: vmcsSlot(F.GUEST_RSP),
  RIP: vmcsSlot(F.GUEST_RIP),
  RFLAGS: vmcsSlot(F.GUEST_RFLAGS),
  LDTR_SEL: vmcsSlot(F.GUEST_LDTR_SELECTOR),
  LDTR_BASE: vmcsSlot(F.GUEST_LDTR_BASE),
  LDTR_LIMIT: vmcsSlot(F.GUEST_LDTR_LIMIT),
  LDTR_AR: vmcsSlot(F.GUEST_LDTR_AR_BYTES),
  TR_SEL: vmcsSlot(F.GUEST_TR_SELECTOR),
  TR_BASE: vmcsSlot(F.GUEST_TR_BASE),
  TR_LIMIT: vmcsSlot(F.GUEST_TR_LIMIT),
  TR_AR: vmcsSlot(F.GUEST_TR_AR_BYTES),
  GDTR_BASE: vmcsSlot(F.GUEST_GDTR_BASE),
  GDTR_LIMIT: vmcsSlot(F.GUEST_GDTR_LIMIT),
  IDTR_BASE: vmcsSlot(F.GUEST_IDTR_BASE),
  IDTR_LIMIT: vmcsSlot(F.GUEST_IDTR_LIMIT),
  SYSENTER_CS: vmcsSlot(F.GUEST_SYSENTER_CS),
  SYSENTER_ESP: vmcsSlot(F.GUEST_SYSENTER_ESP),
  SYSENTER_EIP: vmcsSlot(F.GUEST_SYSENTER_EIP),
  INTERRUPTIBILITY: vmcsSlot(F.GUEST_INTERRUPTIBILITY_INFO),
  ACTIVITY: vmcsSlot(F.GUEST_ACTIVITY_STATE),
  SS_AR: vmcsSlot(F.GUEST_SS_AR_BYTES),
} as const
/** Per segment register ES CS SS DS FS GS: the slots of its selector, base, limit and access rights. */
const SEL_SLOTS = [
  F.GUEST_ES_SELECTOR,
  F.GUEST_CS_SELECTOR,
  F.GUEST_SS_SELECTOR,
  F.GUEST_DS_SELECTOR,
  F.GUEST_FS_SELECTOR,
  F.GUEST_GS_SELECTOR,
].map(vmcsSlot)
const BASE_SLOTS = [
  F.GUEST_ES_BASE,
  F.GUEST_CS_BASE,
  F.GUEST_SS_BASE,
  F.GUEST_DS_BASE,
  F.GUEST_FS_BASE,
  F.GUEST_GS_BASE,
].map(vmcsSlot)
const LIMIT_SLOTS = [
  F.GUEST_ES_LIMIT,
  F.GUEST_CS_LIMIT,
  F.GUEST_SS_LIMIT,
  F.GUEST_DS_LIMIT,
  F.GUEST_FS_LIMIT,
  F.GUEST_GS_LIMIT,
].map(vmcsSlot)
const AR_SLOTS = [
  F.GUEST_ES_AR_BYTES,
  F.GUEST_CS_AR_BYTES,
  F.GUEST_SS_AR_BYTES,
  F.GUEST_DS_AR_BYTES,
  F.GUEST_FS_AR_BYTES,
  F.GUEST_GS_AR_BYTES,
].map(vmcsSlot)

/** The CPU's hidden attributes from VMCS access rights and limit: bits 11:8 get the descriptor's limit 19:16 back. */
function cpuAttr(ar: number, limit: number): number {
  const raw = ar & A_G ? limit >>> 12 : limit >>> 0
  return (ar & AR_MASK) | (((raw >>> 16) & 0xf) << 8)
}

export class VmxCpu implements VmxHooks, Snapshottable {
  private root = true
  /** The cycle at which the VMX-preemption timer expires (Infinity when it is not active). */
  timerDeadline = Infinity
  private emulating = false
  private emulationFault = false
  private readonly maxRepetitions: number
  private readonly walker: EptWalker
  private readonly peeker: EptWalker
  private eptp = 0
  private eptAd = false
  /** The paging state the CPU's TLB was filled under (a VM entry flushes it when the model changed any of it). */
  private keyCr0 = 0
  private keyCr3 = 0
  private keyCr4 = 0
  private keyEptp = -1
  /** Emulation: guest-physical page (or -1) behind each alias page, and the linear page mapped to it. */
  private readonly aliasGpa = new Int32Array(ALIAS_PAGES).fill(-1)
  private readonly aliasVpn = new Int32Array(ALIAS_PAGES).fill(-1)
  private aliasNext = 0
  private io: EmulatedIo | null = null

  constructor(
    readonly cpu: Cpu,
    readonly vmcs: Vmcs,
    options: VmxCpuOptions = {},
  ) {
    this.maxRepetitions = options.maxEmulatedRepetitions ?? 65536
    this.walker = new EptWalker(cpu.mem)
    this.peeker = new EptWalker(cpu.mem)
    this.peeker.updateAccessedDirty = false
    // VMXON: the CPU is in VMX root operation until the first VM entry.
    cpu.vmxMode = 1
  }

  /** True from a VM exit until the next successful VM entry: the CPU is in VMX root operation and no guest instruction runs (cpu.run returns 'stop' at once). */
  get inRoot(): boolean {
    return this.root
  }

  // ------------------------------------------------------------------------------ guest state

  /**
   * Captures the CPU's current architectural state (as left by `Cpu.resetFlat` / the loader) into the
   * VMCS guest-state area, with VMCS-format access rights — how a model initialises a fresh vCPU (KVM's
   * vmx_vcpu_reset + the set_regs/set_sregs ioctls). Also sets what every entry needs: the VMCS link
   * pointer to all ones, no pending debug exceptions, and a usable TR (a busy TSS at 0, limit FFFFH,
   * when the guest has loaded none yet). CR0 and CR4 are captured as they are; {@link setGuestCr0} and
   * {@link setGuestCr4} add what VMX requires while keeping the guest's view.
   */
  captureGuestState(): void {
    const c = this.cpu
    const v = this.vmcs
    this.saveGuestState(c.eip)
    if (c.trAttr & A_UNUSABLE) {
      v.write(F.GUEST_TR_SELECTOR, 0)
      v.write(F.GUEST_TR_BASE, 0)
      v.write(F.GUEST_TR_LIMIT, 0xffff)
      v.write(F.GUEST_TR_AR_BYTES, TR_RESET_AR)
    }
    v.write64(F.VMCS_LINK_POINTER, 0xffffffff, 0xffffffff)
    v.write(F.GUEST_PENDING_DBG_EXCEPTIONS, 0)
    v.write64(F.GUEST_IA32_DEBUGCTL, 0, 0)
  }

  /**
   * Sets the guest's CR0 as KVM's vmx_set_cr0() does: the guest sees `value` (read shadow), the
   * hardware value gets the bits VMX fixes to 1 (NE; PE and PG too without unrestricted guest), and
   * those bits become host-owned in the CR0 guest/host mask, so the guest never notices them.
   */
  setGuestCr0(value: number): void {
    const v = this.vmcs
    const fixed =
      (v.procControls2 & PROC2_UNRESTRICTED_GUEST ? CR0_FIXED0 & ~(CR0_PE | CR0_PG) : CR0_FIXED0) >>> 0
    v.write(F.CR0_READ_SHADOW, value >>> 0)
    v.write(F.CR0_GUEST_HOST_MASK, (v.cr0Mask | fixed) >>> 0)
    v.write(F.GUEST_CR0, (value | fixed) >>> 0)
  }

  /** Sets the guest's CR4 as KVM's vmx_set_cr4() does: VMXE forced on in the hardware value, owned by the host and hidden by the read shadow. */
  setGuestCr4(value: number): void {
    const v = this.vmcs
    v.write(F.CR4_READ_SHADOW, value >>> 0)
    v.write(F.CR4_GUEST_HOST_MASK, (v.cr4Mask | CR4_FIXED0) >>> 0)
    v.write(F.GUEST_CR4, (value | CR4_FIXED0) >>> 0)
  }

  /** VMCS guest-state area ← the CPU (what a VM exit saves, SDM §28.3). */
  private saveGuestState(rip: number): void {
    const c = this.cpu
    const v = this.vmcs
    v.writeSlot(G.CR0, c.cr0 >>> 0)
    v.writeSlot(G.CR3, c.cr3 >>> 0)
    v.writeSlot(G.CR4, c.cr4 >>> 0)
    v.writeSlot(G.DR7, c.dr[7] >>> 0)
    v.writeSlot(G.RSP, c.r[4] >>> 0)
    v.writeSlot(G.RIP, rip >>> 0)
    v.writeSlot(G.RFLAGS, c.eflags)
    for (let s = 0; s < 6; s++) {
      v.writeSlot(SEL_SLOTS[s], c.sel[s] & 0xffff)
      v.writeSlot(BASE_SLOTS[s], c.base[s] >>> 0)
      v.writeSlot(LIMIT_SLOTS[s], c.limit[s] >>> 0)
      v.writeSlot(AR_SLOTS[s], c.attr[s] & AR_MASK)
    }
    v.writeSlot(G.LDTR_SEL, c.ldtSel & 0xffff)
    v.writeSlot(G.LDTR_BASE, c.ldtBase >>> 0)
    v.writeSlot(G.LDTR_LIMIT, c.ldtLimit >>> 0)
    v.writeSlot(G.LDTR_AR, c.ldtAttr & AR_MASK)
    v.writeSlot(G.TR_SEL, c.trSel & 0xffff)
    v.writeSlot(G.TR_BASE, c.trBase >>> 0)
    v.writeSlot(G.TR_LIMIT, c.trLimit >>> 0)
    v.writeSlot(G.TR_AR, c.trAttr & AR_MASK)
    v.writeSlot(G.GDTR_BASE, c.gdtBase >>> 0)
    v.writeSlot(G.GDTR_LIMIT, c.gdtLimit & 0xffff)
    v.writeSlot(G.IDTR_BASE, c.idtBase >>> 0)
    v.writeSlot(G.IDTR_LIMIT, c.idtLimit & 0xffff)
    v.writeSlot(G.SYSENTER_CS, c.sysenterCs & 0xffff)
    v.writeSlot(G.SYSENTER_ESP, c.sysenterEsp >>> 0)
    v.writeSlot(G.SYSENTER_EIP, c.sysenterEip >>> 0)
    // An exit caused by the instruction in an STI or MOV-SS shadow saves that blocking (§28.3.4).
    const shadow = c.shadow !== 0 ? c.shadow : c.insnShadow
    v.writeSlot(
      G.INTERRUPTIBILITY,
      shadow === 1 ? Interruptibility.STI : shadow === 2 ? Interruptibility.MOV_SS : 0,
    )
    v.writeSlot(G.ACTIVITY, c.halted !== HALT_NONE ? ActivityState.Hlt : ActivityState.Active)
  }

  /** The CPU ← VMCS guest-state area (what a VM entry loads, SDM §27.3.2); emits no event. */
  private loadGuestState(): void {
    const c = this.cpu
    const v = this.vmcs
    c.cr0 = v.readSlot(G.CR0) | 0
    c.cr3 = v.readSlot(G.CR3) | 0
    c.cr4 = v.readSlot(G.CR4) | 0
    c.dr[7] = v.readSlot(G.DR7) | 0
    c.r[4] = v.readSlot(G.RSP) | 0
    c.eip = v.readSlot(G.RIP) | 0
    c.setEflags(v.readSlot(G.RFLAGS))
    for (let s = 0; s < 6; s++) {
      c.sel[s] = v.readSlot(SEL_SLOTS[s])
      c.base[s] = v.readSlot(BASE_SLOTS[s]) | 0
      c.limit[s] = v.readSlot(LIMIT_SLOTS[s]) | 0
      c.attr[s] = cpuAttr(v.readSlot(AR_SLOTS[s]), v.readSlot(LIMIT_SLOTS[s]))
    }
    c.ldtSel = v.readSlot(G.LDTR_SEL)
    c.ldtBase = v.readSlot(G.LDTR_BASE) | 0
    c.ldtLimit = v.readSlot(G.LDTR_LIMIT) | 0
    c.ldtAttr = cpuAttr(v.readSlot(G.LDTR_AR), v.readSlot(G.LDTR_LIMIT))
    c.trSel = v.readSlot(G.TR_SEL)
    c.trBase = v.readSlot(G.TR_BASE) | 0
    c.trLimit = v.readSlot(G.TR_LIMIT) | 0
    c.trAttr = cpuAttr(v.readSlot(G.TR_AR), v.readSlot(G.TR_LIMIT))
    c.gdtBase = v.readSlot(G.GDTR_BASE) | 0
    c.gdtLimit = v.readSlot(G.GDTR_LIMIT)
    c.idtBase = v.readSlot(G.IDTR_BASE) | 0
    c.idtLimit = v.readSlot(G.IDTR_LIMIT)
    c.sysenterCs = v.readSlot(G.SYSENTER_CS)
    c.sysenterEsp = v.readSlot(G.SYSENTER_ESP) | 0
    c.sysenterEip = v.readSlot(G.SYSENTER_EIP) | 0
    // The CPL is SS.DPL (SDM §27.3.2.2 and the SS.DPL checks of §27.3.1.2).
    c.cpl = (v.readSlot(G.SS_AR) >>> 5) & 3
    const intr = v.readSlot(G.INTERRUPTIBILITY)
    c.shadow = intr & Interruptibility.STI ? 1 : intr & Interruptibility.MOV_SS ? 2 : 0
    c.halted =
      v.readSlot(G.ACTIVITY) === ActivityState.Hlt ? ((c.fl & IF) !== 0 ? HALT_WAIT : HALT_STOP) : HALT_NONE
    c.shutdown = false
    c.updateSegSlow()
    c.updateMasks()
    c.brk = 1
    this.useSecondStage()
    // Without VPID a VM entry would flush all linear and combined mappings (SDM §29.4.3.1); Ringside
    // keeps them while the paging state they came from is unchanged, as with VPID [R].
    const pagingBits = CR0_PG | CR0_WP | CR0_PE
    if (
      this.eptp !== this.keyEptp ||
      ((c.cr0 ^ this.keyCr0) & pagingBits) !== 0 ||
      c.cr3 !== this.keyCr3 ||
      ((c.cr4 ^ this.keyCr4) & (CR4_PSE | CR4_PGE)) !== 0
    ) {
      c.flushTlb(true)
    }
    this.rememberPaging()
  }

  /** Points the CPU's second translation stage at this VMCS's EPT, or none. */
  private useSecondStage(): void {
    const c = this.cpu
    const v = this.vmcs
    const ept = eptEnabled(v)
    this.eptp = ept ? v.eptp : -1
    this.eptAd = ept && (v.eptp & EPTP_ACCESSED_DIRTY) !== 0
    c.guestPhysToHost = ept ? this.secondStage : null
    c.guestPhysPeek = ept ? this.peek : null
  }

  private rememberPaging(): void {
    const c = this.cpu
    this.keyCr0 = c.cr0
    this.keyCr3 = c.cr3
    this.keyCr4 = c.cr4
    this.keyEptp = this.eptp
  }

  /**
   * After the model edited EPT entries a CPU may have cached (permissions reduced, a page unmapped or
   * moved): drops every cached translation, as INVEPT does (SDM §29.4.3.1).
   */
  flushTranslations(): void {
    this.cpu.flushTlb(true)
  }

  // ------------------------------------------------------------------------------ VM entry

  /**
   * VMLAUNCH if the VMCS is clear, else VMRESUME (SDM chapter 27): the checks of vm-entry-checks.ts,
   * load guest state, switch to non-root, deliver the VM-entry interruption-information event through
   * the guest IDT (with its error code, or with the VM-entry instruction length for software
   * interrupts and exceptions), honour the activity and interruptibility state, arm the preemption
   * timer, and emit VmEntry, RingChange and Injection events. An exit during the delivery of the
   * injected event (exception bitmap, EPT) leaves the CPU in root again, with the entry successful.
   */
  enter(): VmEntryResult {
    if (!this.root) throw new Error('VmxCpu.enter: the vCPU is already in VMX non-root operation')
    const c = this.cpu
    const v = this.vmcs
    const resume = v.launched
    const r = checkVmEntry(v, resume ? 'resume' : 'launch')
    if (!r.ok) {
      recordEntryFailure(v, r)
      if (r.kind === 'fail-valid') return { ok: false, vmfailValid: r.error, rule: r.check }
      c.syncClock()
      c.sink.emit(
        EventKind.VmExit,
        r.exitReason & EXIT_REASON_BASIC_MASK,
        r.qualification,
        v.read(F.GUEST_RIP),
        0,
      )
      return { ok: false, exitReason: r.exitReason, rule: r.check }
    }
    v.launched = true
    this.loadGuestState()
    this.root = false
    c.vmxMode = 2
    const rip = c.eip
    c.syncClock()
    c.sink.emit(EventKind.VmEntry, resume ? 1 : 0, rip >>> 0)
    c.sink.emit(
      EventKind.RingChange,
      RingCause.VmEntry,
      rip >>> 0,
      v.read(F.HOST_RIP),
      0,
      contextCode(1, 0),
      contextCode(2, c.cpl),
    )
    this.timerDeadline =
      v.pinControls & PIN_PREEMPTION_TIMER
        ? c.clock.cycles + v.read(F.VMX_PREEMPTION_TIMER_VALUE) * 2 ** PREEMPTION_TIMER_RATE
        : Infinity
    const info = v.read(F.VM_ENTRY_INTR_INFO_FIELD)
    if (info & INTR_INFO_VALID) {
      // Event injection (§27.6): delivered as if it had just happened, after the guest state is in place.
      const vector = info & 0xff
      const type = (info >>> 8) & 7
      const error = info & INTR_INFO_DELIVER_ERROR_CODE ? v.read(F.VM_ENTRY_EXCEPTION_ERROR_CODE) : -1
      const length = typeNeedsInstructionLength(type) ? v.read(F.VM_ENTRY_INSTRUCTION_LEN) : 0
      v.write(F.VM_ENTRY_INTR_INFO_FIELD, info & ~INTR_INFO_VALID)
      c.halted = HALT_NONE
      c.sink.emit(EventKind.Injection, vector, info, error >>> 0)
      deliverEvent(c, vector, type, error, length)
    }
    return { ok: true }
  }

  // ------------------------------------------------------------------------------ VM exits

  /** VM-exit information for an exit being recorded; the rest of the exit is {@link finishExit}. */
  private beginExit(reason: number, qualification: number): void {
    this.vmcs.recordExit(reason, qualification >>> 0)
  }

  /**
   * Completes a VM exit (SDM §28.2–28.3): IDT-vectoring information when the exit interrupted an event
   * delivery, the preemption-timer value, guest state saved with RIP = `rip`, then VMX root operation
   * and the VmExit, RingChange (and for EPT exits EptFault) events.
   */
  private finishExit(rip: number): void {
    const c = this.cpu
    const v = this.vmcs
    c.syncClock()
    if (c.vecInfo !== 0) {
      v.write(F.IDT_VECTORING_INFO_FIELD, c.vecInfo)
      if (c.vecInfo & INTR_INFO_DELIVER_ERROR_CODE) v.write(F.IDT_VECTORING_ERROR_CODE, c.vecError >>> 0)
      if (typeNeedsInstructionLength((c.vecInfo >>> 8) & 7)) v.write(F.VM_EXIT_INSTRUCTION_LEN, c.vecLength)
      c.vecInfo = 0
    }
    if (v.exitControls & EXIT_SAVE_PREEMPTION_TIMER) {
      const left = Math.max(0, Math.ceil((this.timerDeadline - c.clock.cycles) / 2 ** PREEMPTION_TIMER_RATE))
      v.write(F.VMX_PREEMPTION_TIMER_VALUE, Number.isFinite(left) ? left : 0)
    }
    this.saveGuestState(rip)
    this.rememberPaging()
    const cpl = c.cpl
    this.root = true
    this.timerDeadline = Infinity
    c.vmxMode = 1
    c.cpl = 0
    c.halted = HALT_NONE
    c.shadow = 0
    c.eip = rip
    c.updateMasks()
    c.brk = 1
    const reason = v.read(F.VM_EXIT_REASON) & EXIT_REASON_BASIC_MASK
    const qual = v.read(F.EXIT_QUALIFICATION)
    c.sink.emit(EventKind.VmExit, reason, qual, rip >>> 0, v.read(F.VM_EXIT_INSTRUCTION_LEN))
    c.sink.emit(
      EventKind.RingChange,
      RingCause.VmExit,
      v.read(F.HOST_RIP),
      rip >>> 0,
      0,
      contextCode(2, cpl),
      contextCode(1, 0),
    )
    if (reason === ExitReason.EPT_VIOLATION || reason === ExitReason.EPT_MISCONFIG) {
      c.sink.emit(
        EventKind.EptFault,
        reason,
        v.read(F.GUEST_PHYSICAL_ADDRESS),
        qual,
        v.read(F.GUEST_LINEAR_ADDRESS),
      )
    }
  }

  /**
   * A VM exit caused from outside the guest — a physical interrupt arriving while the guest runs
   * (reason 1, external interrupt; with "acknowledge interrupt on exit" the pending vector is taken
   * and reported), the preemption timer — recorded exactly as the CPU records its own exits. Only
   * valid in non-root operation at an instruction boundary (between runs).
   */
  forceExit(reason: number, qualification = 0): void {
    if (this.root) throw new Error('VmxCpu.forceExit: the vCPU is in VMX root operation')
    this.eventExit(reason, qualification)
  }

  /** An exit at an instruction boundary (no instruction length; RIP is the next instruction). */
  private eventExit(reason: number, qualification: number): void {
    const c = this.cpu
    this.beginExit(reason, qualification)
    if (
      reason === ExitReason.EXTERNAL_INTERRUPT &&
      this.vmcs.exitControls & EXIT_ACK_INTR_ON_EXIT &&
      c.pendingExternal()
    ) {
      this.vmcs.write(
        F.VM_EXIT_INTR_INFO,
        encodeInterruptionInfo(c.takeExternal(), IntrType.ExternalInterrupt),
      )
    }
    this.finishExit(c.eip)
  }

  /**
   * Guest RIP += VM-exit instruction length (KVM kvm_skip_emulated_instruction / Xen
   * update_guest_eip), also clearing STI/MOV-SS blocking as the SDM says for a completed instruction.
   */
  skipInstruction(): void {
    const v = this.vmcs
    v.write(F.GUEST_RIP, (v.read(F.GUEST_RIP) + v.read(F.VM_EXIT_INSTRUCTION_LEN)) >>> 0)
    v.write(
      F.GUEST_INTERRUPTIBILITY_INFO,
      v.read(F.GUEST_INTERRUPTIBILITY_INFO) & ~(Interruptibility.STI | Interruptibility.MOV_SS),
    )
  }

  /**
   * Writes the event the next VM entry injects (SDM §25.8.3): `type` from {@link IntrType}, the error
   * code for hardware exceptions that have one (-1: none), the instruction length for software
   * interrupts and exceptions. What KVM's vmx_inject_irq() / vmx_inject_exception() write.
   */
  inject(vector: number, type: interruptionInfo.IntrType, errorCode = -1, length = 0): void {
    const v = this.vmcs
    v.write(F.VM_ENTRY_INTR_INFO_FIELD, encodeInterruptionInfo(vector, type, errorCode >= 0))
    if (errorCode >= 0) v.write(F.VM_ENTRY_EXCEPTION_ERROR_CODE, errorCode)
    if (typeNeedsInstructionLength(type)) v.write(F.VM_ENTRY_INSTRUCTION_LEN, length)
  }

  // ------------------------------------------------------------------------------ the CPU's questions (VmxHooks)

  /** {@link VmxHooks.instruction}: the exit decisions of controls.ts for an instruction that passed its fault checks. */
  instruction(reason: number, qualification: number, slot: number): boolean {
    if (this.emulating) return false
    const c = this.cpu
    const v = this.vmcs
    let exits: boolean
    switch (reason) {
      case ExitReason.HLT:
        exits = hltExits(v)
        break
      case ExitReason.INVLPG:
        exits = invlpgExits(v)
        break
      case ExitReason.RDTSC:
        exits = rdtscExits(v)
        break
      case ExitReason.RDPMC:
        exits = (v.procControls & PROC_RDPMC_EXITING) !== 0
        break
      case ExitReason.PAUSE:
        exits = pauseExits(v)
        break
      case ExitReason.WBINVD:
        exits = wbinvdExits(v)
        break
      case ExitReason.DR_ACCESS:
        exits = movDrExits(v)
        break
      case ExitReason.GDTR_IDTR:
      case ExitReason.LDTR_TR:
        exits = descriptorTableExits(v)
        break
      case ExitReason.IO_INSTRUCTION:
        exits = ioExits(v, c.mem, qualification >>> 16, ((qualification & 7) + 1) as 1 | 2 | 4)
        break
      case ExitReason.MSR_READ:
      case ExitReason.MSR_WRITE:
        exits = msrExits(v, c.mem, c.r[1], reason === ExitReason.MSR_WRITE)
        break
      case ExitReason.CR_ACCESS:
        exits = this.crAccessExits(qualification)
        break
      default:
        // CPUID, INVD, GETSEC, XSETBV and the VMX instructions exit unconditionally (§26.1.2).
        exits = true
        break
    }
    if (!exits) return false
    this.instructionExit(reason, qualification, slot)
    return true
  }

  /** Control-register accesses (§26.1.3): MOV to CR0/CR3/CR4, MOV from CR3, CLTS, LMSW. */
  private crAccessExits(q: number): boolean {
    const v = this.vmcs
    const cr = q & 0xf
    const value = this.cpu.r[(q >>> 8) & 0xf]
    switch ((q >>> 4) & 3) {
      case CrAccessType.MovToCr:
        return cr === 0
          ? movToCr0Exits(v, value)
          : cr === 3
            ? movToCr3Exits(v, value)
            : cr === 4
              ? movToCr4Exits(v, value)
              : false
      case CrAccessType.MovFromCr:
        return cr === 3 && movFromCr3Exits(v)
      case CrAccessType.Clts:
        return cltsExits(v)
      default:
        return lmswExits(v, q >>> 16)
    }
  }

  /**
   * Records an instruction exit (§28.2.1, §28.2.5): the instruction length, and for INS/OUTS, the
   * descriptor-table and the VMX instructions the instruction information (their qualification is
   * the memory operand's displacement) and for INS/OUTS the guest-linear address of the operand.
   */
  private instructionExit(reason: number, qualification: number, slot: number): void {
    const c = this.cpu
    const d = c.dec
    const v = this.vmcs
    const sg = d.sg[slot]
    const memory = (sg & SG_REG) === 0
    const addr = sg & SG_A16 ? AddrSize.Bits16 : AddrSize.Bits32
    const index = d.ix[slot] === 8 ? -1 : d.ix[slot]
    const base = d.r2[slot] === 8 ? -1 : d.r2[slot]
    let q = qualification
    let info = 0
    let linear = -1
    switch (reason) {
      case ExitReason.IO_INSTRUCTION:
        if (q & 0x10) {
          const isIn = (q & 8) !== 0
          const seg = isIn ? Seg.ES : sg & 7
          const off = isIn ? (sg & SG_A16 ? c.r16[14] : c.r[7]) : sg & SG_A16 ? c.r16[12] : c.r[6]
          info = insOutsInfo(addr, seg)
          linear = (c.base[seg] + off) | 0
        }
        break
      case ExitReason.GDTR_IDTR: {
        const op = d.op[slot]
        const insn =
          op === Op.Sgdt
            ? GdtrIdtrInsn.Sgdt
            : op === Op.Sidt
              ? GdtrIdtrInsn.Sidt
              : op === Op.Lgdt
                ? GdtrIdtrInsn.Lgdt
                : GdtrIdtrInsn.Lidt
        info = gdtrIdtrInfo(insn, d.sz[slot] === 4, d.sc[slot], addr, sg & 7, index, base)
        q = d.disp[slot]
        break
      }
      case ExitReason.LDTR_TR: {
        const op = d.op[slot]
        const insn =
          op === Op.Sldt
            ? LdtrTrInsn.Sldt
            : op === Op.Str
              ? LdtrTrInsn.Str
              : op === Op.Lldt
                ? LdtrTrInsn.Lldt
                : LdtrTrInsn.Ltr
        info = memory
          ? ldtrTrInfoMem(insn, d.sc[slot], addr, sg & 7, index, base)
          : ldtrTrInfoReg(insn, d.r2[slot])
        q = memory ? d.disp[slot] : 0
        break
      }
      default:
        if (d.op[slot] === Op.Vmx) {
          const kind = d.ext[slot]
          if (kind === VmxInsn.Vmread || kind === VmxInsn.Vmwrite) {
            info = memory
              ? vmxInsnInfoMem(d.sc[slot], addr, sg & 7, index, base, d.r1[slot])
              : vmreadVmwriteInfoReg(d.r2[slot], d.r1[slot])
            q = memory ? d.disp[slot] : 0
          } else if (kind >= VmxInsn.Vmptrld) {
            // Bits 31:28 name the register holding the type only for INVEPT and INVVPID (Table 28-13).
            const reg2 = kind === VmxInsn.Invept || kind === VmxInsn.Invvpid ? d.r1[slot] : 0
            info = vmxInsnInfoMem(d.sc[slot], addr, sg & 7, index, base, reg2)
            q = d.disp[slot]
          }
        }
        break
    }
    this.beginExit(reason, q)
    v.write(F.VM_EXIT_INSTRUCTION_LEN, d.len[slot])
    if (info !== 0) v.write(F.VMX_INSTRUCTION_INFO, info >>> 0)
    if (linear !== -1) v.write(F.GUEST_LINEAR_ADDRESS, linear >>> 0)
    this.finishExit(c.eip)
  }

  /**
   * {@link VmxHooks.exception}: exit 0 when the exception bitmap (and for #PF the error-code mask and
   * match) selects the vector (§26.2). The exit reports the event in the VM-exit interruption
   * information; a #PF's qualification is its linear address and CR2 is not written (§28.1); a #DB's
   * the DR6 bits B3:B0 and BS. INT3, INTO (software exceptions) and INT1 (privileged software
   * exception) report their instruction length. While {@link emulate} runs, an exception is not
   * delivered: it becomes the event the next VM entry injects, as KVM's emulator queues it.
   */
  exception(vector: number, errorCode: number, source: TrapSource, length: number): boolean {
    const c = this.cpu
    const v = this.vmcs
    const type =
      source === 'exception'
        ? vector === Vec.NMI
          ? IntrType.Nmi
          : IntrType.HardwareException
        : vector === Vec.DB
          ? IntrType.PrivilegedSoftwareException
          : IntrType.SoftwareException
    if (this.emulating) {
      const code =
        errorCode >= 0 && injectionNeedsErrorCode(type, vector, (c.cr0 & CR0_PE) !== 0) ? errorCode : -1
      this.inject(vector, type, code, length)
      // KVM delivers a #PF's address into CR2 when it injects the fault (kvm_deliver_exception_payload).
      if (vector === Vec.PF) c.cr2 = c.excAddr
      this.emulationFault = true
      return true
    }
    if (vector > 31 || !exceptionExits(v, vector, errorCode)) return false
    const qual = vector === Vec.PF ? c.excAddr : vector === Vec.DB ? c.dr[6] & 0x400f : 0
    this.beginExit(ExitReason.EXCEPTION_NMI, qual)
    v.write(F.VM_EXIT_INTR_INFO, encodeInterruptionInfo(vector, type, errorCode >= 0))
    if (errorCode >= 0) v.write(F.VM_EXIT_INTR_ERROR_CODE, errorCode >>> 0)
    if (typeNeedsInstructionLength(type)) v.write(F.VM_EXIT_INSTRUCTION_LEN, length)
    this.finishExit(c.eip)
    return true
  }

  /** {@link VmxHooks.boundary}: the preemption timer (52), the interrupt window (7), external interrupts (1). */
  boundary(): boolean {
    if (this.emulating) return false
    const c = this.cpu
    const v = this.vmcs
    if (c.clock.cycles >= this.timerDeadline) {
      this.eventExit(ExitReason.PREEMPTION_TIMER, 0)
      return true
    }
    const blocked = c.shadow !== 0
    if (interruptWindowExitDue(v, (c.fl & IF) !== 0, blocked)) {
      this.eventExit(ExitReason.INTERRUPT_WINDOW, 0)
      return true
    }
    if (externalInterruptExits(v) && !blocked && c.pendingExternal()) {
      this.eventExit(ExitReason.EXTERNAL_INTERRUPT, 0)
      return true
    }
    return false
  }

  /** {@link VmxHooks.tripleFault}: a triple fault in non-root operation is exit 2, not a shutdown (§26.2). */
  tripleFault(): boolean {
    if (this.emulating) return false
    this.eventExit(ExitReason.TRIPLE_FAULT, 0)
    return true
  }

  // ------------------------------------------------------------------------------ EPT

  /**
   * The CPU's second translation stage (`Cpu.guestPhysToHost`): an EPT walk (§29.3.2), reporting each
   * EPT entry read as a PageWalk event when walks are traced. A violation exits with reason 48 and
   * the qualification of Table 28-7, a misconfiguration with 49; both record the guest-physical
   * address, and the guest-linear address where the access had one. RIP is the instruction, or for
   * an instruction fetch or an event delivery the EIP being fetched or delivered to.
   */
  private readonly secondStage = (gpa: number, access: number, lin: number, fetching: boolean): number => {
    const c = this.cpu
    const hpa = this.walker.translate(
      this.eptp,
      gpa,
      access,
      c.traceWalks && c.sink.enabled ? this.traceEptRef(lin) : null,
    )
    if (hpa >= 0) {
      // With EPT A/D flags a read leaves the dirty flag clear: the TLB entry must not let a write
      // through without a new walk that sets it (§29.3.5).
      c.xlatPerms =
        this.eptAd && (access & EptQual.WRITE) === 0 ? this.walker.permissions & ~2 : this.walker.permissions
      return hpa
    }
    if (this.emulating && (access & EptQual.TRANSLATION) !== 0) return this.mmioAlias(gpa, lin)
    const misconfig = hpa === EPT_MISCONFIG
    this.beginExit(
      misconfig ? ExitReason.EPT_MISCONFIG : ExitReason.EPT_VIOLATION,
      misconfig ? 0 : this.walker.qualification,
    )
    this.vmcs.write64(F.GUEST_PHYSICAL_ADDRESS, gpa >>> 0, 0)
    if (!misconfig && access & EptQual.LINEAR_VALID) this.vmcs.write(F.GUEST_LINEAR_ADDRESS, lin >>> 0)
    this.finishExit(fetching || c.vecInfo !== 0 ? c.eip : c.insnEip())
    throw ABORT
  }

  private traceLinear = 0
  private readonly onEptRef = (level: number, hostPhys: number, entryLo: number): void => {
    this.cpu.sink.emit(
      EventKind.PageWalk,
      WalkStep.Ept | level,
      hostPhys >>> 0,
      entryLo >>> 0,
      this.traceLinear >>> 0,
    )
  }
  private traceEptRef(lin: number): (level: number, hostPhys: number, entryLo: number) => void {
    this.traceLinear = lin
    return this.onEptRef
  }

  /** The side-effect-free second stage for the inspector's walk (`Cpu.guestPhysPeek`). */
  private readonly peek = (gpa: number): number => this.peeker.translate(this.eptp, gpa, EptQual.READ, null)

  /**
   * While emulating: an access to a guest-physical page EPT does not map as RAM gets a host address
   * on an alias page above RAM, so the CPU sends it to the MMIO path, where {@link emulate}'s route
   * hands it to the model with its guest-physical address.
   */
  private mmioAlias(gpa: number, lin: number): number {
    const k = this.aliasNext
    this.aliasNext = (k + 1) % ALIAS_PAGES
    if (this.aliasVpn[k] >= 0) this.cpu.invlpg(this.aliasVpn[k] << 12)
    this.aliasGpa[k] = gpa >>> 12
    this.aliasVpn[k] = lin >>> 12
    this.cpu.xlatPerms = 3
    return ALIAS_BASE + k * 0x1000 + (gpa & 0xfff)
  }

  private aliasToGpa(hostPhys: number): number {
    const k = (hostPhys - ALIAS_BASE) >>> 12
    return k < ALIAS_PAGES && this.aliasGpa[k] >= 0
      ? ((this.aliasGpa[k] << 12) | (hostPhys & 0xfff)) >>> 0
      : -1
  }

  private readonly route: IoRoute = {
    portIn: (port, size) => this.io!.portIn(port, size),
    portOut: (port, size, value) => this.io!.portOut(port, size, value),
    mmioRead: (hostPhys, size) => {
      const gpa = this.aliasToGpa(hostPhys)
      return gpa >= 0 ? this.io!.mmioRead(gpa, size) : this.cpu.mmio.read(hostPhys, size)
    },
    mmioWrite: (hostPhys, size, value) => {
      const gpa = this.aliasToGpa(hostPhys)
      if (gpa >= 0) this.io!.mmioWrite(gpa, size, value)
      else this.cpu.mmio.write(hostPhys, size, value)
    },
  }

  // ------------------------------------------------------------------------------ emulation

  /**
   * Emulates the guest instruction at guest RIP once, in guest context (guest CPL, guest paging and
   * EPT for its memory operands), with every port access and every access to a guest-physical address
   * that is not RAM (EPT violation or misconfiguration) routed to `io`, then advances guest RIP —
   * KVM's x86 emulator for exits 30, 48 and 49. The CPU's own instruction semantics do the work, so
   * every instruction can be emulated: IN/OUT/INS/OUTS with REP (the whole repetition, as KVM does for
   * string PIO), the MOV/ALU/MOVZX/TEST forms a driver uses on device registers, and the others
   * (CPUID, RDMSR, MOV CR…) with their bare-metal behaviour; no VM exit happens during it. Cycles and
   * retired instructions count as on bare metal. Returns 'done', or 'fault' when the instruction
   * raised a guest exception (then pending for the next entry, as the real emulator injects it).
   * Instruction fetches from non-RAM are not emulated (the bytes read as FFh).
   */
  emulate(io: EmulatedIo): 'done' | 'fault' {
    if (!this.root) throw new Error('VmxCpu.emulate: only in VMX root operation, after a VM exit')
    const c = this.cpu
    this.loadGuestState()
    this.emulating = true
    this.emulationFault = false
    this.io = io
    c.ioRoute = this.route
    try {
      c.executeOne(this.maxRepetitions)
    } finally {
      c.ioRoute = null
      this.io = null
      this.emulating = false
      for (let k = 0; k < ALIAS_PAGES; k++) {
        if (this.aliasVpn[k] >= 0) c.invlpg(this.aliasVpn[k] << 12)
        this.aliasVpn[k] = -1
        this.aliasGpa[k] = -1
      }
    }
    this.saveGuestState(c.eip)
    this.rememberPaging()
    c.cpl = 0
    c.halted = HALT_NONE
    c.shadow = 0
    c.updateMasks()
    return this.emulationFault ? 'fault' : 'done'
  }

  // ------------------------------------------------------------------------------ guest state for handlers

  /** Guest RIP (EIP) in the VMCS. */
  get guestRip(): number {
    return this.vmcs.read(F.GUEST_RIP)
  }
  set guestRip(value: number) {
    this.vmcs.write(F.GUEST_RIP, value >>> 0)
  }

  /** Guest RFLAGS (EFLAGS) in the VMCS. */
  get guestRflags(): number {
    return this.vmcs.read(F.GUEST_RFLAGS)
  }

  /** The guest's CPL: SS.DPL in the guest-state area. */
  get guestCpl(): number {
    return (this.vmcs.read(F.GUEST_SS_AR_BYTES) >>> 5) & 3
  }

  /** Whether an external interrupt injected now would be accepted: RFLAGS.IF = 1 and no STI/MOV-SS blocking (§27.3.1.4–5). */
  get guestInterruptible(): boolean {
    return (
      (this.guestRflags & IF) !== 0 &&
      (this.vmcs.read(F.GUEST_INTERRUPTIBILITY_INFO) & (Interruptibility.STI | Interruptibility.MOV_SS)) === 0
    )
  }

  /**
   * Translates a guest-linear address through the guest's paging (CR0, CR3, CR4 of the guest-state
   * area) and, when enabled, EPT — without accessed/dirty updates, events or exits. Null when the
   * guest's tables or EPT do not map it (or it is not RAM).
   */
  translateGuest(linear: number, access: 'read' | 'write' | 'fetch' = 'read'): GuestTranslation | null {
    const v = this.vmcs
    const mem = this.cpu.mem
    const regs = { cr0: v.read(F.GUEST_CR0), cr3: v.read(F.GUEST_CR3), cr4: v.read(F.GUEST_CR4) }
    if (eptEnabled(v)) {
      const w = twoDimensionalWalk(mem, v.eptp, regs, (linear >>> 0) as never, access)
      return w.outcome === 'ok' && w.hostPhys !== null && w.hostPhys < mem.size
        ? { guestPhys: w.guestPhys as GuestPhys, hostPhys: w.hostPhys }
        : null
    }
    const gpa = guestPhysOf(mem, regs, linear >>> 0)
    return gpa !== null && gpa < mem.size ? { guestPhys: gpa as GuestPhys, hostPhys: gpa as HostPhys } : null
  }

  /** Reads `length` bytes of guest memory at a guest-linear address; stops at the first byte that does not translate. */
  readGuest(linear: number, length: number): Uint8Array {
    const out = new Uint8Array(length)
    const m = this.cpu.mem.u8
    for (let n = 0; n < length;) {
      const lin = (linear + n) >>> 0
      const t = this.translateGuest(lin)
      if (t === null) return out.subarray(0, n)
      const chunk = Math.min(length - n, 0x1000 - (lin & 0xfff))
      out.set(m.subarray(t.hostPhys, t.hostPhys + chunk), n)
      n += chunk
    }
    return out
  }

  /** Writes bytes to guest memory at a guest-linear address; returns false (having written nothing) if any byte does not translate. */
  writeGuest(linear: number, bytes: Uint8Array): boolean {
    const parts: [number, number, number][] = []
    for (let n = 0; n < bytes.length;) {
      const lin = (linear + n) >>> 0
      const t = this.translateGuest(lin, 'write')
      if (t === null) return false
      const chunk = Math.min(bytes.length - n, 0x1000 - (lin & 0xfff))
      parts.push([t.hostPhys, n, chunk])
      n += chunk
    }
    for (const [host, from, chunk] of parts) this.cpu.mem.writeBytes(host, bytes.subarray(from, from + chunk))
    return true
  }

  // ------------------------------------------------------------------------------ snapshots

  /** Root or non-root, and the preemption-timer deadline (the VMCS and the CPU save themselves). */
  saveState(w: StateWriter): void {
    w.section('vmx-cpu')
    w.bool(this.root)
    w.f64(this.timerDeadline)
  }

  loadState(r: StateReader): void {
    r.section('vmx-cpu')
    this.root = r.bool()
    this.timerDeadline = r.f64()
    this.cpu.vmxMode = this.root ? 1 : 2
    // The CPU restored its TLB as it was: it stays valid for the restored paging state.
    this.useSecondStage()
    this.rememberPaging()
  }
}

/** A guest-linear address through 32-bit guest paging (no EPT), or null when not mapped. */
function guestPhysOf(
  mem: Cpu['mem'],
  regs: { readonly cr0: number; readonly cr3: number; readonly cr4: number },
  lin: number,
): number | null {
  if ((regs.cr0 & CR0_PG) === 0) return lin
  const read = (a: number): number => (a + 4 <= mem.size ? mem.read32(a) : 0)
  const pde = read(((regs.cr3 & 0xfffff000) | ((lin >>> 22) << 2)) >>> 0)
  if ((pde & 1) === 0) return null
  if (pde & 0x80 && regs.cr4 & CR4_PSE) return ((pde & 0xffc00000) | (lin & 0x3fffff)) >>> 0
  const pte = read(((pde & 0xfffff000) | (((lin >>> 12) & 0x3ff) << 2)) >>> 0)
  return pte & 1 ? ((pte & 0xfffff000) | (lin & 0xfff)) >>> 0 : null
}
