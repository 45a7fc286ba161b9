/**
 * Hyper-V hypercalls as the hypervisor receives them (TLFS hypercall-interface.md, "Hypercall
 * Inputs" and "Register Mapping for Hypercall Inputs"): a 32-bit guest calls the hypercall page with
 * the hypercall input value in EDX:EAX, the input parameters GPA (or, for a fast call, the input value
 * itself) in EBX:ECX and the output parameters GPA in EDI:ESI; the result value comes back in EDX:EAX.
 * Only CPL 0 may call: a VMCALL from an outer ring gets #UD.
 *
 * This module decodes and validates the call and its input block and hands HvCallPostMessage and
 * HvCallSignalEvent to the partition's ports (the VMBus host); docs/hyperv-abi.md §3 is the contract.
 */
import type { DmaMemory } from '../../machine/memory'

/** HV_STATUS values (TLFS datatypes/hv_status.md). */
export const HvStatus = {
  success: 0x0000,
  invalidHypercallCode: 0x0002,
  invalidHypercallInput: 0x0003,
  invalidAlignment: 0x0004,
  invalidParameter: 0x0005,
  invalidConnectionId: 0x0012,
  insufficientBuffers: 0x0013,
} as const
export type HvStatusCode = (typeof HvStatus)[keyof typeof HvStatus]

/** Call codes of the hypercalls a child partition of Ringside's Hyper-V may make (TLFS hypercalls/). */
export const HvCall = {
  postMessage: 0x005c,
  signalEvent: 0x005d,
} as const

/** The TLFS names of those call codes (hypercalls/HvCallPostMessage.md, HvCallSignalEvent.md), for events and the UI. */
export const HV_CALL_NAMES: ReadonlyMap<number, string> = new Map([
  [HvCall.postMessage, 'HvCallPostMessage'],
  [HvCall.signalEvent, 'HvCallSignalEvent'],
])

/** HV_MESSAGE_MAX_PAYLOAD_BYTE_COUNT (TLFS datatypes/hv_message.md). */
export const HV_MESSAGE_PAYLOAD_BYTES = 240
/** The HvCallPostMessage input block: connection id, RsvdZ, message type, payload size, payload. */
export const POST_MESSAGE_INPUT_BYTES = 16 + HV_MESSAGE_PAYLOAD_BYTES

/**
 * The hypercall input value, bits 63:0 (TLFS "Hypercall Inputs"): call code 15:0, fast 16, variable
 * header size 26:17, rep count 43:32, rep start index 59:48; bits 31:27, 47:44 and 63:60 are reserved.
 */
export interface HypercallInput {
  readonly code: number
  readonly fast: boolean
  readonly varHeaderSize: number
  readonly repCount: number
  readonly repStart: number
  /** True when a reserved bit is set. */
  readonly reservedBits: boolean
}

/** Splits the input value EDX:EAX into its fields. */
export function decodeHypercallInput(eax: number, edx: number): HypercallInput {
  const lo = eax >>> 0
  const hi = edx >>> 0
  return {
    code: lo & 0xffff,
    fast: (lo & 0x10000) !== 0,
    varHeaderSize: (lo >>> 17) & 0x3ff,
    repCount: hi & 0xfff,
    repStart: (hi >>> 16) & 0xfff,
    reservedBits: (lo & 0xf8000000) !== 0 || (hi & 0xf000f000) !== 0,
  }
}

/** The general registers a 32-bit hypercall reads (the model copies them from the vCPU). */
export interface HypercallRegs {
  readonly eax: number
  readonly ebx: number
  readonly ecx: number
  readonly edx: number
  readonly esi: number
  readonly edi: number
}

/** Where the two supported calls go: the partition's connections (the VMBus host owns them). */
export interface HypercallPorts {
  /** HvCallPostMessage to a connection, after the generic checks; returns the call's status. */
  postMessage(connectionId: number, messageType: number, payload: Uint8Array): HvStatusCode
  /** HvCallSignalEvent on a connection, after the generic checks; returns the call's status. */
  signalEvent(connectionId: number, flagNumber: number): HvStatusCode
}

/** What a VMCALL did: `ud` when the guest gets #UD instead; else the result to put in EDX:EAX. */
export type HypercallOutcome =
  | { readonly kind: 'ud'; readonly reason: 'cpl' | 'disabled' }
  | {
      readonly kind: 'done'
      readonly input: HypercallInput
      readonly status: HvStatusCode
      /** The hypercall result value (TLFS "Hypercall Result Value"): status in 15:0, reps completed in 43:32. */
      readonly eax: number
      readonly edx: number
    }

function done(input: HypercallInput, status: HvStatusCode): HypercallOutcome {
  return { kind: 'done', input, status, eax: status, edx: 0 }
}

/**
 * Reads an input block of `bytes` at the GPA in EBX:ECX (TLFS: "Input and output data structures
 * must be placed in memory on an 8-byte boundary", and parameter lists may not cross a page).
 * Returns the bytes or the status that refuses the block; a block outside guest RAM is
 * INVALID_PARAMETER [R].
 */
function readInputBlock(mem: DmaMemory, regs: HypercallRegs, bytes: number): Uint8Array | HvStatusCode {
  const hi = regs.ebx >>> 0
  const gpa = regs.ecx >>> 0
  if ((gpa & 7) !== 0 || (gpa & 0xfff) + bytes > 0x1000) return HvStatus.invalidAlignment
  if (hi !== 0 || gpa + bytes > mem.size) return HvStatus.invalidParameter
  return mem.readBytes(gpa, bytes)
}

function u32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0
}

/**
 * Performs a VMCALL made through the hypercall page. `enabled` says whether the guest enabled the
 * hypercall page (a VMCALL without it gets #UD [R]); `cpl` is the caller's privilege level.
 * Never throws on guest input: every malformed call ends in an HV_STATUS (docs/hyperv-abi.md §3).
 */
export function performHypercall(
  regs: HypercallRegs,
  cpl: number,
  enabled: boolean,
  mem: DmaMemory,
  ports: HypercallPorts,
): HypercallOutcome {
  if (cpl !== 0) return { kind: 'ud', reason: 'cpl' }
  if (!enabled) return { kind: 'ud', reason: 'disabled' }
  const input = decodeHypercallInput(regs.eax, regs.edx)
  // Both calls are simple (not rep) calls: a rep count or start index is invalid input.
  if (input.reservedBits || input.repCount !== 0 || input.repStart !== 0 || input.varHeaderSize !== 0) {
    return done(input, HvStatus.invalidHypercallInput)
  }
  switch (input.code) {
    case HvCall.postMessage: {
      // HvCallPostMessage has no register form; QEMU answers INVALID_HYPERCALL_CODE to a fast one.
      if (input.fast) return done(input, HvStatus.invalidHypercallCode)
      const block = readInputBlock(mem, regs, POST_MESSAGE_INPUT_BYTES)
      if (typeof block === 'number') return done(input, block)
      const connectionId = u32(block, 0)
      const type = u32(block, 8)
      const size = u32(block, 12)
      if (u32(block, 4) !== 0) return done(input, HvStatus.invalidHypercallInput)
      // TLFS HvCallPostMessage: any type with bit 31 clear except 0; at most 240 payload bytes.
      if (size > HV_MESSAGE_PAYLOAD_BYTES || type === 0 || type >= 0x80000000) {
        return done(input, HvStatus.invalidParameter)
      }
      return done(input, ports.postMessage(connectionId, type, block.slice(16, 16 + size)))
    }
    case HvCall.signalEvent: {
      let lo: number
      let hi: number
      if (input.fast) {
        lo = regs.ecx >>> 0
        hi = regs.ebx >>> 0
      } else {
        const block = readInputBlock(mem, regs, 8)
        if (typeof block === 'number') return done(input, block)
        lo = u32(block, 0)
        hi = u32(block, 4)
      }
      if (hi >>> 16 !== 0) return done(input, HvStatus.invalidHypercallInput)
      return done(input, ports.signalEvent(lo, hi & 0xffff))
    }
    default:
      return done(input, HvStatus.invalidHypercallCode)
  }
}
