/*
 * The Interrupt Descriptor Table and the C side of every trap: exceptions, hardware interrupts and
 * system calls all arrive in trap() with a struct trapframe (see kernel/entry.asm).
 */
#include "kernel.h"
#include "trap.h"
#include "gdt.h"
#include "sched.h"
#include "syscall.h"
#include "../platform/platform.h"
#include "x86.h"

/* An IDT gate descriptor (SDM Vol. 3A §6.11, Figure 6-2). */
struct gate {
    uint16_t offset_lo, selector;
    uint8_t zero, type_attr;
    uint16_t offset_hi;
} __attribute__((packed));

#define GATE_INT32 0x8E    /* present, DPL 0, 32-bit interrupt gate: IF is cleared on entry */
#define GATE_INT32_DPL3 0xEE /* the same, but INT n is allowed from ring 3 (SDM §6.12.1.1) */

static struct gate idt[256];
static void (*irq_handlers[IRQ_LINES])(void);
extern const uint32_t trap_vectors[49]; /* entry.asm */

static void set_gate(unsigned vector, uint32_t handler, uint8_t type_attr)
{
    idt[vector] = (struct gate){ handler & 0xFFFF, KERNEL_CS, 0, type_attr, handler >> 16 };
}

void idt_init(void)
{
    for (unsigned v = 0; v < 48; v++)
        set_gate(v, trap_vectors[v], GATE_INT32);
    set_gate(SYSCALL_VECTOR, trap_vectors[48], GATE_INT32_DPL3);
    plat_lidt(idt, sizeof idt - 1);
}

void irq_set_handler(unsigned line, void (*handler)(void))
{
    irq_handlers[line] = handler;
}

/* Mnemonics and names from SDM Vol. 3A Table 6-1. */
static const char *const exception_names[][2] = {
    { "#DE", "divide error" }, { "#DB", "debug" }, { "NMI", "non-maskable interrupt" },
    { "#BP", "breakpoint" }, { "#OF", "overflow" }, { "#BR", "bound range exceeded" },
    { "#UD", "invalid opcode" }, { "#NM", "device not available" }, { "#DF", "double fault" },
    { "#CSO", "coprocessor segment overrun" }, { "#TS", "invalid TSS" }, { "#NP", "segment not present" },
    { "#SS", "stack-segment fault" }, { "#GP", "general protection" }, { "#PF", "page fault" },
    { "#15", "reserved" }, { "#MF", "x87 floating-point error" }, { "#AC", "alignment check" },
    { "#MC", "machine check" }, { "#XM", "SIMD floating-point" }, { "#VE", "virtualization exception" },
    { "#CP", "control protection" },
};

/* Prints what a teacher wants to see about an exception: which, where, why. */
static void report_exception(const struct trapframe *tf, const char *who)
{
    unsigned v = tf->vector;
    int known = v < ARRAY_SIZE(exception_names);
    kprintf("*** exception %s (vector %u, %s) in %s at ring %u\n", known ? exception_names[v][0] : "#??", v,
        known ? exception_names[v][1] : "reserved", who, tf_ring(tf));
    kprintf("***   eip 0x%08x  error 0x%08x", tf->eip, tf->error);
    if (v == 14) {
        /* #PF error code bits (SDM Vol. 3A §4.7): P, W/R, U/S. CR2 holds the faulting address. */
        kprintf(" (%s, %s, %s)  cr2 0x%08x", tf->error & 1 ? "protection" : "not present",
            tf->error & 2 ? "write" : "read", tf->error & 4 ? "user" : "supervisor", read_cr2());
    }
    kprintf("\n***   eax %08x ebx %08x ecx %08x edx %08x esi %08x edi %08x ebp %08x esp %08x\n",
        tf->eax, tf->ebx, tf->ecx, tf->edx, tf->esi, tf->edi, tf->ebp,
        tf_ring(tf) == 3 ? tf->user_esp : (uint32_t)&tf->user_esp);
}

static void exception(struct trapframe *tf)
{
    char who[NAME_MAX_LEN + 24];
    snprintf(who, sizeof who, "process %d (%s)", current->pid, current->name);
    if (tf_ring(tf) != 3) {
        report_exception(tf, "the kernel");
        panic("exception in kernel code, %s was running", who);
    }
    report_exception(tf, who);
    kprintf("***   %s killed; the kernel carries on\n", who);
    proc_exit(128 + (int)tf->vector);
}

void trap(struct trapframe *tf)
{
    unsigned v = tf->vector;
    if (v == SYSCALL_VECTOR) {
        syscall_dispatch(tf);
    } else if (v >= IRQ_VECTOR_BASE && v < IRQ_VECTOR_BASE + IRQ_LINES) {
        unsigned line = v - IRQ_VECTOR_BASE;
        if (!plat_irq_spurious(line)) {
            if (irq_handlers[line])
                irq_handlers[line]();
            plat_irq_eoi(line);
        }
    } else {
        exception(tf);
    }
    if (tf_ring(tf) == 3)
        sched_return_to_user();
}
