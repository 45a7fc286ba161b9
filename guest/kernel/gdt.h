/* The kernel's Global Descriptor Table and Task State Segment (SDM Vol. 3A §3.4.5, §7.2). */
#ifndef RINGOS_GDT_H
#define RINGOS_GDT_H

#include <stdint.h>

/* Selectors: index << 3 | requested privilege level. The kernel's ring is 0, or 1 when it is built for
 * Xen PV (RINGOS_XEN_PV), where Xen keeps ring 0 and runs the guest kernel in ring 1 with the same
 * table (Xen makes its descriptors DPL 1 when it validates them). */
#ifdef RINGOS_XEN_PV
#define KERNEL_RPL 1
#else
#define KERNEL_RPL 0
#endif
#define KERNEL_CS (0x08 | KERNEL_RPL)
#define KERNEL_DS (0x10 | KERNEL_RPL)
#define USER_CS (0x18 | 3)
#define USER_DS (0x20 | 3)
#define TSS_SEL 0x28

/* The 32-bit TSS (SDM Vol. 3A Figure 7-2). Ringos uses it only for SS0:ESP0, the stack the CPU
 * switches to when an interrupt or int 0x80 arrives in ring 3; no hardware task switching. */
struct tss {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2;
    uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap_base;
} __attribute__((packed));

extern struct tss kernel_tss;
/* What gdt_init gave LGDT (the sgdt lab program compares it with what SGDT reports). */
extern uint32_t gdt_loaded_base;
extern uint16_t gdt_loaded_limit;

void gdt_init(void);

#endif
