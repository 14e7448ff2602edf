/* bench.c - `signalbox bench`: matching throughput, events already in memory.
 *
 *   signalbox bench --patterns FILE --events FILE[.gz] [--repeat N] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cli/cli.h"
#include "core/json.h"
#include "pattern/pattern.h"

static const char usage[] =
    "usage: signalbox bench --patterns FILE --events FILE[.gz] [--repeat N]\n"
    "\n"
    "Compiles the JSON array of patterns in FILE into one machine and matches every event\n"
    "(JSON lines, gzipped or not) against it, N times (default 1), on one thread.\n"
    "Prints each pattern's match count (one pass), the compile time, machine size and the\n"
    "resident memory before the events are loaded (rss_kb), then\n"
    "a last line: events=N seconds=S events_per_sec=R (matching only).\n";

typedef struct span {
    const char *s;
    size_t n;
} span;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int sb_cmd_bench(int argc, char **argv) {
    const char *pfile = NULL, *efile = NULL;
    long repeat = 1;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "signalbox bench: %s needs a value\n\n%s", argv[i], usage);
            return 2;
        }
        if (strcmp(argv[i], "--patterns") == 0)
            pfile = argv[++i];
        else if (strcmp(argv[i], "--events") == 0)
            efile = argv[++i];
        else if (strcmp(argv[i], "--repeat") == 0) {
            char *end;
            repeat = strtol(argv[++i], &end, 10);
            if (*end || repeat < 1) {
                fprintf(stderr, "signalbox bench: --repeat takes a positive integer\n");
                return 2;
            }
        } else {
            fprintf(stderr, "signalbox bench: unknown argument '%s'\n\n%s", argv[i], usage);
            return 2;
        }
    }
    if (!pfile || !efile) {
        fprintf(stderr, "signalbox bench: needs --patterns and --events\n\n%s", usage);
        return 2;
    }
    int status = 2;
    char *ptext = NULL, *etext = NULL;
    size_t plen, elen;
    sb_arena arena;
    sb_arena_init(&arena, 0);
    sb_patterns *ps = NULL;
    sb_machine *m = NULL;
    sb_matcher *mt = NULL;
    span *events = NULL;
    size_t *counts = NULL;
    if (sb_read_file(pfile, &ptext, &plen) != 0)
        goto out;
    sb_error err = {0};
    sb_jnode *root;
    size_t at;
    if (sb_json_parse(ptext, plen, &arena, false, &root, &err, &at) != SB_OK) {
        sb_error_locate(&err, pfile, ptext, plen, at);
        fprintf(stderr, "signalbox bench: %s\n", err.msg);
        goto out;
    }
    if (root->type != SB_JSON_ARRAY) {
        fprintf(stderr, "signalbox bench: %s must hold a JSON array of patterns\n", pfile);
        goto out;
    }
    ps = sb_patterns_new();
    if (!ps)
        goto out;
    double t0 = now();
    for (size_t i = 0; i < root->u.arr.n; i++) {
        if (sb_patterns_add_node(ps, (uint32_t)i, root->u.arr.items[i], pfile, ptext, plen, &err) !=
            SB_OK) {
            fprintf(stderr, "signalbox bench: %s\n", err.msg);
            goto out;
        }
    }
    m = sb_machine_compile(ps, &err);
    double compile_s = now() - t0;
    if (!m || !(mt = sb_matcher_new(m))) {
        fprintf(stderr, "signalbox bench: %s\n", m ? "out of memory" : err.msg);
        goto out;
    }
    /* resident memory with the machine built, before the events are loaded */
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    long rss_kb = ru.ru_maxrss;
    if (sb_read_file(efile, &etext, &elen) != 0)
        goto out;
    size_t nev = 0, cap = 1024;
    events = malloc(cap * sizeof *events);
    counts = calloc(root->u.arr.n + 1, sizeof *counts);
    if (!events || !counts)
        goto out;
    for (size_t i = 0; i < elen;) {
        const char *nl = memchr(etext + i, '\n', elen - i);
        size_t end = nl ? (size_t)(nl - etext) : elen;
        if (end > i) {
            if (nev == cap) {
                span *e = realloc(events, 2 * cap * sizeof *e);
                if (!e)
                    goto out;
                events = e;
                cap *= 2;
            }
            events[nev].s = etext + i;
            events[nev++].n = end - i;
        }
        i = end + 1;
    }
    size_t invalid = 0;
    for (size_t i = 0; i < nev; i++) { /* the counting pass, also warms the caches */
        const uint32_t *ids;
        int n = sb_match(mt, events[i].s, events[i].n, &ids, &err);
        if (n < 0) {
            if (invalid++ == 0)
                fprintf(stderr, "signalbox bench: event %zu: %s\n", i + 1, err.msg);
            continue;
        }
        for (int k = 0; k < n; k++)
            counts[ids[k]]++;
    }
    volatile size_t sink = 0;
    double t1 = now();
    for (long r = 0; r < repeat; r++) {
        for (size_t i = 0; i < nev; i++) {
            const uint32_t *ids;
            sink += (size_t)sb_match(mt, events[i].s, events[i].n, &ids, &err);
        }
    }
    double secs = now() - t1;
    (void)sink;
    for (size_t i = 0; i < root->u.arr.n; i++)
        printf("pattern %zu: %zu matches\n", i, counts[i]);
    sb_machine_stats st;
    sb_machine_stats_get(m, &st);
    printf("compile: patterns=%zu fields=%zu predicates=%zu states=%zu bytes=%zu seconds=%.6f "
           "rss_kb=%ld\n",
           st.patterns, st.fields, st.predicates, st.states, st.bytes, compile_s, rss_kb);
    if (invalid)
        printf("invalid_events=%zu\n", invalid);
    size_t total = nev * (size_t)repeat;
    printf("events=%zu seconds=%.6f events_per_sec=%.0f\n", total, secs,
           secs > 0 ? (double)total / secs : 0.0);
    status = 0;
out:
    free(events);
    free(counts);
    sb_matcher_free(mt);
    sb_machine_free(m);
    sb_patterns_free(ps);
    sb_arena_free(&arena);
    free(ptext);
    free(etext);
    return status;
}
