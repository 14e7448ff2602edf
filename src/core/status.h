/* status.h - the one status convention of signalbox.
 *
 * Every fallible function returns 0 (SB_OK) on success or a negative SB_E... code, and, where
 * it takes an sb_error *, fills it with a message that says what failed, where and why. */
#ifndef SB_STATUS_H
#define SB_STATUS_H

#include <stddef.h>

enum {
    SB_OK = 0,
    SB_ENOMEM = -1,   /* an allocation failed */
    SB_EINVAL = -2,   /* the input is invalid (pattern, event, argument) */
    SB_ELIMIT = -3,   /* the input exceeds a documented limit */
    SB_EIO = -4,      /* reading or writing a file or stream failed */
    SB_ENOTFOUND = -5 /* a named thing does not exist */
};

#define SB_ERROR_MSG_MAX 512

/* An error report: the code and a one-line message ("file:line:col: what: why"). */
typedef struct sb_error {
    int code;
    char msg[SB_ERROR_MSG_MAX];
} sb_error;

/* Fills err (if not NULL) with code and a printf-style message; returns code, so that callers
 * can write `return sb_error_set(err, SB_EINVAL, "...")`. */
int sb_error_set(sb_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes err->msg with "origin:line:col: ", computing line and column (1-based, column in
 * bytes) of byte `offset` in text[0..len). Does nothing if err is NULL. */
void sb_error_locate(sb_error *err, const char *origin, const char *text, size_t len,
                     size_t offset);

/* Computes the 1-based line and column of byte `offset` in text. */
void sb_text_position(const char *text, size_t len, size_t offset, unsigned *line, unsigned *col);

#endif
