/* explain_words.h - the sentences of explain.c (internal to src/pattern): what a field's tests
 * ask for and what the event holds instead. Each appends "PATH: REASON" to b. */
#ifndef SB_PATTERN_EXPLAIN_WORDS_H
#define SB_PATTERN_EXPLAIN_WORDS_H

#include <stdbool.h>

#include "core/buf.h"
#include "core/json.h"
#include "pattern/ast.h"

/* The field must be absent ({"exists": false}) but holds leaves[0..n). */
void sb_explain_present(sb_buf *b, const sb_cfield *cf, const sb_jnode *const *leaves, size_t n);

/* The field has tests but no value: `reached` when the path exists (then an empty list, or an
 * object when `object`), else it is missing. */
void sb_explain_missing(sb_buf *b, const sb_cfield *cf, bool reached, bool object);

/* No leaf of leaves[0..n) (n > 0) passes any of the field's tests. */
void sb_explain_failed(sb_buf *b, const sb_cfield *cf, const sb_jnode *const *leaves, size_t n);

#endif
