/* redis.c - Redis targets: streams (XADD), lists (RPUSH) and channels (PUBLISH).
 *
 * Commands go out on the shared connection without waiting for each other, so hiredis
 * pipelines them. The stream entry has one field, `event`, holding the payload; an approximate
 * MAXLEN (redis:stream:KEY?maxlen=N) keeps the stream bounded. Deliveries with an idempotency
 * key go through redis_once.c: exactly once into Redis. */
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target/redis_conn.h"
#include "target/redis_once.h"
#include "target/target.h"

typedef struct redis_target {
    sb_target_kind kind;
    char *key;
    char maxlen[24];     /* decimal, "" for none */
    sb_redis *conn;      /* borrowed */
    sb_redis_once *once; /* deliveries with an idempotency key */
} redis_target;

static int redis_create(const sb_target_spec *spec, const sb_target_env *env, void **state,
                        sb_error *err) {
    if (!env->redis)
        return sb_error_set(err, SB_EINVAL, "target %s: no Redis connection is configured",
                            spec->id);
    redis_target *t = calloc(1, sizeof *t);
    if (!t || !(t->key = strdup(spec->resource))) {
        free(t);
        return sb_error_set(err, SB_ENOMEM, "out of memory");
    }
    t->kind = spec->kind;
    t->conn = env->redis;
    long maxlen = spec->maxlen > 0 ? spec->maxlen : env->redis_stream_maxlen;
    if (maxlen > 0)
        snprintf(t->maxlen, sizeof t->maxlen, "%ld", maxlen);
    t->once = sb_redis_once_new(env->base, env->redis, t->key,
                                t->kind == SB_TARGET_REDIS_STREAM ? "stream"
                                : t->kind == SB_TARGET_REDIS_LIST ? "list"
                                                                  : "publish",
                                t->maxlen);
    if (!t->once) {
        free(t->key);
        free(t);
        return sb_error_set(err, SB_ENOMEM, "out of memory");
    }
    *state = t;
    return SB_OK;
}

static void redis_reply(struct redisReply *reply, void *arg) {
    sb_delivery *d = arg;
    if (!reply) {
        d->done(d, SB_SEND_RETRY, "RedisUnavailable", "the Redis connection is down");
    } else if (reply->type == REDIS_REPLY_ERROR) {
        /* OOM and LOADING pass; a wrong type or a refused command does not */
        bool transient =
            strncmp(reply->str, "OOM", 3) == 0 || strncmp(reply->str, "LOADING", 7) == 0 ||
            strncmp(reply->str, "BUSY", 4) == 0 || strncmp(reply->str, "TRYAGAIN", 8) == 0;
        d->done(d, transient ? SB_SEND_RETRY : SB_SEND_FAIL, "RedisError", reply->str);
    } else {
        d->done(d, SB_SEND_OK, NULL, NULL);
    }
}

static void redis_send(void *state, sb_delivery *d) {
    redis_target *t = state;
    if (d->idem_key && t->once) {
        sb_redis_once_send(t->once, d);
        return;
    }
    const char *argv[8];
    size_t len[8];
    int n = 0;
#define ARG(s, l) (argv[n] = (s), len[n] = (l), n++)
    switch (t->kind) {
    case SB_TARGET_REDIS_STREAM:
        ARG("XADD", 4);
        ARG(t->key, strlen(t->key));
        if (t->maxlen[0]) {
            ARG("MAXLEN", 6);
            ARG("~", 1);
            ARG(t->maxlen, strlen(t->maxlen));
        }
        ARG("*", 1);
        ARG("event", 5);
        ARG(d->payload, d->len);
        break;
    case SB_TARGET_REDIS_LIST:
        ARG("RPUSH", 5);
        ARG(t->key, strlen(t->key));
        ARG(d->payload, d->len);
        break;
    default:
        ARG("PUBLISH", 7);
        ARG(t->key, strlen(t->key));
        ARG(d->payload, d->len);
        break;
    }
#undef ARG
    sb_redis_command(t->conn, redis_reply, d, n, argv, len);
}

static void redis_destroy(void *state) {
    redis_target *t = state;
    if (t) {
        sb_redis_once_free(t->once);
        free(t->key);
    }
    free(t);
}

const sb_target_ops sb_redis_target_ops = {"redis", redis_create, redis_send, redis_destroy, true};
