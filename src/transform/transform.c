/* transform.c - JSONPaths, templates and their rendering. */
#include "transform/transform.h"

#include <stdlib.h>
#include <string.h>

/* ---- JSONPath subset: $, .key, ['key'], ["key"], [index] ---- */

typedef struct seg {
    char *key; /* NULL for an index */
    long index;
} seg;

struct sb_jsonpath {
    seg *segs;
    size_t n;
};

void sb_jsonpath_free(sb_jsonpath *p) {
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        free(p->segs[i].key);
    free(p->segs);
    free(p);
}

sb_jsonpath *sb_jsonpath_new(const char *path, sb_error *err) {
    sb_jsonpath *p = calloc(1, sizeof *p);
    size_t cap = 8;
    if (!p || !(p->segs = calloc(cap, sizeof *p->segs))) {
        free(p);
        sb_error_set(err, SB_ENOMEM, "out of memory");
        return NULL;
    }
    if (path[0] != '$') {
        sb_error_set(err, SB_EINVAL, "JSONPath \"%s\" must start with $", path);
        goto bad;
    }
    for (const char *s = path + 1; *s;) {
        if (p->n == cap) {
            seg *g = realloc(p->segs, 2 * cap * sizeof *g);
            if (!g) {
                sb_error_set(err, SB_ENOMEM, "out of memory");
                goto bad;
            }
            p->segs = g;
            cap *= 2;
        }
        seg *g = &p->segs[p->n];
        g->key = NULL;
        if (*s == '.') {
            const char *e = s + 1;
            while (*e && *e != '.' && *e != '[')
                e++;
            if (e == s + 1 || (e == s + 2 && s[1] == '*')) {
                sb_error_set(err, SB_EINVAL,
                             "JSONPath \"%s\": %s at byte %zu (supported: .key, ['key'], [index])",
                             path, e == s + 1 ? "empty key" : "wildcards are not supported",
                             (size_t)(s - path));
                goto bad;
            }
            g->key = strndup(s + 1, (size_t)(e - s - 1));
            if (!g->key) {
                sb_error_set(err, SB_ENOMEM, "out of memory");
                goto bad;
            }
            s = e;
        } else if (*s == '[' && (s[1] == '\'' || s[1] == '"')) {
            char q = s[1];
            const char *e = strchr(s + 2, q);
            if (!e || e[1] != ']') {
                sb_error_set(err, SB_EINVAL, "JSONPath \"%s\": unterminated ['key']", path);
                goto bad;
            }
            g->key = strndup(s + 2, (size_t)(e - s - 2));
            if (!g->key) {
                sb_error_set(err, SB_ENOMEM, "out of memory");
                goto bad;
            }
            s = e + 2;
        } else if (*s == '[') {
            char *e;
            long i = strtol(s + 1, &e, 10);
            if (e == s + 1 || *e != ']' || i < 0) {
                sb_error_set(err, SB_EINVAL,
                             "JSONPath \"%s\": [%.*s] is not an array index (wildcards and "
                             "filters are not supported)",
                             path, (int)strcspn(s + 1, "]"), s + 1);
                goto bad;
            }
            g->index = i;
            s = e + 1;
        } else {
            sb_error_set(err, SB_EINVAL, "JSONPath \"%s\": unexpected '%c' at byte %zu", path, *s,
                         (size_t)(s - path));
            goto bad;
        }
        p->n++;
    }
    return p;
bad:
    sb_jsonpath_free(p);
    return NULL;
}

const sb_jnode *sb_jsonpath_get(const sb_jsonpath *p, const sb_jnode *n) {
    for (size_t i = 0; n && i < p->n; i++) {
        const seg *g = &p->segs[i];
        if (g->key) {
            const sb_jmember *m = sb_json_get(n, g->key);
            n = m ? m->value : NULL;
        } else {
            n = n->type == SB_JSON_ARRAY && (size_t)g->index < n->u.arr.n ? n->u.arr.items[g->index]
                                                                          : NULL;
        }
    }
    return n;
}

/* ---- templates ---- */

typedef enum { V_PATH, V_RULE_ARN, V_RULE_NAME, V_INGESTION, V_EVENT } var_kind;

typedef struct piece {
    const char *text; /* literal text before the placeholder */
    size_t len;
    int has_var;
    var_kind var;
    size_t path; /* V_PATH: index into paths */
    int in_string;
} piece;

typedef enum { MODE_IDENTITY, MODE_INPUT, MODE_PATH, MODE_TEMPLATE } mode;

struct sb_transformer {
    mode mode;
    char *input; /* MODE_INPUT: the constant; MODE_TEMPLATE: the template's storage */
    sb_jsonpath *path;
    char **names;
    sb_jsonpath **paths;
    size_t npaths;
    piece *pieces;
    size_t npieces;
    int json; /* the template is JSON */
};

void sb_transformer_free(sb_transformer *t) {
    if (!t)
        return;
    free(t->input);
    sb_jsonpath_free(t->path);
    for (size_t i = 0; i < t->npaths; i++) {
        free(t->names[i]);
        sb_jsonpath_free(t->paths[i]);
    }
    free(t->names);
    free(t->paths);
    free(t->pieces);
    free(t);
}

bool sb_transformer_is_identity(const sb_transformer *t) {
    return t->mode == MODE_IDENTITY;
}

static int placeholder(sb_transformer *t, const char *name, size_t n, piece *pc) {
    static const struct {
        const char *name;
        var_kind kind;
    } pre[] = {{"aws.events.rule-arn", V_RULE_ARN},
               {"aws.events.rule-name", V_RULE_NAME},
               {"aws.events.event.ingestion-time", V_INGESTION},
               {"aws.events.event", V_EVENT},
               {"aws.events.event.json", V_EVENT}};
    for (size_t i = 0; i < sizeof pre / sizeof pre[0]; i++)
        if (strlen(pre[i].name) == n && memcmp(pre[i].name, name, n) == 0) {
            pc->var = pre[i].kind;
            return 1;
        }
    for (size_t i = 0; i < t->npaths; i++)
        if (strlen(t->names[i]) == n && memcmp(t->names[i], name, n) == 0) {
            pc->var = V_PATH;
            pc->path = i;
            return 1;
        }
    return 0;
}

static int compile_template(sb_transformer *t, sb_error *err) {
    const char *s = t->input;
    size_t cap = 8;
    t->pieces = calloc(cap, sizeof *t->pieces);
    if (!t->pieces)
        return sb_error_set(err, SB_ENOMEM, "out of memory");
    const char *first = s + strspn(s, " \t\r\n");
    t->json = *first == '{' || *first == '[' || *first == '"';
    int in_string = 0;
    const char *lit = s;
    for (const char *p = s; *p; p++) {
        if (t->json && in_string && *p == '\\' && p[1]) {
            p++;
            continue;
        }
        if (t->json && *p == '"') {
            in_string = !in_string;
            continue;
        }
        if (*p != '<')
            continue;
        const char *close = strchr(p + 1, '>');
        if (!close)
            continue;
        size_t n = (size_t)(close - p - 1);
        piece pc = {0};
        if (n == 0 ||
            strspn(p + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") <
                n ||
            !placeholder(t, p + 1, n, &pc))
            continue; /* '<' not followed by a known name: literal text */
        if (t->npieces + 1 >= cap) {
            piece *g = realloc(t->pieces, 2 * cap * sizeof *g);
            if (!g)
                return sb_error_set(err, SB_ENOMEM, "out of memory");
            t->pieces = g;
            cap *= 2;
        }
        pc.text = lit;
        pc.len = (size_t)(p - lit);
        pc.has_var = 1;
        pc.in_string = t->json ? in_string : 1;
        t->pieces[t->npieces++] = pc;
        lit = close + 1;
        p = close;
    }
    piece tail = {lit, strlen(lit), 0, V_PATH, 0, 0};
    t->pieces[t->npieces++] = tail;
    return SB_OK;
}

sb_transformer *sb_transformer_new(const sb_target_spec *spec, sb_error *err) {
    sb_transformer *t = calloc(1, sizeof *t);
    if (!t) {
        sb_error_set(err, SB_ENOMEM, "out of memory");
        return NULL;
    }
    int rc = SB_OK;
    if (spec->input) {
        t->mode = MODE_INPUT;
        if (!(t->input = strdup(spec->input)))
            rc = sb_error_set(err, SB_ENOMEM, "out of memory");
    } else if (spec->input_path) {
        t->mode = MODE_PATH;
        if (!(t->path = sb_jsonpath_new(spec->input_path, err)))
            rc = SB_EINVAL;
    } else if (spec->input_template) {
        t->mode = MODE_TEMPLATE;
        t->names = calloc(spec->npaths_map + 1, sizeof *t->names);
        t->paths = calloc(spec->npaths_map + 1, sizeof *t->paths);
        t->input = strdup(spec->input_template);
        if (!t->names || !t->paths || !t->input)
            rc = sb_error_set(err, SB_ENOMEM, "out of memory");
        for (size_t i = 0; rc == SB_OK && i < spec->npaths_map; i++) {
            t->names[i] = strdup(spec->paths_map[i].key);
            t->paths[i] = sb_jsonpath_new(spec->paths_map[i].value, err);
            t->npaths++;
            if (!t->names[i] || !t->paths[i])
                rc = t->paths[i] ? sb_error_set(err, SB_ENOMEM, "out of memory") : SB_EINVAL;
        }
        if (rc == SB_OK)
            rc = compile_template(t, err);
    }
    if (rc != SB_OK) {
        sb_transformer_free(t);
        return NULL;
    }
    return t;
}

/* A value's text for inside a string: strings unquoted and escaped, anything else its JSON
 * escaped. */
static void put_in_string(sb_buf *out, const char *s, size_t n) {
    sb_buf b;
    sb_buf_init(&b);
    sb_buf_json_str(&b, s, n);
    if (!sb_buf_failed(&b) && b.len >= 2)
        sb_buf_append(out, b.data + 1, b.len - 2);
    else
        out->failed = true;
    sb_buf_free(&b);
}

static void put_node(sb_buf *out, const sb_jnode *v, int in_string, int json) {
    if (!v) {
        if (json && !in_string)
            sb_buf_puts(out, "null");
        return;
    }
    if (v->type == SB_JSON_STRING && (in_string || !json)) {
        if (json)
            put_in_string(out, v->u.str.s, v->u.str.len);
        else
            sb_buf_append(out, v->u.str.s, v->u.str.len);
        return;
    }
    if (in_string && json) {
        sb_buf tmp;
        sb_buf_init(&tmp);
        sb_json_write(&tmp, v);
        put_in_string(out, tmp.data ? tmp.data : "", tmp.len);
        sb_buf_free(&tmp);
        return;
    }
    sb_json_write(out, v);
}

static void put_text(sb_buf *out, const char *s, int in_string, int json) {
    if (json && in_string)
        put_in_string(out, s, strlen(s));
    else if (json)
        sb_buf_json_cstr(out, s);
    else
        sb_buf_puts(out, s);
}

int sb_transformer_apply(const sb_transformer *t, const sb_jnode *event, const char *event_text,
                         size_t event_len, const sb_transform_vars *vars, sb_buf *out,
                         sb_error *err) {
    switch (t->mode) {
    case MODE_IDENTITY:
        sb_buf_append(out, event_text, event_len);
        break;
    case MODE_INPUT:
        sb_buf_puts(out, t->input);
        break;
    case MODE_PATH: {
        const sb_jnode *v = sb_jsonpath_get(t->path, event);
        if (!v)
            return sb_error_set(err, SB_EINVAL, "InputPath selects nothing in this event");
        sb_json_write(out, v);
        break;
    }
    case MODE_TEMPLATE:
        for (size_t i = 0; i < t->npieces; i++) {
            const piece *pc = &t->pieces[i];
            sb_buf_append(out, pc->text, pc->len);
            if (!pc->has_var)
                continue;
            switch (pc->var) {
            case V_PATH:
                put_node(out, sb_jsonpath_get(t->paths[pc->path], event), pc->in_string, t->json);
                break;
            case V_RULE_ARN:
                put_text(out, vars->rule_arn, pc->in_string, t->json);
                break;
            case V_RULE_NAME:
                put_text(out, vars->rule_name, pc->in_string, t->json);
                break;
            case V_INGESTION:
                put_text(out, vars->ingestion_time, pc->in_string, t->json);
                break;
            case V_EVENT:
                if (t->json && pc->in_string)
                    put_in_string(out, event_text, event_len);
                else
                    sb_buf_append(out, event_text, event_len);
                break;
            }
        }
        break;
    }
    return sb_buf_failed(out) ? sb_error_set(err, SB_ENOMEM, "out of memory") : SB_OK;
}
