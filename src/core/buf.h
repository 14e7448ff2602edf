/* buf.h - a growable byte buffer, and JSON text written into it.
 *
 * Used to build what signalbox sends: envelopes, API answers, target payloads, metrics. Once an
 * allocation fails the buffer is marked failed and later appends do nothing, so that a caller
 * can append a whole document and check sb_buf_failed() once. */
#ifndef SB_BUF_H
#define SB_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct sb_buf {
    char *data; /* NUL-terminated while not failed */
    size_t len, cap;
    bool failed;
} sb_buf;

/* Initialises an empty buffer (no allocation yet). */
void sb_buf_init(sb_buf *b);

/* Frees the buffer's memory; it may be initialised again. */
void sb_buf_free(sb_buf *b);

/* Empties the buffer, keeping its memory, and clears the failed mark. */
void sb_buf_reset(sb_buf *b);

/* Takes the buffer's memory (NUL-terminated, the caller frees it) and leaves it empty.
 * Returns NULL when the buffer failed or is empty and has never allocated. */
char *sb_buf_take(sb_buf *b, size_t *len);

/* True when an append ran out of memory. */
static inline bool sb_buf_failed(const sb_buf *b) {
    return b->failed;
}

/* Makes room for n more bytes; false (and failed) when out of memory. */
bool sb_buf_reserve(sb_buf *b, size_t n);

void sb_buf_append(sb_buf *b, const void *p, size_t n);
void sb_buf_puts(sb_buf *b, const char *s);
void sb_buf_putc(sb_buf *b, char c);
void sb_buf_printf(sb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends what is left of f to b, up to max bytes and one more (to tell a larger file). Returns
 * 0, 1 when f holds more than max bytes, or -1 on a read error (ferror(f); errno says why) or
 * when b failed. The read buffer on the stack is wiped, for files that hold secrets. */
int sb_buf_read_stream(sb_buf *b, FILE *f, size_t max);

/* Appends s[0..n) as a JSON string, quotes included: control characters, quotes and
 * backslashes are escaped, and bytes that are not UTF-8 become U+FFFD. */
void sb_buf_json_str(sb_buf *b, const char *s, size_t n);

/* Appends a NUL-terminated string as a JSON string. */
void sb_buf_json_cstr(sb_buf *b, const char *s);

/* Appends a finite double in the shortest form that reads back to the same value. */
void sb_buf_json_double(sb_buf *b, double v);

#endif
