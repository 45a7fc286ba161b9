/*
 * The Ringside CPU benchmark workload (bench/cpu.bench.ts): four integer kernels of the kinds guest
 * code spends its time in — sorting, CRC32, a bytecode interpreter, a matrix loop — each reporting a
 * checksum so the engine's output can be compared with native execution. SCALE sets the amount of
 * work (the benchmark uses the default, the differential test a small one).
 */
#include "platform.h"

#ifndef SCALE
#define SCALE 16
#endif

static u32 rng_state = 12345;
static u32 rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* ---- sorting: quicksort (median of three) and heap sort of pseudo-random keys */
#define NSORT 4096
static u32 keys[NSORT];

static void quicksort(u32 *a, int lo, int hi) {
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        u32 x = a[lo], y = a[mid], z = a[hi];
        u32 p = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        int i = lo, j = hi;
        while (i <= j) {
            while (a[i] < p) i++;
            while (a[j] > p) j--;
            if (i <= j) {
                u32 t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                j--;
            }
        }
        if (j - lo < hi - i) {
            quicksort(a, lo, j);
            lo = i;
        } else {
            quicksort(a, i, hi);
            hi = j;
        }
    }
}

static void sift(u32 *a, int start, int end) {
    int root = start;
    while (2 * root + 1 <= end) {
        int child = 2 * root + 1;
        if (child + 1 <= end && a[child] < a[child + 1]) child++;
        if (a[root] >= a[child]) return;
        u32 t = a[root];
        a[root] = a[child];
        a[child] = t;
        root = child;
    }
}

static void heapsort(u32 *a, int n) {
    for (int s = (n - 2) / 2; s >= 0; s--) sift(a, s, n - 1);
    for (int e = n - 1; e > 0; e--) {
        u32 t = a[0];
        a[0] = a[e];
        a[e] = t;
        sift(a, 0, e - 1);
    }
}

static u32 bench_sort(int rounds) {
    u32 sum = 0;
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < NSORT; i++) keys[i] = rng();
        if (r & 1) heapsort(keys, NSORT);
        else quicksort(keys, 0, NSORT - 1);
        for (int i = 1; i < NSORT; i++)
            if (keys[i - 1] > keys[i]) return 0xbad;
        sum = sum * 31 + keys[r % NSORT];
    }
    return sum;
}

/* ---- CRC-32 (IEEE 802.3, reflected, table driven) */
static u32 crc_table[256];
static u8 buffer[65536];

static u32 bench_crc(int rounds) {
    for (u32 n = 0; n < 256; n++) {
        u32 c = n;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[n] = c;
    }
    for (u32 i = 0; i < sizeof buffer; i++) buffer[i] = (u8)rng();
    u32 crc = 0;
    for (int r = 0; r < rounds; r++) {
        u32 c = ~crc;
        for (u32 i = 0; i < sizeof buffer; i++) c = crc_table[(c ^ buffer[i]) & 0xff] ^ (c >> 8);
        crc = ~c;
        buffer[r & 0xffff] ^= (u8)crc;
    }
    return crc;
}

/* ---- a small stack-machine bytecode interpreter running a prime sieve and a Collatz walk */
enum { OP_PUSH, OP_LOAD, OP_STORE, OP_ADD, OP_SUB, OP_MUL, OP_LT, OP_JZ, OP_JMP, OP_DUP, OP_DROP, OP_AND, OP_SHR, OP_LDA, OP_STA, OP_HALT };

static i32 vm_mem[8192];

static u32 vm_run(const i32 *code) {
    i32 stack[64];
    int sp = 0, pc = 0;
    i32 vars[8] = {0};
    u32 steps = 0;
    for (;;) {
        steps++;
        i32 op = code[pc++];
        switch (op) {
        case OP_PUSH: stack[sp++] = code[pc++]; break;
        case OP_LOAD: stack[sp++] = vars[code[pc++]]; break;
        case OP_STORE: vars[code[pc++]] = stack[--sp]; break;
        case OP_ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case OP_SUB: sp--; stack[sp - 1] -= stack[sp]; break;
        case OP_MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case OP_LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
        case OP_JZ: if (!stack[--sp]) pc = code[pc]; else pc++; break;
        case OP_JMP: pc = code[pc]; break;
        case OP_DUP: stack[sp] = stack[sp - 1]; sp++; break;
        case OP_DROP: sp--; break;
        case OP_AND: sp--; stack[sp - 1] &= stack[sp]; break;
        case OP_SHR: sp--; stack[sp - 1] = (i32)((u32)stack[sp - 1] >> stack[sp]); break;
        case OP_LDA: stack[sp - 1] = vm_mem[stack[sp - 1] & 8191]; break;
        case OP_STA: sp -= 2; vm_mem[stack[sp + 1] & 8191] = stack[sp]; break;
        default: return steps + (u32)vars[0] * 7 + (u32)vars[1];
        }
    }
}

/* A prime sieve over vm_mem as bytecode: vars 0 = count of primes below 8192, 1 = i, 2 = j. */
static i32 program[128];

static u32 bench_vm(int rounds) {
    /* Assemble the sieve, then patch the forward jump targets. */
    int n = 0;
#define E(x) program[n++] = (x)
    E(OP_PUSH); E(0); E(OP_STORE); E(0);
    E(OP_PUSH); E(2); E(OP_STORE); E(1);
    int loop_i = n;
    E(OP_LOAD); E(1); E(OP_PUSH); E(8192); E(OP_LT); E(OP_JZ); int jz_end = n; E(0);
    E(OP_LOAD); E(1); E(OP_LDA); E(OP_JZ); int jz_prime = n; E(0);
    E(OP_JMP); int j_next = n; E(0);
    int prime = n;
    E(OP_LOAD); E(0); E(OP_PUSH); E(1); E(OP_ADD); E(OP_STORE); E(0);
    E(OP_LOAD); E(1); E(OP_DUP); E(OP_ADD); E(OP_STORE); E(2);
    int mark = n;
    E(OP_LOAD); E(2); E(OP_PUSH); E(8192); E(OP_LT); E(OP_JZ); int jz_mdone = n; E(0);
    E(OP_PUSH); E(1); E(OP_LOAD); E(2); E(OP_STA);
    E(OP_LOAD); E(2); E(OP_LOAD); E(1); E(OP_ADD); E(OP_STORE); E(2);
    E(OP_JMP); E(mark);
    int next = n;
    E(OP_LOAD); E(1); E(OP_PUSH); E(1); E(OP_ADD); E(OP_STORE); E(1);
    E(OP_JMP); E(loop_i);
    int end = n;
    E(OP_HALT);
#undef E
    program[jz_end] = end;
    program[jz_prime] = prime;
    program[j_next] = next;
    program[jz_mdone] = next;
    u32 sum = 0;
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < 8192; i++) vm_mem[i] = 0;
        sum = sum * 3 + vm_run(program);
    }
    return sum;
}

/* ---- matrix multiply (integer, 64×64) */
#define N 64
static i32 ma[N][N], mb[N][N], mc[N][N];

static u32 bench_matrix(int rounds) {
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            ma[i][j] = (i32)(rng() & 0xff) - 128;
            mb[i][j] = (i32)(rng() & 0xff) - 128;
        }
    u32 sum = 0;
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                i32 s = 0;
                for (int k = 0; k < N; k++) s += ma[i][k] * mb[k][j];
                mc[i][j] = s;
            }
        sum = sum * 7 + (u32)mc[r % N][(r * 3) % N];
        ma[r % N][r % N] += 1;
    }
    return sum;
}

int main(void) {
    out_str("ringside cpu workload, scale ");
    out_dec(SCALE);
    out_str("\nsort   ");
    out_hex(bench_sort(SCALE * 4));
    out_str("\ncrc32  ");
    out_hex(bench_crc(SCALE * 4));
    out_str("\nvm     ");
    out_hex(bench_vm(SCALE));
    out_str("\nmatrix ");
    out_hex(bench_matrix(SCALE * 4));
    out_str("\n");
    return 0;
}
