/* log.h - structured logs: one JSON object per line on standard output.
 *
 *   {"ts":"2026-11-26T17:00:00.123Z","level":"warn","component":"delivery","msg":"...",
 *    "event_id":"...","rule":"...","target":"..."}
 *
 * Thread-safe: a record is written with one write(2). Messages are JSON-escaped. Never pass
 * secrets. */
#ifndef SB_LOG_H
#define SB_LOG_H

#include <stdio.h>

typedef enum { SB_LOG_DEBUG, SB_LOG_INFO, SB_LOG_WARN, SB_LOG_ERROR } sb_log_level;

/* Records below level are dropped (default: info). */
void sb_log_set_level(sb_log_level level);

/* Parses "debug", "info", "warn" or "error"; returns 0, or -1 for anything else. */
int sb_log_parse_level(const char *s, sb_log_level *out);

/* Sends records to fd instead of standard output (tests). */
void sb_log_set_fd(int fd);

/* Logs a record from component (e.g. "ingest"). */
void sb_log(sb_log_level level, const char *component, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Logs a record with the event id, rule and target it concerns (each may be NULL). */
void sb_log_fields(sb_log_level level, const char *component, const char *event_id,
                   const char *rule, const char *target, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

#endif
