/* http_ingest.c - evhttp request handling for ingest and the EventBridge API. */
#include "source/http_ingest.h"

#include <arpa/inet.h>
#include <hiredis/hiredis.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/envelope.h"
#include "core/json.h"
#include "core/log.h"
#include "auth/auth.h"
#include "pattern/pattern.h"
#include "target/redis_conn.h"
#include "source/events.h"
#include "source/kafka_producer.h"
#include "source/tls.h"
#include "source/putevents.h"

struct sb_ingest {
    struct event_base *base;
    struct evhttp *http;
    struct evhttp_bound_socket *sock;
    sb_router *router;
    sb_ingest_options opt;
    char *account, *region;
    size_t in_flight;       /* calls waiting for their deliveries */
    size_t replies_pending; /* answers handed to libevent and not yet written out */
    int port;
    bool draining;
};

typedef enum { CALL_PUTEVENTS, CALL_EVENTS } call_kind;

typedef struct call {
    sb_wait wait; /* first: the router sees this */
    sb_ingest *in;
    struct evhttp_request *req; /* NULL once the client went away */
    struct evhttp_connection *conn;
    call_kind kind;
    sb_arena arena;
    sb_put_request pr;
    char (*ids)[37];
    char traceparent[64];
    char *idem_key;          /* the Redis key of its Idempotency-Key, or NULL */
    const sb_principal *who; /* the authenticated sender, NULL without auth */
} call;

static const char *json11 = "application/x-amz-json-1.1";

void sb_http_reply(struct evhttp_request *req, int status, const char *ctype, const char *body,
                   size_t len) {
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Content-Type", ctype);
    struct evbuffer *out = evbuffer_new();
    if (out)
        evbuffer_add(out, body, len);
    const char *reason = status == 200   ? "OK"
                         : status == 400 ? "Bad Request"
                         : status == 401 ? "Unauthorized"
                         : status == 403 ? "Forbidden"
                         : status == 404 ? "Not Found"
                         : status == 405 ? "Method Not Allowed"
                         : status == 413 ? "Payload Too Large"
                         : status == 415 ? "Unsupported Media Type"
                         : status == 429 ? "Too Many Requests"
                         : status == 503 ? "Service Unavailable"
                                         : "Error";
    evhttp_send_reply(req, status, reason, out);
    if (out)
        evbuffer_free(out);
}

/* An AWS JSON 1.1 error: {"__type": TYPE, "message": MESSAGE}. */
static void aws_error(struct evhttp_request *req, int status, const char *type, const char *msg) {
    sb_buf b;
    sb_buf_init(&b);
    sb_buf_puts(&b, "{\"__type\":");
    sb_buf_json_cstr(&b, type);
    sb_buf_puts(&b, ",\"message\":");
    sb_buf_json_cstr(&b, msg);
    sb_buf_putc(&b, '}');
    evhttp_add_header(evhttp_request_get_output_headers(req), "x-amzn-ErrorType", type);
    sb_http_reply(req, status, json11, b.data ? b.data : "{}", b.len);
    sb_buf_free(&b);
}

/* A /events error: {"code": CODE, "message": MESSAGE}. */
static void plain_error(struct evhttp_request *req, int status, const char *code, const char *msg) {
    sb_buf b;
    sb_buf_init(&b);
    sb_buf_puts(&b, "{\"code\":");
    sb_buf_json_cstr(&b, code);
    sb_buf_puts(&b, ",\"message\":");
    sb_buf_json_cstr(&b, msg);
    sb_buf_putc(&b, '}');
    sb_http_reply(req, status, "application/json", b.data ? b.data : "{}", b.len);
    sb_buf_free(&b);
}

static void call_free(call *c) {
    free(c->idem_key);
    sb_arena_free(&c->arena);
    free(c->ids);
    free(c);
}

static void on_conn_close(struct evhttp_connection *conn, void *arg) {
    (void)conn;
    call *c = arg;
    c->req = NULL; /* the client is gone: answer nobody */
}

/* An answer handed to libevent counts as pending until it is written out or its connection
 * fails, whichever comes first: a drain may end only after that. */
typedef struct reply_watch {
    sb_ingest *in;
    struct evhttp_connection *conn;
} reply_watch;

static void on_reply_sent(struct evhttp_request *req, void *arg) {
    (void)req;
    reply_watch *w = arg;
    evhttp_connection_set_closecb(w->conn, NULL, NULL);
    w->in->replies_pending--;
    free(w);
}

static void on_reply_lost(struct evhttp_connection *conn, void *arg) {
    (void)conn;
    reply_watch *w = arg;
    w->in->replies_pending--;
    free(w);
}

static void ignore_reply(struct redisReply *reply, void *arg) {
    (void)reply;
    (void)arg;
}

/* Keeps the answer of a call with an Idempotency-Key for the TTL. */
static void remember_answer(sb_ingest *in, const char *key, const char *answer, size_t len) {
    char ttl[24];
    snprintf(ttl, sizeof ttl, "%ld", in->opt.idempotency_ttl_ms);
    const char *argv[] = {"SET", key, answer, "PX", ttl};
    size_t lens[] = {3, strlen(key), len, 2, strlen(ttl)};
    sb_redis_command(in->opt.redis, ignore_reply, NULL, 5, argv, lens);
}

static void forget_key(sb_ingest *in, const char *key) {
    const char *argv[] = {"DEL", key};
    size_t lens[] = {3, strlen(key)};
    sb_redis_command(in->opt.redis, ignore_reply, NULL, 2, argv, lens);
}

static void call_complete(sb_wait *w) {
    call *c = (call *)w;
    c->in->in_flight--;
    if (c->req || c->idem_key) {
        reply_watch *rw = NULL;
        if (c->req) {
            evhttp_connection_set_closecb(c->conn, NULL, NULL);
            rw = malloc(sizeof *rw);
        }
        if (rw) {
            rw->in = c->in;
            rw->conn = c->conn;
            c->in->replies_pending++;
            evhttp_request_set_on_complete_cb(c->req, on_reply_sent, rw);
            evhttp_connection_set_closecb(c->conn, on_reply_lost, rw);
        }
        sb_buf b;
        sb_buf_init(&b);
        size_t failed = 0;
        for (size_t i = 0; i < c->pr.n; i++)
            failed += c->pr.entries[i].error_code != NULL;
        sb_buf_printf(&b, "{\"FailedEntryCount\":%zu,\"Entries\":[", failed);
        for (size_t i = 0; i < c->pr.n; i++) {
            const sb_put_entry *e = &c->pr.entries[i];
            if (i)
                sb_buf_putc(&b, ',');
            if (e->error_code) {
                sb_buf_puts(&b, "{\"ErrorCode\":");
                sb_buf_json_cstr(&b, e->error_code);
                sb_buf_puts(&b, ",\"ErrorMessage\":");
                sb_buf_json_cstr(&b, e->error_message);
                sb_buf_putc(&b, '}');
            } else {
                sb_buf_puts(&b, "{\"EventId\":");
                sb_buf_json_cstr(&b, c->ids[i]);
                sb_buf_putc(&b, '}');
            }
        }
        sb_buf_puts(&b, "]}");
        if (c->idem_key && !sb_buf_failed(&b))
            remember_answer(c->in, c->idem_key, b.data, b.len);
        else if (c->idem_key)
            forget_key(c->in, c->idem_key);
        if (!c->req) {
            /* the client went away; the answer is remembered all the same */
        } else if (sb_buf_failed(&b))
            aws_error(c->req, 500, "InternalFailure", "out of memory");
        else
            sb_http_reply(c->req, 200, c->kind == CALL_PUTEVENTS ? json11 : "application/json",
                          b.data, b.len);
        sb_buf_free(&b);
    }
    call_free(c);
}

static const char *header_of(void *arg, const char *name) {
    return evhttp_find_header(evhttp_request_get_input_headers(arg), name);
}

/* W3C traceparent: version-traceid-parentid-flags, passed on as it came, or a new one. */
static void trace_context(struct evhttp_request *req, char out[64]) {
    const char *tp = header_of(req, "traceparent");
    if (tp && strlen(tp) == 55 && tp[2] == '-' && tp[35] == '-' && tp[52] == '-' &&
        strspn(tp, "0123456789abcdef-") == 55) {
        memcpy(out, tp, 56);
        return;
    }
    char a[37], b[37];
    sb_uuid4(a);
    sb_uuid4(b);
    /* 32 hex digits of trace id and 16 of span id, from two random UUIDs without dashes */
    char tid[33], sid[17];
    int o = 0;
    for (int i = 0; a[i] && o < 32; i++)
        if (a[i] != '-')
            tid[o++] = a[i];
    tid[32] = '\0';
    o = 0;
    for (int i = 0; b[i] && o < 16; i++)
        if (b[i] != '-')
            sid[o++] = b[i];
    sid[16] = '\0';
    snprintf(out, 64, "00-%s-%s-01", tid, sid);
}

/* One event of a call on its way to Kafka. */
typedef struct forwarded {
    call *c;
    size_t i;
} forwarded;

static void on_forwarded(void *arg, const char *error) {
    forwarded *f = arg;
    call *c = f->c;
    if (error) {
        sb_put_entry *e = &c->pr.entries[f->i];
        e->error_code = "InternalFailure";
        snprintf(e->error_message, sizeof e->error_message,
                 "Kafka did not acknowledge the event: %.200s", error);
        c->wait.failed++;
    } else {
        c->wait.delivered++;
    }
    free(f);
    sb_wait_release(&c->wait);
}

/* Hands entry i (its envelope env[0..len)) to the ingest topic; SB_ENOTFOUND for an unknown
 * bus, another error when the producer refuses it at once. */
static int forward(sb_ingest *in, call *c, size_t i, const char *env, size_t len, sb_error *err) {
    const sb_ruleset *rs = sb_router_rules(in->router);
    const char *bus = c->pr.entries[i].bus;
    if (!rs || !sb_ruleset_bus(rs, bus))
        return sb_error_set(err, SB_ENOTFOUND, "event bus %s does not exist", bus);
    forwarded *f = malloc(sizeof *f);
    if (!f)
        return sb_error_set(err, SB_ENOMEM, "out of memory");
    f->c = c;
    f->i = i;
    c->wait.pending++;
    int rc = sb_kafka_produce(in->opt.producer, c->ids[i], bus, env, len, c->traceparent,
                              on_forwarded, f, err);
    if (rc != SB_OK) {
        c->wait.pending--;
        free(f);
    }
    return rc;
}

/* Routes every valid entry of c->pr (or hands it to Kafka); answers when all deliveries (or
 * acknowledgements) are done. */
static void route_entries(sb_ingest *in, call *c) {
    struct timespec mono, wall;
    clock_gettime(CLOCK_MONOTONIC, &mono);
    clock_gettime(CLOCK_REALTIME, &wall);
    int64_t now_ns = (int64_t)mono.tv_sec * 1000000000 + mono.tv_nsec;
    c->ids = calloc(c->pr.n ? c->pr.n : 1, sizeof *c->ids);
    c->wait.pending = 1;
    c->wait.complete = call_complete;
    in->in_flight++;
    if (c->req) {
        c->conn = evhttp_request_get_connection(c->req);
        evhttp_connection_set_closecb(c->conn, on_conn_close, c);
    }
    sb_buf env;
    sb_buf_init(&env);
    for (size_t i = 0; c->ids && i < c->pr.n; i++) {
        sb_put_entry *e = &c->pr.entries[i];
        if (e->error_code)
            continue;
        if (c->who && !sb_principal_allows(c->who, e->bus)) {
            e->error_code = "AccessDeniedException";
            snprintf(e->error_message, sizeof e->error_message,
                     "%.64s may not send events to the event bus %.64s", sb_principal_name(c->who),
                     e->bus);
            continue;
        }
        sb_envelope_fields f = {
            e->id,         e->source,  e->source_len, e->detail_type, e->detail_type_len,
            in->account,   in->region, e->time,       e->resources,   e->resource_lens,
            e->nresources, e->detail,  e->detail_len, NULL,           0};
        sb_buf_reset(&env);
        sb_envelope_write(&env, &f, c->ids[i]);
        if (sb_buf_failed(&env)) {
            e->error_code = "InternalFailure";
            snprintf(e->error_message, sizeof e->error_message, "out of memory");
            continue;
        }
        if (in->opt.count_in)
            in->opt.count_in(in->opt.arg, c->kind == CALL_PUTEVENTS ? "putevents" : "http", e->bus,
                             1);
        sb_error err;
        int rc = in->opt.producer
                     ? forward(in, c, i, env.data, env.len, &err)
                     : sb_router_route(in->router, e->bus, env.data, env.len, c->ids[i], now_ns,
                                       wall.tv_sec, c->traceparent, &c->wait, &err);
        if (rc == SB_ENOTFOUND) {
            e->error_code = "ResourceNotFoundException";
            snprintf(e->error_message, sizeof e->error_message, "Event bus %s does not exist.",
                     e->bus);
        } else if (rc < 0) {
            e->error_code = "InternalFailure";
            snprintf(e->error_message, sizeof e->error_message, "%.200s", err.msg);
        }
    }
    if (!c->ids) {
        for (size_t i = 0; i < c->pr.n; i++)
            if (!c->pr.entries[i].error_code) {
                c->pr.entries[i].error_code = "InternalFailure";
                snprintf(c->pr.entries[i].error_message, sizeof c->pr.entries[i].error_message,
                         "out of memory");
            }
    }
    sb_buf_free(&env);
    sb_wait_release(&c->wait);
}

static call *call_new(sb_ingest *in, struct evhttp_request *req, call_kind kind) {
    call *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->in = in;
    c->req = req;
    c->kind = kind;
    sb_arena_init(&c->arena, 16 * 1024);
    trace_context(req, c->traceparent);
    return c;
}

/* A call's Idempotency-Key claim that failed validation gives the key back. */
static void drop_key(sb_ingest *in, call *c) {
    if (c->idem_key)
        forget_key(in, c->idem_key);
}

static void put_events(sb_ingest *in, struct evhttp_request *req, const char *body, size_t len,
                       char *idem_key, const sb_principal *who) {
    call *c = call_new(in, req, CALL_PUTEVENTS);
    if (!c) {
        if (idem_key)
            forget_key(in, idem_key);
        free(idem_key);
        aws_error(req, 500, "InternalFailure", "out of memory");
        return;
    }
    c->idem_key = idem_key;
    c->who = who;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    const char *type = "ValidationException";
    sb_error err;
    if (sb_putevents_parse(body, len, &c->arena, now, &c->pr, &type, &err) != SB_OK) {
        aws_error(req, 400, type, err.msg);
        drop_key(in, c);
        call_free(c);
        return;
    }
    route_entries(in, c);
}

static void test_event_pattern(sb_ingest *in, struct evhttp_request *req, const char *body,
                               size_t len) {
    (void)in;
    sb_arena arena;
    sb_arena_init(&arena, 0);
    sb_jnode *root;
    sb_error err;
    const sb_jmember *p = NULL, *e = NULL;
    if (sb_json_parse(body, len, &arena, false, &root, &err, NULL) != SB_OK) {
        aws_error(req, 400, "SerializationException", "The request body is not valid JSON.");
        goto out;
    }
    p = sb_json_get(root, "EventPattern");
    e = sb_json_get(root, "Event");
    if (!p || p->value->type != SB_JSON_STRING || !e || e->value->type != SB_JSON_STRING) {
        aws_error(req, 400, "ValidationException",
                  "EventPattern and Event are required and must be strings of JSON.");
        goto out;
    }
    sb_patterns *ps = sb_patterns_new();
    sb_machine *m = NULL;
    sb_matcher *mt = NULL;
    if (!ps) {
        aws_error(req, 500, "InternalFailure", "out of memory");
        goto out;
    }
    if (sb_patterns_add(ps, 0, p->value->u.str.s, p->value->u.str.len, "EventPattern", &err) !=
        SB_OK) {
        char msg[SB_ERROR_MSG_MAX + 64];
        snprintf(msg, sizeof msg, "Event pattern is not valid. Reason: %s", err.msg);
        aws_error(req, 400, "InvalidEventPatternException", msg);
    } else if (!(m = sb_machine_compile(ps, &err)) || !(mt = sb_matcher_new(m))) {
        aws_error(req, 500, "InternalFailure", "out of memory");
    } else {
        const uint32_t *ids;
        int n = sb_match(mt, e->value->u.str.s, e->value->u.str.len, &ids, &err);
        if (n < 0) {
            char msg[SB_ERROR_MSG_MAX + 64];
            snprintf(msg, sizeof msg, "Parameter Event is not valid. Reason: %s", err.msg);
            aws_error(req, 400, "ValidationException", msg);
        } else {
            const char *answer = n > 0 ? "{\"Result\":true}" : "{\"Result\":false}";
            sb_http_reply(req, 200, json11, answer, strlen(answer));
        }
    }
    sb_matcher_free(mt);
    sb_machine_free(m);
    sb_patterns_free(ps);
out:
    sb_arena_free(&arena);
}

static void post_events(sb_ingest *in, struct evhttp_request *req, const char *body, size_t len,
                        char *idem_key, const sb_principal *who) {
    call *c = call_new(in, req, CALL_EVENTS);
    if (!c) {
        if (idem_key)
            forget_key(in, idem_key);
        free(idem_key);
        plain_error(req, 500, "InternalFailure", "out of memory");
        return;
    }
    c->idem_key = idem_key;
    c->who = who;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int status;
    sb_error err;
    const char *ctype = header_of(req, "Content-Type");
    if (sb_events_parse(ctype, header_of, req, body, len, &c->arena, now, &c->pr, &status, &err) !=
        SB_OK) {
        plain_error(req, status, status == 415 ? "UnsupportedMediaType" : "BadRequest", err.msg);
        drop_key(in, c);
        call_free(c);
        return;
    }
    /* the bus: ?bus=NAME, default "default" */
    const char *bus = "default";
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *query = uri ? evhttp_uri_get_query(uri) : NULL;
    struct evkeyvalq params;
    memset(&params, 0, sizeof params); /* an empty queue (TAILQ_INIT without sys/queue.h) */
    params.tqh_last = &params.tqh_first;
    if (query && evhttp_parse_query_str(query, &params) == 0) {
        const char *b = evhttp_find_header(&params, "bus");
        if (b && *b)
            bus = sb_arena_strndup(&c->arena, sb_bus_name(b), strlen(sb_bus_name(b)));
    }
    evhttp_clear_headers(&params);
    for (size_t i = 0; i < c->pr.n; i++)
        c->pr.entries[i].bus = bus ? bus : "default";
    route_entries(in, c);
}

static const char *input_header(void *arg, const char *name) {
    return evhttp_find_header(evhttp_request_get_input_headers(arg), name);
}

/* With auth: the sender, or an answer (401/403, or 429 over its rate) and false. */
static bool authenticated(sb_ingest *in, struct evhttp_request *req, bool aws, const char *path,
                          sb_principal **who) {
    *who = NULL;
    if (!in->opt.auth)
        return true;
    struct evbuffer *ib = evhttp_request_get_input_buffer(req);
    size_t len = evbuffer_get_length(ib);
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *query = uri ? evhttp_uri_get_query(uri) : NULL;
    sb_auth_request ar = {"POST",       path,      query ? query : "",
                          input_header, req,       len ? (const char *)evbuffer_pullup(ib, -1) : "",
                          len,          time(NULL)};
    int status;
    char why[300];
    *who = sb_auth_identify(in->opt.auth, &ar, &status, why, sizeof why);
    if (!*who) {
        /* a 403 is a bad signature, or an admin key (which sends no events) */
        const char *authz = input_header(req, "Authorization");
        bool signature =
            !input_header(req, "X-Api-Key") && authz && strncmp(authz, "AWS4-", 5) == 0;
        if (aws)
            aws_error(req, status,
                      status == 401 ? "UnrecognizedClientException"
                      : signature   ? "InvalidSignatureException"
                                    : "AccessDeniedException",
                      why);
        else
            plain_error(req, status, status == 401 ? "Unauthorized" : "Forbidden", why);
        return false;
    }
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    int retry_after;
    if (!sb_principal_take(*who, (double)t.tv_sec * 1000 + t.tv_nsec / 1e6, &retry_after)) {
        char ra[16], msg[160];
        snprintf(ra, sizeof ra, "%d", retry_after);
        snprintf(msg, sizeof msg, "Rate exceeded for %.64s", sb_principal_name(*who));
        evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", ra);
        if (aws)
            aws_error(req, 429, "ThrottlingException", msg);
        else
            plain_error(req, 429, "Throttled", msg);
        return false;
    }
    return true;
}

/* Above max_in_flight deliveries: 429 with Retry-After, and true. */
static bool throttled(sb_ingest *in, struct evhttp_request *req, bool aws) {
    if (!in->opt.max_in_flight)
        return false;
    sb_router_stats st;
    sb_router_stats_get(in->router, &st);
    if (st.in_flight < in->opt.max_in_flight)
        return false;
    char msg[160];
    snprintf(msg, sizeof msg, "Rate exceeded: %llu deliveries in flight (max-in-flight %zu)",
             (unsigned long long)st.in_flight, in->opt.max_in_flight);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "1");
    if (aws)
        aws_error(req, 429, "ThrottlingException", msg);
    else
        plain_error(req, 429, "Throttled", msg);
    return true;
}

/* A call with an Idempotency-Key waits for its claim: first (route it), a repeat (answer as
 * the first call was answered), or one still in progress (409). */
typedef struct claim_wait {
    sb_ingest *in;
    struct evhttp_request *req; /* NULL once the client went away */
    struct evhttp_connection *conn;
    bool aws;
    char *key;
    const sb_principal *who;
} claim_wait;

static void on_claim_conn_close(struct evhttp_connection *conn, void *arg) {
    (void)conn;
    claim_wait *w = arg;
    w->req = NULL;
}

static void on_call_claim(struct redisReply *reply, void *arg) {
    claim_wait *w = arg;
    sb_ingest *in = w->in;
    in->in_flight--;
    struct evhttp_request *req = w->req;
    if (req)
        evhttp_connection_set_closecb(w->conn, NULL, NULL);
    if (!req) {
        if (reply && reply->type == REDIS_REPLY_NIL)
            forget_key(in, w->key);
        free(w->key);
        free(w);
        return;
    }
    const char *ctype = w->aws ? json11 : "application/json";
    if (!reply || reply->type == REDIS_REPLY_ERROR) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "1");
        if (w->aws)
            aws_error(req, 503, "ServiceUnavailable",
                      "the Idempotency-Key cannot be checked: Redis is unavailable");
        else
            plain_error(req, 503, "ServiceUnavailable",
                        "the Idempotency-Key cannot be checked: Redis is unavailable");
    } else if (reply->type == REDIS_REPLY_STRING && strcmp(reply->str, "pending") == 0) {
        if (w->aws)
            aws_error(req, 409, "ConcurrentModificationException",
                      "a call with this Idempotency-Key is still in progress");
        else
            plain_error(req, 409, "Conflict",
                        "a call with this Idempotency-Key is still in progress");
    } else if (reply->type == REDIS_REPLY_STRING) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Idempotent-Replayed", "true");
        sb_http_reply(req, 200, ctype, reply->str, reply->len);
    } else {
        struct evbuffer *ib = evhttp_request_get_input_buffer(req);
        size_t len = evbuffer_get_length(ib);
        const char *body = len ? (const char *)evbuffer_pullup(ib, -1) : "";
        char *key = w->key;
        w->key = NULL;
        if (w->aws)
            put_events(in, req, body, len, key, w->who);
        else
            post_events(in, req, body, len, key, w->who);
    }
    free(w->key);
    free(w);
}

static void claim_call(sb_ingest *in, struct evhttp_request *req, bool aws, const char *ikey,
                       const sb_principal *who) {
    size_t n = strlen(ikey);
    if (n == 0 || n > 255 ||
        strspn(ikey, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789-_.:~+/=") != n) {
        const char *msg = "Idempotency-Key must be 1-255 characters of letters, digits and "
                          "-_.:~+/=";
        if (aws)
            aws_error(req, 400, "ValidationException", msg);
        else
            plain_error(req, 400, "BadRequest", msg);
        return;
    }
    claim_wait *w = calloc(1, sizeof *w);
    char *key = malloc(n + 48);
    if (!w || !key) {
        free(w);
        free(key);
        aws_error(req, 500, "InternalFailure", "out of memory");
        return;
    }
    snprintf(key, n + 48, "signalbox:call:{%s}:%s", ikey, aws ? "putevents" : "events");
    w->in = in;
    w->req = req;
    w->conn = evhttp_request_get_connection(req);
    w->aws = aws;
    w->key = key;
    w->who = who;
    evhttp_connection_set_closecb(w->conn, on_claim_conn_close, w);
    in->in_flight++; /* a drain waits for it */
    /* "pending" holds a minute: a router that crashes mid-call blocks repeats no longer */
    const char *argv[] = {"SET", key, "pending", "NX", "PX", "60000", "GET"};
    size_t lens[7];
    for (int i = 0; i < 7; i++)
        lens[i] = strlen(argv[i]);
    sb_redis_command(in->opt.redis, on_call_claim, w, 7, argv, lens);
}

static void on_request(struct evhttp_request *req, void *arg) {
    sb_ingest *in = arg;
    const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    bool root = path && strcmp(path, "/") == 0, events = path && strcmp(path, "/events") == 0;
    if (!(root || events) || cmd != EVHTTP_REQ_POST) {
        if ((root || events) && cmd != EVHTTP_REQ_GET) {
            plain_error(req, 405, "MethodNotAllowed", "use POST");
            return;
        }
        if (in->opt.admin && !in->opt.admin_elsewhere)
            in->opt.admin(req, in->opt.arg);
        else
            plain_error(req, 404, "NotFound", "no such path");
        return;
    }
    if (in->draining) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "1");
        evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
        if (root)
            aws_error(req, 503, "ServiceUnavailable", "signalbox is shutting down");
        else
            plain_error(req, 503, "ServiceUnavailable", "signalbox is shutting down");
        return;
    }
    const char *target = root ? header_of(req, "X-Amz-Target") : NULL;
    bool ingest = events || (target && strcmp(target, "AWSEvents.PutEvents") == 0);
    sb_principal *who = NULL;
    if ((ingest || (target && strcmp(target, "AWSEvents.TestEventPattern") == 0)) &&
        !authenticated(in, req, root, path, &who))
        return;
    if (ingest && throttled(in, req, root))
        return;
    const char *ikey = ingest && in->opt.redis ? header_of(req, "Idempotency-Key") : NULL;
    if (ikey) {
        claim_call(in, req, root, ikey, who);
        return;
    }
    struct evbuffer *ib = evhttp_request_get_input_buffer(req);
    size_t len = evbuffer_get_length(ib);
    const char *body = len ? (const char *)evbuffer_pullup(ib, -1) : "";
    if (root) {
        if (target && strcmp(target, "AWSEvents.PutEvents") == 0)
            put_events(in, req, body, len, NULL, who);
        else if (target && strcmp(target, "AWSEvents.TestEventPattern") == 0)
            test_event_pattern(in, req, body, len);
        else
            aws_error(req, 400, "UnknownOperationException",
                      target ? "This operation is not supported: use AWSEvents.PutEvents or "
                               "AWSEvents.TestEventPattern"
                             : "Missing X-Amz-Target header.");
        return;
    }
    post_events(in, req, body, len, NULL, who);
}

sb_ingest *sb_ingest_new(struct event_base *base, sb_router *router, const sb_ingest_options *o,
                         sb_error *err) {
    sb_ingest *in = calloc(1, sizeof *in);
    if (!in) {
        sb_error_set(err, SB_ENOMEM, "out of memory");
        return NULL;
    }
    in->base = base;
    in->router = router;
    in->opt = *o;
    in->account = strdup(o->account);
    in->region = strdup(o->region);
    in->http = evhttp_new(base);
    if (!in->http || !in->account || !in->region) {
        sb_error_set(err, SB_ENOMEM, "out of memory");
        sb_ingest_free(in);
        return NULL;
    }
    evhttp_set_max_body_size(in->http, (ev_ssize_t)o->max_body);
    evhttp_set_max_headers_size(in->http, 64 * 1024);
    evhttp_set_timeout(in->http, o->client_timeout_s > 0 ? o->client_timeout_s : 60);
    if (o->tls)
        sb_tls_serve(in->http, o->tls);
    evhttp_set_allowed_methods(in->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                             EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE);
    evhttp_set_gencb(in->http, on_request, in);
    in->sock = evhttp_bind_socket_with_handle(in->http, o->host, (ev_uint16_t)o->port);
    if (!in->sock) {
        sb_error_set(err, SB_EIO, "cannot listen on %s:%d (address in use or not local?)", o->host,
                     o->port);
        sb_ingest_free(in);
        return NULL;
    }
    evutil_socket_t fd = evhttp_bound_socket_get_fd(in->sock);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    in->port = o->port;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
        in->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                  : ((struct sockaddr_in *)&ss)->sin_port);
    return in;
}

void sb_ingest_stop_accepting(sb_ingest *in) {
    in->draining = true;
    if (in->sock) {
        evhttp_del_accept_socket(in->http, in->sock);
        in->sock = NULL;
    }
}

size_t sb_ingest_in_flight(const sb_ingest *in) {
    return in->in_flight + in->replies_pending;
}

int sb_ingest_port(const sb_ingest *in) {
    return in->port;
}

void sb_ingest_free(sb_ingest *in) {
    if (!in)
        return;
    if (in->http)
        evhttp_free(in->http);
    free(in->account);
    free(in->region);
    free(in);
}
