/*
 * An ATA disk on the primary IDE channel (command block 0x1F0-0x1F7, control 0x3F6, IRQ 14), master
 * drive, 28-bit LBA, PIO data transfer (ATA/ATAPI-6, T13/1410D: §8.27 READ SECTORS, §8.62 WRITE
 * SECTORS, §8.15 IDENTIFY DEVICE; §9.5 PIO data-in and data-out protocols).
 *
 * The driver issues a command and waits for the device's interrupt with the CPU halted (in an emulator,
 * each of these IN and OUT instructions is a trap to the device model: the classic cost of emulated I/O).
 */
#include "ata.h"
#include "../kernel/x86.h"
#include "../platform/platform.h"

#define ATA 0x1F0
#define ATA_CTRL 0x3F6
#define REG_DATA 0
#define REG_ERROR 1
#define REG_COUNT 2
#define REG_LBA0 3
#define REG_LBA1 4
#define REG_LBA2 5
#define REG_DEVICE 6
#define REG_STATUS 7 /* read: status (reading it acknowledges the interrupt) */
#define REG_COMMAND 7 /* write: command */

#define ST_ERR 0x01
#define ST_DRQ 0x08
#define ST_DF 0x20
#define ST_BSY 0x80

#define CMD_READ_SECTORS 0x20
#define CMD_WRITE_SECTORS 0x30
#define CMD_IDENTIFY 0xEC

#define DEV_LBA_MASTER 0xE0 /* bits 7 and 5 set (obsolete, always 1), LBA mode, device 0 */

static volatile int irq_seen;
static volatile uint8_t irq_status;
static uint32_t total_sectors;

void ata_irq(void)
{
    irq_status = inb(ATA + REG_STATUS);
    irq_seen = 1;
}

static uint8_t wait_irq(void)
{
    while (!irq_seen)
        plat_wait_for_interrupt();
    irq_seen = 0;
    return irq_status;
}

static void wait_not_busy(void)
{
    while (inb(ATA + REG_STATUS) & ST_BSY)
        ;
}

static void command(uint32_t lba, uint8_t cmd)
{
    wait_not_busy();
    outb(ATA + REG_DEVICE, DEV_LBA_MASTER | ((lba >> 24) & 0x0F));
    outb(ATA + REG_COUNT, 1);
    outb(ATA + REG_LBA0, (uint8_t)lba);
    outb(ATA + REG_LBA1, (uint8_t)(lba >> 8));
    outb(ATA + REG_LBA2, (uint8_t)(lba >> 16));
    irq_seen = 0;
    outb(ATA + REG_COMMAND, cmd);
}

int ata_init(void)
{
    outb(ATA_CTRL, 0x00); /* device control: nIEN = 0, the device may interrupt */
    outb(ATA + REG_DEVICE, DEV_LBA_MASTER);
    if (inb(ATA + REG_STATUS) == 0xFF)
        return -1; /* floating bus: no drive */
    uint16_t id[256];
    command(0, CMD_IDENTIFY);
    uint8_t st = wait_irq();
    if (st & (ST_ERR | ST_DF) || !(st & ST_DRQ))
        return -1;
    insw(ATA + REG_DATA, id, 256);
    total_sectors = id[60] | (uint32_t)id[61] << 16; /* words 60-61: addressable sectors for LBA28 */
    return 0;
}

uint32_t ata_sectors(void) { return total_sectors; }

int ata_read(uint32_t lba, void *buf)
{
    command(lba, CMD_READ_SECTORS);
    uint8_t st = wait_irq(); /* the device interrupts when the sector is in its buffer (DRQ) */
    if (st & (ST_ERR | ST_DF) || !(st & ST_DRQ))
        return -1;
    insw(ATA + REG_DATA, buf, 256);
    return 0;
}

int ata_write(uint32_t lba, const void *buf)
{
    command(lba, CMD_WRITE_SECTORS);
    uint8_t st;
    while (((st = inb(ATA + REG_STATUS)) & (ST_BSY | ST_DRQ)) != ST_DRQ) /* ready for the data: no interrupt here */
        if (st & (ST_ERR | ST_DF))
            return -1;
    outsw(ATA + REG_DATA, buf, 256);
    st = wait_irq(); /* the device interrupts when it has taken the sector */
    return st & (ST_ERR | ST_DF) ? -1 : 0;
}
