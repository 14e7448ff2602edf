/* schedule.c - the Redis retry schedule: ZADD to wait, a Lua claim to take, ZREM when done. */
#include "delivery/schedule.h"

#include <event2/event.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "target/redis_conn.h"

struct sb_schedule {
    struct sb_redis *redis;
    struct event *tick;
    int64_t lease_ms;
    size_t max_claimed, claimed;
    size_t asked; /* how many the claim in flight may take */
    bool polling; /* a claim is in flight */
    bool more;    /* the last claim took all it asked for: more may be due */
    bool running; /* between start and stop */
    sb_schedule_due due;
    void *arg;
};

/* Takes up to ARGV[3] members due by ARGV[1] and pushes their score to ARGV[2] (the lease). */
static const char claim_script[] =
    "local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[3])\n"
    "for _, m in ipairs(due) do redis.call('ZADD', KEYS[1], 'XX', ARGV[2], m) end\n"
    "return due\n";

static int64_t now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void claim(sb_schedule *s);

static void on_claim(struct redisReply *reply, void *arg) {
    sb_schedule *s = arg;
    s->polling = false;
    s->more = false;
    if (!reply || reply->type != REDIS_REPLY_ARRAY)
        return; /* Redis down or a script error: the next tick tries again */
    s->more = reply->elements == s->asked;
    for (size_t i = 0; i < reply->elements; i++) {
        const redisReply *m = reply->element[i];
        if (m->type != REDIS_REPLY_STRING)
            continue;
        s->claimed++;
        sb_scheduled *rec =
            signalbox__v1__scheduled_delivery__unpack(NULL, m->len, (const uint8_t *)m->str);
        if (!rec) {
            sb_log(SB_LOG_ERROR, "retry", "a member of %s is not a ScheduledDelivery: removed",
                   SB_SCHEDULE_KEY);
            sb_schedule_remove(s, m->str, m->len);
            continue;
        }
        s->due(s->arg, rec, m->str, m->len);
        signalbox__v1__scheduled_delivery__free_unpacked(rec, NULL);
    }
    /* a backlog (after an outage, say) drains as fast as its deliveries settle, not one
     * claim per tick */
    if (s->more)
        claim(s);
}

/* Claims what is due, up to what max_claimed leaves room for (at most 200 at a time). */
static void claim(sb_schedule *s) {
    if (!s->running || s->polling || s->claimed >= s->max_claimed || !sb_redis_ready(s->redis))
        return;
    char now[24], until[24], limit[24];
    int64_t t = now_ms();
    snprintf(now, sizeof now, "%lld", (long long)t);
    snprintf(until, sizeof until, "%lld", (long long)(t + s->lease_ms));
    s->asked = s->max_claimed - s->claimed < 200 ? s->max_claimed - s->claimed : 200;
    snprintf(limit, sizeof limit, "%zu", s->asked);
    const char *argv[] = {"EVAL", claim_script, "1", SB_SCHEDULE_KEY, now, until, limit};
    size_t lens[7];
    for (int i = 0; i < 7; i++)
        lens[i] = strlen(argv[i]);
    s->polling = true;
    sb_redis_command(s->redis, on_claim, s, 7, argv, lens);
}

static void on_tick(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    claim(arg);
}

sb_schedule *sb_schedule_new(struct event_base *base, struct sb_redis *redis, int64_t lease_ms,
                             size_t max_claimed) {
    sb_schedule *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->redis = redis;
    s->lease_ms = lease_ms;
    s->max_claimed = max_claimed ? max_claimed : 1;
    s->tick = event_new(base, -1, EV_PERSIST, on_tick, s);
    if (!s->tick) {
        free(s);
        return NULL;
    }
    return s;
}

int sb_schedule_start(sb_schedule *s, sb_schedule_due due, void *arg) {
    s->due = due;
    s->arg = arg;
    s->running = true;
    struct timeval tv = {0, 200000};
    return event_add(s->tick, &tv);
}

void sb_schedule_stop(sb_schedule *s) {
    s->running = false;
    event_del(s->tick);
}

typedef struct add_ctx {
    sb_dlq_done done;
    void *arg;
} add_ctx;

static void on_add(struct redisReply *reply, void *arg) {
    add_ctx *a = arg;
    a->done(reply && reply->type == REDIS_REPLY_INTEGER, a->arg);
    free(a);
}

void sb_schedule_add(sb_schedule *s, const sb_scheduled *rec, sb_dlq_done done, void *arg) {
    size_t n = signalbox__v1__scheduled_delivery__get_packed_size(rec);
    uint8_t *buf = malloc(n ? n : 1);
    add_ctx *a = malloc(sizeof *a);
    if (!buf || !a) {
        free(buf);
        free(a);
        done(false, arg);
        return;
    }
    signalbox__v1__scheduled_delivery__pack(rec, buf);
    a->done = done;
    a->arg = arg;
    char due[24];
    snprintf(due, sizeof due, "%lld", (long long)rec->due_ms);
    const char *argv[] = {"ZADD", SB_SCHEDULE_KEY, due, (const char *)buf};
    size_t lens[] = {4, strlen(SB_SCHEDULE_KEY), strlen(due), n};
    sb_redis_command(s->redis, on_add, a, 4, argv, lens);
    free(buf); /* hiredis formatted the command already */
}

static void on_removed(struct redisReply *reply, void *arg) {
    (void)reply;
    (void)arg;
}

void sb_schedule_remove(sb_schedule *s, const void *member, size_t len) {
    if (s->claimed)
        s->claimed--;
    const char *argv[] = {"ZREM", SB_SCHEDULE_KEY, member};
    size_t lens[] = {4, strlen(SB_SCHEDULE_KEY), len};
    sb_redis_command(s->redis, on_removed, NULL, 3, argv, lens);
    if (s->more && s->claimed <= s->max_claimed / 2)
        claim(s); /* the backlog waited for room: take more now */
}

size_t sb_schedule_claimed(const sb_schedule *s) {
    return s->claimed;
}

void sb_schedule_free(sb_schedule *s) {
    if (!s)
        return;
    event_free(s->tick);
    free(s);
}
