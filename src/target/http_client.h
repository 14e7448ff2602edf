/* http_client.h - outgoing HTTP on the event loop: libcurl's multi interface driven by
 * libevent, with connections kept alive and reused between requests to the same host. */
#ifndef SB_HTTP_CLIENT_H
#define SB_HTTP_CLIENT_H

#include <stddef.h>

#include "core/status.h"

struct event_base;
struct curl_slist;

typedef struct sb_http_client sb_http_client;
typedef struct sb_http_request sb_http_request;

/* The outcome of a request: status is the HTTP status (0 when no answer came: then error
 * holds curl's explanation and timed_out tells a timeout). body is the answer's body (at most
 * SB_HTTP_MAX_RESPONSE bytes kept), borrowed for the duration of the callback. */
typedef struct sb_http_result {
    long status;
    int timed_out;
    const char *error;
    const char *body;
    size_t body_len;
    const char *retry_after; /* the Retry-After header, or NULL */
} sb_http_result;

#define SB_HTTP_MAX_RESPONSE (64 * 1024)

typedef void (*sb_http_done)(const sb_http_result *res, void *arg);

/* Creates a client on base. NULL when out of memory. */
sb_http_client *sb_http_client_new(struct event_base *base);

/* TLS of every request of c (a request's sb_http_tls may replace it): ca_file replaces curl's
 * CA bundle (PEM; include public roots too when AWS or other public endpoints are called),
 * cert_file and key_file are the client certificate and key. NULL or "" keeps curl's default
 * for each. SB_OK or SB_ENOMEM. */
int sb_http_client_set_tls(sb_http_client *c, const char *ca_file, const char *cert_file,
                           const char *key_file);

/* Frees the client. Requests in flight are finished first: their callbacks run with status 0
 * and the error "signalbox is shutting down". */
void sb_http_client_free(sb_http_client *c);

/* Starts a request. method "POST" etc.; headers is taken (freed by the client; may be NULL);
 * body is copied. timeout_ms bounds the whole exchange. ca_file may be NULL. done is called
 * exactly once, never before this function returns. Returns 0, or -1 when the request could
 * not be started (out of memory): then done is not called. */
int sb_http_request_start(sb_http_client *c, const char *method, const char *url,
                          struct curl_slist *headers, const char *body, size_t body_len,
                          long timeout_ms, const char *userpwd, sb_http_done done, void *arg);

/* TLS files of one request, in place of the client's (sb_http_client_set_tls): ca_file alone,
 * and the client certificate as a whole: with cert_file, key_file and key_password replace the
 * client's certificate and key; without, the client's are used. NULL fields keep the client's.
 * Borrowed for the call of sb_http_request_start_opts: curl copies them. */
typedef struct sb_http_tls {
    const char *ca_file;
    const char *cert_file, *key_file;
    const char *key_password; /* secret; NULL when the key is not encrypted */
} sb_http_tls;

/* What sb_http_request_start_opts takes: the same as sb_http_request_start's arguments, plus
 * aws_sigv4 ("aws:amz:REGION:SERVICE", always in full: with less curl guesses from the host
 * name): then the request is signed with AWS Signature Version 4 by libcurl, userpwd being
 * "ACCESS_KEY_ID:SECRET_ACCESS_KEY" instead of basic credentials. A session token goes in the
 * headers (X-Amz-Security-Token), which curl signs with the others. */
typedef struct sb_http_request_opts {
    const char *method;
    const char *url;
    struct curl_slist *headers; /* taken, as by sb_http_request_start */
    const char *body;           /* copied */
    size_t body_len;
    long timeout_ms;
    const char *userpwd;    /* NULL for none; copied by curl, the caller may wipe it after */
    const char *aws_sigv4;  /* NULL: no signature */
    const sb_http_tls *tls; /* NULL: the client's TLS files */
} sb_http_request_opts;

/* sb_http_request_start with its arguments in o (borrowed for the call), SigV4 signing and TLS
 * files of its own.
 * Same contract: done is called exactly once and never before this returns, unless it
 * returns -1 (out of memory), when done is not called. */
int sb_http_request_start_opts(sb_http_client *c, const sb_http_request_opts *o, sb_http_done done,
                               void *arg);

/* Requests in flight. */
size_t sb_http_client_in_flight(const sb_http_client *c);

#endif
