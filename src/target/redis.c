/* redis.c - Redis targets: streams (XADD), lists (RPUSH) and channels (PUBLISH).
 *
 * Commands go out on the shared connection without waiting for each other, so hiredis
 * pipelines them. The stream entry has one field, `event`, holding the payload; an approximate
 * MAXLEN (redis:stream:KEY?maxlen=N) keeps the stream bounded. With an idempotency key the
 * command runs in a Lua script together with the key's check and mark, so a delivery and its
 * mark cannot be separated by a crash: exactly once into Redis. */
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target/redis_conn.h"
#include "target/target.h"

typedef struct redis_target {
    sb_target_kind kind;
    char *key;
    char maxlen[24]; /* decimal, "" for none */
    sb_redis *conn;  /* borrowed */
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

/* Delivery and idempotency mark in one step: nothing when KEYS[2] is done, else the command
 * (ARGV[2]: stream, list or publish; ARGV[3]: MAXLEN or "") and the mark for ARGV[1] ms. */
static const char idem_script[] =
    "if redis.call('GET', KEYS[2]) == 'done' then return 0 end\n"
    "if ARGV[2] == 'stream' then\n"
    "  if ARGV[3] ~= '' then\n"
    "    redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'event', ARGV[4])\n"
    "  else redis.call('XADD', KEYS[1], '*', 'event', ARGV[4]) end\n"
    "elseif ARGV[2] == 'list' then redis.call('RPUSH', KEYS[1], ARGV[4])\n"
    "else redis.call('PUBLISH', KEYS[1], ARGV[4]) end\n"
    "redis.call('SET', KEYS[2], 'done', 'PX', ARGV[1])\n"
    "return 1\n";

static void redis_idem_reply(struct redisReply *reply, void *arg) {
    sb_delivery *d = arg;
    d->duplicate = reply && reply->type == REDIS_REPLY_INTEGER && reply->integer == 0;
    redis_reply(reply, arg);
}

static void redis_send_once(redis_target *t, sb_delivery *d) {
    char ttl[24];
    snprintf(ttl, sizeof ttl, "%ld", d->idem_ttl_ms);
    const char *kind = t->kind == SB_TARGET_REDIS_STREAM ? "stream"
                       : t->kind == SB_TARGET_REDIS_LIST ? "list"
                                                         : "publish";
    const char *argv[] = {"EVAL", idem_script, "2",       t->key,    d->idem_key,
                          ttl,    kind,        t->maxlen, d->payload};
    size_t len[] = {4,
                    strlen(idem_script),
                    1,
                    strlen(t->key),
                    strlen(d->idem_key),
                    strlen(ttl),
                    strlen(kind),
                    strlen(t->maxlen),
                    d->len};
    sb_redis_command(t->conn, redis_idem_reply, d, 9, argv, len);
}

static void redis_send(void *state, sb_delivery *d) {
    redis_target *t = state;
    if (d->idem_key) {
        redis_send_once(t, d);
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
    if (t)
        free(t->key);
    free(t);
}

const sb_target_ops sb_redis_target_ops = {"redis", redis_create, redis_send, redis_destroy, true};
