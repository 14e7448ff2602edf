/* pattern.h - EventBridge event patterns: parse, compile into one machine, match events.
 *
 * Usage:
 *   sb_patterns *ps = sb_patterns_new();
 *   sb_patterns_add(ps, id, text, len, "rules/a.json", &err);     (once per pattern)
 *   sb_machine *m = sb_machine_compile(ps, &err);                  (immutable, shareable)
 *   sb_matcher *mt = sb_matcher_new(m);                            (one per thread)
 *   n = sb_match(mt, event, event_len, &ids, &err);                (ids of matching patterns)
 *
 * Semantics are those of EventBridge (Amazon's event-ruler 2.x is the reference); see
 * docs/patterns.md. A machine never changes after compilation, so any number of threads may
 * match against it at once, each with its own sb_matcher. */
#ifndef SB_PATTERN_H
#define SB_PATTERN_H

#include <stddef.h>
#include <stdint.h>

#include "core/json.h"
#include "core/status.h"

typedef struct sb_patterns sb_patterns;
typedef struct sb_machine sb_machine;
typedef struct sb_matcher sb_matcher;

/* Limits. A pattern whose $or alternatives multiply out to more combinations is rejected. */
#define SB_PATTERN_MAX_COMBINATIONS 1024

/* Returns an empty pattern collection, or NULL when out of memory. Free with
 * sb_patterns_free. */
sb_patterns *sb_patterns_new(void);

/* Frees a collection (NULL is a no-op). Machines compiled from it stay valid. */
void sb_patterns_free(sb_patterns *ps);

/* Parses the JSON pattern text[0..len) and adds it under `id` (several patterns may share an
 * id: the id then matches when any of them does). `origin` names the source in error
 * messages (a file name, or NULL for "<pattern>"). On an invalid pattern returns SB_EINVAL and
 * err says "origin:line:col: what is wrong (operator, field path)"; the collection is
 * unchanged. */
int sb_patterns_add(sb_patterns *ps, uint32_t id, const char *text, size_t len, const char *origin,
                    sb_error *err);

/* As sb_patterns_add, for a pattern already parsed as part of a larger document (a rule file):
 * node is the pattern object, src[0..srclen) the document it was parsed from (for positions).
 * Borrows node and src only for the duration of the call. */
int sb_patterns_add_node(sb_patterns *ps, uint32_t id, const sb_jnode *node, const char *origin,
                         const char *src, size_t srclen, sb_error *err);

/* Number of patterns added so far. */
size_t sb_patterns_count(const sb_patterns *ps);

/* Compiles every pattern added so far into one machine. Returns NULL (with err) only when out
 * of memory. The collection is not changed and may be added to and compiled again. */
sb_machine *sb_machine_compile(const sb_patterns *ps, sb_error *err);

/* Frees a machine (NULL is a no-op). No matcher of it may be in use. */
void sb_machine_free(sb_machine *m);

/* Statistics of a compiled machine, for logs and benchmarks. */
typedef struct sb_machine_stats {
    size_t patterns;   /* patterns compiled */
    size_t fields;     /* distinct field paths named */
    size_t predicates; /* distinct (field, test) pairs */
    size_t states;     /* states of the field automaton */
    size_t bytes;      /* approximate memory held */
} sb_machine_stats;

/* Fills st with m's statistics. */
void sb_machine_stats_get(const sb_machine *m, sb_machine_stats *st);

/* Returns scratch state for matching events against m (borrowed: m must outlive it), or NULL
 * when out of memory. Not thread-safe: one matcher per thread. */
sb_matcher *sb_matcher_new(const sb_machine *m);

/* Frees a matcher (NULL is a no-op). */
void sb_matcher_free(sb_matcher *mt);

/* Matches the JSON event text[0..len) (it need not be NUL-terminated). On success returns the
 * number of matching pattern ids and points *ids at them (ascending order of first addition,
 * each once; valid until the next call on mt). When the event is not a valid JSON object
 * returns SB_EINVAL with err saying what and where (byte offset, line and column), and
 * nothing matches. */
int sb_match(sb_matcher *mt, const char *text, size_t len, const uint32_t **ids, sb_error *err);

#endif
