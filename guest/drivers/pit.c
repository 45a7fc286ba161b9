/*
 * The Intel 8254 programmable interval timer: channel 0 counts down the 1.193182 MHz input clock and
 * raises IRQ 0 each time it wraps (Intel 8254 datasheet, "Mode 2: rate generator"; control word at
 * port 0x43, channel 0 at port 0x40).
 */
#include "pit.h"
#include "../kernel/x86.h"

#define PIT_HZ 1193182u
#define PIT_CH0 0x40
#define PIT_CMD 0x43

void pit_start(unsigned hz)
{
    unsigned divisor = (PIT_HZ + hz / 2) / hz; /* 11932 for 100 Hz */
    outb(PIT_CMD, 0x34);                       /* channel 0, low byte then high byte, mode 2, binary */
    outb(PIT_CH0, divisor & 0xFF);
    outb(PIT_CH0, divisor >> 8);
}
