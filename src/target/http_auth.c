/* http_auth.c - OAuth client-credentials tokens for HTTP targets. */
#include "target/http_auth.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/json.h"

typedef struct sb_oauth_waiter {
    sb_token_ready ready;
    void *arg;
    struct sb_oauth_waiter *next;
} sb_oauth_waiter;

static time_t mono_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

static void finish(sb_http_auth *a, const char *token, const char *error) {
    sb_oauth_waiter *w = a->waiters;
    a->waiters = NULL;
    a->fetching = false;
    while (w) {
        sb_oauth_waiter *next = w->next;
        w->ready(token, error, w->arg);
        free(w);
        w = next;
    }
}

static void on_token(const sb_http_result *res, void *arg) {
    sb_http_auth *a = arg;
    char error[256];
    if (res->status != 200) {
        snprintf(error, sizeof error, "token endpoint of connection %s answered %s%ld", a->name,
                 res->status ? "HTTP " : "", res->status);
        if (!res->status)
            snprintf(error, sizeof error, "token endpoint of connection %s: %s", a->name,
                     res->error ? res->error : "no answer");
        finish(a, NULL, error);
        return;
    }
    sb_arena arena;
    sb_arena_init(&arena, 0);
    sb_jnode *root;
    sb_error err;
    const sb_jmember *tok = NULL, *exp = NULL;
    if (sb_json_parse(res->body, res->body_len, &arena, false, &root, &err, NULL) == SB_OK) {
        tok = sb_json_get(root, "access_token");
        exp = sb_json_get(root, "expires_in");
    }
    if (!tok || tok->value->type != SB_JSON_STRING) {
        snprintf(error, sizeof error, "token endpoint of connection %s gave no access_token",
                 a->name);
        sb_arena_free(&arena);
        finish(a, NULL, error);
        return;
    }
    free(a->token);
    a->token = strdup(tok->value->u.str.s);
    long ttl = exp && exp->value->type == SB_JSON_NUMBER ? (long)exp->value->u.num.v : 3600;
    /* refresh a little before it expires */
    a->expires = mono_now() + (ttl > 60 ? ttl - 30 : ttl / 2);
    sb_arena_free(&arena);
    finish(a, a->token, a->token ? NULL : "out of memory");
}

void sb_oauth_token(sb_http_auth *a, sb_token_ready ready, void *arg) {
    if (a->token && mono_now() < a->expires) {
        ready(a->token, NULL, arg);
        return;
    }
    sb_oauth_waiter *w = malloc(sizeof *w);
    if (!w) {
        ready(NULL, "out of memory", arg);
        return;
    }
    w->ready = ready;
    w->arg = arg;
    w->next = a->waiters;
    a->waiters = w;
    if (a->fetching)
        return;
    a->fetching = true;
    sb_buf body;
    sb_buf_init(&body);
    char *id = curl_easy_escape(NULL, a->client_id, 0);
    char *secret = curl_easy_escape(NULL, a->client_secret, 0);
    char *scope = a->scope ? curl_easy_escape(NULL, a->scope, 0) : NULL;
    sb_buf_printf(&body, "grant_type=client_credentials&client_id=%s&client_secret=%s",
                  id ? id : "", secret ? secret : "");
    if (scope)
        sb_buf_printf(&body, "&scope=%s", scope);
    curl_free(id);
    curl_free(secret);
    curl_free(scope);
    struct curl_slist *h =
        curl_slist_append(NULL, "Content-Type: application/x-www-form-urlencoded");
    if (sb_buf_failed(&body) ||
        sb_http_request_start(a->client, "POST", a->token_url, h, body.data, body.len,
                              a->timeout_ms, NULL, on_token, a) != 0) {
        if (body.data)
            memset(body.data, 0, body.len);
        sb_buf_free(&body);
        finish(a, NULL, "cannot start the token request");
        return;
    }
    memset(body.data, 0, body.len);
    sb_buf_free(&body);
}

void sb_oauth_invalidate(sb_http_auth *a, const char *token) {
    if (a->token && token && strcmp(a->token, token) == 0) {
        free(a->token);
        a->token = NULL;
    }
}

static void wipe(char *s) {
    if (s) {
        memset(s, 0, strlen(s));
        free(s);
    }
}

void sb_http_auth_free(sb_http_auth *a) {
    if (!a)
        return;
    free(a->name);
    free(a->header);
    wipe(a->value);
    free(a->username);
    wipe(a->password);
    free(a->token_url);
    free(a->client_id);
    wipe(a->client_secret);
    free(a->scope);
    wipe(a->token);
    free(a->ca_file);
    free(a->cert_file);
    free(a->key_file);
    wipe(a->key_password);
    free(a);
}

/* A copy of s, true when it could be made (or s is NULL). */
static bool copy(char **dst, const char *s) {
    *dst = s ? strdup(s) : NULL;
    return !s || *dst;
}

sb_http_auth *sb_http_auth_from_connection(const sb_connection *k, sb_http_client *client,
                                           long timeout_ms) {
    sb_http_auth *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->name = strdup(k->name);
    a->client = client;
    a->timeout_ms = timeout_ms;
    if (strcmp(k->type, "api-key") == 0) {
        a->type = SB_AUTH_API_KEY;
        a->header = strdup(k->header);
        a->value = strdup(k->value);
    } else if (strcmp(k->type, "basic") == 0) {
        a->type = SB_AUTH_BASIC;
        a->username = strdup(k->username);
        a->password = strdup(k->password);
    } else if (strcmp(k->type, "oauth-client-credentials") == 0) {
        a->type = SB_AUTH_OAUTH;
        a->token_url = strdup(k->token_url);
        a->client_id = strdup(k->client_id);
        a->client_secret = strdup(k->client_secret);
        a->scope = k->scope ? strdup(k->scope) : NULL;
    } else {
        a->type = SB_AUTH_NONE;
    }
    if (!copy(&a->ca_file, k->tls_ca_file) || !copy(&a->cert_file, k->tls_client_cert) ||
        !copy(&a->key_file, k->tls_client_key) || !copy(&a->key_password, k->tls_key_password)) {
        sb_http_auth_free(a);
        return NULL;
    }
    return a;
}

sb_http_tls sb_http_auth_tls(const sb_http_auth *a) {
    sb_http_tls t = {a->ca_file, a->cert_file, a->key_file, a->key_password};
    return t;
}

sb_http_auth *sb_http_auth_find(sb_http_auth *const *auths, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(auths[i]->name, name) == 0)
            return auths[i];
    return NULL;
}
