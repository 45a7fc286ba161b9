/*
 * The National Semiconductor NS16550A UART on COM1 (ports 0x3F8-0x3FF, IRQ 4), per its datasheet:
 * 115200 baud 8N1, an interrupt for every received byte.
 */
#include "uart.h"
#include "../kernel/x86.h"
#include "../platform/platform.h"

#define COM1 0x3F8
#define RBR 0 /* receive buffer (read) / transmit holding (write) */
#define THR 0
#define IER 1 /* interrupt enable */
#define FCR 2 /* FIFO control (write) */
#define LCR 3 /* line control */
#define MCR 4 /* modem control */
#define LSR 5 /* line status */
#define DLL 0 /* divisor latch, while LCR.DLAB = 1 */
#define DLM 1

#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20

void uart_init(void)
{
    outb(COM1 + IER, 0x00);  /* no interrupts while programming */
    outb(COM1 + LCR, 0x80);  /* DLAB = 1 to reach the divisor latch */
    outb(COM1 + DLL, 1);     /* 115200 / 1 = 115200 baud */
    outb(COM1 + DLM, 0);
    outb(COM1 + LCR, 0x03);  /* 8 data bits, no parity, 1 stop bit; DLAB = 0 */
    outb(COM1 + FCR, 0x00);  /* FIFOs stay off: switching them on clears the receiver, losing what was typed */
    outb(COM1 + MCR, 0x0B);  /* DTR, RTS, and OUT2, which on the PC connects the UART's interrupt to the PIC */
    outb(COM1 + IER, 0x01);  /* interrupt when a byte has been received */
}

void uart_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        while (!(inb(COM1 + LSR) & LSR_THR_EMPTY))
            ;
        outb(COM1 + THR, (uint8_t)s[i]);
    }
}

/*
 * IRQ 4: take every byte the receiver holds. Reading RBR until LSR says empty drops the interrupt
 * line; leaving a byte behind would keep it high, and the edge-triggered PIC would never see a new edge.
 */
void uart_irq(void)
{
    char buf[16];
    size_t n = 0;
    while (inb(COM1 + LSR) & LSR_DATA_READY) {
        buf[n++] = (char)inb(COM1 + RBR);
        if (n == sizeof buf) {
            console_input(buf, n);
            n = 0;
        }
    }
    if (n)
        console_input(buf, n);
}
