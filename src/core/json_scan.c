/* json_scan.c - the out-of-line parts of the JSON scanner: unescaping and number values. */
#include "core/json_scan.h"

#include <math.h>
#include <stdlib.h>

static size_t put_utf8(char *dst, unsigned long cp) {
    if (cp < 0x80) {
        dst[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        dst[0] = (char)(0xC0 | (cp >> 6));
        dst[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        dst[0] = (char)(0xE0 | (cp >> 12));
        dst[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        dst[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    dst[0] = (char)(0xF0 | (cp >> 18));
    dst[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    dst[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    dst[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t sb_json_unescape(const char *src, size_t len, char *dst) {
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        char c = src[i];
        if (c != '\\') {
            dst[o++] = c;
            i++;
            continue;
        }
        char e = src[i + 1];
        i += 2;
        switch (e) {
        case 'b': dst[o++] = '\b'; break;
        case 'f': dst[o++] = '\f'; break;
        case 'n': dst[o++] = '\n'; break;
        case 'r': dst[o++] = '\r'; break;
        case 't': dst[o++] = '\t'; break;
        case 'u': {
            unsigned long cp = (unsigned long)sb_json_hex4(src + i);
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned long lo = (unsigned long)sb_json_hex4(src + i + 2);
                i += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            o += put_utf8(dst + o, cp);
            break;
        }
        default: dst[o++] = e; break; /* " \ / */
        }
    }
    return o;
}

/* Exact powers of ten representable in a double (Clinger's fast path). */
static const double exact_pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

bool sb_json_number_value(const char *text, size_t len, double *out) {
    /* Fast path: at most 15 significant digits and a small decimal exponent convert exactly,
     * because both the digits and the power of ten are exact doubles and IEEE division and
     * multiplication round once. Everything else goes to strtod (correctly rounded). */
    const char *p = text, *end = text + len;
    bool neg = false;
    if (p < end && *p == '-') {
        neg = true;
        p++;
    }
    uint64_t mant = 0;
    int digits = 0, exp10 = 0;
    while (p < end && (unsigned)(*p - '0') <= 9) {
        if (digits || *p != '0')
            digits++;
        mant = mant * 10 + (uint64_t)(*p - '0');
        p++;
        if (digits > 15)
            goto slow;
    }
    if (p < end && *p == '.') {
        p++;
        while (p < end && (unsigned)(*p - '0') <= 9) {
            if (digits || *p != '0')
                digits++;
            mant = mant * 10 + (uint64_t)(*p - '0');
            exp10--;
            p++;
            if (digits > 15)
                goto slow;
        }
    }
    if (p < end)
        goto slow; /* an exponent part */
    if (exp10 < -22)
        goto slow;
    double v = (double)mant;
    if (exp10 < 0)
        v /= exact_pow10[-exp10];
    *out = neg ? -v : v;
    return true;
slow:;
    char buf[128];
    char *heap = NULL, *s = buf;
    if (len >= sizeof buf) {
        heap = malloc(len + 1);
        if (!heap)
            return false;
        s = heap;
    }
    memcpy(s, text, len);
    s[len] = '\0';
    double d = strtod(s, NULL);
    free(heap);
    if (isinf(d))
        return false;
    *out = d;
    return true;
}
