/* idempotency.h - effectively-once delivery per (rule, target, key) with Redis keys.
 *
 * Before a delivery the router claims signalbox:idem:{KEY}:RULE:TARGET with
 * `SET key lease NX PX lease GET`: it is ours (claimed), already delivered ("1": the delivery
 * is skipped as a duplicate), or claimed by a delivery still in progress elsewhere (busy:
 * retried later). After a success the key becomes "1" (Redis keeps it as a shared integer:
 * the cheapest value) for the TTL; after a failure it
 * is deleted so that a retry or a redrive can claim it. A router that crashes holding a claim
 * lets it expire with the lease. The hash tag {KEY} spreads keys over a Redis Cluster.
 *
 * Redis targets check and mark in their own Lua script (target/redis_once.c), against sets of
 * delivered keys instead of a key each: signalbox:idem:{RULE:TARGET:S}:EPOCH, S one of 16
 * shards by a hash of the key, EPOCH the number of whole TTLs since 1970 by Redis's clock. A
 * key is looked up in this epoch's set and the one before, and added to this one; each set
 * expires at the end of the epoch after its own, so a key is remembered for at least the TTL
 * and at most twice it. A set member costs Redis a third of a key with a TTL. */
#ifndef SB_IDEMPOTENCY_H
#define SB_IDEMPOTENCY_H

#include <stddef.h>

struct sb_redis;

typedef enum { SB_IDEM_CLAIMED, SB_IDEM_DONE, SB_IDEM_BUSY, SB_IDEM_ERROR } sb_idem_state;

typedef void (*sb_idem_cb)(sb_idem_state st, void *arg);

#define SB_IDEM_KEY_MAX 512

#define SB_IDEM_MEMBER_MAX 129

/* Writes the idempotency key key[0..len) as stored into buf (SB_IDEM_MEMBER_MAX bytes): itself,
 * or its SHA-256 in hex when it is longer than 128 bytes. */
void sb_idem_member(char *buf, const char *key, size_t len);

/* Writes the claim key of (rule, target, member) into buf (SB_IDEM_KEY_MAX bytes):
 * signalbox:idem:{MEMBER}:RULE:TARGET. */
void sb_idem_key(char *buf, const char *rule, const char *target, const char *member);

/* Writes the prefix of the delivered-marks sets of (rule, target) that hold member into buf
 * (SB_IDEM_KEY_MAX bytes): signalbox:idem:{RULE:TARGET:S}, to which the script adds ":EPOCH". */
void sb_idem_mark_set(char *buf, const char *rule, const char *target, const char *member);

/* Claims k for lease_ms; cb(state, arg) once. */
void sb_idem_claim(struct sb_redis *r, const char *k, long lease_ms, sb_idem_cb cb, void *arg);

/* Marks k delivered for ttl_ms (fire and forget). */
void sb_idem_mark_done(struct sb_redis *r, const char *k, long ttl_ms);

/* Drops the claim on k (fire and forget). */
void sb_idem_release(struct sb_redis *r, const char *k);

#endif
