/* dlq_redrive.c - `signalbox dlq redrive`: dead letters delivered again through the current
 * rules.
 *
 * A router like serve's (same targets, connections and idempotency settings) with retries
 * capped at 0 delivers each selected entry to its rule's target with sb_router_deliver_to, the
 * event keeping its id. When a delivery is finished the entry is removed (XDEL): delivered,
 * or failed again and stored by the router as a new dead letter. An entry whose delivery ends
 * neither way (its rule or target is gone, the new dead letter could not be written) stays.
 * Entries go a page at a time, --parallel of them in flight, and the run stops starting new
 * ones after --max-failures failures in a row (the target is evidently still broken). */
#include <event2/event.h>
#include <hiredis/hiredis.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/dlq_store.h"
#include "cli/target_env.h"
#include "core/log.h"
#include "delivery/deadletter.h"
#include "delivery/router.h"
#include "rules/rule.h"
#include "target/redis_conn.h"

typedef struct redrive redrive;

/* One entry to deliver; its strings are borrowed from the scan's current page. */
typedef struct item {
    sb_wait w; /* first: the completion callback gets &w */
    redrive *rd;
    const sb_dlqcli_entry *e;
    const char *event, *event_id, *rule, *target;
    size_t event_len;
    const sb_target_spec *spec;
    char why[SB_ERROR_MSG_MAX]; /* when it could not even start */
} item;

struct redrive {
    const sb_dlqcli_opts *o;
    const sb_config *cfg;
    sb_dlqcli_conn *conn;
    const char *key;
    const sb_ruleset *rules; /* the router's, or rs (dry run) */
    sb_ruleset *rs;          /* owned until installed */
    struct event_base *base;
    sb_redis *redis;
    sb_delivery_env de; /* the HTTP client, the connections' credentials, target settings */
    sb_router *router;
    struct event *pump;
    item *items;
    size_t nitems, next, in_flight, finished;
    uint64_t seen_dead, seen_dup; /* router counters at the last completion */
    size_t selected, ok, duplicates, failed, new_dead, skipped, not_tried, unremoved;
    long fails_in_a_row;
    bool stopped;
};

/* ---- the router, as serve builds it ---- */

static int64_t mono_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Builds the router and installs rd->rs (taken). Returns 0, or 2 with a message printed. */
static int start_router(redrive *rd) {
    rd->base = event_base_new();
    if (!rd->base)
        goto oom;
    sb_redis_options ro = {rd->cfg->redis_host, rd->cfg->redis_port, rd->cfg->redis_user,
                           rd->cfg->redis_password, rd->cfg->redis_db};
    rd->redis = sb_redis_new(rd->base, &ro);
    if (!rd->redis || sb_delivery_env_init(&rd->de, rd->cfg, rd->base, rd->redis) != SB_OK)
        goto oom;
    rd->router = sb_router_new(&rd->de.env);
    if (!rd->router)
        goto oom;
    /* no durable schedule: a failure goes straight back to a dead-letter queue */
    sb_router_limit_retries(rd->router, 0);
    sb_router_guarantees g = {rd->cfg->idempotency, rd->cfg->idempotency_ttl_ms,
                              rd->cfg->idempotency_lease_ms, NULL};
    sb_router_set_guarantees(rd->router, &g);
    sb_error err;
    sb_ruleset *rs = rd->rs;
    rd->rs = NULL;
    if (sb_router_install(rd->router, rs, rd->cfg->account, rd->cfg->region, &err) != SB_OK) {
        fprintf(stderr, "signalbox dlq redrive: the rules in %s cannot be used: %s\n",
                rd->cfg->rules, err.msg);
        return 2;
    }
    rd->rules = sb_router_rules(rd->router);
    /* the router's own connection (targets, dead letters, idempotency keys) must be up first:
     * commands sent before fail at once */
    for (int64_t end = mono_ms() + 5000; !sb_redis_ready(rd->redis) && mono_ms() < end;) {
        struct timeval tv = {0, 20000};
        event_base_loopexit(rd->base, &tv);
        event_base_dispatch(rd->base);
    }
    if (!sb_redis_ready(rd->redis)) {
        fprintf(stderr,
                "signalbox dlq redrive: the router's connection to Redis at %s is not up "
                "after 5 s: %s\n",
                rd->conn->where, sb_redis_last_error(rd->redis));
        return 2;
    }
    return 0;
oom:
    fprintf(stderr, "signalbox dlq redrive: out of memory\n");
    return 2;
}

static void stop_router(redrive *rd) {
    if (rd->pump)
        event_free(rd->pump);
    sb_delivery_env_fini(&rd->de);
    sb_redis_free(rd->redis);
    sb_router_free(rd->router);
    if (rd->base)
        event_base_free(rd->base);
}

/* ---- one entry ---- */

static void print_entry_head(const char *what, const sb_dlqcli_entry *e) {
    printf("%-9s %s", what, e->id);
}

/* The rule named name on bus (any bus when bus is empty), or NULL with why set. Refuses a
 * name that sb_router_deliver_to, which looks rules up by name alone, would resolve to
 * another bus's rule. */
static const sb_rule *find_rule(const sb_ruleset *rs, const char *name, const char *bus, char *why,
                                size_t size) {
    const sb_rule *first = NULL, *on_bus = NULL;
    for (size_t i = 0; i < rs->nrules; i++) {
        const sb_rule *r = &rs->rules[i];
        if (strcmp(r->name, name) != 0)
            continue;
        if (!first)
            first = r;
        if (!on_bus && (!*bus || strcmp(r->bus, bus) == 0))
            on_bus = r;
    }
    if (!on_bus)
        snprintf(why, size, "no rule %s on bus %s in the rules (%s)", name, *bus ? bus : "default",
                 first ? "it is on another bus" : "removed or renamed?");
    else if (on_bus != first)
        snprintf(why, size, "rule %s is defined on several buses: cannot redrive to bus %s", name,
                 bus);
    return on_bus == first ? on_bus : NULL;
}

/* Classifies entry e: 1 to deliver (it->fields set), 0 when it was reported and counted. */
static int check_entry(redrive *rd, const sb_dlqcli_entry *e, item *it) {
    const char *kind = sb_dlqcli_get(e, "kind", NULL);
    memset(it, 0, sizeof *it);
    it->rd = rd;
    it->e = e;
    if (kind && strcmp(kind, "poison") == 0) {
        rd->skipped++;
        print_entry_head("skipped", e);
        const char *topic = sb_dlqcli_get(e, "topic", NULL),
                   *p = sb_dlqcli_get(e, "partition", NULL),
                   *off = sb_dlqcli_get(e, "offset", NULL);
        printf(": a poison message (topic %s partition %s offset %s) is not redriven; kept\n",
               topic ? topic : "?", p ? p : "?", off ? off : "?");
        return 0;
    }
    it->event = sb_dlqcli_get(e, "event", &it->event_len);
    it->event_id = sb_dlqcli_get(e, "event_id", NULL);
    it->rule = sb_dlqcli_get(e, "rule", NULL);
    it->target = sb_dlqcli_get(e, "target", NULL);
    const char *bus = sb_dlqcli_get(e, "bus", NULL);
    const char *missing = !kind || strcmp(kind, "delivery") != 0 ? "kind=delivery"
                          : !it->event                           ? "event"
                          : !it->event_id || !*it->event_id      ? "event_id"
                          : !it->rule || !*it->rule              ? "rule"
                          : !it->target || !*it->target          ? "target"
                                                                 : NULL;
    if (missing) {
        rd->skipped++;
        print_entry_head("skipped", e);
        printf(": not a dead letter of a delivery (no %s); kept\n", missing);
        return 0;
    }
    char why[SB_ERROR_MSG_MAX];
    const sb_rule *rule = find_rule(rd->rules, it->rule, bus ? bus : "", why, sizeof why);
    for (size_t t = 0; rule && t < rule->ntargets && !it->spec; t++)
        if (strcmp(rule->targets[t].id, it->target) == 0)
            it->spec = &rule->targets[t];
    if (rule && !it->spec)
        snprintf(why, sizeof why, "rule %s has no target %s any more", it->rule, it->target);
    else if (rule && !rule->enabled)
        snprintf(why, sizeof why, "rule %s is DISABLED", it->rule);
    if (!rule || !it->spec || !rule->enabled) {
        rd->failed++;
        rd->fails_in_a_row++;
        print_entry_head(rd->o->dry_run ? "would fail" : "failed", e);
        printf(": event %s: %s; kept\n", it->event_id, why);
        return 0;
    }
    if (rd->o->dry_run) {
        rd->ok++;
        print_entry_head("would", e);
        printf(": redrive event %s to rule %s target %s (%s)\n", it->event_id, it->rule, it->target,
               it->spec->arn);
        return 0;
    }
    return 1;
}

/* Removes entry id from the queue; false (reported) when Redis would not. */
static bool remove_entry(redrive *rd, const char *id) {
    sb_error err;
    const char *a[] = {"XDEL", rd->key, id};
    redisReply *r = sb_dlqcli_cmd(rd->conn, &err, 3, a);
    if (!r) {
        fprintf(stderr, "signalbox dlq redrive: entry %s was redriven but stays in %s: %s\n", id,
                rd->key, err.msg);
        rd->unremoved++;
        return false;
    }
    freeReplyObject(r);
    return true;
}

/* Prints the error of the dead letter the router just wrote for it (its newest entry with the
 * event's id in the target's queue). */
static void print_new_dead_letter(redrive *rd, const item *it) {
    char key[320];
    const char *k = sb_dlq_key_of_arn(it->spec->dlq_arn);
    if (k)
        snprintf(key, sizeof key, "%s", k);
    else
        sb_dlq_default_key(it->rule, it->target, key, sizeof key);
    sb_error err;
    const char *a[] = {"XREVRANGE", key, "+", "-", "COUNT", "50"};
    redisReply *r = sb_dlqcli_cmd(rd->conn, &err, 6, a);
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
        redisReply *e = r->element[i];
        if (e->type != REDIS_REPLY_ARRAY || e->elements < 2 ||
            e->element[1]->type != REDIS_REPLY_ARRAY)
            continue;
        const char *code = "", *msg = "";
        bool mine = false;
        for (size_t j = 0; j + 1 < e->element[1]->elements; j += 2) {
            const char *f = e->element[1]->element[j]->str, *v = e->element[1]->element[j + 1]->str;
            if (!f || !v)
                continue;
            if (strcmp(f, "event_id") == 0)
                mine = strcmp(v, it->event_id) == 0;
            else if (strcmp(f, "error_code") == 0)
                code = v;
            else if (strcmp(f, "error_message") == 0)
                msg = v;
        }
        if (mine) {
            sb_buf b;
            sb_buf_init(&b);
            sb_dlqcli_put_text(&b, code, strlen(code));
            sb_buf_puts(&b, ": ");
            sb_dlqcli_put_text(&b, msg, strlen(msg));
            printf(" %s; new dead letter %s in %s", sb_buf_failed(&b) ? "?" : b.data,
                   e->element[0]->str, key);
            sb_buf_free(&b);
            break;
        }
    }
    if (r)
        freeReplyObject(r);
}

static void on_finished(sb_wait *w) {
    item *it = (item *)w;
    redrive *rd = it->rd;
    sb_router_stats st;
    sb_router_stats_get(rd->router, &st);
    /* The router counts a dead letter, or a duplicate, just before it finishes that delivery,
     * and this runs inside that finish: a counter that moved since the last completion moved
     * for this delivery. */
    bool dead = st.dead_letters > rd->seen_dead, dup = st.duplicates > rd->seen_dup;
    rd->seen_dead = st.dead_letters;
    rd->seen_dup = st.duplicates;
    rd->in_flight--;
    rd->finished++;
    if (w->delivered) {
        rd->ok++;
        rd->duplicates += dup;
        rd->fails_in_a_row = 0;
        print_entry_head("redriven", it->e);
        printf(": event %s to rule %s target %s%s\n", it->event_id, it->rule, it->target,
               dup ? " (already delivered before: idempotency key; not sent again)" : "");
        remove_entry(rd, it->e->id);
    } else {
        rd->failed++;
        rd->fails_in_a_row++;
        print_entry_head("failed", it->e);
        printf(": event %s to rule %s target %s:", it->event_id, it->rule, it->target);
        if (dead) {
            rd->new_dead++;
            print_new_dead_letter(rd, it);
            printf("\n");
            remove_entry(rd, it->e->id);
        } else {
            printf(" %s; kept\n",
                   it->why[0] ? it->why : "neither delivered nor dead-lettered (see the log)");
        }
    }
    if (rd->o->max_failures && rd->fails_in_a_row >= rd->o->max_failures)
        rd->stopped = true;
    event_active(rd->pump, EV_TIMEOUT, 0);
}

/* Starts deliveries up to --parallel; ends the loop when the page is done. */
static void pump(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    redrive *rd = arg;
    while (!rd->stopped && rd->next < rd->nitems && rd->in_flight < (size_t)rd->o->parallel) {
        item *it = &rd->items[rd->next++];
        it->w.pending = 1;
        it->w.complete = on_finished;
        rd->in_flight++;
        sb_error err;
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        int rc = sb_router_deliver_to(rd->router, it->rule, it->target, it->event, it->event_len,
                                      it->event_id, (int64_t)now.tv_sec * 1000000000 + now.tv_nsec,
                                      time(NULL), NULL, &it->w, &err);
        if (rc < 0)
            snprintf(it->why, sizeof it->why, "%s", err.msg);
        sb_wait_release(&it->w); /* may finish it at once */
    }
    if (rd->in_flight == 0 && (rd->stopped || rd->next == rd->nitems))
        event_base_loopbreak(rd->base);
}

/* Delivers the page's items; returns when each has finished or the run stopped. */
static void run_page(redrive *rd) {
    rd->next = rd->finished = rd->in_flight = 0;
    if (!rd->nitems)
        return;
    event_active(rd->pump, EV_TIMEOUT, 0);
    while (rd->in_flight || (!rd->stopped && rd->next < rd->nitems))
        if (event_base_dispatch(rd->base) != 0)
            break; /* nothing left to wait for (cannot happen while a delivery is in flight) */
    rd->not_tried += rd->nitems - rd->next;
}

static int run(redrive *rd) {
    const sb_dlqcli_opts *o = rd->o;
    sb_error err;
    sb_dlqcli_scan *scan;
    if (sb_dlqcli_scan_new(rd->conn, rd->key, o, 0, &scan, &err) != SB_OK) {
        fprintf(stderr, "signalbox dlq redrive: %s\n", err.msg);
        return err.code == SB_EINVAL ? 2 : 1;
    }
    const sb_dlqcli_entry *entries;
    size_t n;
    int status = 0;
    while (!status) {
        if (sb_dlqcli_scan_next(scan, &entries, &n, &err) != SB_OK) {
            fprintf(stderr, "signalbox dlq redrive: %s\n", err.msg);
            status = 1;
            break;
        }
        if (n == 0)
            break;
        rd->selected += n;
        item *items = realloc(rd->items, n * sizeof *items);
        if (!items) {
            fprintf(stderr, "signalbox dlq redrive: out of memory\n");
            status = 1;
            break;
        }
        rd->items = items;
        rd->nitems = 0;
        for (size_t i = 0; i < n; i++) {
            if (rd->stopped) {
                rd->not_tried++;
                continue;
            }
            if (check_entry(rd, &entries[i], &rd->items[rd->nitems]))
                rd->nitems++;
            else if (o->max_failures && rd->fails_in_a_row >= o->max_failures)
                rd->stopped = true;
        }
        run_page(rd);
        fflush(stdout);
    }
    size_t missing = sb_dlqcli_scan_missing(scan);
    sb_dlqcli_scan_free(scan);
    if (status)
        return status;
    if (o->dry_run)
        printf("dry run, nothing changed: %zu selected in %s: %zu would be redriven, %zu would "
               "fail, %zu skipped",
               rd->selected, rd->key, rd->ok, rd->failed, rd->skipped);
    else
        printf("%zu selected in %s: %zu redriven OK, %zu failed again (%zu new dead letters), %zu "
               "skipped",
               rd->selected, rd->key, rd->ok, rd->failed, rd->new_dead, rd->skipped);
    if (rd->duplicates)
        printf(", %zu of the OK already delivered before (not sent again)", rd->duplicates);
    if (rd->not_tried)
        printf(", %zu not tried (stopped after %ld failures in a row; --max-failures 0 tries "
               "every entry)",
               rd->not_tried, o->max_failures);
    if (missing)
        printf(", %zu ids not found", missing);
    printf("\n");
    if (rd->unremoved)
        printf("%zu redriven entries could not be removed from %s (see above)\n", rd->unremoved,
               rd->key);
    return rd->failed || rd->not_tried || missing || rd->unremoved ? 1 : 0;
}

int sb_dlqcli_redrive(const sb_dlqcli_opts *o, const sb_config *cfg, sb_dlqcli_conn *conn,
                      const char *key) {
    redrive rd;
    memset(&rd, 0, sizeof rd);
    rd.o = o;
    rd.cfg = cfg;
    rd.conn = conn;
    rd.key = key;
    sb_diag diag = {0};
    const char *paths[] = {cfg->rules};
    if (sb_ruleset_load(paths, 1, &rd.rs, &diag) != SB_OK) {
        fprintf(stderr, "signalbox dlq redrive: the rules in %s cannot be loaded:\n", cfg->rules);
        for (size_t i = 0; i < diag.n; i++)
            fprintf(stderr, "  %s\n", diag.msgs[i]);
        sb_diag_free(&diag);
        return 2;
    }
    sb_diag_free(&diag);
    int status;
    if (o->dry_run) {
        rd.rules = rd.rs;
        status = run(&rd);
    } else if ((status = start_router(&rd)) == 0) {
        rd.pump = event_new(rd.base, -1, 0, pump, &rd);
        status = rd.pump ? run(&rd) : 2;
    }
    stop_router(&rd);
    sb_ruleset_free(rd.rs);
    free(rd.items);
    return status;
}
