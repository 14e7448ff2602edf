/* deadletter.c - XADD of dead letters, and the index of their streams. */
#include "delivery/deadletter.h"

#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "target/redis_conn.h"

typedef struct pending {
    sb_dlq_done done;
    void *arg;
} pending;

void sb_dlq_default_key(const char *rule, const char *target, char *buf, size_t size) {
    snprintf(buf, size, "signalbox:dlq:%s:%s", rule, target);
}

const char *sb_dlq_key_of_arn(const char *arn) {
    static const char prefix[] = "redis:stream:";
    if (!arn || strncmp(arn, prefix, sizeof prefix - 1) != 0)
        return NULL;
    return arn + sizeof prefix - 1;
}

static void on_xadd(struct redisReply *reply, void *arg) {
    pending *p = arg;
    p->done(reply && reply->type == REDIS_REPLY_STRING, p->arg);
    free(p);
}

static void on_index(struct redisReply *reply, void *arg) {
    (void)reply;
    (void)arg;
}

static int64_t now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* XADD key * f1 v1 f2 v2 ..., then SADD the key to the index. */
static void xadd(struct sb_redis *r, const char *key, int nfields, const char **f, const char **v,
                 const size_t *vlen, sb_dlq_done done, void *arg) {
    const char *argv[3 + 2 * 16];
    size_t lens[3 + 2 * 16];
    int argc = 0;
    argv[argc] = "XADD", lens[argc++] = 4;
    argv[argc] = key, lens[argc++] = strlen(key);
    argv[argc] = "*", lens[argc++] = 1;
    for (int i = 0; i < nfields && i < 16; i++) {
        argv[argc] = f[i], lens[argc++] = strlen(f[i]);
        argv[argc] = v[i] ? v[i] : "", lens[argc++] = v[i] ? vlen[i] : 0;
    }
    pending *p = malloc(sizeof *p);
    if (!p) {
        done(false, arg);
        return;
    }
    p->done = done;
    p->arg = arg;
    sb_redis_command(r, on_xadd, p, argc, argv, lens);
    const char *sadd[] = {"SADD", SB_DLQ_INDEX, key};
    size_t slen[] = {4, strlen(SB_DLQ_INDEX), strlen(key)};
    sb_redis_command(r, on_index, NULL, 3, sadd, slen);
}

static size_t len_of(const char *s) {
    return s ? strlen(s) : 0;
}

void sb_dlq_write(struct sb_redis *r, const sb_dead_letter *dl, sb_dlq_done done, void *arg) {
    char attempts[24], first[24], last[24];
    snprintf(attempts, sizeof attempts, "%d", dl->attempts);
    snprintf(first, sizeof first, "%lld", (long long)dl->first_attempt_ms);
    snprintf(last, sizeof last, "%lld",
             (long long)(dl->last_attempt_ms ? dl->last_attempt_ms : now_ms()));
    const char *f[] = {"kind",          "event",    "event_id",         "bus",
                       "rule",          "target",   "target_arn",       "error_code",
                       "error_message", "attempts", "first_attempt_ms", "last_attempt_ms",
                       "exhausted"};
    const char *v[] = {"delivery", dl->event,      dl->event_id,   dl->bus,           dl->rule,
                       dl->target, dl->target_arn, dl->error_code, dl->error_message, attempts,
                       first,      last,           dl->exhausted};
    size_t vl[] = {8,
                   dl->event_len,
                   len_of(dl->event_id),
                   len_of(dl->bus),
                   len_of(dl->rule),
                   len_of(dl->target),
                   len_of(dl->target_arn),
                   len_of(dl->error_code),
                   len_of(dl->error_message),
                   strlen(attempts),
                   strlen(first),
                   strlen(last),
                   len_of(dl->exhausted)};
    xadd(r, dl->key, 13, f, v, vl, done, arg);
}

void sb_dlq_write_poison(struct sb_redis *r, const char *topic, int32_t partition, int64_t offset,
                         const void *key, size_t key_len, const void *raw, size_t raw_len,
                         const char *why, sb_dlq_done done, void *arg) {
    char stream[320], part[16], off[24], last[24];
    snprintf(stream, sizeof stream, "signalbox:dlq:kafka:%s", topic);
    snprintf(part, sizeof part, "%d", (int)partition);
    snprintf(off, sizeof off, "%lld", (long long)offset);
    snprintf(last, sizeof last, "%lld", (long long)now_ms());
    const char *f[] = {"kind", "raw",        "topic",         "partition",      "offset",
                       "key",  "error_code", "error_message", "last_attempt_ms"};
    const char *v[] = {"poison",       raw ? raw : "",  topic, part, off,
                       key ? key : "", "PoisonMessage", why,   last};
    size_t vl[] = {
        6,  raw ? raw_len : 0, strlen(topic), strlen(part), strlen(off), key ? key_len : 0,
        13, strlen(why),       strlen(last)};
    xadd(r, stream, 9, f, v, vl, done, arg);
}
