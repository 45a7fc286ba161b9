/* Checksums: table lookups, shifts, xor, byte access, unrolled loops. */
#include <stddef.h>
#include <stdint.h>

static uint32_t table[256];

void crc32_init(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
}

uint32_t crc32(const uint8_t *p, size_t n) {
  uint32_t c = 0xffffffffu;
  while (n--) c = table[(c ^ *p++) & 0xff] ^ (c >> 8);
  return ~c;
}

uint32_t crc32_bitwise(const uint8_t *p, size_t n) {
  uint32_t c = ~0u;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & -(c & 1));
  }
  return ~c;
}

uint16_t crc16_ccitt(const uint8_t *p, size_t n) {
  uint16_t c = 0xffff;
  while (n--) {
    c ^= (uint16_t)(*p++ << 8);
    for (int k = 0; k < 8; k++) c = (c & 0x8000) ? (uint16_t)((c << 1) ^ 0x1021) : (uint16_t)(c << 1);
  }
  return c;
}

uint32_t adler32(const uint8_t *p, size_t n) {
  uint32_t a = 1, b = 0;
  while (n) {
    size_t chunk = n < 5552 ? n : 5552;
    n -= chunk;
    while (chunk--) {
      a += *p++;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return (b << 16) | a;
}

uint32_t fnv1a(const char *s) {
  uint32_t h = 2166136261u;
  while (*s) h = (h ^ (uint8_t)*s++) * 16777619u;
  return h;
}

uint8_t checksum8(const volatile uint8_t *p, int n) {
  uint8_t s = 0;
  for (int i = 0; i < n; i++) s += p[i];
  return (uint8_t)-s;
}
