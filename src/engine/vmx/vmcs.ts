/**
 * The virtual-machine control structure (Intel SDM Vol. 3C chapter 25 "Virtual Machine Control
 * Structures"): one per virtual CPU, holding the guest-state area, the host-state area, the
 * VM-execution, VM-exit and VM-entry controls, and the VM-exit information fields.
 *
 * Software never sees the VMCS layout; it names fields by their encodings (`vmcs-fields.ts`) through
 * VMREAD and VMWRITE. This class stores each supported field in a slot (two 32-bit words, the high one
 * used by 64-bit fields only), applies the width rules of SDM §25.11.2, refuses writes to the
 * read-only VM-exit information fields as VMWRITE does, and keeps the launch state that decides
 * between VMLAUNCH and VMRESUME (SDM §25.1 "Overview", §25.11.3 "Initializing a VMCS").
 *
 * The getters for controls are what the CPU reads on exit-capable instructions; they are plain typed
 * array reads and never allocate.
 */
import type { Snapshottable, StateReader, StateWriter } from '../snapshot'
import * as controls from './controls'
import * as interruptionInfo from './interruption-info'
import { VmInstructionError } from './vm-instruction-error'
import * as vmcsFields from './vmcs-fields'
// Imported bindings copied once into module constants: loaders that present each import as a getter
// on an exports object (tsx, Vitest) would otherwise turn every use on the hot path into a call.
const { ENCODING_HIGH, FieldType, FieldWidth, VMCS_FIELDS, VmcsField, fieldType, fieldWidth } = vmcsFields
const { INTR_INFO_VALID } = interruptionInfo
const { PROC_ACTIVATE_SECONDARY } = controls

/** Slot of each supported full-access encoding; -1 for everything else. Shared by all VMCSs. */
const SLOT = new Int16Array(0x8000).fill(-1)
VMCS_FIELDS.forEach((f, i) => (SLOT[f.encoding] = i))

function slotOf(encoding: number): number {
  const s = encoding >= 0 && encoding < 0x8000 ? SLOT[encoding] : -1
  if (s < 0) throw new RangeError(`0x${encoding.toString(16)} is not a supported VMCS field encoding`)
  return s
}

/**
 * Where a supported field is stored: for processor code that reads or writes the same fields at every
 * VM exit and entry ({@link Vmcs.readSlot}, {@link Vmcs.writeSlot}).
 */
export const vmcsSlot: (encoding: number) => number = slotOf

const S_PIN = slotOf(VmcsField.PIN_BASED_VM_EXEC_CONTROL)
const S_PROC = slotOf(VmcsField.CPU_BASED_VM_EXEC_CONTROL)
const S_PROC2 = slotOf(VmcsField.SECONDARY_VM_EXEC_CONTROL)
const S_EXIT_CTLS = slotOf(VmcsField.VM_EXIT_CONTROLS)
const S_ENTRY_CTLS = slotOf(VmcsField.VM_ENTRY_CONTROLS)
const S_EXC_BITMAP = slotOf(VmcsField.EXCEPTION_BITMAP)
const S_PFEC_MASK = slotOf(VmcsField.PAGE_FAULT_ERROR_CODE_MASK)
const S_PFEC_MATCH = slotOf(VmcsField.PAGE_FAULT_ERROR_CODE_MATCH)
const S_CR0_MASK = slotOf(VmcsField.CR0_GUEST_HOST_MASK)
const S_CR4_MASK = slotOf(VmcsField.CR4_GUEST_HOST_MASK)
const S_CR0_SHADOW = slotOf(VmcsField.CR0_READ_SHADOW)
const S_CR4_SHADOW = slotOf(VmcsField.CR4_READ_SHADOW)
const S_CR3_TARGET_COUNT = slotOf(VmcsField.CR3_TARGET_COUNT)
const S_CR3_TARGET0 = slotOf(VmcsField.CR3_TARGET_VALUE0)
const S_IO_A = slotOf(VmcsField.IO_BITMAP_A)
const S_IO_B = slotOf(VmcsField.IO_BITMAP_B)
const S_MSR_BITMAP = slotOf(VmcsField.MSR_BITMAP)
const S_TSC_OFFSET = slotOf(VmcsField.TSC_OFFSET)
const S_EPTP = slotOf(VmcsField.EPT_POINTER)
const S_ENTRY_INTR = slotOf(VmcsField.VM_ENTRY_INTR_INFO_FIELD)
const S_INSN_ERROR = slotOf(VmcsField.VM_INSTRUCTION_ERROR)

/** The exit-information fields a VM exit writes; fields an exit does not define are left 0. */
const EXIT_INFO_SLOTS = VMCS_FIELDS.flatMap((f, i) =>
  f.type === FieldType.ExitInfo && f.encoding !== VmcsField.VM_INSTRUCTION_ERROR ? [i] : [],
)

/** What {@link Vmcs.vmread} returns for an unsupported component (any real value is ≥ 0). */
export const VMREAD_FAILED = -1

export class Vmcs implements Snapshottable {
  private readonly lo = new Uint32Array(VMCS_FIELDS.length)
  private readonly hi = new Uint32Array(VMCS_FIELDS.length)
  /**
   * Launch state (SDM §25.1): false = "clear" (after VMCLEAR; VMLAUNCH required), true = "launched"
   * (after a successful VMLAUNCH; VMRESUME required).
   */
  launched = false

  /** VMCLEAR: the launch state becomes clear; field contents stay (SDM §31.3 "VMCLEAR"). */
  clear(): void {
    this.launched = false
  }

  /**
   * VMREAD (SDM §31.3 "VMREAD"). Returns the field zero-extended to 32 bits: a 16-bit field in bits
   * 15:0; a 64-bit field's bits 31:0 with the full access type, bits 63:32 with the high access type
   * (encoding bit 0 = 1). An encoding that names no supported field ends in VMfailValid(12): the
   * error is recorded in the VM-instruction error field and the result is {@link VMREAD_FAILED}.
   */
  vmread(encoding: number): number {
    const s = this.accessSlot(encoding)
    if (s < 0) {
      this.lo[S_INSN_ERROR] = VmInstructionError.UNSUPPORTED_VMCS_COMPONENT
      return VMREAD_FAILED
    }
    return encoding & ENCODING_HIGH ? this.hi[s] : this.lo[s]
  }

  /**
   * VMWRITE (SDM §31.3 "VMWRITE") with a 32-bit source operand, as outside IA-32e mode: a 16-bit field
   * takes bits 15:0; a 64-bit field written with the full access type gets the value in bits 31:0
   * and bits 63:32 cleared ("if the VMCS field is longer, the high bits of the field are cleared");
   * the high access type writes bits 63:32 only. Returns 0 on success, or the VM-instruction error
   * (12 unsupported component, 13 read-only component: Ringside reports IA32_VMX_MISC bit 29 = 0,
   * so the VM-exit information fields cannot be written) after recording it in the VMCS.
   */
  vmwrite(encoding: number, value: number): VmInstructionError {
    const s = this.accessSlot(encoding)
    let err: VmInstructionError = VmInstructionError.None
    if (s < 0) err = VmInstructionError.UNSUPPORTED_VMCS_COMPONENT
    else if (fieldType(encoding) === FieldType.ExitInfo)
      err = VmInstructionError.VMWRITE_READ_ONLY_VMCS_COMPONENT
    if (err !== VmInstructionError.None) {
      this.lo[S_INSN_ERROR] = err
      return err
    }
    if (encoding & ENCODING_HIGH) this.hi[s] = value
    else this.store(s, encoding, value)
    return VmInstructionError.None
  }

  /** Slot for a VMREAD/VMWRITE encoding (full or, for 64-bit fields, high), or -1 if unsupported. */
  private accessSlot(encoding: number): number {
    if (encoding < 0 || encoding >= 0x8000 || !Number.isInteger(encoding)) return -1
    if (encoding & ENCODING_HIGH) {
      if (fieldWidth(encoding) !== FieldWidth.Bits64) return -1
      return SLOT[encoding & ~ENCODING_HIGH]
    }
    return SLOT[encoding]
  }

  private store(s: number, encoding: number, value: number): void {
    this.lo[s] = fieldWidth(encoding) === FieldWidth.Bits16 ? value & 0xffff : value
    this.hi[s] = 0
  }

  /**
   * Reads bits 31:0 of a field with no VMREAD checks: for the processor side (the CPU, VM-entry
   * checks) and the inspector. An unsupported encoding is an engine bug and throws.
   */
  read(field: number): number {
    return this.lo[slotOf(field)]
  }
  /** Bits 63:32 of a 64-bit field (0 for other widths). */
  readHigh(field: number): number {
    return this.hi[slotOf(field)]
  }
  /**
   * Writes a field as the processor does when it records a VM exit or saves guest state: any field,
   * read-only ones included, with the width rules of {@link vmwrite} (bits 63:32 cleared).
   */
  write(field: number, value: number): void {
    this.store(slotOf(field), field, value)
  }
  /** Bits 31:0 of the field stored in `slot` ({@link vmcsSlot}). */
  readSlot(slot: number): number {
    return this.lo[slot]
  }
  /** Writes the field in `slot` as {@link write} does; the caller passes a value that fits the field's width. */
  writeSlot(slot: number, value: number): void {
    this.lo[slot] = value
    this.hi[slot] = 0
  }

  /** Writes both halves of a 64-bit field. */
  write64(field: number, lo: number, hi: number): void {
    if (fieldWidth(field) !== FieldWidth.Bits64)
      throw new RangeError(`0x${field.toString(16)} is not a 64-bit field`)
    const s = slotOf(field)
    this.lo[s] = lo
    this.hi[s] = hi
  }

  /**
   * Records the basic VM-exit information (SDM §28.2 "Recording VM-Exit Information and Updating
   * VM-Entry Control Fields"): the exit reason and qualification; every other exit-information field
   * is reset to 0 for the caller to fill where the exit defines it (interruption information,
   * instruction length and information, guest-linear and guest-physical address). A VM exit also
   * clears the valid bit of the VM-entry interruption-information field.
   */
  recordExit(reason: number, qualification: number): void {
    for (const s of EXIT_INFO_SLOTS) {
      this.lo[s] = 0
      this.hi[s] = 0
    }
    this.write(VmcsField.VM_EXIT_REASON, reason)
    this.write(VmcsField.EXIT_QUALIFICATION, qualification)
    this.lo[S_ENTRY_INTR] &= ~INTR_INFO_VALID
  }

  // Typed accessors for the controls the CPU consults (SDM §25.6 "VM-Execution Control Fields").
  get pinControls(): number {
    return this.lo[S_PIN]
  }
  get procControls(): number {
    return this.lo[S_PROC]
  }
  /**
   * The secondary processor-based controls in effect: 0 unless "activate secondary controls" (primary
   * bit 31) is 1 — "the logical processor operates as if all the secondary controls were 0" (§25.6.2).
   */
  get procControls2(): number {
    return this.lo[S_PROC] & PROC_ACTIVATE_SECONDARY ? this.lo[S_PROC2] : 0
  }
  get exitControls(): number {
    return this.lo[S_EXIT_CTLS]
  }
  get entryControls(): number {
    return this.lo[S_ENTRY_CTLS]
  }
  get exceptionBitmap(): number {
    return this.lo[S_EXC_BITMAP]
  }
  get pfecMask(): number {
    return this.lo[S_PFEC_MASK]
  }
  get pfecMatch(): number {
    return this.lo[S_PFEC_MATCH]
  }
  get cr0Mask(): number {
    return this.lo[S_CR0_MASK]
  }
  get cr0Shadow(): number {
    return this.lo[S_CR0_SHADOW]
  }
  get cr4Mask(): number {
    return this.lo[S_CR4_MASK]
  }
  get cr4Shadow(): number {
    return this.lo[S_CR4_SHADOW]
  }
  get cr3TargetCount(): number {
    return this.lo[S_CR3_TARGET_COUNT]
  }
  /** CR3-target value `i` (0–3); the encodings are consecutive even numbers, so the slots are too. */
  cr3Target(i: number): number {
    return this.lo[S_CR3_TARGET0 + i]
  }
  /** Physical address of I/O bitmap A (ports 0000H–7FFFH); bits 63:32 are 0 (IA32_VMX_BASIC bit 48). */
  get ioBitmapA(): number {
    return this.lo[S_IO_A]
  }
  /** Physical address of I/O bitmap B (ports 8000H–FFFFH). */
  get ioBitmapB(): number {
    return this.lo[S_IO_B]
  }
  get msrBitmap(): number {
    return this.lo[S_MSR_BITMAP]
  }
  get tscOffsetLo(): number {
    return this.lo[S_TSC_OFFSET]
  }
  get tscOffsetHi(): number {
    return this.hi[S_TSC_OFFSET]
  }
  /** Bits 31:0 of the EPT pointer (bits 63:32 must be 0 here, see `ept.ts`). */
  get eptp(): number {
    return this.lo[S_EPTP]
  }

  saveState(w: StateWriter): void {
    w.section('vmcs')
    w.words(this.lo)
    w.words(this.hi)
    w.bool(this.launched)
  }
  loadState(r: StateReader): void {
    r.section('vmcs')
    r.words(this.lo)
    r.words(this.hi)
    this.launched = r.bool()
  }
}
