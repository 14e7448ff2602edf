/* explain.h - why an event does not match a pattern, in words, for people
 * (`signalbox test-pattern --explain`).
 *
 * This is a second, deliberately simple evaluator over the parsed pattern (ast.h) and the
 * event's tree (core/json.h), kept apart from the matcher's hot path (flatten.c, match.c). It
 * judges each field of a conjunction on its own: it does not apply array consistency across
 * the elements of an array of objects, nor event-ruler's per-element `exists: false`. Its
 * verdict can therefore differ from sb_match's in those cases; callers trust sb_match and use
 * this only for the words (and say the explanation is unavailable when the verdicts differ). */
#ifndef SB_PATTERN_EXPLAIN_H
#define SB_PATTERN_EXPLAIN_H

#include <stddef.h>

#include "core/json.h"
#include "core/status.h"

#define SB_EXPLAIN_FIELD_MAX 256
#define SB_EXPLAIN_WHY_MAX 1024

/* The outcome of sb_explain. */
typedef struct sb_explanation {
    int match;                        /* 1: this evaluator finds a match; 0: it does not */
    char field[SB_EXPLAIN_FIELD_MAX]; /* no match: the dotted path of the field that failed */
    /* no match: "FIELD: REASON", e.g. `detail.n: 7 is not in the range >= 10`, or
     * `source: missing`; cut with "..." when longer */
    char why[SB_EXPLAIN_WHY_MAX];
} sb_explanation;

/* Evaluates the pattern text[0..len) (JSON; `origin` names it in errors, NULL for
 * "<pattern>") against the event tree `event` (borrowed for the call). When several
 * alternatives ($or, or a list with {"exists": false}) fail, explains the one that got
 * furthest (the most fields passed; then one whose failing field the event has; then the
 * first). Fields are judged in the pattern's order. Returns SB_OK with *out filled, or SB_EINVAL
 * (invalid pattern) / SB_ENOMEM with err set. */
int sb_explain(const char *text, size_t len, const char *origin, const sb_jnode *event,
               sb_explanation *out, sb_error *err);

#endif
