/* check_scan.h - what `signalbox check --format json` reports beside the loader's messages
 * (internal to src/cli): the rule files a set of paths names, the rules each file holds and
 * where, so that each error can be given its rule. */
#ifndef SB_CLI_CHECK_SCAN_H
#define SB_CLI_CHECK_SCAN_H

#include <stdbool.h>
#include <stddef.h>

/* A rule as found in a file: its Name (NULL when missing or not a string) and the line where
 * its object starts (1-based). */
typedef struct sb_scanned_rule {
    const char *file; /* points into the scan's files */
    char *name;
    unsigned line, col;
} sb_scanned_rule;

typedef struct sb_check_scan {
    char **files; /* the rule files, in the order the loader reads them */
    size_t nfiles;
    sb_scanned_rule *rules;
    size_t nrules;
} sb_check_scan;

/* Lists the files of paths[0..n) as sb_ruleset_load reads them (a directory's .json, .yaml and
 * .yml files, not hidden, in name order; other paths as they are, if they exist) and the rules
 * of each file that parses. Returns 0, or -1 when out of memory (s then holds what was found).
 * Free with sb_check_scan_free. */
int sb_check_scan_paths(const char *const *paths, size_t n, sb_check_scan *s);

/* Frees what a scan holds; s may be reused. */
void sb_check_scan_free(sb_check_scan *s);

/* The rule of `file` whose object starts last at or before line:col (col 0: anywhere on the
 * line), or NULL. */
const sb_scanned_rule *sb_check_scan_rule_at(const sb_check_scan *s, const char *file,
                                             unsigned line, unsigned col);

#endif
