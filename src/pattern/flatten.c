/* flatten.c - the event side of matching, in one pass over the JSON text.
 *
 * The parser walks the machine's field trie as it descends the event: a member no pattern
 * names is validated and skipped without being decoded; a leaf value of a named field is
 * recorded with its array membership and run through that field's value tests at once,
 * which "fires" predicates. This is the hot path: no allocation per event once the scratch
 * arrays have grown, and no copy of a value unless it holds escapes or must be case-folded. */
#include <stdlib.h>
#include <string.h>

#include "core/json_scan.h"
#include "core/util.h"
#include "pattern/casefold.h"
#include "pattern/cidr.h"
#include "pattern/matcher.h"

typedef struct fctx {
    sb_matcher *mt;
    const sb_machine *m;
    const char *end;
    const char *why, *where;
} fctx;

static const char *bad(fctx *fx, const char *at, const char *why) {
    fx->why = why;
    fx->where = at;
    return NULL;
}

static bool grow(void **p, uint32_t *cap, size_t elem, uint32_t need) {
    if (need <= *cap)
        return true;
    uint32_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    void *n = realloc(*p, (size_t)c * elem);
    if (!n)
        return false;
    *p = n;
    *cap = c;
    return true;
}

/* ---- recording ---- */

static uint32_t add_leaf(sb_matcher *mt, uint32_t field) {
    if (!grow((void **)&mt->leaves, &mt->cap_leaves, sizeof(sb_leaf), mt->nleaves + 1)) {
        mt->error = SB_ENOMEM;
        return SB_NONE;
    }
    if (mt->path_dirty && mt->path_n == 0) {
        /* back outside every array element: the empty membership */
        mt->cur_first = mt->nmems;
        mt->cur_n = 0;
        mt->path_dirty = false;
    } else if (mt->path_dirty) {
        if (!grow((void **)&mt->mems, &mt->cap_mems, sizeof(sb_mem), mt->nmems + mt->path_n)) {
            mt->error = SB_ENOMEM;
            return SB_NONE;
        }
        sb_copy(mt->mems + mt->nmems, mt->path, mt->path_n * sizeof(sb_mem));
        mt->cur_first = mt->nmems;
        mt->cur_n = mt->path_n;
        mt->nmems += mt->path_n;
        mt->path_dirty = false;
    }
    uint32_t id = mt->nleaves++;
    sb_leaf *l = &mt->leaves[id];
    l->field = field;
    l->mem_first = mt->cur_first;
    l->mem_n = mt->cur_n;
    if (mt->cur_n)
        mt->any_membership = true;
    sb_fstate *fs = &mt->fst[field];
    if (fs->stamp != mt->epoch) {
        fs->stamp = mt->epoch;
        fs->leaves = SB_NONE;
        fs->fires = SB_NONE;
        if (!grow((void **)&mt->touched, &mt->cap_touched, 4, mt->ntouched + 1)) {
            mt->error = SB_ENOMEM;
            return SB_NONE;
        }
        mt->touched[mt->ntouched++] = field;
    }
    l->next = fs->leaves;
    fs->leaves = id;
    return id;
}

static inline void fire(sb_matcher *mt, uint32_t pred, uint32_t leaf, uint32_t field) {
    if (mt->nfires == mt->cap_fires &&
        !grow((void **)&mt->fires, &mt->cap_fires, sizeof(sb_fire), mt->nfires + 1)) {
        mt->error = SB_ENOMEM;
        return;
    }
    sb_fire *f = &mt->fires[mt->nfires];
    sb_fstate *fs = &mt->fst[field];
    f->pred = pred;
    f->leaf = leaf;
    f->next = fs->fires;
    fs->fires = mt->nfires++;
}

static inline uint32_t next_seq(sb_matcher *mt) {
    if (++mt->leaf_seq == 0) {
        memset(mt->ab_stamp, 0, mt->m->npreds * sizeof *mt->ab_stamp);
        mt->leaf_seq = 1;
    }
    return mt->leaf_seq;
}

static inline void apply_vent(sb_matcher *mt, const sb_vent *v, uint32_t leaf, uint32_t field,
                              uint32_t seq) {
    if (v->pos != SB_NONE)
        fire(mt, v->pos, leaf, field);
    const uint32_t *neg = mt->m->u32s + v->neg.first;
    for (uint32_t i = 0; i < v->neg.n; i++)
        mt->ab_stamp[neg[i]] = seq;
}

/* Tries the wildcards listed in r (indices of m->globs) on the whole value. */
static void try_globs(sb_matcher *mt, sb_range r, const char *s, size_t n, uint32_t leaf,
                      uint32_t field, uint32_t seq) {
    const sb_machine *m = mt->m;
    for (uint32_t i = 0; i < r.n; i++) {
        const sb_globt *g = &m->globs[m->u32s[r.first + i]];
        if (sb_glob_match(&g->glob, s, n)) {
            if (g->negate)
                mt->ab_stamp[g->pred] = seq;
            else
                fire(mt, g->pred, leaf, field);
        }
    }
}

static inline void trie_node_hit(sb_matcher *mt, const sb_tnode *t, const char *s, size_t n,
                                 uint32_t leaf, uint32_t field, uint32_t seq) {
    const uint32_t *u = mt->m->u32s;
    for (uint32_t i = 0; i < t->pos.n; i++)
        fire(mt, u[t->pos.first + i], leaf, field);
    for (uint32_t i = 0; i < t->neg.n; i++)
        mt->ab_stamp[u[t->neg.first + i]] = seq;
    if (t->globs.n)
        try_globs(mt, t->globs, s, n, leaf, field, seq);
}

static void trie_walk(sb_matcher *mt, uint32_t root, const char *s, size_t n, bool reverse,
                      uint32_t leaf, uint32_t field, uint32_t seq) {
    const sb_machine *m = mt->m;
    const sb_tnode *t = &m->tnodes[root];
    for (size_t i = 0;; i++) {
        trie_node_hit(mt, t, s, n, leaf, field, seq);
        if (i == n)
            return;
        unsigned char b = (unsigned char)(reverse ? s[n - 1 - i] : s[i]);
        const sb_tedge *e = m->tedges + t->edges.first;
        uint32_t lo = 0, hi = t->edges.n;
        while (lo < hi) { /* binary search; tries are narrow so this is a few steps */
            uint32_t mid = (lo + hi) / 2;
            if (e[mid].byte < b)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == t->edges.n || e[lo].byte != b)
            return;
        t = &m->tnodes[e[lo].child];
    }
}

static inline void fire_all(sb_matcher *mt, sb_range r, uint32_t leaf, uint32_t field) {
    const uint32_t *u = mt->m->u32s + r.first;
    for (uint32_t i = 0; i < r.n; i++)
        fire(mt, u[i], leaf, field);
}

static inline void fire_unsuppressed(sb_matcher *mt, sb_range r, uint32_t leaf, uint32_t field,
                                     uint32_t seq) {
    const uint32_t *u = mt->m->u32s + r.first;
    for (uint32_t i = 0; i < r.n; i++)
        if (mt->ab_stamp[u[i]] != seq)
            fire(mt, u[i], leaf, field);
}

static char *scratch(sb_matcher *mt, size_t n) {
    if (n > mt->cap_buf) {
        size_t c = mt->cap_buf ? mt->cap_buf : 256;
        while (c < n)
            c *= 2;
        char *b = realloc(mt->buf, c);
        if (!b)
            return NULL;
        mt->buf = b;
        mt->cap_buf = c;
    }
    return mt->buf;
}

static void leaf_string(fctx *fx, uint32_t field, const char *s, size_t n, bool escaped) {
    sb_matcher *mt = fx->mt;
    const sb_machine *m = fx->m;
    const sb_fieldm *fm = &m->fields[field];
    uint32_t leaf = add_leaf(mt, field);
    if (leaf == SB_NONE)
        return;
    size_t need = (escaped ? n : 0) + (fm->needs_fold ? SB_FOLD_MAX(n) : 0);
    char *buf = need ? scratch(mt, need) : NULL;
    if (need && !buf) {
        mt->error = SB_ENOMEM;
        return;
    }
    if (escaped) {
        n = sb_json_unescape(s, n, buf);
        s = buf;
    }
    uint32_t seq = next_seq(mt);
    if (fm->any_str) {
        const uint32_t *e = sb_keymap_find(&m->values, sb_value_tag(field, NS_STR), s, n);
        if (e)
            apply_vent(mt, &m->vents[*e], leaf, field, seq);
    }
    if (fm->prefix_trie != SB_NONE)
        trie_walk(mt, fm->prefix_trie, s, n, false, leaf, field, seq);
    if (fm->suffix_trie != SB_NONE)
        trie_walk(mt, fm->suffix_trie, s, n, true, leaf, field, seq);
    if (fm->needs_fold) {
        char *f = buf + (escaped ? n : 0);
        size_t fn = sb_fold_utf8(s, n, f);
        if (fm->any_eic) {
            const uint32_t *e = sb_keymap_find(&m->values, sb_value_tag(field, NS_EIC), f, fn);
            if (e)
                apply_vent(mt, &m->vents[*e], leaf, field, seq);
        }
        if (fm->prefix_eic_trie != SB_NONE)
            trie_walk(mt, fm->prefix_eic_trie, f, fn, false, leaf, field, seq);
        if (fm->suffix_eic_trie != SB_NONE)
            trie_walk(mt, fm->suffix_eic_trie, f, fn, true, leaf, field, seq);
    }
    if (fm->globs.n)
        try_globs(mt, fm->globs, s, n, leaf, field, seq);
    if (fm->cidrs.n) {
        unsigned char ip[16];
        int ip_len;
        if (sb_ip_parse(s, n, ip, &ip_len)) {
            for (uint32_t i = 0; i < fm->cidrs.n; i++) {
                const sb_cidrt *c = &m->cidrs[fm->cidrs.first + i];
                if (sb_cidr_contains(c->ip, c->ip_len, c->bits, ip, ip_len))
                    fire(mt, c->pred, leaf, field);
            }
        }
    }
    if (fm->exists_pred != SB_NONE)
        fire(mt, fm->exists_pred, leaf, field);
    fire_unsuppressed(mt, fm->ab_str, leaf, field, seq);
    fire_all(mt, fm->ab_num, leaf, field);
}

/* Fires the ranges (sorted by lower bound) that hold d: those whose lower bound is at most d,
 * walked back from the last one until no earlier range reaches up to d. Disjoint ranges cost a
 * binary search and a step or two, whatever their number. */
static void test_ranges(sb_matcher *mt, const sb_ranget *r, uint32_t n, double d, uint32_t leaf,
                        uint32_t field) {
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (r[mid].lo <= d)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (uint32_t i = lo; i-- > 0;) {
        if (r[i].max_hi < d)
            break;
        if ((r[i].lo_incl ? d >= r[i].lo : d > r[i].lo) &&
            (r[i].hi_incl ? d <= r[i].hi : d < r[i].hi))
            fire(mt, r[i].pred, leaf, field);
    }
}

static void leaf_number(fctx *fx, uint32_t field, const char *s, size_t n) {
    sb_matcher *mt = fx->mt;
    const sb_machine *m = fx->m;
    const sb_fieldm *fm = &m->fields[field];
    uint32_t leaf = add_leaf(mt, field);
    if (leaf == SB_NONE)
        return;
    uint32_t seq = next_seq(mt);
    double d;
    if (fm->needs_number && sb_json_number_value(s, n, &d)) {
        if (d == 0)
            d = 0.0; /* -0 equals 0 */
        if (fm->any_num) {
            const uint32_t *e =
                sb_keymap_find(&m->values, sb_value_tag(field, NS_NUM), (const char *)&d, 8);
            if (e)
                apply_vent(mt, &m->vents[*e], leaf, field, seq);
        }
        if (fm->ranges.n)
            test_ranges(mt, m->ranges + fm->ranges.first, fm->ranges.n, d, leaf, field);
    }
    if (fm->exists_pred != SB_NONE)
        fire(mt, fm->exists_pred, leaf, field);
    fire_all(mt, fm->ab_str, leaf, field);
    fire_unsuppressed(mt, fm->ab_num, leaf, field, seq);
}

static void leaf_literal(fctx *fx, uint32_t field, char c) {
    sb_matcher *mt = fx->mt;
    const sb_fieldm *fm = &fx->m->fields[field];
    uint32_t leaf = add_leaf(mt, field);
    if (leaf == SB_NONE)
        return;
    uint32_t p = c == 't' ? fm->true_pred : c == 'f' ? fm->false_pred : fm->null_pred;
    if (p != SB_NONE)
        fire(mt, p, leaf, field);
    if (fm->exists_pred != SB_NONE)
        fire(mt, fm->exists_pred, leaf, field);
    fire_all(mt, fm->ab_str, leaf, field);
    fire_all(mt, fm->ab_num, leaf, field);
}

/* ---- parsing ---- */

static const char *literal(fctx *fx, const char *p) {
    size_t left = (size_t)(fx->end - p);
    if (*p == 't' && left >= 4 && memcmp(p, "true", 4) == 0)
        return p + 4;
    if (*p == 'f' && left >= 5 && memcmp(p, "false", 5) == 0)
        return p + 5;
    if (*p == 'n' && left >= 4 && memcmp(p, "null", 4) == 0)
        return p + 4;
    return bad(fx, p, "invalid literal (expected a value)");
}

/* Validates and skips the object or array at p without recording anything: an iterative
 * loop with a bit stack, since most of an event's bytes usually pass through here. */
static const char *skip_container(fctx *fx, const char *p, int depth) {
    const char *end = fx->end;
    uint64_t stack[SB_JSON_MAX_DEPTH / 64 + 2]; /* bit set: an object */
    int sp = 0, room = SB_JSON_MAX_DEPTH - depth + 1;
    bool obj = false; /* the innermost open container is an object */
    bool esc;
    goto open;
    for (;;) {
        /* p is at a value */
        switch (*p) {
        case '{':
        case '[':
        open:
            if (sp >= room || sp >= SB_JSON_MAX_DEPTH)
                return bad(fx, p, "nesting too deep");
            obj = *p == '{';
            if (obj)
                stack[sp >> 6] |= 1ULL << (sp & 63);
            else
                stack[sp >> 6] &= ~(1ULL << (sp & 63));
            sp++;
            p = sb_json_skip_ws(p + 1, end);
            if (p < end && (*p == '}' || *p == ']')) {
                if (*p != (obj ? '}' : ']'))
                    return bad(fx, p,
                               obj ? "expected a string key in object"
                                   : "unexpected character (expected a value)");
                p++;
                goto close;
            }
            goto member;
        case '"':
            p = sb_json_scan_string(p + 1, end, &esc, &fx->why, &fx->where);
            break;
        case 't':
        case 'f':
        case 'n':
            p = literal(fx, p);
            break;
        default:
            if (*p != '-' && (unsigned)(*p - '0') > 9)
                return bad(fx, p, "unexpected character (expected a value)");
            p = sb_json_scan_number(p, end, &fx->why, &fx->where);
            break;
        }
        if (!p)
            return NULL;
    after:
        /* after a value inside the innermost container */
        if (__builtin_expect(p >= end || *p != ',', 0)) {
            p = sb_json_skip_ws(p, end);
            if (p >= end)
                return bad(fx, p, "unterminated object or array");
            if (*p == (obj ? '}' : ']')) {
                p++;
                goto close;
            }
            if (*p != ',')
                return bad(fx, p,
                           obj ? "expected ',' or '}' in object" : "expected ',' or ']' in array");
        }
        p++;
        if (__builtin_expect(p < end && (unsigned char)*p <= ' ', 0))
            p = sb_json_skip_ws(p, end);
        if (!obj)
            goto element;
    member:
        if (obj) {
            if (p >= end || *p != '"')
                return bad(fx, p,
                           p < end ? "expected a string key in object" : "unterminated object");
            p = sb_json_scan_string(p + 1, end, &esc, &fx->why, &fx->where);
            if (!p)
                return NULL;
            if (__builtin_expect(p < end && *p == ':', 1)) {
                p++;
            } else {
                p = sb_json_skip_ws(p, end);
                if (p >= end || *p != ':')
                    return bad(fx, p, "expected ':' after object key");
                p++;
            }
            if (__builtin_expect(p < end && (unsigned char)*p <= ' ', 0))
                p = sb_json_skip_ws(p, end);
        }
    element:
        if (p >= end)
            return bad(fx, p, "unexpected end of input (expected a value)");
        continue;
    close:
        /* the innermost container closed just before p */
        if (--sp == 0)
            return p;
        obj = stack[(sp - 1) >> 6] >> ((sp - 1) & 63) & 1;
        goto after;
    }
}

static const char *skip_value(fctx *fx, const char *p, int depth) {
    bool esc;
    switch (*p) {
    case '"':
        return sb_json_scan_string(p + 1, fx->end, &esc, &fx->why, &fx->where);
    case '{':
    case '[':
        return skip_container(fx, p, depth);
    case 't':
    case 'f':
    case 'n':
        return literal(fx, p);
    default:
        if (*p != '-' && (unsigned)(*p - '0') > 9)
            return bad(fx, p, "unexpected character (expected a value)");
        return sb_json_scan_number(p, fx->end, &fx->why, &fx->where);
    }
}

static inline uint32_t find_kid(const sb_machine *m, const sb_fnode *n, const char *k, size_t len) {
    const sb_fkid *kids = m->fkids + n->kid_first;
    if (n->kid_n <= 8) {
        for (uint32_t i = 0; i < n->kid_n; i++)
            if (kids[i].len == len && (len == 0 || kids[i].key[0] == k[0]) &&
                memcmp(kids[i].key, k, len) == 0)
                return kids[i].node;
        return SB_NONE;
    }
    uint32_t lo = 0, hi = n->kid_n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        int c =
            kids[mid].len != len ? (kids[mid].len < len ? -1 : 1) : memcmp(kids[mid].key, k, len);
        if (c == 0)
            return kids[mid].node;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return SB_NONE;
}

static const char *parse_value(fctx *fx, const char *p, const sb_fnode *node, int depth);

static const char *parse_object(fctx *fx, const char *p, const sb_fnode *node, int depth) {
    const char *end = fx->end;
    const sb_machine *m = fx->m;
    if (depth > SB_JSON_MAX_DEPTH)
        return bad(fx, p, "nesting too deep");
    p = sb_json_skip_ws(p + 1, end);
    if (p < end && *p == '}')
        return p + 1;
    for (;;) {
        if (p >= end || *p != '"')
            return bad(fx, p, p < end ? "expected a string key in object" : "unterminated object");
        const char *k = p + 1;
        bool esc;
        p = sb_json_scan_string(k, end, &esc, &fx->why, &fx->where);
        if (!p)
            return NULL;
        size_t klen = (size_t)(p - 1 - k);
        uint32_t kid = SB_NONE;
        if (esc) {
            /* the scratch buffer is free here: values are decoded only after their key */
            char *kb = scratch(fx->mt, klen);
            if (!kb) {
                fx->mt->error = SB_ENOMEM;
                return bad(fx, k, "out of memory");
            }
            kid = find_kid(m, node, kb, sb_json_unescape(k, klen, kb));
        } else {
            kid = find_kid(m, node, k, klen);
        }
        p = sb_json_skip_ws(p, end);
        if (p >= end || *p != ':')
            return bad(fx, p, "expected ':' after object key");
        p = sb_json_skip_ws(p + 1, end);
        if (p >= end)
            return bad(fx, p, "unexpected end of input (expected a value)");
        p = kid == SB_NONE ? skip_value(fx, p, depth + 1)
                           : parse_value(fx, p, &m->fnodes[kid], depth + 1);
        if (!p)
            return NULL;
        p = sb_json_skip_ws(p, end);
        if (p < end && *p == ',') {
            p = sb_json_skip_ws(p + 1, end);
            continue;
        }
        if (p < end && *p == '}')
            return p + 1;
        return bad(fx, p, p < end ? "expected ',' or '}' in object" : "unterminated object");
    }
}

static const char *parse_array(fctx *fx, const char *p, const sb_fnode *node, int depth) {
    const char *end = fx->end;
    sb_matcher *mt = fx->mt;
    if (depth > SB_JSON_MAX_DEPTH)
        return bad(fx, p, "nesting too deep");
    uint32_t array = mt->next_array++;
    p = sb_json_skip_ws(p + 1, end);
    if (p < end && *p == ']')
        return p + 1;
    for (uint32_t index = 0;; index++) {
        if (p >= end)
            return bad(fx, p, "unexpected end of input (expected a value)");
        if (*p == '{' || *p == '[') {
            /* elements that are containers give their leaves a membership */
            mt->path[mt->path_n].array = array;
            mt->path[mt->path_n].index = index;
            mt->path_n++;
            mt->path_dirty = true;
            p = parse_value(fx, p, node, depth + 1);
            mt->path_n--;
            mt->path_dirty = true;
        } else {
            p = parse_value(fx, p, node, depth + 1);
        }
        if (!p)
            return NULL;
        p = sb_json_skip_ws(p, end);
        if (p < end && *p == ',') {
            p = sb_json_skip_ws(p + 1, end);
            continue;
        }
        if (p < end && *p == ']')
            return p + 1;
        return bad(fx, p, p < end ? "expected ',' or ']' in array" : "unterminated array");
    }
}

static const char *parse_value(fctx *fx, const char *p, const sb_fnode *node, int depth) {
    const char *s = p;
    bool esc;
    switch (*p) {
    case '{':
        if (node->kid_n == 0)
            return skip_container(fx, p, depth);
        return parse_object(fx, p, node, depth);
    case '[':
        return parse_array(fx, p, node, depth);
    case '"':
        p = sb_json_scan_string(p + 1, fx->end, &esc, &fx->why, &fx->where);
        if (p && node->field != SB_NONE)
            leaf_string(fx, node->field, s + 1, (size_t)(p - 1 - (s + 1)), esc);
        return p;
    case 't':
    case 'f':
    case 'n':
        p = literal(fx, p);
        if (p && node->field != SB_NONE)
            leaf_literal(fx, node->field, *s);
        return p;
    default:
        if (*p != '-' && (unsigned)(*p - '0') > 9)
            return bad(fx, p, "unexpected character (expected a value)");
        p = sb_json_scan_number(p, fx->end, &fx->why, &fx->where);
        if (p && node->field != SB_NONE)
            leaf_number(fx, node->field, s, (size_t)(p - s));
        return p;
    }
}

int sb_flatten(sb_matcher *mt, const char *text, size_t len, sb_error *err) {
    fctx fx;
    fx.mt = mt;
    fx.m = mt->m;
    fx.end = text + len;
    fx.why = NULL;
    fx.where = text;
    const char *p = sb_json_skip_ws(text, fx.end);
    if (p >= fx.end || *p != '{') {
        fx.why = p >= fx.end ? "empty input" : "an event must be a JSON object";
        fx.where = p;
        p = NULL;
    } else {
        p = parse_object(&fx, p, &mt->m->fnodes[0], 1);
        if (p) {
            p = sb_json_skip_ws(p, fx.end);
            if (p != fx.end) {
                fx.why = "unexpected data after the JSON object";
                fx.where = p;
                p = NULL;
            }
        }
    }
    if (!p) {
        unsigned line, col;
        size_t off = (size_t)(fx.where - text);
        sb_text_position(text, len, off, &line, &col);
        return sb_error_set(err, SB_EINVAL,
                            "invalid event: %s at line %u, column %u (byte offset %zu)", fx.why,
                            line, col, off);
    }
    if (mt->error)
        return sb_error_set(err, mt->error, "out of memory while matching an event");
    return SB_OK;
}
