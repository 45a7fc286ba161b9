/*
 * Lab: micro-benchmarks, timed with RDTSC.
 *   bench cpu [KiB]      a compute loop (CRC-32 of generated data): runs at native speed everywhere
 *   bench pio [N]        N reads of port 0x80 in the kernel: the path of one port access
 *   bench syscall [N]    N getpid() round trips: ring 3 -> int 0x80 -> ring 0 -> IRET
 *   bench io [N]         N one-sector disk reads through the platform's block driver (no cache)
 */
#include "ulib.h"

/* CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), bit by bit: all integer work. */
static uint32_t crc32_of_pattern(uint32_t bytes)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (uint32_t i = 0; i < bytes; i++) {
        crc ^= (uint8_t)(i * 31 + 7);
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1));
    }
    return ~crc;
}

static void report(const char *what, const char *unit, uint32_t n, uint64_t cycles, const char *per)
{
    printf("bench %s: %s=%u cycles=%llu %s=", what, unit, n, cycles, per);
    print_ratio(cycles, n);
}

static unsigned arg_or(int argc, char **argv, unsigned fallback)
{
    unsigned v;
    return argc > 2 && parse_uint(argv[2], &v) == 0 && v > 0 ? v : fallback;
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";
    if (strcmp(what, "cpu") == 0) {
        uint32_t bytes = arg_or(argc, argv, 16) * 1024;
        uint64_t t0 = rdtsc();
        uint32_t crc = crc32_of_pattern(bytes);
        uint64_t t1 = rdtsc();
        report("cpu", "bytes", bytes, t1 - t0, "cycles_per_byte");
        printf(" crc32=0x%08x\n", crc);
    } else if (strcmp(what, "syscall") == 0) {
        uint32_t n = arg_or(argc, argv, 10000);
        uint64_t t0 = rdtsc();
        for (uint32_t i = 0; i < n; i++)
            getpid();
        uint64_t t1 = rdtsc();
        report("syscall", "calls", n, t1 - t0, "cycles_per_call");
        printf("\n");
    } else if (strcmp(what, "io") == 0) {
        uint32_t n = arg_or(argc, argv, 64), errors = 0;
        uint64_t t0 = rdtsc();
        for (uint32_t i = 0; i < n; i++)
            errors += lab(LAB_DISK_READ, i, 0) != 0;
        uint64_t t1 = rdtsc();
        report("io", "reads", n, t1 - t0, "cycles_per_read");
        printf(" errors=%u\n", errors);
    } else if (strcmp(what, "pio") == 0) {
        uint32_t n = arg_or(argc, argv, 1000);
        uint64_t t0 = rdtsc();
        int rc = lab(LAB_PIO, n, 0);
        uint64_t t1 = rdtsc();
        if (rc != 0) {
            printf("bench pio: this kernel has no I/O ports (error %d)\n", rc);
            return 1;
        }
        report("pio", "reads", n, t1 - t0, "cycles_per_read");
        printf("\n");
    } else {
        printf("usage: bench cpu [KiB] | bench syscall [N] | bench io [N] | bench pio [N]\n");
        return 1;
    }
    return 0;
}
