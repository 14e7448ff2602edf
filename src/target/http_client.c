/* http_client.c - libcurl multi + libevent: sockets and timers of curl become events.
 *
 * At most SB_HTTP_HOST_CONNECTIONS requests per origin (scheme://host:port) are handed to
 * curl at a time, each with a connection of its own; the rest wait here, in order. Left to
 * curl, thousands of waiting transfers made every curl_multi_remove_handle walk them (60% of
 * the router's time in a backlog of 60,000 deliveries to one HTTP target), and their timeouts
 * ran while they waited. */
#include "target/http_client.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SB_HTTP_HOST_CONNECTIONS 64

/* The requests of one scheme://host:port. */
typedef struct origin {
    struct origin *next;
    size_t active;                                 /* handed to curl */
    struct sb_http_request *waiting, *waiting_end; /* not yet, in order */
    char key[];
} origin;

struct sb_http_client {
    struct event_base *base;
    CURLM *multi;
    struct event *timer;
    size_t in_flight;
    struct sb_http_request *requests; /* in flight or waiting, to finish them at shutdown */
    origin *origins;
    char *ca_file, *cert_file, *key_file; /* TLS of every request, NULL for curl's defaults */
};

struct sb_http_request {
    sb_http_client *client;
    struct sb_http_request *prev, *next;
    origin *origin;
    bool active;                       /* handed to curl; else waiting in its origin */
    struct sb_http_request *next_wait; /* in origin->waiting */
    CURL *easy;
    struct curl_slist *headers;
    char *body;
    char *resp;
    size_t resp_len, resp_cap;
    char retry_after[64];
    char errbuf[CURL_ERROR_SIZE];
    sb_http_done done;
    void *arg;
};

typedef struct sock_ctx {
    struct event *ev;
    sb_http_client *client;
} sock_ctx;

static void unlink_request(sb_http_client *c, sb_http_request *rq) {
    if (rq->prev)
        rq->prev->next = rq->next;
    else
        c->requests = rq->next;
    if (rq->next)
        rq->next->prev = rq->prev;
}

static void request_free(sb_http_request *rq) {
    curl_easy_cleanup(rq->easy);
    curl_slist_free_all(rq->headers);
    free(rq->body);
    free(rq->resp);
    free(rq);
}

/* Finishes rq, which never reached curl, with error (it was never sent). */
static void fail_unsent(sb_http_client *c, sb_http_request *rq, const char *error) {
    unlink_request(c, rq);
    c->in_flight--;
    sb_http_result res = {0};
    res.error = error;
    res.body = "";
    rq->done(&res, rq->arg);
    request_free(rq);
}

/* Hands o's waiting requests to curl while it has connections to spare. */
static void start_waiting(sb_http_client *c, origin *o) {
    while (o->waiting && o->active < SB_HTTP_HOST_CONNECTIONS) {
        sb_http_request *rq = o->waiting;
        o->waiting = rq->next_wait;
        if (!o->waiting)
            o->waiting_end = NULL;
        if (curl_multi_add_handle(c->multi, rq->easy) != CURLM_OK) {
            fail_unsent(c, rq, "out of memory");
            continue;
        }
        rq->active = true;
        o->active++;
    }
}

/* The origin of url ("scheme://host:port", as written), created when new; NULL when out of
 * memory. */
static origin *origin_of(sb_http_client *c, const char *url) {
    const char *p = strstr(url, "://");
    size_t n = p ? (size_t)(p + 3 - url) + strcspn(p + 3, "/?#") : strlen(url);
    for (origin *o = c->origins; o; o = o->next)
        if (strncmp(o->key, url, n) == 0 && o->key[n] == '\0')
            return o;
    origin *o = calloc(1, sizeof *o + n + 1);
    if (!o)
        return NULL;
    memcpy(o->key, url, n);
    o->next = c->origins;
    c->origins = o;
    return o;
}

/* The TLS files of a request: tls's where it has them, else the client's.
 *
 * Requests with different files share curl's connection pool (one per multi handle) without
 * sharing connections: before reusing one, curl compares the TLS settings it was made with
 * (lib/url.c ConnectionExists -> Curl_ssl_config_matches, lib/vtls/vtls.c), among them the CA
 * file and the client certificate file by name, and its TLS session cache is keyed the same
 * way. Up to curl 8.20 the key file and its password are not compared (8.21 added them: curl
 * commit 7541ae5): two requests with the same certificate file and different keys could share a
 * connection. For connections' files that shares no identity: the config check
 * (sb_pem_check_key) accepts only the certificate's own key, so one certificate file means one
 * client. The test (tls_targets.test.mjs) sends with two certificates to one server over
 * kept-alive connections.
 *
 * curl keeps its own copy of the key's password, which it frees without zeroing it. */
static void set_tls(sb_http_client *c, CURL *e, const sb_http_tls *tls) {
    const char *ca = tls && tls->ca_file ? tls->ca_file : c->ca_file;
    bool own_cert = tls && tls->cert_file;
    const char *cert = own_cert ? tls->cert_file : c->cert_file;
    if (ca)
        curl_easy_setopt(e, CURLOPT_CAINFO, ca);
    if (cert) {
        curl_easy_setopt(e, CURLOPT_SSLCERT, cert);
        curl_easy_setopt(e, CURLOPT_SSLKEY, own_cert ? tls->key_file : c->key_file);
    }
    if (own_cert && tls->key_password)
        curl_easy_setopt(e, CURLOPT_KEYPASSWD, tls->key_password);
}

static void check_done(sb_http_client *c) {
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(c->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        sb_http_request *rq;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&rq);
        CURLcode cc = msg->data.result;
        sb_http_result res = {0};
        if (cc == CURLE_OK) {
            curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &res.status);
        } else {
            res.timed_out = cc == CURLE_OPERATION_TIMEDOUT;
            res.error = rq->errbuf[0] ? rq->errbuf : curl_easy_strerror(cc);
        }
        res.body = rq->resp ? rq->resp : "";
        res.body_len = rq->resp_len;
        res.retry_after = rq->retry_after[0] ? rq->retry_after : NULL;
        curl_multi_remove_handle(c->multi, rq->easy);
        unlink_request(c, rq);
        c->in_flight--;
        rq->origin->active--;
        start_waiting(c, rq->origin);
        rq->done(&res, rq->arg);
        request_free(rq);
    }
}

static void on_socket_event(evutil_socket_t fd, short what, void *arg) {
    sb_http_client *c = arg;
    int flags = (what & EV_READ ? CURL_CSELECT_IN : 0) | (what & EV_WRITE ? CURL_CSELECT_OUT : 0);
    int running;
    curl_multi_socket_action(c->multi, fd, flags, &running);
    check_done(c);
}

static void on_timer(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    sb_http_client *c = arg;
    int running;
    curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_done(c);
}

static int socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp) {
    (void)easy;
    sb_http_client *c = userp;
    sock_ctx *sc = socketp;
    if (what == CURL_POLL_REMOVE) {
        if (sc) {
            event_free(sc->ev);
            free(sc);
            curl_multi_assign(c->multi, s, NULL);
        }
        return 0;
    }
    if (!sc) {
        sc = calloc(1, sizeof *sc);
        if (!sc)
            return -1;
        sc->client = c;
        curl_multi_assign(c->multi, s, sc);
    } else {
        event_free(sc->ev);
    }
    short kind =
        EV_PERSIST | (what & CURL_POLL_IN ? EV_READ : 0) | (what & CURL_POLL_OUT ? EV_WRITE : 0);
    sc->ev = event_new(c->base, s, kind, on_socket_event, c);
    if (!sc->ev)
        return -1;
    event_add(sc->ev, NULL);
    return 0;
}

static int timer_cb(CURLM *multi, long timeout_ms, void *userp) {
    (void)multi;
    sb_http_client *c = userp;
    if (timeout_ms < 0) {
        evtimer_del(c->timer);
        return 0;
    }
    /* never call curl from here: a zero timeout runs on the next loop pass */
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    evtimer_add(c->timer, &tv);
    return 0;
}

static size_t on_body(char *data, size_t size, size_t n, void *arg) {
    sb_http_request *rq = arg;
    size_t len = size * n, keep = len;
    if (rq->resp_len + keep > SB_HTTP_MAX_RESPONSE)
        keep = SB_HTTP_MAX_RESPONSE - rq->resp_len;
    if (keep) {
        if (rq->resp_len + keep + 1 > rq->resp_cap) {
            size_t cap = rq->resp_cap ? rq->resp_cap * 2 : 1024;
            while (cap < rq->resp_len + keep + 1)
                cap *= 2;
            char *r = realloc(rq->resp, cap);
            if (!r)
                return 0;
            rq->resp = r;
            rq->resp_cap = cap;
        }
        memcpy(rq->resp + rq->resp_len, data, keep);
        rq->resp_len += keep;
        rq->resp[rq->resp_len] = '\0';
    }
    return len;
}

static size_t on_header(char *data, size_t size, size_t n, void *arg) {
    sb_http_request *rq = arg;
    size_t len = size * n;
    if (len > 12 && strncasecmp(data, "Retry-After:", 12) == 0) {
        size_t i = 12;
        while (i < len && data[i] == ' ')
            i++;
        size_t e = len;
        while (e > i && (data[e - 1] == '\r' || data[e - 1] == '\n' || data[e - 1] == ' '))
            e--;
        size_t k = e - i < sizeof rq->retry_after - 1 ? e - i : sizeof rq->retry_after - 1;
        memcpy(rq->retry_after, data + i, k);
        rq->retry_after[k] = '\0';
    }
    return len;
}

sb_http_client *sb_http_client_new(struct event_base *base) {
    static int inited;
    if (!inited) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        inited = 1;
    }
    sb_http_client *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->base = base;
    c->multi = curl_multi_init();
    c->timer = evtimer_new(base, on_timer, c);
    if (!c->multi || !c->timer) {
        sb_http_client_free(c);
        return NULL;
    }
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
    curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 64L);
    return c;
}

int sb_http_client_set_tls(sb_http_client *c, const char *ca_file, const char *cert_file,
                           const char *key_file) {
    c->ca_file = ca_file && *ca_file ? strdup(ca_file) : NULL;
    c->cert_file = cert_file && *cert_file ? strdup(cert_file) : NULL;
    c->key_file = key_file && *key_file ? strdup(key_file) : NULL;
    return ((ca_file && *ca_file && !c->ca_file) || (cert_file && *cert_file && !c->cert_file) ||
            (key_file && *key_file && !c->key_file))
               ? SB_ENOMEM
               : SB_OK;
}

void sb_http_client_free(sb_http_client *c) {
    if (!c)
        return;
    /* finish what is in flight with an error, so that nothing waits for it any more; a
     * callback may start a new request (an OAuth retry): loop until none is left */
    while (c->requests) {
        sb_http_request *rq = c->requests;
        unlink_request(c, rq);
        if (rq->active)
            curl_multi_remove_handle(c->multi, rq->easy);
        c->in_flight--;
        sb_http_result res = {0};
        res.error = "signalbox is shutting down";
        res.body = "";
        rq->done(&res, rq->arg);
        request_free(rq);
    }
    while (c->origins) {
        origin *o = c->origins;
        c->origins = o->next;
        free(o);
    }
    if (c->multi)
        curl_multi_cleanup(c->multi);
    if (c->timer)
        event_free(c->timer);
    free(c->ca_file);
    free(c->cert_file);
    free(c->key_file);
    free(c);
}

size_t sb_http_client_in_flight(const sb_http_client *c) {
    return c->in_flight;
}

int sb_http_request_start(sb_http_client *c, const char *method, const char *url,
                          struct curl_slist *headers, const char *body, size_t body_len,
                          long timeout_ms, const char *userpwd, sb_http_done done, void *arg) {
    sb_http_request_opts o = {method,     url,     headers, body, body_len,
                              timeout_ms, userpwd, NULL,    NULL};
    return sb_http_request_start_opts(c, &o, done, arg);
}

int sb_http_request_start_opts(sb_http_client *c, const sb_http_request_opts *o, sb_http_done done,
                               void *arg) {
    const char *method = o->method, *url = o->url, *body = o->body, *userpwd = o->userpwd;
    struct curl_slist *headers = o->headers;
    size_t body_len = o->body_len;
    long timeout_ms = o->timeout_ms;
    sb_http_request *rq = calloc(1, sizeof *rq);
    if (!rq || !(rq->easy = curl_easy_init()) || (body_len && !(rq->body = malloc(body_len)))) {
        if (rq && rq->easy)
            curl_easy_cleanup(rq->easy);
        free(rq);
        curl_slist_free_all(headers);
        return -1;
    }
    if (body_len)
        memcpy(rq->body, body, body_len);
    rq->client = c;
    rq->headers = headers;
    rq->done = done;
    rq->arg = arg;
    CURL *e = rq->easy;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_PRIVATE, rq);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, rq->errbuf);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, rq);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, rq);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    set_tls(c, e, o->tls);
    if (o->aws_sigv4) {
        curl_easy_setopt(e, CURLOPT_AWS_SIGV4, o->aws_sigv4);
        curl_easy_setopt(e, CURLOPT_USERPWD, userpwd ? userpwd : "");
    } else if (userpwd) {
        curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(e, CURLOPT_USERPWD, userpwd);
    }
    if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
        if (strcmp(method, "POST") != 0)
            curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    }
    origin *org = origin_of(c, url);
    bool now = org && !org->waiting && org->active < SB_HTTP_HOST_CONNECTIONS;
    if (!org || (now && curl_multi_add_handle(c->multi, e) != CURLM_OK)) {
        request_free(rq); /* and the headers, which are ours */
        return -1;
    }
    rq->origin = org;
    if (now) {
        rq->active = true;
        org->active++;
    } else if (org->waiting_end) {
        org->waiting_end->next_wait = rq;
        org->waiting_end = rq;
    } else {
        org->waiting = org->waiting_end = rq;
    }
    c->in_flight++;
    rq->next = c->requests;
    if (c->requests)
        c->requests->prev = rq;
    c->requests = rq;
    return 0;
}
