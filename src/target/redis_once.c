/* redis_once.c - batches of idempotent deliveries into Redis through one Lua script call. */
#include "target/redis_once.h"

#include <event2/event.h>
#include <hiredis/hiredis.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target/redis_conn.h"

#define BATCH_MAX 256

/* KEYS[1] the target, KEYS[2..] the mark-set prefixes (delivery/idempotency.h); ARGV[1] TTL
 * ms, ARGV[2] kind, ARGV[3] MAXLEN or "", then a key (set member) per delivery, then a payload
 * per delivery. Answers per delivery: 1 delivered, 0 duplicate, or the error. The epoch comes
 * from Redis's clock so that routers whose clocks differ agree on it; each set touched is
 * looked up once per call for its predecessor and given its expiry once. */
static const char script[] =
    "local n = #KEYS - 1\n"
    "local ttl = tonumber(ARGV[1])\n"
    "local t = redis.call('TIME')\n"
    "local epoch = math.floor((t[1] * 1000 + math.floor(t[2] / 1000)) / ttl)\n"
    "local sets, out = {}, {}\n"
    "for i = 1, n do\n"
    "  local s = sets[KEYS[i + 1]]\n"
    "  if not s then\n"
    "    s = {cur = KEYS[i + 1] .. ':' .. epoch, prev = KEYS[i + 1] .. ':' .. (epoch - 1)}\n"
    "    s.old = redis.call('EXISTS', s.prev) == 1\n"
    "    sets[KEYS[i + 1]] = s\n"
    "  end\n"
    "  local m, p = ARGV[3 + i], ARGV[3 + n + i]\n"
    "  if (s.old and redis.call('SISMEMBER', s.prev, m) == 1) or\n"
    "     redis.call('SADD', s.cur, m) == 0 then out[i] = 0\n"
    "  else\n"
    "    local r\n"
    "    if ARGV[2] == 'stream' then\n"
    "      if ARGV[3] ~= '' then\n"
    "        r = redis.pcall('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'event', p)\n"
    "      else r = redis.pcall('XADD', KEYS[1], '*', 'event', p) end\n"
    "    elseif ARGV[2] == 'list' then r = redis.pcall('RPUSH', KEYS[1], p)\n"
    "    else r = redis.pcall('PUBLISH', KEYS[1], p) end\n"
    "    if type(r) == 'table' and r.err then\n"
    "      redis.call('SREM', s.cur, m)\n"
    "      out[i] = r.err\n"
    "    else out[i] = 1 end\n"
    "  end\n"
    "end\n"
    "for _, s in pairs(sets) do redis.call('PEXPIREAT', s.cur, (epoch + 2) * ttl) end\n"
    "return out\n";

static char script_sha[41];

struct sb_redis_once {
    struct sb_redis *conn;
    char *key, kind[8], maxlen[24];
    struct event *flush;
    sb_delivery *queue[BATCH_MAX];
    size_t n;
};

typedef struct batch {
    sb_redis_once *o;
    size_t n;
    sb_delivery *d[];
} batch;

static void send_batch(batch *b, bool with_text);

static bool transient(const char *err) {
    return strncmp(err, "OOM", 3) == 0 || strncmp(err, "LOADING", 7) == 0 ||
           strncmp(err, "BUSY", 4) == 0 || strncmp(err, "TRYAGAIN", 8) == 0;
}

static void on_reply(struct redisReply *reply, void *arg) {
    batch *b = arg;
    if (reply && reply->type == REDIS_REPLY_ERROR && strncmp(reply->str, "NOSCRIPT", 8) == 0) {
        send_batch(b, true); /* a new server, or its script cache was flushed */
        return;
    }
    for (size_t i = 0; i < b->n; i++) {
        sb_delivery *d = b->d[i];
        const redisReply *r = reply && reply->type == REDIS_REPLY_ARRAY && i < reply->elements
                                  ? reply->element[i]
                                  : NULL;
        if (!reply)
            d->done(d, SB_SEND_RETRY, "RedisUnavailable", "the Redis connection is down");
        else if (reply->type == REDIS_REPLY_ERROR)
            d->done(d, transient(reply->str) ? SB_SEND_RETRY : SB_SEND_FAIL, "RedisError",
                    reply->str);
        else if (r && r->type == REDIS_REPLY_INTEGER) {
            d->duplicate = r->integer == 0;
            d->done(d, SB_SEND_OK, NULL, NULL);
        } else if (r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS ||
                         r->type == REDIS_REPLY_ERROR))
            d->done(d, transient(r->str) ? SB_SEND_RETRY : SB_SEND_FAIL, "RedisError", r->str);
        else
            d->done(d, SB_SEND_RETRY, "RedisError", "unexpected answer to the delivery script");
    }
    free(b);
}

static void send_batch(batch *b, bool with_text) {
    sb_redis_once *o = b->o;
    size_t argc = 3 + (1 + b->n) + 3 + 2 * b->n;
    const char **argv = malloc(argc * sizeof *argv);
    size_t *len = malloc(argc * sizeof *len);
    if (!argv || !len) {
        free(argv);
        free(len);
        on_reply(NULL, b);
        return;
    }
    char nkeys[24], ttl[24];
    snprintf(nkeys, sizeof nkeys, "%zu", 1 + b->n);
    snprintf(ttl, sizeof ttl, "%ld", b->d[0]->idem_ttl_ms);
    size_t k = 0;
    argv[k++] = with_text ? "EVAL" : "EVALSHA";
    argv[k++] = with_text ? script : script_sha;
    argv[k++] = nkeys;
    argv[k++] = o->key;
    for (size_t i = 0; i < b->n; i++)
        argv[k++] = b->d[i]->idem_key;
    argv[k++] = ttl;
    argv[k++] = o->kind;
    argv[k++] = o->maxlen;
    for (size_t i = 0; i < b->n; i++)
        argv[k++] = b->d[i]->idem_member;
    for (size_t i = 0; i < k; i++)
        len[i] = strlen(argv[i]);
    for (size_t i = 0; i < b->n; i++) {
        argv[k] = b->d[i]->payload;
        len[k++] = b->d[i]->len;
    }
    sb_redis_command(o->conn, on_reply, b, (int)k, argv, len);
    free(argv);
    free(len);
}

static void flush(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    sb_redis_once *o = arg;
    if (!o->n)
        return;
    batch *b = malloc(sizeof *b + o->n * sizeof b->d[0]);
    if (!b) {
        for (size_t i = 0; i < o->n; i++)
            o->queue[i]->done(o->queue[i], SB_SEND_RETRY, "InternalFailure", "out of memory");
        o->n = 0;
        return;
    }
    b->o = o;
    b->n = o->n;
    memcpy(b->d, o->queue, o->n * sizeof b->d[0]);
    o->n = 0;
    send_batch(b, false);
}

sb_redis_once *sb_redis_once_new(struct event_base *base, struct sb_redis *conn, const char *key,
                                 const char *kind, const char *maxlen) {
    if (!script_sha[0]) {
        unsigned char md[20];
        unsigned int n = 0;
        EVP_Digest(script, strlen(script), md, &n, EVP_sha1(), NULL);
        for (unsigned i = 0; i < 20; i++)
            snprintf(script_sha + 2 * i, 3, "%02x", md[i]);
    }
    sb_redis_once *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->conn = conn;
    o->key = strdup(key);
    snprintf(o->kind, sizeof o->kind, "%s", kind);
    snprintf(o->maxlen, sizeof o->maxlen, "%s", maxlen);
    o->flush = event_new(base, -1, 0, flush, o);
    if (!o->key || !o->flush) {
        sb_redis_once_free(o);
        return NULL;
    }
    return o;
}

void sb_redis_once_send(sb_redis_once *o, sb_delivery *d) {
    if (o->n == 0)
        event_active(o->flush, 0, 0); /* after what the loop is doing now */
    o->queue[o->n++] = d;
    if (o->n == BATCH_MAX)
        flush(-1, 0, o);
}

void sb_redis_once_free(sb_redis_once *o) {
    if (!o)
        return;
    if (o->flush)
        event_free(o->flush);
    free(o->key);
    free(o);
}
