/* json_scan.h - the validating JSON scanning primitives shared by the DOM parser (json.c) and
 * the event flattener (pattern/flatten.c).
 *
 * They work on a byte range [p, end) that need not be NUL-terminated and never read past end.
 * Each returns the position after what it scanned, or NULL when the input is invalid, with
 * *why set to a static description of the problem at *where. These sit on the matching hot
 * path, hence inline. */
#ifndef SB_JSON_SCAN_H
#define SB_JSON_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Skips JSON whitespace (space, tab, CR, LF). */
static inline const char *sb_json_skip_ws(const char *p, const char *end) {
    while (p < end && (unsigned char)*p <= ' ' &&
           (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

/* Length (1-4) of the valid UTF-8 sequence at p, or 0 if the bytes there are not one.
 * Rejects overlong forms, surrogates and code points above U+10FFFF. */
static inline int sb_utf8_seq_len(const unsigned char *p, const unsigned char *end) {
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    if (c < 0xC2 || c > 0xF4)
        return 0;
    if (c < 0xE0) {
        if (end - p < 2 || (p[1] & 0xC0) != 0x80)
            return 0;
        return 2;
    }
    if (c < 0xF0) {
        if (end - p < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && p[1] < 0xA0)
            return 0; /* overlong */
        if (c == 0xED && p[1] > 0x9F)
            return 0; /* surrogate */
        return 3;
    }
    if (end - p < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
        return 0;
    if (c == 0xF0 && p[1] < 0x90)
        return 0; /* overlong */
    if (c == 0xF4 && p[1] > 0x8F)
        return 0; /* above U+10FFFF */
    return 4;
}

static inline int sb_hex_value(unsigned char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static inline long sb_json_hex4(const char *p) {
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int h = sb_hex_value((unsigned char)p[i]);
        if (h < 0)
            return -1;
        v = (v << 4) | h;
    }
    return v;
}

/* Scans the body of a string whose opening quote has been consumed; p points just after it.
 * Returns the position after the closing quote. Sets *escaped when the body holds escapes
 * (then sb_json_unescape must be used to get the value). Validates escapes, control
 * characters and UTF-8. */
/* 1 for the bytes a string may hold as they are: printable ASCII but '"' and '\\'. */
extern const unsigned char sb_json_plain[256];

static inline const char *sb_json_scan_string(const char *p, const char *end, bool *escaped,
                                              const char **why, const char **where) {
    bool esc = false;
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    /* short strings (keys, codes) end within a few bytes: look at them one by one first */
    for (int i = 0; i < 4 && p < end && sb_json_plain[(unsigned char)*p]; i++)
        p++;
    if (p < end && *p == '"') {
        *escaped = false;
        return p + 1;
    }
    for (;;) {
        /* eight plain ASCII bytes at a time: no quote, backslash, control byte or high bit */
        while (end - p >= 8) {
            uint64_t x;
            memcpy(&x, p, 8);
            uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
            uint64_t special =
                (((q - ones) & ~q) | ((b - ones) & ~b) | ((x - ones * 0x20) & ~x) | x) & highs;
            if (special) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
                /* the lowest flagged byte is always a true hit: borrows only run upwards */
                p += __builtin_ctzll(special) >> 3;
#endif
                break;
            }
            p += 8;
        }
        if (p >= end) {
            *why = "unterminated string";
            *where = p;
            return NULL;
        }
        unsigned char c = (unsigned char)*p;
        if (c == '"') {
            *escaped = esc;
            return p + 1;
        }
        if (c == '\\') {
            esc = true;
            if (end - p < 2) {
                *why = "unterminated string";
                *where = p;
                return NULL;
            }
            char e = p[1];
            if (e == 'u') {
                if (end - p < 6 || sb_json_hex4(p + 2) < 0) {
                    *why = "invalid \\u escape";
                    *where = p;
                    return NULL;
                }
                long cp = sb_json_hex4(p + 2);
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    long lo =
                        (end - p >= 12 && p[6] == '\\' && p[7] == 'u') ? sb_json_hex4(p + 8) : -1;
                    if (lo < 0xDC00 || lo > 0xDFFF) {
                        *why = "unpaired UTF-16 surrogate in \\u escape";
                        *where = p;
                        return NULL;
                    }
                    p += 12;
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    *why = "unpaired UTF-16 surrogate in \\u escape";
                    *where = p;
                    return NULL;
                } else {
                    p += 6;
                }
                continue;
            }
            if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' &&
                e != 't') {
                *why = "invalid escape in string";
                *where = p;
                return NULL;
            }
            p += 2;
            continue;
        }
        if (c < 0x20) {
            *why = "control character in string";
            *where = p;
            return NULL;
        }
        if (c < 0x80) {
            p++;
            continue;
        }
        int n = sb_utf8_seq_len((const unsigned char *)p, (const unsigned char *)end);
        if (n == 0) {
            *why = "invalid UTF-8 in string";
            *where = p;
            return NULL;
        }
        p += n;
    }
}

/* Skips a run of ASCII digits, eight at a time. */
static inline const char *sb_json_skip_digits(const char *p, const char *end) {
    /* integer parts are short: a few bytes one by one before eight at a time */
    for (int i = 0; i < 4; i++, p++)
        if (p >= end || (unsigned)(*p - '0') > 9)
            return p;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    while (end - p >= 8) {
        uint64_t x;
        memcpy(&x, p, 8);
        /* a byte is a digit when its high nibble is 3 and adding 6 keeps it so */
        uint64_t nd =
            ((x & 0xF0F0F0F0F0F0F0F0ULL) ^ 0x3030303030303030ULL) |
            (((x + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) ^ 0x3030303030303030ULL);
        if (nd)
            return p + (__builtin_ctzll(nd) >> 3);
        p += 8;
    }
#endif
    while (p < end && (unsigned)(*p - '0') <= 9)
        p++;
    return p;
}

/* Scans a number starting at p (a '-' or digit). Returns the position after it. */
static inline const char *sb_json_scan_number(const char *p, const char *end, const char **why,
                                              const char **where) {
    const char *s = p;
    if (p < end && *p == '-')
        p++;
    if (p >= end || (unsigned)(*p - '0') > 9)
        goto bad;
    if (*p == '0')
        p++;
    else
        p = sb_json_skip_digits(p, end);
    if (p < end && *p == '.') {
        p++;
        if (p >= end || (unsigned)(*p - '0') > 9)
            goto bad;
        p = sb_json_skip_digits(p, end);
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || (unsigned)(*p - '0') > 9)
            goto bad;
        p = sb_json_skip_digits(p, end);
    }
    return p;
bad:
    *why = "invalid number";
    *where = s;
    return NULL;
}

/* Writes the value of a validated string body src[0..len) (without quotes) to dst, which must
 * hold len bytes (unescaping never grows). Returns the value's length. */
size_t sb_json_unescape(const char *src, size_t len, char *dst);

/* Converts a validated JSON number text to a double, correctly rounded. Returns false when
 * the magnitude is beyond the range of doubles (the value would be infinite). */
bool sb_json_number_value(const char *text, size_t len, double *out);

#endif
