/* check_json.h - the JSON document of `signalbox check --format json` (internal to src/cli). */
#ifndef SB_CLI_CHECK_JSON_H
#define SB_CLI_CHECK_JSON_H

#include <stddef.h>

#include "rules/rule.h"

/* Prints to stdout one JSON document for tools: whether the rules of paths[0..n) are valid,
 * the version, the files checked, the rules (rs, when it loaded; else the rules found in the
 * files, each with whether it has errors) and every message of d split into file, line,
 * column, rule and message. rs may be NULL. */
void sb_check_print_json(const char *const *paths, size_t n, const sb_ruleset *rs,
                         const sb_diag *d);

#endif
