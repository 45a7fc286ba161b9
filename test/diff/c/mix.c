/*
 * Integer C that exercises what gcc emits for i686: 64-bit arithmetic (ADC/SBB, SHLD/SHRD, MUL, and
 * libgcc's __udivdi3/__divdi3/__umoddi3/__moddi3 built on DIV), switch jump tables, function pointers,
 * recursion, struct copies and memset/memcpy (REP MOVS/STOS), bit fields, SETcc/CMOVcc, BSF/BSR via
 * builtins, byte and word arithmetic. Prints checksums; the engine's COM1 output must equal the
 * native stdout.
 */
#include "../../../bench/workload/platform.h"

typedef long long i64;

void *memset(void *d, int c, u32 n) {
    u8 *p = d;
    while (n--) *p++ = (u8)c;
    return d;
}
void *memcpy(void *d, const void *s, u32 n) {
    u8 *p = d;
    const u8 *q = s;
    while (n--) *p++ = *q++;
    return d;
}

static u32 seed = 0x2545f491;
static u32 rnd(void) {
    seed = seed * 1664525u + 1013904223u;
    return seed ^ (seed >> 15);
}

static u32 h = 0x811c9dc5;
static void mix(u32 v) {
    for (int i = 0; i < 4; i++) {
        h ^= (v >> (8 * i)) & 0xff;
        h *= 16777619u;
    }
}

static u64 r64(void) { return ((u64)rnd() << 32) | rnd(); }

static void arith64(void) {
    for (int i = 0; i < 2000; i++) {
        u64 a = r64(), b = r64() >> (rnd() & 63);
        i64 sa = (i64)a, sb = (i64)b;
        if (b == 0) b = 1;
        if (sb == 0 || (sb == -1 && sa == (i64)0x8000000000000000ull)) sb = 3;
        mix((u32)(a + b));
        mix((u32)((a - b) >> 32));
        mix((u32)(a * b));
        mix((u32)((a * b) >> 29));
        mix((u32)(a / b));
        mix((u32)((a % b) >> 7));
        mix((u32)(sa / sb));
        mix((u32)(sa % sb));
        mix((u32)(a << (rnd() & 63)));
        mix((u32)(a >> (rnd() & 63) >> 1));
        mix((u32)(sa >> (rnd() & 63)));
        mix(a < b);
        mix(sa < sb);
        mix((u32)(a >> 40) | (u32)((sa >> 33) & 0xff));
    }
}

static int op_add(int a, int b) { return a + b; }
static int op_sub(int a, int b) { return a - b; }
static int op_mul(int a, int b) { return a * b; }
static int op_xor(int a, int b) { return a ^ b; }
static int (*const ops[4])(int, int) = {op_add, op_sub, op_mul, op_xor};

static int classify(u32 v) {
    switch (v % 11) {
    case 0: return 17;
    case 1: return (int)v >> 3;
    case 2: return (int)(v * 3);
    case 3: return -(int)v;
    case 4: return (int)(v & 0x55);
    case 5: return (int)(v | 0x100);
    case 6: return (int)(v ^ 0xdeadbeef);
    case 7: return (int)(v << 2);
    case 8: return (int)(v / 7);
    case 9: return (int)(v % 13);
    default: return 99;
    }
}

static u32 ackermann(u32 m, u32 n) {
    if (m == 0) return n + 1;
    if (n == 0) return ackermann(m - 1, 1);
    return ackermann(m - 1, ackermann(m, n - 1));
}

struct item {
    u32 key;
    unsigned flag : 3;
    unsigned kind : 5;
    signed delta : 9;
    char name[21];
    short s;
    u8 b;
};

static void structs(void) {
    struct item items[32];
    memset(items, 0, sizeof items);
    for (int i = 0; i < 32; i++) {
        items[i].key = rnd();
        items[i].flag = rnd();
        items[i].kind = rnd();
        items[i].delta = (int)rnd();
        for (int k = 0; k < 20; k++) items[i].name[k] = (char)('a' + rnd() % 26);
        items[i].s = (short)rnd();
        items[i].b = (u8)rnd();
    }
    for (int i = 0; i < 200; i++) {
        struct item t = items[rnd() % 32];
        items[rnd() % 32] = t;
    }
    for (int i = 0; i < 32; i++) {
        mix(items[i].key);
        mix(items[i].flag | (items[i].kind << 3));
        mix((u32)items[i].delta);
        mix((u32)items[i].s * items[i].b);
        mix((u32)(signed char)items[i].name[i % 20]);
    }
}

static void bits(void) {
    for (int i = 0; i < 3000; i++) {
        u32 v = rnd() >> (rnd() & 31);
        mix(v ? (u32)__builtin_ctz(v) : 77);
        mix(v ? (u32)__builtin_clz(v) : 88);
        mix((u32)__builtin_popcount(v));
        mix(__builtin_bswap32(v));
        mix((v >> 5) | (v << 27));
        u8 c = (u8)v;
        unsigned short w = (unsigned short)(v >> 7);
        mix((u32)(u8)(c * 7 + 3));
        mix((u32)(unsigned short)(w * w));
        mix((u32)((signed char)c >> 2));
        mix(v > 0x80000000u ? v : ~v);
        mix((int)v < -5 ? 1u : 2u);
    }
}

int main(void) {
    arith64();
    out_str("arith64 ");
    out_hex(h);
    int acc = 1;
    for (int i = 0; i < 5000; i++) acc = ops[rnd() & 3](acc, classify(rnd()));
    mix((u32)acc);
    out_str("\nswitch  ");
    out_hex(h);
    mix(ackermann(2, 30));
    out_str("\nackermann ");
    out_hex(h);
    structs();
    out_str("\nstructs ");
    out_hex(h);
    bits();
    out_str("\nbits    ");
    out_hex(h);
    out_str("\n");
    return 0;
}
