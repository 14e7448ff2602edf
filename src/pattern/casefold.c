/* casefold.c - code point case folding through utf8proc, with an ASCII fast path. */
#include "pattern/casefold.h"

#include <utf8proc.h>

size_t sb_fold_utf8(const char *s, size_t n, char *dst) {
    size_t o = 0, i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            dst[o++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t used =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
        if (used <= 0) {
            dst[o++] = (char)c;
            i++;
            continue;
        }
        i += (size_t)used;
        cp = utf8proc_tolower(utf8proc_toupper(cp));
        o += (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)dst + o);
    }
    return o;
}
