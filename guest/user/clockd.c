/* A background daemon: it sleeps, and once a second the timer interrupt makes it runnable again, the
 * scheduler switches to it, and it goes back to sleep. ps shows it. */
#include "ulib.h"

int main(void)
{
    for (;;)
        sleep_ms(1000);
}
