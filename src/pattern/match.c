/* match.c - walks the state graph with the predicates an event fired, enforcing array
 * consistency, and reports the patterns whose final states it reaches. */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "pattern/matcher.h"

/* Bound on graph steps for one event: a hostile event with huge arrays of objects against
 * patterns of many fields could otherwise make the search explode. */
#define SB_MATCH_MAX_STEPS (1u << 24)

sb_matcher *sb_matcher_new(const sb_machine *m) {
    sb_matcher *mt = calloc(1, sizeof *mt);
    if (!mt)
        return NULL;
    mt->m = m;
    mt->fst = calloc(m->nfields ? m->nfields : 1, sizeof *mt->fst);
    mt->ab_stamp = calloc(m->npreds ? m->npreds : 1, sizeof *mt->ab_stamp);
    mt->state_stamp = calloc(m->nstates ? m->nstates : 1, sizeof *mt->state_stamp);
    mt->pat_stamp = calloc(m->npatterns ? m->npatterns : 1, sizeof *mt->pat_stamp);
    mt->out = malloc((m->npatterns ? m->npatterns : 1) * sizeof *mt->out);
    if (!mt->fst || !mt->ab_stamp || !mt->state_stamp || !mt->pat_stamp || !mt->out) {
        sb_matcher_free(mt);
        return NULL;
    }
    return mt;
}

void sb_matcher_free(sb_matcher *mt) {
    if (!mt)
        return;
    free(mt->fst);
    free(mt->touched);
    free(mt->leaves);
    free(mt->fires);
    free(mt->mems);
    free(mt->ab_stamp);
    free(mt->buf);
    free(mt->state_stamp);
    free(mt->chosen);
    free(mt->pat_stamp);
    free(mt->out);
    free(mt);
}

/* Two leaves are consistent unless they lie in different elements of one array. Membership
 * lists run from the outermost array inwards, so they agree up to the first array they do not
 * share. */
static bool consistent(const sb_matcher *mt, const sb_leaf *a, const sb_leaf *b) {
    uint32_t n = a->mem_n < b->mem_n ? a->mem_n : b->mem_n;
    const sb_mem *x = mt->mems + a->mem_first, *y = mt->mems + b->mem_first;
    for (uint32_t i = 0; i < n; i++) {
        if (x[i].array != y[i].array)
            return true;
        if (x[i].index != y[i].index)
            return false;
    }
    return true;
}

static bool consistent_with_chosen(const sb_matcher *mt, uint32_t leaf) {
    const sb_leaf *l = &mt->leaves[leaf];
    if (l->mem_n == 0)
        return true;
    for (uint32_t i = 0; i < mt->nchosen; i++)
        if (!consistent(mt, l, &mt->leaves[mt->chosen[i]]))
            return false;
    return true;
}

static uint32_t find_edge(const sb_machine *m, const sb_group *g, uint32_t spec) {
    const sb_pedge *e = m->pedges + g->edges.first;
    uint32_t lo = 0, hi = g->edges.n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (e[mid].spec < spec)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < g->edges.n && e[lo].spec == spec ? e[lo].child : SB_NONE;
}

static void visit(sb_matcher *mt, uint32_t state);

static void take(sb_matcher *mt, uint32_t leaf, uint32_t child) {
    if (mt->leaves[leaf].mem_n == 0) {
        /* a leaf outside arrays of objects constrains nothing that follows */
        visit(mt, child);
        return;
    }
    if (mt->nchosen == mt->cap_chosen) {
        uint32_t cap = mt->cap_chosen ? mt->cap_chosen * 2 : 16;
        uint32_t *c = realloc(mt->chosen, cap * sizeof *c);
        if (!c) {
            mt->error = SB_ENOMEM;
            return;
        }
        mt->chosen = c;
        mt->cap_chosen = cap;
    }
    mt->chosen[mt->nchosen++] = leaf;
    visit(mt, child);
    mt->nchosen--;
}

static void visit_group(sb_matcher *mt, const sb_group *g) {
    const sb_machine *m = mt->m;
    const sb_fstate *fs = &mt->fst[g->field];
    if (fs->stamp != mt->epoch)
        return;
    /* Leaves with the same array membership (the elements of one array of scalars, say) lead
     * to the same outcome from the same child: take each (child, membership) once. A small
     * direct-mapped cache; a collision only costs a repeated walk. */
    if (!mt->any_membership) {
        /* no arrays of objects: every state is visited once anyway (see visit) */
        for (uint32_t r = fs->fires; r != SB_NONE; r = mt->fires[r].next) {
            const sb_fire *f = &mt->fires[r];
            const sb_pred *p = &m->preds[f->pred];
            for (uint32_t s = 0; s < p->specs.n; s++) {
                uint32_t child = find_edge(m, g, m->u32s[p->specs.first + s]);
                if (child != SB_NONE)
                    visit(mt, child);
            }
        }
        return;
    }
    uint64_t seen[64];
    memset(seen, 0xFF, sizeof seen);
    for (uint32_t r = fs->fires; r != SB_NONE; r = mt->fires[r].next) {
        const sb_fire *f = &mt->fires[r];
        if (mt->any_membership && !consistent_with_chosen(mt, f->leaf))
            continue;
        const sb_leaf *l = &mt->leaves[f->leaf];
        uint32_t mem = l->mem_n ? l->mem_first : SB_NONE;
        const sb_pred *p = &m->preds[f->pred];
        for (uint32_t s = 0; s < p->specs.n; s++) {
            uint32_t child = find_edge(m, g, m->u32s[p->specs.first + s]);
            if (child == SB_NONE)
                continue;
            uint64_t key = (uint64_t)child << 32 | mem;
            uint64_t *slot = &seen[(key * 0x9E3779B97F4A7C15ULL) >> 58];
            if (*slot == key)
                continue;
            *slot = key;
            take(mt, f->leaf, child);
        }
    }
}

/* Sorts a few ids: lists here are short (fields of one event, patterns of one match). */
static int u32_cmp(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void sort_u32(uint32_t *v, uint32_t n) {
    if (n > 32) {
        qsort(v, n, sizeof *v, u32_cmp);
        return;
    }
    for (uint32_t i = 1; i < n; i++) {
        uint32_t x = v[i], j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

static void visit(sb_matcher *mt, uint32_t state) {
    const sb_machine *m = mt->m;
    const sb_state *st = &m->states[state];
    if (mt->nchosen == 0 || (st->groups.n == 0 && st->absent.n == 0)) {
        /* with no leaf from an array of objects taken so far, what can be reached from a state
         * does not depend on the path to it; nor does it from a final state with no way on:
         * visit each such state once */
        if (mt->state_stamp[state] == mt->epoch)
            return;
        mt->state_stamp[state] = mt->epoch;
    }
    if (++mt->steps > SB_MATCH_MAX_STEPS)
        return;
    for (uint32_t i = 0; i < st->terms.n; i++) {
        uint32_t p = m->u32s[st->terms.first + i];
        if (mt->pat_stamp[p] != mt->epoch) {
            mt->pat_stamp[p] = mt->epoch;
            mt->out[mt->nout++] = p;
        }
    }
    const sb_group *groups = m->groups + st->groups.first;
    if (st->groups.n > 8 && mt->ntouched * 4 < st->groups.n) {
        /* many fields leave this state, few are in the event: look up the event's fields */
        if (!mt->touched_sorted) {
            sort_u32(mt->touched, mt->ntouched);
            mt->touched_sorted = true;
        }
        for (uint32_t t = 0; t < mt->ntouched; t++) {
            uint32_t f = mt->touched[t], lo = 0, hi = st->groups.n;
            while (lo < hi) {
                uint32_t mid = (lo + hi) / 2;
                if (groups[mid].field < f)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo < st->groups.n && groups[lo].field == f)
                visit_group(mt, &groups[lo]);
        }
    } else {
        for (uint32_t i = 0; i < st->groups.n; i++)
            visit_group(mt, &groups[i]);
    }
    for (uint32_t i = 0; i < st->absent.n; i++) {
        const sb_aedge *a = &m->aedges[st->absent.first + i];
        const sb_fstate *fs = &mt->fst[a->field];
        bool present = false;
        if (fs->stamp == mt->epoch) {
            if (!mt->any_membership) {
                present = true;
            } else {
                for (uint32_t l = fs->leaves; l != SB_NONE && !present; l = mt->leaves[l].next)
                    present = consistent_with_chosen(mt, l);
            }
        }
        if (!present)
            visit(mt, a->child);
    }
}

static void next_epoch(sb_matcher *mt) {
    const sb_machine *m = mt->m;
    if (++mt->epoch == 0) {
        memset(mt->fst, 0, m->nfields * sizeof *mt->fst);
        memset(mt->state_stamp, 0, m->nstates * sizeof *mt->state_stamp);
        memset(mt->pat_stamp, 0, m->npatterns * sizeof *mt->pat_stamp);
        mt->epoch = 1;
    }
    mt->ntouched = 0;
    mt->touched_sorted = false;
    mt->nleaves = mt->nfires = mt->nmems = 0;
    mt->path_n = 0;
    mt->path_dirty = false;
    mt->cur_first = mt->cur_n = 0;
    mt->next_array = 0;
    mt->any_membership = false;
    mt->nchosen = 0;
    mt->steps = 0;
    mt->nout = 0;
    mt->error = 0;
}

int sb_match(sb_matcher *mt, const char *text, size_t len, const uint32_t **ids, sb_error *err) {
    next_epoch(mt);
    *ids = mt->out;
    int rc = sb_flatten(mt, text, len, err);
    if (rc)
        return rc;
    visit(mt, 0);
    if (mt->error)
        return sb_error_set(err, SB_ENOMEM, "out of memory while matching an event");
    if (mt->steps > SB_MATCH_MAX_STEPS) {
        mt->nout = 0;
        return sb_error_set(err, SB_ELIMIT,
                            "event too complex to match: its arrays of objects would need more "
                            "than %u steps against these patterns",
                            SB_MATCH_MAX_STEPS);
    }
    sort_u32(mt->out, mt->nout);
    for (uint32_t i = 0; i < mt->nout; i++)
        mt->out[i] = mt->m->pattern_ids[mt->out[i]];
    return (int)mt->nout;
}
