/* router.c - matching, transformation and hand-off to targets, with completion counting. */
#include "delivery/router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/envelope.h"
#include "core/log.h"
#include "delivery/deadletter.h"
#include "delivery/idempotency.h"
#include "transform/jsonpath.h"
#include "delivery/router_internal.h"
#include "transform/transform.h"

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
            if (lt->dlq_ops && lt->dlq_state)
                lt->dlq_ops->destroy(lt->dlq_state);
            sb_transformer_free(lt->tr);
        }
        if (l->targets)
            free(l->targets[i]);
        if (l->rule_arns)
            free(l->rule_arns[i]);
        if (l->idem_paths)
            sb_jsonpath_free(l->idem_paths[i]);
    }
    for (size_t b = 0; l->rs && l->matchers && b < l->rs->nbuses; b++)
        sb_matcher_free(l->matchers[b]);
    free(l->targets);
    free(l->rule_arns);
    free(l->idem_paths);
    free(l->matchers);
    sb_ruleset_free(l->rs);
    free(l);
}

/* Prepares the SQS queue of lt's DeadLetterConfig as a target of its own. */
static int install_sqs_dead_letters(sb_router *r, live_target *lt, sb_error *err) {
    const sb_target_ops *ops = sb_target_ops_for(SB_TARGET_SQS);
    if (!ops)
        return sb_error_set(err, SB_EINVAL,
                            "target %s: DeadLetterConfig Arn %s: this build has "
                            "no SQS targets",
                            lt->spec->id, lt->spec->dlq_arn);
    sb_error e;
    if (ops->create(lt->spec->dlq_sqs, r->env, &lt->dlq_state, &e) != SB_OK)
        return sb_error_set(err, e.code, "target %s: DeadLetterConfig Arn %s: %s", lt->spec->id,
                            lt->spec->dlq_arn, e.msg);
    lt->dlq_ops = ops;
    return SB_OK;
}

void sb_live_unref(live *l) {
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
        sb_live_unref(r->live);
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
    l->idem_paths = calloc(rs->nrules ? rs->nrules : 1, sizeof *l->idem_paths);
    l->matchers = calloc(rs->nbuses ? rs->nbuses : 1, sizeof *l->matchers);
    int rc = SB_OK;
    if (!l->targets || !l->rule_arns || !l->idem_paths || !l->matchers)
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
        if (rule->idempotency_key_path &&
            !(l->idem_paths[i] = sb_jsonpath_new(rule->idempotency_key_path, err))) {
            char what[SB_ERROR_MSG_MAX];
            snprintf(what, sizeof what, "%s", err ? err->msg : "");
            rc = sb_error_set(err, err ? err->code : SB_EINVAL,
                              "%s:%u: rule %s: "
                              "IdempotencyKeyPath: %s",
                              rule->file, rule->line, rule->name, what);
            break;
        }
        for (size_t t = 0; rc == SB_OK && t < rule->ntargets; t++) {
            live_target *lt = &l->targets[i][t];
            lt->spec = &rule->targets[t];
            const char *dk = sb_dlq_key_of_arn(lt->spec->dlq_arn);
            if (dk)
                snprintf(lt->dlq_key, sizeof lt->dlq_key, "%s", dk);
            else
                sb_dlq_default_key(rule->name, lt->spec->id, lt->dlq_key, sizeof lt->dlq_key);
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
            if (rc == SB_OK && lt->spec->dlq_sqs)
                rc = install_sqs_dead_letters(r, lt, err);
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
        sb_live_unref(old);
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
    int64_t ingest_ms;
} route_ctx;

/* Where a delivery resumes from when it comes from the retry schedule. */
typedef struct resume {
    int attempts;
    int64_t first_attempt_ms, ingest_ms;
    const void *member;
    size_t member_len;
} resume;

/* The idempotency Redis key of the delivery of event x to target t of rule ri, for the key
 * that is the rule's IdempotencyKeyPath value (its JSON text), else the event id: the claim
 * key, or for targets that mark atomically the prefix of the mark sets; the stored key itself
 * (sb_idem_member) follows at SB_IDEM_KEY_MAX in the same allocation. NULL when idempotency
 * is off for it or out of memory. */
static char *idem_key_of(sb_router *r, live *l, size_t ri, size_t t, route_ctx *x) {
    const sb_rule *rule = &l->rs->rules[ri];
    if (!rule->idempotency_key_path && !r->g.idempotency)
        return NULL;
    const char *key = x->event_id;
    size_t len = strlen(key);
    const sb_jsonpath *p = l->idem_paths[ri];
    if (p) {
        sb_error e;
        if (!x->root &&
            sb_json_parse(x->event, x->len, &x->arena, false, &x->root, &e, NULL) != SB_OK)
            x->root = NULL;
        const sb_jnode *v = x->root ? sb_jsonpath_get(p, x->root) : NULL;
        if (v && v->type == SB_JSON_STRING) {
            key = v->u.str.s;
            len = v->u.str.len;
        } else if (v) {
            key = x->event + v->offset;
            len = v->end - v->offset;
        }
    }
    char *k = malloc(SB_IDEM_KEY_MAX + SB_IDEM_MEMBER_MAX);
    if (!k)
        return NULL;
    char *member = k + SB_IDEM_KEY_MAX;
    sb_idem_member(member, key, len);
    if (l->targets[ri][t].ops && l->targets[ri][t].ops->atomic_idempotency)
        sb_idem_mark_set(k, rule->name, rule->targets[t].id, member);
    else
        sb_idem_key(k, rule->name, rule->targets[t].id, member);
    return k;
}

/* Starts the delivery of the event to target t of rule ri of l, counting into w (from its
 * first attempt, or from where the schedule left it). Returns 1 when started, 0 when it
 * failed at once (counted as failed). */
static int start_delivery(sb_router *r, live *l, size_t ri, size_t t, route_ctx *x, sb_wait *w,
                          const resume *from) {
    const sb_rule *rule = &l->rs->rules[ri];
    live_target *lt = &l->targets[ri][t];
    if (!lt->ops) {
        r->stats.failed++;
        w->failed++;
        sb_log_fields(SB_LOG_WARN, "delivery", x->event_id, rule->name, lt->spec->id,
                      "%s targets are not delivered by this version",
                      sb_target_kind_name(lt->spec->kind));
        return 0;
    }
    sb_buf payload;
    sb_buf_init(&payload);
    sb_error terr;
    int rc = SB_OK;
    if (sb_transformer_is_identity(lt->tr)) {
        sb_buf_append(&payload, x->event, x->len);
    } else {
        if (!x->root &&
            sb_json_parse(x->event, x->len, &x->arena, false, &x->root, &terr, NULL) != SB_OK)
            x->root = NULL;
        sb_transform_vars vars = {l->rule_arns[ri], rule->name, x->when};
        rc = x->root
                 ? sb_transformer_apply(lt->tr, x->root, x->event, x->len, &vars, &payload, &terr)
                 : SB_EINVAL;
    }
    delivery_ctx *c = calloc(1, sizeof *c);
    char *event = c ? malloc(x->len ? x->len : 1) : NULL;
    if (!c || !event || sb_buf_failed(&payload)) {
        r->stats.failed++;
        w->failed++;
        sb_log_fields(SB_LOG_ERROR, "delivery", x->event_id, rule->name, lt->spec->id,
                      "out of memory: delivery dropped");
        sb_buf_free(&payload);
        free(event);
        free(c);
        return 0;
    }
    memcpy(event, x->event, x->len);
    c->event = event;
    c->event_len = x->len;
    c->d.payload = sb_buf_take(&payload, &c->d.len);
    snprintf(c->d.event_id, sizeof c->d.event_id, "%s", x->event_id);
    snprintf(c->traceparent, sizeof c->traceparent, "%s", x->traceparent ? x->traceparent : "");
    c->d.rule = rule->name;
    c->d.target_id = lt->spec->id;
    c->d.traceparent = c->traceparent[0] ? c->traceparent : NULL;
    c->d.event = c->event;
    c->d.event_len = c->event_len;
    c->d.ingest_ns = x->ingest_ns;
    c->d.done = sb_attempt_done;
    c->router = r;
    c->live = l;
    c->rule = rule;
    c->lt = lt;
    c->wait = w;
    c->ingest_ms = x->ingest_ms;
    if (from) {
        c->attempts = from->attempts;
        c->first_attempt_ms = from->first_attempt_ms;
        c->ingest_ms = from->ingest_ms;
        c->member = malloc(from->member_len ? from->member_len : 1);
        if (c->member) {
            memcpy(c->member, from->member, from->member_len);
            c->member_len = from->member_len;
        }
    }
    l->refs++;
    w->pending++;
    r->stats.in_flight++;
    if (rc != SB_OK) {
        /* a transform that fails is permanent: straight to the dead letters */
        sb_attempt_done(&c->d, SB_SEND_FAIL, "TransformFailed", terr.msg);
        return 1;
    }
    c->idem_key = idem_key_of(r, l, ri, t, x);
    sb_attempt(c);
    return 1;
}

static void route_ctx_init(route_ctx *x, const char *event, size_t len, const char *event_id,
                           int64_t ingest_ns, time_t ingest_time, const char *traceparent) {
    x->ingest_ms = (int64_t)ingest_time * 1000;
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
            started += start_delivery(r, l, ids[k], t, &x, w, NULL);
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
            int started = start_delivery(r, l, ri, t, &x, w, NULL);
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

void sb_router_set_guarantees(sb_router *r, const sb_router_guarantees *g) {
    r->g = *g;
}

/* The internal waiter of a delivery taken from the schedule: nobody waits for it. */
static void scheduled_complete(sb_wait *w) {
    free(w);
}

void sb_router_take_scheduled(void *router, const sb_scheduled *rec, const void *member,
                              size_t len) {
    sb_router *r = router;
    sb_wait *w = calloc(1, sizeof *w);
    if (!w) {
        sb_schedule_remove(r->g.schedule, member, len); /* comes due again after the lease */
        return;
    }
    w->pending = 1;
    w->complete = scheduled_complete;
    live *l = r->live;
    int started = -1;
    for (size_t ri = 0; l && started < 0 && ri < l->rs->nrules; ri++) {
        const sb_rule *rule = &l->rs->rules[ri];
        if (strcmp(rule->name, rec->rule) != 0)
            continue;
        for (size_t t = 0; started < 0 && t < rule->ntargets; t++) {
            if (strcmp(rule->targets[t].id, rec->target) != 0)
                continue;
            route_ctx x;
            route_ctx_init(&x, (const char *)rec->event.data, rec->event.len, rec->event_id,
                           sb_mono_ms() * 1000000, (time_t)(rec->ingest_ms / 1000),
                           rec->traceparent);
            resume from = {rec->attempts, rec->first_attempt_ms, rec->ingest_ms, member, len};
            started = start_delivery(r, l, ri, t, &x, w, &from);
            sb_arena_free(&x.arena);
        }
    }
    if (started < 0) {
        /* the rule or the target is gone: the delivery becomes a dead letter */
        char key[320];
        sb_dlq_default_key(rec->rule, rec->target, key, sizeof key);
        sb_dead_letter dl = {key,
                             (const char *)rec->event.data,
                             rec->event.len,
                             rec->event_id,
                             rec->bus,
                             rec->rule,
                             rec->target,
                             "",
                             "TargetGone",
                             "the rule or its target no longer exists in the rules in force",
                             "",
                             rec->attempts,
                             rec->first_attempt_ms,
                             sb_wall_ms()};
        sb_dlq_write(r->env->redis, &dl, NULL, NULL);
        sb_schedule_remove(r->g.schedule, member, len);
        sb_log_fields(SB_LOG_WARN, "delivery", rec->event_id, rec->rule, rec->target,
                      "scheduled retry for a rule or target that no longer exists: dead letter "
                      "in %s",
                      key);
    }
    sb_wait_release(w);
}
