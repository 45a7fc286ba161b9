#ifndef RINGOS_UART_H
#define RINGOS_UART_H
#include <stddef.h>
void uart_init(void);
void uart_write(const char *s, size_t n);
void uart_irq(void);
#endif
