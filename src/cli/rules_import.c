/* rules_import.c - `signalbox rules import`: EventBridge rules, as `aws events list-rules` and
 * `aws events list-targets-by-rule` print them, to signalbox rule files (one JSON file per
 * rule), then the same validation as `signalbox check` on the folder written. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/import_convert.h"
#include "cli/import_pretty.h"
#include "rules/rule.h"

static const char usage[] =
    "usage: signalbox rules import --rules-json FILE [--targets-json DIR|FILE] [--out DIR]\n"
    "                              [--force]\n"
    "\n"
    "Turns EventBridge rules into signalbox rule files, one NAME.json per rule (BUS.NAME.json\n"
    "for a bus other than default), then validates the folder as `signalbox check` does.\n"
    "\n"
    "  --rules-json FILE    the output of `aws events list-rules` (- for standard input)\n"
    "  --targets-json DIR   a folder of RULE.json files, each the output of\n"
    "                       `aws events list-targets-by-rule --rule RULE`\n"
    "  --targets-json FILE  or one file mapping each rule name to that output\n"
    "  --out DIR            where to write (default: rules; created if missing)\n"
    "  --force              overwrite files that exist (default: refuse)\n"
    "\n"
    "Rules without an EventPattern (schedules) and targets signalbox cannot deliver to\n"
    "(Lambda, Step Functions, ...) are reported and skipped. Exit status: 0 everything was\n"
    "imported and is valid, 1 something was skipped or is invalid, 2 unreadable input or\n"
    "usage error.\n";

typedef struct opts {
    const char *rules_json, *targets_json, *out;
    bool force;
} opts;

typedef struct importer {
    opts o;
    sb_arena arena;
    bool targets_dir;
    const sb_jnode *targets_map; /* --targets-json FILE */
    sb_import_counts c;
    size_t failed; /* files not written */
    char **written;
    size_t nwritten;
} importer;

/* Reads and parses a JSON file into the importer's arena; NULL with a message on stderr. */
static const sb_jnode *read_json(importer *im, const char *path) {
    char *text;
    size_t len;
    if (sb_read_file(path, &text, &len) != 0)
        return NULL;
    /* the tree's strings point into the text: keep it in the arena */
    char *kept = sb_arena_strndup(&im->arena, text, len);
    free(text);
    sb_jnode *root = NULL;
    sb_error err = {0};
    size_t at = 0;
    if (!kept) {
        fprintf(stderr, "signalbox rules import: out of memory reading %s\n", path);
    } else if (sb_json_parse(kept, len, &im->arena, false, &root, &err, &at) != SB_OK) {
        unsigned line, col;
        sb_text_position(kept, len, at, &line, &col);
        fprintf(stderr, "signalbox rules import: %s:%u:%u: not valid JSON: %s\n", path, line, col,
                err.msg);
        root = NULL;
    }
    return root;
}

/* The "Targets" list of list-targets-by-rule's output `o` (read from `where`); NULL with the
 * reason in why when it is not one. */
static const sb_jnode *targets_list(const sb_jnode *o, const char *where, char *why, size_t n) {
    const sb_jmember *m = o && o->type == SB_JSON_OBJECT ? sb_json_get(o, "Targets") : NULL;
    if (m && m->value->type == SB_JSON_ARRAY)
        return m->value;
    snprintf(why, n,
             "%s is not the output of aws events list-targets-by-rule (an object with "
             "\"Targets\": [...])",
             where);
    return NULL;
}

/* Finds the targets of rule `name`: *list set (NULL when there are none to find, with a note),
 * or returns false when they exist but cannot be read (why says so). */
static bool find_targets(importer *im, const char *name, const sb_jnode **list, char *why,
                         size_t n) {
    *list = NULL;
    if (!im->o.targets_json)
        return true;
    char where[4096];
    if (im->targets_dir) {
        snprintf(where, sizeof where, "%s/%s.json", im->o.targets_json, name);
        struct stat st;
        if (stat(where, &st) != 0) {
            printf("note: rule %s: no targets (no file %s)\n", name, where);
            im->c.notes++;
            return true;
        }
        const sb_jnode *o = read_json(im, where);
        if (!o) {
            snprintf(why, n, "its targets in %s cannot be read (see above)", where);
            return false;
        }
        *list = targets_list(o, where, why, n);
        return *list != NULL;
    }
    const sb_jmember *m = sb_json_get(im->targets_map, name);
    if (!m) {
        printf("note: rule %s: no targets (%s has no \"%s\")\n", name, im->o.targets_json, name);
        im->c.notes++;
        return true;
    }
    snprintf(where, sizeof where, "\"%s\" in %s", name, im->o.targets_json);
    *list = targets_list(m->value, where, why, n);
    return *list != NULL;
}

/* NAME.json on the default bus, BUS.NAME.json on others; characters that are not letters,
 * digits, '.', '-' or '_' (a partner bus's '/') become '_'. */
static void file_name(char *out, size_t n, const char *dir, const char *bus, const char *name) {
    bool dflt = strcmp(bus, "default") == 0;
    size_t o = (size_t)snprintf(out, n, "%s/", dir);
    char base[512];
    snprintf(base, sizeof base, "%s%s%s", dflt ? "" : bus, dflt ? "" : ".", name);
    for (char *p = base; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '-' || *p == '_'))
            *p = '_';
    if (o < n)
        snprintf(out + o, n - o, "%s.json", base);
}

static bool written_before(const importer *im, const char *path) {
    for (size_t i = 0; i < im->nwritten; i++)
        if (strcmp(im->written[i], path) == 0)
            return true;
    return false;
}

static void write_rule(importer *im, const sb_jnode *rule) {
    const char *name = sb_json_get(rule, "Name")->value->u.str.s;
    const sb_jmember *bm = sb_json_get(rule, "EventBusName");
    const char *bus = bm && bm->value->type == SB_JSON_STRING ? bm->value->u.str.s : "default";
    char path[4096];
    file_name(path, sizeof path, im->o.out, bus, name);
    if (written_before(im, path)) {
        printf("error: rule %s (bus %s): %s was already written by another rule of this import\n",
               name, bus, path);
        im->failed++;
        return;
    }
    sb_buf b;
    sb_buf_init(&b);
    sb_import_pretty(&b, rule);
    sb_buf_putc(&b, '\n');
    FILE *f = sb_buf_failed(&b) ? NULL : fopen(path, im->o.force ? "w" : "wx");
    bool ok = f && fwrite(b.data, 1, b.len, f) == b.len;
    if (f && fclose(f) != 0)
        ok = false;
    if (!ok) {
        printf("error: rule %s: cannot write %s: %s\n", name, path,
               sb_buf_failed(&b) ? "out of memory"
               : errno == EEXIST ? "it exists (--force overwrites)"
                                 : strerror(errno));
        im->failed++;
    } else {
        const sb_jnode *ts = sb_json_get(rule, "Targets")->value;
        printf("wrote %s: rule %s (bus %s), %zu target%s\n", path, name, bus, ts->u.arr.n,
               ts->u.arr.n == 1 ? "" : "s");
        char **w = realloc(im->written, (im->nwritten + 1) * sizeof *w);
        if (w) {
            im->written = w;
            if ((w[im->nwritten] = strdup(path)))
                im->nwritten++;
        }
    }
    sb_buf_free(&b);
}

/* The same validation as `signalbox check OUT`; returns true when valid. */
static bool check_out(const char *out) {
    sb_diag diag = {0};
    sb_ruleset *rs = NULL;
    bool ok = sb_ruleset_load(&out, 1, &rs, &diag) == SB_OK;
    if (ok) {
        printf("check %s: %zu rule%s valid (version %s)\n", out, rs->nrules,
               rs->nrules == 1 ? "" : "s", rs->version);
    } else {
        for (size_t i = 0; i < diag.n; i++)
            printf("%s\n", diag.msgs[i]);
        printf("check %s: %zu problem%s found\n", out, diag.n, diag.n == 1 ? "" : "s");
    }
    sb_ruleset_free(rs);
    sb_diag_free(&diag);
    return ok;
}

static int parse_args(int argc, char **argv, opts *o) {
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (strcmp(a, "--force") == 0) {
            o->force = true;
            continue;
        }
        const char **slot = strcmp(a, "--rules-json") == 0     ? &o->rules_json
                            : strcmp(a, "--targets-json") == 0 ? &o->targets_json
                            : strcmp(a, "--out") == 0          ? &o->out
                                                               : NULL;
        if (!slot || i + 1 >= argc) {
            fprintf(stderr, "signalbox rules import: %s '%s'\n\n%s",
                    slot ? "missing value after" : "unknown argument", a, usage);
            return 2;
        }
        *slot = argv[++i];
    }
    if (!o->rules_json) {
        fprintf(stderr, "signalbox rules import: --rules-json is required\n\n%s", usage);
        return 2;
    }
    return -1;
}

/* Reads the inputs and prepares the output folder; returns -1 to go on, else an exit status. */
static int prepare(importer *im, const sb_jnode **rules) {
    const sb_jnode *root = read_json(im, im->o.rules_json);
    if (!root)
        return 2;
    const sb_jmember *m = sb_json_get(root, "Rules");
    if (!m || m->value->type != SB_JSON_ARRAY) {
        fprintf(stderr,
                "signalbox rules import: %s is not the output of aws events list-rules (an "
                "object with \"Rules\": [...])\n",
                im->o.rules_json);
        return 2;
    }
    *rules = m->value;
    if (im->o.targets_json) {
        struct stat st;
        if (stat(im->o.targets_json, &st) != 0) {
            fprintf(stderr, "signalbox rules import: cannot read %s: %s\n", im->o.targets_json,
                    strerror(errno));
            return 2;
        }
        im->targets_dir = S_ISDIR(st.st_mode);
        if (!im->targets_dir) {
            im->targets_map = read_json(im, im->o.targets_json);
            if (!im->targets_map)
                return 2;
            if (im->targets_map->type != SB_JSON_OBJECT) {
                fprintf(stderr,
                        "signalbox rules import: %s must map rule names to the output of aws "
                        "events list-targets-by-rule\n",
                        im->o.targets_json);
                return 2;
            }
        }
    }
    if (mkdir(im->o.out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "signalbox rules import: cannot create %s: %s\n", im->o.out,
                strerror(errno));
        return 2;
    }
    return -1;
}

static int import(importer *im) {
    const sb_jnode *rules = NULL;
    int status = prepare(im, &rules);
    if (status >= 0)
        return status;
    for (size_t i = 0; i < rules->u.arr.n; i++) {
        const sb_jnode *r = rules->u.arr.items[i];
        const sb_jmember *nm = r->type == SB_JSON_OBJECT ? sb_json_get(r, "Name") : NULL;
        const sb_jnode *targets = NULL;
        char why[4096 + 256];
        /* a rule that will be skipped for want of a pattern needs no targets */
        if (nm && nm->value->type == SB_JSON_STRING && sb_json_get(r, "EventPattern") &&
            !find_targets(im, nm->value->u.str.s, &targets, why, sizeof why)) {
            printf("skipped rule %s: %s\n", nm->value->u.str.s, why);
            im->c.rules_skipped++;
            continue;
        }
        const sb_jnode *out = sb_import_rule(&im->arena, r, targets, stdout, &im->c);
        if (out)
            write_rule(im, out);
    }
    bool valid = check_out(im->o.out);
    printf("imported %zu of %zu rule%s (%zu skipped", im->nwritten, rules->u.arr.n,
           rules->u.arr.n == 1 ? "" : "s", im->c.rules_skipped);
    if (im->failed)
        printf(", %zu not written", im->failed);
    printf("), %zu target%s (%zu skipped), %zu note%s\n", im->c.targets,
           im->c.targets == 1 ? "" : "s", im->c.targets_skipped, im->c.notes,
           im->c.notes == 1 ? "" : "s");
    return valid && !im->failed && !im->c.rules_skipped && !im->c.targets_skipped ? 0 : 1;
}

/* signalbox rules import ... */
static int cmd_import(int argc, char **argv) {
    importer im = {0};
    im.o.out = "rules";
    int status = parse_args(argc, argv, &im.o);
    if (status >= 0)
        return status;
    sb_arena_init(&im.arena, 0);
    status = import(&im);
    fflush(stdout);
    for (size_t i = 0; i < im.nwritten; i++)
        free(im.written[i]);
    free(im.written);
    sb_arena_free(&im.arena);
    return status;
}

int sb_cmd_rules(int argc, char **argv) {
    if (argc >= 1 && strcmp(argv[0], "import") == 0)
        return cmd_import(argc - 1, argv + 1);
    if (argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
        fputs(usage, stdout);
        return 0;
    }
    fprintf(stderr, "signalbox rules: unknown or missing subcommand%s%s (known: import)\n\n%s",
            argc ? " " : "", argc ? argv[0] : "", usage);
    return 2;
}
