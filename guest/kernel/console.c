/*
 * The console: output with LF turned into CR LF, and input with line editing, like a Unix terminal
 * in canonical mode (POSIX termios: ICANON with ECHO, ERASE, KILL, EOF; ICRNL; ONLCR).
 *
 * Received bytes arrive from the platform's interrupt handler (UART RX interrupt, or a used buffer in
 * the virtio console's receive queue) in console_input(), which only queues them and wakes a reader.
 * Editing and echo happen when a program reads, so typeahead is echoed when the program asks for it
 * and a transcript reads like an interactive session (Linux echoes typeahead at once instead).
 */
#include "console.h"
#include "kernel.h"
#include "sched.h"
#include "../platform/platform.h"

#define RAW_SIZE 4096
#define LINE_MAX 256

static int ready;
static char early[2048];
static size_t early_len;

static char raw[RAW_SIZE];
static uint32_t raw_head, raw_tail;

static char line[LINE_MAX];
static size_t line_len;
static char cooked[LINE_MAX];
static size_t cooked_len, cooked_pos;
static int eof_pending, last_was_cr;
static char echo_buf[LINE_MAX];
static size_t echo_len;

static void out_raw(const char *s, size_t n)
{
    if (ready) {
        plat_console_write(s, n);
        return;
    }
    for (size_t i = 0; i < n && early_len < sizeof early; i++)
        early[early_len++] = s[i];
}

void console_start(void)
{
    ready = 1;
    plat_console_write(early, early_len);
    early_len = 0;
}

void console_write(const char *s, size_t n)
{
    char buf[256];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            buf[k++] = '\r';
        buf[k++] = s[i];
        if (k >= sizeof buf - 1) {
            out_raw(buf, k);
            k = 0;
        }
    }
    if (k)
        out_raw(buf, k);
}

struct kbuf {
    char buf[256];
    size_t len;
};

static void kbuf_put(void *ctx, const char *s, size_t n)
{
    struct kbuf *b = ctx;
    for (size_t i = 0; i < n; i++) {
        if (b->len == sizeof b->buf) {
            console_write(b->buf, b->len);
            b->len = 0;
        }
        b->buf[b->len++] = s[i];
    }
}

/* Formats into a buffer first, so one kprintf is one console write (one virtio notification). */
static void kvprintf(const char *fmt, va_list ap)
{
    struct kbuf b;
    b.len = 0;
    fmt_format(kbuf_put, &b, fmt, ap);
    console_write(b.buf, b.len);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}

void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kprintf("\n*** kernel panic: ");
    kvprintf(fmt, ap);
    kprintf("\n");
    va_end(ap);
    plat_halt();
}

void console_input(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (raw_head - raw_tail < RAW_SIZE) /* beyond 4 KiB of unread typeahead, keys are lost */
            raw[raw_head++ % RAW_SIZE] = s[i];
    }
    proc_wakeup(raw);
}

/* Echo is collected and written once per burst of input, not once per byte. */
static void echo(const char *s, size_t n)
{
    if (echo_len + n > sizeof echo_buf) {
        console_write(echo_buf, echo_len);
        echo_len = 0;
    }
    memcpy(echo_buf + echo_len, s, n);
    echo_len += n;
}

/* Display width of the code point that starts at s: 2 for East Asian wide characters (UAX #11). */
static int width_of(const unsigned char *s, size_t n)
{
    uint32_t cp;
    if (n == 3 && (s[0] & 0xF0) == 0xE0)
        cp = (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
    else
        return 1;
    if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3)
        || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60)
        || (cp >= 0xFFE0 && cp <= 0xFFE6))
        return 2;
    return 1;
}

/* Erases the last character (a whole UTF-8 sequence) from the line and from the screen. */
static int erase_char(void)
{
    if (!line_len)
        return 0;
    size_t end = line_len;
    while (line_len > 0 && ((unsigned char)line[line_len - 1] & 0xC0) == 0x80)
        line_len--;
    if (line_len > 0)
        line_len--;
    int w = width_of((const unsigned char *)line + line_len, end - line_len);
    echo(w == 2 ? "\b\b  \b\b" : "\b \b", w == 2 ? 6 : 3);
    return 1;
}

static void finish_line(void)
{
    memcpy(cooked, line, line_len);
    cooked_len = line_len;
    cooked_pos = 0;
    line_len = 0;
}

/* Applies line editing to queued input until a line is complete or the input runs out. */
static void discipline(void)
{
    while (cooked_pos == cooked_len && !eof_pending && raw_tail != raw_head) {
        char c = raw[raw_tail++ % RAW_SIZE];
        if (c == '\n' && last_was_cr) { /* CR LF from a terminal: one end of line */
            last_was_cr = 0;
            continue;
        }
        last_was_cr = c == '\r';
        switch (c) {
        case '\r': /* ICRNL */
        case '\n':
            line[line_len++] = '\n';
            echo("\n", 1);
            finish_line();
            break;
        case 0x7F: /* DEL, what most terminals send for Backspace */
        case '\b':
            erase_char();
            break;
        case 0x15: /* Ctrl-U: kill the line */
            while (erase_char())
                ;
            break;
        case 0x03: /* Ctrl-C: abandon the line */
            echo("^C\n", 3);
            line_len = 0;
            line[line_len++] = '\n';
            finish_line();
            break;
        case 0x04: /* Ctrl-D: end of file on an empty line, else hand over the line as it is */
            if (line_len)
                finish_line();
            else
                eof_pending = 1;
            break;
        default:
            if (((unsigned char)c < 0x20 && c != '\t') || line_len >= LINE_MAX - 2)
                break; /* other control characters are ignored; so is input past the line limit */
            line[line_len++] = c;
            echo(&c, 1);
            break;
        }
    }
    if (echo_len) {
        console_write(echo_buf, echo_len);
        echo_len = 0;
    }
}

int console_read(char *buf, size_t n)
{
    for (;;) {
        discipline();
        if (cooked_pos < cooked_len) {
            size_t k = cooked_len - cooked_pos;
            if (k > n)
                k = n;
            memcpy(buf, cooked + cooked_pos, k);
            cooked_pos += k;
            return (int)k;
        }
        if (eof_pending) {
            eof_pending = 0;
            return 0;
        }
        proc_block(raw);
    }
}
