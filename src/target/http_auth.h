/* http_auth.h - credentials of a named connection for HTTP targets (EventBridge's
 * "connections"): an API key header, basic auth, or OAuth client credentials whose access
 * token is fetched, cached until it expires, and fetched again when a target answers 401; and
 * the connection's TLS files for HTTPS to its targets.
 *
 * Secrets are held here only; they never go to logs or error messages. */
#ifndef SB_HTTP_AUTH_H
#define SB_HTTP_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "target/http_client.h"

typedef enum { SB_AUTH_API_KEY, SB_AUTH_BASIC, SB_AUTH_OAUTH, SB_AUTH_NONE } sb_auth_type;

typedef struct sb_http_auth sb_http_auth;

/* Called when a token is ready (token non-NULL) or could not be had (error non-NULL). */
typedef void (*sb_token_ready)(const char *token, const char *error, void *arg);

struct sb_oauth_waiter;

struct sb_http_auth {
    char *name;
    sb_auth_type type;
    char *header, *value;                                /* API key: header name and value */
    char *username, *password;                           /* basic */
    char *token_url, *client_id, *client_secret, *scope; /* OAuth client credentials */
    /* TLS files of requests to the targets (not of token requests: those go to the identity
     * provider with the router-wide files); NULL: the router-wide one */
    char *ca_file, *cert_file, *key_file;
    char *key_password; /* secret */
    /* the OAuth token cache, used on the event loop's thread only */
    char *token;
    time_t expires; /* CLOCK_MONOTONIC seconds */
    bool fetching;
    struct sb_oauth_waiter *waiters;
    sb_http_client *client;
    long timeout_ms;
};

/* Gets an OAuth access token: at once when a valid one is cached, else after fetching one
 * (requests for a token while a fetch runs wait for it). */
void sb_oauth_token(sb_http_auth *a, sb_token_ready ready, void *arg);

/* Forgets the cached token (after a 401), unless it is not `token` any more. */
void sb_oauth_invalidate(sb_http_auth *a, const char *token);

/* Frees an auth record and its secrets (zeroed first). NULL is a no-op. */
void sb_http_auth_free(sb_http_auth *a);

struct sb_connection;

/* The credentials and TLS files of a config file connection (api-key, basic,
 * oauth-client-credentials or none), whose token requests go through client with timeout_ms.
 * NULL when out of memory. */
sb_http_auth *sb_http_auth_from_connection(const struct sb_connection *k, sb_http_client *client,
                                           long timeout_ms);

/* The TLS files of requests to a's targets, for sb_http_request_opts.tls (borrowed from a). */
sb_http_tls sb_http_auth_tls(const sb_http_auth *a);

/* The one of auths[0..n) named name, or NULL. */
sb_http_auth *sb_http_auth_find(sb_http_auth *const *auths, size_t n, const char *name);

#endif
