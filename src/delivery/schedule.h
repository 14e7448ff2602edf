/* schedule.h - the durable retry schedule: deliveries that keep failing wait in Redis, in the
 * sorted set signalbox:retry scored by due time (epoch ms), each member a protobuf
 * signalbox.v1.ScheduledDelivery (proto/delivery.proto).
 *
 * Any router may take a due member: a Lua script claims it atomically by pushing its score a
 * lease ahead, so a router that crashes while retrying it lets it come due again when the lease
 * runs out (at least once). The router that finishes with a member removes it. */
#ifndef SB_SCHEDULE_H
#define SB_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include "delivery.pb-c.h"
#include "delivery/deadletter.h"

struct event_base;
struct sb_redis;

#define SB_SCHEDULE_KEY "signalbox:retry"

typedef Signalbox__V1__ScheduledDelivery sb_scheduled;
typedef struct sb_schedule sb_schedule;

/* Called for each member claimed: rec decoded, member[0..len) its bytes (both borrowed for the
 * call: copy the member to remove it later). */
typedef void (*sb_schedule_due)(void *arg, const sb_scheduled *rec, const void *member, size_t len);

/* A schedule on redis; lease_ms is how long a claim holds; at most max_claimed members are
 * claimed and not yet removed at any time. NULL when out of memory. */
sb_schedule *sb_schedule_new(struct event_base *base, struct sb_redis *redis, int64_t lease_ms,
                             size_t max_claimed);

/* Starts polling for due members (every 200 ms) and hands each one to due(arg, ...). */
int sb_schedule_start(sb_schedule *s, sb_schedule_due due, void *arg);

/* Stops taking due members (a drain begins); adding and removing still work. */
void sb_schedule_stop(sb_schedule *s);

/* Adds rec (due at rec->due_ms); done(stored, arg) once. */
void sb_schedule_add(sb_schedule *s, const sb_scheduled *rec, sb_dlq_done done, void *arg);

/* Removes a member this router claimed and has finished with (fire and forget). */
void sb_schedule_remove(sb_schedule *s, const void *member, size_t len);

/* Members claimed and not yet removed. */
size_t sb_schedule_claimed(const sb_schedule *s);

/* Stops polling and frees s (NULL is a no-op). Claimed members stay in Redis and come due
 * again when their lease ends. */
void sb_schedule_free(sb_schedule *s);

#endif
