/*
 * The kernel half of the lab programs: experiments that must run in the kernel, at the kernel's
 * privilege level, and that go through the platform interface so a paravirtual platform can
 * substitute its own operation (user/popf.c, user/sgdt.c, user/ptemod.c, user/bench.c call these).
 */
#include "syscall.h"
#include "kernel.h"
#include "sched.h"
#include "paging.h"
#include "gdt.h"
#include "x86.h"
#include "../platform/platform.h"

#define POPF_SPIN_TICKS 3 /* spin for three timer periods: 30 ms */
#define PTEMOD_VA 0x7F000000u /* a page of the user half that programs never use */

/*
 * POPF with IF = 0 disables interrupts at CPL 0. Executed at CPL > IOPL — a guest kernel
 * deprivileged to ring 1 by a trap-and-emulate monitor — the CPU leaves IF unchanged, without a
 * fault (SDM Vol. 2B, POPF; Robin & Irvine, USENIX Security 2000): the monitor never learns the
 * kernel wanted interrupts off, and timer interrupts keep arriving.
 */
static void lab_popf(struct lab_popf *r)
{
    plat_irq_enable(); /* the system call came in through an interrupt gate, with IF = 0 */
    r->flags_before = plat_flags_read();
    r->flags_written = r->flags_before & ~EFLAGS_IF;
    plat_flags_write(r->flags_written);
    r->flags_after = plat_flags_read();
    uint32_t t0 = ticks;
    uint64_t start = rdtsc(), spin = (uint64_t)tsc_per_tick * POPF_SPIN_TICKS;
    while (rdtsc() - start < spin)
        ;
    r->ticks_during = ticks - t0;
    plat_flags_write(r->flags_before); /* IF = 1 again: a tick held pending by the PIC arrives now */
    plat_irq_disable();
    r->spin_ms = POPF_SPIN_TICKS * 1000 / TICK_HZ;
}

/* SGDT stores GDTR at any CPL (SDM Vol. 2B, SGDT): what the kernel loaded, unless a monitor moved it. */
static void lab_sgdt(struct lab_sgdt *r)
{
    uint16_t limit;
    r->loaded_base = gdt_loaded_base;
    r->loaded_limit = gdt_loaded_limit;
    plat_sgdt(&r->kernel_base, &limit);
    r->kernel_limit = limit;
    r->kernel_cpl = read_cpl();
}

/*
 * n page-table updates, as a kernel does them: write a PTE, invalidate the TLB entry, use the page.
 * The page at PTEMOD_VA is mapped alternately to two frames with different contents; a read after each
 * update checks the new mapping took effect. Returns the number of reads that saw the wrong frame.
 */
static int lab_ptemod(uint32_t n)
{
    uint32_t frames[2] = { frame_alloc(), frame_alloc() };
    if (!frames[0] || !frames[1] || paging_map(current->pgdir, PTEMOD_VA, frames[0], PTE_P | PTE_W) < 0) {
        for (int i = 0; i < 2; i++)
            if (frames[i])
                frame_free(frames[i]);
        return -ENOMEM;
    }
    *(uint32_t *)frames[0] = 0xA0A0A0A0u;
    *(uint32_t *)frames[1] = 0xB1B1B1B1u;
    uint32_t *pte = paging_pte(current->pgdir, PTEMOD_VA);
    int wrong = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t frame = frames[i & 1];
        plat_set_pte(pte, frame | PTE_P | PTE_W);
        plat_invlpg(PTEMOD_VA);
        if (*(volatile uint32_t *)PTEMOD_VA != *(uint32_t *)frame)
            wrong++;
    }
    plat_set_pte(pte, 0);
    plat_invlpg(PTEMOD_VA);
    frame_free(frames[0]);
    frame_free(frames[1]);
    return wrong;
}

int lab_call(uint32_t op, uint32_t arg, uint32_t user_out)
{
    static uint8_t sector[512];
    switch (op) {
    case LAB_POPF: {
        struct lab_popf r;
        lab_popf(&r);
        return copy_to_user(user_out, &r, sizeof r);
    }
    case LAB_SGDT: {
        struct lab_sgdt r;
        lab_sgdt(&r);
        return copy_to_user(user_out, &r, sizeof r);
    }
    case LAB_PTEMOD:
        return lab_ptemod(arg);
    case LAB_PIO:
#ifdef RINGOS_XEN_PV
        /* A PV kernel has no I/O ports of its own: Xen would emulate each IN as all-ones (§4.2 (b)). */
        return -ENOSYS;
#else
        /* Port 0x80, the POST-code port: nothing answers, so the read measures only the path to the
         * device (Adams & Agesen, ASPLOS 2006, the "in" nanobenchmark). */
        for (uint32_t i = 0; i < arg; i++)
            (void)inb(0x80);
        return 0;
#endif
    case LAB_DISK_READ: {
        uint32_t sectors = plat_block_sectors();
        if (!sectors)
            return -EIO;
        return plat_block_read(arg % sectors, sector) == 0 ? 0 : -EIO;
    }
    default:
        return -EINVAL;
    }
}
