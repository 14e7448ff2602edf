/* router_internal.h - what router.c (matching, install, starting deliveries) and outcome.c
 * (what happens after an attempt: retries, the schedule, dead letters, the circuit breaker,
 * idempotency) share. Not for other modules. */
#ifndef SB_ROUTER_INTERNAL_H
#define SB_ROUTER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "delivery/router.h"
#include "delivery/schedule.h"
#include "pattern/pattern.h"
#include "transform/transform.h"

struct event;

typedef struct live_target {
    const sb_target_spec *spec;
    const sb_target_ops *ops; /* NULL: this build cannot deliver to it yet */
    void *state;
    sb_transformer *tr;
    char dlq_key[320]; /* its dead-letter stream (the fallback when it has an SQS queue) */
    /* the SQS queue of its DeadLetterConfig, as a target of its own; NULL ops: none */
    const sb_target_ops *dlq_ops;
    void *dlq_state;
    /* circuit breaker: opens after SB_BREAKER_FAILURES retryable failures in a row */
    int fails, trips;
    int64_t open_until; /* monotonic ms; 0 when closed */
    bool probing;       /* half open: one delivery is finding out */
} live_target;

#define SB_BREAKER_FAILURES 5

/* An installed rule set with everything prepared for its targets. */
typedef struct live {
    int refs; /* the router's + one per delivery in flight */
    sb_ruleset *rs;
    live_target **targets;           /* [rule][target] */
    char **rule_arns;                /* [rule] */
    struct sb_jsonpath **idem_paths; /* [rule]: its IdempotencyKeyPath compiled, or NULL */
    sb_matcher **matchers;           /* [bus] */
} live;

struct sb_router {
    const sb_target_env *env;
    live *live;
    sb_router_stats stats;
    sb_match_observer on_match;
    sb_delivery_observer observe;
    void *observe_arg;
    int retry_limit; /* < 0: the targets' own policies */
    sb_router_guarantees g;
    struct delivery_ctx *waiting; /* deliveries waiting for an in-memory retry */
    uint64_t rng;
    bool draining;
};

typedef struct delivery_ctx {
    sb_delivery d; /* first: the target sees only this */
    sb_router *router;
    live *live;
    const sb_rule *rule;
    live_target *lt;
    sb_wait *wait;
    char *event; /* the envelope, owned: for retries from the schedule and dead letters */
    size_t event_len;
    int attempts;
    int64_t first_attempt_ms, ingest_ms; /* wall clock */
    char *idem_key;                      /* NULL without idempotency */
    char *member;                        /* the schedule member this retry came from */
    size_t member_len;
    struct event *timer;
    struct delivery_ctx *prev, *next; /* in router->waiting while a timer runs */
    int dlq_tries;
    bool dlq_fallback;     /* its SQS dead-letter queue refused it: the Redis stream instead */
    const char *exhausted; /* why retries ended (static text), NULL when they did not */
    char traceparent[64];
    char code[64], message[256]; /* the last failure */
} delivery_ctx;

/* Frees l when its last reference goes. */
void sb_live_unref(live *l);

/* Makes the first attempt of c (breaker, idempotency claim, send). */
void sb_attempt(delivery_ctx *c);

/* The target's answer to an attempt (sb_delivery.done). */
void sb_attempt_done(sb_delivery *d, sb_send_result res, const char *code, const char *message);

/* Wall clock and monotonic time in milliseconds. */
int64_t sb_wall_ms(void);
int64_t sb_mono_ms(void);

#endif
