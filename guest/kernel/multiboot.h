/*
 * Multiboot 1 (GNU Multiboot Specification 0.6.96): the header a loader looks for in the first 8 KiB
 * of the image, and the information block it hands over in EBX (with EAX = 0x2BADB002).
 */
#ifndef RINGOS_MULTIBOOT_H
#define RINGOS_MULTIBOOT_H

#include <stdint.h>

#define MULTIBOOT_HEADER_MAGIC 0x1BADB002u
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u

#define MULTIBOOT_INFO_MEMORY 0x001u  /* mem_lower and mem_upper are valid */
#define MULTIBOOT_INFO_CMDLINE 0x004u /* cmdline is valid */

/* §3.3 Boot information format (only the fields ringos reads). */
struct multiboot_info {
    uint32_t flags;
    uint32_t mem_lower; /* KiB of memory below 1 MiB */
    uint32_t mem_upper; /* KiB of memory from 1 MiB up to the first hole */
    uint32_t boot_device;
    uint32_t cmdline;   /* physical address of a NUL-terminated string */
};

#endif
