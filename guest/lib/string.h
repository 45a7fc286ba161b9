/* The few string and memory functions ringos needs; gcc may also call memcpy/memset/memmove/memcmp itself. */
#ifndef RINGOS_STRING_H
#define RINGOS_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strncpy_z(char *dst, const char *src, size_t size); /* always NUL-terminates */
int parse_uint(const char *s, unsigned *out);              /* decimal or 0x-hex; 0 on success */

#endif
