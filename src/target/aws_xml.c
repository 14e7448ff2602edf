/* aws_xml.c - element lookup in AWS query-protocol answers (see aws_xml.h for the limits). */
#include "target/aws_xml.h"

#include <stdlib.h>
#include <string.h>

/* The first occurrence of needle[0..n) in [s, e), or NULL. */
static const char *find(const char *s, const char *e, const char *needle, size_t n) {
    while ((size_t)(e - s) >= n) {
        const char *p = memchr(s, needle[0], (size_t)(e - s) - n + 1);
        if (!p)
            return NULL;
        if (memcmp(p, needle, n) == 0)
            return p;
        s = p + 1;
    }
    return NULL;
}

static bool locate(sb_xml_span in, const char *name, sb_xml_span *out, const char **after) {
    size_t n = strlen(name);
    const char *s = in.s;
    while (s < in.e) {
        const char *lt = memchr(s, '<', (size_t)(in.e - s));
        if (!lt || (size_t)(in.e - lt) < n + 2)
            return false;
        const char *p = lt + 1;
        char c = p + n < in.e ? p[n] : '\0';
        if (memcmp(p, name, n) != 0 ||
            !(c == '>' || c == '/' || c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
            s = lt + 1;
            continue;
        }
        const char *gt = memchr(p + n, '>', (size_t)(in.e - (p + n)));
        if (!gt)
            return false;
        if (gt[-1] == '/') {
            out->s = out->e = gt + 1;
            *after = gt + 1;
            return true;
        }
        char close[80];
        if (n + 4 > sizeof close)
            return false;
        close[0] = '<';
        close[1] = '/';
        memcpy(close + 2, name, n);
        close[n + 2] = '>';
        const char *end = find(gt + 1, in.e, close, n + 3);
        if (!end)
            return false;
        out->s = gt + 1;
        out->e = end;
        *after = end + n + 3;
        return true;
    }
    return false;
}

bool sb_xml_find(sb_xml_span in, const char *name, sb_xml_span *out) {
    const char *after;
    return locate(in, name, out, &after);
}

bool sb_xml_next(sb_xml_span *in, const char *name, sb_xml_span *out) {
    const char *after;
    if (!locate(*in, name, out, &after))
        return false;
    in->s = after;
    return true;
}

/* Appends code point cp as UTF-8 when it fits. */
static size_t put_utf8(char *out, size_t at, size_t cap, unsigned long cp) {
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    if (at + n >= cap)
        return at;
    memcpy(out + at, u, n);
    return at + n;
}

size_t sb_xml_text(sb_xml_span v, char *out, size_t outlen) {
    static const struct {
        const char *name;
        char c;
    } ents[] = {{"lt;", '<'}, {"gt;", '>'}, {"amp;", '&'}, {"quot;", '"'}, {"apos;", '\''}};
    size_t n = 0;
    for (const char *p = v.s; p < v.e && n + 1 < outlen;) {
        if (*p != '&') {
            out[n++] = *p++;
            continue;
        }
        const char *semi = memchr(p, ';', (size_t)(v.e - p));
        bool done = false;
        if (semi && p[1] == '#') {
            char num[16];
            size_t k = (size_t)(semi - p - 2);
            if (k > 0 && k < sizeof num) {
                memcpy(num, p + 2, k);
                num[k] = '\0';
                char *end;
                unsigned long cp = num[0] == 'x' || num[0] == 'X' ? strtoul(num + 1, &end, 16)
                                                                  : strtoul(num, &end, 10);
                if (*end == '\0' && cp > 0 && cp <= 0x10FFFF) {
                    n = put_utf8(out, n, outlen, cp);
                    p = semi + 1;
                    done = true;
                }
            }
        }
        for (size_t i = 0; !done && semi && i < sizeof ents / sizeof ents[0]; i++) {
            size_t k = strlen(ents[i].name);
            if ((size_t)(v.e - p - 1) >= k && memcmp(p + 1, ents[i].name, k) == 0) {
                out[n++] = ents[i].c;
                p += k + 1;
                done = true;
            }
        }
        if (!done)
            out[n++] = *p++;
    }
    out[n] = '\0';
    return n;
}
