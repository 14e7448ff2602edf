/* fuzz_rules.c - the rule file loader (sb_ruleset_load: JSON and YAML rule files, validation,
 * pattern compilation) on arbitrary file contents.
 *
 * The loader reads files only, so each input is written to a file of a private temporary
 * folder and loaded twice: as rules.json and as rules.yaml.
 *
 * Checks, besides "no crash, no leak, no sanitizer report":
 *  - a file is loaded, or refused with SB_EINVAL and at least one message; every message
 *    starts with "PATH:LINE:" and a line inside the file (or one past it), then a column
 *    (except for a rule name defined twice, which names two lines);
 *  - a loaded rule set has every rule named, on a bus, with its pattern as JSON text that
 *    sb_patterns_add accepts again alone, and targets with an Id and an Arn; each bus has a
 *    compiled machine, found by name, holding exactly that bus's enabled rules;
 *  - each target's Input/InputPath/InputTransformer either compiles (sb_transformer_new) or is
 *    refused with a message; one that compiles applies to a fixed event, in JSON when promised;
 *  - when both the JSON and the YAML reading load, they give the same rules (names, buses,
 *    states, lines, patterns, targets), unless the file holds NEL, LS or PS, which YAML 1.1
 *    reads as line breaks even inside quoted strings. */
#define _GNU_SOURCE /* memmem */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/json.h"
#include "pattern/pattern.h"
#include "rules/rule.h"
#include "transform/transform.h"

static char dir[64];
static char json_path[96], yaml_path[96];

static const char event[] =
    "{\"version\":\"0\",\"id\":\"7bf73129-1428-4cd3-a780-95db273d1602\",\"detail-type\":\"Order "
    "Placed\",\"source\":\"shop.orders\",\"account\":\"123456789012\",\"time\":\"2026-11-26T17:"
    "00:00Z\",\"region\":\"us-east-1\",\"resources\":[\"arn:aws:shop:order/1\"],\"detail\":{"
    "\"id\":\"o-1\",\"total\":1234.5,\"currency\":\"EUR\",\"items\":[{\"sku\":\"a\"},{\"sku\":"
    "\"b\"}],\"customer\":{\"email\":\"x@example.com\"}}}";

static void die(const char *what, const char *detail) {
    fprintf(stderr, "fuzz_rules: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    abort();
}

static void cleanup(void) {
    unlink(json_path);
    unlink(yaml_path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/sb-fuzz-rules.XXXXXX", tmp && strlen(tmp) < 32 ? tmp : "/tmp");
    if (!mkdtemp(dir))
        die("cannot make a temporary folder", dir);
    snprintf(json_path, sizeof json_path, "%s/rules.json", dir);
    snprintf(yaml_path, sizeof yaml_path, "%s/rules.yaml", dir);
    atexit(cleanup);
    return 0;
}

static void write_file(const char *path, const uint8_t *data, size_t size) {
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        die("cannot write", path);
}

static unsigned read_uint(const char **s) {
    unsigned v = 0;
    if (**s < '0' || **s > '9')
        return 0;
    while (**s >= '0' && **s <= '9')
        v = v * 10 + (unsigned)(*(*s)++ - '0');
    return v;
}

/* Every message is "PATH:LINE:COL: what" with a line of the file, or "PATH:LINE: rule ..."
 * for a name defined twice. */
static void check_messages(const sb_diag *d, const char *path, const uint8_t *data, size_t size) {
    unsigned lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    size_t pl = strlen(path);
    for (size_t i = 0; i < d->n; i++) {
        const char *m = d->msgs[i];
        if (strncmp(m, path, pl) != 0 || m[pl] != ':')
            die("a message that does not start with the file's name", m);
        const char *s = m + pl + 1;
        unsigned line = read_uint(&s);
        if (line < 1 || line > lines + 1 || *s++ != ':')
            die("a message without a line of the file", m);
        if (*s == ' ' && strstr(s, " is already defined on bus "))
            continue;
        unsigned col = read_uint(&s);
        if (col < 1 || *s != ':')
            die("a message without a column", m);
    }
}

static void check_target(const sb_target_spec *t) {
    if (!t->id || !*t->id || !t->arn || !*t->arn)
        die("a loaded target without an Id or an Arn", NULL);
    sb_error err = {0};
    sb_transformer *tr = sb_transformer_new(t, &err);
    if (!tr) {
        if (!err.msg[0])
            die("a target's transform refused without a message", NULL);
        return;
    }
    sb_arena a;
    sb_arena_init(&a, 4096);
    sb_jnode *ev;
    if (sb_json_parse(event, sizeof event - 1, &a, false, &ev, &err, NULL) != SB_OK)
        die("the fixed event does not parse", err.msg);
    sb_buf out;
    sb_buf_init(&out);
    sb_transform_vars vars = {"arn:aws:events:us-east-1:123456789012:rule/r", "r",
                              "2026-11-26T17:00:01Z"};
    int rc = sb_transformer_apply(tr, ev, event, sizeof event - 1, &vars, &out, &err);
    if (rc != SB_OK && (rc != SB_EINVAL || !t->input_path))
        die("a target's transform failed", err.msg);
    if (rc == SB_OK && sb_transformer_output_is_json(tr) &&
        sb_json_parse(out.data ? out.data : "", out.len, &a, false, &ev, &err, NULL) != SB_OK)
        die("a target's transform promised JSON and made something else", err.msg);
    sb_buf_free(&out);
    sb_arena_free(&a);
    sb_transformer_free(tr);
}

static void check_ruleset(const sb_ruleset *rs) {
    size_t enabled = 0;
    for (size_t i = 0; i < rs->nrules; i++) {
        const sb_rule *r = &rs->rules[i];
        if (!r->name || !*r->name || !r->bus || !r->file || !r->line)
            die("a loaded rule without a name, a bus or a place", NULL);
        if (!r->pattern || !*r->pattern)
            die("a loaded rule without a pattern", r->name);
        sb_patterns *ps = sb_patterns_new();
        sb_error err = {0};
        if (!ps)
            die("out of memory", NULL);
        if (sb_patterns_add(ps, 1, r->pattern, strlen(r->pattern), "again", &err) != SB_OK)
            die("a loaded rule's pattern text does not load again", err.msg);
        sb_patterns_free(ps);
        const sb_bus *b = sb_ruleset_bus(rs, r->bus);
        if (!b || !b->machine)
            die("a loaded rule's bus has no machine", r->bus);
        enabled += r->enabled;
        for (size_t t = 0; t < r->ntargets; t++)
            check_target(&r->targets[t]);
    }
    size_t on_buses = 0;
    for (size_t b = 0; b < rs->nbuses; b++) {
        if (!rs->buses[b].machine || sb_ruleset_bus(rs, rs->buses[b].name) != &rs->buses[b])
            die("a bus without a machine, or found under another name", rs->buses[b].name);
        size_t mine = 0;
        for (size_t i = 0; i < rs->nrules; i++)
            mine += rs->rules[i].enabled && strcmp(rs->rules[i].bus, rs->buses[b].name) == 0;
        if (mine != rs->buses[b].nrules)
            die("a bus does not hold exactly its enabled rules", rs->buses[b].name);
        on_buses += rs->buses[b].nrules;
    }
    if (on_buses != enabled)
        die("enabled rules missing from the buses", NULL);
}

static bool same_str(const char *a, const char *b) {
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void compare(const sb_ruleset *j, const sb_ruleset *y) {
    if (j->nrules != y->nrules)
        die("JSON and YAML readings load different numbers of rules", NULL);
    for (size_t i = 0; i < j->nrules; i++) {
        const sb_rule *a = &j->rules[i], *b = &y->rules[i];
        if (!same_str(a->name, b->name) || !same_str(a->bus, b->bus) ||
            !same_str(a->description, b->description) || a->enabled != b->enabled ||
            !same_str(a->pattern, b->pattern) || a->ntargets != b->ntargets ||
            !same_str(a->idempotency_key_path, b->idempotency_key_path))
            die("JSON and YAML readings load different rules", a->name);
        if (a->line != b->line)
            die("JSON and YAML readings place a rule on different lines", a->name);
        for (size_t t = 0; t < a->ntargets; t++)
            if (!same_str(a->targets[t].id, b->targets[t].id) ||
                !same_str(a->targets[t].arn, b->targets[t].arn) ||
                a->targets[t].kind != b->targets[t].kind ||
                !same_str(a->targets[t].input_template, b->targets[t].input_template))
                die("JSON and YAML readings load different targets", a->targets[t].id);
    }
}

static sb_ruleset *load(const char *path, const uint8_t *data, size_t size) {
    write_file(path, data, size);
    sb_ruleset *rs = NULL;
    sb_diag diag = {0};
    const char *paths[] = {path};
    int rc = sb_ruleset_load(paths, 1, &rs, &diag);
    if (rc == SB_OK) {
        if (!rs || diag.n)
            die("loaded, yet without a rule set or with messages", diag.n ? diag.msgs[0] : NULL);
        check_ruleset(rs);
    } else {
        if (rc != SB_EINVAL || rs || !diag.n)
            die("refused without SB_EINVAL and a message", diag.n ? diag.msgs[0] : NULL);
        check_messages(&diag, path, data, size);
    }
    sb_diag_free(&diag);
    return rs;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    sb_ruleset *j = load(json_path, data, size);
    sb_ruleset *y = load(yaml_path, data, size);
    /* YAML 1.1 (libyaml) reads NEL, LS and PS as line breaks, also inside quoted strings */
    static const char *const breaks[] = {"\xc2\x85", "\xe2\x80\xa8", "\xe2\x80\xa9"};
    bool folds = false;
    for (size_t b = 0; b < 3; b++)
        folds |= memmem(data, size, breaks[b], strlen(breaks[b])) != NULL;
    if (j && y && !folds)
        compare(j, y);
    sb_ruleset_free(j);
    sb_ruleset_free(y);
    return 0;
}
