/* 64-bit arithmetic on a 32-bit target: adc/sbb, shld/shrd, mul, helper calls, compares. */
#include <stdint.h>

uint64_t add64(uint64_t a, uint64_t b) { return a + b; }
int64_t sub64(int64_t a, int64_t b) { return a - b; }
uint64_t mul64(uint64_t a, uint64_t b) { return a * b; }
uint64_t mul32x32(uint32_t a, uint32_t b) { return (uint64_t)a * b; }
int64_t smul32x32(int32_t a, int32_t b) { return (int64_t)a * b; }
uint64_t div64(uint64_t a, uint64_t b) { return a / b; }
int64_t sdiv64(int64_t a, int64_t b) { return a / b; }
uint64_t mod64(uint64_t a, uint64_t b) { return a % b; }
uint64_t shl64(uint64_t a, unsigned n) { return a << (n & 63); }
uint64_t shr64(uint64_t a, unsigned n) { return a >> (n & 63); }
int64_t sar64(int64_t a, unsigned n) { return a >> (n & 63); }
uint64_t shl64_12(uint64_t a) { return a << 12; }
int64_t sar64_40(int64_t a) { return a >> 40; }
int cmp64(int64_t a, int64_t b) { return a < b ? -1 : a > b; }
int ucmp64(uint64_t a, uint64_t b) { return a < b; }
int64_t neg64(int64_t a) { return -a; }
uint64_t not64(uint64_t a) { return ~a; }
uint32_t hi32(uint64_t a) { return (uint32_t)(a >> 32); }
uint64_t make64(uint32_t hi, uint32_t lo) { return ((uint64_t)hi << 32) | lo; }
uint64_t sum_array(const uint64_t *v, int n) {
  uint64_t s = 0;
  for (int i = 0; i < n; i++) s += v[i];
  return s;
}
uint64_t tsc_delta(uint64_t start) {
  uint32_t lo, hi;
  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return (((uint64_t)hi << 32) | lo) - start;
}
uint32_t div_by_const(uint32_t x) { return x / 10 + x % 7; }
int32_t sdiv_by_const(int32_t x) { return x / 3 - x / 16; }
uint64_t udiv_small(uint64_t x) { return x / 1000; }
int clz64(uint64_t x) { return x ? __builtin_clzll(x) : 64; }
