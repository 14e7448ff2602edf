/* status.c - error reports with positions. */
#include "core/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int sb_error_set(sb_error *err, int code, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

void sb_text_position(const char *text, size_t len, size_t offset, unsigned *line, unsigned *col) {
    unsigned l = 1, c = 1;
    if (offset > len)
        offset = len;
    for (size_t i = 0; i < offset; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *col = c;
}

void sb_error_locate(sb_error *err, const char *origin, const char *text, size_t len,
                     size_t offset) {
    if (!err)
        return;
    unsigned line, col;
    sb_text_position(text, len, offset, &line, &col);
    char tmp[SB_ERROR_MSG_MAX];
    int n = snprintf(tmp, sizeof tmp, "%s:%u:%u: ", origin ? origin : "<input>", line, col);
    if (n < 0 || (size_t)n >= sizeof tmp)
        return;
    size_t room = sizeof tmp - (size_t)n - 1, mlen = strnlen(err->msg, sizeof err->msg);
    if (mlen > room)
        mlen = room;
    memcpy(tmp + n, err->msg, mlen);
    tmp[(size_t)n + mlen] = '\0';
    memcpy(err->msg, tmp, sizeof tmp);
}
