/* import_convert.h - one rule of `aws events list-rules` and its targets of
 * `aws events list-targets-by-rule` to a signalbox rule (internal to src/cli). */
#ifndef SB_CLI_IMPORT_CONVERT_H
#define SB_CLI_IMPORT_CONVERT_H

#include <stdio.h>

#include "core/arena.h"
#include "core/json.h"

typedef struct sb_import_counts {
    size_t rules, rules_skipped;     /* rules converted / skipped */
    size_t targets, targets_skipped; /* targets converted / skipped */
    size_t notes;                    /* other things reported (dropped fields, no targets) */
} sb_import_counts;

/* Converts `rule` (an element of list-rules' "Rules") with `targets` (the "Targets" list of
 * list-targets-by-rule, or NULL when none was found) into a rule object allocated from a,
 * whose strings and subtrees may borrow from the inputs. Everything left out is reported to
 * `report`, one line each: a skipped rule ("skipped rule NAME: why": a schedule without
 * EventPattern, an EventPattern that is not JSON, no Name), a skipped target ("skipped target
 * "ID" of rule NAME: why": an ARN signalbox cannot deliver to, such as Lambda or Step
 * Functions) and dropped fields ("note: ..."). Returns NULL for a skipped rule (or when out of
 * memory: reported too). Counts go to c. */
sb_jnode *sb_import_rule(sb_arena *a, const sb_jnode *rule, const sb_jnode *targets, FILE *report,
                         sb_import_counts *c);

#endif
