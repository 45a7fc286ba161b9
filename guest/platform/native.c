/*
 * The native platform: the devices of a PC/AT, driven through their I/O ports — a 16550A UART for the
 * console and an ATA disk on the primary IDE channel. Under a hypervisor every one of those IN and OUT
 * instructions is an exit to the device model.
 */
#include "platform.h"
#include "pc.h"
#include "../kernel/trap.h"
#include "../kernel/kernel.h"
#include "../drivers/uart.h"
#include "../drivers/ata.h"

#define IRQ_COM1 4
#define IRQ_ATA 14

const char plat_name[] = "native";
const char plat_devices[] = "8259A PIC, 8254 PIT, 16550A UART, ATA PIO disk";
static int have_disk;

void plat_init(void)
{
    pc_interrupts_init();
    uart_init();
    irq_set_handler(IRQ_COM1, uart_irq);
    plat_irq_unmask(IRQ_COM1);
    irq_set_handler(IRQ_ATA, ata_irq);
    plat_irq_unmask(IRQ_ATA);
    have_disk = ata_init() == 0;
}

void plat_console_write(const char *s, size_t n) { uart_write(s, n); }
uint32_t plat_block_sectors(void) { return have_disk ? ata_sectors() : 0; }
int plat_block_read(uint32_t lba, void *buf) { return have_disk ? ata_read(lba, buf) : -1; }
int plat_block_write(uint32_t lba, const void *buf) { return have_disk ? ata_write(lba, buf) : -1; }
