/*
 * The platform interface: everything the ringos kernel asks of the machine under it.
 *
 * The kernel proper (kernel/) never touches a device register or executes a privileged instruction
 * itself: it calls these functions. One implementation per platform is linked in at build time:
 *
 *   native  platform/cpu.c + pc.c + native.c   8259A PIC, 8254 PIT, 16550A UART, ATA PIO disk
 *   virtio  platform/cpu.c + pc.c + virtio.c   the same PIC and PIT; virtio-mmio console and block
 *   hyperv  platform/cpu.c + hyperv.c          Hyper-V: hypercall page, SynIC, synthetic timer, VMBus
 *                                              console and storage (docs/hyperv-abi.md)
 *   xen-pv  platform/xen-pv.c                  Xen 32-bit PV, kernel in ring 1: hypercalls, event
 *                                              channels, console ring, blkfront (docs/xen-pv-abi.md)
 *
 * cpu.c holds the CPU instructions themselves (CLI/STI, PUSHF/POPF, HLT, LGDT/LIDT/LTR/SGDT, MOV CR3,
 * INVLPG), pc.c the PIC and PIT. The paravirtual xen-pv platform, whose kernel is deprivileged,
 * replaces each with its Xen operation (hypercalls for page tables, CR3 and the trap table, the
 * event-channel mask instead of CLI/STI, split drivers).
 */
#ifndef RINGOS_PLATFORM_H
#define RINGOS_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

/* ---- identity and bring-up ---- */

/* The platform's name ("native", "virtio", "hyperv") and a one-line description of its devices. */
extern const char plat_name[];
extern const char plat_devices[];
/* Brings up interrupt control (all lines masked), console and block device. Paging is on by then. */
void plat_init(void);
/* Stops the machine, reporting code where the machine has a way to (QEMU isa-debug-exit on the PC). */
__attribute__((noreturn)) void plat_poweroff(unsigned code);
/* Stops the CPU for good, interrupts off (CLI; HLT): where a panic ends. */
__attribute__((noreturn)) void plat_halt(void);

/* ---- console ---- */

/* Writes bytes to the console, one batch per call where the device allows (virtio: one notify). */
void plat_console_write(const char *s, size_t n);
/* Received bytes go from the platform's interrupt handler to console_input() (kernel/console.c). */
void console_input(const char *s, size_t n);

/* ---- block device (512-byte sectors) ---- */

uint32_t plat_block_sectors(void);
/* Reads or writes one sector, waiting for the device's completion interrupt. 0 on success. */
int plat_block_read(uint32_t lba, void *buf);
int plat_block_write(uint32_t lba, const void *buf);

/* ---- timer ---- */

/* Starts a periodic interrupt at hz per second that calls timer_tick() (kernel/sched.c). */
void plat_timer_start(unsigned hz);

/* ---- interrupt control ---- */

/* Unmasks or masks one interrupt line (ISA IRQ numbering on the PC). */
void plat_irq_unmask(unsigned line);
void plat_irq_mask(unsigned line);
/* Tells the interrupt controller the handler for line is done (end of interrupt). */
void plat_irq_eoi(unsigned line);
/* Non-zero when an interrupt on line was spurious (the controller has been dealt with: no handler,
 * no EOI). */
int plat_irq_spurious(unsigned line);

/* ---- page tables (32-bit two-level paging, SDM Vol. 3A §4.3) ---- */

/* Writes or reads one entry of a page directory or page table. The kernel's entries hold the
 * addresses it knows (physical on the PC); a paravirtual platform translates them to and from the
 * machine frames the hypervisor needs (Xen PV's pseudo-physical to machine map). */
void plat_set_pte(uint32_t *entry, uint32_t value);
uint32_t plat_get_pte(const uint32_t *entry);
/* A page frame becomes, or stops being, a page directory (level 2) or page table (level 1). */
void plat_pagetable_created(uint32_t phys, int level);
void plat_pagetable_freed(uint32_t phys, int level);
/* Turns paging on with the given page directory (CR3, then CR0.PG and CR0.WP). */
void plat_paging_enable(uint32_t pd_phys);
/* Switches address space (MOV CR3). */
void plat_load_cr3(uint32_t pd_phys);
/* Drops the TLB entry for one page (INVLPG), or the whole non-global TLB. */
void plat_invlpg(uint32_t va);
void plat_flush_tlb(void);

/* ---- descriptor tables and the kernel stack ---- */

void plat_lgdt(const void *base, uint16_t limit);
void plat_lidt(const void *base, uint16_t limit);
void plat_ltr(uint16_t selector);
/* The stack the CPU switches to when an interrupt arrives in ring 3 (TSS.ESP0 on the PC). */
void plat_set_kernel_stack(uint32_t esp0);
/* Reads the GDT register back (SGDT). */
void plat_sgdt(uint32_t *base, uint16_t *limit);

/* ---- CPU state ---- */

void plat_irq_enable(void);           /* STI */
void plat_irq_disable(void);          /* CLI */
uint32_t plat_flags_read(void);       /* PUSHF: EFLAGS as the kernel sees them */
void plat_flags_write(uint32_t flags);/* POPF */
/* Enables interrupts, waits for one to arrive and be handled, disables them again (STI; HLT; CLI). */
void plat_wait_for_interrupt(void);

#endif
