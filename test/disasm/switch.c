/* Switch statements: jump tables, range checks, indirect jumps, calls through pointers. */
#include <stdint.h>

extern void putc_hook(int c);
extern int handlers_called;

int classify(int c) {
  switch (c) {
  case 'a': case 'e': case 'i': case 'o': case 'u': return 1;
  case '0': case '1': case '2': case '3': case '4':
  case '5': case '6': case '7': case '8': case '9': return 2;
  case ' ': case '\t': case '\n': return 3;
  default: return 0;
  }
}

const char *opname(unsigned op) {
  switch (op) {
  case 0: return "add";
  case 1: return "or";
  case 2: return "adc";
  case 3: return "sbb";
  case 4: return "and";
  case 5: return "sub";
  case 6: return "xor";
  case 7: return "cmp";
  case 8: return "rol";
  case 9: return "ror";
  case 10: return "shl";
  default: return "?";
  }
}

int eval(int op, int a, int b) {
  switch (op) {
  case 0: return a + b;
  case 1: return a - b;
  case 2: return a * b;
  case 3: return b ? a / b : 0;
  case 4: return b ? a % b : 0;
  case 5: return a << (b & 31);
  case 6: return a >> (b & 31);
  case 7: return (unsigned)a >> (b & 31);
  case 8: return a & b;
  case 9: return a | b;
  case 10: return a ^ b;
  case 11: return a < b;
  case 12: return a == b;
  default: return -1;
  }
}

typedef void (*handler)(int);
static void h0(int x) { putc_hook(x); }
static void h1(int x) { putc_hook(x + 1); handlers_called++; }
static void h2(int x) { putc_hook(x ^ 0x20); }
static handler table[3] = { h0, h1, h2 };

void dispatch(unsigned i, int x) {
  if (i < 3) table[i](x);
}

int state_machine(const char *s) {
  int st = 0, n = 0;
  for (; *s; s++) {
    switch (st) {
    case 0: st = (*s == '/') ? 1 : 0; break;
    case 1: st = (*s == '*') ? 2 : 0; break;
    case 2: if (*s == '*') st = 3; else n++; break;
    case 3: st = (*s == '/') ? 0 : 2; break;
    }
  }
  return n;
}
