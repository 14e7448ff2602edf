/* idempotency.h - effectively-once delivery per (rule, target, key) with Redis keys.
 *
 * Before a delivery the router claims signalbox:idem:{KEY}:RULE:TARGET with
 * `SET key lease NX PX lease GET`: it is ours (claimed), already delivered ("1": the delivery
 * is skipped as a duplicate), or claimed by a delivery still in progress elsewhere (busy:
 * retried later). After a success the key becomes "1" (Redis keeps it as a shared integer:
 * the cheapest value) for the TTL; after a failure it
 * is deleted so that a retry or a redrive can claim it. A router that crashes holding a claim
 * lets it expire with the lease. The hash tag {KEY} spreads keys over a Redis Cluster. */
#ifndef SB_IDEMPOTENCY_H
#define SB_IDEMPOTENCY_H

#include <stddef.h>

struct sb_redis;

typedef enum { SB_IDEM_CLAIMED, SB_IDEM_DONE, SB_IDEM_BUSY, SB_IDEM_ERROR } sb_idem_state;

typedef void (*sb_idem_cb)(sb_idem_state st, void *arg);

#define SB_IDEM_KEY_MAX 512

/* Writes the key of (rule, target, key[0..len)) into buf (SB_IDEM_KEY_MAX bytes); keys longer
 * than 128 bytes are replaced by their SHA-256 in hex. */
void sb_idem_key(char *buf, const char *rule, const char *target, const char *key, size_t len);

/* Claims k for lease_ms; cb(state, arg) once. */
void sb_idem_claim(struct sb_redis *r, const char *k, long lease_ms, sb_idem_cb cb, void *arg);

/* Marks k delivered for ttl_ms (fire and forget). */
void sb_idem_mark_done(struct sb_redis *r, const char *k, long ttl_ms);

/* Drops the claim on k (fire and forget). */
void sb_idem_release(struct sb_redis *r, const char *k);

#endif
