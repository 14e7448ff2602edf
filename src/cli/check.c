/* check.c - `signalbox check PATH...`: validate rule files without starting anything. */
#include <stdio.h>
#include <string.h>

#include "cli/check_json.h"
#include "cli/cli.h"
#include "rules/rule.h"

static const char usage[] =
    "usage: signalbox check [--format text|json] PATH...\n"
    "\n"
    "Validates rule files (.json, .yaml, .yml; a directory is read for them) and compiles their\n"
    "event patterns, as `signalbox serve` would load them. Prints a line per rule, or every\n"
    "problem as FILE:LINE:COLUMN: what is wrong. Exit status: 0 all valid, 1 a problem was\n"
    "found, 2 usage error: a rules repository can gate its CI on it.\n"
    "\n"
    "  --format json   one JSON document for tools, on stdout: valid, version, files, rules\n"
    "                  and errors (each with file, line, column, rule and message; see\n"
    "                  docs/rule-tooling.md)\n";

int sb_cmd_check(int argc, char **argv) {
    bool json = false;
    int first = 0;
    for (; first < argc && argv[first][0] == '-' && argv[first][1]; first++) {
        if (strcmp(argv[first], "--help") == 0 || strcmp(argv[first], "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (strcmp(argv[first], "--format") == 0 && first + 1 < argc) {
            const char *f = argv[++first];
            if (strcmp(f, "json") == 0) {
                json = true;
                continue;
            }
            if (strcmp(f, "text") == 0)
                continue;
        }
        fprintf(stderr, "signalbox check: unknown or incomplete option '%s'\n\n%s", argv[first],
                usage);
        return 2;
    }
    if (first == argc) {
        fprintf(stderr, "signalbox check: name at least one rule file or directory\n\n%s", usage);
        return 2;
    }
    sb_diag diag = {0};
    sb_ruleset *rs = NULL;
    int rc = sb_ruleset_load((const char *const *)argv + first, (size_t)(argc - first), &rs, &diag);
    if (json) {
        sb_check_print_json((const char *const *)argv + first, (size_t)(argc - first), rs, &diag);
    } else if (rc == SB_OK) {
        for (size_t i = 0; i < rs->nrules; i++) {
            const sb_rule *r = &rs->rules[i];
            printf("%s:%u: %s (bus %s, %s): %zu target%s", r->file, r->line, r->name, r->bus,
                   r->enabled ? "ENABLED" : "DISABLED", r->ntargets, r->ntargets == 1 ? "" : "s");
            for (size_t t = 0; t < r->ntargets; t++)
                printf("%s %s", t ? "," : ":", r->targets[t].arn);
            putchar('\n');
        }
        printf("%zu rule%s valid (version %s)\n", rs->nrules, rs->nrules == 1 ? "" : "s",
               rs->version);
    } else {
        for (size_t i = 0; i < diag.n; i++)
            fprintf(stderr, "%s\n", diag.msgs[i]);
        fprintf(stderr, "%zu problem%s found\n", diag.n, diag.n == 1 ? "" : "s");
    }
    sb_ruleset_free(rs);
    sb_diag_free(&diag);
    return rc == SB_OK ? 0 : 1;
}
