/* envelope.c - event ids, timestamps and the envelope's JSON text. */
#include "core/envelope.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>

void sb_uuid4(char out[37]) {
    /* random bytes from a per-thread buffer refilled by getrandom(2): ids are made at ingest
     * rate, one system call per 256 ids */
    static _Thread_local unsigned char pool[4096];
    static _Thread_local size_t used = sizeof pool;
    if (used + 16 > sizeof pool) {
        size_t got = 0;
        while (got < sizeof pool) {
            ssize_t n = getrandom(pool + got, sizeof pool - got, 0);
            if (n > 0)
                got += (size_t)n;
        }
        used = 0;
    }
    unsigned char b[16];
    memcpy(b, pool + used, 16);
    used += 16;
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
    static const char hex[] = "0123456789abcdef";
    int o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 15];
    }
    out[o] = '\0';
}

void sb_rfc3339(time_t t, char out[32]) {
    /* events come many per second: format each second once per thread */
    static _Thread_local time_t last = -1;
    static _Thread_local char text[32];
    if (t != last) {
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
        last = t;
    }
    memcpy(out, text, sizeof text);
}

void sb_envelope_write(sb_buf *out, const sb_envelope_fields *f, char id_out[37]) {
    char id[37], when[32];
    if (f->id) {
        snprintf(id, sizeof id, "%s", f->id);
    } else {
        sb_uuid4(id);
    }
    if (id_out)
        memcpy(id_out, id, sizeof id);
    sb_rfc3339(f->time.tv_sec, when);
    sb_buf_puts(out, "{\"version\":\"0\",\"id\":");
    sb_buf_json_cstr(out, id);
    sb_buf_puts(out, ",\"detail-type\":");
    sb_buf_json_str(out, f->detail_type, f->detail_type_len);
    sb_buf_puts(out, ",\"source\":");
    sb_buf_json_str(out, f->source, f->source_len);
    sb_buf_puts(out, ",\"account\":");
    sb_buf_json_cstr(out, f->account);
    sb_buf_puts(out, ",\"time\":\"");
    sb_buf_puts(out, when);
    sb_buf_puts(out, "\",\"region\":");
    sb_buf_json_cstr(out, f->region);
    sb_buf_puts(out, ",\"resources\":[");
    for (size_t i = 0; i < f->nresources; i++) {
        if (i)
            sb_buf_putc(out, ',');
        sb_buf_json_str(out, f->resources[i], f->resource_lens[i]);
    }
    sb_buf_puts(out, "],\"detail\":");
    sb_buf_append(out, f->detail, f->detail_len);
    if (f->extra && f->extra_len) {
        sb_buf_putc(out, ',');
        sb_buf_append(out, f->extra, f->extra_len);
    }
    sb_buf_putc(out, '}');
}
