import type { ArchId } from '../../engine/hv/architectures'
import { HV_CALL_NAMES } from '../../engine/hv/hyperv/hypercalls'
import { HYPERCALL_NAMES } from '../../engine/hv/xen-pv/abi'
import { PcLayout } from '../../engine/machine/layout'
import { exitReasonName } from '../../engine/vmx/exit-reasons'
import type { FlowKindName } from '../diagram/trace-adapter'

/** Exception mnemonics by vector (Intel SDM Vol. 3A, Table 6-1). */
// prettier-ignore
const EXCEPTIONS = [
  '#DE', '#DB', 'NMI', '#BP', '#OF', '#BR', '#UD', '#NM', '#DF', 'CSO', '#TS', '#NP', '#SS', '#GP', '#PF', '',
  '#MF', '#AC', '#MC', '#XM', '#VE', '#CP',
]

/** ringos system calls by number (guest/include/abi.h). */
// prettier-ignore
const RINGOS_SYSCALLS = [
  'exit', 'write', 'read', 'getpid', 'yield', 'sleep', 'uptime', 'spawn', 'wait', 'open', 'close', 'readdir',
  'procinfo', 'lab', 'poweroff',
]

const hex = (n: number) => `0x${n.toString(16).toUpperCase()}`

/** The device behind a port or an MMIO address of the Ringside PC (src/engine/machine/layout.ts). */
function deviceAt(addr: number): string | null {
  const within = (base: number, size: number) => addr >= base && addr < base + size
  if (within(PcLayout.com1, 8)) return 'COM1'
  if (within(PcLayout.com2, 8)) return 'COM2'
  if (within(PcLayout.ataCommand, 8) || addr === PcLayout.ataControl) return 'ATA'
  if (within(PcLayout.picMaster, 2) || within(PcLayout.picSlave, 2)) return '8259A'
  if (within(PcLayout.pit, 4)) return '8254'
  if (addr === PcLayout.debugExit) return 'debug-exit'
  if (within(PcLayout.virtioMmioBase, 8 * PcLayout.virtioMmioStride)) return 'virtio-mmio'
  return null
}

/** Hypercall names by number in each hypervisor's own ABI (the engine's tables). */
const HYPERCALLS: Partial<Record<ArchId, ReadonlyMap<number, string>>> = {
  'xen-pv': HYPERCALL_NAMES,
  hyperv: HV_CALL_NAMES,
}

/** A hypercall's name under an architecture (`mmuext_op`, `HvCallSignalEvent`), or null if it has none. */
export function hypercallName(arch: string | null, code: number): string | null {
  return (arch === null ? undefined : HYPERCALLS[arch as ArchId]?.get(code)) ?? null
}

/** What started a flow, as the trace adapter saw it. */
export interface FlowStart {
  readonly kind: FlowKindName
  /** FlowBegin.arg0: exit reason, hypercall number, system call, vector, port or address. */
  readonly detail: number
  /** The call code of a Hypercall event inside the flow (Hyper-V's VMCALL exit), or -1. */
  readonly hypercall: number
}

/**
 * What started a flow, for its label: the exit reason with its SDM name (and the hypercall a VMCALL
 * made), the hypercall's or system call's name, the vector with its mnemonic, the port or address with
 * its device. Null where the number means nothing to a reader (a management step code).
 */
export function flowDetail({ kind, detail, hypercall }: FlowStart, arch: string | null): string | null {
  switch (kind) {
    case 'vm-exit': {
      const reason = exitReasonName(detail)
      if (hypercall < 0) return `${detail} (${reason})`
      return `${detail} (${reason} · ${hypercallName(arch, hypercall) ?? hex(hypercall)})`
    }
    case 'syscall': {
      const name = RINGOS_SYSCALLS[detail]
      return name === undefined ? String(detail) : `${name} (${detail})`
    }
    case 'exception': {
      const name = EXCEPTIONS[detail]
      return name ? `${detail} (${name})` : String(detail)
    }
    case 'interrupt':
      return `${detail} (${hex(detail)})`
    case 'device-access':
    case 'device-notify': {
      const device = deviceAt(detail)
      return device === null ? hex(detail) : `${hex(detail)} (${device})`
    }
    case 'hypercall':
    case 'page-table-update': {
      // Xen PV's page-table updates are hypercalls (mmu_update, mmuext_op, update_va_mapping); a
      // shadow-paging monitor's are page faults, whose vector says nothing new.
      const name = hypercallName(arch, detail)
      if (name !== null) return `${name} (${detail})`
      return kind === 'hypercall' ? String(detail) : null
    }
    default:
      return null
  }
}

/** A flow's label: the architecture texts' template for its kind, with the detail filled in or appended. */
export function flowLabel(
  template: (kind: FlowKindName, detail: string) => string,
  start: FlowStart,
  arch: string | null,
): string {
  const d = flowDetail(start, arch)
  if (d === null) return template(start.kind, '').replace(/\s+$/, '')
  const text = template(start.kind, d)
  return text.includes(d) ? text : `${text} ${d}`
}
