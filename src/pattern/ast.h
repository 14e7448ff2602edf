/* ast.h - a parsed pattern, before compilation (internal to src/pattern).
 *
 * A pattern is a disjunction of conjunctions ($or multiplied out). Each conjunction names
 * fields by path; a field either must be absent ({"exists": false}) or must have a leaf value
 * that passes at least one of its tests. */
#ifndef SB_PATTERN_AST_H
#define SB_PATTERN_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    MK_EXACT_STR,   /* "x" */
    MK_EXACT_NUM,   /* 3.5, compared as a number */
    MK_TRUE,        /* true */
    MK_FALSE,       /* false */
    MK_NULL,        /* null */
    MK_PREFIX,      /* {"prefix": "x"} */
    MK_PREFIX_EIC,  /* {"prefix": {"equals-ignore-case": "x"}}, operand folded */
    MK_SUFFIX,      /* {"suffix": "x"} */
    MK_SUFFIX_EIC,  /* {"suffix": {"equals-ignore-case": "x"}}, operand folded */
    MK_EIC,         /* {"equals-ignore-case": "x"}, operand folded */
    MK_WILDCARD,    /* {"wildcard": "a*b"} */
    MK_NUMERIC,     /* {"numeric": [...]}: an interval */
    MK_CIDR,        /* {"cidr": "10.0.0.0/8"} */
    MK_EXISTS,      /* {"exists": true} */
    MK_AB_STR,      /* {"anything-but": "x" | ["x", ...]} */
    MK_AB_NUM,      /* {"anything-but": 1 | [1, ...]} */
    MK_AB_PREFIX,   /* {"anything-but": {"prefix": ...}} */
    MK_AB_SUFFIX,   /* {"anything-but": {"suffix": ...}} */
    MK_AB_EIC,      /* {"anything-but": {"equals-ignore-case": ...}}, operands folded */
    MK_AB_WILDCARD, /* {"anything-but": {"wildcard": ...}} */
    MK_COUNT
} sb_mkind;

/* True for the kinds that negate a set of string tests. */
static inline bool sb_mkind_is_ab_string(sb_mkind k) {
    return k == MK_AB_STR || k == MK_AB_PREFIX || k == MK_AB_SUFFIX || k == MK_AB_EIC ||
           k == MK_AB_WILDCARD;
}

typedef struct sb_bytes {
    const char *s; /* not NUL-terminated in general */
    size_t len;
} sb_bytes;

/* One test on a leaf value. */
typedef struct sb_test {
    sb_mkind kind;
    sb_bytes *strs; /* string operands (one for positive kinds, a set for MK_AB_*) */
    size_t nstrs;
    double *nums; /* MK_EXACT_NUM (one) and MK_AB_NUM (a set) */
    size_t nnums;
    double lo, hi; /* MK_NUMERIC: the interval, with infinities for open sides */
    bool lo_incl, hi_incl;
    unsigned char ip[16]; /* MK_CIDR: network address (IPv4 in the first 4 bytes) */
    int ip_len;           /* 4 or 16 */
    int prefix_bits;
} sb_test;

/* One field of a conjunction. */
typedef struct sb_cfield {
    const char *path; /* dotted path, NUL-terminated ("detail.state") */
    size_t pathlen;
    sb_bytes *segs; /* the path's segments (object keys) */
    size_t nsegs;
    bool absent;    /* {"exists": false} */
    sb_test *tests; /* OR of these when !absent */
    size_t ntests;
} sb_cfield;

typedef struct sb_conj {
    sb_cfield *fields;
    size_t nfields;
} sb_conj;

typedef struct sb_pattern_ast {
    uint32_t id;
    sb_conj *conjs;
    size_t nconjs;
} sb_pattern_ast;

#endif
