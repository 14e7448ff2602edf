/* redis_conn.c - a self-healing hiredis async connection. */
#include "target/redis_conn.h"

#include <event2/event.h>
#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sb_redis {
    struct event_base *base;
    sb_redis_options opt;
    char *host, *user, *password;
    redisAsyncContext *ac; /* NULL while disconnected */
    bool ready;
    bool closing;
    struct event *retry;   /* reconnect timer */
    struct event *timeout; /* connect timeout */
    int backoff_ms;
    char last_error[128];
};

typedef struct pending {
    sb_redis_cb cb;
    void *arg;
} pending;

static void connect_now(sb_redis *r);

static void schedule_reconnect(sb_redis *r) {
    if (r->closing)
        return;
    struct timeval tv = {r->backoff_ms / 1000, (r->backoff_ms % 1000) * 1000};
    evtimer_add(r->retry, &tv);
    r->backoff_ms = r->backoff_ms * 2 > 2000 ? 2000 : r->backoff_ms * 2;
}

static void on_retry(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    connect_now(arg);
}

static void on_connect_timeout(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    sb_redis *r = arg;
    if (r->ac && !r->ready) {
        snprintf(r->last_error, sizeof r->last_error, "connect timed out");
        redisAsyncDisconnect(r->ac); /* the disconnect callback schedules a retry */
    }
}

static void on_setup_reply(redisAsyncContext *ac, void *reply, void *privdata) {
    sb_redis *r = privdata;
    redisReply *rep = reply;
    if (!rep || rep->type == REDIS_REPLY_ERROR) {
        snprintf(r->last_error, sizeof r->last_error, "%s",
                 rep ? rep->str : "connection lost during setup");
        if (rep)
            redisAsyncDisconnect(ac);
        return;
    }
}

static void on_ready_reply(redisAsyncContext *ac, void *reply, void *privdata) {
    (void)ac;
    sb_redis *r = privdata;
    redisReply *rep = reply;
    if (rep && rep->type != REDIS_REPLY_ERROR) {
        r->ready = true;
        r->backoff_ms = 50;
        r->last_error[0] = '\0';
        evtimer_del(r->timeout);
    }
}

static void on_connect(const redisAsyncContext *ac, int status) {
    sb_redis *r = ac->data;
    if (status != REDIS_OK) {
        snprintf(r->last_error, sizeof r->last_error, "%s", ac->errstr);
        r->ac = NULL; /* hiredis frees a context whose connect failed */
        evtimer_del(r->timeout);
        schedule_reconnect(r);
        return;
    }
    redisAsyncContext *c = (redisAsyncContext *)ac;
    if (r->password) {
        if (r->user)
            redisAsyncCommand(c, on_setup_reply, r, "AUTH %s %s", r->user, r->password);
        else
            redisAsyncCommand(c, on_setup_reply, r, "AUTH %s", r->password);
    }
    if (r->opt.db)
        redisAsyncCommand(c, on_setup_reply, r, "SELECT %d", r->opt.db);
    /* PING answers after the setup commands: if they failed the connection is gone by then */
    redisAsyncCommand(c, on_ready_reply, r, "PING");
}

static void on_disconnect(const redisAsyncContext *ac, int status) {
    sb_redis *r = ac->data;
    if (status != REDIS_OK && ac->errstr[0])
        snprintf(r->last_error, sizeof r->last_error, "%s", ac->errstr);
    else if (!r->last_error[0])
        snprintf(r->last_error, sizeof r->last_error, "connection closed");
    r->ac = NULL;
    r->ready = false;
    evtimer_del(r->timeout);
    schedule_reconnect(r);
}

static void connect_now(sb_redis *r) {
    redisAsyncContext *ac =
        r->opt.port ? redisAsyncConnect(r->host, r->opt.port) : redisAsyncConnectUnix(r->host);
    if (!ac) {
        snprintf(r->last_error, sizeof r->last_error, "out of memory");
        schedule_reconnect(r);
        return;
    }
    if (ac->err) {
        snprintf(r->last_error, sizeof r->last_error, "%s", ac->errstr);
        redisAsyncFree(ac);
        schedule_reconnect(r);
        return;
    }
    ac->data = r;
    r->ac = ac;
    redisLibeventAttach(ac, r->base);
    redisAsyncSetConnectCallback(ac, on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    struct timeval tv = {2, 0};
    evtimer_add(r->timeout, &tv);
}

sb_redis *sb_redis_new(struct event_base *base, const sb_redis_options *opt) {
    sb_redis *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->base = base;
    r->opt = *opt;
    r->host = strdup(opt->host ? opt->host : "127.0.0.1");
    r->user = opt->user ? strdup(opt->user) : NULL;
    r->password = opt->password ? strdup(opt->password) : NULL;
    r->retry = evtimer_new(base, on_retry, r);
    r->timeout = evtimer_new(base, on_connect_timeout, r);
    r->backoff_ms = 50;
    if (!r->host || !r->retry || !r->timeout || (opt->user && !r->user) ||
        (opt->password && !r->password)) {
        sb_redis_free(r);
        return NULL;
    }
    connect_now(r);
    return r;
}

void sb_redis_free(sb_redis *r) {
    if (!r)
        return;
    r->closing = true;
    if (r->ac)
        redisAsyncFree(r->ac); /* runs pending callbacks with NULL replies */
    if (r->retry)
        event_free(r->retry);
    if (r->timeout)
        event_free(r->timeout);
    free(r->host);
    free(r->user);
    if (r->password) {
        memset(r->password, 0, strlen(r->password));
        free(r->password);
    }
    free(r);
}

bool sb_redis_ready(const sb_redis *r) {
    return r->ready;
}

const char *sb_redis_last_error(const sb_redis *r) {
    return r->last_error;
}

static void on_reply(redisAsyncContext *ac, void *reply, void *privdata) {
    (void)ac;
    pending p = *(pending *)privdata;
    free(privdata);
    p.cb(reply, p.arg);
}

void sb_redis_command(sb_redis *r, sb_redis_cb cb, void *arg, int argc, const char **argv,
                      const size_t *argvlen) {
    pending *p;
    if (!r->ready || !r->ac || !(p = malloc(sizeof *p))) {
        cb(NULL, arg);
        return;
    }
    p->cb = cb;
    p->arg = arg;
    if (redisAsyncCommandArgv(r->ac, on_reply, p, argc, argv, argvlen) != REDIS_OK) {
        free(p);
        cb(NULL, arg);
    }
}
