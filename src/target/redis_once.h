/* redis_once.h - exactly-once delivery into Redis: deliveries that carry an idempotency key are
 * gathered for one turn of the event loop and sent as one EVALSHA whose Lua script, for each
 * of them, sets the key ("1", NX, with its TTL) and, when that succeeds, runs the command
 * (XADD, RPUSH or PUBLISH); a command that fails drops the key again. The mark and the
 * delivery cannot be separated by a crash, and one script call carries many deliveries, which
 * is what keeps Redis's Lua cost per event low (perf/delivery).
 *
 * The keys of one call are the target's key and the idempotency keys: on a Redis Cluster they
 * would have to share a slot, which they do not; use a single Redis (or replicas) for targets
 * with idempotency. */
#ifndef SB_REDIS_ONCE_H
#define SB_REDIS_ONCE_H

#include "target/target.h"

struct event_base;
struct sb_redis;

typedef struct sb_redis_once sb_redis_once;

/* A batcher for the target `key` of kind "stream", "list" or "publish" (maxlen: "" or an
 * approximate MAXLEN for streams; copied). NULL when out of memory. */
sb_redis_once *sb_redis_once_new(struct event_base *base, struct sb_redis *conn, const char *key,
                                 const char *kind, const char *maxlen);

/* Queues d (d->idem_key set) for the next batch; d->done runs once its reply is in (OK with
 * d->duplicate when the key was already done). */
void sb_redis_once_send(sb_redis_once *o, sb_delivery *d);

/* Frees o; nothing may be queued or in flight (NULL is a no-op). */
void sb_redis_once_free(sb_redis_once *o);

#endif
