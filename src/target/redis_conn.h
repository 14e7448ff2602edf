/* redis_conn.h - one asynchronous Redis connection on the event loop, kept alive.
 *
 * hiredis's async API with its libevent adapter. The connection authenticates (AUTH) and
 * selects its database before it counts as ready; when it drops, every command in flight gets
 * a NULL reply and the connection is re-established with a growing delay (up to 2 s).
 * Commands sent while it is not ready fail at once with a NULL reply. */
#ifndef SB_REDIS_CONN_H
#define SB_REDIS_CONN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/status.h"

struct event_base;
struct redisReply;

typedef struct sb_redis sb_redis;

typedef struct sb_redis_options {
    const char *host; /* or a Unix socket path when port is 0 */
    int port;
    const char *user;     /* NULL: AUTH with the password only */
    const char *password; /* NULL: no AUTH */
    int db;
} sb_redis_options;

/* Called with the reply (NULL when the connection failed or is down; an error reply has type
 * REDIS_REPLY_ERROR). The reply is freed by hiredis after the callback. */
typedef void (*sb_redis_cb)(struct redisReply *reply, void *arg);

/* Starts connecting (does not wait). Returns NULL when out of memory. */
sb_redis *sb_redis_new(struct event_base *base, const sb_redis_options *opt);

/* Closes the connection; pending callbacks receive NULL replies. NULL is a no-op. */
void sb_redis_free(sb_redis *r);

/* True when connected, authenticated and on the right database. */
bool sb_redis_ready(const sb_redis *r);

/* Sends a command of argc arguments (binary safe). cb is always called exactly once. */
void sb_redis_command(sb_redis *r, sb_redis_cb cb, void *arg, int argc, const char **argv,
                      const size_t *argvlen);

/* A short description of the last connection error ("" when none). */
const char *sb_redis_last_error(const sb_redis *r);

#endif
