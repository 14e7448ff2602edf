/* kafka_producer.h - HTTP ingest through Kafka (ingest-topic): each accepted event is produced
 * to one topic by the idempotent producer with acks=all, and its caller hears back once Kafka
 * has acknowledged it (or failed for good). Routing then happens on the consumer path, so an
 * acknowledged event survives a crash of the router.
 *
 * Runs on the event loop's thread: delivery reports arrive through librdkafka's main queue,
 * woken by a pipe that libevent watches. */
#ifndef SB_KAFKA_PRODUCER_H
#define SB_KAFKA_PRODUCER_H

#include <stddef.h>

#include "core/status.h"

struct event_base;

typedef struct sb_kafka_producer sb_kafka_producer;

/* The Kafka header that carries an event's bus on the ingest topic. */
#define SB_KAFKA_BUS_HEADER "signalbox-bus"

/* Called once per produced event: error is NULL when Kafka acknowledged it (all in-sync
 * replicas), else a short explanation (borrowed). */
typedef void (*sb_produce_done)(void *arg, const char *error);

/* Creates a producer of topic on brokers; properties (librdkafka K=V,..., may be NULL) are
 * applied after ours, so TLS and SASL settings reach it, but acks and idempotence cannot be
 * lowered. NULL with err on a bad property or a librdkafka error. */
sb_kafka_producer *sb_kafka_producer_new(struct event_base *base, const char *brokers,
                                         const char *properties, const char *topic, sb_error *err);

/* Produces payload[0..len) keyed by key (the event id: spreads events over partitions), with
 * the bus and the W3C traceparent (may be NULL) as headers. done(arg, ...) is called exactly
 * once, never before this function returns. Returns SB_OK, or an error (err set; done is then
 * not called) when librdkafka refuses the message at once (queue full, too large). */
int sb_kafka_produce(sb_kafka_producer *p, const char *key, const char *bus, const char *payload,
                     size_t len, const char *traceparent, sb_produce_done done, void *arg,
                     sb_error *err);

/* Events produced and not yet acknowledged or failed. */
size_t sb_kafka_producer_in_flight(const sb_kafka_producer *p);

/* Waits up to timeout_ms for the events in flight to be acknowledged (their callbacks run),
 * then fails what is left ("signalbox is shutting down") and frees everything. NULL is a
 * no-op. */
void sb_kafka_producer_free(sb_kafka_producer *p, int timeout_ms);

#endif
