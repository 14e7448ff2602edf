/* import_pretty.c - indented JSON for imported rule files, and node builders. */
#include <string.h>

#include "cli/import_pretty.h"

/* Lists and objects up to this many bytes on one line stay on one line. */
#define ONE_LINE_MAX 64

static void one_line(sb_buf *b, const sb_jnode *n) {
    switch (n->type) {
    case SB_JSON_ARRAY:
        sb_buf_putc(b, '[');
        for (size_t i = 0; i < n->u.arr.n; i++) {
            sb_buf_puts(b, i ? ", " : "");
            one_line(b, n->u.arr.items[i]);
        }
        sb_buf_putc(b, ']');
        return;
    case SB_JSON_OBJECT:
        sb_buf_putc(b, '{');
        for (size_t i = 0; i < n->u.obj.n; i++) {
            sb_buf_puts(b, i ? ", " : "");
            sb_buf_json_str(b, n->u.obj.members[i].key, n->u.obj.members[i].keylen);
            sb_buf_puts(b, ": ");
            one_line(b, n->u.obj.members[i].value);
        }
        sb_buf_putc(b, '}');
        return;
    case SB_JSON_STRING:
        sb_buf_json_str(b, n->u.str.s, n->u.str.len);
        return;
    default:
        sb_json_write(b, n); /* numbers keep their spelling; literals */
        return;
    }
}

static void indent(sb_buf *b, int depth) {
    sb_buf_putc(b, '\n');
    for (int i = 0; i < depth; i++)
        sb_buf_puts(b, "  ");
}

static void pretty(sb_buf *b, const sb_jnode *n, int depth) {
    bool container = n->type == SB_JSON_ARRAY || n->type == SB_JSON_OBJECT;
    if (container) {
        sb_buf line;
        sb_buf_init(&line);
        one_line(&line, n);
        bool fits = !sb_buf_failed(&line) && line.len <= ONE_LINE_MAX;
        if (fits)
            sb_buf_append(b, line.data, line.len);
        sb_buf_free(&line);
        if (fits)
            return;
    } else {
        one_line(b, n);
        return;
    }
    bool arr = n->type == SB_JSON_ARRAY;
    size_t count = arr ? n->u.arr.n : n->u.obj.n;
    sb_buf_putc(b, arr ? '[' : '{');
    for (size_t i = 0; i < count; i++) {
        sb_buf_puts(b, i ? "," : "");
        indent(b, depth + 1);
        if (arr) {
            pretty(b, n->u.arr.items[i], depth + 1);
        } else {
            sb_buf_json_str(b, n->u.obj.members[i].key, n->u.obj.members[i].keylen);
            sb_buf_puts(b, ": ");
            pretty(b, n->u.obj.members[i].value, depth + 1);
        }
    }
    indent(b, depth);
    sb_buf_putc(b, arr ? ']' : '}');
}

void sb_import_pretty(sb_buf *b, const sb_jnode *n) {
    pretty(b, n, 0);
}

sb_jnode *sb_import_str(sb_arena *a, const char *s) {
    sb_jnode *n = sb_arena_calloc(a, sizeof *n);
    if (!n)
        return NULL;
    n->type = SB_JSON_STRING;
    n->u.str.len = strlen(s);
    n->u.str.s = sb_arena_strndup(a, s, n->u.str.len);
    return n->u.str.s ? n : NULL;
}

sb_jnode *sb_import_container(sb_arena *a, bool array, size_t cap) {
    sb_jnode *n = sb_arena_calloc(a, sizeof *n);
    if (!n)
        return NULL;
    n->type = array ? SB_JSON_ARRAY : SB_JSON_OBJECT;
    void *room =
        sb_arena_calloc(a, (cap ? cap : 1) * (array ? sizeof(sb_jnode *) : sizeof(sb_jmember)));
    if (!room)
        return NULL;
    if (array)
        n->u.arr.items = room;
    else
        n->u.obj.members = room;
    return n;
}

void sb_import_put(sb_jnode *o, const char *key, const sb_jnode *v) {
    sb_jmember *m = &o->u.obj.members[o->u.obj.n++];
    m->key = key;
    m->keylen = strlen(key);
    m->value = (sb_jnode *)v;
}

void sb_import_push(sb_jnode *l, const sb_jnode *v) {
    l->u.arr.items[l->u.arr.n++] = (sb_jnode *)v;
}
