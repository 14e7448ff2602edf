/* router.h - from an event to its deliveries: match against the bus's rules, transform per
 * target, hand to the targets, and count down until every delivery is done.
 *
 * Runs on the event loop's thread. The installed rule set is shared by reference: a new one
 * (reload) is swapped in at once, and deliveries in flight finish on the set they started
 * with, which is freed when the last of them is done. */
#ifndef SB_ROUTER_H
#define SB_ROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/status.h"
#include "rules/rule.h"
#include "target/target.h"

typedef struct sb_router sb_router;

/* A group of deliveries that someone waits for (an ingest call). Set pending to 1 before
 * routing its events and call sb_wait_release() after the last one: complete() runs once,
 * when every delivery started for the group is done. */
typedef struct sb_wait sb_wait;
struct sb_wait {
    size_t pending;
    size_t delivered; /* deliveries that succeeded */
    size_t failed;    /* deliveries that failed for good (logged and counted) */
    void (*complete)(sb_wait *w);
};

/* Drops the caller's hold on w; runs w->complete when nothing else is pending. */
void sb_wait_release(sb_wait *w);

/* Counters of the router, for metrics and status. */
typedef struct sb_router_stats {
    uint64_t routed;       /* events routed */
    uint64_t matched;      /* rule matches */
    uint64_t delivered;    /* deliveries done OK */
    uint64_t failed;       /* deliveries failed for good */
    uint64_t in_flight;    /* deliveries started and not done */
    uint64_t retries;      /* attempts after the first */
    uint64_t scheduled;    /* deliveries handed to the Redis retry schedule */
    uint64_t dead_letters; /* deliveries stored in a dead-letter queue */
    uint64_t duplicates;   /* deliveries skipped: their idempotency key was done */
} sb_router_stats;

/* Called when a delivery is done (for metrics): the rule, target, result, and the seconds
 * from ingest to completion. */
typedef void (*sb_delivery_observer)(void *arg, const sb_rule *rule, const sb_target_spec *t,
                                     sb_send_result r, double seconds);

/* Creates a router that delivers through env (borrowed; must outlive it). */
sb_router *sb_router_new(const sb_target_env *env);

/* Frees the router. No delivery may be in flight (see sb_router_stats). */
void sb_router_free(sb_router *r);

/* Called for each rule an event matched (for metrics). */
typedef void (*sb_match_observer)(void *arg, const sb_rule *rule);

/* Sets the observers of matches and of finished deliveries (NULL for none). */
void sb_router_observe(sb_router *r, sb_match_observer on_match, sb_delivery_observer on_done,
                       void *arg);

/* Installs rule set rs (taken: the router frees it). Prepares every target (transformers,
 * connections); on failure returns an error, frees rs and keeps the previous set. */
int sb_router_install(sb_router *r, sb_ruleset *rs, const char *account, const char *region,
                      sb_error *err);

/* The installed rule set (NULL before the first install). Borrowed until the next install. */
const sb_ruleset *sb_router_rules(const sb_router *r);

/* Routes one event (its envelope JSON text) on bus `bus`: returns the number of deliveries
 * started (0 when no rule matched), or SB_ENOTFOUND for an unknown bus, SB_EINVAL for an event
 * that is not a JSON object (err set). Deliveries count into w. ingest_ns is the
 * CLOCK_MONOTONIC arrival time, ingest_time the wall clock (for <aws.events.event.ingestion-time>).
 */
int sb_router_route(sb_router *r, const char *bus, const char *event, size_t len,
                    const char *event_id, int64_t ingest_ns, time_t ingest_time,
                    const char *traceparent, sb_wait *w, sb_error *err);

/* Delivers event (an envelope's JSON text) to the target target_id of the rule named rule in
 * the installed set, as routing would (transform, send, retries and dead letters by the
 * target's policy), counting into w. For redrives and scheduled retries. Returns 1 when the
 * delivery started, 0 when it failed at once (counted in w->failed), SB_ENOTFOUND (err set)
 * when the set has no such rule or target. */
int sb_router_deliver_to(sb_router *r, const char *rule, const char *target_id, const char *event,
                         size_t len, const char *event_id, int64_t ingest_ns, time_t ingest_time,
                         const char *traceparent, sb_wait *w, sb_error *err);

/* Caps the retries of every target at max_attempts (one-shot tools: `dlq redrive` uses 0, so
 * a delivery that fails again goes straight back to a dead-letter queue). Negative: the
 * targets' own RetryPolicy. */
void sb_router_limit_retries(sb_router *r, int max_attempts);

struct sb_schedule;

/* What the router promises beyond one attempt (docs/delivery.md). */
typedef struct sb_router_guarantees {
    bool idempotency;          /* claim a key per rule, target and event before each delivery */
    long idempotency_ttl_ms;   /* how long a delivered key is kept */
    long idempotency_lease_ms; /* how long a claim holds */
    /* the durable retry schedule; NULL: every retry stays in memory */
    struct sb_schedule *schedule;
} sb_router_guarantees;

/* Sets the guarantees (copied). Before the first route. */
void sb_router_set_guarantees(sb_router *r, const sb_router_guarantees *g);

/* The schedule's due callback (sb_schedule_due): resumes a delivery taken from the retry
 * schedule with the rules in force; a delivery whose rule or target is gone becomes a dead
 * letter. router is the sb_router. */
struct Signalbox__V1__ScheduledDelivery;
void sb_router_take_scheduled(void *router, const struct Signalbox__V1__ScheduledDelivery *rec,
                              const void *member, size_t len);

/* A drain begins: deliveries waiting in memory for a retry move to the schedule now (or, with
 * none, are retried at once), so that nothing waits for a timer while the router stops. */
void sb_router_drain(sb_router *r);

/* Current counters. */
void sb_router_stats_get(const sb_router *r, sb_router_stats *st);

/* The ids of the rules (indices into sb_router_rules()->rules) that event matches on bus, for
 * TestEventPattern-like queries; *ids valid until the next call. Negative on error. */
int sb_router_match(sb_router *r, const char *bus, const char *event, size_t len,
                    const uint32_t **ids, sb_error *err);

#endif
