/*
 * Lab: can the kernel turn interrupts off with POPF? The kernel (kernel/lab.c) pushes its flags,
 * POPFs them with IF = 0, PUSHFs to look, spins for 30 ms counting timer interrupts, and restores.
 *
 * On real hardware in ring 0, and under VT-x, the answer is yes: PUSHF shows IF=0 and no tick
 * arrives. A kernel deprivileged to ring 1 by a trap-and-emulate monitor gets no fault and no effect —
 * POPF silently keeps IF = 1, ticks keep arriving — one of the sensitive but unprivileged x86
 * instructions that broke Popek & Goldberg's condition (Robin & Irvine, USENIX Security 2000).
 */
#include "ulib.h"

int main(void)
{
    struct lab_popf r;
    if (lab(LAB_POPF, 0, &r) != 0) {
        printf("popf: the kernel refused the experiment\n");
        return 1;
    }
    unsigned before = (r.flags_before & EFLAGS_IF) != 0, after = (r.flags_after & EFLAGS_IF) != 0;
    int ok = !after && r.ticks_during == 0;
    printf("popf: if_before=%u if_after=%u ticks_while_disabled=%u spin_ms=%u result=%s\n", before, after,
        r.ticks_during, r.spin_ms, ok ? "ok" : "wrong");
    if (ok)
        printf("POPF cleared IF and no timer interrupt arrived: interrupts really were off.\n");
    else if (after)
        printf("POPF left IF=1 without a fault and %u timer interrupts arrived: the kernel is not in ring 0,\n"
               "where POPF may change IF; elsewhere it silently ignores IF (a sensitive, unprivileged instruction).\n",
            r.ticks_during);
    else
        printf("PUSHF shows IF=0, yet %u timer interrupts arrived while interrupts were supposedly off.\n",
            r.ticks_during);
    return ok ? 0 : 1;
}
