/* parse.c - EventBridge pattern JSON to sb_pattern_ast: validation, error messages with
 * positions, and $or multiplied out into conjunctions. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/util.h"
#include "pattern/casefold.h"
#include "pattern/cidr.h"
#include "pattern/patterns.h"
#include "pattern/wildcard.h"

typedef struct pctx {
    sb_arena *arena;
    const char *origin, *src;
    size_t srclen;
    sb_error *err;
} pctx;

/* A list of conjunctions under construction. */
typedef struct clist {
    sb_conj *c;
    size_t n;
} clist;

static int perr(pctx *cx, size_t offset, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int perr(pctx *cx, size_t offset, const char *path, const char *fmt, ...) {
    char what[SB_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (path && *path)
        sb_error_set(cx->err, SB_EINVAL, "field \"%s\": %s", path, what);
    else
        sb_error_set(cx->err, SB_EINVAL, "%s", what);
    sb_error_locate(cx->err, cx->origin, cx->src, cx->srclen, offset);
    return SB_EINVAL;
}

static int oom(pctx *cx) {
    return sb_error_set(cx->err, SB_ENOMEM, "out of memory while parsing a pattern");
}

static sb_bytes *copy_str(pctx *cx, const sb_jnode *n, bool fold) {
    sb_bytes *b = sb_arena_alloc(cx->arena, sizeof *b);
    if (!b)
        return NULL;
    if (fold) {
        char *d = sb_arena_alloc(cx->arena, SB_FOLD_MAX(n->u.str.len));
        if (!d)
            return NULL;
        b->len = sb_fold_utf8(n->u.str.s, n->u.str.len, d);
        b->s = d;
    } else {
        b->s = sb_arena_strndup(cx->arena, n->u.str.s, n->u.str.len);
        b->len = n->u.str.len;
        if (!b->s)
            return NULL;
    }
    return b;
}

/* Collects string operands: one string, or (when allow_list) a non-empty list of strings. */
static int string_operands(pctx *cx, const sb_jnode *v, const char *path, const char *op,
                           bool allow_list, bool fold, bool nonempty, sb_test *t) {
    const sb_jnode *one = v;
    size_t n = 1;
    if (v->type == SB_JSON_ARRAY && allow_list) {
        if (v->u.arr.n == 0)
            return perr(cx, v->offset, path, "\"%s\" needs at least one value", op);
        n = v->u.arr.n;
    } else if (v->type != SB_JSON_STRING) {
        return perr(cx, v->offset, path, "\"%s\" takes a string%s, not %s", op,
                    allow_list ? " or a list of strings" : "", sb_json_type_name(v->type));
    }
    t->strs = sb_arena_alloc(cx->arena, n * sizeof *t->strs);
    if (!t->strs)
        return oom(cx);
    t->nstrs = n;
    for (size_t i = 0; i < n; i++) {
        const sb_jnode *s = v->type == SB_JSON_ARRAY ? v->u.arr.items[i] : one;
        if (s->type != SB_JSON_STRING)
            return perr(cx, s->offset, path, "\"%s\" takes only strings, not %s", op,
                        sb_json_type_name(s->type));
        if (nonempty && s->u.str.len == 0)
            return perr(cx, s->offset, path, "\"%s\" needs a non-empty string", op);
        if (t->kind == MK_WILDCARD || t->kind == MK_AB_WILDCARD) {
            const char *why = sb_wildcard_check(s->u.str.s, s->u.str.len);
            if (why)
                return perr(cx, s->offset, path, "invalid \"wildcard\" value \"%s\": %s",
                            s->u.str.s, why);
        }
        sb_bytes *b = copy_str(cx, s, fold);
        if (!b)
            return oom(cx);
        t->strs[i] = *b;
    }
    return SB_OK;
}

/* {"equals-ignore-case": "x"} as the operand of prefix or suffix. */
static int prefix_suffix(pctx *cx, const sb_jnode *v, const char *path, const char *op,
                         sb_mkind plain, sb_mkind eic, sb_test *t) {
    if (v->type == SB_JSON_OBJECT) {
        if (v->u.obj.n != 1 || strcmp(v->u.obj.members[0].key, "equals-ignore-case") != 0)
            return perr(cx, v->offset, path,
                        "\"%s\" takes a string or {\"equals-ignore-case\": string}", op);
        t->kind = eic;
        return string_operands(cx, v->u.obj.members[0].value, path, op, false, true, false, t);
    }
    t->kind = plain;
    return string_operands(cx, v, path, op, false, false, false, t);
}

static int number_operand(pctx *cx, const sb_jnode *v, const char *path, const char *op,
                          double *out) {
    if (v->type != SB_JSON_NUMBER)
        return perr(cx, v->offset, path, "\"%s\" takes a number here, not %s", op,
                    sb_json_type_name(v->type));
    if (!v->u.num.finite)
        return perr(cx, v->offset, path, "number %.*s in \"%s\" is beyond the range of doubles",
                    (int)v->u.num.rawlen, v->u.num.raw, op);
    *out = v->u.num.v == 0 ? 0.0 : v->u.num.v; /* -0 and 0 are one number */
    return SB_OK;
}

static int anything_but(pctx *cx, const sb_jnode *v, const char *path, sb_test *t) {
    const char *op = "anything-but";
    if (v->type == SB_JSON_OBJECT) {
        if (v->u.obj.n != 1)
            return perr(cx, v->offset, path,
                        "\"anything-but\" takes one of prefix, suffix, equals-ignore-case or "
                        "wildcard in its object");
        const sb_jmember *m = &v->u.obj.members[0];
        bool fold = false;
        if (strcmp(m->key, "prefix") == 0)
            t->kind = MK_AB_PREFIX;
        else if (strcmp(m->key, "suffix") == 0)
            t->kind = MK_AB_SUFFIX;
        else if (strcmp(m->key, "equals-ignore-case") == 0)
            t->kind = MK_AB_EIC, fold = true;
        else if (strcmp(m->key, "wildcard") == 0)
            t->kind = MK_AB_WILDCARD;
        else
            return perr(cx, m->key_offset, path,
                        "unsupported operator \"%s\" inside \"anything-but\" (use prefix, "
                        "suffix, equals-ignore-case or wildcard)",
                        m->key);
        bool nonempty = t->kind == MK_AB_PREFIX || t->kind == MK_AB_SUFFIX;
        char opname[64];
        snprintf(opname, sizeof opname, "anything-but/%s", m->key);
        return string_operands(cx, m->value, path, opname, true, fold, nonempty, t);
    }
    if (v->type == SB_JSON_STRING) {
        t->kind = MK_AB_STR;
        return string_operands(cx, v, path, op, false, false, false, t);
    }
    if (v->type == SB_JSON_NUMBER) {
        t->kind = MK_AB_NUM;
        t->nums = sb_arena_alloc(cx->arena, sizeof(double));
        if (!t->nums)
            return oom(cx);
        t->nnums = 1;
        return number_operand(cx, v, path, op, &t->nums[0]);
    }
    if (v->type != SB_JSON_ARRAY)
        return perr(cx, v->offset, path,
                    "\"anything-but\" takes a string, a number, a list of strings or numbers, or "
                    "an object, not %s",
                    sb_json_type_name(v->type));
    if (v->u.arr.n == 0)
        return perr(cx, v->offset, path, "\"anything-but\" needs at least one value");
    sb_json_type first = v->u.arr.items[0]->type;
    for (size_t i = 1; i < v->u.arr.n; i++)
        if (v->u.arr.items[i]->type != first)
            return perr(cx, v->u.arr.items[i]->offset, path,
                        "\"anything-but\" lists hold only strings or only numbers; this one "
                        "mixes %s and %s",
                        sb_json_type_name(first), sb_json_type_name(v->u.arr.items[i]->type));
    if (first == SB_JSON_STRING) {
        t->kind = MK_AB_STR;
        return string_operands(cx, v, path, op, true, false, false, t);
    }
    if (first != SB_JSON_NUMBER)
        return perr(cx, v->u.arr.items[0]->offset, path,
                    "\"anything-but\" lists hold only strings or only numbers, not %s",
                    sb_json_type_name(first));
    t->kind = MK_AB_NUM;
    t->nnums = v->u.arr.n;
    t->nums = sb_arena_alloc(cx->arena, t->nnums * sizeof(double));
    if (!t->nums)
        return oom(cx);
    for (size_t i = 0; i < v->u.arr.n; i++) {
        const sb_jnode *e = v->u.arr.items[i];
        if (e->type != SB_JSON_NUMBER)
            return perr(cx, e->offset, path,
                        "\"anything-but\" lists hold only strings or only numbers; mixed here");
        int rc = number_operand(cx, e, path, op, &t->nums[i]);
        if (rc)
            return rc;
    }
    return SB_OK;
}

static int numeric(pctx *cx, const sb_jnode *v, const char *path, sb_test *t) {
    t->kind = MK_NUMERIC;
    t->lo = -INFINITY;
    t->hi = INFINITY;
    t->lo_incl = t->hi_incl = false;
    if (v->type != SB_JSON_ARRAY || (v->u.arr.n != 2 && v->u.arr.n != 4))
        return perr(cx, v->offset, path,
                    "\"numeric\" takes [op, number] or [\">\"|\">=\", number, \"<\"|\"<=\", "
                    "number]");
    bool have_lo = false, have_hi = false;
    for (size_t i = 0; i < v->u.arr.n; i += 2) {
        const sb_jnode *opn = v->u.arr.items[i], *num = v->u.arr.items[i + 1];
        if (opn->type != SB_JSON_STRING)
            return perr(cx, opn->offset, path,
                        "\"numeric\" expects an operator string (=, <, <=, >, >=) here, not %s",
                        sb_json_type_name(opn->type));
        const char *o = opn->u.str.s;
        double d = 0;
        int rc = number_operand(cx, num, path, "numeric", &d);
        if (rc)
            return rc;
        if (strcmp(o, "=") == 0) {
            if (v->u.arr.n != 2)
                return perr(cx, opn->offset, path, "\"numeric\" \"=\" stands alone");
            t->lo = t->hi = d;
            t->lo_incl = t->hi_incl = true;
        } else if (strcmp(o, ">") == 0 || strcmp(o, ">=") == 0) {
            if (have_lo || have_hi)
                return perr(cx, opn->offset, path,
                            "\"numeric\" range: the lower bound (> or >=) comes first, once");
            t->lo = d;
            t->lo_incl = o[1] == '=';
            have_lo = true;
        } else if (strcmp(o, "<") == 0 || strcmp(o, "<=") == 0) {
            if (have_hi)
                return perr(cx, opn->offset, path, "\"numeric\" range has two upper bounds");
            t->hi = d;
            t->hi_incl = o[1] == '=';
            have_hi = true;
        } else {
            return perr(cx, opn->offset, path,
                        "unknown \"numeric\" operator \"%s\" (use =, <, <=, >, >=)", o);
        }
    }
    if (v->u.arr.n == 4 && !(have_lo && have_hi))
        return perr(
            cx, v->offset, path,
            "\"numeric\" range needs a lower bound (> or >=) then an upper bound (< or <=)");
    if (have_lo && have_hi && !(t->lo < t->hi))
        return perr(cx, v->offset, path,
                    "\"numeric\" range is empty or reversed: lower bound %.17g is not below upper "
                    "bound %.17g",
                    t->lo, t->hi);
    if (t->lo == t->hi && t->lo_incl && t->hi_incl) {
        /* ["=", x] is the exact number x: one hash lookup instead of a range test */
        t->kind = MK_EXACT_NUM;
        t->nums = sb_arena_alloc(cx->arena, sizeof(double));
        if (!t->nums)
            return oom(cx);
        t->nums[0] = t->lo;
        t->nnums = 1;
    }
    return SB_OK;
}

/* Parses one element of a field's value list into t. *absent is set for {"exists": false}. */
static int parse_test(pctx *cx, const sb_jnode *v, const char *path, sb_test *t, bool *absent) {
    memset(t, 0, sizeof *t);
    *absent = false;
    switch (v->type) {
    case SB_JSON_STRING:
        t->kind = MK_EXACT_STR;
        return string_operands(cx, v, path, "exact", false, false, false, t);
    case SB_JSON_NUMBER:
        t->kind = MK_EXACT_NUM;
        t->nums = sb_arena_alloc(cx->arena, sizeof(double));
        if (!t->nums)
            return oom(cx);
        t->nnums = 1;
        return number_operand(cx, v, path, "exact", &t->nums[0]);
    case SB_JSON_TRUE:
        t->kind = MK_TRUE;
        return SB_OK;
    case SB_JSON_FALSE:
        t->kind = MK_FALSE;
        return SB_OK;
    case SB_JSON_NULL:
        t->kind = MK_NULL;
        return SB_OK;
    case SB_JSON_ARRAY:
        return perr(cx, v->offset, path, "a value list may not contain a list");
    case SB_JSON_OBJECT:
        break;
    }
    if (v->u.obj.n != 1)
        return perr(cx, v->offset, path,
                    v->u.obj.n == 0 ? "empty operator object"
                                    : "an operator object holds exactly one operator");
    const sb_jmember *m = &v->u.obj.members[0];
    const char *op = m->key;
    const sb_jnode *a = m->value;
    if (strcmp(op, "prefix") == 0)
        return prefix_suffix(cx, a, path, op, MK_PREFIX, MK_PREFIX_EIC, t);
    if (strcmp(op, "suffix") == 0)
        return prefix_suffix(cx, a, path, op, MK_SUFFIX, MK_SUFFIX_EIC, t);
    if (strcmp(op, "equals-ignore-case") == 0) {
        t->kind = MK_EIC;
        return string_operands(cx, a, path, op, false, true, false, t);
    }
    if (strcmp(op, "wildcard") == 0) {
        t->kind = MK_WILDCARD;
        return string_operands(cx, a, path, op, false, false, false, t);
    }
    if (strcmp(op, "anything-but") == 0)
        return anything_but(cx, a, path, t);
    if (strcmp(op, "numeric") == 0)
        return numeric(cx, a, path, t);
    if (strcmp(op, "exists") == 0) {
        if (a->type == SB_JSON_TRUE) {
            t->kind = MK_EXISTS;
            return SB_OK;
        }
        if (a->type == SB_JSON_FALSE) {
            *absent = true;
            return SB_OK;
        }
        return perr(cx, a->offset, path, "\"exists\" takes true or false, not %s",
                    sb_json_type_name(a->type));
    }
    if (strcmp(op, "cidr") == 0) {
        t->kind = MK_CIDR;
        if (a->type != SB_JSON_STRING)
            return perr(cx, a->offset, path, "\"cidr\" takes a string, not %s",
                        sb_json_type_name(a->type));
        const char *why =
            sb_cidr_parse(a->u.str.s, a->u.str.len, t->ip, &t->ip_len, &t->prefix_bits);
        if (why)
            return perr(cx, a->offset, path, "invalid \"cidr\" value \"%s\": %s", a->u.str.s, why);
        return SB_OK;
    }
    return perr(cx, m->key_offset, path,
                "unknown operator \"%s\" (known: prefix, suffix, equals-ignore-case, wildcard, "
                "anything-but, numeric, exists, cidr)",
                op);
}

/* ---- conjunction lists ---- */

static bool same_path(const sb_cfield *x, const sb_cfield *y) {
    if (x->nsegs != y->nsegs || x->pathlen != y->pathlen)
        return false;
    for (size_t i = 0; i < x->nsegs; i++)
        if (x->segs[i].len != y->segs[i].len || memcmp(x->segs[i].s, y->segs[i].s, x->segs[i].len))
            return false;
    return true;
}

/* out = a x b: every conjunction of a joined with every one of b. */
static int clist_product(pctx *cx, const clist *a, const clist *b, size_t offset, clist *out) {
    if (a->n * b->n > SB_PATTERN_MAX_COMBINATIONS)
        return perr(cx, offset, NULL,
                    "pattern has more than %d combinations of \"$or\" alternatives and value "
                    "lists with exists:false",
                    SB_PATTERN_MAX_COMBINATIONS);
    out->n = a->n * b->n;
    out->c = sb_arena_alloc(cx->arena, out->n * sizeof(sb_conj));
    if (!out->c)
        return oom(cx);
    size_t k = 0;
    for (size_t i = 0; i < a->n; i++) {
        for (size_t j = 0; j < b->n; j++, k++) {
            size_t n = a->c[i].nfields + b->c[j].nfields;
            sb_cfield *f = sb_arena_alloc(cx->arena, (n ? n : 1) * sizeof *f);
            if (!f)
                return oom(cx);
            /* a field named again by a later part (an $or alternative) overrides the earlier
             * constraint on it, as in event-ruler */
            size_t o = 0;
            for (size_t x = 0; x < a->c[i].nfields; x++) {
                const sb_cfield *fa = &a->c[i].fields[x];
                bool overridden = false;
                for (size_t y = 0; y < b->c[j].nfields && !overridden; y++)
                    overridden = same_path(fa, &b->c[j].fields[y]);
                if (!overridden)
                    f[o++] = *fa;
            }
            sb_copy(f + o, b->c[j].fields, b->c[j].nfields * sizeof *f);
            out->c[k].fields = f;
            out->c[k].nfields = o + b->c[j].nfields;
        }
    }
    return SB_OK;
}

typedef struct segpath {
    sb_bytes segs[SB_JSON_MAX_DEPTH + 1];
    size_t n;
} segpath;

static char *dotted(pctx *cx, const segpath *sp, size_t *len) {
    size_t n = 0;
    for (size_t i = 0; i < sp->n; i++)
        n += sp->segs[i].len + (i > 0);
    char *d = sb_arena_alloc(cx->arena, n + 1);
    if (!d)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < sp->n; i++) {
        if (i)
            d[o++] = '.';
        sb_copy(d + o, sp->segs[i].s, sp->segs[i].len);
        o += sp->segs[i].len;
    }
    d[o] = '\0';
    *len = o;
    return d;
}

static int parse_object(pctx *cx, const sb_jnode *obj, segpath *sp, clist *out);

/* A field's value list: the OR of its tests; exists:false splits off an alternative. */
static int parse_leaf(pctx *cx, const sb_jnode *list, segpath *sp, clist *out) {
    size_t pathlen;
    char *path = dotted(cx, sp, &pathlen);
    if (!path)
        return oom(cx);
    if (list->u.arr.n == 0)
        return perr(cx, list->offset, path, "empty value list (it could never match)");
    sb_cfield base = {0};
    base.path = path;
    base.pathlen = pathlen;
    base.nsegs = sp->n;
    base.segs = sb_arena_alloc(cx->arena, sp->n * sizeof(sb_bytes));
    if (!base.segs)
        return oom(cx);
    for (size_t i = 0; i < sp->n; i++) {
        base.segs[i].len = sp->segs[i].len;
        base.segs[i].s = sb_arena_strndup(cx->arena, sp->segs[i].s, sp->segs[i].len);
        if (!base.segs[i].s)
            return oom(cx);
    }
    sb_test *tests = sb_arena_alloc(cx->arena, list->u.arr.n * sizeof(sb_test));
    if (!tests)
        return oom(cx);
    size_t nt = 0;
    bool absent_alt = false;
    for (size_t i = 0; i < list->u.arr.n; i++) {
        bool absent;
        int rc = parse_test(cx, list->u.arr.items[i], path, &tests[nt], &absent);
        if (rc)
            return rc;
        if (absent)
            absent_alt = true;
        else
            nt++;
    }
    size_t nalts = (nt > 0) + absent_alt;
    out->c = sb_arena_alloc(cx->arena, nalts * sizeof(sb_conj));
    if (!out->c)
        return oom(cx);
    out->n = 0;
    if (nt > 0) {
        sb_cfield *f = sb_arena_alloc(cx->arena, sizeof *f);
        if (!f)
            return oom(cx);
        *f = base;
        f->tests = tests;
        f->ntests = nt;
        out->c[out->n].fields = f;
        out->c[out->n++].nfields = 1;
    }
    if (absent_alt) {
        sb_cfield *f = sb_arena_alloc(cx->arena, sizeof *f);
        if (!f)
            return oom(cx);
        *f = base;
        f->absent = true;
        out->c[out->n].fields = f;
        out->c[out->n++].nfields = 1;
    }
    return SB_OK;
}

static int parse_or(pctx *cx, const sb_jmember *m, segpath *sp, clist *out) {
    const sb_jnode *v = m->value;
    if (v->type != SB_JSON_ARRAY)
        return perr(cx, v->offset, NULL, "\"$or\" takes a list of pattern objects, not %s",
                    sb_json_type_name(v->type));
    if (v->u.arr.n < 2)
        return perr(cx, v->offset, NULL, "\"$or\" needs at least two alternatives");
    clist *alts = sb_arena_alloc(cx->arena, v->u.arr.n * sizeof *alts);
    if (!alts)
        return oom(cx);
    size_t total = 0;
    for (size_t i = 0; i < v->u.arr.n; i++) {
        const sb_jnode *e = v->u.arr.items[i];
        if (e->type != SB_JSON_OBJECT)
            return perr(cx, e->offset, NULL, "\"$or\" alternatives are pattern objects, not %s",
                        sb_json_type_name(e->type));
        int rc = parse_object(cx, e, sp, &alts[i]);
        if (rc)
            return rc;
        total += alts[i].n;
        if (total > SB_PATTERN_MAX_COMBINATIONS)
            return perr(cx, v->offset, NULL, "pattern has more than %d \"$or\" combinations",
                        SB_PATTERN_MAX_COMBINATIONS);
    }
    out->c = sb_arena_alloc(cx->arena, total * sizeof(sb_conj));
    if (!out->c)
        return oom(cx);
    out->n = 0;
    for (size_t i = 0; i < v->u.arr.n; i++) {
        sb_copy(out->c + out->n, alts[i].c, alts[i].n * sizeof(sb_conj));
        out->n += alts[i].n;
    }
    return SB_OK;
}

static int parse_object(pctx *cx, const sb_jnode *obj, segpath *sp, clist *out) {
    if (obj->u.obj.n == 0) {
        size_t len;
        char *path = dotted(cx, sp, &len);
        return perr(cx, obj->offset, path, "empty object in pattern");
    }
    sb_conj unit = {NULL, 0};
    clist acc = {&unit, 1};
    for (size_t i = 0; i < obj->u.obj.n; i++) {
        const sb_jmember *m = &obj->u.obj.members[i];
        clist part = {NULL, 0};
        int rc;
        if (strcmp(m->key, "$or") == 0) {
            rc = parse_or(cx, m, sp, &part);
        } else {
            if (sp->n >= SB_JSON_MAX_DEPTH)
                return perr(cx, m->key_offset, NULL, "pattern nested too deeply");
            sp->segs[sp->n].s = m->key;
            sp->segs[sp->n].len = m->keylen;
            sp->n++;
            if (m->value->type == SB_JSON_OBJECT) {
                rc = parse_object(cx, m->value, sp, &part);
            } else if (m->value->type == SB_JSON_ARRAY) {
                rc = parse_leaf(cx, m->value, sp, &part);
            } else {
                size_t len;
                char *path = dotted(cx, sp, &len);
                rc = perr(cx, m->value->offset, path,
                          "a field's value must be a list of values or a nested object, not %s "
                          "(write [%.*s])",
                          sb_json_type_name(m->value->type),
                          (int)(m->value->end - m->value->offset), cx->src + m->value->offset);
            }
            sp->n--;
        }
        if (rc)
            return rc;
        clist next = {NULL, 0};
        rc = clist_product(cx, &acc, &part, m->key_offset, &next);
        if (rc)
            return rc;
        acc = next;
    }
    *out = acc;
    return SB_OK;
}

/* ---- public API ---- */

sb_patterns *sb_patterns_new(void) {
    sb_patterns *ps = calloc(1, sizeof *ps);
    if (ps)
        sb_arena_init(&ps->arena, 0);
    return ps;
}

void sb_patterns_free(sb_patterns *ps) {
    if (!ps)
        return;
    sb_arena_free(&ps->arena);
    free(ps->pats);
    free(ps);
}

size_t sb_patterns_count(const sb_patterns *ps) {
    return ps->n;
}

int sb_patterns_add_node(sb_patterns *ps, uint32_t id, const sb_jnode *node, const char *origin,
                         const char *src, size_t srclen, sb_error *err) {
    pctx cx = {&ps->arena, origin ? origin : "<pattern>", src, srclen, err};
    if (node->type != SB_JSON_OBJECT)
        return perr(&cx, node->offset, NULL, "a pattern must be a JSON object, not %s",
                    sb_json_type_name(node->type));
    segpath *sp = malloc(sizeof *sp);
    if (!sp)
        return oom(&cx);
    sp->n = 0;
    clist cl;
    int rc = parse_object(&cx, node, sp, &cl);
    free(sp);
    if (rc)
        return rc;
    if (ps->n == ps->cap) {
        size_t cap = ps->cap ? ps->cap * 2 : 16;
        sb_pattern_ast *p = realloc(ps->pats, cap * sizeof *p);
        if (!p)
            return oom(&cx);
        ps->pats = p;
        ps->cap = cap;
    }
    ps->pats[ps->n].id = id;
    ps->pats[ps->n].conjs = cl.c;
    ps->pats[ps->n].nconjs = cl.n;
    ps->n++;
    return SB_OK;
}

int sb_patterns_add(sb_patterns *ps, uint32_t id, const char *text, size_t len, const char *origin,
                    sb_error *err) {
    sb_arena tmp;
    sb_arena_init(&tmp, 16 * 1024);
    sb_jnode *root;
    size_t at = 0;
    const char *o = origin ? origin : "<pattern>";
    int rc = sb_json_parse(text, len, &tmp, true, &root, err, &at);
    if (rc) {
        char why[SB_ERROR_MSG_MAX];
        snprintf(why, sizeof why, "%s", err ? err->msg : "");
        sb_error_set(err, SB_EINVAL, "invalid pattern JSON: %s", why);
        sb_error_locate(err, o, text, len, at);
    } else {
        rc = sb_patterns_add_node(ps, id, root, o, text, len, err);
    }
    sb_arena_free(&tmp);
    return rc;
}
