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

/**
 * What started a flow, for its label (FlowBegin.arg0): the exit reason with its SDM name, the system
 * call's name, the vector with its mnemonic, the port or address with its device. Null where the
 * number means nothing to a reader (a management step code).
 */
export function flowDetail(kind: FlowKindName, detail: number): string | null {
  switch (kind) {
    case 'vm-exit':
      return `${detail} (${exitReasonName(detail)})`
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
      return String(detail)
    default:
      return null
  }
}

/** A flow's label: the architecture texts' template for its kind, with the detail filled in or appended. */
export function flowLabel(
  template: (kind: FlowKindName, detail: string) => string,
  kind: FlowKindName,
  detail: number,
): string {
  const d = flowDetail(kind, detail)
  if (d === null) return template(kind, '').replace(/\s+$/, '')
  const text = template(kind, d)
  return text.includes(d) ? text : `${text} ${d}`
}
