/* util.h - small helpers that C's library lacks. */
#ifndef SB_UTIL_H
#define SB_UTIL_H

#include <stdlib.h>
#include <string.h>

/* qsort that accepts an empty (possibly NULL) array: passing NULL to qsort is undefined even
 * when nothing is to be sorted. */
static inline void sb_sort(void *base, size_t n, size_t size,
                           int (*cmp)(const void *, const void *)) {
    if (n > 1)
        qsort(base, n, size, cmp);
}

/* memcpy that accepts n == 0 with NULL pointers, for the same reason. */
static inline void sb_copy(void *dst, const void *src, size_t n) {
    if (n)
        memcpy(dst, src, n);
}

#endif
