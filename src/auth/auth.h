/* auth.h - who may send events (API keys and AWS SigV4) and who may read the admin paths (admin
 * keys), read from an auth file.
 *
 * The auth file (YAML or JSON, `auth-file`):
 *
 *   api_keys:
 *     - name: orders-service
 *       sha256: 5e884898da28...        # hex SHA-256 of the key; the key itself is never stored
 *       buses: [default, orders]      # "*" for every bus; default: every bus
 *       rate: 500                     # requests per second (burst the same); 0: no limit
 *   access_keys:                      # AWS SigV4 (the AWS CLI and SDKs sign as they always do)
 *     - id: AKIAEXAMPLE
 *       secret_env: ORDERS_SECRET     # or secret_file: /run/secrets/orders (one of the two)
 *       buses: ["*"]
 *       rate: 0
 *   admin_keys:                       # the admin paths (/metrics, /status), never ingest
 *     - name: prometheus
 *       sha256: 9f86d081884c...
 *
 * An API key (or admin key) is presented as `Authorization: Bearer KEY` or `X-Api-Key: KEY`; it is
 * hashed and compared with every stored hash in constant time. A SigV4 request is verified exactly
 * as AWS does (canonical request, string to sign, derived key), with X-Amz-Date within 5 minutes of
 * the clock (a signature replayed later is refused). Secrets never appear in errors or logs.
 *
 * Keys do one job: an admin key opens the admin paths and sends no events; an ingest key (API or
 * access key) sends events and does not open the admin paths. */
#ifndef SB_AUTH_H
#define SB_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/status.h"

typedef struct sb_auth sb_auth;
typedef struct sb_principal sb_principal;

/* Reads the auth file at path. NULL with err (file:line:col where it can) when it cannot be
 * read, is malformed, names a secret that is missing, or has no key at all. */
sb_auth *sb_auth_load(const char *path, sb_error *err);

/* Frees a (NULL is a no-op); secrets are zeroed first. */
void sb_auth_free(sb_auth *a);

/* Looks up request headers by name (case-insensitive): NULL when absent. */
typedef const char *(*sb_auth_header_fn)(void *arg, const char *name);

/* The request as SigV4 signs it. */
typedef struct sb_auth_request {
    const char *method, *path, *query; /* query without '?', "" when none */
    sb_auth_header_fn header;
    void *header_arg;
    const char *body;
    size_t body_len;
    time_t now;
} sb_auth_request;

/* Who sent r, as a sender of events: the principal, or NULL with *status (401: no or unknown
 * credentials; 403: a bad or expired signature, or an admin key, which sends no events) and
 * why[0..why_size) set, never naming a secret. Every stored hash is compared, in constant
 * time. */
sb_principal *sb_auth_identify(sb_auth *a, const sb_auth_request *r, int *status, char *why,
                               size_t why_size);

/* Does a hold at least one ingest key (api_keys, access_keys)? Without one, ingest is not
 * authenticated: a file of admin keys only protects the admin paths alone. */
bool sb_auth_has_ingest_keys(const sb_auth *a);

/* Does a hold at least one admin key? Without one, the admin paths are not protected. */
bool sb_auth_has_admin_keys(const sb_auth *a);

/* May r read the admin paths? true when it carries an admin key (Authorization: Bearer KEY or
 * X-Api-Key: KEY, compared like ingest keys); else false with *status (401: no key, an unknown
 * key or a SigV4 signature, which the admin paths do not take; 403: an ingest key) and
 * why[0..why_size) set, never naming a secret. */
bool sb_auth_admin(const sb_auth *a, const sb_auth_request *r, int *status, char *why,
                   size_t why_size);

/* The principal's name (an API key's name, or an access key id). */
const char *sb_principal_name(const sb_principal *p);

/* May p send events to bus? */
bool sb_principal_allows(const sb_principal *p, const char *bus);

/* Takes one token of p's rate limit at monotonic time now_ms: true when the request may go,
 * false (and *retry_after_s set) when it is over its rate. */
bool sb_principal_take(sb_principal *p, double now_ms, int *retry_after_s);

#endif
