/* deadletter.h - dead-letter queues in Redis streams.
 *
 * A dead letter is one XADD to the target's queue (DeadLetterConfig.Arn redis:stream:KEY, by
 * default signalbox:dlq:RULE:TARGET), whose key is also added to the set signalbox:dlqs so
 * that `signalbox dlq list` finds every queue. Fields (docs/dlq.md): kind=delivery with event,
 * event_id, bus, rule, target, target_arn, error_code, error_message, attempts,
 * first_attempt_ms, last_attempt_ms, exhausted; or kind=poison with raw, topic, partition,
 * offset, key, error_code=PoisonMessage, error_message, last_attempt_ms. */
#ifndef SB_DEADLETTER_H
#define SB_DEADLETTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sb_redis;

/* The set of every dead-letter stream written. */
#define SB_DLQ_INDEX "signalbox:dlqs"

typedef struct sb_dead_letter {
    const char *key; /* the stream */
    const char *event;
    size_t event_len;
    const char *event_id, *bus, *rule, *target, *target_arn;
    const char *error_code, *error_message;
    const char *exhausted; /* MaximumRetryAttemptsExceeded, MaximumEventAgeExceeded or "" */
    int attempts;
    int64_t first_attempt_ms, last_attempt_ms;
} sb_dead_letter;

/* Called once: stored is true when Redis has the entry. */
typedef void (*sb_dlq_done)(bool stored, void *arg);

/* Writes the default queue key of a rule's target ("signalbox:dlq:RULE:TARGET") into buf. */
void sb_dlq_default_key(const char *rule, const char *target, char *buf, size_t size);

/* The queue of a DeadLetterConfig.Arn ("redis:stream:KEY" -> KEY), or NULL when arn is not a
 * Redis stream (NULL arn: NULL). */
const char *sb_dlq_key_of_arn(const char *arn);

/* Stores dl (copied: nothing of it needs to outlive the call); done(stored, arg) once. */
void sb_dlq_write(struct sb_redis *r, const sb_dead_letter *dl, sb_dlq_done done, void *arg);

/* Stores an undecodable Kafka message with its raw bytes in signalbox:dlq:kafka:TOPIC;
 * done(stored, arg) once. */
void sb_dlq_write_poison(struct sb_redis *r, const char *topic, int32_t partition, int64_t offset,
                         const void *key, size_t key_len, const void *raw, size_t raw_len,
                         const char *why, sb_dlq_done done, void *arg);

#endif
