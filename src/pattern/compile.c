/* compile.c - sb_patterns to sb_machine: number the fields, deduplicate tests into predicates,
 * build the value tables and the state graph, and lay everything out in flat arrays. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "pattern/machine.h"
#include "pattern/patterns.h"

/* ---- growable arrays and (owner, value) pair lists ---- */

typedef struct vec {
    void *v;
    size_t n, cap, elem;
} vec;

static void *vpush(vec *a) {
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 64;
        void *v = realloc(a->v, cap * a->elem);
        if (!v)
            return NULL;
        a->v = v;
        a->cap = cap;
    }
    return (char *)a->v + a->elem * a->n++;
}

#define VEC(type)                                                                                  \
    { NULL, 0, 0, sizeof(type) }
#define AT(a, type, i) (((type *)(a).v)[i])

typedef struct pair {
    uint32_t owner, value;
} pair;

static int pair_cmp(const void *a, const void *b) {
    const pair *x = a, *y = b;
    if (x->owner != y->owner)
        return x->owner < y->owner ? -1 : 1;
    return x->value < y->value ? -1 : x->value > y->value;
}

static bool add_pair(vec *pairs, uint32_t owner, uint32_t value) {
    pair *p = vpush(pairs);
    if (!p)
        return false;
    p->owner = owner;
    p->value = value;
    return true;
}

/* Sorts pairs and turns them into ranges[owner] over values appended (deduplicated) to pool.
 * Each sb_range is found at (char *)base + owner * stride + offset. */
static bool pairs_to_ranges(vec *pairs, vec *pool, void *base, size_t stride, size_t offset,
                            uint32_t nowners) {
    for (uint32_t i = 0; i < nowners; i++) {
        sb_range *r = (sb_range *)((char *)base + i * stride + offset);
        r->first = 0;
        r->n = 0;
    }
    sb_sort(pairs->v, pairs->n, sizeof(pair), pair_cmp);
    for (size_t i = 0; i < pairs->n; i++) {
        pair *p = &AT(*pairs, pair, i);
        if (i > 0 && pair_cmp(p, &AT(*pairs, pair, i - 1)) == 0)
            continue;
        sb_range *r = (sb_range *)((char *)base + p->owner * stride + offset);
        uint32_t *slot = vpush(pool);
        if (!slot)
            return false;
        if (r->n == 0)
            r->first = (uint32_t)(pool->n - 1);
        *slot = p->value;
        r->n++;
    }
    pairs->n = 0;
    return true;
}

/* ---- the compiler's working state ---- */

typedef struct ftest { /* a test on a field, before deduplication */
    uint32_t field;
    const sb_test *test;
} ftest;

typedef struct comp {
    const sb_patterns *ps;
    sb_machine *m;
    sb_error *err;

    sb_keymap field_ids; /* encoded segments -> provisional index */
    vec field_paths;     /* provisional index -> const sb_cfield * (a representative) */
    uint32_t *rank;      /* provisional index -> field id (sorted order) */

    sb_keymap pred_ids;  /* (field, canonical test) -> pred id */
    vec pred_tests;      /* pred id -> const sb_test * */
    sb_keymap spec_ids;  /* (field, pred ids) -> spec id */
    sb_keymap edges;     /* (state, step) -> child state */
    sb_keymap pat_dense; /* caller id -> dense index */

    vec pool;        /* u32 pool, becomes m->u32s */
    vec pairs;       /* scratch pairs */
    vec pred_specs;  /* (pred, spec) */
    vec state_terms; /* (state, pattern) */
    vec step_pos;    /* (state, field, spec, child) as 4 u32 */
    vec step_abs;    /* (state, field, child) as 3 u32 */
    uint32_t nstates;

    /* value tables */
    vec vents;           /* sb_vent (neg filled from vent_neg) */
    vec vent_neg;        /* pairs */
    sb_keymap tedge_map; /* (tnode, byte) -> child */
    vec tnodes;          /* count only; pos/neg from pairs */
    vec tnode_pos, tnode_neg, tnode_globs;
    vec field_globs;
    vec globs, ranges, cidrs;
    vec field_abstr, field_abnum;
} comp;

static int nomem(comp *c) {
    return sb_error_set(c->err, SB_ENOMEM, "out of memory while compiling patterns");
}

/* Encodes a field's segments unambiguously (a key may contain dots). */
static size_t encode_path(const sb_cfield *f, char *buf, size_t cap) {
    size_t o = 0;
    for (size_t i = 0; i < f->nsegs; i++) {
        uint32_t l = (uint32_t)f->segs[i].len;
        if (o + 4 + l > cap)
            return SIZE_MAX;
        memcpy(buf + o, &l, 4);
        memcpy(buf + o + 4, f->segs[i].s, l);
        o += 4 + l;
    }
    return o;
}

static uint32_t field_of(comp *c, const sb_cfield *f) {
    char stackbuf[512];
    size_t need = 0;
    for (size_t i = 0; i < f->nsegs; i++)
        need += 4 + f->segs[i].len;
    char *buf = need <= sizeof stackbuf ? stackbuf : malloc(need);
    if (!buf)
        return SB_NONE;
    size_t n = encode_path(f, buf, need);
    const uint32_t *v = sb_keymap_find(&c->field_ids, 0, buf, n);
    uint32_t r = v ? *v : SB_NONE;
    if (buf != stackbuf)
        free(buf);
    return r;
}

static int collect_fields(comp *c) {
    for (size_t p = 0; p < c->ps->n; p++) {
        const sb_pattern_ast *pa = &c->ps->pats[p];
        for (size_t k = 0; k < pa->nconjs; k++) {
            for (size_t i = 0; i < pa->conjs[k].nfields; i++) {
                const sb_cfield *f = &pa->conjs[k].fields[i];
                size_t need = 0;
                for (size_t s = 0; s < f->nsegs; s++)
                    need += 4 + f->segs[s].len;
                char *buf = malloc(need ? need : 1);
                if (!buf)
                    return nomem(c);
                size_t n = encode_path(f, buf, need);
                bool added;
                uint32_t *v =
                    sb_keymap_put(&c->field_ids, 0, buf, n, (uint32_t)c->field_paths.n, &added);
                free(buf);
                if (!v)
                    return nomem(c);
                if (added) {
                    const sb_cfield **slot = vpush(&c->field_paths);
                    if (!slot)
                        return nomem(c);
                    *slot = f;
                }
            }
        }
    }
    return SB_OK;
}

static const comp *sort_ctx;

static int field_order(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    const sb_cfield *fx = AT(sort_ctx->field_paths, const sb_cfield *, x);
    const sb_cfield *fy = AT(sort_ctx->field_paths, const sb_cfield *, y);
    int r = strcmp(fx->path, fy->path);
    if (r)
        return r;
    /* same dotted spelling, different segments ("a.b" vs {"a":{"b"}}): by segment count */
    if (fx->nsegs != fy->nsegs)
        return fx->nsegs < fy->nsegs ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* Numbers the fields in sorted path order and builds the field trie. */
static int build_fields(comp *c) {
    sb_machine *m = c->m;
    uint32_t nf = (uint32_t)c->field_paths.n;
    uint32_t *order = malloc((nf ? nf : 1) * sizeof *order);
    c->rank = malloc((nf ? nf : 1) * sizeof *c->rank);
    m->fields = calloc(nf ? nf : 1, sizeof *m->fields);
    if (!order || !c->rank || !m->fields) {
        free(order);
        return nomem(c);
    }
    for (uint32_t i = 0; i < nf; i++)
        order[i] = i;
    sort_ctx = c;
    sb_sort(order, nf, sizeof *order, field_order);
    for (uint32_t r = 0; r < nf; r++)
        c->rank[order[r]] = r;
    m->nfields = nf;

    /* the trie: nodes in a vec, children found through a keymap while building */
    vec nodes = VEC(sb_fnode);
    sb_keymap kidmap;
    sb_keymap_init(&kidmap);
    sb_fnode *root = vpush(&nodes);
    int rc = SB_OK;
    if (!root) {
        rc = nomem(c);
        goto out;
    }
    memset(root, 0, sizeof *root);
    root->field = SB_NONE;
    for (uint32_t r = 0; r < nf; r++) {
        const sb_cfield *f = AT(c->field_paths, const sb_cfield *, order[r]);
        sb_fieldm *fm = &m->fields[r];
        fm->path = sb_arena_strndup(&m->arena, f->path, f->pathlen);
        if (!fm->path) {
            rc = nomem(c);
            goto out;
        }
        uint32_t node = 0;
        for (size_t s = 0; s < f->nsegs; s++) {
            bool added;
            uint32_t *child = sb_keymap_put(&kidmap, node, f->segs[s].s, f->segs[s].len,
                                            (uint32_t)nodes.n, &added);
            if (!child) {
                rc = nomem(c);
                goto out;
            }
            if (added) {
                sb_fnode *n = vpush(&nodes);
                if (!n) {
                    rc = nomem(c);
                    goto out;
                }
                memset(n, 0, sizeof *n); /* no children until the kid lists are laid out */
                n->field = SB_NONE;
            }
            node = *child;
        }
        AT(nodes, sb_fnode, node).field = r;
    }
    /* children arrays: entries of kidmap grouped by parent, sorted by (len, bytes) */
    m->nfnodes = (uint32_t)nodes.n;
    m->fkids = malloc((kidmap.n ? kidmap.n : 1) * sizeof *m->fkids);
    if (!m->fkids) {
        rc = nomem(c);
        goto out;
    }
    {
        /* sort entry indices by (parent, len, bytes) */
        pair *ix = malloc((kidmap.n ? kidmap.n : 1) * sizeof *ix);
        if (!ix) {
            rc = nomem(c);
            goto out;
        }
        for (uint32_t i = 0; i < kidmap.n; i++) {
            ix[i].owner = (uint32_t)kidmap.entries[i].tag;
            ix[i].value = i;
        }
        sb_sort(ix, kidmap.n, sizeof *ix, pair_cmp); /* by parent, then insertion */
        /* within a parent, sort by (len, bytes) with insertion sort: parents have few kids */
        for (uint32_t i = 0; i < kidmap.n;) {
            uint32_t j = i;
            while (j < kidmap.n && ix[j].owner == ix[i].owner)
                j++;
            for (uint32_t a = i + 1; a < j; a++) {
                pair t = ix[a];
                const sb_keymap_entry *et = &kidmap.entries[t.value];
                uint32_t b = a;
                while (b > i) {
                    const sb_keymap_entry *eb = &kidmap.entries[ix[b - 1].value];
                    int cmp = eb->len != et->len ? (eb->len < et->len ? -1 : 1)
                                                 : memcmp(eb->key, et->key, et->len);
                    if (cmp <= 0)
                        break;
                    ix[b] = ix[b - 1];
                    b--;
                }
                ix[b] = t;
            }
            sb_fnode *parent = &AT(nodes, sb_fnode, ix[i].owner);
            parent->kid_first = i;
            parent->kid_n = j - i;
            for (uint32_t a = i; a < j; a++) {
                const sb_keymap_entry *e = &kidmap.entries[ix[a].value];
                m->fkids[a].key = sb_arena_strndup(&m->arena, e->key, e->len);
                m->fkids[a].len = e->len;
                m->fkids[a].node = e->value;
                if (!m->fkids[a].key) {
                    free(ix);
                    rc = nomem(c);
                    goto out;
                }
            }
            i = j;
        }
        free(ix);
    }
    m->fnodes = nodes.v;
    nodes.v = NULL;
out:
    free(nodes.v);
    free(order);
    sb_keymap_free(&kidmap);
    return rc;
}

/* ---- predicates ---- */

static size_t canon_test(const sb_test *t, char *buf, size_t cap) {
    size_t o = 0;
#define PUT(ptr, len)                                                                              \
    do {                                                                                           \
        if (o + (len) > cap)                                                                       \
            return SIZE_MAX;                                                                       \
        memcpy(buf + o, (ptr), (len));                                                             \
        o += (len);                                                                                \
    } while (0)
    unsigned char k = (unsigned char)t->kind;
    PUT(&k, 1);
    for (size_t i = 0; i < t->nstrs; i++) {
        uint32_t l = (uint32_t)t->strs[i].len;
        PUT(&l, 4);
        PUT(t->strs[i].s, l);
    }
    for (size_t i = 0; i < t->nnums; i++)
        PUT(&t->nums[i], 8);
    if (t->kind == MK_NUMERIC) {
        PUT(&t->lo, 8);
        PUT(&t->hi, 8);
        unsigned char fl = (unsigned char)(t->lo_incl | (t->hi_incl << 1));
        PUT(&fl, 1);
    }
    if (t->kind == MK_CIDR) {
        PUT(t->ip, (size_t)t->ip_len);
        unsigned char b = (unsigned char)t->prefix_bits;
        PUT(&b, 1);
    }
#undef PUT
    return o;
}

static size_t canon_size(const sb_test *t) {
    size_t n = 1 + 17 + 17 + t->nnums * 8;
    for (size_t i = 0; i < t->nstrs; i++)
        n += 4 + t->strs[i].len;
    return n;
}

/* Returns the predicate id of test t on field, creating it. SB_NONE when out of memory. */
static uint32_t pred_of(comp *c, uint32_t field, const sb_test *t) {
    size_t cap = canon_size(t);
    char *buf = malloc(cap);
    if (!buf)
        return SB_NONE;
    size_t n = canon_test(t, buf, cap);
    bool added;
    uint32_t *v = sb_keymap_put(&c->pred_ids, field, buf, n, (uint32_t)c->pred_tests.n, &added);
    free(buf);
    if (!v)
        return SB_NONE;
    if (added) {
        ftest *slot = vpush(&c->pred_tests);
        if (!slot)
            return SB_NONE;
        slot->field = field;
        slot->test = t;
    }
    return *v;
}

static int u32_cmp(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int range_cmp(const void *a, const void *b) {
    const sb_ranget *x = a, *y = b;
    if (x->lo != y->lo)
        return x->lo < y->lo ? -1 : 1;
    return x->pred < y->pred ? -1 : x->pred > y->pred;
}

static int u64_cmp(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* A step of a conjunction's path through the state graph. */
typedef struct step {
    uint32_t field;
    uint32_t absent;
    uint32_t spec;
} step;

static int step_cmp(const void *a, const void *b) {
    const step *x = a, *y = b;
    if (x->field != y->field)
        return x->field < y->field ? -1 : 1;
    if (x->absent != y->absent)
        return x->absent < y->absent ? -1 : 1;
    return x->spec < y->spec ? -1 : x->spec > y->spec;
}

/* Creates predicates, specs and the state path of one conjunction. */
static int add_conj(comp *c, const sb_conj *cj, uint32_t dense) {
    step *steps = malloc((cj->nfields ? cj->nfields : 1) * sizeof *steps);
    if (!steps)
        return nomem(c);
    size_t ns = 0;
    int rc = SB_OK;
    for (size_t i = 0; i < cj->nfields; i++) {
        const sb_cfield *f = &cj->fields[i];
        uint32_t field = c->rank[field_of(c, f)];
        step *s = &steps[ns++];
        s->field = field;
        s->absent = f->absent;
        s->spec = 0;
        if (f->absent)
            continue;
        uint32_t *preds = malloc(f->ntests * sizeof *preds);
        if (!preds) {
            rc = nomem(c);
            goto out;
        }
        size_t np = 0;
        for (size_t t = 0; t < f->ntests; t++) {
            uint32_t p = pred_of(c, field, &f->tests[t]);
            if (p == SB_NONE) {
                free(preds);
                rc = nomem(c);
                goto out;
            }
            preds[np++] = p;
        }
        sb_sort(preds, np, sizeof *preds, u32_cmp);
        size_t u = 0;
        for (size_t t = 0; t < np; t++)
            if (u == 0 || preds[u - 1] != preds[t])
                preds[u++] = preds[t];
        bool added;
        uint32_t *spec = sb_keymap_put(&c->spec_ids, field, (const char *)preds, u * 4,
                                       (uint32_t)c->spec_ids.n, &added);
        if (!spec) {
            free(preds);
            rc = nomem(c);
            goto out;
        }
        s->spec = *spec;
        if (added) {
            for (size_t t = 0; t < u; t++) {
                if (!add_pair(&c->pred_specs, preds[t], *spec)) {
                    free(preds);
                    rc = nomem(c);
                    goto out;
                }
            }
        }
        free(preds);
    }
    sb_sort(steps, ns, sizeof *steps, step_cmp);
    uint32_t state = 0;
    for (size_t i = 0; i < ns; i++) {
        if (i > 0 && step_cmp(&steps[i], &steps[i - 1]) == 0)
            continue; /* the same test twice in one conjunction */
        bool added;
        uint32_t *child = sb_keymap_put(&c->edges, state, (const char *)&steps[i], sizeof(step),
                                        c->nstates, &added);
        if (!child) {
            rc = nomem(c);
            goto out;
        }
        if (added) {
            uint32_t *rec;
            if (steps[i].absent) {
                rec = vpush(&c->step_abs);
                if (rec) {
                    rec[0] = state;
                    rec[1] = steps[i].field;
                    rec[2] = c->nstates;
                }
            } else {
                rec = vpush(&c->step_pos);
                if (rec) {
                    rec[0] = state;
                    rec[1] = steps[i].field;
                    rec[2] = steps[i].spec;
                    rec[3] = c->nstates;
                }
            }
            if (!rec) {
                rc = nomem(c);
                goto out;
            }
            c->nstates++;
        }
        state = *child;
    }
    if (!add_pair(&c->state_terms, state, dense))
        rc = nomem(c);
out:
    free(steps);
    return rc;
}

static int rec_cmp4(const void *a, const void *b) {
    const uint32_t *x = a, *y = b;
    for (int i = 0; i < 3; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

static int rec_cmp3(const void *a, const void *b) {
    const uint32_t *x = a, *y = b;
    for (int i = 0; i < 2; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

/* Lays the state graph out: states, groups of positive edges by field, absent edges. */
static int build_states(comp *c) {
    sb_machine *m = c->m;
    m->nstates = c->nstates;
    m->states = calloc(c->nstates, sizeof *m->states);
    m->pedges = malloc((c->step_pos.n ? c->step_pos.n : 1) * sizeof *m->pedges);
    m->groups = malloc((c->step_pos.n ? c->step_pos.n : 1) * sizeof *m->groups);
    m->aedges = malloc((c->step_abs.n ? c->step_abs.n : 1) * sizeof *m->aedges);
    if (!m->states || !m->pedges || !m->groups || !m->aedges)
        return nomem(c);
    sb_sort(c->step_pos.v, c->step_pos.n, c->step_pos.elem, rec_cmp4);
    uint32_t ngroups = 0;
    for (size_t i = 0; i < c->step_pos.n; i++) {
        const uint32_t *r = (const uint32_t *)c->step_pos.v + i * 4;
        sb_state *st = &m->states[r[0]];
        bool new_group = i == 0 || r[0] != r[-4] || r[1] != r[-3];
        if (new_group) {
            if (st->groups.n == 0)
                st->groups.first = ngroups;
            st->groups.n++;
            m->groups[ngroups].field = r[1];
            m->groups[ngroups].edges.first = (uint32_t)i;
            m->groups[ngroups].edges.n = 0;
            ngroups++;
        }
        m->groups[ngroups - 1].edges.n++;
        m->pedges[i].spec = r[2];
        m->pedges[i].child = r[3];
    }
    sb_sort(c->step_abs.v, c->step_abs.n, c->step_abs.elem, rec_cmp3);
    for (size_t i = 0; i < c->step_abs.n; i++) {
        const uint32_t *r = (const uint32_t *)c->step_abs.v + i * 3;
        sb_state *st = &m->states[r[0]];
        if (st->absent.n == 0)
            st->absent.first = (uint32_t)i;
        st->absent.n++;
        m->aedges[i].field = r[1];
        m->aedges[i].child = r[2];
    }
    if (!pairs_to_ranges(&c->state_terms, &c->pool, m->states, sizeof(sb_state),
                         offsetof(sb_state, terms), m->nstates))
        return nomem(c);
    return SB_OK;
}

/* ---- value tables ---- */

static uint32_t vent_of(comp *c, uint32_t field, int ns, const char *key, size_t len) {
    bool added;
    uint32_t *v = sb_keymap_put(&c->m->values, sb_value_tag(field, ns), key, len,
                                (uint32_t)c->vents.n, &added);
    if (!v)
        return SB_NONE;
    if (added) {
        sb_vent *e = vpush(&c->vents);
        if (!e)
            return SB_NONE;
        e->pos = SB_NONE;
    }
    return *v;
}

static uint32_t new_tnode(comp *c) {
    sb_tnode *t = vpush(&c->tnodes);
    if (!t)
        return SB_NONE;
    memset(t, 0, sizeof *t);
    return (uint32_t)(c->tnodes.n - 1);
}

/* Inserts s (reversed when `reverse`) into the trie at *root; returns the final node. */
static uint32_t trie_insert(comp *c, uint32_t *root, const char *s, size_t n, bool reverse) {
    if (*root == SB_NONE && (*root = new_tnode(c)) == SB_NONE)
        return SB_NONE;
    uint32_t node = *root;
    for (size_t i = 0; i < n; i++) {
        char b = reverse ? s[n - 1 - i] : s[i];
        bool added;
        uint32_t *child = sb_keymap_put(&c->tedge_map, node, &b, 1, 0, &added);
        if (!child)
            return SB_NONE;
        if (added) {
            uint32_t nn = new_tnode(c);
            if (nn == SB_NONE)
                return SB_NONE;
            /* the map may not have moved the value: look it up again after growth */
            child = (uint32_t *)sb_keymap_find(&c->tedge_map, node, &b, 1);
            *child = nn;
        }
        node = *child;
    }
    return node;
}

static double norm_zero(double d) {
    return d == 0 ? 0.0 : d;
}

static int add_test(comp *c, uint32_t pred, const sb_test *t) {
    sb_machine *m = c->m;
    uint32_t field = m->preds[pred].field;
    sb_fieldm *fm = &m->fields[field];
    uint32_t node;
    switch (t->kind) {
    case MK_EXACT_STR: {
        uint32_t e = vent_of(c, field, NS_STR, t->strs[0].s, t->strs[0].len);
        if (e == SB_NONE)
            return nomem(c);
        AT(c->vents, sb_vent, e).pos = pred;
        fm->any_str = true;
        return SB_OK;
    }
    case MK_EXACT_NUM: {
        double d = norm_zero(t->nums[0]);
        uint32_t e = vent_of(c, field, NS_NUM, (const char *)&d, 8);
        if (e == SB_NONE)
            return nomem(c);
        AT(c->vents, sb_vent, e).pos = pred;
        fm->any_num = fm->needs_number = true;
        return SB_OK;
    }
    case MK_TRUE:
        fm->true_pred = pred;
        return SB_OK;
    case MK_FALSE:
        fm->false_pred = pred;
        return SB_OK;
    case MK_NULL:
        fm->null_pred = pred;
        return SB_OK;
    case MK_EXISTS:
        fm->exists_pred = pred;
        return SB_OK;
    case MK_EIC: {
        uint32_t e = vent_of(c, field, NS_EIC, t->strs[0].s, t->strs[0].len);
        if (e == SB_NONE)
            return nomem(c);
        AT(c->vents, sb_vent, e).pos = pred;
        fm->any_eic = fm->needs_fold = true;
        return SB_OK;
    }
    case MK_PREFIX:
    case MK_PREFIX_EIC:
    case MK_SUFFIX:
    case MK_SUFFIX_EIC: {
        uint32_t *root = t->kind == MK_PREFIX       ? &fm->prefix_trie
                         : t->kind == MK_PREFIX_EIC ? &fm->prefix_eic_trie
                         : t->kind == MK_SUFFIX     ? &fm->suffix_trie
                                                    : &fm->suffix_eic_trie;
        bool rev = t->kind == MK_SUFFIX || t->kind == MK_SUFFIX_EIC;
        if (t->kind == MK_PREFIX_EIC || t->kind == MK_SUFFIX_EIC)
            fm->needs_fold = true;
        node = trie_insert(c, root, t->strs[0].s, t->strs[0].len, rev);
        if (node == SB_NONE || !add_pair(&c->tnode_pos, node, pred))
            return nomem(c);
        return SB_OK;
    }
    case MK_WILDCARD:
    case MK_AB_WILDCARD:
        for (size_t i = 0; i < t->nstrs; i++) {
            sb_globt *g = vpush(&c->globs);
            if (!g || !sb_glob_compile(t->strs[i].s, t->strs[i].len, &m->arena, &g->glob))
                return nomem(c);
            g->pred = pred;
            g->negate = t->kind == MK_AB_WILDCARD;
            /* gate the wildcard behind its literal prefix (or suffix) in the field's trie, so
             * that only values that begin (end) right are tried against it */
            uint32_t gi = (uint32_t)(c->globs.n - 1);
            const sb_glob *gl = &g->glob;
            size_t last = gl->nsegs - 1;
            if (gl->lens[0] > 0)
                node = trie_insert(c, &fm->prefix_trie, gl->segs[0], gl->lens[0], false);
            else if (gl->lens[last] > 0)
                node = trie_insert(c, &fm->suffix_trie, gl->segs[last], gl->lens[last], true);
            else
                node = SB_NONE - 1; /* neither: tried on every value */
            if (node == SB_NONE)
                return nomem(c);
            if (!(node == SB_NONE - 1 ? add_pair(&c->field_globs, field, gi)
                                      : add_pair(&c->tnode_globs, node, gi)))
                return nomem(c);
        }
        if (t->kind == MK_AB_WILDCARD && !add_pair(&c->field_abstr, field, pred))
            return nomem(c);
        return SB_OK;
    case MK_NUMERIC: {
        sb_ranget *r = vpush(&c->ranges);
        if (!r)
            return nomem(c);
        r->lo = t->lo;
        r->hi = t->hi;
        r->lo_incl = t->lo_incl;
        r->hi_incl = t->hi_incl;
        r->pred = pred;
        fm->needs_number = true;
        return SB_OK;
    }
    case MK_CIDR: {
        sb_cidrt *r = vpush(&c->cidrs);
        if (!r)
            return nomem(c);
        memcpy(r->ip, t->ip, sizeof r->ip);
        r->ip_len = t->ip_len;
        r->bits = t->prefix_bits;
        r->pred = pred;
        return SB_OK;
    }
    case MK_AB_STR:
    case MK_AB_EIC:
        for (size_t i = 0; i < t->nstrs; i++) {
            int ns = t->kind == MK_AB_STR ? NS_STR : NS_EIC;
            uint32_t e = vent_of(c, field, ns, t->strs[i].s, t->strs[i].len);
            if (e == SB_NONE || !add_pair(&c->vent_neg, e, pred))
                return nomem(c);
        }
        if (t->kind == MK_AB_STR)
            fm->any_str = true;
        else
            fm->any_eic = fm->needs_fold = true;
        if (!add_pair(&c->field_abstr, field, pred))
            return nomem(c);
        return SB_OK;
    case MK_AB_NUM:
        for (size_t i = 0; i < t->nnums; i++) {
            double d = norm_zero(t->nums[i]);
            uint32_t e = vent_of(c, field, NS_NUM, (const char *)&d, 8);
            if (e == SB_NONE || !add_pair(&c->vent_neg, e, pred))
                return nomem(c);
        }
        fm->any_num = fm->needs_number = true;
        if (!add_pair(&c->field_abnum, field, pred))
            return nomem(c);
        return SB_OK;
    case MK_AB_PREFIX:
    case MK_AB_SUFFIX:
        for (size_t i = 0; i < t->nstrs; i++) {
            bool rev = t->kind == MK_AB_SUFFIX;
            node = trie_insert(c, rev ? &fm->suffix_trie : &fm->prefix_trie, t->strs[i].s,
                               t->strs[i].len, rev);
            if (node == SB_NONE || !add_pair(&c->tnode_neg, node, pred))
                return nomem(c);
        }
        if (!add_pair(&c->field_abstr, field, pred))
            return nomem(c);
        return SB_OK;
    case MK_COUNT:
        break;
    }
    return SB_OK;
}

static int build_values(comp *c) {
    sb_machine *m = c->m;
    for (uint32_t f = 0; f < m->nfields; f++) {
        sb_fieldm *fm = &m->fields[f];
        fm->exists_pred = fm->true_pred = fm->false_pred = fm->null_pred = SB_NONE;
        fm->prefix_trie = fm->prefix_eic_trie = fm->suffix_trie = fm->suffix_eic_trie = SB_NONE;
    }
    /* predicates are numbered in the order met; visit them grouped by field so that each
     * field's globs, ranges and CIDR blocks are contiguous */
    pair *order = malloc((m->npreds ? m->npreds : 1) * sizeof *order);
    if (!order)
        return nomem(c);
    for (uint32_t p = 0; p < m->npreds; p++) {
        order[p].owner = m->preds[p].field;
        order[p].value = p;
    }
    sb_sort(order, m->npreds, sizeof *order, pair_cmp);
    for (uint32_t i = 0; i < m->npreds; i++) {
        uint32_t p = order[i].value, f = order[i].owner;
        sb_fieldm *fm = &m->fields[f];
        size_t r0 = c->ranges.n, c0 = c->cidrs.n;
        int rc = add_test(c, p, AT(c->pred_tests, ftest, p).test);
        if (rc) {
            free(order);
            return rc;
        }
        if (c->ranges.n > r0 && fm->ranges.n == 0)
            fm->ranges.first = (uint32_t)r0;
        fm->ranges.n += (uint32_t)(c->ranges.n - r0);
        if (c->cidrs.n > c0 && fm->cidrs.n == 0)
            fm->cidrs.first = (uint32_t)c0;
        fm->cidrs.n += (uint32_t)(c->cidrs.n - c0);
    }
    free(order);

    /* trie edges, sorted by byte per node */
    m->tnodes = c->tnodes.v;
    c->tnodes.v = NULL;
    uint32_t ntn = (uint32_t)c->tnodes.n;
    uint32_t ne = c->tedge_map.n;
    m->tedges = malloc((ne ? ne : 1) * sizeof *m->tedges);
    uint64_t *keys = malloc((ne ? ne : 1) * sizeof *keys);
    if (!m->tedges || !keys) {
        free(keys);
        return nomem(c);
    }
    for (uint32_t i = 0; i < ne; i++) {
        const sb_keymap_entry *e = &c->tedge_map.entries[i];
        keys[i] = (e->tag << 40) | ((uint64_t)(unsigned char)e->key[0] << 32) | i;
    }
    sb_sort(keys, ne, sizeof *keys, u64_cmp);
    for (uint32_t i = 0; i < ne; i++) {
        const sb_keymap_entry *e = &c->tedge_map.entries[keys[i] & 0xFFFFFFFFu];
        sb_tnode *t = &m->tnodes[e->tag];
        if (t->edges.n == 0)
            t->edges.first = i;
        t->edges.n++;
        m->tedges[i].byte = (unsigned char)e->key[0];
        m->tedges[i].child = e->value;
    }
    free(keys);
    if (!pairs_to_ranges(&c->tnode_pos, &c->pool, m->tnodes, sizeof(sb_tnode),
                         offsetof(sb_tnode, pos), ntn) ||
        !pairs_to_ranges(&c->tnode_neg, &c->pool, m->tnodes, sizeof(sb_tnode),
                         offsetof(sb_tnode, neg), ntn) ||
        !pairs_to_ranges(&c->tnode_globs, &c->pool, m->tnodes, sizeof(sb_tnode),
                         offsetof(sb_tnode, globs), ntn) ||
        !pairs_to_ranges(&c->field_globs, &c->pool, m->fields, sizeof(sb_fieldm),
                         offsetof(sb_fieldm, globs), m->nfields))
        return nomem(c);
    /* restore the edge ranges that pairs_to_ranges does not touch: nothing to do */
    m->vents = c->vents.v;
    c->vents.v = NULL;
    if (!pairs_to_ranges(&c->vent_neg, &c->pool, m->vents, sizeof(sb_vent), offsetof(sb_vent, neg),
                         (uint32_t)c->vents.n) ||
        !pairs_to_ranges(&c->field_abstr, &c->pool, m->fields, sizeof(sb_fieldm),
                         offsetof(sb_fieldm, ab_str), m->nfields) ||
        !pairs_to_ranges(&c->field_abnum, &c->pool, m->fields, sizeof(sb_fieldm),
                         offsetof(sb_fieldm, ab_num), m->nfields))
        return nomem(c);
    m->globs = c->globs.v;
    c->globs.v = NULL;
    m->ranges = c->ranges.v;
    c->ranges.v = NULL;
    for (uint32_t f = 0; f < m->nfields; f++) {
        uint32_t n = m->fields[f].ranges.n;
        if (n == 0)
            continue; /* (and m->ranges may be NULL: no pointer arithmetic on it) */
        sb_ranget *r = m->ranges + m->fields[f].ranges.first;
        sb_sort(r, n, sizeof *r, range_cmp);
        double max_hi = -INFINITY;
        for (uint32_t i = 0; i < n; i++) {
            if (r[i].hi > max_hi)
                max_hi = r[i].hi;
            r[i].max_hi = max_hi;
        }
    }
    m->cidrs = c->cidrs.v;
    c->cidrs.v = NULL;
    return SB_OK;
}

static void comp_free(comp *c) {
    sb_keymap_free(&c->field_ids);
    sb_keymap_free(&c->pred_ids);
    sb_keymap_free(&c->spec_ids);
    sb_keymap_free(&c->edges);
    sb_keymap_free(&c->pat_dense);
    sb_keymap_free(&c->tedge_map);
    vec *vs[] = {&c->field_paths, &c->pred_tests,  &c->pool,        &c->pairs,
                 &c->pred_specs,  &c->state_terms, &c->step_pos,    &c->step_abs,
                 &c->vents,       &c->vent_neg,    &c->tnodes,      &c->tnode_pos,
                 &c->tnode_neg,   &c->globs,       &c->ranges,      &c->cidrs,
                 &c->field_abstr, &c->field_abnum, &c->tnode_globs, &c->field_globs};
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++)
        free(vs[i]->v);
    free(c->rank);
}

static int compile(comp *c) {
    sb_machine *m = c->m;
    int rc = collect_fields(c);
    if (rc || (rc = build_fields(c)))
        return rc;
    /* dense pattern indices in order of first addition */
    vec ids = VEC(uint32_t);
    for (size_t p = 0; p < c->ps->n; p++) {
        uint32_t id = c->ps->pats[p].id;
        bool added;
        uint32_t *d =
            sb_keymap_put(&c->pat_dense, 0, (const char *)&id, 4, (uint32_t)ids.n, &added);
        uint32_t *slot = added ? vpush(&ids) : &id;
        if (!d || !slot) {
            free(ids.v);
            return nomem(c);
        }
        *slot = id;
    }
    m->pattern_ids = ids.v;
    m->npatterns = (uint32_t)ids.n;
    m->nsources = c->ps->n;
    c->nstates = 1; /* the start state */
    for (size_t p = 0; p < c->ps->n; p++) {
        const sb_pattern_ast *pa = &c->ps->pats[p];
        uint32_t dense = *sb_keymap_find(&c->pat_dense, 0, (const char *)&pa->id, 4);
        for (size_t k = 0; k < pa->nconjs; k++)
            if ((rc = add_conj(c, &pa->conjs[k], dense)))
                return rc;
    }
    m->npreds = (uint32_t)c->pred_tests.n;
    m->preds = calloc(m->npreds ? m->npreds : 1, sizeof *m->preds);
    if (!m->preds)
        return nomem(c);
    for (uint32_t p = 0; p < m->npreds; p++)
        m->preds[p].field = AT(c->pred_tests, ftest, p).field;
    if (!pairs_to_ranges(&c->pred_specs, &c->pool, m->preds, sizeof(sb_pred),
                         offsetof(sb_pred, specs), m->npreds))
        return nomem(c);
    if ((rc = build_states(c)) || (rc = build_values(c)))
        return rc;
    m->u32s = c->pool.v;
    c->pool.v = NULL;
    m->bytes = sizeof *m + m->nfnodes * sizeof(sb_fnode) + c->field_ids.n * sizeof(sb_fkid) +
               m->nfields * sizeof(sb_fieldm) + m->npreds * sizeof(sb_pred) +
               m->nstates * sizeof(sb_state) +
               c->step_pos.n * (sizeof(sb_pedge) + sizeof(sb_group)) +
               c->step_abs.n * sizeof(sb_aedge) + c->pool.n * 4 + c->vents.n * sizeof(sb_vent) +
               m->values.cap * sizeof(sb_keymap_entry) + (m->values.mask + 1) * 4 +
               c->tnodes.n * sizeof(sb_tnode) + c->tedge_map.n * sizeof(sb_tedge);
    return SB_OK;
}

sb_machine *sb_machine_compile(const sb_patterns *ps, sb_error *err) {
    sb_machine *m = calloc(1, sizeof *m);
    if (!m) {
        sb_error_set(err, SB_ENOMEM, "out of memory while compiling patterns");
        return NULL;
    }
    sb_arena_init(&m->arena, 0);
    sb_keymap_init(&m->values);
    comp c;
    memset(&c, 0, sizeof c);
    c.ps = ps;
    c.m = m;
    c.err = err;
    sb_keymap_init(&c.field_ids);
    sb_keymap_init(&c.pred_ids);
    sb_keymap_init(&c.spec_ids);
    sb_keymap_init(&c.edges);
    sb_keymap_init(&c.pat_dense);
    sb_keymap_init(&c.tedge_map);
    vec proto[] = {VEC(const sb_cfield *),
                   VEC(ftest),
                   VEC(uint32_t),
                   VEC(pair),
                   VEC(pair),
                   VEC(pair),
                   VEC(uint32_t[4]),
                   VEC(uint32_t[3]),
                   VEC(sb_vent),
                   VEC(pair),
                   VEC(sb_tnode),
                   VEC(pair),
                   VEC(pair),
                   VEC(sb_globt),
                   VEC(sb_ranget),
                   VEC(sb_cidrt),
                   VEC(pair),
                   VEC(pair),
                   VEC(pair),
                   VEC(pair)};
    vec *vs[] = {&c.field_paths, &c.pred_tests,  &c.pool,        &c.pairs,       &c.pred_specs,
                 &c.state_terms, &c.step_pos,    &c.step_abs,    &c.vents,       &c.vent_neg,
                 &c.tnodes,      &c.tnode_pos,   &c.tnode_neg,   &c.globs,       &c.ranges,
                 &c.cidrs,       &c.field_abstr, &c.field_abnum, &c.tnode_globs, &c.field_globs};
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++)
        *vs[i] = proto[i];
    int rc = compile(&c);
    comp_free(&c);
    if (rc) {
        sb_machine_free(m);
        return NULL;
    }
    return m;
}

void sb_machine_free(sb_machine *m) {
    if (!m)
        return;
    sb_arena_free(&m->arena);
    sb_keymap_free(&m->values);
    free(m->fnodes);
    free(m->fkids);
    free(m->fields);
    free(m->vents);
    free(m->tnodes);
    free(m->tedges);
    free(m->globs);
    free(m->ranges);
    free(m->cidrs);
    free(m->preds);
    free(m->states);
    free(m->groups);
    free(m->pedges);
    free(m->aedges);
    free(m->u32s);
    free(m->pattern_ids);
    free(m);
}

void sb_machine_stats_get(const sb_machine *m, sb_machine_stats *st) {
    st->patterns = m->nsources;
    st->fields = m->nfields;
    st->predicates = m->npreds;
    st->states = m->nstates;
    st->bytes = m->bytes;
}
