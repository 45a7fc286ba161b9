/* Lists the processes the kernel knows (the procinfo system call). */
#include "ulib.h"

static const char *const states[] = { "unused", "runnable", "running", "sleeping", "blocked", "zombie" };

int main(void)
{
    struct procinfo p;
    printf("  PID  PPID RING STATE     TICKS PAGES NAME\n");
    for (unsigned i = 0; procinfo(i, &p) == 0; i++)
        printf("%5d %5d %4u %-9s %5u %5u %s\n", p.pid, p.ppid, p.ring, p.state < 6 ? states[p.state] : "?",
            p.ticks, p.pages, p.name);
    return 0;
}
