/* json.c - recursive-descent JSON parser building an sb_jnode tree with positions. */
#include "core/json.h"

#include "core/json_scan.h"

#include <stdlib.h>
#include <string.h>

typedef struct parser {
    const char *text, *end;
    sb_arena *arena;
    bool reject_duplicates;
    sb_error *err;
    const char *err_at;
} parser;

static int fail(parser *ps, const char *at, const char *what) {
    ps->err_at = at;
    return sb_error_set(ps->err, SB_EINVAL, "%s", what);
}

static int parse_value(parser *ps, const char **pp, int depth, sb_jnode **out);

static int parse_string_body(parser *ps, const char **pp, const char **s, size_t *n) {
    const char *start = *pp, *why = NULL, *where = NULL;
    bool escaped = false;
    const char *after = sb_json_scan_string(start, ps->end, &escaped, &why, &where);
    if (!after)
        return fail(ps, where, why);
    size_t raw = (size_t)(after - 1 - start);
    char *d = sb_arena_alloc(ps->arena, raw + 1);
    if (!d)
        return fail(ps, start, "out of memory");
    size_t len = raw;
    if (escaped)
        len = sb_json_unescape(start, raw, d);
    else
        memcpy(d, start, raw);
    d[len] = '\0';
    *s = d;
    *n = len;
    *pp = after;
    return SB_OK;
}

static sb_jnode *new_node(parser *ps, sb_json_type t, const char *at) {
    sb_jnode *n = sb_arena_calloc(ps->arena, sizeof *n);
    if (n) {
        n->type = t;
        n->offset = (size_t)(at - ps->text);
    }
    return n;
}

/* Growable pointer list on the heap during parsing; copied into the arena when complete. */
typedef struct vec {
    void *items;
    size_t n, cap, elem;
} vec;

static void *vec_push(vec *v) {
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        void *items = realloc(v->items, cap * v->elem);
        if (!items)
            return NULL;
        v->items = items;
        v->cap = cap;
    }
    return (char *)v->items + v->elem * v->n++;
}

static int parse_array(parser *ps, const char **pp, int depth, sb_jnode *node) {
    const char *p = *pp + 1;
    vec v = {NULL, 0, 0, sizeof(sb_jnode *)};
    int rc = SB_OK;
    p = sb_json_skip_ws(p, ps->end);
    if (p < ps->end && *p == ']') {
        p++;
        goto done;
    }
    for (;;) {
        sb_jnode *item;
        rc = parse_value(ps, &p, depth + 1, &item);
        if (rc)
            goto out;
        sb_jnode **slot = vec_push(&v);
        if (!slot) {
            rc = fail(ps, p, "out of memory");
            goto out;
        }
        *slot = item;
        p = sb_json_skip_ws(p, ps->end);
        if (p < ps->end && *p == ',') {
            p = sb_json_skip_ws(p + 1, ps->end);
            continue;
        }
        if (p < ps->end && *p == ']') {
            p++;
            break;
        }
        rc = fail(ps, p, p < ps->end ? "expected ',' or ']' in array" : "unterminated array");
        goto out;
    }
done:
    node->u.arr.n = v.n;
    if (v.n) {
        node->u.arr.items = sb_arena_alloc(ps->arena, v.n * sizeof(sb_jnode *));
        if (!node->u.arr.items) {
            rc = fail(ps, p, "out of memory");
            goto out;
        }
        memcpy(node->u.arr.items, v.items, v.n * sizeof(sb_jnode *));
    }
    *pp = p;
out:
    free(v.items);
    return rc;
}

static int parse_object(parser *ps, const char **pp, int depth, sb_jnode *node) {
    const char *p = *pp + 1;
    vec v = {NULL, 0, 0, sizeof(sb_jmember)};
    int rc = SB_OK;
    p = sb_json_skip_ws(p, ps->end);
    if (p < ps->end && *p == '}') {
        p++;
        goto done;
    }
    for (;;) {
        if (p >= ps->end || *p != '"') {
            rc = fail(ps, p,
                      p < ps->end ? "expected a string key in object" : "unterminated object");
            goto out;
        }
        const char *key_at = p;
        sb_jmember m = {0};
        p++;
        rc = parse_string_body(ps, &p, &m.key, &m.keylen);
        if (rc)
            goto out;
        m.key_offset = (size_t)(key_at - ps->text);
        if (ps->reject_duplicates) {
            const sb_jmember *ms = v.items;
            for (size_t i = 0; i < v.n; i++) {
                if (ms[i].keylen == m.keylen && memcmp(ms[i].key, m.key, m.keylen) == 0) {
                    rc = fail(ps, key_at, "duplicate key in object");
                    goto out;
                }
            }
        }
        p = sb_json_skip_ws(p, ps->end);
        if (p >= ps->end || *p != ':') {
            rc = fail(ps, p, "expected ':' after object key");
            goto out;
        }
        p = sb_json_skip_ws(p + 1, ps->end);
        rc = parse_value(ps, &p, depth + 1, &m.value);
        if (rc)
            goto out;
        sb_jmember *slot = vec_push(&v);
        if (!slot) {
            rc = fail(ps, p, "out of memory");
            goto out;
        }
        *slot = m;
        p = sb_json_skip_ws(p, ps->end);
        if (p < ps->end && *p == ',') {
            p = sb_json_skip_ws(p + 1, ps->end);
            continue;
        }
        if (p < ps->end && *p == '}') {
            p++;
            break;
        }
        rc = fail(ps, p, p < ps->end ? "expected ',' or '}' in object" : "unterminated object");
        goto out;
    }
done:
    node->u.obj.n = v.n;
    if (v.n) {
        node->u.obj.members = sb_arena_alloc(ps->arena, v.n * sizeof(sb_jmember));
        if (!node->u.obj.members) {
            rc = fail(ps, p, "out of memory");
            goto out;
        }
        memcpy(node->u.obj.members, v.items, v.n * sizeof(sb_jmember));
    }
    *pp = p;
out:
    free(v.items);
    return rc;
}

static int parse_literal(parser *ps, const char **pp, const char *word, size_t n) {
    if ((size_t)(ps->end - *pp) < n || memcmp(*pp, word, n) != 0)
        return fail(ps, *pp, "invalid literal (expected a value)");
    *pp += n;
    return SB_OK;
}

static int parse_value(parser *ps, const char **pp, int depth, sb_jnode **out) {
    const char *p = sb_json_skip_ws(*pp, ps->end);
    /* at most SB_JSON_MAX_DEPTH levels of objects and arrays, counted as the matcher does */
    if (depth > SB_JSON_MAX_DEPTH && p < ps->end && (*p == '{' || *p == '['))
        return fail(ps, p, "nesting too deep");
    if (p >= ps->end)
        return fail(ps, p, "unexpected end of input (expected a value)");
    sb_jnode *n;
    int rc = SB_OK;
    switch (*p) {
    case '{':
        if (!(n = new_node(ps, SB_JSON_OBJECT, p)))
            return fail(ps, p, "out of memory");
        rc = parse_object(ps, &p, depth, n);
        break;
    case '[':
        if (!(n = new_node(ps, SB_JSON_ARRAY, p)))
            return fail(ps, p, "out of memory");
        rc = parse_array(ps, &p, depth, n);
        break;
    case '"':
        if (!(n = new_node(ps, SB_JSON_STRING, p)))
            return fail(ps, p, "out of memory");
        p++;
        rc = parse_string_body(ps, &p, &n->u.str.s, &n->u.str.len);
        break;
    case 't':
        if (!(n = new_node(ps, SB_JSON_TRUE, p)))
            return fail(ps, p, "out of memory");
        rc = parse_literal(ps, &p, "true", 4);
        break;
    case 'f':
        if (!(n = new_node(ps, SB_JSON_FALSE, p)))
            return fail(ps, p, "out of memory");
        rc = parse_literal(ps, &p, "false", 5);
        break;
    case 'n':
        if (!(n = new_node(ps, SB_JSON_NULL, p)))
            return fail(ps, p, "out of memory");
        rc = parse_literal(ps, &p, "null", 4);
        break;
    default: {
        if (*p != '-' && (unsigned)(*p - '0') > 9)
            return fail(ps, p, "unexpected character (expected a value)");
        const char *why = NULL, *where = NULL;
        const char *after = sb_json_scan_number(p, ps->end, &why, &where);
        if (!after)
            return fail(ps, where, why);
        if (!(n = new_node(ps, SB_JSON_NUMBER, p)))
            return fail(ps, p, "out of memory");
        n->u.num.raw = p;
        n->u.num.rawlen = (size_t)(after - p);
        n->u.num.finite = sb_json_number_value(p, n->u.num.rawlen, &n->u.num.v);
        p = after;
        break;
    }
    }
    if (rc)
        return rc;
    n->end = (size_t)(p - ps->text);
    *out = n;
    *pp = p;
    return SB_OK;
}

int sb_json_parse(const char *text, size_t len, sb_arena *arena, bool reject_duplicates,
                  sb_jnode **out, sb_error *err, size_t *err_offset) {
    parser ps = {text, text + len, arena, reject_duplicates, err, text};
    const char *p = text;
    int rc = parse_value(&ps, &p, 1, out); /* the root is level 1, as for the event matcher */
    if (rc == SB_OK) {
        p = sb_json_skip_ws(p, ps.end);
        if (p != ps.end)
            rc = fail(&ps, p, "unexpected data after the JSON value");
    }
    if (rc && err_offset)
        *err_offset = (size_t)(ps.err_at - text);
    return rc;
}

const sb_jmember *sb_json_get(const sb_jnode *o, const char *key) {
    if (!o || o->type != SB_JSON_OBJECT)
        return NULL;
    size_t kl = strlen(key);
    for (size_t i = 0; i < o->u.obj.n; i++) {
        const sb_jmember *m = &o->u.obj.members[i];
        if (m->keylen == kl && memcmp(m->key, key, kl) == 0)
            return m;
    }
    return NULL;
}

const char *sb_json_type_name(sb_json_type t) {
    switch (t) {
    case SB_JSON_NULL:
        return "null";
    case SB_JSON_FALSE:
    case SB_JSON_TRUE:
        return "boolean";
    case SB_JSON_NUMBER:
        return "number";
    case SB_JSON_STRING:
        return "string";
    case SB_JSON_ARRAY:
        return "array";
    case SB_JSON_OBJECT:
        return "object";
    }
    return "value";
}

void sb_json_write(sb_buf *b, const sb_jnode *n) {
    switch (n->type) {
    case SB_JSON_NULL:
        sb_buf_puts(b, "null");
        break;
    case SB_JSON_TRUE:
        sb_buf_puts(b, "true");
        break;
    case SB_JSON_FALSE:
        sb_buf_puts(b, "false");
        break;
    case SB_JSON_NUMBER:
        sb_buf_append(b, n->u.num.raw, n->u.num.rawlen);
        break;
    case SB_JSON_STRING:
        sb_buf_json_str(b, n->u.str.s, n->u.str.len);
        break;
    case SB_JSON_ARRAY:
        sb_buf_putc(b, '[');
        for (size_t i = 0; i < n->u.arr.n; i++) {
            if (i)
                sb_buf_putc(b, ',');
            sb_json_write(b, n->u.arr.items[i]);
        }
        sb_buf_putc(b, ']');
        break;
    case SB_JSON_OBJECT:
        sb_buf_putc(b, '{');
        for (size_t i = 0; i < n->u.obj.n; i++) {
            if (i)
                sb_buf_putc(b, ',');
            sb_buf_json_str(b, n->u.obj.members[i].key, n->u.obj.members[i].keylen);
            sb_buf_putc(b, ':');
            sb_json_write(b, n->u.obj.members[i].value);
        }
        sb_buf_putc(b, '}');
        break;
    }
}
