/* check_scan.c - the rule files of `signalbox check`'s paths and the rules in them, found the
 * way the loader finds them (src/rules/loader.c), for the JSON report. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/check_scan.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/util.h"
#include "rules/yaml.h"

static bool has_ext(const char *name, const char *ext) {
    size_t n = strlen(name), e = strlen(ext);
    return n > e && strcmp(name + n - e, ext) == 0;
}

static bool rule_file(const char *name) {
    return name[0] != '.' &&
           (has_ext(name, ".json") || has_ext(name, ".yaml") || has_ext(name, ".yml"));
}

static int add_file(sb_check_scan *s, char *path) {
    if (!path)
        return -1;
    char **f = realloc(s->files, (s->nfiles + 1) * sizeof *f);
    if (!f) {
        free(path);
        return -1;
    }
    s->files = f;
    s->files[s->nfiles++] = path;
    return 0;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_dir(sb_check_scan *s, const char *dir) {
    DIR *d = opendir(dir);
    if (!d)
        return 0; /* the loader reports it */
    size_t first = s->nfiles;
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d))) {
        if (!rule_file(e->d_name))
            continue;
        size_t need = strlen(dir) + strlen(e->d_name) + 2;
        char *p = malloc(need);
        if (p)
            snprintf(p, need, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
        struct stat st;
        if (p && (stat(p, &st) != 0 || !S_ISREG(st.st_mode))) {
            free(p);
            continue;
        }
        rc = add_file(s, p);
    }
    closedir(d);
    sb_sort(s->files + first, s->nfiles - first, sizeof *s->files, cmp_str);
    return rc;
}

static int add_rule(sb_check_scan *s, const char *file, const char *text, size_t len,
                    const sb_jnode *o) {
    sb_scanned_rule *r = realloc(s->rules, (s->nrules + 1) * sizeof *r);
    if (!r)
        return -1;
    s->rules = r;
    r = &s->rules[s->nrules];
    sb_text_position(text, len, o->offset, &r->line, &r->col);
    r->file = file;
    r->name = NULL;
    const sb_jmember *m = sb_json_get(o, "Name");
    if (m && m->value->type == SB_JSON_STRING && !(r->name = strdup(m->value->u.str.s)))
        return -1;
    s->nrules++;
    return 0;
}

/* Reads a whole file as the loader does (plain bytes); NULL when it cannot. */
static char *slurp(const char *file, size_t *len) {
    FILE *f = fopen(file, "rb");
    if (!f)
        return NULL;
    sb_buf b;
    sb_buf_init(&b);
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        sb_buf_append(&b, chunk, got);
    bool bad = ferror(f) || sb_buf_failed(&b);
    fclose(f);
    if (bad) {
        sb_buf_free(&b);
        return NULL;
    }
    return sb_buf_take(&b, len); /* NUL-terminated; NULL for an empty file */
}

/* The rules of one file: its root object, or each object of {"Rules": [...]}. */
static int scan_file(sb_check_scan *s, const char *file) {
    size_t len = 0;
    char *text = slurp(file, &len);
    if (!text)
        return 0; /* the loader reports it */
    sb_arena arena;
    sb_arena_init(&arena, 0);
    sb_jnode *root;
    sb_error err;
    bool yaml = has_ext(file, ".yaml") || has_ext(file, ".yml");
    int rc = 0;
    if ((yaml ? sb_yaml_parse(text, len, &arena, &root, &err, NULL)
              : sb_json_parse(text, len, &arena, true, &root, &err, NULL)) == SB_OK) {
        const sb_jmember *list = sb_json_get(root, "Rules");
        if (list && root->u.obj.n == 1 && list->value->type == SB_JSON_ARRAY) {
            for (size_t i = 0; rc == 0 && i < list->value->u.arr.n; i++)
                if (list->value->u.arr.items[i]->type == SB_JSON_OBJECT)
                    rc = add_rule(s, file, text, len, list->value->u.arr.items[i]);
        } else if (root->type == SB_JSON_OBJECT) {
            rc = add_rule(s, file, text, len, root);
        }
    }
    sb_arena_free(&arena);
    free(text);
    return rc;
}

int sb_check_scan_paths(const char *const *paths, size_t n, sb_check_scan *s) {
    memset(s, 0, sizeof *s);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct stat st;
        if (stat(paths[i], &st) != 0)
            continue; /* the loader reports it */
        rc = S_ISDIR(st.st_mode) ? list_dir(s, paths[i]) : add_file(s, strdup(paths[i]));
    }
    for (size_t i = 0; rc == 0 && i < s->nfiles; i++)
        rc = scan_file(s, s->files[i]);
    return rc;
}

void sb_check_scan_free(sb_check_scan *s) {
    for (size_t i = 0; i < s->nrules; i++)
        free(s->rules[i].name);
    for (size_t i = 0; i < s->nfiles; i++)
        free(s->files[i]);
    free(s->rules);
    free(s->files);
    memset(s, 0, sizeof *s);
}

const sb_scanned_rule *sb_check_scan_rule_at(const sb_check_scan *s, const char *file,
                                             unsigned line, unsigned col) {
    const sb_scanned_rule *best = NULL;
    for (size_t i = 0; i < s->nrules; i++) {
        const sb_scanned_rule *r = &s->rules[i];
        if (strcmp(r->file, file) == 0 &&
            (r->line < line || (r->line == line && (col == 0 || r->col <= col))))
            best = r;
    }
    return best;
}
