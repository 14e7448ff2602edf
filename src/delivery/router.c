/* router.c - matching, transformation and hand-off to targets, with completion counting. */
#include "delivery/router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/envelope.h"
#include "core/log.h"
#include "transform/transform.h"

typedef struct live_target {
    const sb_target_spec *spec;
    const sb_target_ops *ops; /* NULL: this build cannot deliver to it yet */
    void *state;
    sb_transformer *tr;
} live_target;

/* An installed rule set with everything prepared for its targets. */
typedef struct live {
    int refs; /* the router's + one per delivery in flight */
    sb_ruleset *rs;
    live_target **targets; /* [rule][target] */
    char **rule_arns;      /* [rule] */
    sb_matcher **matchers; /* [bus] */
} live;

struct sb_router {
    const sb_target_env *env;
    live *live;
    sb_router_stats stats;
    sb_match_observer on_match;
    sb_delivery_observer observe;
    void *observe_arg;
    int retry_limit; /* < 0: the targets' own policies */
};

typedef struct delivery_ctx {
    sb_delivery d; /* first: the target sees only this */
    sb_router *router;
    live *live;
    const sb_rule *rule;
    const sb_target_spec *spec;
    sb_wait *wait;
} delivery_ctx;

void sb_wait_release(sb_wait *w) {
    if (--w->pending == 0 && w->complete)
        w->complete(w);
}

static void live_free(live *l) {
    if (!l)
        return;
    for (size_t i = 0; l->rs && i < l->rs->nrules; i++) {
        for (size_t t = 0; l->targets && l->targets[i] && t < l->rs->rules[i].ntargets; t++) {
            live_target *lt = &l->targets[i][t];
            if (lt->ops && lt->state)
                lt->ops->destroy(lt->state);
            sb_transformer_free(lt->tr);
        }
        if (l->targets)
            free(l->targets[i]);
        if (l->rule_arns)
            free(l->rule_arns[i]);
    }
    for (size_t b = 0; l->rs && l->matchers && b < l->rs->nbuses; b++)
        sb_matcher_free(l->matchers[b]);
    free(l->targets);
    free(l->rule_arns);
    free(l->matchers);
    sb_ruleset_free(l->rs);
    free(l);
}

static void live_unref(live *l) {
    if (--l->refs == 0)
        live_free(l);
}

sb_router *sb_router_new(const sb_target_env *env) {
    sb_router *r = calloc(1, sizeof *r);
    if (r) {
        r->env = env;
        r->retry_limit = -1;
    }
    return r;
}

void sb_router_free(sb_router *r) {
    if (!r)
        return;
    if (r->live)
        live_unref(r->live);
    free(r);
}

void sb_router_observe(sb_router *r, sb_match_observer on_match, sb_delivery_observer on_done,
                       void *arg) {
    r->on_match = on_match;
    r->observe = on_done;
    r->observe_arg = arg;
}

int sb_router_install(sb_router *r, sb_ruleset *rs, const char *account, const char *region,
                      sb_error *err) {
    live *l = calloc(1, sizeof *l);
    if (!l) {
        sb_ruleset_free(rs);
        return sb_error_set(err, SB_ENOMEM, "out of memory");
    }
    l->refs = 1;
    l->rs = rs;
    l->targets = calloc(rs->nrules ? rs->nrules : 1, sizeof *l->targets);
    l->rule_arns = calloc(rs->nrules ? rs->nrules : 1, sizeof *l->rule_arns);
    l->matchers = calloc(rs->nbuses ? rs->nbuses : 1, sizeof *l->matchers);
    int rc = SB_OK;
    if (!l->targets || !l->rule_arns || !l->matchers)
        rc = sb_error_set(err, SB_ENOMEM, "out of memory");
    for (size_t b = 0; rc == SB_OK && b < rs->nbuses; b++)
        if (!(l->matchers[b] = sb_matcher_new(rs->buses[b].machine)))
            rc = sb_error_set(err, SB_ENOMEM, "out of memory");
    for (size_t i = 0; rc == SB_OK && i < rs->nrules; i++) {
        const sb_rule *rule = &rs->rules[i];
        char arn[512];
        if (strcmp(rule->bus, "default") == 0)
            snprintf(arn, sizeof arn, "arn:aws:events:%s:%s:rule/%s", region, account, rule->name);
        else
            snprintf(arn, sizeof arn, "arn:aws:events:%s:%s:rule/%s/%s", region, account, rule->bus,
                     rule->name);
        l->rule_arns[i] = strdup(arn);
        l->targets[i] = calloc(rule->ntargets ? rule->ntargets : 1, sizeof(live_target));
        if (!l->rule_arns[i] || !l->targets[i]) {
            rc = sb_error_set(err, SB_ENOMEM, "out of memory");
            break;
        }
        for (size_t t = 0; rc == SB_OK && t < rule->ntargets; t++) {
            live_target *lt = &l->targets[i][t];
            lt->spec = &rule->targets[t];
            lt->tr = sb_transformer_new(lt->spec, err);
            if (!lt->tr) {
                rc = err ? err->code : SB_EINVAL;
                break;
            }
            lt->ops = sb_target_ops_for(lt->spec->kind);
            if (lt->ops && lt->ops->create(lt->spec, r->env, &lt->state, err) != SB_OK) {
                rc = err ? err->code : SB_EINVAL;
                lt->ops = NULL;
            }
        }
        if (rc != SB_OK) {
            char what[SB_ERROR_MSG_MAX];
            snprintf(what, sizeof what, "%s", err ? err->msg : "");
            sb_error_set(err, rc, "%s:%u: rule %s: %s", rule->file, rule->line, rule->name, what);
        }
    }
    if (rc != SB_OK) {
        live_free(l);
        return rc;
    }
    live *old = r->live;
    r->live = l;
    if (old)
        live_unref(old);
    return SB_OK;
}

const sb_ruleset *sb_router_rules(const sb_router *r) {
    return r->live ? r->live->rs : NULL;
}

void sb_router_stats_get(const sb_router *r, sb_router_stats *st) {
    *st = r->stats;
}

static int bus_index(const live *l, const char *bus) {
    for (size_t b = 0; l && b < l->rs->nbuses; b++)
        if (strcmp(l->rs->buses[b].name, bus) == 0)
            return (int)b;
    return -1;
}

int sb_router_match(sb_router *r, const char *bus, const char *event, size_t len,
                    const uint32_t **ids, sb_error *err) {
    int b = bus_index(r->live, bus);
    if (b < 0) {
        if (strcmp(bus, "default") == 0 && r->live) {
            *ids = NULL; /* the default bus always exists, even without rules */
            return 0;
        }
        return sb_error_set(err, SB_ENOTFOUND, "event bus %s does not exist", bus);
    }
    return sb_match(r->live->matchers[b], event, len, ids, err);
}

static void delivery_done(sb_delivery *d, sb_send_result res, const char *code,
                          const char *message) {
    delivery_ctx *c = (delivery_ctx *)d;
    sb_router *r = c->router;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double secs = ((int64_t)now.tv_sec * 1000000000 + now.tv_nsec - d->ingest_ns) / 1e9;
    r->stats.in_flight--;
    if (res == SB_SEND_OK) {
        r->stats.delivered++;
        c->wait->delivered++;
    } else {
        /* no retries yet: a failed delivery is final, logged and counted */
        r->stats.failed++;
        c->wait->failed++;
        sb_log_fields(SB_LOG_WARN, "delivery", c->d.event_id, c->rule->name, c->spec->id,
                      "delivery failed (%s): %s: %s", sb_send_result_name(res),
                      code ? code : "Error", message ? message : "");
    }
    if (r->observe)
        r->observe(r->observe_arg, c->rule, c->spec, res, secs);
    sb_wait *w = c->wait;
    live_unref(c->live);
    free(d->payload);
    free(c);
    sb_wait_release(w);
}

/* What one event needs while its deliveries are started. */
typedef struct route_ctx {
    const char *event;
    size_t len;
    const char *event_id;
    int64_t ingest_ns;
    char when[32];
    const char *traceparent;
    sb_arena arena;
    sb_jnode *root; /* parsed on first need */
} route_ctx;

/* Starts the delivery of the event to target t of rule ri of l, counting into w. Returns 1
 * when started, 0 when it failed at once (counted as failed). */
static int start_delivery(sb_router *r, live *l, size_t ri, size_t t, route_ctx *rc_, sb_wait *w) {
    const sb_rule *rule = &l->rs->rules[ri];
    live_target *lt = &l->targets[ri][t];
    if (!lt->ops) {
        r->stats.failed++;
        w->failed++;
        sb_log_fields(SB_LOG_WARN, "delivery", rc_->event_id, rule->name, lt->spec->id,
                      "%s targets are not delivered by this version",
                      sb_target_kind_name(lt->spec->kind));
        return 0;
    }
    sb_buf payload;
    sb_buf_init(&payload);
    sb_error terr;
    int rc = SB_OK;
    if (sb_transformer_is_identity(lt->tr)) {
        sb_buf_append(&payload, rc_->event, rc_->len);
    } else {
        if (!rc_->root && sb_json_parse(rc_->event, rc_->len, &rc_->arena, false, &rc_->root, &terr,
                                        NULL) != SB_OK)
            rc_->root = NULL;
        sb_transform_vars vars = {l->rule_arns[ri], rule->name, rc_->when};
        rc = rc_->root ? sb_transformer_apply(lt->tr, rc_->root, rc_->event, rc_->len, &vars,
                                              &payload, &terr)
                       : SB_EINVAL;
    }
    delivery_ctx *c = rc == SB_OK && !sb_buf_failed(&payload) ? calloc(1, sizeof *c) : NULL;
    if (!c) {
        r->stats.failed++;
        w->failed++;
        sb_log_fields(SB_LOG_WARN, "delivery", rc_->event_id, rule->name, lt->spec->id,
                      "transform failed: %s", rc ? terr.msg : "out of memory");
        sb_buf_free(&payload);
        return 0;
    }
    c->d.payload = sb_buf_take(&payload, &c->d.len);
    snprintf(c->d.event_id, sizeof c->d.event_id, "%s", rc_->event_id);
    c->d.rule = rule->name;
    c->d.target_id = lt->spec->id;
    c->d.traceparent = rc_->traceparent;
    c->d.ingest_ns = rc_->ingest_ns;
    c->d.done = delivery_done;
    c->router = r;
    c->live = l;
    c->rule = rule;
    c->spec = lt->spec;
    c->wait = w;
    l->refs++;
    w->pending++;
    r->stats.in_flight++;
    lt->ops->send(lt->state, &c->d);
    return 1;
}

static void route_ctx_init(route_ctx *x, const char *event, size_t len, const char *event_id,
                           int64_t ingest_ns, time_t ingest_time, const char *traceparent) {
    x->event = event;
    x->len = len;
    x->event_id = event_id;
    x->ingest_ns = ingest_ns;
    x->traceparent = traceparent;
    x->root = NULL;
    sb_rfc3339(ingest_time, x->when);
    sb_arena_init(&x->arena, 8192);
}

int sb_router_route(sb_router *r, const char *bus, const char *event, size_t len,
                    const char *event_id, int64_t ingest_ns, time_t ingest_time,
                    const char *traceparent, sb_wait *w, sb_error *err) {
    const uint32_t *ids;
    int n = sb_router_match(r, bus, event, len, &ids, err);
    if (n < 0)
        return n;
    r->stats.routed++;
    r->stats.matched += (uint64_t)n;
    live *l = r->live;
    route_ctx x;
    route_ctx_init(&x, event, len, event_id, ingest_ns, ingest_time, traceparent);
    int started = 0;
    for (int k = 0; k < n; k++) {
        const sb_rule *rule = &l->rs->rules[ids[k]];
        if (r->on_match)
            r->on_match(r->observe_arg, rule);
        for (size_t t = 0; t < rule->ntargets; t++)
            started += start_delivery(r, l, ids[k], t, &x, w);
    }
    sb_arena_free(&x.arena);
    return started;
}

int sb_router_deliver_to(sb_router *r, const char *rule, const char *target_id, const char *event,
                         size_t len, const char *event_id, int64_t ingest_ns, time_t ingest_time,
                         const char *traceparent, sb_wait *w, sb_error *err) {
    live *l = r->live;
    for (size_t ri = 0; l && ri < l->rs->nrules; ri++) {
        if (strcmp(l->rs->rules[ri].name, rule) != 0)
            continue;
        for (size_t t = 0; t < l->rs->rules[ri].ntargets; t++) {
            if (strcmp(l->rs->rules[ri].targets[t].id, target_id) != 0)
                continue;
            route_ctx x;
            route_ctx_init(&x, event, len, event_id, ingest_ns, ingest_time, traceparent);
            int started = start_delivery(r, l, ri, t, &x, w);
            sb_arena_free(&x.arena);
            return started;
        }
        return sb_error_set(err, SB_ENOTFOUND, "rule %s has no target %s", rule, target_id);
    }
    return sb_error_set(err, SB_ENOTFOUND, "no rule %s", rule);
}

void sb_router_limit_retries(sb_router *r, int max_attempts) {
    r->retry_limit = max_attempts;
}
