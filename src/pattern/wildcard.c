/* wildcard.c - compile and match '*'-only globs. */
#define _GNU_SOURCE /* memmem */
#include "pattern/wildcard.h"

#include <string.h>

const char *sb_wildcard_check(const char *s, size_t n) {
    bool prev_star = false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\') {
            if (i + 1 >= n || (s[i + 1] != '*' && s[i + 1] != '\\'))
                return "a backslash must escape '*' or '\\'";
            i++;
            prev_star = false;
            continue;
        }
        if (s[i] == '*') {
            if (prev_star)
                return "consecutive wildcard characters ('**') are not allowed";
            prev_star = true;
            continue;
        }
        prev_star = false;
    }
    return NULL;
}

bool sb_glob_compile(const char *s, size_t n, sb_arena *arena, sb_glob *g) {
    size_t stars = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '*')
            stars++;
    }
    g->nsegs = stars + 1;
    g->segs = sb_arena_alloc(arena, g->nsegs * sizeof *g->segs);
    g->lens = sb_arena_alloc(arena, g->nsegs * sizeof *g->lens);
    char *buf = sb_arena_alloc(arena, n + 1);
    if (!g->segs || !g->lens || !buf)
        return false;
    size_t seg = 0, o = 0, start = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\') {
            buf[o++] = s[++i];
        } else if (s[i] == '*') {
            g->segs[seg] = buf + start;
            g->lens[seg] = o - start;
            seg++;
            start = o;
        } else {
            buf[o++] = s[i];
        }
    }
    g->segs[seg] = buf + start;
    g->lens[seg] = o - start;
    return true;
}

bool sb_glob_match(const sb_glob *g, const char *v, size_t n) {
    if (g->nsegs == 1)
        return g->lens[0] == n && memcmp(g->segs[0], v, n) == 0;
    size_t first = g->lens[0], last = g->lens[g->nsegs - 1];
    if (first + last > n)
        return false;
    if (memcmp(v, g->segs[0], first) != 0 || memcmp(v + n - last, g->segs[g->nsegs - 1], last) != 0)
        return false;
    const char *p = v + first, *end = v + n - last;
    for (size_t i = 1; i + 1 < g->nsegs; i++) {
        size_t l = g->lens[i];
        if (l == 0)
            continue;
        const char *hit = memmem(p, (size_t)(end - p), g->segs[i], l);
        if (!hit)
            return false;
        p = hit + l;
    }
    return true;
}
