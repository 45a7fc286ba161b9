import { PcLayout } from '../../machine/layout'

/**
 * Which emulated device of the Ringside PC a guest port or MMIO access reaches, in the terms that
 * decide where a hypervisor emulates it: the chipset (8259A, 8254 — in-hypervisor on KVM and Xen),
 * consoles and storage (a device model), a virtio doorbell, the debug-exit port, or nothing.
 */
export type DeviceClass = 'chipset' | 'console' | 'storage' | 'notify' | 'debug' | 'none'

export function portClass(port: number): DeviceClass {
  const p = port & 0xffff
  if (
    p === PcLayout.picMaster ||
    p === PcLayout.picMaster + 1 ||
    p === PcLayout.picSlave ||
    p === PcLayout.picSlave + 1
  )
    return 'chipset'
  if (p >= PcLayout.pit && p <= PcLayout.pit + 3) return 'chipset'
  if ((p & ~7) === PcLayout.com1 || (p & ~7) === PcLayout.com2) return 'console'
  if ((p & ~7) === PcLayout.ataCommand || p === PcLayout.ataControl) return 'storage'
  if (p === PcLayout.debugExit || p === PcLayout.debugExit + 1) return 'debug'
  return 'none'
}

/** virtio-mmio QueueNotify register offset (virtio 1.1 §4.2.2, Table 4.1). */
export const VIRTIO_QUEUE_NOTIFY = 0x50

export function mmioClass(gpa: number): DeviceClass {
  const off = gpa - PcLayout.virtioMmioBase
  if (off < 0 || off >= 0x1000) return 'none'
  if (off % PcLayout.virtioMmioStride === VIRTIO_QUEUE_NOTIFY) return 'notify'
  const slot = Math.floor(off / PcLayout.virtioMmioStride)
  if (slot === PcLayout.virtioConsoleSlot) return 'console'
  if (slot === PcLayout.virtioBlockSlot) return 'storage'
  return 'none'
}

/** The virtio-mmio slot (PcLayout.virtio*Slot) an MMIO address falls in. */
export function mmioSlot(gpa: number): number {
  return Math.floor((gpa - PcLayout.virtioMmioBase) / PcLayout.virtioMmioStride)
}

/** The virtio-mmio window the Ringside PC decodes (one page of 512-byte slots). */
export const MMIO_WINDOW = { base: PcLayout.virtioMmioBase, size: 0x1000 } as const
