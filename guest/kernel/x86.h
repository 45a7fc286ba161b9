/*
 * Single x86 instructions as C functions (Intel SDM Vol. 2). The platform layer and the drivers use
 * the privileged ones; the kernel proper goes through platform.h (so a paravirtual platform can replace
 * each with a hypercall), except read_cr2 in the #PF report and inb in bench pio (guest/README.md).
 */
#ifndef RINGOS_X86_H
#define RINGOS_X86_H

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
/* REP INSW / REP OUTSW: move a block of 16-bit words between an I/O port and memory (ATA PIO data). */
static inline void insw(uint16_t port, void *buf, uint32_t count)
{
    __asm__ volatile("rep insw" : "+D"(buf), "+c"(count) : "d"(port) : "memory");
}
static inline void outsw(uint16_t port, const void *buf, uint32_t count)
{
    __asm__ volatile("rep outsw" : "+S"(buf), "+c"(count) : "d"(port) : "memory");
}

static inline uint32_t mmio_read32(uintptr_t addr) { return *(volatile uint32_t *)addr; }
static inline void mmio_write32(uintptr_t addr, uint32_t v) { *(volatile uint32_t *)addr = v; }

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* The privilege level the code is running at: the RPL bits of CS (SDM Vol. 3A §5.5). */
static inline uint32_t read_cpl(void)
{
    uint32_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    return cs & 3;
}

static inline uint32_t read_cr2(void)
{
    uint32_t v;
    __asm__ volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}

/* Keeps the compiler from moving memory accesses across this point. */
#define barrier() __asm__ volatile("" ::: "memory")

#endif
