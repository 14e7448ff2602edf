/* dlq.c - `signalbox dlq list|show|redrive|purge`: the Redis dead-letter queues for ops.
 *
 * Settings (--redis, --rules, --config, SIGNALBOX_* variables) are serve's, from the same
 * table (core/config.h); each subcommand adds its own options, which are taken out of the
 * arguments before the rest goes to sb_config_load. docs/dlq.md describes the commands and
 * the format of the entries. */
#include <errno.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/dlq_store.h"
#include "core/log.h"

extern char **environ;

static const char usage[] =
    "usage: signalbox dlq COMMAND [QUEUE] [OPTIONS] [--SETTING VALUE ...]\n"
    "\n"
    "The dead-letter queues in Redis: streams the router writes what it could not deliver to\n"
    "(signalbox:dlq:RULE:TARGET by default, or a target's DeadLetterConfig redis:stream:KEY).\n"
    "\n"
    "commands:\n"
    "  list      every queue with its number of entries and the time of its oldest and newest\n"
    "  show      the entries of a queue, with their event and error\n"
    "  redrive   deliver entries again to their rule's target, through the current rules\n"
    "  purge     delete a queue and every entry in it\n"
    "\n"
    "QUEUE is a stream key, or RULE:TARGET for signalbox:dlq:RULE:TARGET.\n"
    "Run `signalbox dlq COMMAND --help` for a command's options.\n";

static const char settings_help[] =
    "\n"
    "settings (as for serve, from --config FILE, SIGNALBOX_* variables or flags; see\n"
    "`signalbox serve --help` for all):\n"
    "  --redis URL     the Redis with the queues (default redis://127.0.0.1:6379)\n"
    "  --rules DIR     the rules redrive delivers through (default rules/)\n"
    "  --config FILE   config file (also the connections of HTTP targets, for redrive)\n"
    "\n"
    "Times (T) are RFC 3339 (2026-11-26T22:00:00Z, 2026-11-26T23:00:00.5+01:00, 2026-11-26)\n"
    "or epoch milliseconds; a range includes both ends. Exit status: 0 done, 1 something\n"
    "failed (Redis, an entry that could not be redriven, an id not found), 2 usage or config\n"
    "error (or no such queue).\n";

enum {
    O_FORMAT = 1 << 0,
    O_COUNT = 1 << 1,
    O_RANGE = 1 << 2, /* --since, --until */
    O_ID = 1 << 3,
    O_PATTERN = 1 << 4,
    O_ALL = 1 << 5,
    O_DRY_RUN = 1 << 6,
    O_YES = 1 << 7,
    O_COMPACT = 1 << 8,
    O_PARALLEL = 1 << 9, /* --parallel, --max-failures */
};

typedef struct subcommand {
    const char *name;
    unsigned options;
    bool needs_queue;
    const char *usage;
} subcommand;

static const subcommand subcommands[] = {
    {"list", O_FORMAT, false,
     "usage: signalbox dlq list [--format text|json] [--SETTING VALUE ...]\n"
     "\n"
     "Lists every dead-letter queue the router has written to (the set signalbox:dlqs) with\n"
     "its number of entries and the times of its oldest and newest entry.\n"},
    {"show", O_FORMAT | O_COUNT | O_RANGE | O_ID | O_PATTERN | O_COMPACT, true,
     "usage: signalbox dlq show QUEUE [--count N] [--since T] [--until T] [--id ENTRYID]...\n"
     "                          [--pattern JSON|@FILE] [--compact] [--format text|json]\n"
     "\n"
     "Shows the entries of a queue, oldest first: the entry id and time, every field, and the\n"
     "event (indented JSON; on one line with --compact).\n"
     "  --count N          at most N entries (default 100; 0 for all)\n"
     "  --since T          entries written at T or later\n"
     "  --until T          entries written at T or earlier\n"
     "  --id ENTRYID       this entry (repeat, or separate ids with commas)\n"
     "  --pattern JSON     only entries whose event matches this EventBridge pattern\n"
     "  --format json      one JSON document: {\"queue\", \"entries\": [...], \"truncated\"}\n"},
    {"redrive", O_RANGE | O_ID | O_PATTERN | O_ALL | O_DRY_RUN | O_PARALLEL, true,
     "usage: signalbox dlq redrive QUEUE (--all | --id ENTRYID... | --since T --until T |\n"
     "                                   --pattern JSON|@FILE) [--dry-run] [--rules DIR]\n"
     "\n"
     "Delivers the selected entries again, each to the target of its rule in the current rules\n"
     "(--rules), with the event's own id (idempotency keys still hold) and without retries.\n"
     "An entry is removed once its delivery is finished: delivered, or failed again and\n"
     "written as a new dead letter. Entries of poison Kafka messages are skipped. Prints a line\n"
     "per entry and a summary: selected, redriven OK, failed again, skipped.\n"
     "  --all              every entry of the queue\n"
     "  --id ENTRYID       this entry (repeat, or separate ids with commas)\n"
     "  --since T, --until T   entries written in this time range (either end may be left open)\n"
     "  --pattern JSON     entries whose event matches this EventBridge pattern (alone, with\n"
     "                     --all, or within --since/--until)\n"
     "  --dry-run          print what would be redriven; change nothing\n"
     "  --parallel N       deliveries in flight at once (default 1, at most 256)\n"
     "  --max-failures N   stop starting deliveries after N failures in a row (default 5, the\n"
     "                     target is evidently still broken; 0: try every entry)\n"},
    {"purge", O_YES, true,
     "usage: signalbox dlq purge QUEUE [--yes]\n"
     "\n"
     "Deletes the queue's stream with every entry in it, and removes it from signalbox:dlqs.\n"
     "Without --yes it asks on the terminal for the queue's name, and refuses when standard\n"
     "input is not a terminal.\n"},
};

#define NSUB (sizeof subcommands / sizeof subcommands[0])

/* Boolean settings of the config table: the only ones whose flag takes no value. Other
 * settings given as --name VALUE carry their value along to sb_config_load. */
static bool bool_setting(const char *flag) {
    return strncmp(flag, "--no-", 5) == 0 || strcmp(flag, "--idempotency") == 0 ||
           strcmp(flag, "--kafka-mock") == 0;
}

static int usage_error(const subcommand *sub, const char *fmt, const char *arg) {
    fprintf(stderr, "signalbox dlq%s%s: ", sub ? " " : "", sub ? sub->name : "");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(see `signalbox dlq%s%s --help`)\n", sub ? " " : "", sub ? sub->name : "");
    return 2;
}

static bool parse_long(const char *s, long lo, long hi, long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* Adds the comma-separated ids of s to o (each checked, duplicates dropped). */
static int add_ids(const subcommand *sub, sb_dlqcli_opts *o, char *s) {
    for (char *save = NULL, *id = strtok_r(s, ",", &save); id; id = strtok_r(NULL, ",", &save)) {
        if (!sb_dlqcli_valid_id(id))
            return usage_error(sub,
                               "--id \"%s\" is not a stream entry id (MS-SEQ, e.g. "
                               "1764196328123-0)",
                               id);
        bool dup = false;
        for (size_t i = 0; i < o->nids && !dup; i++)
            dup = strcmp(o->ids[i], id) == 0;
        if (dup)
            continue;
        char **n = realloc(o->ids, (o->nids + 1) * sizeof *n);
        if (!n)
            return usage_error(sub, "%s", "out of memory");
        o->ids = n;
        o->ids[o->nids++] = id;
    }
    return 0;
}

static int parse_time_opt(const subcommand *sub, const char *flag, const char *v, int64_t *ms) {
    if (sb_dlqcli_parse_time(v, ms) == SB_OK)
        return 0;
    fprintf(stderr,
            "signalbox dlq %s: %s \"%s\" is not a time: write RFC 3339 (2026-11-26T22:00:00Z, "
            "2026-11-26T23:00:00.250+01:00, 2026-11-26) or epoch milliseconds\n",
            sub->name, flag, v);
    return 2;
}

/* Splits args into the subcommand's options (into o) and the settings (into pass, for
 * sb_config_load). Returns 0, or the exit status of a usage error (already reported). */
static int parse_args(const subcommand *sub, int argc, char **argv, sb_dlqcli_opts *o, char **pass,
                      int *npass) {
    static const struct {
        const char *name;
        unsigned group;
        bool value;
    } own[] = {
        {"format", O_FORMAT, true},
        {"count", O_COUNT, true},
        {"since", O_RANGE, true},
        {"until", O_RANGE, true},
        {"id", O_ID, true},
        {"pattern", O_PATTERN, true},
        {"all", O_ALL, false},
        {"dry-run", O_DRY_RUN, false},
        {"yes", O_YES, false},
        {"compact", O_COMPACT, false},
        {"parallel", O_PARALLEL, true},
        {"max-failures", O_PARALLEL, true},
    };
    bool options_end = false;
    for (int i = 0; i < argc; i++) {
        char *a = argv[i];
        if (options_end || a[0] != '-' || !a[1]) {
            if (!sub->needs_queue || o->queue)
                return usage_error(sub, "unexpected argument \"%s\"", a);
            o->queue = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            options_end = true;
            continue;
        }
        if (strncmp(a, "--", 2) != 0)
            return usage_error(sub, "unknown option \"%s\"", a);
        char *eq = strchr(a, '=');
        size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
        size_t k = 0;
        while (k < sizeof own / sizeof own[0] &&
               !(strlen(own[k].name) == n && strncmp(own[k].name, a + 2, n) == 0))
            k++;
        if (k == sizeof own / sizeof own[0]) {
            /* a setting: it and its value go to sb_config_load */
            pass[(*npass)++] = a;
            if (!eq && !bool_setting(a) && i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0)
                pass[(*npass)++] = argv[++i];
            continue;
        }
        if (!(sub->options & own[k].group))
            return usage_error(sub, "%s is not an option of this command", a);
        const char *name = own[k].name;
        if (!own[k].value) {
            if (eq)
                return usage_error(sub, "%s takes no value", a);
            o->all |= strcmp(name, "all") == 0;
            o->dry_run |= strcmp(name, "dry-run") == 0;
            o->yes |= strcmp(name, "yes") == 0;
            o->compact |= strcmp(name, "compact") == 0;
            continue;
        }
        char *v = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
        if (!v)
            return usage_error(sub, "%s needs a value", a);
        int rc = 0;
        if (strcmp(name, "format") == 0) {
            if (strcmp(v, "json") != 0 && strcmp(v, "text") != 0)
                return usage_error(sub, "--format is text or json, not \"%s\"", v);
            o->json = strcmp(v, "json") == 0;
        } else if (strcmp(name, "count") == 0) {
            if (!parse_long(v, 0, 1000000000L, &o->count))
                return usage_error(sub, "--count \"%s\" is not a number of entries (0: all)", v);
        } else if (strcmp(name, "parallel") == 0) {
            if (!parse_long(v, 1, 256, &o->parallel))
                return usage_error(sub, "--parallel \"%s\" is not a number from 1 to 256", v);
        } else if (strcmp(name, "max-failures") == 0) {
            if (!parse_long(v, 0, 1000000000L, &o->max_failures))
                return usage_error(sub, "--max-failures \"%s\" is not a number (0: never stop)", v);
        } else if (strcmp(name, "since") == 0) {
            o->since = v;
            rc = parse_time_opt(sub, "--since", v, &o->since_ms);
        } else if (strcmp(name, "until") == 0) {
            o->until = v;
            rc = parse_time_opt(sub, "--until", v, &o->until_ms);
        } else if (strcmp(name, "id") == 0) {
            rc = add_ids(sub, o, v);
        } else {
            o->pattern = v;
        }
        if (rc)
            return rc;
    }
    if (sub->needs_queue && !o->queue)
        return usage_error(sub, "%s", "name the QUEUE (`signalbox dlq list` shows them)");
    if (o->since && o->until && o->since_ms > o->until_ms)
        return usage_error(sub, "--since %s is after --until", o->since);
    if (o->nids && (o->all || o->since || o->until || o->pattern))
        return usage_error(sub, "%s",
                           "--id selects entries by itself: no --all, --since, "
                           "--until or --pattern with it");
    if (o->all && (o->since || o->until))
        return usage_error(sub, "%s", "--all takes the whole queue: no --since or --until");
    if (strcmp(sub->name, "redrive") == 0 && !o->all && !o->nids && !o->since && !o->until &&
        !o->pattern)
        return usage_error(sub, "%s",
                           "say what to redrive: --all, --id, --since/--until or --pattern");
    return 0;
}

/* ---- list ---- */

/* The id of the first (or last) entry of key, as epoch ms; -1 when it has none. */
static int64_t end_time(sb_dlqcli_conn *conn, const char *key, bool last, sb_error *err,
                        bool *failed) {
    const char *a[] = {
        last ? "XREVRANGE" : "XRANGE", key, last ? "+" : "-", last ? "-" : "+", "COUNT", "1"};
    redisReply *r = sb_dlqcli_cmd(conn, err, 6, a);
    if (!r) {
        *failed = true;
        return -1;
    }
    int64_t ms = -1;
    if (r->type == REDIS_REPLY_ARRAY && r->elements && r->element[0]->type == REDIS_REPLY_ARRAY &&
        r->element[0]->elements && r->element[0]->element[0]->type == REDIS_REPLY_STRING)
        ms = strtoll(r->element[0]->element[0]->str, NULL, 10);
    freeReplyObject(r);
    return ms;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmd_list(const sb_dlqcli_opts *o, sb_dlqcli_conn *conn) {
    sb_error err;
    const char *a[] = {"SMEMBERS", SB_DLQCLI_INDEX};
    redisReply *r = sb_dlqcli_cmd(conn, &err, 2, a);
    if (!r) {
        fprintf(stderr, "signalbox dlq list: %s\n", err.msg);
        return 1;
    }
    size_t n = r->type == REDIS_REPLY_ARRAY ? r->elements : 0;
    char **names = calloc(n ? n : 1, sizeof *names);
    if (!names) {
        freeReplyObject(r);
        fprintf(stderr, "signalbox dlq list: out of memory\n");
        return 1;
    }
    size_t width = 5;
    for (size_t i = 0; i < n; i++) {
        names[i] = r->element[i]->str;
        if (strlen(names[i]) > width)
            width = strlen(names[i]);
    }
    qsort(names, n, sizeof *names, cmp_str);
    sb_buf b;
    sb_buf_init(&b);
    if (o->json)
        sb_buf_puts(&b, "{\"queues\":[");
    else if (n)
        sb_buf_printf(&b, "%-*s  %8s  %-24s  %s\n", (int)width, "QUEUE", "ENTRIES", "OLDEST",
                      "NEWEST");
    else
        sb_buf_printf(&b, "no dead-letter queues in Redis at %s\n", conn->where);
    bool failed = false;
    for (size_t i = 0; i < n && !failed; i++) {
        const char *x[] = {"XLEN", names[i]};
        redisReply *len = sb_dlqcli_cmd(conn, &err, 2, x);
        if (!len) {
            failed = true;
            break;
        }
        long long count = len->type == REDIS_REPLY_INTEGER ? len->integer : 0;
        freeReplyObject(len);
        int64_t first = end_time(conn, names[i], false, &err, &failed);
        int64_t last = end_time(conn, names[i], true, &err, &failed);
        char t1[32], t2[32];
        sb_dlqcli_format_time(first, t1);
        sb_dlqcli_format_time(last, t2);
        if (o->json) {
            sb_buf_puts(&b, i ? ",{\"queue\":" : "{\"queue\":");
            sb_buf_json_cstr(&b, names[i]);
            sb_buf_printf(&b, ",\"entries\":%lld,\"oldest\":", count);
            sb_buf_printf(&b, first < 0 ? "null" : "\"%s\"", t1);
            sb_buf_puts(&b, ",\"newest\":");
            sb_buf_printf(&b, last < 0 ? "null" : "\"%s\"", t2);
            sb_buf_putc(&b, '}');
        } else {
            sb_buf_puts(&b, names[i]);
            sb_buf_printf(&b, "%*s  %8lld  %-24s  %s\n", (int)(width - strlen(names[i])), "", count,
                          t1, t2);
        }
    }
    if (o->json)
        sb_buf_puts(&b, "]}\n");
    free(names);
    freeReplyObject(r);
    if (failed) {
        fprintf(stderr, "signalbox dlq list: %s\n", err.msg);
        sb_buf_free(&b);
        return 1;
    }
    if (sb_buf_failed(&b)) {
        fprintf(stderr, "signalbox dlq list: out of memory\n");
        sb_buf_free(&b);
        return 1;
    }
    fwrite(b.data, 1, b.len, stdout);
    sb_buf_free(&b);
    return 0;
}

/* ---- show ---- */

static int cmd_show(const sb_dlqcli_opts *o, sb_dlqcli_conn *conn, const char *key) {
    sb_error err;
    sb_dlqcli_scan *scan;
    if (sb_dlqcli_scan_new(conn, key, o, (size_t)o->count, &scan, &err) != SB_OK) {
        fprintf(stderr, "signalbox dlq show: %s\n", err.msg);
        return err.code == SB_EINVAL ? 2 : 1;
    }
    if (o->json) {
        fputs("{\"queue\":", stdout);
        sb_buf b;
        sb_buf_init(&b);
        sb_buf_json_cstr(&b, key);
        fwrite(b.data ? b.data : "\"\"", 1, b.data ? b.len : 2, stdout);
        sb_buf_free(&b);
        fputs(",\"entries\":[", stdout);
    }
    size_t shown = 0;
    int status = 0;
    for (;;) {
        const sb_dlqcli_entry *e;
        size_t n;
        if (sb_dlqcli_scan_next(scan, &e, &n, &err) != SB_OK) {
            fprintf(stderr, "signalbox dlq show: %s\n", err.msg);
            status = 1;
            break;
        }
        if (n == 0)
            break;
        sb_buf b;
        sb_buf_init(&b);
        for (size_t i = 0; i < n; i++, shown++) {
            if (shown)
                sb_buf_puts(&b, o->json ? "," : "\n");
            sb_dlqcli_put_entry(&b, &e[i], o->json, o->compact);
        }
        if (sb_buf_failed(&b)) {
            fprintf(stderr, "signalbox dlq show: out of memory\n");
            status = 1;
        } else {
            fwrite(b.data, 1, b.len, stdout);
        }
        sb_buf_free(&b);
        if (status)
            break;
    }
    bool more = sb_dlqcli_scan_truncated(scan);
    if (o->json)
        printf("],\"truncated\":%s}\n", more ? "true" : "false");
    else if (!shown && !status)
        printf("no entries%s in %s\n", o->since || o->until || o->pattern ? " selected" : "", key);
    else if (more)
        printf("\n(more entries: --count N shows N, --count 0 all)\n");
    if (sb_dlqcli_scan_missing(scan))
        status = 1;
    sb_dlqcli_scan_free(scan);
    return status;
}

/* ---- purge ---- */

static int cmd_purge(const sb_dlqcli_opts *o, sb_dlqcli_conn *conn, const char *key) {
    sb_error err;
    const char *x[] = {"XLEN", key};
    redisReply *r = sb_dlqcli_cmd(conn, &err, 2, x);
    if (!r) {
        fprintf(stderr, "signalbox dlq purge: %s\n", err.msg);
        return 1;
    }
    long long n = r->type == REDIS_REPLY_INTEGER ? r->integer : 0;
    freeReplyObject(r);
    if (!o->yes) {
        if (!isatty(STDIN_FILENO)) {
            fprintf(stderr,
                    "signalbox dlq purge: refusing to purge %s (%lld entries) without --yes: "
                    "standard input is not a terminal to confirm on\n",
                    key, n);
            return 2;
        }
        fprintf(stderr,
                "This deletes %s and its %lld entries for good.\nType the queue's name (%s) "
                "to confirm: ",
                key, n, key);
        fflush(stderr);
        char line[1024];
        if (!fgets(line, sizeof line, stdin))
            line[0] = '\0';
        line[strcspn(line, "\r\n")] = '\0';
        if (strcmp(line, key) != 0 && strcmp(line, o->queue) != 0) {
            fprintf(stderr, "signalbox dlq purge: not confirmed: %s is left as it was\n", key);
            return 1;
        }
    }
    const char *del[] = {"DEL", key};
    const char *srem[] = {"SREM", SB_DLQCLI_INDEX, key};
    r = sb_dlqcli_cmd(conn, &err, 2, del);
    if (r) {
        freeReplyObject(r);
        r = sb_dlqcli_cmd(conn, &err, 3, srem);
    }
    if (!r) {
        fprintf(stderr, "signalbox dlq purge: %s\n", err.msg);
        return 1;
    }
    freeReplyObject(r);
    printf("purged %s: %lld entries deleted\n", key, n);
    return 0;
}

/* ---- the command ---- */

int sb_cmd_dlq(int argc, char **argv) {
    if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0 ||
        strcmp(argv[0], "help") == 0) {
        fputs(usage, argc < 1 ? stderr : stdout);
        fputs(settings_help, argc < 1 ? stderr : stdout);
        return argc < 1 ? 2 : 0;
    }
    const subcommand *sub = NULL;
    for (size_t i = 0; i < NSUB && !sub; i++)
        if (strcmp(argv[0], subcommands[i].name) == 0)
            sub = &subcommands[i];
    if (!sub) {
        fprintf(stderr, "signalbox dlq: unknown command \"%s\"\n\n%s", argv[0], usage);
        return 2;
    }
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(sub->usage, stdout);
            fputs(settings_help, stdout);
            return 0;
        }
    sb_dlqcli_opts o = {.cmd = sub->name,
                        .count = 100,
                        .since_ms = -1,
                        .until_ms = -1,
                        .parallel = 1,
                        .max_failures = 5};
    char **pass = calloc((size_t)argc + 1, sizeof *pass);
    if (!pass) {
        fprintf(stderr, "signalbox dlq: out of memory\n");
        return 1;
    }
    int npass = 0;
    int status = parse_args(sub, argc - 1, argv + 1, &o, pass, &npass);
    sb_config cfg;
    sb_error err = {0};
    sb_dlqcli_conn conn = {0};
    char *key = NULL;
    if (status)
        goto out;
    int rc = sb_config_load(&cfg, npass, pass, environ, &err);
    if (rc != SB_OK) {
        fprintf(stderr, "signalbox dlq %s: %s\n", sub->name, err.msg);
        status = 2;
        goto out_cfg;
    }
    sb_log_level level;
    if (sb_log_parse_level(cfg.log_level, &level) == 0)
        sb_log_set_level(level);
    sb_log_set_sink(stderr); /* stdout is the command's answer */
    if (sb_dlqcli_connect(&conn, &cfg, &err) != SB_OK) {
        fprintf(stderr, "signalbox dlq %s: %s\n", sub->name, err.msg);
        status = 1;
        goto out_conn;
    }
    if (!sub->needs_queue) {
        status = cmd_list(&o, &conn);
        goto out_conn;
    }
    rc = sb_dlqcli_resolve(&conn, o.queue, &key, &err);
    if (rc != SB_OK) {
        fprintf(stderr, "signalbox dlq %s: %s\n", sub->name, err.msg);
        status = rc == SB_EIO ? 1 : 2;
        goto out_conn;
    }
    if (strcmp(sub->name, "show") == 0)
        status = cmd_show(&o, &conn, key);
    else if (strcmp(sub->name, "redrive") == 0)
        status = sb_dlqcli_redrive(&o, &cfg, &conn, key);
    else
        status = cmd_purge(&o, &conn, key);
out_conn:
    sb_dlqcli_close(&conn);
out_cfg:
    sb_config_free(&cfg);
out:
    free(key);
    free(o.ids);
    free(pass);
    fflush(stdout);
    sb_log_set_sink(NULL);
    return status;
}
