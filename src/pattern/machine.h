/* machine.h - the compiled form of a pattern set (internal to src/pattern).
 *
 * Three layers, all in flat arrays so that matching touches little memory:
 *  1. the field trie, which the flattener walks while it reads the event, so that it only
 *     decodes values of fields some pattern names and skips the rest;
 *  2. per field, the value tests: hash tables for exact and case-folded values, byte tries for
 *     prefixes and suffixes, and short lists for wildcards, ranges and CIDR blocks; a leaf
 *     value that passes a test "fires" that test's predicate;
 *  3. the state graph: one path per conjunction of a pattern, its fields in sorted path order,
 *     shared between conjunctions with the same beginning. An edge is taken with a fired
 *     predicate of its field (positive edge) or when no leaf of its field exists (absent edge),
 *     and, inside arrays of objects, only with leaves from the same array elements as the
 *     leaves taken before (array consistency). Reaching a state reports its patterns.
 */
#ifndef SB_MACHINE_H
#define SB_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "pattern/keymap.h"
#include "pattern/pattern.h"
#include "pattern/wildcard.h"

#define SB_NONE UINT32_MAX

/* keymap tag namespaces for the value tables */
enum { NS_STR = 0, NS_EIC = 1, NS_NUM = 2 };

static inline uint64_t sb_value_tag(uint32_t field, int ns) {
    return ((uint64_t)field << 2) | (uint64_t)ns;
}

/* ---- 1. field trie ---- */
typedef struct sb_fnode {
    uint32_t field;     /* field id when a pattern names this path, else SB_NONE */
    uint32_t kid_first; /* children in kids[], sorted by (len, bytes) */
    uint32_t kid_n;
} sb_fnode;

typedef struct sb_fkid {
    const char *key;
    uint32_t len;
    uint32_t node;
} sb_fkid;

/* ---- 2. value tests ---- */
typedef struct sb_range { /* a span of a u32 list */
    uint32_t first, n;
} sb_range;

typedef struct sb_tnode { /* a node of a prefix or suffix byte trie */
    sb_range edges;       /* into tedges, sorted by byte */
    sb_range pos;         /* predicates fired on reaching this node */
    sb_range neg;         /* anything-but predicates suppressed on reaching it */
    sb_range globs;       /* wildcards whose literal prefix (suffix) ends here: into u32s[],
                             indices of globs[] to try on the whole value */
} sb_tnode;

typedef struct sb_tedge {
    unsigned char byte;
    uint32_t child;
} sb_tedge;

typedef struct sb_vent { /* the value of a keymap entry of the value tables */
    uint32_t pos;        /* predicate fired by this exact value, or SB_NONE */
    sb_range neg;        /* anything-but predicates it suppresses */
} sb_vent;

typedef struct sb_globt {
    sb_glob glob;
    uint32_t pred;
    bool negate; /* anything-but wildcard: suppresses pred */
} sb_globt;

typedef struct sb_ranget { /* a field's ranges are sorted by lo */
    double lo, hi;
    double max_hi; /* the largest hi of this range and those before it */
    bool lo_incl, hi_incl;
    uint32_t pred;
} sb_ranget;

typedef struct sb_cidrt {
    unsigned char ip[16];
    int ip_len, bits;
    uint32_t pred;
} sb_cidrt;

typedef struct sb_fieldm {
    const char *path;
    uint32_t exists_pred, true_pred, false_pred, null_pred; /* SB_NONE when absent */
    bool any_str, any_eic, any_num;                         /* value tables to consult */
    uint32_t prefix_trie, prefix_eic_trie, suffix_trie, suffix_eic_trie; /* roots or SB_NONE */
    sb_range globs;  /* into u32s[]: indices of globs[] with no literal prefix or suffix */
    sb_range ranges; /* into ranges[] */
    sb_range cidrs;  /* into cidrs[] */
    sb_range ab_str; /* string-family anything-but predicates: fire unless suppressed */
    sb_range ab_num; /* numeric anything-but predicates: fire unless suppressed */
    bool needs_fold, needs_number;
} sb_fieldm;

typedef struct sb_pred {
    uint32_t field;
    sb_range specs; /* into u32s[]: the field specs (OR-sets of predicates) that contain it */
} sb_pred;

/* ---- 3. state graph ---- */
typedef struct sb_state {
    sb_range terms;  /* into u32s[]: dense pattern indices reported here */
    sb_range groups; /* into groups[], sorted by field */
    sb_range absent; /* into aedges[], sorted by field */
} sb_state;

typedef struct sb_group {
    uint32_t field;
    sb_range edges; /* into pedges[], sorted by spec */
} sb_group;

typedef struct sb_pedge {
    uint32_t spec;
    uint32_t child;
} sb_pedge;

typedef struct sb_aedge {
    uint32_t field;
    uint32_t child;
} sb_aedge;

struct sb_machine {
    sb_arena arena; /* strings, globs */

    sb_fnode *fnodes;
    sb_fkid *fkids;
    uint32_t nfnodes;

    sb_fieldm *fields;
    uint32_t nfields;

    sb_keymap values; /* (field, ns, bytes) -> index into vents[] */
    sb_vent *vents;
    sb_tnode *tnodes;
    sb_tedge *tedges;
    sb_globt *globs;
    sb_ranget *ranges;
    sb_cidrt *cidrs;

    sb_pred *preds;
    uint32_t npreds;

    sb_state *states;
    uint32_t nstates;
    sb_group *groups;
    sb_pedge *pedges;
    sb_aedge *aedges;

    uint32_t *u32s; /* shared pool for every sb_range of ids */

    uint32_t *pattern_ids; /* dense index -> caller's id */
    uint32_t npatterns;

    size_t bytes;
    size_t nsources; /* patterns compiled (not distinct ids) */
};

#endif
