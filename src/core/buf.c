/* buf.c - growable buffers and JSON string escaping. */
#include "core/buf.h"

#include "core/json_scan.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sb_buf_init(sb_buf *b) {
    memset(b, 0, sizeof *b);
}

void sb_buf_free(sb_buf *b) {
    free(b->data);
    memset(b, 0, sizeof *b);
}

void sb_buf_reset(sb_buf *b) {
    b->len = 0;
    b->failed = false;
    if (b->data)
        b->data[0] = '\0';
}

char *sb_buf_take(sb_buf *b, size_t *len) {
    char *d = b->failed ? NULL : b->data;
    if (len)
        *len = d ? b->len : 0;
    if (b->failed)
        free(b->data);
    memset(b, 0, sizeof *b);
    return d;
}

bool sb_buf_reserve(sb_buf *b, size_t n) {
    if (b->failed)
        return false;
    if (b->cap - b->len > n)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len <= n) {
        if (cap > SIZE_MAX / 2) {
            b->failed = true;
            return false;
        }
        cap *= 2;
    }
    char *d = realloc(b->data, cap);
    if (!d) {
        b->failed = true;
        return false;
    }
    b->data = d;
    b->cap = cap;
    return true;
}

void sb_buf_append(sb_buf *b, const void *p, size_t n) {
    if (!sb_buf_reserve(b, n))
        return;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void sb_buf_puts(sb_buf *b, const char *s) {
    sb_buf_append(b, s, strlen(s));
}

void sb_buf_putc(sb_buf *b, char c) {
    sb_buf_append(b, &c, 1);
}

void sb_buf_printf(sb_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        sb_buf_append(b, small, (size_t)n);
        return;
    }
    if (!sb_buf_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void sb_buf_json_str(sb_buf *b, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    if (!sb_buf_reserve(b, n + 2))
        return;
    b->data[b->len++] = '"';
    size_t run = 0; /* start of the pending run of bytes that need no escape */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\')
            continue;
        if (c >= 0x80) {
            int l = sb_utf8_seq_len((const unsigned char *)s + i, (const unsigned char *)s + n);
            if (l > 0) {
                i += (size_t)l - 1;
                continue;
            }
            /* not UTF-8: write U+FFFD instead of the byte, so the output stays valid JSON */
            sb_buf_append(b, s + run, i - run);
            sb_buf_puts(b, "\xef\xbf\xbd");
            run = i + 1;
            continue;
        }
        sb_buf_append(b, s + run, i - run);
        char esc[6] = {'\\', 0};
        size_t el = 2;
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        default:
            esc[1] = 'u';
            sb_buf_append(b, esc, 2);
            esc[0] = '0';
            esc[1] = '0';
            esc[2] = hex[c >> 4];
            esc[3] = hex[c & 15];
            el = 4;
            break;
        }
        sb_buf_append(b, esc, el);
        run = i + 1;
    }
    sb_buf_append(b, s + run, n - run);
    sb_buf_putc(b, '"');
}

void sb_buf_json_cstr(sb_buf *b, const char *s) {
    sb_buf_json_str(b, s, strlen(s));
}

void sb_buf_json_double(sb_buf *b, double v) {
    if (!isfinite(v)) {
        sb_buf_puts(b, "null");
        return;
    }
    if (v == (double)(long long)v && fabs(v) < 1e15) {
        sb_buf_printf(b, "%lld", (long long)v);
        return;
    }
    char tmp[32];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    sb_buf_puts(b, tmp);
}

int sb_buf_read_stream(sb_buf *b, FILE *f, size_t max) {
    char chunk[8192];
    size_t start = b->len, n;
    while (b->len - start <= max && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        sb_buf_append(b, chunk, n);
    for (volatile char *v = chunk; v < chunk + sizeof chunk; v++)
        *v = 0; /* not a memset, which a compiler may leave out before the return */
    if (ferror(f) || sb_buf_failed(b))
        return -1;
    return b->len - start > max ? 1 : 0;
}
