/* Bit tricks: builtins, rotates, byte swaps, sign tricks, bit fields. */
#include <stdint.h>

int popcount32(uint32_t x) { return __builtin_popcount(x); }
int clz32(uint32_t x) { return x ? __builtin_clz(x) : 32; }
int ctz32(uint32_t x) { return x ? __builtin_ctz(x) : 32; }
int ffs32(int x) { return __builtin_ffs(x); }
uint32_t bswap32(uint32_t x) { return __builtin_bswap32(x); }
uint16_t bswap16(uint16_t x) { return __builtin_bswap16(x); }
uint32_t rotl32(uint32_t x, unsigned r) { return (x << (r & 31)) | (x >> (-r & 31)); }
uint32_t rotr32(uint32_t x, unsigned r) { return (x >> (r & 31)) | (x << (-r & 31)); }
uint8_t rotl8(uint8_t x, unsigned r) { return (uint8_t)((x << (r & 7)) | (x >> (-r & 7))); }
int abs32(int x) { return x < 0 ? -x : x; }
int sign(int x) { return (x > 0) - (x < 0); }
uint32_t next_pow2(uint32_t x) {
  x--;
  x |= x >> 1; x |= x >> 2; x |= x >> 4; x |= x >> 8; x |= x >> 16;
  return x + 1;
}
int is_pow2(uint32_t x) { return x && !(x & (x - 1)); }
uint32_t reverse_bits(uint32_t x) {
  x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
  x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
  x = ((x >> 4) & 0x0f0f0f0fu) | ((x & 0x0f0f0f0fu) << 4);
  return __builtin_bswap32(x);
}
int bit_test(const uint32_t *map, unsigned bit) { return (map[bit >> 5] >> (bit & 31)) & 1; }
void bit_set(uint32_t *map, unsigned bit) { map[bit >> 5] |= 1u << (bit & 31); }
void bit_clear(uint32_t *map, unsigned bit) { map[bit >> 5] &= ~(1u << (bit & 31)); }
int parity(uint32_t x) { return __builtin_parity(x); }

struct flags {
  unsigned present : 1;
  unsigned rw : 1;
  unsigned user : 1;
  unsigned pwt : 1;
  unsigned pcd : 1;
  unsigned accessed : 1;
  unsigned dirty : 1;
  unsigned size : 1;
  unsigned global : 1;
  unsigned avail : 3;
  unsigned frame : 20;
};
uint32_t make_pte(uint32_t frame, int user, int rw) {
  struct flags f = { 0 };
  f.present = 1;
  f.rw = rw;
  f.user = user;
  f.frame = frame;
  union { struct flags f; uint32_t u; } u = { .f = f };
  return u.u;
}
int pte_frame(struct flags f) { return f.frame; }
int8_t sat_add8(int8_t a, int8_t b) {
  int s = a + b;
  return (int8_t)(s > 127 ? 127 : s < -128 ? -128 : s);
}
int atomic_inc(volatile int *p) { return __sync_add_and_fetch(p, 1); }
int atomic_cas(volatile int *p, int o, int n) { return __sync_val_compare_and_swap(p, o, n); }
int atomic_xchg(volatile int *p, int n) { return __sync_lock_test_and_set(p, n); }
void atomic_or(volatile uint32_t *p, uint32_t m) { __sync_fetch_and_or(p, m); }
