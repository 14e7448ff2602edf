/* check_json.c - `signalbox check --format json`: one document with the files checked, the
 * rules, and each error as {file, line, column, rule, message}. The loader's messages read
 * "FILE:LINE:COLUMN: what" (some lack the column, or the line); they are split here, and the
 * rule is the one whose object starts last at or before that position. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/check_json.h"
#include "cli/check_scan.h"
#include "core/buf.h"

typedef struct parts {
    const char *file; /* NULL when the message names no file */
    size_t filelen;
    unsigned line, col; /* 0 when absent */
    const char *msg;
} parts;

/* The longest of names[0..n) that m starts with, followed by ':'; its length, or 0. */
static size_t known_prefix(const char *m, const char *const *names, size_t n) {
    size_t best = 0;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(names[i]);
        if (l > best && strncmp(m, names[i], l) == 0 && m[l] == ':')
            best = l;
    }
    return best;
}

static unsigned number(const char **p) {
    unsigned long v = 0;
    while (**p >= '0' && **p <= '9' && v < 100000000)
        v = v * 10 + (unsigned long)(*(*p)++ - '0');
    return (unsigned)v;
}

static void split(const char *m, const sb_check_scan *s, const char *const *paths, size_t npaths,
                  parts *out) {
    memset(out, 0, sizeof *out);
    out->msg = m;
    size_t fl = known_prefix(m, (const char *const *)s->files, s->nfiles);
    if (!fl)
        fl = known_prefix(m, paths, npaths);
    if (!fl)
        return;
    out->file = m;
    out->filelen = fl;
    const char *p = m + fl + 1;
    if (*p >= '0' && *p <= '9') {
        out->line = number(&p);
        if (p[0] == ':' && p[1] >= '0' && p[1] <= '9') {
            p++;
            out->col = number(&p);
        }
        if (*p == ':')
            p++;
    }
    while (*p == ' ')
        p++;
    out->msg = p;
}

static void put_rules_loaded(sb_buf *b, const sb_ruleset *rs) {
    for (size_t i = 0; i < rs->nrules; i++) {
        const sb_rule *r = &rs->rules[i];
        sb_buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
        sb_buf_json_cstr(b, r->name);
        sb_buf_puts(b, ",\"bus\":");
        sb_buf_json_cstr(b, r->bus);
        sb_buf_printf(b, ",\"state\":\"%s\",\"file\":", r->enabled ? "ENABLED" : "DISABLED");
        sb_buf_json_cstr(b, r->file);
        sb_buf_printf(b, ",\"line\":%u,\"valid\":true,\"targets\":[", r->line);
        for (size_t t = 0; t < r->ntargets; t++) {
            sb_buf_puts(b, t ? ",{\"id\":" : "{\"id\":");
            sb_buf_json_cstr(b, r->targets[t].id);
            sb_buf_printf(b, ",\"kind\":\"%s\",\"arn\":", sb_target_kind_name(r->targets[t].kind));
            sb_buf_json_cstr(b, r->targets[t].arn);
            sb_buf_putc(b, '}');
        }
        sb_buf_puts(b, "]}");
    }
}

/* Rules as found in the files, when the set did not load: which of them have errors. */
static void put_rules_scanned(sb_buf *b, const sb_check_scan *s, const bool *bad) {
    for (size_t i = 0; i < s->nrules; i++) {
        const sb_scanned_rule *r = &s->rules[i];
        sb_buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
        if (r->name)
            sb_buf_json_cstr(b, r->name);
        else
            sb_buf_puts(b, "null");
        sb_buf_puts(b, ",\"file\":");
        sb_buf_json_cstr(b, r->file);
        sb_buf_printf(b, ",\"line\":%u,\"valid\":%s}", r->line, bad[i] ? "false" : "true");
    }
}

static void put_error(sb_buf *b, const parts *p, const sb_scanned_rule *rule) {
    sb_buf_puts(b, "{\"file\":");
    if (p->file)
        sb_buf_json_str(b, p->file, p->filelen);
    else
        sb_buf_puts(b, "null");
    sb_buf_puts(b, ",\"line\":");
    if (p->line)
        sb_buf_printf(b, "%u", p->line);
    else
        sb_buf_puts(b, "null");
    sb_buf_puts(b, ",\"column\":");
    if (p->col)
        sb_buf_printf(b, "%u", p->col);
    else
        sb_buf_puts(b, "null");
    sb_buf_puts(b, ",\"rule\":");
    if (rule && rule->name)
        sb_buf_json_cstr(b, rule->name);
    else
        sb_buf_puts(b, "null");
    sb_buf_puts(b, ",\"message\":");
    sb_buf_json_cstr(b, p->msg);
    sb_buf_putc(b, '}');
}

void sb_check_print_json(const char *const *paths, size_t n, const sb_ruleset *rs,
                         const sb_diag *d) {
    sb_check_scan s;
    int scanned = sb_check_scan_paths(paths, n, &s);
    bool *bad = calloc(s.nrules + 1, sizeof *bad);
    sb_buf b;
    sb_buf_init(&b);
    sb_buf_printf(&b, "{\"valid\":%s,\"version\":", d->n ? "false" : "true");
    if (rs)
        sb_buf_json_cstr(&b, rs->version);
    else
        sb_buf_puts(&b, "null");
    sb_buf_puts(&b, ",\"files\":[");
    for (size_t i = 0; i < s.nfiles; i++) {
        sb_buf_puts(&b, i ? "," : "");
        sb_buf_json_cstr(&b, s.files[i]);
    }
    /* errors first, into a second buffer, so that the rules can say which have errors */
    sb_buf e;
    sb_buf_init(&e);
    for (size_t i = 0; i < d->n; i++) {
        parts p;
        split(d->msgs[i], &s, paths, n, &p);
        const sb_scanned_rule *rule = NULL;
        if (p.file && p.line) {
            char *file = strndup(p.file, p.filelen);
            rule = file ? sb_check_scan_rule_at(&s, file, p.line, p.col) : NULL;
            free(file);
        }
        if (rule && bad)
            bad[rule - s.rules] = true;
        sb_buf_puts(&e, i ? "," : "");
        put_error(&e, &p, rule);
    }
    sb_buf_puts(&b, "],\"rules\":[");
    if (rs)
        put_rules_loaded(&b, rs);
    else if (bad)
        put_rules_scanned(&b, &s, bad);
    sb_buf_puts(&b, "],\"errors\":[");
    sb_buf_append(&b, e.data ? e.data : "", e.len);
    sb_buf_puts(&b, "]}\n");
    bool failed = scanned != 0 || !bad || sb_buf_failed(&b) || sb_buf_failed(&e);
    fputs(failed ? "{\"valid\":false,\"errors\":[{\"file\":null,\"line\":null,\"column\":null,"
                   "\"rule\":null,\"message\":\"out of memory\"}]}\n"
                 : b.data,
          stdout);
    sb_buf_free(&b);
    sb_buf_free(&e);
    free(bad);
    sb_check_scan_free(&s);
}
