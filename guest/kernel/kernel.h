/* What every kernel file needs: console printing, panic, the tick counter. */
#ifndef RINGOS_KERNEL_H
#define RINGOS_KERNEL_H

#include <stddef.h>
#include <stdint.h>
#include "../lib/string.h"
#include "../lib/fmt.h"

#define RINGOS_VERSION "1.0"
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Kernel console output (console.c): LF becomes CR LF, like a terminal expects. */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Timer ticks since the timer started (TICK_HZ per second); advanced by timer_tick(). */
extern volatile uint32_t ticks;
/* TSC cycles per timer tick, measured at boot against the timer (kmain.c). */
extern uint32_t tsc_per_tick;
void timer_tick(void);

/* Copies of the boot information. */
extern uint32_t mem_kib;
extern const char *boot_cmdline;
/* Finds "key=value" in the kernel command line; returns value (up to the next space) or NULL. */
const char *cmdline_get(const char *key);

#endif
