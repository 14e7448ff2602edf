/* target.h - the target plugin interface: one table of operations per kind of target.
 *
 * The router turns each match into an sb_delivery (the payload for one target of one rule)
 * and hands it to the target's send(); the target calls d->done exactly once with OK, RETRY or
 * FAIL. RETRY means the failure may pass (timeouts, 5xx, throttling, a lost connection); FAIL
 * means it will not (4xx, a missing queue, a refused command). */
#ifndef SB_TARGET_H
#define SB_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "rules/rule.h"

struct event_base;
struct sb_redis;
struct sb_http_client;

typedef enum { SB_SEND_OK = 0, SB_SEND_RETRY = 1, SB_SEND_FAIL = 2 } sb_send_result;

/* Returns "ok", "retry" or "fail". */
const char *sb_send_result_name(sb_send_result r);

typedef struct sb_delivery sb_delivery;

/* Called once per delivery. code is a short error code ("RedisError", "HTTP 503",
 * "Timeout"), message a human explanation; both NULL on success, and borrowed. */
typedef void (*sb_delivery_done)(sb_delivery *d, sb_send_result r, const char *code,
                                 const char *message);

struct sb_delivery {
    char *payload; /* owned by the delivery */
    size_t len;
    char event_id[37];
    const char *rule;        /* borrowed from the rule set, alive as long as the delivery */
    const char *target_id;   /* likewise */
    const char *traceparent; /* W3C trace context to pass on, or NULL */
    int64_t ingest_ns;       /* CLOCK_MONOTONIC time the event arrived */
    /* the event (envelope JSON) the payload was made from, borrowed like rule: for values a
     * target takes from the event itself (an SQS MessageGroupId given as a JSONPath) */
    const char *event;
    size_t event_len;
    sb_delivery_done done;
    long retry_after_ms; /* set by a target before done(RETRY) when it was told when to come
                            back (Retry-After); 0 otherwise */
    /* effectively-once in the target itself (ops->atomic_idempotency): deliver only when the
     * key is not marked and mark it with the delivery, atomically; the target sets
     * duplicate when it skipped the delivery. idem_key is the prefix of the mark sets and
     * idem_member the key itself (delivery/idempotency.h). NULL: no idempotency for this
     * delivery */
    const char *idem_key, *idem_member;
    /* further message attributes for queue and topic targets, as nattributes name/value
     * pairs (attributes[2i], attributes[2i+1]): the dead letters the router sends to an SQS
     * queue carry EventBridge's RULE_ARN, TARGET_ARN, ... this way; borrowed, or NULL */
    const char *const *attributes;
    size_t nattributes;
    long idem_ttl_ms;
    bool duplicate;
    void *owner; /* the router's context */
};

struct sb_http_auth;

/* What targets may use: the event loop, the shared connections and settings. */
typedef struct sb_target_env {
    struct event_base *base;
    struct sb_redis *redis;
    struct sb_http_client *http;
    long http_timeout_ms;
    long redis_stream_maxlen; /* MAXLEN of stream targets without their own, 0 for none */
    /* SQS and SNS targets (docs/aws-targets.md): endpoint overrides ("" or NULL: the
     * region's AWS endpoint over HTTPS), how long a batch may wait to fill, and how many
     * requests one target may have in flight */
    const char *sqs_endpoint, *sns_endpoint;
    long aws_linger_ms;
    long aws_concurrency;
    /* the credentials of a named connection, or NULL when there is none by that name */
    struct sb_http_auth *(*auth)(void *arg, const char *name);
    void *auth_arg;
} sb_target_env;

typedef struct sb_target_ops {
    const char *name;
    /* Prepares the state of one target of one rule; SB_OK or an error with err set. */
    int (*create)(const sb_target_spec *spec, const sb_target_env *env, void **state,
                  sb_error *err);
    /* Starts delivering d (whose payload is ready); d->done is called exactly once, possibly
     * before send returns. */
    void (*send)(void *state, sb_delivery *d);
    /* Frees the state. No delivery of it is in flight. */
    void (*destroy)(void *state);
    /* true when send() honours sb_delivery.idem_key atomically (Redis targets, whose keys live
     * in the same Redis); otherwise the router claims and marks the key around send() */
    bool atomic_idempotency;
} sb_target_ops;

/* The operations of a kind of target, or NULL when this build cannot deliver to it yet. */
const sb_target_ops *sb_target_ops_for(sb_target_kind kind);

#endif
