/*
 * The smallest platform layer a freestanding program needs, for one binary that runs in two places:
 * as a Linux i386 process (CPL 3: output and exit through int 0x80 system calls) and on the Ringside
 * PC (CPL 0: output to the COM1 16550A, exit through QEMU's isa-debug-exit port 0x501). The binary
 * tells them apart by the privilege level in CS, so the code under measurement is the same bytes.
 */
#ifndef RINGSIDE_PLATFORM_H
#define RINGSIDE_PLATFORM_H

typedef unsigned int u32;
typedef int i32;
typedef unsigned long long u64;
typedef unsigned char u8;

static inline int at_user_level(void) {
    unsigned cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    return (cs & 3) != 0;
}

static inline void outb(unsigned short port, u8 v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline u8 inb(unsigned short port) {
    u8 v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static void out_bytes(const char *s, u32 n) {
    if (at_user_level()) {
        int r;
        __asm__ volatile("int $0x80" : "=a"(r) : "a"(4), "b"(1), "c"(s), "d"(n) : "memory");
        return;
    }
    for (u32 i = 0; i < n; i++) {
        while (!(inb(0x3fd) & 0x20)) {
        }
        outb(0x3f8, (u8)s[i]);
    }
}

static void out_str(const char *s) {
    u32 n = 0;
    while (s[n]) n++;
    out_bytes(s, n);
}

static void out_hex(u32 v) {
    char b[9];
    for (int i = 7; i >= 0; i--) {
        b[i] = "0123456789abcdef"[v & 15];
        v >>= 4;
    }
    b[8] = 0;
    out_str(b);
}

static void out_dec(u32 v) {
    char b[11];
    int i = 10;
    b[i] = 0;
    do {
        b[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    out_str(b + i);
}

static __attribute__((noreturn)) void finish(int code) {
    if (at_user_level()) __asm__ volatile("int $0x80" : : "a"(1), "b"(code));
    else __asm__ volatile("outb %0, %1" : : "a"((u8)code), "Nd"((unsigned short)0x501));
    for (;;) __asm__ volatile("hlt");
}

int main(void);

/* Entry: a Linux process starts here with a stack; on Ringside the loader sets ESP to the top of RAM. */
__attribute__((noreturn, used)) void _start(void) { finish(main()); }

#endif
