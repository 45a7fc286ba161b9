/* Varargs, structs, strings, and small string functions as a freestanding kernel writes them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

size_t my_strlen(const char *s) {
  const char *p = s;
  while (*p) p++;
  return (size_t)(p - s);
}

char *my_strcpy(char *d, const char *s) {
  char *r = d;
  while ((*d++ = *s++)) {
  }
  return r;
}

int my_strcmp(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return (unsigned char)*a - (unsigned char)*b;
}

void *my_memset(void *d, int c, size_t n) { return __builtin_memset(d, c, n); }
void *my_memcpy(void *d, const void *s, size_t n) { return __builtin_memcpy(d, s, n); }

void fill_words(uint16_t *d, uint16_t v, size_t n) {
  while (n--) *d++ = v;
}

struct point { int x, y; };
struct rect { struct point a, b; uint8_t color; uint16_t flags; };

struct rect make_rect(int x0, int y0, int x1, int y1) {
  struct rect r = { { x0, y0 }, { x1, y1 }, 7, 0x100 };
  return r;
}

int area(const struct rect *r) { return (r->b.x - r->a.x) * (r->b.y - r->a.y); }

void copy_rects(struct rect *d, const struct rect *s, int n) {
  for (int i = 0; i < n; i++) d[i] = s[i];
}

int sum_ints(int n, ...) {
  va_list ap;
  va_start(ap, n);
  int s = 0;
  for (int i = 0; i < n; i++) s += va_arg(ap, int);
  va_end(ap);
  return s;
}

static const char digits[] = "0123456789abcdef";

int format_uint(char *out, unsigned v, unsigned base) {
  char tmp[33];
  int n = 0;
  do {
    tmp[n++] = digits[v % base];
    v /= base;
  } while (v);
  for (int i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
  out[n] = 0;
  return n;
}

int mini_printf(char *out, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *o = out;
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      *o++ = *fmt;
      continue;
    }
    switch (*++fmt) {
    case 'd': {
      int v = va_arg(ap, int);
      if (v < 0) {
        *o++ = '-';
        v = -v;
      }
      o += format_uint(o, (unsigned)v, 10);
      break;
    }
    case 'x': o += format_uint(o, va_arg(ap, unsigned), 16); break;
    case 's': for (const char *s = va_arg(ap, const char *); *s; s++) *o++ = *s; break;
    case 'c': *o++ = (char)va_arg(ap, int); break;
    default: *o++ = *fmt;
    }
  }
  *o = 0;
  va_end(ap);
  return (int)(o - out);
}

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) {
  uint8_t v;
  __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
  return v;
}
void serial_write(const char *s) {
  for (; *s; s++) {
    while (!(inb(0x3fd) & 0x20)) {
    }
    outb(0x3f8, (uint8_t)*s);
  }
}
void halt_forever(void) {
  for (;;) __asm__ volatile("cli; hlt");
}
void trap(void) { __builtin_trap(); }
