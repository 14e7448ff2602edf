/* test_pattern.c - `signalbox test-pattern`: does a pattern match an event?
 *
 *   signalbox test-pattern --pattern P --event E     prints true/false; exit 0/1, 2 on error
 *   signalbox test-pattern --batch FILE|-            JSON lines {"pattern":..,"event":..}
 *   signalbox test-pattern --rules DIR --event E     which rules match (test_rules.c) */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/test_rules.h"
#include "core/json.h"
#include "pattern/pattern.h"

static const char usage[] =
    "usage: signalbox test-pattern --pattern P --event E [--explain] [--format text|json]\n"
    "       signalbox test-pattern --rules DIR --event E [--bus NAME] [--explain]\n"
    "                              [--format text|json]\n"
    "       signalbox test-pattern --batch FILE\n"
    "\n"
    "Tests an EventBridge event pattern against an event, as EventBridge's TestEventPattern,\n"
    "or every rule of a rules folder.\n"
    "\n"
    "  --pattern P   the pattern: JSON text, or @FILE to read it from FILE\n"
    "  --event E     the event: JSON text, @FILE, or - (standard input)\n"
    "  --rules DIR   the rule files (a folder or a file, as `signalbox check` reads them):\n"
    "                prints a line per rule of the event's bus: match, no match or disabled\n"
    "  --bus NAME    the event's bus, with --rules (default: default)\n"
    "  --explain     for each pattern or rule that does not match, the first field that\n"
    "                failed and why (e.g. source: missing)\n"
    "  --format F    text (the default) or json: one JSON document\n"
    "  --batch FILE  JSON lines, each an object with \"pattern\" and \"event\" (other fields\n"
    "                are ignored); FILE - reads standard input. Prints one line per input\n"
    "                line, in order: true, false or error: MESSAGE.\n"
    "\n"
    "Exit status: 0 match (with --rules: at least one rule matches), 1 no match, 2 invalid\n"
    "pattern, rules, event or usage.\n"
    "With --batch: 0 when every line was read (whatever the answers), 2 on a usage error.\n";

/* Returns 1 (match), 0 (no match) or a negative status with err set. */
static int test_one(const char *pat, size_t plen, const char *origin, const char *ev, size_t elen,
                    sb_error *err) {
    sb_patterns *ps = sb_patterns_new();
    if (!ps)
        return sb_error_set(err, SB_ENOMEM, "out of memory");
    int rc = sb_patterns_add(ps, 0, pat, plen, origin, err);
    sb_machine *m = NULL;
    sb_matcher *mt = NULL;
    if (rc == SB_OK) {
        m = sb_machine_compile(ps, err);
        mt = m ? sb_matcher_new(m) : NULL;
        if (!mt) {
            rc = m ? sb_error_set(err, SB_ENOMEM, "out of memory") : SB_ENOMEM;
        } else {
            const uint32_t *ids;
            rc = sb_match(mt, ev, elen, &ids, err);
            if (rc >= 0)
                rc = rc > 0;
        }
    }
    sb_matcher_free(mt);
    sb_machine_free(m);
    sb_patterns_free(ps);
    return rc;
}

static void batch_line(const char *line, size_t len, unsigned lineno) {
    sb_arena arena;
    sb_arena_init(&arena, 16 * 1024);
    sb_error err = {0};
    sb_jnode *root;
    char origin[64];
    snprintf(origin, sizeof origin, "line %u", lineno);
    if (sb_json_parse(line, len, &arena, false, &root, &err, NULL) != SB_OK) {
        printf("error: line %u is not valid JSON: %s\n", lineno, err.msg);
    } else {
        const sb_jmember *p = sb_json_get(root, "pattern"), *e = sb_json_get(root, "event");
        if (!p || !e) {
            printf("error: line %u needs both \"pattern\" and \"event\"\n", lineno);
        } else {
            /* hand over the original spelling, not a re-serialisation */
            int rc = test_one(line + p->value->offset, p->value->end - p->value->offset, origin,
                              line + e->value->offset, e->value->end - e->value->offset, &err);
            if (rc < 0)
                printf("error: %s\n", err.msg);
            else
                puts(rc ? "true" : "false");
        }
    }
    sb_arena_free(&arena);
}

static int run_batch(const char *path) {
    char *text;
    size_t len;
    if (sb_read_file(path, &text, &len) != 0)
        return 2;
    unsigned lineno = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t l = end - i;
        if (l && text[end - 1] == '\r')
            l--;
        lineno++;
        batch_line(text + i, l, lineno);
        i = end + 1;
    }
    free(text);
    fflush(stdout);
    return 0;
}

/* The event argument: JSON text, @FILE, or - for standard input. */
static int read_event(const char *arg, char **out, size_t *len) {
    return strcmp(arg, "-") == 0 ? sb_read_file("-", out, len) : sb_read_arg(arg, out, len);
}

/* --pattern P --event E: prints true/false (with the reason under --explain) or JSON. */
static int pattern_mode(const char *pattern, const char *event, bool explain, bool json) {
    char *p = NULL, *e = NULL;
    size_t pl, el;
    if (sb_read_arg(pattern, &p, &pl) != 0 || read_event(event, &e, &el) != 0) {
        free(p);
        return 2;
    }
    sb_error err = {0};
    const char *origin = pattern[0] == '@' ? pattern + 1 : "<pattern>";
    int rc = test_one(p, pl, origin, e, el, &err);
    if (rc < 0) {
        fprintf(stderr, "signalbox test-pattern: %s\n", err.msg);
    } else {
        sb_explanation ex;
        bool ok = false;
        if (explain && !rc) {
            sb_arena arena;
            sb_arena_init(&arena, 16 * 1024);
            sb_jnode *root;
            bool parsed = sb_json_parse(e, el, &arena, false, &root, &err, NULL) == SB_OK;
            sb_test_explain(p, origin, parsed ? root : NULL, &ex, &ok);
            sb_arena_free(&arena);
        }
        if (json) {
            sb_buf b;
            sb_buf_init(&b);
            sb_buf_printf(&b, "{\"match\":%s", rc ? "true" : "false");
            if (explain && !rc) {
                sb_buf_puts(&b, ",\"explanation\":");
                sb_test_explain_json(&b, &ex, ok);
            }
            sb_buf_puts(&b, "}\n");
            fputs(sb_buf_failed(&b) ? "{\"error\":\"out of memory\"}\n" : b.data, stdout);
            sb_buf_free(&b);
        } else {
            puts(rc ? "true" : "false");
            if (explain && !rc)
                puts(ok ? ex.why : SB_EXPLAIN_UNAVAILABLE);
        }
    }
    free(p);
    free(e);
    return rc < 0 ? 2 : rc ? 0 : 1;
}

int sb_cmd_test_pattern(int argc, char **argv) {
    const char *pattern = NULL, *event = NULL, *batch = NULL, *rules = NULL, *bus = NULL,
               *format = "text";
    bool explain = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = strcmp(a, "--pattern") == 0  ? &pattern
                            : strcmp(a, "--event") == 0  ? &event
                            : strcmp(a, "--batch") == 0  ? &batch
                            : strcmp(a, "--rules") == 0  ? &rules
                            : strcmp(a, "--bus") == 0    ? &bus
                            : strcmp(a, "--format") == 0 ? &format
                                                         : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (strcmp(a, "--explain") == 0) {
            explain = true;
            continue;
        }
        if (!slot) {
            fprintf(stderr, "signalbox test-pattern: unknown argument '%s'\n\n%s", a, usage);
            return 2;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "signalbox test-pattern: %s needs a value\n", a);
            return 2;
        }
        *slot = argv[++i];
    }
    bool json = strcmp(format, "json") == 0;
    if (!json && strcmp(format, "text") != 0) {
        fprintf(stderr, "signalbox test-pattern: --format takes text or json, not '%s'\n", format);
        return 2;
    }
    if (batch) {
        if (pattern || event || rules || bus || explain || json) {
            fprintf(stderr, "signalbox test-pattern: --batch takes no other option\n");
            return 2;
        }
        return run_batch(batch);
    }
    if (rules && pattern) {
        fprintf(stderr, "signalbox test-pattern: --rules and --pattern exclude each other\n");
        return 2;
    }
    if (bus && !rules) {
        fprintf(stderr, "signalbox test-pattern: --bus goes with --rules\n");
        return 2;
    }
    if (!(pattern || rules) || !event) {
        fprintf(stderr,
                "signalbox test-pattern: needs --pattern or --rules, and --event (or --batch)"
                "\n\n%s",
                usage);
        return 2;
    }
    if (pattern)
        return pattern_mode(pattern, event, explain, json);
    sb_test_rules_opts o = {rules, NULL, 0, bus ? bus : "default", explain, json};
    char *e = NULL;
    if (read_event(event, &e, &o.event_len) != 0)
        return 2;
    o.event = e;
    int status = sb_test_rules(&o);
    free(e);
    return status;
}
