/* json_scan.c - the out-of-line parts of the JSON scanner: unescaping and number values. */
#include "core/json_scan.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#define PLAIN16 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
const unsigned char sb_json_plain[256] = {
    0,       0,       0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x00: control */
    0,       0,       0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x10: control */
    1,       1,       0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20: '"' */
    PLAIN16, PLAIN16,                                           /* 0x30, 0x40 */
    1,       1,       1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50: '\\' */
    PLAIN16, PLAIN16,                                           /* 0x60, 0x70 */
    /* 0x80-0xFF: UTF-8, checked by sb_utf8_seq_len */
};
#undef PLAIN16

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
        case 'b':
            dst[o++] = '\b';
            break;
        case 'f':
            dst[o++] = '\f';
            break;
        case 'n':
            dst[o++] = '\n';
            break;
        case 'r':
            dst[o++] = '\r';
            break;
        case 't':
            dst[o++] = '\t';
            break;
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
        default:
            dst[o++] = e;
            break; /* " \ / */
        }
    }
    return o;
}

/* Exact powers of ten representable in a double (Clinger's fast path). */
static const double exact_pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

#if LDBL_MANT_DIG == 64
/* Powers of ten exact in the x87 80-bit format (5^27 < 2^64). */
static const long double exact_pow10l[] = {1e0L,  1e1L,  1e2L,  1e3L,  1e4L,  1e5L,  1e6L,
                                           1e7L,  1e8L,  1e9L,  1e10L, 1e11L, 1e12L, 1e13L,
                                           1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L, 1e20L,
                                           1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L};

/* w * 10^e10 through one correctly rounded 80-bit operation, then to double. The 80-bit
 * result is within half of its own ulp of the true value; rounding it to double can only
 * differ from rounding the true value when it lies next to a midpoint between two doubles,
 * which the low 11 bits of its 64-bit significand show. Returns false in that case. */
static bool extended_path(uint64_t w, int e10, double *out) {
    long double r =
        e10 < 0 ? (long double)w / exact_pow10l[-e10] : (long double)w * exact_pow10l[e10];
    uint64_t sig;
    memcpy(&sig, &r, sizeof sig); /* x87: the significand is the first 8 bytes */
    unsigned low = (unsigned)(sig & 0x7FF);
    if (low >= 0x3FF && low <= 0x401)
        return false;
    *out = (double)r;
    return true;
}
#endif

bool sb_json_number_value(const char *text, size_t len, double *out) {
    /* Fast paths, both exact: up to 15 significant digits with a power of ten up to 1e22
     * (Clinger: both operands are exact doubles and one IEEE operation rounds once), and up to
     * 19 digits with a power up to 1e27 in 80-bit arithmetic (see extended_path). Everything
     * else goes to strtod, which rounds correctly. */
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
        if (digits > 19)
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
            if (digits > 19)
                goto slow;
        }
    }
    if (p < end) { /* an exponent part */
        p++;
        bool eneg = false;
        if (*p == '+' || *p == '-')
            eneg = *p++ == '-';
        int e = 0;
        while (p < end) {
            e = e * 10 + (*p++ - '0');
            if (e > 400)
                goto slow;
        }
        exp10 += eneg ? -e : e;
    }
    if (mant == 0) {
        *out = neg ? -0.0 : 0.0;
        return true;
    }
    double v;
    if (digits <= 15 && exp10 >= -22 && exp10 <= 22) {
        v = (double)mant;
        v = exp10 < 0 ? v / exact_pow10[-exp10] : v * exact_pow10[exp10];
        *out = neg ? -v : v;
        return true;
    }
#if LDBL_MANT_DIG == 64
    if (exp10 >= -27 && exp10 <= 27 && extended_path(mant, exp10, &v)) {
        *out = neg ? -v : v;
        return true;
    }
#endif
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
