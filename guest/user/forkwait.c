/*
 * Lab: create N processes, one after the other, and wait for each to end — the "forkwait"
 * microbenchmark of Adams & Agesen, "A Comparison of Software and Hardware Techniques for x86
 * Virtualization" (ASPLOS 2006). Each child is a new address space: page directory, page tables,
 * program pages, a context switch in and out. Under binary translation or shadow paging, building
 * page tables is where the time goes.
 */
#include "ulib.h"

int main(int argc, char **argv)
{
    unsigned n = 10;
    if (argc > 1 && (parse_uint(argv[1], &n) != 0 || n == 0)) {
        printf("usage: forkwait N\n");
        return 1;
    }
    unsigned failed = 0;
    uint64_t t0 = rdtsc();
    for (unsigned i = 0; i < n; i++) {
        int status, pid = spawn("/bin/true", 0);
        if (pid < 0 || wait(pid, &status) != pid || status != 0)
            failed++;
    }
    uint64_t t1 = rdtsc();
    printf("forkwait: children=%u cycles=%llu cycles_per_child=", n, t1 - t0);
    print_ratio(t1 - t0, n);
    printf(" failed=%u\n", failed);
    return failed != 0;
}
