/* http_ingest.h - the HTTP listener: EventBridge's API (PutEvents, TestEventPattern) on
 * `POST /` with X-Amz-Target, `POST /events` for plain and CloudEvents posts, and the admin
 * paths handed to a callback.
 *
 * An ingest call is answered once each of its events has been delivered to every matching
 * target or has failed for good; nothing is answered early. With a producer (ingest-topic),
 * once each event is acknowledged by Kafka instead; the consumer path routes it.
 *
 * A call with an `Idempotency-Key` header is answered once: a repeat within the TTL gets the
 * first call's answer (same event ids) and routes nothing; a repeat while the first is still in
 * progress gets 409. Above max_in_flight deliveries, ingest calls get 429 with Retry-After. */
#ifndef SB_HTTP_INGEST_H
#define SB_HTTP_INGEST_H

#include <stddef.h>

#include "core/status.h"
#include "delivery/router.h"

struct event_base;
struct evhttp_request;

typedef struct sb_ingest sb_ingest;

typedef struct sb_ingest_options {
    const char *host;
    int port;
    size_t max_body; /* bytes; larger bodies are refused with 413 */
    const char *account, *region;
    /* GET requests and unknown paths go here (metrics, health); NULL answers 404 */
    void (*admin)(struct evhttp_request *req, void *arg);
    void *arg; /* passed to admin and count_in */
    /* counts events in, by source kind and bus (for metrics); may be NULL */
    void (*count_in)(void *arg, const char *source_kind, const char *bus, size_t n);
    /* ingest through Kafka (ingest-topic): accepted events are produced here instead of being
     * routed, and each call is answered once Kafka has acknowledged its events; NULL routes
     * them directly */
    struct sb_kafka_producer *producer;
    /* deliveries in flight (router) above which ingest calls are answered 429 /
     * ThrottlingException with Retry-After; 0 for no limit */
    size_t max_in_flight;
    /* where the answers of calls with an Idempotency-Key header are kept, and for how long;
     * NULL: the header is ignored */
    struct sb_redis *redis;
    long idempotency_ttl_ms;
    /* who may send (API keys, SigV4: auth/auth.h); NULL: anyone who reaches the listener */
    struct sb_auth *auth;
    /* true: GET requests and unknown paths get 404 here (the admin paths have a listener of
     * their own, admin-listen) */
    bool admin_elsewhere;
    /* TLS on the listener (source/tls.h), NULL for plain HTTP */
    struct ssl_ctx_st *tls;
    /* seconds a connection may stay idle, mid-request or between requests */
    int client_timeout_s;
} sb_ingest_options;

/* Answers req with status, a Content-Type and the body body[0..len) (copied). */
void sb_http_reply(struct evhttp_request *req, int status, const char *ctype, const char *body,
                   size_t len);

/* Binds the listener and starts serving on base. NULL with err when the address cannot be
 * bound. */
sb_ingest *sb_ingest_new(struct event_base *base, sb_router *router, const sb_ingest_options *o,
                         sb_error *err);

/* Stops accepting connections (a drain begins): new calls on open connections are answered
 * 503 with Retry-After; calls in flight go on. */
void sb_ingest_stop_accepting(sb_ingest *in);

/* Ingest calls waiting for their deliveries or for their answer to be written out. */
size_t sb_ingest_in_flight(const sb_ingest *in);

/* The port actually bound (useful with port 0). */
int sb_ingest_port(const sb_ingest *in);

/* Frees the listener; calls still waiting are abandoned (their clients see the connection
 * close). */
void sb_ingest_free(sb_ingest *in);

#endif
