/* http.c - HTTP targets (webhooks, EventBridge API destinations).
 *
 * POST by default, the payload as the body with Content-Type application/json; method, path
 * values ('*' in the URL), headers and query string from HttpParameters; credentials and TLS
 * files from a named connection; W3C traceparent passed on. Answers are classified in one place
 * (classify): 2xx OK; 408, 429, 5xx and no answer RETRY; other 4xx FAIL. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "target/http_auth.h"
#include "target/http_client.h"
#include "target/target.h"

typedef struct http_target {
    char *url;
    char *method;
    char **headers; /* "Name: value" lines */
    size_t nheaders;
    bool has_content_type;
    sb_http_auth *auth; /* borrowed, or NULL */
    sb_http_client *client;
    long timeout_ms;
} http_target;

typedef struct http_send {
    http_target *t;
    sb_delivery *d;
    int attempt;
    char token[2048]; /* the bearer token used, to invalidate it on 401 */
} http_send;

static void http_destroy(void *state) {
    http_target *t = state;
    if (!t)
        return;
    free(t->url);
    free(t->method);
    for (size_t i = 0; i < t->nheaders; i++)
        free(t->headers[i]);
    free(t->headers);
    free(t);
}

/* The URL with '*' in its path replaced by the path values, and the query parameters. */
static int build_url(const sb_target_spec *s, sb_buf *b, sb_error *err) {
    const char *u = s->resource, *path = strstr(u, "://");
    path = path ? strchr(path + 3, '/') : NULL;
    const char *query = path ? strchr(path, '?') : NULL;
    if (!query)
        query = u + strlen(u);
    size_t used = 0;
    for (const char *p = u; *p; p++) {
        if (*p == '*' && path && p > path && p < query) {
            if (used >= s->npath_values)
                return sb_error_set(err, SB_EINVAL,
                                    "target %s: the URL has more '*' than PathParameterValues",
                                    s->id);
            char *esc = curl_easy_escape(NULL, s->path_values[used++], 0);
            sb_buf_puts(b, esc ? esc : "");
            curl_free(esc);
        } else {
            sb_buf_putc(b, *p);
        }
    }
    if (used != s->npath_values)
        return sb_error_set(err, SB_EINVAL,
                            "target %s: %zu PathParameterValues for %zu '*' in the URL path", s->id,
                            s->npath_values, used);
    for (size_t i = 0; i < s->nquery; i++) {
        char *k = curl_easy_escape(NULL, s->query[i].key, 0);
        char *v = curl_easy_escape(NULL, s->query[i].value, 0);
        sb_buf_putc(b, i == 0 && !strchr(u, '?') ? '?' : '&');
        sb_buf_printf(b, "%s=%s", k ? k : "", v ? v : "");
        curl_free(k);
        curl_free(v);
    }
    return sb_buf_failed(b) ? sb_error_set(err, SB_ENOMEM, "out of memory") : SB_OK;
}

static int http_create(const sb_target_spec *spec, const sb_target_env *env, void **state,
                       sb_error *err) {
    http_target *t = calloc(1, sizeof *t);
    if (!t)
        return sb_error_set(err, SB_ENOMEM, "out of memory");
    t->client = env->http;
    t->timeout_ms = env->http_timeout_ms > 0 ? env->http_timeout_ms : 5000;
    sb_buf url;
    sb_buf_init(&url);
    int rc = build_url(spec, &url, err);
    t->url = sb_buf_take(&url, NULL);
    t->method = strdup(spec->http_method ? spec->http_method : "POST");
    t->headers = calloc(spec->nheaders + 1, sizeof *t->headers);
    if (rc == SB_OK && (!t->url || !t->method || !t->headers))
        rc = sb_error_set(err, SB_ENOMEM, "out of memory");
    for (size_t i = 0; rc == SB_OK && i < spec->nheaders; i++) {
        const sb_kv *h = &spec->headers[i];
        if (strpbrk(h->key, ":\r\n ") || strpbrk(h->value, "\r\n")) {
            rc = sb_error_set(err, SB_EINVAL, "target %s: header %s has a forbidden character",
                              spec->id, h->key);
            break;
        }
        size_t n = strlen(h->key) + strlen(h->value) + 3;
        if (!(t->headers[i] = malloc(n))) {
            rc = sb_error_set(err, SB_ENOMEM, "out of memory");
            break;
        }
        snprintf(t->headers[i], n, "%s: %s", h->key, h->value);
        t->nheaders++;
        if (strcasecmp(h->key, "Content-Type") == 0)
            t->has_content_type = true;
    }
    if (rc == SB_OK && spec->connection) {
        t->auth = env->auth ? env->auth(env->auth_arg, spec->connection) : NULL;
        if (!t->auth)
            rc = sb_error_set(err, SB_EINVAL,
                              "target %s: connection \"%s\" is not defined in the configuration",
                              spec->id, spec->connection);
    }
    if (rc == SB_OK && !t->client)
        rc = sb_error_set(err, SB_EINVAL, "target %s: no HTTP client", spec->id);
    if (rc != SB_OK) {
        http_destroy(t);
        return rc;
    }
    *state = t;
    return SB_OK;
}

/* The one place where answers become OK, RETRY or FAIL. */
static sb_send_result classify(long status) {
    if (status >= 200 && status < 300)
        return SB_SEND_OK;
    if (status == 0 || status == 408 || status == 429 || status >= 500)
        return SB_SEND_RETRY;
    return SB_SEND_FAIL;
}

static void start(http_send *s);

static void on_answer(const sb_http_result *res, void *arg) {
    http_send *s = arg;
    http_target *t = s->t;
    sb_delivery *d = s->d;
    if (res->status == 401 && t->auth && t->auth->type == SB_AUTH_OAUTH && s->attempt == 0) {
        /* the token may have been revoked or expired early: fetch a new one, once */
        sb_oauth_invalidate(t->auth, s->token);
        s->attempt++;
        start(s);
        return;
    }
    sb_send_result r = classify(res->status);
    char code[32], msg[300];
    if (res->status == 0) {
        snprintf(code, sizeof code, "%s", res->timed_out ? "Timeout" : "ConnectionError");
        snprintf(msg, sizeof msg, "%s", res->error ? res->error : "no answer");
    } else {
        snprintf(code, sizeof code, "HTTP %ld", res->status);
        snprintf(msg, sizeof msg, "%.*s", (int)(res->body_len < 256 ? res->body_len : 256),
                 res->body);
    }
    free(s);
    /* Retry-After in seconds (an HTTP date is left to the backoff) */
    d->retry_after_ms = 0;
    if (r == SB_SEND_RETRY && res->retry_after) {
        char *end;
        long secs = strtol(res->retry_after, &end, 10);
        if (end != res->retry_after && *end == '\0' && secs > 0 && secs <= 86400)
            d->retry_after_ms = secs * 1000;
    }
    d->done(d, r, r == SB_SEND_OK ? NULL : code, r == SB_SEND_OK ? NULL : msg);
}

static void send_with(http_send *s, const char *bearer) {
    http_target *t = s->t;
    sb_delivery *d = s->d;
    struct curl_slist *h = NULL;
    char line[2200];
    bool ok = true;
    if (!t->has_content_type)
        ok = (h = curl_slist_append(h, "Content-Type: application/json")) != NULL;
    for (size_t i = 0; ok && i < t->nheaders; i++)
        ok = (h = curl_slist_append(h, t->headers[i])) != NULL;
    if (ok && d->traceparent) {
        snprintf(line, sizeof line, "traceparent: %s", d->traceparent);
        ok = (h = curl_slist_append(h, line)) != NULL;
    }
    const char *userpwd = NULL;
    char up[1024];
    if (ok && t->auth) {
        switch (t->auth->type) {
        case SB_AUTH_API_KEY:
            snprintf(line, sizeof line, "%s: %s", t->auth->header, t->auth->value);
            ok = (h = curl_slist_append(h, line)) != NULL;
            break;
        case SB_AUTH_BASIC:
            snprintf(up, sizeof up, "%s:%s", t->auth->username, t->auth->password);
            userpwd = up;
            break;
        case SB_AUTH_OAUTH:
            snprintf(line, sizeof line, "Authorization: Bearer %s", bearer ? bearer : "");
            ok = (h = curl_slist_append(h, line)) != NULL;
            break;
        case SB_AUTH_NONE:
            break;
        }
        memset(line, 0, sizeof line);
    }
    sb_http_tls tls = t->auth ? sb_http_auth_tls(t->auth) : (sb_http_tls){0};
    sb_http_request_opts o = {.method = t->method,
                              .url = t->url,
                              .headers = h,
                              .body = d->payload,
                              .body_len = d->len,
                              .timeout_ms = t->timeout_ms,
                              .userpwd = userpwd,
                              .tls = &tls};
    if (!ok || sb_http_request_start_opts(t->client, &o, on_answer, s) != 0) {
        if (!ok)
            curl_slist_free_all(h);
        memset(up, 0, sizeof up);
        free(s);
        d->done(d, SB_SEND_RETRY, "InternalFailure", "cannot start the HTTP request");
        return;
    }
    memset(up, 0, sizeof up);
}

static void on_token(const char *token, const char *error, void *arg) {
    http_send *s = arg;
    if (!token) {
        sb_delivery *d = s->d;
        free(s);
        d->done(d, SB_SEND_RETRY, "AuthFailure", error);
        return;
    }
    snprintf(s->token, sizeof s->token, "%s", token);
    send_with(s, s->token);
}

static void start(http_send *s) {
    if (s->t->auth && s->t->auth->type == SB_AUTH_OAUTH)
        sb_oauth_token(s->t->auth, on_token, s);
    else
        send_with(s, NULL);
}

static void http_send_delivery(void *state, sb_delivery *d) {
    http_send *s = calloc(1, sizeof *s);
    if (!s) {
        d->done(d, SB_SEND_RETRY, "InternalFailure", "out of memory");
        return;
    }
    s->t = state;
    s->d = d;
    start(s);
}

const sb_target_ops sb_http_target_ops = {"http", http_create, http_send_delivery, http_destroy,
                                          false};
