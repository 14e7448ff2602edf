/* log.c - JSON log records. */
#include "core/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"

static _Atomic int min_level = SB_LOG_INFO;
static _Atomic int out_fd = STDOUT_FILENO;

static const char *const names[] = {"debug", "info", "warn", "error"};

void sb_log_set_level(sb_log_level level) {
    min_level = (int)level;
}

void sb_log_set_fd(int fd) {
    out_fd = fd;
}

int sb_log_parse_level(const char *s, sb_log_level *out) {
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (sb_log_level)i;
            return 0;
        }
    return -1;
}

static void emit(sb_log_level level, const char *component, const char *event_id, const char *rule,
                 const char *target, const char *fmt, va_list ap) {
    if ((int)level < min_level)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char when[40];
    size_t n = strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(when + n, sizeof when - n, ".%03ldZ", ts.tv_nsec / 1000000);
    char msg[2048];
    vsnprintf(msg, sizeof msg, fmt, ap);
    sb_buf b;
    sb_buf_init(&b);
    sb_buf_printf(&b, "{\"ts\":\"%s\",\"level\":\"%s\",\"component\":", when, names[level]);
    sb_buf_json_cstr(&b, component);
    sb_buf_puts(&b, ",\"msg\":");
    sb_buf_json_cstr(&b, msg);
    if (event_id) {
        sb_buf_puts(&b, ",\"event_id\":");
        sb_buf_json_cstr(&b, event_id);
    }
    if (rule) {
        sb_buf_puts(&b, ",\"rule\":");
        sb_buf_json_cstr(&b, rule);
    }
    if (target) {
        sb_buf_puts(&b, ",\"target\":");
        sb_buf_json_cstr(&b, target);
    }
    sb_buf_puts(&b, "}\n");
    if (!sb_buf_failed(&b)) {
        ssize_t w = write(out_fd, b.data, b.len);
        (void)w; /* nowhere to report a failed log write */
    }
    sb_buf_free(&b);
}

void sb_log(sb_log_level level, const char *component, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    emit(level, component, NULL, NULL, NULL, fmt, ap);
    va_end(ap);
}

void sb_log_fields(sb_log_level level, const char *component, const char *event_id,
                   const char *rule, const char *target, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    emit(level, component, event_id, rule, target, fmt, ap);
    va_end(ap);
}
