/* test_rules.c - `signalbox test-pattern --rules DIR --event E [--bus NAME] [--explain]`:
 * the enabled rules of the event's bus matched by the real matcher, a line (or a JSON object)
 * per rule, and for the rules that do not match, with --explain, the first field that failed. */
#include <stdio.h>
#include <string.h>

#include "cli/test_rules.h"
#include "core/json.h"
#include "rules/rule.h"

void sb_test_explain(const char *pattern, const char *origin, const sb_jnode *ev,
                     sb_explanation *ex, bool *available) {
    sb_error err = {0};
    *available =
        ev && sb_explain(pattern, strlen(pattern), origin, ev, ex, &err) == SB_OK && !ex->match;
}

void sb_test_explain_json(sb_buf *b, const sb_explanation *ex, bool available) {
    if (!available) {
        sb_buf_puts(b, "null");
        return;
    }
    sb_buf_puts(b, "{\"field\":");
    sb_buf_json_cstr(b, ex->field);
    sb_buf_puts(b, ",\"message\":");
    sb_buf_json_cstr(b, ex->why);
    sb_buf_putc(b, '}');
}

static bool has_id(const uint32_t *ids, int n, size_t id) {
    for (int i = 0; i < n; i++)
        if (ids[i] == id)
            return true;
    return false;
}

/* Prints the buses the rules name, for the error about a bus no rule is on. */
static void list_buses(const sb_ruleset *rs) {
    fputs(rs->nbuses ? " (buses of the rules:" : " (no rule was found", stderr);
    for (size_t b = 0; b < rs->nbuses; b++)
        fprintf(stderr, " %s", rs->buses[b].name);
    fputs(")\n", stderr);
}

typedef struct run {
    const sb_test_rules_opts *o;
    const sb_ruleset *rs;
    const uint32_t *ids;
    int nids;
    const sb_jnode *ev; /* the parsed event, for --explain (NULL if it did not parse) */
} run;

static void print_text(const run *r) {
    size_t enabled = 0;
    for (size_t i = 0; i < r->rs->nrules; i++) {
        const sb_rule *rule = &r->rs->rules[i];
        if (strcmp(rule->bus, r->o->bus) != 0)
            continue;
        if (!rule->enabled) {
            printf("disabled  %s\n", rule->name);
            continue;
        }
        enabled++;
        if (has_id(r->ids, r->nids, i)) {
            printf("match     %s\n", rule->name);
            continue;
        }
        printf("no match  %s", rule->name);
        if (r->o->explain) {
            sb_explanation ex;
            bool ok;
            sb_test_explain(rule->pattern, rule->name, r->ev, &ex, &ok);
            printf(": %s", ok ? ex.why : SB_EXPLAIN_UNAVAILABLE);
        }
        putchar('\n');
    }
    printf("bus %s: %d of %zu enabled rule%s matched\n", r->o->bus, r->nids, enabled,
           enabled == 1 ? "" : "s");
}

static void print_json(const run *r) {
    sb_buf b;
    sb_buf_init(&b);
    sb_buf_puts(&b, "{\"bus\":");
    sb_buf_json_cstr(&b, r->o->bus);
    sb_buf_puts(&b, ",\"matched\":[");
    for (int i = 0; i < r->nids; i++) {
        sb_buf_puts(&b, i ? "," : "");
        sb_buf_json_cstr(&b, r->rs->rules[r->ids[i]].name);
    }
    sb_buf_puts(&b, "],\"rules\":[");
    bool first = true;
    for (size_t i = 0; i < r->rs->nrules; i++) {
        const sb_rule *rule = &r->rs->rules[i];
        if (strcmp(rule->bus, r->o->bus) != 0)
            continue;
        bool m = has_id(r->ids, r->nids, i);
        sb_buf_puts(&b, first ? "{\"name\":" : ",{\"name\":");
        first = false;
        sb_buf_json_cstr(&b, rule->name);
        sb_buf_puts(&b, ",\"file\":");
        sb_buf_json_cstr(&b, rule->file);
        sb_buf_printf(&b, ",\"line\":%u,\"state\":\"%s\",\"match\":%s", rule->line,
                      rule->enabled ? "ENABLED" : "DISABLED", m ? "true" : "false");
        if (r->o->explain && rule->enabled && !m) {
            sb_explanation ex;
            bool ok;
            sb_test_explain(rule->pattern, rule->name, r->ev, &ex, &ok);
            sb_buf_puts(&b, ",\"explanation\":");
            sb_test_explain_json(&b, &ex, ok);
        }
        sb_buf_putc(&b, '}');
    }
    sb_buf_puts(&b, "]}\n");
    fputs(sb_buf_failed(&b) ? "{\"error\":\"out of memory\"}\n" : b.data, stdout);
    sb_buf_free(&b);
}

int sb_test_rules(const sb_test_rules_opts *o) {
    sb_diag diag = {0};
    sb_ruleset *rs = NULL;
    const char *paths[] = {o->rules};
    if (sb_ruleset_load(paths, 1, &rs, &diag) != SB_OK) {
        fprintf(stderr, "signalbox test-pattern: the rules of %s do not load:\n", o->rules);
        for (size_t i = 0; i < diag.n; i++)
            fprintf(stderr, "%s\n", diag.msgs[i]);
        sb_diag_free(&diag);
        return 2;
    }
    sb_diag_free(&diag);
    const sb_bus *bus = sb_ruleset_bus(rs, o->bus);
    if (!bus) {
        fprintf(stderr, "signalbox test-pattern: no rule of %s is on bus \"%s\"", o->rules, o->bus);
        list_buses(rs);
        sb_ruleset_free(rs);
        return 2;
    }
    int status = 2;
    sb_matcher *mt = sb_matcher_new(bus->machine);
    sb_error err = {0};
    run r = {o, rs, NULL, 0, NULL};
    sb_arena arena;
    sb_arena_init(&arena, 16 * 1024);
    if (!mt) {
        fprintf(stderr, "signalbox test-pattern: out of memory\n");
    } else if ((r.nids = sb_match(mt, o->event, o->event_len, &r.ids, &err)) < 0) {
        fprintf(stderr, "signalbox test-pattern: invalid event: %s\n", err.msg);
    } else {
        sb_jnode *root = NULL;
        if (o->explain &&
            sb_json_parse(o->event, o->event_len, &arena, false, &root, &err, NULL) == SB_OK)
            r.ev = root;
        if (o->json)
            print_json(&r);
        else
            print_text(&r);
        status = r.nids > 0 ? 0 : 1;
    }
    sb_arena_free(&arena);
    sb_matcher_free(mt);
    sb_ruleset_free(rs);
    return status;
}
