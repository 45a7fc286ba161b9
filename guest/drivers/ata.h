#ifndef RINGOS_ATA_H
#define RINGOS_ATA_H
#include <stdint.h>
int ata_init(void);
uint32_t ata_sectors(void);
int ata_read(uint32_t lba, void *buf);
int ata_write(uint32_t lba, const void *buf);
void ata_irq(void);
#endif
