/* Time since boot, counted in timer interrupts. */
#include "ulib.h"

int main(void)
{
    unsigned t = uptime_ticks();
    printf("up %u.%02u s (%u timer ticks at %u Hz)\n", t / TICK_HZ, (t % TICK_HZ) * 100 / TICK_HZ, t, TICK_HZ);
    return 0;
}
