/* matcher.h - the per-thread scratch state of matching (internal to src/pattern).
 *
 * Everything is reused from one event to the next; per-field and per-state marks are stamped
 * with the event's epoch so that nothing proportional to the machine's size is cleared per
 * event. */
#ifndef SB_MATCHER_H
#define SB_MATCHER_H

#include "pattern/machine.h"

typedef struct sb_leaf {
    uint32_t field;
    uint32_t next;      /* next leaf of the same field, or SB_NONE */
    uint32_t mem_first; /* array membership: pairs in mems[] */
    uint32_t mem_n;
} sb_leaf;

typedef struct sb_fire {
    uint32_t pred;
    uint32_t leaf;
    uint32_t next; /* next fire of the same field, or SB_NONE */
} sb_fire;

typedef struct sb_fstate {
    uint32_t stamp; /* == epoch when the fields below are valid for this event */
    uint32_t leaves;
    uint32_t fires;
} sb_fstate;

typedef struct sb_mem {
    uint32_t array; /* array number within the event */
    uint32_t index; /* element index */
} sb_mem;

struct sb_matcher {
    const sb_machine *m;
    uint32_t epoch;

    sb_fstate *fst; /* per field */
    uint32_t *touched;
    uint32_t ntouched, cap_touched;
    bool touched_sorted;

    sb_leaf *leaves;
    uint32_t nleaves, cap_leaves;
    sb_fire *fires;
    uint32_t nfires, cap_fires;
    sb_mem *mems;
    uint32_t nmems, cap_mems;

    uint32_t *ab_stamp; /* per predicate: suppressed for the leaf numbered leaf_seq */
    uint32_t leaf_seq;

    /* array membership while parsing */
    sb_mem path[SB_JSON_MAX_DEPTH + 2];
    uint32_t path_n;
    bool path_dirty;
    uint32_t cur_first, cur_n;
    uint32_t next_array;
    bool any_membership;

    /* scratch for unescaped and folded values */
    char *buf;
    size_t cap_buf;

    /* traversal */
    uint32_t *state_stamp; /* per state */
    uint32_t *chosen;      /* leaves taken along the current path */
    uint32_t nchosen, cap_chosen;
    uint64_t steps;
    uint32_t *pat_stamp; /* per pattern */
    uint32_t *out;
    uint32_t nout;

    int error; /* first allocation failure while matching */
};

/* Flattens the event text[0..len) into leaves and fires (flatten.c). Returns SB_OK or
 * SB_EINVAL/SB_ENOMEM with err set (position included). */
int sb_flatten(sb_matcher *mt, const char *text, size_t len, sb_error *err);

#endif
