/*
 * The CPU's own instructions, shared by every platform whose kernel runs in ring 0 with its own
 * descriptor tables and page tables (native, virtio, hyperv): interrupts on and off (CLI/STI,
 * PUSHF/POPF, STI+HLT), LGDT/LIDT/LTR/SGDT, MOV CR3, INVLPG, and page-table entries written in place.
 * On bare metal, and under hardware-assisted virtualization, these are simply executed; a hypervisor
 * sees only those it chose to intercept (the MOV CR3 and HLT exits of a VT-x model).
 */
#include "platform.h"
#include "../kernel/x86.h"
#include "../kernel/gdt.h"

/* QEMU's isa-debug-exit device, which every Ringside machine has (a real Hyper-V VM has none [R]):
 * the machine stops with status (code << 1) | 1. */
#define DEBUG_EXIT_PORT 0x501

struct dtr {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed));

void plat_poweroff(unsigned code)
{
    outb(DEBUG_EXIT_PORT, (uint8_t)code);
    plat_halt(); /* no debug-exit device: stop here */
}

void plat_halt(void)
{
    for (;;)
        __asm__ volatile("cli; hlt");
}

void plat_set_pte(uint32_t *entry, uint32_t value) { *(volatile uint32_t *)entry = value; }
uint32_t plat_get_pte(const uint32_t *entry) { return *(const volatile uint32_t *)entry; }
void plat_pagetable_created(uint32_t phys, int level) { (void)phys, (void)level; }
void plat_pagetable_freed(uint32_t phys, int level) { (void)phys, (void)level; }

/* CR3 holds the page directory; CR0.PG turns paging on, CR0.WP makes read-only pages read-only for
 * the kernel too (SDM Vol. 3A §2.5, §4.1.3). */
void plat_paging_enable(uint32_t pd_phys)
{
    uint32_t cr0;
    __asm__ volatile("mov %0, %%cr3" : : "r"(pd_phys) : "memory");
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    cr0 |= 0x80010000u;
    __asm__ volatile("mov %0, %%cr0" : : "r"(cr0) : "memory");
}

void plat_load_cr3(uint32_t pd_phys) { __asm__ volatile("mov %0, %%cr3" : : "r"(pd_phys) : "memory"); }
void plat_invlpg(uint32_t va) { __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory"); }

void plat_flush_tlb(void)
{
    uint32_t cr3;
    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    __asm__ volatile("mov %0, %%cr3" : : "r"(cr3) : "memory");
}

/* After LGDT the segment registers still hold descriptors from the old table: reload each, CS by a
 * far jump (SDM Vol. 3A §3.4.3, §9.9.1). */
void plat_lgdt(const void *base, uint16_t limit)
{
    struct dtr d = { limit, (uint32_t)base };
    __asm__ volatile("lgdt %0" : : "m"(d));
    __asm__ volatile("ljmp %0, $1f\n1:\n\t"
                     "mov %w1, %%ds\n\tmov %w1, %%es\n\tmov %w1, %%fs\n\tmov %w1, %%gs\n\tmov %w1, %%ss"
                     : : "i"(KERNEL_CS), "r"(KERNEL_DS) : "memory");
}

void plat_lidt(const void *base, uint16_t limit)
{
    struct dtr d = { limit, (uint32_t)base };
    __asm__ volatile("lidt %0" : : "m"(d));
}

void plat_ltr(uint16_t selector) { __asm__ volatile("ltr %0" : : "r"(selector)); }
void plat_set_kernel_stack(uint32_t esp0) { kernel_tss.esp0 = esp0; }

void plat_sgdt(uint32_t *base, uint16_t *limit)
{
    struct dtr d;
    __asm__ volatile("sgdt %0" : "=m"(d));
    *base = d.base;
    *limit = d.limit;
}

void plat_irq_enable(void) { __asm__ volatile("sti" : : : "memory"); }
void plat_irq_disable(void) { __asm__ volatile("cli" : : : "memory"); }

uint32_t plat_flags_read(void)
{
    uint32_t f;
    __asm__ volatile("pushf; pop %0" : "=r"(f) : : "memory");
    return f;
}

void plat_flags_write(uint32_t flags) { __asm__ volatile("push %0; popf" : : "r"(flags) : "memory", "cc"); }

/* STI takes effect after the next instruction, so no interrupt can slip in between STI and HLT and
 * leave the CPU halted with the interrupt already handled (SDM Vol. 2B, STI). */
void plat_wait_for_interrupt(void) { __asm__ volatile("sti; hlt; cli" : : : "memory"); }
