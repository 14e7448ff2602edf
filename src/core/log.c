/* log.c - JSON log records. */
#include "core/log.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/status.h"

static atomic_int min_level = SB_LOG_INFO;
static _Atomic(FILE *) sink = NULL; /* NULL: stdout (not a constant, so not an initialiser) */

static const char *const names[] = {"debug", "info", "warn", "error"};

void sb_log_set_level(sb_log_level level) {
    atomic_store(&min_level, (int)level);
}

sb_log_level sb_log_get_level(void) {
    return (sb_log_level)atomic_load(&min_level);
}

bool sb_log_enabled(sb_log_level level) {
    return (int)level >= atomic_load(&min_level);
}

void sb_log_set_sink(FILE *f) {
    atomic_store(&sink, f);
}

int sb_log_parse_level(const char *s, sb_log_level *out) {
    for (int i = 0; i < 4; i++)
        if (s && strcmp(s, names[i]) == 0) {
            *out = (sb_log_level)i;
            return 0;
        }
    return SB_EINVAL;
}

const char *sb_log_level_name(sb_log_level level) {
    return (unsigned)level < 4 ? names[level] : "error";
}

/* "2026-11-26T17:00:00.123Z" */
static void timestamp(sb_buf *b) {
    struct timespec ts;
    struct tm tm;
    char when[32];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    sb_buf_printf(b, "%s.%03ldZ", when, ts.tv_nsec / 1000000);
}

/* The message, formatted without a length limit. */
static void message(sb_buf *b, const char *fmt, va_list ap) {
    char small[512];
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    if (n < 0) {
        sb_buf_json_cstr(b, fmt);
    } else if ((size_t)n < sizeof small) {
        sb_buf_json_str(b, small, (size_t)n);
    } else {
        char *big = malloc((size_t)n + 1);
        if (big) {
            vsnprintf(big, (size_t)n + 1, fmt, again);
            sb_buf_json_str(b, big, (size_t)n);
            free(big);
        } else {
            b->failed = true;
        }
    }
    va_end(again);
}

static bool reserved(const char *key) {
    return strcmp(key, "ts") == 0 || strcmp(key, "level") == 0 || strcmp(key, "component") == 0 ||
           strcmp(key, "msg") == 0;
}

void sb_vlogf_fields(sb_log_level level, const char *component, const sb_log_field *fields,
                     size_t n, const char *fmt, va_list ap) {
    if (!sb_log_enabled(level))
        return;
    sb_buf b;
    sb_buf_init(&b);
    sb_buf_puts(&b, "{\"ts\":\"");
    timestamp(&b);
    sb_buf_printf(&b, "\",\"level\":\"%s\",\"component\":", sb_log_level_name(level));
    sb_buf_json_cstr(&b, component ? component : "");
    sb_buf_puts(&b, ",\"msg\":");
    message(&b, fmt, ap);
    for (size_t i = 0; i < n; i++) {
        if (!fields[i].key || !fields[i].value)
            continue;
        sb_buf_putc(&b, ',');
        if (reserved(fields[i].key)) {
            sb_buf_puts(&b, "\"_");
            sb_buf_puts(&b, fields[i].key);
            sb_buf_putc(&b, '"');
        } else {
            sb_buf_json_cstr(&b, fields[i].key);
        }
        sb_buf_putc(&b, ':');
        sb_buf_json_cstr(&b, fields[i].value);
    }
    sb_buf_puts(&b, "}\n");
    if (!sb_buf_failed(&b)) {
        FILE *f = atomic_load(&sink);
        if (!f)
            f = stdout;
        flockfile(f);
        fwrite(b.data, 1, b.len, f); /* nowhere to report a failed log write */
        fflush(f);
        funlockfile(f);
    }
    sb_buf_free(&b);
}

void sb_logf_fields(sb_log_level level, const char *component, const sb_log_field *fields, size_t n,
                    const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    sb_vlogf_fields(level, component, fields, n, fmt, ap);
    va_end(ap);
}

void sb_log(sb_log_level level, const char *component, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    sb_vlogf_fields(level, component, NULL, 0, fmt, ap);
    va_end(ap);
}

void sb_log_fields(sb_log_level level, const char *component, const char *event_id,
                   const char *rule, const char *target, const char *fmt, ...) {
    const sb_log_field f[] = {{"event_id", event_id}, {"rule", rule}, {"target", target}};
    va_list ap;
    va_start(ap, fmt);
    sb_vlogf_fields(level, component, f, 3, fmt, ap);
    va_end(ap);
}
