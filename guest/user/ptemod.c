/*
 * Lab: N page-table entry updates made by the kernel through the platform interface (write the PTE,
 * INVLPG, read through the new mapping) — the "ptemod" microbenchmark of Adams & Agesen (ASPLOS
 * 2006). Natively a PTE write is a store; with shadow page tables it is a trapped write the monitor
 * must emulate, and under Xen PV it is an mmu_update hypercall.
 */
#include "ulib.h"

int main(int argc, char **argv)
{
    unsigned n = 1000;
    if (argc > 1 && (parse_uint(argv[1], &n) != 0 || n == 0)) {
        printf("usage: ptemod N\n");
        return 1;
    }
    uint64_t t0 = rdtsc();
    int wrong = lab(LAB_PTEMOD, n, 0);
    uint64_t t1 = rdtsc();
    printf("ptemod: updates=%u cycles=%llu cycles_per_update=", n, t1 - t0);
    print_ratio(t1 - t0, n);
    if (wrong == 0)
        printf(" check=ok\n");
    else
        printf(" check=failed wrong=%d\n", wrong);
    return wrong != 0;
}
