/* log.h - structured logs: one JSON object per line, on standard output by default.
 *
 *   {"ts":"2026-11-26T17:00:00.123Z","level":"warn","component":"delivery","msg":"...",
 *    "event_id":"...","rule":"...","target":"...", ...more fields}
 *
 * ts is UTC with milliseconds. Every string is JSON-escaped (bytes that are not UTF-8 become
 * U+FFFD), so a record is always exactly one line. Safe from any thread: a record is formatted
 * apart and written with one locked fwrite + fflush, so lines never interleave. Records are
 * never longer than needed and never truncated; one that cannot be allocated is dropped.
 * Never pass secrets. */
#ifndef SB_LOG_H
#define SB_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef enum { SB_LOG_DEBUG, SB_LOG_INFO, SB_LOG_WARN, SB_LOG_ERROR } sb_log_level;

/* One extra key/value of a record. A NULL value leaves the field out. Keys should be unique;
 * the four keys every record has (ts, level, component, msg) are written as _ts, _level, ... */
typedef struct sb_log_field {
    const char *key;
    const char *value;
} sb_log_field;

/* Records below level are dropped (default: info). */
void sb_log_set_level(sb_log_level level);

/* The current level. */
sb_log_level sb_log_get_level(void);

/* True when a record of this level would be written: guards costly arguments. */
bool sb_log_enabled(sb_log_level level);

/* Parses "debug", "info", "warn" or "error" (exactly). Returns 0, or SB_EINVAL. */
int sb_log_parse_level(const char *s, sb_log_level *out);

/* "debug", "info", "warn" or "error". */
const char *sb_log_level_name(sb_log_level level);

/* Sends records to f instead of standard output; NULL restores standard output. f is borrowed:
 * it must stay open until it is replaced. For tests and for tools that log elsewhere. */
void sb_log_set_sink(FILE *f);

/* Logs a record from component (e.g. "ingest"; NULL is written as ""). */
void sb_log(sb_log_level level, const char *component, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Logs a record with n extra fields, in order, after msg. */
void sb_logf_fields(sb_log_level level, const char *component, const sb_log_field *fields, size_t n,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* sb_logf_fields with a va_list, for wrappers. */
void sb_vlogf_fields(sb_log_level level, const char *component, const sb_log_field *fields,
                     size_t n, const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

/* Logs a record with the event id, rule and target it concerns (each may be NULL), as the
 * fields event_id, rule and target. */
void sb_log_fields(sb_log_level level, const char *component, const char *event_id,
                   const char *rule, const char *target, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

#endif
