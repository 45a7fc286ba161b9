/**
 * The checks VMLAUNCH and VMRESUME make before entering the guest (Intel SDM Vol. 3C chapter 27 "VM
 * Entries"), in the SDM's order:
 *
 * 1. basic checks (§27.1): VMLAUNCH needs a clear VMCS, VMRESUME a launched one → VMfailValid 4 / 5;
 * 2. VMX controls and host state (§27.2) → VMfailValid 7 ("invalid control field(s)") or 8 ("invalid
 *    host-state field(s)"): the instruction fails, nothing is loaded, the monitor keeps running;
 * 3. guest state (§27.3.1) → the entry fails *after* starting: exit reason 33 with bit 31 set
 *    ("VM-entry failure due to invalid guest state"), the host state is loaded as on a VM exit.
 *
 * Ringside enforces the subset below; every check is one the SDM makes, except those marked [R]. Not
 * checked (features Ringside does not model, or state it has no way to hold wrongly): 64-bit and
 * IA-32e rules, canonical addresses, PAT/EFER/PERF_GLOBAL_CTRL/BNDCFGS/RTIT/CET fields, SMM and the
 * dual-monitor treatment, IA32_DEBUGCTL reserved bits, segment-limit checks other than granularity,
 * and the executive-VMCS pointer.
 */
import * as controls from './controls'
import { eptpValid } from './ept'
import * as exitReasons from './exit-reasons'
import * as interruptionInfo from './interruption-info'
import { EntryFailureQualification } from './qualification'
import { VmInstructionError } from './vm-instruction-error'
import type { Vmcs } from './vmcs'
import { VmcsField } from './vmcs-fields'
// Imported bindings copied once into module constants: loaders that present each import as a getter
// on an exports object (tsx, Vitest) would otherwise turn every use on the hot path into a call.
const {
  INTR_INFO_DELIVER_ERROR_CODE,
  INTR_INFO_ENTRY_RESERVED,
  INTR_INFO_VALID,
  IntrType,
  injectionNeedsErrorCode,
  typeNeedsInstructionLength,
} = interruptionInfo
const { EXIT_REASON_FAILED_VMENTRY, ExitReason } = exitReasons
const F = { ...VmcsField }
const {
  CR0_FIXED0,
  CR3_TARGET_VALUES,
  CR4_FIXED0,
  CR4_FIXED1,
  EXIT_SAVE_PREEMPTION_TIMER,
  PIN_PREEMPTION_TIMER,
  PIN_VIRTUAL_NMIS,
  PROC_ACTIVATE_SECONDARY,
  PROC_USE_IO_BITMAPS,
  PROC_USE_MSR_BITMAPS,
  PROC2_ENABLE_EPT,
  PROC2_UNRESTRICTED_GUEST,
  VMX_TRUE_CAPS,
  controlsAllowed,
} = controls

export type VmEntryKind = 'launch' | 'resume'

/**
 * The outcome of the checks. `check` quotes the rule that failed (for the inspector and the model's
 * log); `error` is the VM-instruction error of a VMfailValid; `exitReason`/`qualification` are what a
 * failed entry reports through the exit-reason field.
 */
export type VmEntryResult =
  | { readonly ok: true }
  | {
      readonly ok: false
      readonly kind: 'fail-valid'
      readonly error: VmInstructionError
      readonly check: string
    }
  | {
      readonly ok: false
      readonly kind: 'invalid-guest-state'
      readonly exitReason: number
      readonly qualification: number
      readonly check: string
    }

const OK: VmEntryResult = { ok: true }

/** Guest activity states (§25.4.2 Table 25-3). Ringside supports Active and HLT (IA32_VMX_MISC bit 6). */
export const ActivityState = { Active: 0, Hlt: 1, Shutdown: 2, WaitForSipi: 3 } as const

/** Guest interruptibility-state bits (§25.4.2 Table 25-3). */
export const Interruptibility = { STI: 1 << 0, MOV_SS: 1 << 1, SMI: 1 << 2, NMI: 1 << 3 } as const

// Segment access-rights format in the VMCS (§25.4.1 Table 25-2): as in the descriptor's bytes 5–6
// except that bits 11:8 are reserved (the descriptor's limit 19:16 is not there), plus bit 16
// "unusable" (a null selector was loaded).
const AR_TYPE = 0xf
const AR_S = 1 << 4
const AR_DPL_SHIFT = 5
const AR_P = 1 << 7
const AR_G = 1 << 15
const AR_UNUSABLE = 1 << 16
const AR_RESERVED = 0xfffe0f00

const RFLAGS_FIXED1 = 1 << 1
/** RFLAGS bits that must be 0: 31:22, 15, 5, 3 (§27.3.1.4). */
const RFLAGS_RESERVED = 0xffc08028
const RFLAGS_TF = 1 << 8
const RFLAGS_IF = 1 << 9
const RFLAGS_VM = 1 << 17

const CR0_PE = 1 << 0
const CR0_PG = 1 << 31

/** Pending-debug-exceptions bits that must be 0: 11:4, 13, 15, 31:17, and 16 (RTM) as Ringside has no RTM (§27.3.1.5). */
const PENDING_DBG_RESERVED = 0xffffaff0
const PENDING_DBG_BS = 1 << 14
const DEBUGCTL_BTF = 1 << 1

function failValid(error: VmInstructionError, check: string): VmEntryResult {
  return { ok: false, kind: 'fail-valid', error, check }
}
function invalidGuest(
  check: string,
  qualification: number = EntryFailureQualification.Default,
): VmEntryResult {
  return {
    ok: false,
    kind: 'invalid-guest-state',
    exitReason: (EXIT_REASON_FAILED_VMENTRY | ExitReason.INVALID_GUEST_STATE) >>> 0,
    qualification,
    check,
  }
}

/** Runs the checks of a VMLAUNCH (`launch`) or VMRESUME (`resume`) of `v`. */
export function checkVmEntry(v: Vmcs, kind: VmEntryKind): VmEntryResult {
  if (kind === 'launch' && v.launched)
    return failValid(
      VmInstructionError.VMLAUNCH_NONCLEAR_VMCS,
      'VMLAUNCH requires the launch state "clear" (§27.1)',
    )
  if (kind === 'resume' && !v.launched)
    return failValid(
      VmInstructionError.VMRESUME_NONLAUNCHED_VMCS,
      'VMRESUME requires the launch state "launched" (§27.1)',
    )
  return checkControls(v) ?? checkHostState(v) ?? checkGuestState(v) ?? OK
}

/** §27.2.1 "Checks on VMX Controls". */
function checkControls(v: Vmcs): VmEntryResult | null {
  const bad = badControl
  const pin = v.read(F.PIN_BASED_VM_EXEC_CONTROL)
  const proc = v.read(F.CPU_BASED_VM_EXEC_CONTROL)
  if (!controlsAllowed(pin, VMX_TRUE_CAPS.pin))
    return bad('pin-based controls must respect IA32_VMX_TRUE_PINBASED_CTLS (§27.2.1.1)')
  if (!controlsAllowed(proc, VMX_TRUE_CAPS.proc))
    return bad('primary processor-based controls must respect IA32_VMX_TRUE_PROCBASED_CTLS (§27.2.1.1)')
  if (
    proc & PROC_ACTIVATE_SECONDARY &&
    !controlsAllowed(v.read(F.SECONDARY_VM_EXEC_CONTROL), VMX_TRUE_CAPS.proc2)
  ) {
    return bad('secondary processor-based controls must respect IA32_VMX_PROCBASED_CTLS2 (§27.2.1.1)')
  }
  const proc2 = v.procControls2
  if (v.cr3TargetCount > CR3_TARGET_VALUES)
    return bad(`the CR3-target count must not exceed ${CR3_TARGET_VALUES} (§27.2.1.1)`)
  if (proc & PROC_USE_IO_BITMAPS) {
    if (!pageAddress(v, F.IO_BITMAP_A) || !pageAddress(v, F.IO_BITMAP_B))
      return bad(
        'I/O-bitmap addresses must be 4-KByte aligned and within the physical-address width (§27.2.1.1)',
      )
  }
  if (proc & PROC_USE_MSR_BITMAPS && !pageAddress(v, F.MSR_BITMAP)) {
    return bad(
      'the MSR-bitmap address must be 4-KByte aligned and within the physical-address width (§27.2.1.1)',
    )
  }
  if (proc2 & PROC2_UNRESTRICTED_GUEST && !(proc2 & PROC2_ENABLE_EPT))
    return bad('"unrestricted guest" requires "enable EPT" (§27.2.1.1)')
  if (proc2 & PROC2_ENABLE_EPT && !eptpValid(v.read(F.EPT_POINTER), v.readHigh(F.EPT_POINTER))) {
    return bad(
      'the EPT pointer must have a supported memory type, a 4-level walk and no reserved bits set (§27.2.1.1)',
    )
  }
  const exitCtls = v.read(F.VM_EXIT_CONTROLS)
  if (!controlsAllowed(exitCtls, VMX_TRUE_CAPS.exit))
    return bad('VM-exit controls must respect IA32_VMX_TRUE_EXIT_CTLS (§27.2.1.2)')
  if (exitCtls & EXIT_SAVE_PREEMPTION_TIMER && !(pin & PIN_PREEMPTION_TIMER)) {
    return bad('"save VMX-preemption timer value" requires "activate VMX-preemption timer" (§27.2.1.2)')
  }
  if (
    v.read(F.VM_EXIT_MSR_STORE_COUNT) |
    v.read(F.VM_EXIT_MSR_LOAD_COUNT) |
    v.read(F.VM_ENTRY_MSR_LOAD_COUNT)
  ) {
    return bad('[R] Ringside does not model the VM-exit/VM-entry MSR areas: their counts must be 0')
  }
  if (!controlsAllowed(v.read(F.VM_ENTRY_CONTROLS), VMX_TRUE_CAPS.entry))
    return bad('VM-entry controls must respect IA32_VMX_TRUE_ENTRY_CTLS (§27.2.1.3)')
  return checkEventInjection(v, proc2, bad)
}

function badControl(check: string): VmEntryResult {
  return failValid(VmInstructionError.ENTRY_INVALID_CONTROL_FIELD, check)
}

function badHost(check: string): VmEntryResult {
  return failValid(VmInstructionError.ENTRY_INVALID_HOST_STATE_FIELD, check)
}

/** A page-aligned physical address within MAXPHYADDR (bits 63:32 zero here). */
function pageAddress(v: Vmcs, field: number): boolean {
  return (v.read(field) & 0xfff) === 0 && v.readHigh(field) === 0
}

/** §27.2.1.3, the VM-entry interruption-information field and its companions. */
function checkEventInjection(
  v: Vmcs,
  proc2: number,
  bad: (check: string) => VmEntryResult,
): VmEntryResult | null {
  const info = v.read(F.VM_ENTRY_INTR_INFO_FIELD)
  if ((info & INTR_INFO_VALID) === 0) return null
  const vector = info & 0xff
  const type = (info >>> 8) & 7
  if (type === 1) return bad('interruption type 1 is reserved (§27.2.1.3)')
  if (type === IntrType.OtherEvent)
    return bad(
      'interruption type 7 (other event) needs the monitor trap flag, which is not supported (§27.2.1.3)',
    )
  if (type === IntrType.Nmi && vector !== 2) return bad('an injected NMI must have vector 2 (§27.2.1.3)')
  if (type === IntrType.HardwareException && vector > 31)
    return bad('an injected hardware exception must have a vector of at most 31 (§27.2.1.3)')
  const protectedMode = (proc2 & PROC2_UNRESTRICTED_GUEST) === 0 || (v.read(F.GUEST_CR0) & CR0_PE) !== 0
  const deliver = (info & INTR_INFO_DELIVER_ERROR_CODE) !== 0
  if (deliver !== injectionNeedsErrorCode(type, vector, protectedMode)) {
    return bad(
      '"deliver error code" must be 1 exactly for hardware exceptions #DF #TS #NP #SS #GP #PF #AC in protected mode (§27.2.1.3)',
    )
  }
  if (info & INTR_INFO_ENTRY_RESERVED)
    return bad('bits 30:12 of the VM-entry interruption information must be 0 (§27.2.1.3)')
  if (deliver && v.read(F.VM_ENTRY_EXCEPTION_ERROR_CODE) & 0xffff0000)
    return bad('bits 31:16 of the VM-entry exception error code must be 0 (§27.2.1.3)')
  if (typeNeedsInstructionLength(type)) {
    const len = v.read(F.VM_ENTRY_INSTRUCTION_LEN)
    if (len < 1 || len > 15)
      return bad('a software interrupt or exception needs a VM-entry instruction length of 1–15 (§27.2.1.3)')
  }
  return null
}

const HOST_SELECTORS = [
  F.HOST_ES_SELECTOR,
  F.HOST_CS_SELECTOR,
  F.HOST_SS_SELECTOR,
  F.HOST_DS_SELECTOR,
  F.HOST_FS_SELECTOR,
  F.HOST_GS_SELECTOR,
  F.HOST_TR_SELECTOR,
] as const

/** §27.2.2 "Checks on Host Control Registers, MSRs, and SSP" and §27.2.3 "Checks on Host Segment and Descriptor-Table Registers". */
function checkHostState(v: Vmcs): VmEntryResult | null {
  const bad = badHost
  const cr0 = v.read(F.HOST_CR0)
  const cr4 = v.read(F.HOST_CR4)
  if ((cr0 & CR0_FIXED0) >>> 0 !== CR0_FIXED0)
    return bad('host CR0 must have PE, NE and PG set (IA32_VMX_CR0_FIXED0, §27.2.2)')
  if ((cr4 & CR4_FIXED0) !== CR4_FIXED0 || cr4 & ~CR4_FIXED1)
    return bad('host CR4 must have VMXE set and no unsupported bit (IA32_VMX_CR4_FIXED0/1, §27.2.2)')
  for (const sel of HOST_SELECTORS) {
    if (v.read(sel) & 7) return bad('host selector fields must have RPL = 0 and TI = 0 (§27.2.3)')
  }
  if (
    v.read(F.HOST_CS_SELECTOR) === 0 ||
    v.read(F.HOST_TR_SELECTOR) === 0 ||
    v.read(F.HOST_SS_SELECTOR) === 0
  ) {
    return bad('host CS, SS and TR selectors must not be 0 (§27.2.3)')
  }
  return null
}

/** The granularity rule for a usable segment's limit (§27.3.1.2). */
function granularityConsistent(limit: number, ar: number): boolean {
  const g = (ar & AR_G) !== 0
  if ((limit & 0xfff) !== 0xfff && g) return false
  return !(limit >>> 20 !== 0 && !g)
}

/** §27.3.1 "Checks on the Guest State Area". */
function checkGuestState(v: Vmcs): VmEntryResult | null {
  const proc2 = v.procControls2
  const unrestricted = (proc2 & PROC2_UNRESTRICTED_GUEST) !== 0
  const cr0 = v.read(F.GUEST_CR0)
  const cr4 = v.read(F.GUEST_CR4)
  const rflags = v.read(F.GUEST_RFLAGS)

  // §27.3.1.1 control registers
  const cr0Fixed = unrestricted ? CR0_FIXED0 & ~(CR0_PE | CR0_PG) : CR0_FIXED0
  if ((cr0 & cr0Fixed) >>> 0 !== cr0Fixed >>> 0) {
    return invalidGuest(
      unrestricted
        ? 'guest CR0.NE must be 1 (IA32_VMX_CR0_FIXED0, §27.3.1.1)'
        : 'without "unrestricted guest", guest CR0 must have PE, NE and PG set (§27.3.1.1)',
    )
  }
  if (cr0 & CR0_PG && !(cr0 & CR0_PE)) return invalidGuest('guest CR0.PG = 1 requires CR0.PE = 1 (§27.3.1.1)')
  if ((cr4 & CR4_FIXED0) !== CR4_FIXED0 || cr4 & ~CR4_FIXED1) {
    return invalidGuest(
      'guest CR4 must have VMXE set (hidden from the guest by the CR4 mask and read shadow) and no unsupported bit (§27.3.1.1)',
    )
  }

  // §27.3.1.2 segment registers (protected-mode rules; unrestricted guest relaxes a few)
  const seg = checkGuestSegments(v, unrestricted, cr0)
  if (seg !== null) return invalidGuest(seg)
  if (v.read(F.GUEST_GDTR_LIMIT) >>> 16 || v.read(F.GUEST_IDTR_LIMIT) >>> 16)
    return invalidGuest('GDTR and IDTR limits must fit in 16 bits (§27.3.1.3)')

  // §27.3.1.4 RFLAGS
  if (rflags & RFLAGS_RESERVED || !(rflags & RFLAGS_FIXED1))
    return invalidGuest('guest RFLAGS bits 31:22, 15, 5, 3 must be 0 and bit 1 must be 1 (§27.3.1.4)')
  if (rflags & RFLAGS_VM)
    return invalidGuest("[R] Ringside's CPU does not model virtual-8086 mode: guest RFLAGS.VM must be 0")
  const info = v.read(F.VM_ENTRY_INTR_INFO_FIELD)
  const injecting = (info & INTR_INFO_VALID) !== 0
  const injType = (info >>> 8) & 7
  if (injecting && injType === IntrType.ExternalInterrupt && !(rflags & RFLAGS_IF)) {
    return invalidGuest('injecting an external interrupt requires guest RFLAGS.IF = 1 (§27.3.1.4)')
  }

  // §27.3.1.5 non-register state
  const activity = v.read(F.GUEST_ACTIVITY_STATE)
  const intr = v.read(F.GUEST_INTERRUPTIBILITY_INFO)
  if (activity !== ActivityState.Active && activity !== ActivityState.Hlt)
    return invalidGuest(
      'the activity state must be active or HLT (the states IA32_VMX_MISC reports, §27.3.1.5)',
    )
  if (activity === ActivityState.Hlt) {
    if ((v.read(F.GUEST_SS_AR_BYTES) >>> AR_DPL_SHIFT) & 3)
      return invalidGuest('the HLT activity state requires SS.DPL = 0 (§27.3.1.5)')
    if (intr & (Interruptibility.STI | Interruptibility.MOV_SS))
      return invalidGuest('the HLT activity state is not allowed with blocking by STI or MOV SS (§27.3.1.5)')
    if (injecting) {
      const vector = info & 0xff
      const allowed =
        injType === IntrType.ExternalInterrupt ||
        injType === IntrType.Nmi ||
        (injType === IntrType.HardwareException && (vector === 1 || vector === 18))
      if (!allowed)
        return invalidGuest(
          'in the HLT activity state only an external interrupt, an NMI, #DB or #MC can be injected (§27.3.1.5)',
        )
    }
  }
  // Bit 4 (enclave interruption) is reserved too: Ringside has no SGX [R].
  if (intr & 0xfffffff0) return invalidGuest('interruptibility-state bits 31:4 must be 0 (§27.3.1.5)')
  if ((intr & 3) === 3) return invalidGuest('blocking by STI and by MOV SS cannot both be set (§27.3.1.5)')
  if (intr & Interruptibility.STI && !(rflags & RFLAGS_IF))
    return invalidGuest('blocking by STI requires RFLAGS.IF = 1 (§27.3.1.5)')
  if (intr & Interruptibility.SMI) return invalidGuest('blocking by SMI must be 0 outside SMM (§27.3.1.5)')
  if (injecting && injType === IntrType.ExternalInterrupt && intr & 3) {
    return invalidGuest(
      'an external interrupt cannot be injected under blocking by STI or MOV SS (§27.3.1.5)',
    )
  }
  if (injecting && injType === IntrType.Nmi) {
    if (intr & Interruptibility.MOV_SS)
      return invalidGuest('an NMI cannot be injected under blocking by MOV SS (§27.3.1.5)')
    if (!(v.pinControls & PIN_VIRTUAL_NMIS) && intr & Interruptibility.NMI)
      return invalidGuest('an NMI cannot be injected under blocking by NMI (§27.3.1.5)')
  }
  const dbg = v.read(F.GUEST_PENDING_DBG_EXCEPTIONS)
  if (dbg & PENDING_DBG_RESERVED)
    return invalidGuest('pending-debug-exceptions bits 11:4, 13, 15, 31:17 must be 0 (§27.3.1.5)')
  if (intr & 3 || activity === ActivityState.Hlt) {
    const stepping = (rflags & RFLAGS_TF) !== 0 && (v.read(F.GUEST_IA32_DEBUGCTL) & DEBUGCTL_BTF) === 0
    if (stepping !== ((dbg & PENDING_DBG_BS) !== 0)) {
      return invalidGuest(
        'with STI/MOV-SS blocking or HLT, the pending BS bit must equal RFLAGS.TF ∧ ¬DEBUGCTL.BTF (§27.3.1.5)',
      )
    }
  }
  if (v.read(F.VMCS_LINK_POINTER) !== 0xffffffff || v.readHigh(F.VMCS_LINK_POINTER) !== 0xffffffff) {
    return invalidGuest(
      '[R] the VMCS link pointer must be FFFFFFFF_FFFFFFFFH: Ringside has no shadow VMCS to point to',
      EntryFailureQualification.VmcsLinkPointer,
    )
  }
  return null
}

function dpl(ar: number): number {
  return (ar >>> AR_DPL_SHIFT) & 3
}

/** The checks every usable segment gets: reserved access-rights bits, present, limit granularity (§27.3.1.2). */
function commonSegment(v: Vmcs, name: string, ar: number, limitField: number): string | null {
  if (ar & AR_RESERVED) return `${name} access rights: bits 11:8 and 31:17 must be 0 (§27.3.1.2)`
  if (!(ar & AR_P)) return `${name} must be present (§27.3.1.2)`
  if (!granularityConsistent(v.read(limitField), ar))
    return `${name}: G must be 1 if limit bits 31:20 are not all 0, and 0 if limit bits 11:0 are not all 1 (§27.3.1.2)`
  return null
}

const DATA_SEGMENTS = [
  ['DS', F.GUEST_DS_SELECTOR, F.GUEST_DS_AR_BYTES, F.GUEST_DS_LIMIT],
  ['ES', F.GUEST_ES_SELECTOR, F.GUEST_ES_AR_BYTES, F.GUEST_ES_LIMIT],
  ['FS', F.GUEST_FS_SELECTOR, F.GUEST_FS_AR_BYTES, F.GUEST_FS_LIMIT],
  ['GS', F.GUEST_GS_SELECTOR, F.GUEST_GS_AR_BYTES, F.GUEST_GS_LIMIT],
] as const

/** The segment-register checks of §27.3.1.2 (not virtual-8086, not IA-32e). Returns the failed rule or null. */
function checkGuestSegments(v: Vmcs, unrestricted: boolean, cr0: number): string | null {
  const csSel = v.read(F.GUEST_CS_SELECTOR)
  const ssSel = v.read(F.GUEST_SS_SELECTOR)
  const cs = v.read(F.GUEST_CS_AR_BYTES)
  const ss = v.read(F.GUEST_SS_AR_BYTES)
  const tr = v.read(F.GUEST_TR_AR_BYTES)
  const ldtr = v.read(F.GUEST_LDTR_AR_BYTES)

  if (v.read(F.GUEST_TR_SELECTOR) & 4) return 'TR selector: TI must be 0 (§27.3.1.2)'
  if (!(ldtr & AR_UNUSABLE) && v.read(F.GUEST_LDTR_SELECTOR) & 4)
    return 'LDTR selector: TI must be 0 (§27.3.1.2)'
  if (!unrestricted && (ssSel & 3) !== (csSel & 3)) return 'SS.RPL must equal CS.RPL (§27.3.1.2)'

  const csType = cs & AR_TYPE
  if (!(csType === 9 || csType === 11 || csType === 13 || csType === 15 || (unrestricted && csType === 3))) {
    return 'CS type must be an accessed code segment (9, 11, 13, 15; 3 with unrestricted guest) (§27.3.1.2)'
  }
  if (!(cs & AR_S)) return 'CS must be a code/data segment (S = 1) (§27.3.1.2)'
  if (csType === 3 && dpl(cs) !== 0) return 'CS of type 3 must have DPL 0 (§27.3.1.2)'
  if ((csType === 9 || csType === 11) && dpl(cs) !== dpl(ss))
    return 'a non-conforming CS must have DPL = SS.DPL (§27.3.1.2)'
  if ((csType === 13 || csType === 15) && dpl(cs) > dpl(ss))
    return 'a conforming CS must have DPL ≤ SS.DPL (§27.3.1.2)'
  const csCommon = commonSegment(v, 'CS', cs, F.GUEST_CS_LIMIT)
  if (csCommon) return csCommon

  if (!(ss & AR_UNUSABLE)) {
    const ssType = ss & AR_TYPE
    if (ssType !== 3 && ssType !== 7)
      return 'SS type must be a read/write accessed data segment (3 or 7) (§27.3.1.2)'
    if (!(ss & AR_S)) return 'SS must be a code/data segment (S = 1) (§27.3.1.2)'
    const ssCommon = commonSegment(v, 'SS', ss, F.GUEST_SS_LIMIT)
    if (ssCommon) return ssCommon
  }
  if (!unrestricted && dpl(ss) !== (ssSel & 3)) return 'SS.DPL must equal SS.RPL (§27.3.1.2)'
  if ((csType === 3 || !(cr0 & CR0_PE)) && dpl(ss) !== 0)
    return 'SS.DPL must be 0 in real mode or with a type-3 CS (§27.3.1.2)'

  for (const [name, selField, arField, limitField] of DATA_SEGMENTS) {
    const ar = v.read(arField)
    if (ar & AR_UNUSABLE) continue
    const type = ar & AR_TYPE
    if (!(type & 1)) return `${name} type must be accessed (§27.3.1.2)`
    if (type & 8 && !(type & 2)) return `${name}: a code segment must be readable (§27.3.1.2)`
    if (!(ar & AR_S)) return `${name} must be a code/data segment (S = 1) (§27.3.1.2)`
    if (!unrestricted && type <= 11 && dpl(ar) < (v.read(selField) & 3))
      return `${name}.DPL must be ≥ its RPL (§27.3.1.2)`
    const c = commonSegment(v, name, ar, limitField)
    if (c) return c
  }

  const trType = tr & AR_TYPE
  if (tr & AR_UNUSABLE) return 'TR must be usable (§27.3.1.2)'
  if (trType !== 3 && trType !== 11) return 'TR must be a busy TSS (type 3 or 11) (§27.3.1.2)'
  if (tr & AR_S) return 'TR must be a system segment (S = 0) (§27.3.1.2)'
  const trCommon = commonSegment(v, 'TR', tr, F.GUEST_TR_LIMIT)
  if (trCommon) return trCommon

  if (!(ldtr & AR_UNUSABLE)) {
    if ((ldtr & AR_TYPE) !== 2) return 'LDTR type must be 2 (LDT) (§27.3.1.2)'
    if (ldtr & AR_S) return 'LDTR must be a system segment (S = 0) (§27.3.1.2)'
    const c = commonSegment(v, 'LDTR', ldtr, F.GUEST_LDTR_LIMIT)
    if (c) return c
  }
  return null
}

/**
 * Writes the outcome of failed checks where the SDM puts it: VMfailValid → the VM-instruction error
 * field; invalid guest state → the exit-reason and exit-qualification fields (the processor then
 * loads host state as on a VM exit — the CPU's part).
 */
export function recordEntryFailure(v: Vmcs, r: VmEntryResult): void {
  if (r.ok) return
  if (r.kind === 'fail-valid') v.write(F.VM_INSTRUCTION_ERROR, r.error)
  else v.recordExit(r.exitReason, r.qualification)
}
