/* casefold.h - case folding for equals-ignore-case, per Unicode code point.
 *
 * Two code points are equal ignoring case when their folds are equal; the fold of c is
 * lower(upper(c)) from Unicode's simple case mappings (utf8proc), so 'ſ' folds with 's' and
 * the Kelvin sign with 'k', as Java's equalsIgnoreCase (and so event-ruler) treats them. */
#ifndef SB_CASEFOLD_H
#define SB_CASEFOLD_H

#include <stddef.h>

/* Upper bound of the folded size of n bytes of UTF-8. */
#define SB_FOLD_MAX(n) (2 * (n) + 4)

/* Folds the valid UTF-8 s[0..n) into dst (room for SB_FOLD_MAX(n) bytes); returns the folded
 * length. Bytes that are not valid UTF-8 are copied unchanged. */
size_t sb_fold_utf8(const char *s, size_t n, char *dst);

#endif
