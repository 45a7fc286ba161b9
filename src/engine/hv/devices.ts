import { Irq, PcLayout } from '../machine/layout'

/**
 * Which hardware-row component of the diagram a PC port, MMIO address or IRQ line belongs to
 * (topology.ts HARDWARE_COMPONENTS). The 8259A and the debug-exit port sit on the board beside the
 * CPU and are shown as part of it [R: the diagram's hardware row has no separate chipset box].
 */
export type HardwareId = 'cpu' | 'memory' | 'disk' | 'nic' | 'uart' | 'timer'

export function portDevice(port: number): HardwareId {
  if (port >= PcLayout.pit && port <= PcLayout.pit + 3) return 'timer'
  if (
    (port >= PcLayout.com1 && port <= PcLayout.com1 + 7) ||
    (port >= PcLayout.com2 && port <= PcLayout.com2 + 7)
  )
    return 'uart'
  if ((port >= PcLayout.ataCommand && port <= PcLayout.ataCommand + 7) || port === PcLayout.ataControl)
    return 'disk'
  return 'cpu'
}

export function mmioDevice(addr: number): HardwareId {
  const slot = Math.floor((addr - PcLayout.virtioMmioBase) / PcLayout.virtioMmioStride)
  if (slot === PcLayout.virtioConsoleSlot) return 'uart'
  if (slot === PcLayout.virtioBlockSlot) return 'disk'
  return 'memory'
}

export function irqDevice(irq: number): HardwareId {
  switch (irq) {
    case Irq.pit:
      return 'timer'
    case Irq.com1:
    case Irq.com2:
    case Irq.virtioConsole:
      return 'uart'
    case Irq.ata:
    case Irq.virtioBlock:
      return 'disk'
    default:
      return 'cpu'
  }
}
