/* The ringos user library: system-call wrappers and a few helpers (user/ulib.c). */
#ifndef RINGOS_ULIB_H
#define RINGOS_ULIB_H

#include <stddef.h>
#include <stdint.h>
#include "../include/abi.h"
#include "../lib/string.h"
#include "../lib/fmt.h"

__attribute__((noreturn)) void exit(int status);
int write(int fd, const void *buf, size_t n);
int read(int fd, void *buf, size_t n);
int getpid(void);
int yield(void);
int sleep_ms(unsigned ms);
unsigned uptime_ticks(void);
int spawn(const char *path, const char *args);
int wait(int pid, int *status);
int open(const char *path);
int close(int fd);
int readdir(unsigned index, struct dirent *out);
int procinfo(unsigned index, struct procinfo *out);
int lab(unsigned op, unsigned arg, void *out);
__attribute__((noreturn)) void poweroff(unsigned code);

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void puts_n(const char *s, size_t n);

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* "12.34": n / d with two decimals, for per-operation figures. */
void print_ratio(uint64_t n, uint32_t d);

#endif
