/* jsonpath.h - the JSONPath subset EventBridge evaluates in InputPath and InputPathsMap.
 *
 * Supported: `$` (the root), `.key` (any characters but '.', '[' and ']': dashes, underscores,
 * slashes, digits...), `['key']` and `["key"]` (any characters but the quote), `[N]` (a
 * non-negative array index), and the wildcards `.*` and `[*]` (every member of an object or item
 * of an array). Not supported, and refused with a message: `..` (recursive descent), filters,
 * slices, unions, negative indices, functions. EventBridge's documentation lists dot notation,
 * dashes, underscores, alphanumerics, array indices, wildcards and forward slashes.
 *
 * A path without a wildcard is definite: it selects at most one value. A path with one selects
 * a list (possibly empty), which the transformer delivers as a JSON array. */
#ifndef SB_JSONPATH_H
#define SB_JSONPATH_H

#include <stdbool.h>
#include <stddef.h>

#include "core/json.h"
#include "core/status.h"

typedef struct sb_jsonpath sb_jsonpath;

/* Compiles `path`. Returns NULL with err (SB_EINVAL, a message naming the path and the byte
 * where it goes wrong; or SB_ENOMEM) when it is not of the supported subset. The result is
 * immutable and owned by the caller (sb_jsonpath_free). */
sb_jsonpath *sb_jsonpath_new(const char *path, sb_error *err);

/* Frees p (NULL is a no-op). */
void sb_jsonpath_free(sb_jsonpath *p);

/* The path's text, as given to sb_jsonpath_new (owned by p). */
const char *sb_jsonpath_text(const sb_jsonpath *p);

/* True when p has no wildcard: it selects at most one value. */
bool sb_jsonpath_is_definite(const sb_jsonpath *p);

/* True when p is `$` alone (it selects the root). */
bool sb_jsonpath_is_root(const sb_jsonpath *p);

/* The value a definite path selects in root, or NULL when it selects nothing (a missing key, an
 * index past the end, a step into a value of the wrong type). Always NULL for a path with a
 * wildcard: use sb_jsonpath_each. The node is borrowed from root's tree. */
const sb_jnode *sb_jsonpath_get(const sb_jsonpath *p, const sb_jnode *root);

typedef void (*sb_jsonpath_fn)(const sb_jnode *v, void *arg);

/* Calls fn(v, arg) for every value p selects in root, in document order; returns how many. */
size_t sb_jsonpath_each(const sb_jsonpath *p, const sb_jnode *root, sb_jsonpath_fn fn, void *arg);

#endif
