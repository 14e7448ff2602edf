/* explain.c - the explanation evaluator: a pattern's conjunctions against an event tree, field
 * by field, without the matcher's machine (see explain.h for what it leaves out). */
#include <stdlib.h>
#include <string.h>

#include "pattern/casefold.h"
#include "pattern/cidr.h"
#include "pattern/explain.h"
#include "pattern/explain_words.h"
#include "pattern/patterns.h"
#include "pattern/wildcard.h"

/* The values found at a field's path. */
typedef struct found {
    const sb_jnode **leaves;
    size_t n, cap;
    bool reached; /* the path exists (its value may be an object or an empty list) */
    bool object;  /* an object stands at the path */
    bool oom;
} found;

static void push(found *f, const sb_jnode *leaf) {
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 8;
        const sb_jnode **l = realloc(f->leaves, cap * sizeof *l);
        if (!l) {
            f->oom = true;
            return;
        }
        f->leaves = l;
        f->cap = cap;
    }
    f->leaves[f->n++] = leaf;
}

/* Walks the path segs[depth..] from n; arrays stand for each of their elements at any level. */
static void collect(const sb_jnode *n, const sb_cfield *cf, size_t depth, found *f) {
    if (n->type == SB_JSON_ARRAY) {
        if (depth == cf->nsegs)
            f->reached = true;
        for (size_t i = 0; i < n->u.arr.n; i++)
            collect(n->u.arr.items[i], cf, depth, f);
        return;
    }
    if (depth == cf->nsegs) {
        f->reached = true;
        if (n->type == SB_JSON_OBJECT)
            f->object = true;
        else
            push(f, n);
        return;
    }
    if (n->type != SB_JSON_OBJECT)
        return;
    const sb_bytes *seg = &cf->segs[depth];
    for (size_t i = 0; i < n->u.obj.n; i++) {
        const sb_jmember *m = &n->u.obj.members[i];
        if (m->keylen == seg->len && memcmp(m->key, seg->s, seg->len) == 0)
            collect(m->value, cf, depth + 1, f);
    }
}

static bool is_str(const sb_jnode *v) {
    return v->type == SB_JSON_STRING;
}

static bool starts(const char *s, size_t n, const sb_bytes *p) {
    return n >= p->len && memcmp(s, p->s, p->len) == 0;
}

static bool ends(const char *s, size_t n, const sb_bytes *p) {
    return n >= p->len && memcmp(s + n - p->len, p->s, p->len) == 0;
}

static bool same(const char *s, size_t n, const sb_bytes *p) {
    return n == p->len && memcmp(s, p->s, n) == 0;
}

static bool glob(const sb_bytes *p, const char *s, size_t n) {
    sb_arena a;
    sb_arena_init(&a, 0);
    sb_glob g;
    bool ok = sb_glob_compile(p->s, p->len, &a, &g) && sb_glob_match(&g, s, n);
    sb_arena_free(&a);
    return ok;
}

/* One string operand test of kind k (a positive string kind) on s[0..n); folded is s folded. */
static bool str_test(sb_mkind k, const sb_bytes *p, const char *s, size_t n, const char *folded,
                     size_t flen) {
    switch (k) {
    case MK_EXACT_STR:
    case MK_AB_STR:
        return same(s, n, p);
    case MK_PREFIX:
    case MK_AB_PREFIX:
        return starts(s, n, p);
    case MK_SUFFIX:
    case MK_AB_SUFFIX:
        return ends(s, n, p);
    case MK_PREFIX_EIC:
        return starts(folded, flen, p);
    case MK_SUFFIX_EIC:
        return ends(folded, flen, p);
    case MK_EIC:
    case MK_AB_EIC:
        return same(folded, flen, p);
    case MK_WILDCARD:
    case MK_AB_WILDCARD:
        return glob(p, s, n);
    default:
        return false;
    }
}

/* True when leaf v passes test t. */
static bool passes(const sb_test *t, const sb_jnode *v) {
    const char *s = is_str(v) ? v->u.str.s : NULL;
    size_t n = s ? v->u.str.len : 0;
    bool num = v->type == SB_JSON_NUMBER && v->u.num.finite;
    switch (t->kind) {
    case MK_EXACT_NUM:
        return num && v->u.num.v == t->nums[0];
    case MK_TRUE:
        return v->type == SB_JSON_TRUE;
    case MK_FALSE:
        return v->type == SB_JSON_FALSE;
    case MK_NULL:
        return v->type == SB_JSON_NULL;
    case MK_EXISTS:
        return true;
    case MK_NUMERIC:
        return num && (t->lo_incl ? v->u.num.v >= t->lo : v->u.num.v > t->lo) &&
               (t->hi_incl ? v->u.num.v <= t->hi : v->u.num.v < t->hi);
    case MK_CIDR: {
        unsigned char ip[16];
        int ip_len;
        return s && sb_ip_parse(s, n, ip, &ip_len) &&
               sb_cidr_contains(t->ip, t->ip_len, t->prefix_bits, ip, ip_len);
    }
    case MK_AB_NUM:
        if (v->type != SB_JSON_NUMBER || !num)
            return true; /* another type, or beyond the doubles: not excluded */
        for (size_t i = 0; i < t->nnums; i++)
            if (v->u.num.v == t->nums[i])
                return false;
        return true;
    default:
        break;
    }
    /* string kinds */
    bool ab = sb_mkind_is_ab_string(t->kind);
    if (!s)
        return ab;
    char *folded = malloc(SB_FOLD_MAX(n));
    size_t flen = folded ? sb_fold_utf8(s, n, folded) : 0;
    bool hit = false;
    for (size_t i = 0; i < t->nstrs && !hit; i++)
        hit = str_test(t->kind, &t->strs[i], s, n, folded ? folded : s, folded ? flen : n);
    free(folded);
    return ab ? !hit : hit;
}

/* Judges one field; on failure appends "PATH: REASON" to why. Returns 1 pass, 0 fail, or
 * SB_ENOMEM; *reached tells whether the event has the field. */
static int judge(const sb_cfield *cf, const sb_jnode *event, sb_buf *why, bool *reached) {
    found f = {0};
    collect(event, cf, 0, &f);
    *reached = f.reached;
    int rc = 1;
    if (f.oom) {
        rc = SB_ENOMEM;
    } else if (cf->absent) {
        if (f.n) {
            rc = 0;
            sb_explain_present(why, cf, f.leaves, f.n);
        }
    } else {
        bool any = false;
        for (size_t i = 0; i < f.n && !any; i++)
            for (size_t t = 0; t < cf->ntests && !any; t++)
                any = passes(&cf->tests[t], f.leaves[i]);
        if (!any) {
            rc = 0;
            if (f.n)
                sb_explain_failed(why, cf, f.leaves, f.n);
            else
                sb_explain_missing(why, cf, f.reached, f.object);
        }
    }
    free(f.leaves);
    return rc;
}

static void copy_out(char *dst, size_t cap, const char *src, size_t len) {
    if (len < cap) {
        memcpy(dst, src, len + 1);
        return;
    }
    memcpy(dst, src, cap - 4);
    memcpy(dst + cap - 4, "...", 4);
}

int sb_explain(const char *text, size_t len, const char *origin, const sb_jnode *event,
               sb_explanation *out, sb_error *err) {
    memset(out, 0, sizeof *out);
    sb_patterns *ps = sb_patterns_new();
    if (!ps)
        return sb_error_set(err, SB_ENOMEM, "out of memory");
    int rc = sb_patterns_add(ps, 0, text, len, origin, err);
    if (rc != SB_OK) {
        sb_patterns_free(ps);
        return rc;
    }
    const sb_pattern_ast *p = &ps->pats[0];
    sb_buf best, cur;
    sb_buf_init(&best);
    sb_buf_init(&cur);
    const char *best_field = "";
    size_t best_score = 0;
    bool have_best = false;
    for (size_t c = 0; c < p->nconjs && !out->match && rc == SB_OK; c++) {
        const sb_conj *cj = &p->conjs[c];
        size_t passed = 0;
        int v = 1;
        bool reached = false;
        sb_buf_reset(&cur);
        for (; passed < cj->nfields; passed++) {
            v = judge(&cj->fields[passed], event, &cur, &reached);
            if (v != 1)
                break;
        }
        /* the furthest alternative; between equals, one whose failing field the event has */
        size_t score = passed * 2 + reached;
        if (v < 0) {
            rc = sb_error_set(err, SB_ENOMEM, "out of memory");
        } else if (v == 1) {
            out->match = 1;
        } else if (!have_best || score > best_score) {
            have_best = true;
            best_score = score;
            best_field = cj->fields[passed].path;
            sb_buf_reset(&best);
            sb_buf_append(&best, cur.data, cur.len);
        }
    }
    if (rc == SB_OK && !out->match) {
        if (sb_buf_failed(&best) || sb_buf_failed(&cur)) {
            rc = sb_error_set(err, SB_ENOMEM, "out of memory");
        } else {
            copy_out(out->field, sizeof out->field, best_field, strlen(best_field));
            copy_out(out->why, sizeof out->why, best.data ? best.data : "", best.len);
        }
    }
    sb_buf_free(&best);
    sb_buf_free(&cur);
    sb_patterns_free(ps);
    return rc;
}
