/* jsonpath.c - compiling and evaluating the JSONPath subset of jsonpath.h. */
#include "transform/jsonpath.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef enum { SEG_KEY, SEG_INDEX, SEG_ANY } seg_kind;

typedef struct seg {
    seg_kind kind;
    const char *key; /* SEG_KEY: NUL-terminated, in the path's key storage */
    size_t index;    /* SEG_INDEX */
} seg;

struct sb_jsonpath {
    char *text; /* the path as given */
    char *keys; /* the keys, each NUL-terminated */
    seg *segs;
    size_t n;
    bool definite;
};

void sb_jsonpath_free(sb_jsonpath *p) {
    if (!p)
        return;
    free(p->text);
    free(p->keys);
    free(p->segs);
    free(p);
}

const char *sb_jsonpath_text(const sb_jsonpath *p) {
    return p->text;
}

bool sb_jsonpath_is_definite(const sb_jsonpath *p) {
    return p->definite;
}

bool sb_jsonpath_is_root(const sb_jsonpath *p) {
    return p->n == 0;
}

/* Parses the bracket step at s[i] ('['); fills g and returns the index just past ']', or 0 with
 * err set. `kp` is where the next key is written in p->keys. */
static size_t parse_bracket(const char *s, size_t i, seg *g, char **kp, sb_error *err) {
    const char *b = s + i + 1;
    if (*b == '\'' || *b == '"') {
        const char *e = strchr(b + 1, *b);
        if (!e || e[1] != ']') {
            sb_error_set(err, SB_EINVAL, "JSONPath \"%s\": unterminated [%c...%c] at byte %zu", s,
                         *b, *b, i);
            return 0;
        }
        size_t len = (size_t)(e - b - 1);
        memcpy(*kp, b + 1, len);
        (*kp)[len] = '\0';
        g->kind = SEG_KEY;
        g->key = *kp;
        *kp += len + 1;
        return (size_t)(e + 2 - s);
    }
    if (b[0] == '*' && b[1] == ']') {
        g->kind = SEG_ANY;
        return i + 3;
    }
    size_t d = strspn(b, "0123456789");
    if (d > 0 && b[d] == ']') {
        size_t v = 0;
        for (size_t k = 0; k < d; k++) {
            if (v > (SIZE_MAX - 9) / 10) {
                sb_error_set(err, SB_EINVAL,
                             "JSONPath \"%s\": array index at byte %zu is too large", s, i);
                return 0;
            }
            v = v * 10 + (size_t)(b[k] - '0');
        }
        g->kind = SEG_INDEX;
        g->index = v;
        return i + d + 2;
    }
    size_t len = strcspn(b, "]");
    const char *why = b[len] == '\0'        ? "'[' is not closed"
                      : b[0] == '-'         ? "negative indices are not supported"
                      : b[0] == '?'         ? "filters are not supported"
                      : memchr(b, ':', len) ? "slices are not supported"
                      : memchr(b, ',', len) ? "unions are not supported"
                                            : "not a key, an index or *";
    sb_error_set(err, SB_EINVAL, "JSONPath \"%s\": [%.*s at byte %zu: %s (use ['key'], [N] or [*])",
                 s, (int)(b[len] ? len + 1 : len), b, i, why);
    return 0;
}

/* Parses the dot step at s[i] ('.'); as parse_bracket. */
static size_t parse_dot(const char *s, size_t i, seg *g, char **kp, sb_error *err) {
    const char *b = s + i + 1;
    if (*b == '.') {
        sb_error_set(err, SB_EINVAL,
                     "JSONPath \"%s\": recursive descent (..) at byte %zu is not supported", s, i);
        return 0;
    }
    size_t len = strcspn(b, ".[]");
    if (len == 0) {
        sb_error_set(err, SB_EINVAL, "JSONPath \"%s\": empty key after '.' at byte %zu", s, i);
        return 0;
    }
    if (len == 1 && *b == '*') {
        g->kind = SEG_ANY;
        return i + 2;
    }
    memcpy(*kp, b, len);
    (*kp)[len] = '\0';
    g->kind = SEG_KEY;
    g->key = *kp;
    *kp += len + 1;
    return i + 1 + len;
}

sb_jsonpath *sb_jsonpath_new(const char *path, sb_error *err) {
    size_t len = strlen(path);
    sb_jsonpath *p = calloc(1, sizeof *p);
    /* every step takes at least two bytes of the path, and a key no more than its step less one */
    if (!p || !(p->text = strdup(path)) || !(p->keys = malloc(len + 1)) ||
        !(p->segs = calloc(len / 2 + 1, sizeof *p->segs))) {
        sb_jsonpath_free(p);
        sb_error_set(err, SB_ENOMEM, "out of memory");
        return NULL;
    }
    p->definite = true;
    if (path[0] != '$') {
        sb_error_set(err, SB_EINVAL, "JSONPath \"%s\" must start with $", path);
        sb_jsonpath_free(p);
        return NULL;
    }
    char *kp = p->keys;
    for (size_t i = 1; i < len;) {
        seg *g = &p->segs[p->n];
        size_t next;
        if (path[i] == '.') {
            next = parse_dot(path, i, g, &kp, err);
        } else if (path[i] == '[') {
            next = parse_bracket(path, i, g, &kp, err);
        } else {
            sb_error_set(err, SB_EINVAL,
                         "JSONPath \"%s\": unexpected '%c' at byte %zu (a step starts with '.' or "
                         "'[')",
                         path, path[i], i);
            next = 0;
        }
        if (next == 0) {
            sb_jsonpath_free(p);
            return NULL;
        }
        if (g->kind == SEG_ANY)
            p->definite = false;
        p->n++;
        i = next;
    }
    return p;
}

const sb_jnode *sb_jsonpath_get(const sb_jsonpath *p, const sb_jnode *root) {
    if (!p->definite)
        return NULL;
    const sb_jnode *v = root;
    for (size_t i = 0; v && i < p->n; i++) {
        const seg *g = &p->segs[i];
        if (g->kind == SEG_KEY) {
            const sb_jmember *m = sb_json_get(v, g->key);
            v = m ? m->value : NULL;
        } else {
            v = v->type == SB_JSON_ARRAY && g->index < v->u.arr.n ? v->u.arr.items[g->index] : NULL;
        }
    }
    return v;
}

static size_t walk(const seg *g, size_t n, const sb_jnode *v, sb_jsonpath_fn fn, void *arg) {
    for (; n > 0; g++, n--) {
        if (g->kind == SEG_KEY) {
            const sb_jmember *m = sb_json_get(v, g->key);
            if (!m)
                return 0;
            v = m->value;
        } else if (g->kind == SEG_INDEX) {
            if (v->type != SB_JSON_ARRAY || g->index >= v->u.arr.n)
                return 0;
            v = v->u.arr.items[g->index];
        } else {
            size_t count = 0;
            if (v->type == SB_JSON_OBJECT)
                for (size_t i = 0; i < v->u.obj.n; i++)
                    count += walk(g + 1, n - 1, v->u.obj.members[i].value, fn, arg);
            else if (v->type == SB_JSON_ARRAY)
                for (size_t i = 0; i < v->u.arr.n; i++)
                    count += walk(g + 1, n - 1, v->u.arr.items[i], fn, arg);
            return count;
        }
    }
    fn(v, arg);
    return 1;
}

size_t sb_jsonpath_each(const sb_jsonpath *p, const sb_jnode *root, sb_jsonpath_fn fn, void *arg) {
    return root ? walk(p->segs, p->n, root, fn, arg) : 0;
}
