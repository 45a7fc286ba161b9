/**
 * What the inspector shows, built as plain data (structured-cloneable, no engine objects) from a
 * {@link Session}: the session's counters, every VM's privilege context, and for one VM its CPU state,
 * the code around EIP, the page walk of an address the user picked (one-dimensional 32-bit paging, or
 * the two-dimensional guest + EPT walk when the VM runs under VT-x with EPT), the current VMCS with
 * the last VM exit decoded by name, and the name of the guest task that runs.
 *
 * Everything here reads memory and state only: inspecting never changes what the machine does next
 * (no accessed/dirty flags, no TLB fills, no events, no device reads).
 */
import { inspectCpu, type CpuInspection } from '../cpu/inspect'
import { disassemble } from '../cpu/disasm'
import type { ArchId } from '../hv/architectures'
import type { PhysicalMemory } from '../machine/memory'
import type { PrivilegeContext } from '../privilege'
import { PROC2_ENABLE_EPT } from '../vmx/controls'
import {
  EXIT_REASON_BASIC_MASK,
  EXIT_REASON_FAILED_VMENTRY,
  ExitReason,
  exitReasonName,
} from '../vmx/exit-reasons'
import { EptQual, decodeQualification, instructionLengthDefined } from '../vmx/qualification'
import { Vmcs } from '../vmx/vmcs'
import { FieldType, VMCS_FIELDS, VmcsField, fieldBits, type VmcsFieldName } from '../vmx/vmcs-fields'
import { walkPaging, walkTwoDimensional, type PagingRegisters, type WalkView } from './page-walk'
import type { Session } from './session'
import { MAX_TASK_NAME, type InspectRequest, type TaskHint } from './inspect-request'
import type { Vm } from './vm'

/** One VM at a glance: where its vCPU is. */
export interface VmSummary {
  readonly index: number
  readonly name: string
  readonly state: Vm['state']
  readonly halted: boolean
  readonly blocked: boolean
  readonly instructions: number
  /** Null while the VM is off. */
  readonly context: PrivilegeContext | null
}

/** Code bytes read around EIP (from `address`, all readable). */
export interface CodeWindow {
  readonly address: number
  readonly bytes: Uint8Array
}

/** One VMCS field and its value (bits 31:0, and bits 63:32 of a 64-bit field). */
export interface VmcsFieldView {
  readonly name: VmcsFieldName
  readonly encoding: number
  readonly area: 'control' | 'exit-info' | 'guest' | 'host'
  readonly bits: 16 | 32 | 64
  readonly value: number
  readonly high: number
}

/** A VM exit, its reason and qualification decoded by name (SDM Vol. 3C §28.2.1, Appendix C). */
export interface ExitView {
  /** The exit-reason field as written (bit 31: VM-entry failure). */
  readonly reason: number
  readonly basic: number
  /** The SDM name of the basic exit reason (Table C-1). */
  readonly name: string
  readonly entryFailure: boolean
  readonly qualification: number
  /** The qualification's fields by name (`qualification.ts`), in the SDM's order. */
  readonly decoded: readonly (readonly [string, string | number | boolean])[]
  /** Where the exit defines them: guest-linear address (0x640A), guest-physical address (0x2400), instruction length (0x440C). */
  readonly guestLinear: number | null
  readonly guestPhysical: number | null
  readonly instructionLength: number | null
  /** Guest EIP at the exit, when known. */
  readonly guestEip: number | null
}

export interface VmcsView {
  /** Launch state (SDM §25.1): after VMLAUNCH succeeded, VMRESUME is required. */
  readonly launched: boolean
  readonly eptEnabled: boolean
  readonly eptp: number
  /** Every supported field, in encoding order. */
  readonly fields: readonly VmcsFieldView[]
  /** The exit recorded in the VMCS, or null before the first launch. */
  readonly lastExit: ExitView | null
}

/** The VM the inspector looks at in detail. */
export interface VmDetail {
  readonly index: number
  readonly cpu: CpuInspection | null
  readonly context: PrivilegeContext | null
  readonly code: CodeWindow | null
  /** The walk of the requested address; null when none was asked for or the VM is off. */
  readonly walk: WalkView | null
  /** Present when the VM runs under a VT-x model that gives the inspector its VMCS. */
  readonly vmcs: VmcsView | null
  /** The guest's current task (from the {@link TaskHint}), or null. */
  readonly task: string | null
}

export interface SessionDetail {
  readonly arch: ArchId
  readonly cycles: number
  readonly instructions: number
  /** The VM whose vCPU holds the physical CPU (1-based), or null when it is idle. */
  readonly current: number | null
  readonly vms: readonly VmSummary[]
  /** Cycles charged to each component instance by the model's flows (index = component index). */
  readonly cyclesByComponent: readonly number[]
  /** Flows started, by FlowKind value. */
  readonly flowCounts: readonly number[]
  readonly detail: VmDetail | null
}

/**
 * A model whose vCPUs run under VT-x gives the inspector each VM's current VMCS by implementing this.
 * (A VMX hook object on the CPU with a `vmcs` property is found too.)
 */
export interface VmcsProvider {
  vmcsOf(vm: Vm): Vmcs | null
}

function vmcsOf(session: Session, vm: Vm): Vmcs | null {
  const provider = session.model as Partial<VmcsProvider>
  if (typeof provider.vmcsOf === 'function') return provider.vmcsOf(vm)
  const hooks = vm.cpu.vmx as { readonly vmcs?: unknown } | null
  return hooks !== null && hooks.vmcs instanceof Vmcs ? hooks.vmcs : null
}

/** Bytes read before and after EIP for the listing. */
export const CODE_BEFORE = 128
export const CODE_AFTER = 64

const AREA: Readonly<Record<number, VmcsFieldView['area']>> = {
  [FieldType.Control]: 'control',
  [FieldType.ExitInfo]: 'exit-info',
  [FieldType.Guest]: 'guest',
  [FieldType.Host]: 'host',
}

/** Builds the inspector's data for `request` (see the file comment: reads only). */
export function inspectSession(session: Session, request: InspectRequest): SessionDetail {
  const vm = session.vms[request.vm - 1]
  const base = session.inspect()
  return {
    arch: session.arch,
    cycles: base.cycles,
    instructions: base.instructions,
    current: base.current,
    vms: session.vms.map((v) => ({
      index: v.index,
      name: v.name,
      state: v.state,
      halted: v.halted,
      blocked: v.blocked,
      instructions: v.instructions,
      context: v.state === 'off' ? null : (v.cpu.context as PrivilegeContext),
    })),
    cyclesByComponent: Array.from(session.flows.cyclesByComponent),
    flowCounts: Array.from(session.flows.flowCounts),
    detail: vm === undefined ? null : inspectVm(session, vm, request),
  }
}

/** How to read the VM's memory at a linear address: through its paging, and EPT when it is on. */
interface AddressSpace {
  readonly walk: (linear: number) => WalkView
  /** The memory that `WalkView.hostPhys` (2D) or `physical` (1D) indexes. */
  readonly memory: PhysicalMemory
}

function addressSpace(session: Session, vm: Vm, vmcs: Vmcs | null, user: boolean): AddressSpace | null {
  const cpu = vm.cpu
  if (vmcs !== null && (vmcs.procControls2 & PROC2_ENABLE_EPT) !== 0) {
    // In non-root operation the CPU holds the guest's live control registers; elsewhere (the
    // hypervisor is handling an exit) they are in the VMCS guest-state area (SDM §28.3).
    const regs: PagingRegisters =
      cpu.vmxMode === 2
        ? { cr0: cpu.cr0, cr3: cpu.cr3, cr4: cpu.cr4 }
        : {
            cr0: vmcs.read(VmcsField.GUEST_CR0),
            cr3: vmcs.read(VmcsField.GUEST_CR3),
            cr4: vmcs.read(VmcsField.GUEST_CR4),
          }
    const eptp = vmcs.eptp
    return {
      walk: (lin) => walkTwoDimensional(session.hostMemory, eptp, regs, lin),
      memory: session.hostMemory,
    }
  }
  // A second stage the inspector cannot see (a model without a VMCS for it): no side-effect-free walk.
  if (cpu.guestPhysToHost !== null) return null
  const regs: PagingRegisters = { cr0: cpu.cr0, cr3: cpu.cr3, cr4: cpu.cr4 }
  return { walk: (lin) => walkPaging(cpu.mem, regs, lin, { write: false, user }), memory: cpu.mem }
}

/** The physical address (in `space.memory`) of `linear`, or null when it does not translate to RAM. */
function translate(space: AddressSpace, linear: number): number | null {
  const w = space.walk(linear)
  if (w.outcome !== 'ok') return null
  const at = w.dimensions === '2d' ? w.hostPhys : w.physical
  return at !== null && at < space.memory.size ? at : null
}

/** Reads `length` bytes at `linear`; stops at the first byte that cannot be read. */
function readLinear(space: AddressSpace, linear: number, length: number): Uint8Array {
  const out = new Uint8Array(length)
  let n = 0
  while (n < length) {
    const lin = (linear + n) >>> 0
    const phys = translate(space, lin)
    if (phys === null) break
    const chunk = Math.min(length - n, 0x1000 - (lin & 0xfff), space.memory.size - phys)
    out.set(space.memory.u8.subarray(phys, phys + chunk), n)
    n += chunk
  }
  return out.subarray(0, n)
}

/** The readable bytes around `linear`: as far back as {@link CODE_BEFORE} and forward {@link CODE_AFTER}. */
function codeWindow(space: AddressSpace, linear: number): CodeWindow | null {
  const after = readLinear(space, linear, CODE_AFTER)
  if (after.length === 0) return null
  // Whole pages before EIP, nearest first, until one does not translate.
  let start = linear
  const floor = Math.max(0, linear - CODE_BEFORE)
  while (start > floor) {
    const pageStart = Math.max(floor, ((start - 1) & ~0xfff) >>> 0)
    if (translate(space, pageStart) === null) break
    start = pageStart
  }
  const before = readLinear(space, start, linear - start)
  const bytes = new Uint8Array(before.length + after.length)
  bytes.set(before)
  bytes.set(after, before.length)
  return { address: start, bytes }
}

function readTask(space: AddressSpace, hint: TaskHint): string | null {
  const ptr = readLinear(space, hint.pointer, 4)
  if (ptr.length < 4) return null
  const task = (ptr[0] | (ptr[1] << 8) | (ptr[2] << 16) | (ptr[3] << 24)) >>> 0
  if (task === 0) return null
  const raw = readLinear(space, task + hint.nameOffset, Math.min(hint.nameLength, MAX_TASK_NAME))
  const end = raw.indexOf(0)
  const name = raw.subarray(0, end < 0 ? raw.length : end)
  // Printable ASCII only: anything else means the pointer does not point at a task.
  if (name.length === 0 || name.some((b) => b < 0x20 || b > 0x7e)) return null
  return String.fromCharCode(...name)
}

function inspectVm(session: Session, vm: Vm, request: InspectRequest): VmDetail {
  if (vm.state === 'off')
    return { index: vm.index, cpu: null, context: null, code: null, walk: null, vmcs: null, task: null }
  const cpu = vm.cpu
  const cpuView = inspectCpu(cpu)
  const vmcs = vmcsOf(session, vm)
  const space = addressSpace(session, vm, vmcs, cpu.cpl === 3)
  const linearEip = (cpuView.segments.cs.base + cpuView.eip) >>> 0
  return {
    index: vm.index,
    cpu: cpuView,
    context: cpu.context as PrivilegeContext,
    code: space === null ? null : codeWindow(space, linearEip),
    walk: space === null || request.linear === undefined ? null : space.walk(request.linear >>> 0),
    vmcs: vmcs === null ? null : vmcsView(vmcs),
    task: space === null || request.task === undefined ? null : readTask(space, request.task),
  }
}

function vmcsView(vmcs: Vmcs): VmcsView {
  const fields = VMCS_FIELDS.map((f): VmcsFieldView => ({
    name: f.name,
    encoding: f.encoding,
    area: AREA[f.type]!,
    bits: fieldBits(f.encoding),
    value: vmcs.read(f.encoding) >>> 0,
    high: vmcs.readHigh(f.encoding) >>> 0,
  }))
  const read = (f: number) => vmcs.read(f) >>> 0
  const reason = read(VmcsField.VM_EXIT_REASON)
  const qualification = read(VmcsField.EXIT_QUALIFICATION)
  return {
    launched: vmcs.launched,
    eptEnabled: (vmcs.procControls2 & PROC2_ENABLE_EPT) !== 0,
    eptp: vmcs.eptp >>> 0,
    fields,
    lastExit: vmcs.launched
      ? describeExit(reason, qualification, {
          guestLinear: read(VmcsField.GUEST_LINEAR_ADDRESS),
          guestPhysical: read(VmcsField.GUEST_PHYSICAL_ADDRESS),
          instructionLength: instructionLengthDefined(
            reason,
            qualification,
            read(VmcsField.VM_EXIT_INTR_INFO),
            read(VmcsField.IDT_VECTORING_INFO_FIELD),
          )
            ? read(VmcsField.VM_EXIT_INSTRUCTION_LEN)
            : null,
          guestEip: read(VmcsField.GUEST_RIP),
        })
      : null,
  }
}

/**
 * A VM exit by name: its reason (SDM Appendix C) and qualification fields (`qualification.ts`), with
 * the guest-linear and guest-physical addresses kept only where the exit defines them (SDM §28.2.1:
 * guest-physical for EPT violations and misconfigurations; guest-linear for EPT violations with
 * qualification bit 7 set and for INS/OUTS).
 */
export function describeExit(
  reason: number,
  qualification: number,
  extra: {
    readonly guestLinear?: number
    readonly guestPhysical?: number
    readonly instructionLength?: number | null
    readonly guestEip?: number | null
  } = {},
): ExitView {
  const basic = reason & EXIT_REASON_BASIC_MASK
  const q = qualification >>> 0
  const linearDefined =
    (basic === ExitReason.EPT_VIOLATION && (q & EptQual.LINEAR_VALID) !== 0) ||
    (basic === ExitReason.IO_INSTRUCTION && (q & 0x10) !== 0)
  const physicalDefined = basic === ExitReason.EPT_VIOLATION || basic === ExitReason.EPT_MISCONFIG
  return {
    reason: reason >>> 0,
    basic,
    name: exitReasonName(reason),
    entryFailure: (reason & EXIT_REASON_FAILED_VMENTRY) !== 0,
    qualification: q,
    decoded: Object.entries(decodeQualification(basic, q)) as [string, string | number | boolean][],
    guestLinear: linearDefined && extra.guestLinear !== undefined ? extra.guestLinear >>> 0 : null,
    guestPhysical: physicalDefined && extra.guestPhysical !== undefined ? extra.guestPhysical >>> 0 : null,
    instructionLength: extra.instructionLength ?? null,
    guestEip: extra.guestEip ?? null,
  }
}

/** One line of the listing around EIP. */
export interface ListingLine {
  readonly address: number
  readonly bytes: Uint8Array
  readonly text: string
  readonly current: boolean
}

/**
 * The instructions around `eip` in `code`: up to `before` instructions before it and `after` from it
 * on. x86 code cannot be decoded backwards, so decoding is anchored at `functionStart` (the start of
 * the function containing EIP, from the guest's symbol map) when it lies in the window and decodes
 * onto EIP, else at EIP; it starts at the earliest address before the anchor from which consecutive
 * instructions land exactly on it (instruction streams resynchronise within a few instructions, so
 * this is right but for rare overlaps).
 */
export function listingAround(
  code: CodeWindow,
  eip: number,
  functionStart: number | null,
  before = 4,
  after = 6,
): ListingLine[] {
  const end = code.address + code.bytes.length
  if (eip < code.address || eip >= end) return []
  const landsOn = (start: number, target: number): boolean => {
    let at = start
    while (at < target) at += disassemble(code.bytes, at - code.address, at).length
    return at === target
  }
  const anchor =
    functionStart !== null &&
    functionStart >= code.address &&
    functionStart <= eip &&
    landsOn(functionStart, eip)
      ? functionStart
      : eip
  let start = anchor
  for (let s = Math.max(code.address, anchor - 48); s < anchor; s++)
    if (landsOn(s, anchor)) {
      start = s
      break
    }
  const lines: ListingLine[] = []
  let at = start
  let fromEip = 0
  while (at < end && fromEip < after) {
    const insn = disassemble(code.bytes, at - code.address, at)
    const truncated = at + insn.length > end
    if (truncated) break
    lines.push({
      address: at >>> 0,
      bytes: code.bytes.slice(at - code.address, at - code.address + insn.length),
      text: insn.text,
      current: at === eip,
    })
    if (at >= eip) fromEip++
    at += insn.length
  }
  const current = lines.findIndex((l) => l.current)
  return current < 0 ? lines : lines.slice(Math.max(0, current - before))
}
