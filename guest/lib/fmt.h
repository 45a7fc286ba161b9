/* printf-style formatting shared by the kernel and user programs (no libc here). */
#ifndef RINGOS_FMT_H
#define RINGOS_FMT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Receives formatted text in pieces. */
typedef void (*fmt_sink)(void *ctx, const char *s, size_t n);

/*
 * Formats like printf: %d %i %u %x %X %s %c %p %%, flags '-' and '0', a field width, and the
 * length modifiers l (ignored, 32-bit) and ll (64-bit: %lld %llu %llx). Returns the length.
 */
int fmt_format(fmt_sink out, void *ctx, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* 64 by 32-bit division with two DIV instructions, so nothing needs libgcc's __udivdi3. */
uint64_t udiv64(uint64_t n, uint32_t d, uint32_t *rem);

#endif
