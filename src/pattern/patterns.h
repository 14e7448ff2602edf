/* patterns.h - the collection of parsed patterns behind sb_patterns (internal). */
#ifndef SB_PATTERNS_INTERNAL_H
#define SB_PATTERNS_INTERNAL_H

#include "core/arena.h"
#include "pattern/ast.h"
#include "pattern/pattern.h"

struct sb_patterns {
    sb_arena arena; /* every AST node and string */
    sb_pattern_ast *pats;
    size_t n, cap;
};

#endif
