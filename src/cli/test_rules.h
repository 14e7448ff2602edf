/* test_rules.h - `signalbox test-pattern --rules DIR --event E` (internal to src/cli): which
 * rules of a rules folder match an event, and with --explain why the others do not. */
#ifndef SB_CLI_TEST_RULES_H
#define SB_CLI_TEST_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "pattern/explain.h"

typedef struct sb_test_rules_opts {
    const char *rules; /* a rules folder or file, as `signalbox check` takes it */
    const char *event; /* the event text (already read), event_len bytes */
    size_t event_len;
    const char *bus; /* the event's bus ("default" unless --bus) */
    bool explain, json;
} sb_test_rules_opts;

/* Loads the rules, matches the event against the enabled rules of its bus with the real
 * matcher and prints a line per rule of the bus (or one JSON document with o->json). Returns
 * the exit status: 0 when at least one rule matches, 1 when none does, 2 when the rules do not
 * load, the event is invalid or no rule is on the bus (messages on stderr). */
int sb_test_rules(const sb_test_rules_opts *o);

/* Explains why `pattern` (JSON text, NUL-terminated; `origin` names it) does not match the
 * parsed event `ev`, which the real matcher has found not to match (its verdict stands). Sets
 * *available false when the explainer cannot say (it finds a match, or the pattern could not
 * be evaluated), else true with ex filled. */
void sb_test_explain(const char *pattern, const char *origin, const sb_jnode *ev,
                     sb_explanation *ex, bool *available);

/* Appends the explanation as a JSON value: {"field": F, "message": M}, or null when not
 * available. */
void sb_test_explain_json(sb_buf *b, const sb_explanation *ex, bool available);

/* The sentence printed when the explanation is unavailable. */
#define SB_EXPLAIN_UNAVAILABLE                                                                     \
    "explanation unavailable (the explainer's simple evaluator disagrees with the matcher, "       \
    "whose verdict stands; see array consistency in docs/patterns.md)"

#endif
