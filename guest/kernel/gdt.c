/*
 * The GDT: flat 4 GiB code and data segments for ring 0 and for ring 3, and one TSS.
 * Protected-mode x86 cannot run without it; ringos uses segmentation only as the CPU requires
 * (base 0, limit 4 GiB) and protects memory with paging.
 */
#include "gdt.h"
#include "kernel.h"
#include "../platform/platform.h"

struct tss kernel_tss;
uint32_t gdt_loaded_base;
uint16_t gdt_loaded_limit;

static uint64_t gdt[6];

/*
 * A segment descriptor (SDM Vol. 3A §3.4.5, Figure 3-8): base and limit split over the 8 bytes,
 * access byte = present | DPL | type, flags nibble = granularity 4 KiB | 32-bit.
 */
static uint64_t descriptor(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    return (uint64_t)(limit & 0xFFFF)
        | (uint64_t)(base & 0xFFFFFF) << 16
        | (uint64_t)access << 40
        | (uint64_t)((limit >> 16) & 0xF) << 48
        | (uint64_t)(flags & 0xF) << 52
        | (uint64_t)(base >> 24) << 56;
}

#define ACC_PRESENT 0x80
#define ACC_DPL3 0x60
#define ACC_CODE 0x1A /* S=1, code, readable (type 1010b) */
#define ACC_DATA 0x12 /* S=1, data, writable (type 0010b) */
#define ACC_TSS32 0x09 /* S=0, 32-bit TSS, available (SDM Table 3-2) */
#define FLAGS_4K_32 0xC

void gdt_init(void)
{
    gdt[0] = 0;
    gdt[KERNEL_CS >> 3] = descriptor(0, 0xFFFFF, ACC_PRESENT | ACC_CODE, FLAGS_4K_32);
    gdt[KERNEL_DS >> 3] = descriptor(0, 0xFFFFF, ACC_PRESENT | ACC_DATA, FLAGS_4K_32);
    gdt[USER_CS >> 3] = descriptor(0, 0xFFFFF, ACC_PRESENT | ACC_DPL3 | ACC_CODE, FLAGS_4K_32);
    gdt[USER_DS >> 3] = descriptor(0, 0xFFFFF, ACC_PRESENT | ACC_DPL3 | ACC_DATA, FLAGS_4K_32);
    gdt[TSS_SEL >> 3] = descriptor((uint32_t)&kernel_tss, sizeof kernel_tss - 1, ACC_PRESENT | ACC_TSS32, 0);

    kernel_tss.ss0 = KERNEL_DS;
    kernel_tss.iomap_base = sizeof kernel_tss; /* no I/O bitmap: IN/OUT at ring 3 raise #GP (SDM §18.5.2) */

    gdt_loaded_base = (uint32_t)gdt;
    gdt_loaded_limit = sizeof gdt - 1;
    plat_lgdt(gdt, gdt_loaded_limit);
    plat_ltr(TSS_SEL);
}
