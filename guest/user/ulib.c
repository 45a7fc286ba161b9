/*
 * System calls from ring 3: `int 0x80` with the number in EAX and arguments in EBX, ECX, EDX
 * (include/abi.h). Each wrapper is the whole story of a system call on the user side.
 */
#include "ulib.h"

static inline int syscall3(int nr, uint32_t a, uint32_t b, uint32_t c)
{
    int r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
    return r;
}

void exit(int status)
{
    syscall3(SYS_EXIT, (uint32_t)status, 0, 0);
    for (;;)
        ;
}

int write(int fd, const void *buf, size_t n) { return syscall3(SYS_WRITE, (uint32_t)fd, (uint32_t)buf, n); }
int read(int fd, void *buf, size_t n) { return syscall3(SYS_READ, (uint32_t)fd, (uint32_t)buf, n); }
int getpid(void) { return syscall3(SYS_GETPID, 0, 0, 0); }
int yield(void) { return syscall3(SYS_YIELD, 0, 0, 0); }
int sleep_ms(unsigned ms) { return syscall3(SYS_SLEEP, ms, 0, 0); }
unsigned uptime_ticks(void) { return (unsigned)syscall3(SYS_UPTIME, 0, 0, 0); }
int spawn(const char *path, const char *args) { return syscall3(SYS_SPAWN, (uint32_t)path, (uint32_t)args, 0); }
int wait(int pid, int *status) { return syscall3(SYS_WAIT, (uint32_t)pid, (uint32_t)status, 0); }
int open(const char *path) { return syscall3(SYS_OPEN, (uint32_t)path, 0, 0); }
int close(int fd) { return syscall3(SYS_CLOSE, (uint32_t)fd, 0, 0); }
int readdir(unsigned index, struct dirent *out) { return syscall3(SYS_READDIR, index, (uint32_t)out, 0); }
int procinfo(unsigned index, struct procinfo *out) { return syscall3(SYS_PROCINFO, index, (uint32_t)out, 0); }
int lab(unsigned op, unsigned arg, void *out) { return syscall3(SYS_LAB, op, arg, (uint32_t)out); }

void poweroff(unsigned code)
{
    syscall3(SYS_POWEROFF, code, 0, 0);
    for (;;)
        ;
}

void puts_n(const char *s, size_t n) { write(1, s, n); }

/* printf collects its output and makes one write system call per call (or per 256 bytes). */
struct outbuf {
    char buf[256];
    size_t len;
};

static void outbuf_put(void *ctx, const char *s, size_t n)
{
    struct outbuf *b = ctx;
    for (size_t i = 0; i < n; i++) {
        if (b->len == sizeof b->buf) {
            write(1, b->buf, b->len);
            b->len = 0;
        }
        b->buf[b->len++] = s[i];
    }
}

int printf(const char *fmt, ...)
{
    struct outbuf b;
    b.len = 0;
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_format(outbuf_put, &b, fmt, ap);
    va_end(ap);
    if (b.len)
        write(1, b.buf, b.len);
    return n;
}

void print_ratio(uint64_t n, uint32_t d)
{
    uint32_t rem;
    uint64_t q = udiv64(n, d ? d : 1, &rem);
    uint32_t hundredths = (uint32_t)udiv64((uint64_t)rem * 100, d ? d : 1, 0);
    printf("%llu.%02u", q, hundredths);
}
