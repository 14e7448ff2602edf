/* dlq_print.c - dead-letter entries for people (text, events as indented JSON) and for tools
 * (JSON). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/dlq_store.h"
#include "core/arena.h"
#include "core/json.h"
#include "core/json_scan.h"

void sb_dlqcli_put_text(sb_buf *b, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            int l = sb_utf8_seq_len((const unsigned char *)s + i, (const unsigned char *)s + n);
            if (l > 0) {
                sb_buf_append(b, s + i, (size_t)l);
                i += (size_t)l - 1;
                continue;
            }
        }
        if (c == '\n')
            sb_buf_puts(b, "\\n");
        else if (c == '\t')
            sb_buf_puts(b, "\\t");
        else if (c == '\\')
            sb_buf_puts(b, "\\\\");
        else if (c < 0x20 || c >= 0x7f)
            sb_buf_printf(b, "\\x%02x", c);
        else
            sb_buf_putc(b, (char)c);
    }
}

static void indent(sb_buf *b, int depth) {
    for (int i = 0; i < depth; i++)
        sb_buf_puts(b, "  ");
}

/* n as indented JSON, its nested lines starting at depth (two spaces a level). */
static void put_pretty(sb_buf *b, const sb_jnode *n, int depth) {
    if (n->type == SB_JSON_OBJECT && n->u.obj.n) {
        sb_buf_puts(b, "{\n");
        for (size_t i = 0; i < n->u.obj.n; i++) {
            indent(b, depth + 1);
            sb_buf_json_str(b, n->u.obj.members[i].key, n->u.obj.members[i].keylen);
            sb_buf_puts(b, ": ");
            put_pretty(b, n->u.obj.members[i].value, depth + 1);
            sb_buf_puts(b, i + 1 < n->u.obj.n ? ",\n" : "\n");
        }
        indent(b, depth);
        sb_buf_putc(b, '}');
    } else if (n->type == SB_JSON_ARRAY && n->u.arr.n) {
        sb_buf_puts(b, "[\n");
        for (size_t i = 0; i < n->u.arr.n; i++) {
            indent(b, depth + 1);
            put_pretty(b, n->u.arr.items[i], depth + 1);
            sb_buf_puts(b, i + 1 < n->u.arr.n ? ",\n" : "\n");
        }
        indent(b, depth);
        sb_buf_putc(b, ']');
    } else {
        sb_json_write(b, n); /* a scalar, {} or [] */
    }
}

static void put_base64(sb_buf *b, const char *s, size_t n) {
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = (const unsigned char *)s;
    sb_buf_putc(b, '"');
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        char q[4] = {abc[v >> 18 & 63], abc[v >> 12 & 63], i + 1 < n ? abc[v >> 6 & 63] : '=',
                     i + 2 < n ? abc[v & 63] : '='};
        sb_buf_append(b, q, 4);
    }
    sb_buf_putc(b, '"');
}

/* A field whose value is epoch milliseconds also gets its time, for people. */
static bool is_time_field(const char *name) {
    return strcmp(name, "first_attempt_ms") == 0 || strcmp(name, "last_attempt_ms") == 0;
}

static void put_entry_json(sb_buf *b, const sb_dlqcli_entry *e, const sb_jnode *event) {
    char when[32];
    sb_dlqcli_format_time(e->ms, when);
    sb_buf_puts(b, "{\"id\":");
    sb_buf_json_cstr(b, e->id);
    sb_buf_printf(b, ",\"time\":\"%s\"", when);
    bool poison = false;
    for (size_t i = 0; i < e->nfields; i++) {
        const sb_dlqcli_field *f = &e->fields[i];
        sb_buf_putc(b, ',');
        sb_buf_json_cstr(b, f->name);
        sb_buf_putc(b, ':');
        if (strcmp(f->name, "event") == 0 && event)
            sb_json_write(b, event);
        else
            sb_buf_json_str(b, f->value, f->len);
        poison |= strcmp(f->name, "kind") == 0 && f->len == 6 && memcmp(f->value, "poison", 6) == 0;
    }
    /* a poison message's bytes need not be text: JSON strings cannot carry them exactly */
    static const char *const binary[] = {"raw", "key"};
    for (size_t k = 0; poison && k < 2; k++) {
        size_t n;
        const char *v = sb_dlqcli_get(e, binary[k], &n);
        if (!v)
            continue;
        sb_buf_printf(b, ",\"%s_base64\":", binary[k]);
        put_base64(b, v, n);
    }
    sb_buf_putc(b, '}');
}

static void put_entry_text(sb_buf *b, const sb_dlqcli_entry *e, const sb_jnode *event,
                           bool compact) {
    char when[32];
    sb_dlqcli_format_time(e->ms, when);
    sb_buf_printf(b, "%s  %s\n", e->id, when);
    const sb_dlqcli_field *ev = NULL;
    for (size_t i = 0; i < e->nfields; i++) {
        const sb_dlqcli_field *f = &e->fields[i];
        if (strcmp(f->name, "event") == 0) {
            ev = f;
            continue;
        }
        sb_buf_puts(b, "  ");
        sb_dlqcli_put_text(b, f->name, strlen(f->name));
        sb_buf_puts(b, f->len ? ": " : ":");
        sb_dlqcli_put_text(b, f->value, f->len);
        if (is_time_field(f->name) && f->len && f->len < 20) {
            char num[24], t[32];
            memcpy(num, f->value, f->len);
            num[f->len] = '\0';
            sb_dlqcli_format_time(strtoll(num, NULL, 10), t);
            sb_buf_printf(b, " (%s)", t);
        }
        sb_buf_putc(b, '\n');
    }
    if (!ev)
        return;
    sb_buf_puts(b, "  event: ");
    if (!event)
        sb_dlqcli_put_text(b, ev->value, ev->len); /* not JSON: as it is */
    else if (compact)
        sb_json_write(b, event);
    else
        put_pretty(b, event, 1);
    sb_buf_putc(b, '\n');
}

void sb_dlqcli_put_entry(sb_buf *b, const sb_dlqcli_entry *e, bool json, bool compact) {
    size_t len;
    const char *text = sb_dlqcli_get(e, "event", &len);
    sb_arena a;
    sb_arena_init(&a, 0);
    sb_jnode *event = NULL;
    sb_error err;
    if (text && sb_json_parse(text, len, &a, false, &event, &err, NULL) != SB_OK)
        event = NULL;
    if (json)
        put_entry_json(b, e, event);
    else
        put_entry_text(b, e, event, compact);
    sb_arena_free(&a);
}
