/* check.c - `signalbox check PATH...`: validate rule files without starting anything. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "rules/rule.h"

static const char usage[] =
    "usage: signalbox check [--format text|json] PATH...\n"
    "\n"
    "Validates rule files (.json, .yaml, .yml; a directory is read for them) and compiles their\n"
    "event patterns, as `signalbox serve` would load them. Prints a line per rule, or every\n"
    "problem as FILE:LINE:COLUMN: what is wrong. Exit status: 0 all valid, 1 a problem was\n"
    "found, 2 usage error. --format json prints one JSON document for tools.\n";

static void print_json(const sb_ruleset *rs, const sb_diag *d) {
    sb_buf b;
    sb_buf_init(&b);
    sb_buf_printf(&b, "{\"valid\":%s,\"version\":", d->n ? "false" : "true");
    if (rs)
        sb_buf_json_cstr(&b, rs->version);
    else
        sb_buf_puts(&b, "null");
    sb_buf_puts(&b, ",\"rules\":[");
    for (size_t i = 0; rs && i < rs->nrules; i++) {
        const sb_rule *r = &rs->rules[i];
        sb_buf_puts(&b, i ? ",{\"name\":" : "{\"name\":");
        sb_buf_json_cstr(&b, r->name);
        sb_buf_puts(&b, ",\"bus\":");
        sb_buf_json_cstr(&b, r->bus);
        sb_buf_printf(&b, ",\"state\":\"%s\",\"file\":", r->enabled ? "ENABLED" : "DISABLED");
        sb_buf_json_cstr(&b, r->file);
        sb_buf_printf(&b, ",\"line\":%u,\"targets\":[", r->line);
        for (size_t t = 0; t < r->ntargets; t++) {
            sb_buf_puts(&b, t ? ",{\"id\":" : "{\"id\":");
            sb_buf_json_cstr(&b, r->targets[t].id);
            sb_buf_printf(&b, ",\"kind\":\"%s\",\"arn\":", sb_target_kind_name(r->targets[t].kind));
            sb_buf_json_cstr(&b, r->targets[t].arn);
            sb_buf_putc(&b, '}');
        }
        sb_buf_puts(&b, "]}");
    }
    sb_buf_puts(&b, "],\"errors\":[");
    for (size_t i = 0; i < d->n; i++) {
        if (i)
            sb_buf_putc(&b, ',');
        sb_buf_json_cstr(&b, d->msgs[i]);
    }
    sb_buf_puts(&b, "]}\n");
    fputs(sb_buf_failed(&b) ? "{\"valid\":false,\"errors\":[\"out of memory\"]}\n" : b.data,
          stdout);
    sb_buf_free(&b);
}

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
        print_json(rs, &diag);
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
