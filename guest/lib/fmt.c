#include "fmt.h"
#include "string.h"

uint64_t udiv64(uint64_t n, uint32_t d, uint32_t *rem)
{
    uint32_t hi = (uint32_t)(n >> 32), lo = (uint32_t)n, qhi = hi / d, r = hi % d, qlo;
    /* EDX:EAX / d with EDX = r < d cannot overflow (SDM Vol. 2A, DIV: #DE only if the quotient is too large). */
    __asm__("divl %4" : "=a"(qlo), "=d"(r) : "a"(lo), "d"(r), "rm"(d));
    if (rem)
        *rem = r;
    return ((uint64_t)qhi << 32) | qlo;
}

static void pad(fmt_sink out, void *ctx, char c, int n)
{
    while (n-- > 0)
        out(ctx, &c, 1);
}

static int emit(fmt_sink out, void *ctx, const char *s, int len, int width, int left, char padc)
{
    int fill = width > len ? width - len : 0;
    if (!left)
        pad(out, ctx, padc, fill);
    out(ctx, s, (size_t)len);
    if (left)
        pad(out, ctx, ' ', fill);
    return len + fill;
}

int fmt_format(fmt_sink out, void *ctx, const char *fmt, va_list ap)
{
    int total = 0;
    while (*fmt) {
        if (*fmt != '%') {
            const char *start = fmt;
            while (*fmt && *fmt != '%')
                fmt++;
            out(ctx, start, (size_t)(fmt - start));
            total += (int)(fmt - start);
            continue;
        }
        fmt++;
        int left = 0, width = 0, longlong = 0;
        char padc = ' ';
        for (;; fmt++) {
            if (*fmt == '-')
                left = 1;
            else if (*fmt == '0')
                padc = '0';
            else
                break;
        }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l') {
            longlong = fmt[1] == 'l';
            fmt += longlong ? 2 : 1;
            if (longlong)
                break;
        }
        char buf[24];
        int len = 0;
        char conv = *fmt ? *fmt++ : 0;
        switch (conv) {
        case 'c':
            buf[0] = (char)va_arg(ap, int);
            total += emit(out, ctx, buf, 1, width, left, ' ');
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            total += emit(out, ctx, s, (int)strlen(s), width, left, ' ');
            break;
        }
        case 'd': case 'i': case 'u': case 'x': case 'X': case 'p': {
            uint64_t v;
            int neg = 0;
            if (conv == 'p') {
                v = (uintptr_t)va_arg(ap, void *);
                conv = 'x';
                padc = '0';
                width = 8;
            } else if (conv == 'd' || conv == 'i') {
                int64_t sv = longlong ? va_arg(ap, int64_t) : va_arg(ap, int32_t);
                neg = sv < 0;
                v = neg ? (uint64_t)-sv : (uint64_t)sv;
            } else {
                v = longlong ? va_arg(ap, uint64_t) : va_arg(ap, uint32_t);
            }
            uint32_t base = (conv == 'x' || conv == 'X') ? 16 : 10;
            const char *digits = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
            char tmp[24];
            int n = 0;
            do {
                uint32_t r;
                v = udiv64(v, base, &r);
                tmp[n++] = digits[r];
            } while (v);
            if (neg) {
                if (padc == '0') { /* "-0042": the sign goes before the zeros */
                    out(ctx, "-", 1);
                    total++;
                    width--;
                } else {
                    tmp[n++] = '-';
                }
            }
            while (n)
                buf[len++] = tmp[--n];
            total += emit(out, ctx, buf, len, width, left, left ? ' ' : padc);
            break;
        }
        case '%':
            out(ctx, "%", 1);
            total++;
            break;
        default: /* unknown conversion: print it as written */
            out(ctx, "%", 1);
            if (conv)
                out(ctx, &conv, 1);
            total += conv ? 2 : 1;
            break;
        }
    }
    return total;
}

struct strbuf {
    char *buf;
    size_t size, len;
};

static void strbuf_put(void *ctx, const char *s, size_t n)
{
    struct strbuf *b = ctx;
    for (size_t i = 0; i < n; i++, b->len++)
        if (b->len + 1 < b->size)
            b->buf[b->len] = s[i];
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    struct strbuf b = { buf, size, 0 };
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_format(strbuf_put, &b, fmt, ap);
    va_end(ap);
    if (size)
        buf[b.len < size ? b.len : size - 1] = 0;
    return n;
}
