/* aws_creds.c - the credentials provider: the environment, the shared files, the container
 * endpoint (fetched on the loop and refreshed before expiry). See aws_creds.h. */
#include "target/aws_creds.h"

#include <curl/curl.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/log.h"

typedef struct waiter {
    sb_aws_creds_ready ready;
    void *arg;
    struct waiter *next;
} waiter;

typedef struct fetch {
    sb_aws_creds *p; /* NULL once the provider is gone */
} fetch;

struct sb_aws_creds {
    struct event_base *base;
    sb_http_client *http;
    long timeout_ms;
    int refs;
    char source[160];
    sb_aws_keys keys;
    bool have;
    /* the container endpoint: NULL uri for fixed credentials */
    char *uri, *token_file, *token;
    fetch *fetch; /* the fetch in flight, or NULL */
    struct event *timer;
    int failures;
    char error[256];
    waiter *waiters;
    sb_aws_creds *next;
};

/* the providers of this process, one per event loop (in practice one) */
static sb_aws_creds *providers;

static const char ecs_host[] = "http://169.254.170.2";

/* Seconds of validity under which credentials are not used any more. */
#define SB_AWS_CREDS_MARGIN 5

static void start_fetch(sb_aws_creds *p);

/* The contents of a small file (credentials, a token), NUL-terminated; NULL when it cannot be
 * read or holds more than 1 MiB. */
static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    sb_buf b;
    sb_buf_init(&b);
    int got = sb_buf_read_stream(&b, f, 1 << 20);
    fclose(f);
    if (got != 0) {
        sb_buf_free(&b);
        return NULL;
    }
    sb_buf_reserve(&b, 1); /* an empty file still gives "" */
    return sb_buf_take(&b, len);
}

static void wipe(char *s, size_t n) {
    volatile char *v = s;
    while (n--)
        *v++ = 0;
}

static const char *env_or(const char *name, const char *dflt) {
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

/* The profile's keys from one of the shared files: SB_OK, SB_ENOTFOUND (no file or no such
 * profile), or an error. */
static int from_file(const char *path, const char *profile, bool config_file, sb_aws_keys *k,
                     sb_error *err) {
    size_t len;
    char *text = read_file(path, &len);
    if (!text)
        return SB_ENOTFOUND;
    sb_error ierr = {0};
    int rc = sb_aws_keys_from_ini(text, len, profile, config_file, k, &ierr);
    wipe(text, len);
    free(text);
    if (rc != SB_OK && rc != SB_ENOTFOUND)
        return sb_error_set(err, rc, "%s: %s", path, ierr.msg);
    return rc;
}

/* Is a full container credentials URI one the SDKs accept? https anywhere; http only to the
 * loopback, ECS's and EKS Pod Identity's link-local addresses. */
static bool uri_allowed(const char *uri) {
    if (strncmp(uri, "https://", 8) == 0)
        return true;
    if (strncmp(uri, "http://", 7) != 0)
        return false;
    const char *h = uri + 7;
    static const char *const hosts[] = {"127.",          "localhost",      "[::1]",
                                        "169.254.170.2", "169.254.170.23", "[fd00:ec2::23]"};
    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
        size_t n = strlen(hosts[i]);
        if (strncmp(h, hosts[i], n) != 0)
            continue;
        char next = h[n];
        if (hosts[i][n - 1] == '.' || next == '\0' || next == ':' || next == '/')
            return true;
    }
    return false;
}

static int setup_container(sb_aws_creds *p, sb_error *err) {
    const char *full = env_or("AWS_CONTAINER_CREDENTIALS_FULL_URI", NULL);
    const char *rel = env_or("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", NULL);
    if (rel) {
        size_t n = strlen(ecs_host) + strlen(rel) + 2;
        if (!(p->uri = malloc(n)))
            return sb_error_set(err, SB_ENOMEM, "out of memory");
        snprintf(p->uri, n, "%s%s%s", ecs_host, rel[0] == '/' ? "" : "/", rel);
    } else {
        if (!uri_allowed(full))
            return sb_error_set(err, SB_EINVAL,
                                "AWS_CONTAINER_CREDENTIALS_FULL_URI %s: plain http is allowed only "
                                "to the loopback, 169.254.170.2 and 169.254.170.23",
                                full);
        if (!(p->uri = strdup(full)))
            return sb_error_set(err, SB_ENOMEM, "out of memory");
    }
    const char *file = env_or("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", NULL);
    const char *token = env_or("AWS_CONTAINER_AUTHORIZATION_TOKEN", NULL);
    if ((file && !(p->token_file = strdup(file))) || (token && !(p->token = strdup(token))))
        return sb_error_set(err, SB_ENOMEM, "out of memory");
    snprintf(p->source, sizeof p->source, "container endpoint");
    return SB_OK;
}

/* Finds the first source with credentials (see aws_creds.h). */
static int find_source(sb_aws_creds *p, sb_error *err) {
    const char *id = env_or("AWS_ACCESS_KEY_ID", NULL),
               *secret = env_or("AWS_SECRET_ACCESS_KEY", NULL);
    if (id && secret) {
        sb_aws_keys k = {(char *)id, (char *)secret, (char *)env_or("AWS_SESSION_TOKEN", NULL), 0};
        if (sb_aws_keys_copy(&p->keys, &k) != SB_OK)
            return sb_error_set(err, SB_ENOMEM, "out of memory");
        p->have = true;
        snprintf(p->source, sizeof p->source, "environment");
        return SB_OK;
    }
    const char *profile = env_or("AWS_PROFILE", env_or("AWS_DEFAULT_PROFILE", "default"));
    const char *home = env_or("HOME", "");
    char cred_path[1024], config_path[1024];
    snprintf(cred_path, sizeof cred_path, "%s", env_or("AWS_SHARED_CREDENTIALS_FILE", ""));
    if (!cred_path[0])
        snprintf(cred_path, sizeof cred_path, "%s/.aws/credentials", home);
    snprintf(config_path, sizeof config_path, "%s", env_or("AWS_CONFIG_FILE", ""));
    if (!config_path[0])
        snprintf(config_path, sizeof config_path, "%s/.aws/config", home);
    const char *paths[] = {cred_path, config_path};
    for (int i = 0; i < 2; i++) {
        int rc = from_file(paths[i], profile, i == 1, &p->keys, err);
        if (rc == SB_OK) {
            p->have = true;
            snprintf(p->source, sizeof p->source, "profile %.60s (%.80s)", profile, paths[i]);
            return SB_OK;
        }
        if (rc != SB_ENOTFOUND)
            return rc;
    }
    if (env_or("AWS_CONTAINER_CREDENTIALS_FULL_URI", NULL) ||
        env_or("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", NULL))
        return setup_container(p, err);
    return sb_error_set(err, SB_ENOTFOUND,
                        "no AWS credentials for SQS and SNS targets: set AWS_ACCESS_KEY_ID and "
                        "AWS_SECRET_ACCESS_KEY, give profile %s in %s or %s, or a container "
                        "credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI)",
                        profile, cred_path, config_path);
}

static void on_timer(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    start_fetch(arg);
}

static void provider_free(sb_aws_creds *p) {
    if (p->fetch)
        p->fetch->p = NULL;
    while (p->waiters) {
        waiter *w = p->waiters;
        p->waiters = w->next;
        free(w);
    }
    if (p->timer)
        event_free(p->timer);
    sb_aws_keys_clear(&p->keys);
    free(p->uri);
    free(p->token_file);
    if (p->token)
        wipe(p->token, strlen(p->token));
    free(p->token);
    free(p);
}

sb_aws_creds *sb_aws_creds_acquire(struct event_base *base, sb_http_client *http, long timeout_ms,
                                   sb_error *err) {
    for (sb_aws_creds *p = providers; p; p = p->next)
        if (p->base == base) {
            p->refs++;
            return p;
        }
    sb_aws_creds *p = calloc(1, sizeof *p);
    if (!p) {
        sb_error_set(err, SB_ENOMEM, "out of memory");
        return NULL;
    }
    p->base = base;
    p->http = http;
    p->timeout_ms = timeout_ms > 0 ? timeout_ms : 5000;
    p->refs = 1;
    if (find_source(p, err) != SB_OK || !(p->timer = evtimer_new(base, on_timer, p))) {
        if (p->timer == NULL && err && err->code == 0)
            sb_error_set(err, SB_ENOMEM, "out of memory");
        provider_free(p);
        return NULL;
    }
    sb_log(SB_LOG_INFO, "aws", "credentials for SQS and SNS from the %s", p->source);
    if (p->uri)
        start_fetch(p);
    p->next = providers;
    providers = p;
    return p;
}

void sb_aws_creds_release(sb_aws_creds *p) {
    if (!p || --p->refs > 0)
        return;
    for (sb_aws_creds **pp = &providers; *pp; pp = &(*pp)->next)
        if (*pp == p) {
            *pp = p->next;
            break;
        }
    provider_free(p);
}

static void wake_waiters(sb_aws_creds *p) {
    waiter *w = p->waiters;
    p->waiters = NULL;
    while (w) {
        waiter *next = w->next;
        sb_aws_creds_ready ready = w->ready;
        void *arg = w->arg;
        free(w);
        ready(arg);
        w = next;
    }
}

static void schedule(sb_aws_creds *p, long secs) {
    struct timeval tv = {secs > 0 ? secs : 1, 0};
    evtimer_add(p->timer, &tv);
}

static void fetch_failed(sb_aws_creds *p, const char *why) {
    snprintf(p->error, sizeof p->error, "the container credentials endpoint: %.200s", why);
    p->failures++;
    long backoff = p->failures < 6 ? 1L << p->failures : 60;
    sb_log(SB_LOG_WARN, "aws", "%s; trying again in %ld s", p->error, backoff);
    schedule(p, backoff);
}

static void on_fetched(const sb_http_result *res, void *arg) {
    fetch *f = arg;
    sb_aws_creds *p = f->p;
    free(f);
    if (!p)
        return;
    p->fetch = NULL;
    char why[200];
    sb_aws_keys k;
    sb_error err = {0};
    if (res->status != 200) {
        if (res->status == 0)
            snprintf(why, sizeof why, "%s", res->error ? res->error : "no answer");
        else
            snprintf(why, sizeof why, "HTTP %ld", res->status);
        fetch_failed(p, why);
    } else if (sb_aws_keys_from_json(res->body, res->body_len, &k, &err) != SB_OK) {
        fetch_failed(p, err.msg);
    } else {
        sb_aws_keys_clear(&p->keys);
        p->keys = k;
        p->have = true;
        p->failures = 0;
        p->error[0] = '\0';
        long left = p->keys.expires ? (long)(p->keys.expires - time(NULL)) : 3600;
        long ahead = left / 2 < 300 ? left / 2 : 300;
        sb_log(SB_LOG_INFO, "aws", "credentials fetched from the container endpoint; valid %ld s",
               left);
        schedule(p, left - ahead);
    }
    wake_waiters(p);
}

static void start_fetch(sb_aws_creds *p) {
    if (!p->uri || p->fetch)
        return;
    evtimer_del(p->timer);
    struct curl_slist *h = NULL;
    char line[8192];
    bool ok = true;
    const char *why = "out of memory";
    if (p->token_file) {
        size_t len;
        char *t = read_file(p->token_file, &len);
        if (!t) {
            ok = false;
            why = "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
        } else {
            while (len && (t[len - 1] == '\n' || t[len - 1] == '\r' || t[len - 1] == ' '))
                t[--len] = '\0';
            if (strpbrk(t, "\r\n") || len + 16 > sizeof line) {
                ok = false;
                why = "the authorization token file holds more than one line";
            } else {
                snprintf(line, sizeof line, "Authorization: %s", t);
                ok = (h = curl_slist_append(h, line)) != NULL;
            }
            wipe(t, len);
            free(t);
        }
    } else if (p->token) {
        if (strpbrk(p->token, "\r\n") || strlen(p->token) + 16 > sizeof line) {
            ok = false;
            why = "AWS_CONTAINER_AUTHORIZATION_TOKEN holds more than one line";
        } else {
            snprintf(line, sizeof line, "Authorization: %s", p->token);
            ok = (h = curl_slist_append(h, line)) != NULL;
        }
    }
    wipe(line, sizeof line);
    fetch *f = ok ? calloc(1, sizeof *f) : NULL;
    if (!f) {
        curl_slist_free_all(h);
        fetch_failed(p, why);
        wake_waiters(p);
        return;
    }
    f->p = p;
    p->fetch = f;
    if (sb_http_request_start(p->http, "GET", p->uri, h, NULL, 0, p->timeout_ms, NULL, on_fetched,
                              f) != 0) {
        p->fetch = NULL;
        free(f);
        fetch_failed(p, "cannot start the request");
        wake_waiters(p);
    }
}

const sb_aws_keys *sb_aws_creds_current(sb_aws_creds *p, const char **why) {
    if (p->have && (!p->keys.expires || time(NULL) + SB_AWS_CREDS_MARGIN < p->keys.expires))
        return &p->keys;
    /* after a failure the backoff timer fetches again: not here, or a caller that retries at
     * once (a shutdown finishing every request with an error) would never stop */
    if (!p->fetch && p->failures == 0)
        start_fetch(p);
    if (why)
        *why = p->error[0] ? p->error
               : p->have   ? "the credentials expired; fetching new ones"
                           : "fetching credentials";
    return NULL;
}

bool sb_aws_creds_fetching(const sb_aws_creds *p) {
    return p->fetch != NULL;
}

int sb_aws_creds_wait(sb_aws_creds *p, sb_aws_creds_ready ready, void *arg) {
    for (waiter *w = p->waiters; w; w = w->next)
        if (w->arg == arg)
            return SB_OK;
    waiter *w = malloc(sizeof *w);
    if (!w)
        return SB_ENOMEM;
    *w = (waiter){ready, arg, p->waiters};
    p->waiters = w;
    return SB_OK;
}

void sb_aws_creds_cancel(sb_aws_creds *p, void *arg) {
    for (waiter **pp = &p->waiters; *pp;) {
        waiter *w = *pp;
        if (w->arg == arg) {
            *pp = w->next;
            free(w);
        } else {
            pp = &w->next;
        }
    }
}

void sb_aws_creds_expired(sb_aws_creds *p) {
    if (!p->uri || p->fetch)
        return;
    p->have = false;
    start_fetch(p);
}

const char *sb_aws_creds_source(const sb_aws_creds *p) {
    return p->source;
}
