/**
 * The Ringside PC: the physical address map, I/O ports and IRQ lines every guest and device agrees on.
 * It follows the classic ISA PC (and QEMU's `pc`/`isapc` machines) where one exists, so ringos also
 * boots on `qemu-system-i386 -kernel` for the native platform; virtio-mmio has no ISA home, so its
 * window and IRQs are Ringside's choice ([R]: modelled on QEMU `microvm`, which also puts virtio-mmio
 * at 0xfeb00000 in 512-byte slots).
 */
export const PcLayout = {
  /** Default RAM size (MiB) when a run does not say. */
  defaultMemMiB: 64,
  /** Where a flat image is loaded and entered by default (1 MiB, as multiboot kernels are). */
  defaultLoadAddr: 0x100000,

  /** 8259A master and slave (Intel 8259A datasheet; PC/AT ports). */
  picMaster: 0x20,
  picSlave: 0xa0,
  /** 8254 PIT: channels 0–2 at 0x40–0x42, mode/command at 0x43; input clock 1.193182 MHz. */
  pit: 0x40,
  pitHz: 1_193_182,
  /** NS16550A UARTs. */
  com1: 0x3f8,
  com2: 0x2f8,
  /** ATA primary channel: command block 0x1f0–0x1f7, control block 0x3f6 (device control / alt status). */
  ataCommand: 0x1f0,
  ataControl: 0x3f6,
  /** QEMU isa-debug-exit: a write of v ends the run with exit code (v << 1) | 1. */
  debugExit: 0x501,

  /** virtio-mmio window (virtio 1.x §4.2): slot i at base + i * stride. */
  virtioMmioBase: 0xfeb00000,
  virtioMmioStride: 0x200,
  /** Slot 0: virtio console (device id 3); slot 1: virtio block (device id 2). */
  virtioConsoleSlot: 0,
  virtioBlockSlot: 1,
} as const

/** ISA IRQ lines (PC/AT assignment; 10 and 11 are free on the AT and used here for virtio-mmio). */
export const Irq = {
  pit: 0,
  cascade: 2,
  com2: 3,
  com1: 4,
  virtioConsole: 10,
  virtioBlock: 11,
  ata: 14,
} as const

/** Vector base the BIOS leaves the PICs at is irrelevant here: guests program ICW2 themselves. */
export const MULTIBOOT_BOOTLOADER_MAGIC = 0x2badb002
