#ifndef RINGOS_CONSOLE_H
#define RINGOS_CONSOLE_H

#include <stddef.h>

/* The platform console is up: flush what was printed before it was. */
void console_start(void);
/* Writes program or kernel output, LF as CR LF. */
void console_write(const char *s, size_t n);
/* Reads one edited line (or what is left of it) into buf; blocks until there is one; 0 at Ctrl-D. */
int console_read(char *buf, size_t n);

#endif
