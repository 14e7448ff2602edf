/* kafka.h - the Kafka source: a consumer group member on the event loop.
 *
 * Each message becomes an event (EventBridge JSON, CloudEvents JSON or binary ce_* headers,
 * CloudEvents protobuf, or plain JSON wrapped into an envelope) routed like an ingest call. A
 * partition's offset is committed only up to the first message not yet settled (delivered to
 * every matching target or failed for good), so a crash or a rebalance replays, never loses.
 * When more than max_in_flight messages are unsettled the router stops taking messages (the
 * bounded prefetch then stops fetching), and takes them again at half. A message that cannot
 * be decoded or is too large is logged with topic/partition/offset, counted, and settled: one
 * poison message never stalls a partition. */
#ifndef SB_KAFKA_H
#define SB_KAFKA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "delivery/router.h"

struct event_base;
struct sb_redis;

typedef struct sb_kafka sb_kafka;

typedef struct sb_kafka_options {
    const char *brokers; /* bootstrap servers; ignored with mock */
    const char *group;
    const char *topics;     /* TOPIC[=BUS][:FORMAT],... */
    const char *properties; /* librdkafka K=V,... applied last (may be NULL) */
    bool mock;              /* start an in-process mock cluster with these topics */
    const char *account, *region;
    size_t max_in_flight;
    size_t max_message; /* bytes; a larger message is poison (0: no limit) */
    /* where poison messages are stored with their raw bytes (signalbox:dlq:kafka:TOPIC); NULL
     * for nowhere */
    struct sb_redis *dlq;
    /* counts events in and poison messages (for metrics); may be NULL */
    void (*count_in)(void *arg, const char *source_kind, const char *bus, size_t n);
    void (*count_poison)(void *arg, const char *topic);
    /* reports each assigned partition's consumer lag (high watermark minus the position) about
     * once a second; may be NULL */
    void (*report_lag)(void *arg, const char *topic, int32_t partition, int64_t lag);
    void *arg;
} sb_kafka_options;

/* Validates the topic list, starts the mock cluster if asked, joins the group and starts
 * consuming on base. NULL with err on a bad topic list or a librdkafka error. */
sb_kafka *sb_kafka_new(struct event_base *base, sb_router *router, const sb_kafka_options *o,
                       sb_error *err);

/* The mock cluster's bootstrap address, or NULL without a mock. */
const char *sb_kafka_mock_bootstrap(const sb_kafka *k);

/* Messages taken from Kafka and not yet settled. */
size_t sb_kafka_in_flight(const sb_kafka *k);

/* Stops taking messages (a drain begins); deliveries in flight go on and still commit. */
void sb_kafka_stop(sb_kafka *k);

/* Commits what is settled, leaves the group and frees everything (NULL is a no-op). */
void sb_kafka_free(sb_kafka *k);

#endif
