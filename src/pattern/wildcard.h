/* wildcard.h - EventBridge wildcard strings: '*' matches any run of characters (also none);
 * "\*" is a literal star and "\\" a literal backslash; "**" is not allowed. */
#ifndef SB_WILDCARD_H
#define SB_WILDCARD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

typedef struct sb_glob {
    const char **segs; /* the literal runs between stars, unescaped */
    size_t *lens;
    size_t nsegs; /* number of stars + 1 */
} sb_glob;

/* Checks a wildcard operand; returns NULL when valid, else a static reason. */
const char *sb_wildcard_check(const char *s, size_t n);

/* Compiles a valid wildcard operand into g, allocating from arena. Returns false when out of
 * memory. */
bool sb_glob_compile(const char *s, size_t n, sb_arena *arena, sb_glob *g);

/* True when the value v[0..n) matches g. Linear in n for each segment (leftmost placement of
 * each literal run is always a correct choice when the only metacharacter is '*'). */
bool sb_glob_match(const sb_glob *g, const char *v, size_t n);

#endif
