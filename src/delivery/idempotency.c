/* idempotency.c - claim, mark and release of idempotency keys. */
#include "delivery/idempotency.h"

#include <hiredis/hiredis.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target/redis_conn.h"

void sb_idem_member(char *buf, const char *key, size_t len) {
    if (len < SB_IDEM_MEMBER_MAX) {
        memcpy(buf, key, len);
        buf[len] = '\0';
        return;
    }
    unsigned char md[32];
    unsigned int mdlen = 0;
    EVP_Digest(key, len, md, &mdlen, EVP_sha256(), NULL);
    for (unsigned i = 0; i < 32; i++)
        snprintf(buf + 2 * i, 3, "%02x", md[i]);
}

void sb_idem_key(char *buf, const char *rule, const char *target, const char *member) {
    snprintf(buf, SB_IDEM_KEY_MAX, "signalbox:idem:{%s}:%s:%s", member, rule, target);
}

void sb_idem_mark_set(char *buf, const char *rule, const char *target, const char *member) {
    uint32_t h = 2166136261u; /* FNV-1a: only spreads keys over the shards */
    for (const unsigned char *p = (const unsigned char *)member; *p; p++)
        h = (h ^ *p) * 16777619u;
    snprintf(buf, SB_IDEM_KEY_MAX, "signalbox:idem:{%s:%s:%x}", rule, target, h & 15u);
}

typedef struct claim {
    sb_idem_cb cb;
    void *arg;
} claim;

static void on_claim(struct redisReply *reply, void *arg) {
    claim *c = arg;
    sb_idem_state st = SB_IDEM_ERROR;
    if (reply && reply->type == REDIS_REPLY_NIL)
        st = SB_IDEM_CLAIMED;
    else if (reply && reply->type == REDIS_REPLY_STRING)
        st = strcmp(reply->str, "1") == 0 ? SB_IDEM_DONE : SB_IDEM_BUSY;
    c->cb(st, c->arg);
    free(c);
}

static void ignore(struct redisReply *reply, void *arg) {
    (void)reply;
    (void)arg;
}

static void command(struct sb_redis *r, sb_redis_cb cb, void *arg, int argc, const char **argv) {
    size_t lens[8];
    for (int i = 0; i < argc; i++)
        lens[i] = strlen(argv[i]);
    sb_redis_command(r, cb, arg, argc, argv, lens);
}

void sb_idem_claim(struct sb_redis *r, const char *k, long lease_ms, sb_idem_cb cb, void *arg) {
    claim *c = malloc(sizeof *c);
    if (!c) {
        cb(SB_IDEM_ERROR, arg);
        return;
    }
    c->cb = cb;
    c->arg = arg;
    char ms[24];
    snprintf(ms, sizeof ms, "%ld", lease_ms);
    const char *argv[] = {"SET", k, "lease", "NX", "PX", ms, "GET"};
    command(r, on_claim, c, 7, argv);
}

void sb_idem_mark_done(struct sb_redis *r, const char *k, long ttl_ms) {
    char ms[24];
    snprintf(ms, sizeof ms, "%ld", ttl_ms);
    const char *argv[] = {"SET", k, "1", "PX", ms};
    command(r, ignore, NULL, 5, argv);
}

void sb_idem_release(struct sb_redis *r, const char *k) {
    const char *argv[] = {"DEL", k};
    command(r, ignore, NULL, 2, argv);
}
