/* The saved state of an interrupted context, as kernel/entry.asm lays it out on the kernel stack. */
#ifndef RINGOS_TRAP_H
#define RINGOS_TRAP_H

#include <stdint.h>

#define IRQ_VECTOR_BASE 32 /* the PICs deliver IRQ n as vector 32 + n */
#define IRQ_LINES 16

struct trapframe {
    /* pushed by trap_common */
    uint32_t gs, fs, es, ds;
    uint32_t edi, esi, ebp, esp_at_pushad, ebx, edx, ecx, eax;
    /* pushed by the stub */
    uint32_t vector, error;
    /* pushed by the CPU (SDM Vol. 3A Figure 6-4) */
    uint32_t eip, cs, eflags;
    uint32_t user_esp, user_ss; /* only when the interrupt came from an outer ring */
};

/* Ring the interrupted code ran at: the RPL of its CS. */
static inline unsigned tf_ring(const struct trapframe *tf) { return tf->cs & 3; }

void trap(struct trapframe *tf);
void irq_set_handler(unsigned line, void (*handler)(void));

#endif
