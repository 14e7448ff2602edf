/* aws_target.c - the batching queue, linger, concurrency bound, signed calls and per-entry
 * settling that SQS and SNS targets share (see aws_target.h). */
#include "target/aws_target.h"

#include <event2/event.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/json.h"
#include "core/log.h"
#include "target/aws_endpoint.h"
#include "target/aws_error.h"
#include "transform/jsonpath.h"

/* A call in flight: a batch (items) or a lookup of prepare (done). */
typedef struct aws_call {
    sb_aws_target *t; /* NULL once the target is gone */
    sb_aws_call_done done;
    void *arg;
    struct aws_call *prev, *next;
} aws_call;

static void pump(sb_aws_target *t);

static void on_linger(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    sb_aws_target *t = arg;
    t->linger_armed = false;
    t->linger_over = true;
    pump(t);
}

int sb_aws_target_init(sb_aws_target *t, const sb_aws_service *svc, const sb_target_spec *spec,
                       const sb_target_env *env, const char *endpoint_override, sb_error *err) {
    t->svc = svc;
    t->spec = spec;
    t->base = env->base;
    t->http = env->http;
    t->timeout_ms = env->http_timeout_ms > 0 ? env->http_timeout_ms : 5000;
    t->linger_ms = env->aws_linger_ms >= 0 ? env->aws_linger_ms : 5;
    t->fifo = sb_aws_is_fifo(spec->resource);
    t->concurrency = t->fifo ? 1 : env->aws_concurrency > 0 ? (size_t)env->aws_concurrency : 16;
    if (!t->http || !t->base)
        return sb_error_set(err, SB_EINVAL, "target %s: no HTTP client", spec->id);
    if (sb_aws_endpoint(svc->name, spec->region, endpoint_override, t->url, sizeof t->url, err) !=
        SB_OK)
        return err ? err->code : SB_EINVAL;
    sb_aws_sigv4_param(spec->region, svc->name, t->sigv4, sizeof t->sigv4);
    const char *g = spec->message_group_id;
    if (t->fifo && !g)
        return sb_error_set(err, SB_EINVAL,
                            "target %s: %s is a FIFO %s: give %s.MessageGroupId (a value or a "
                            "JSONPath into the event)",
                            spec->id, spec->resource, svc->name[1] == 'q' ? "queue" : "topic",
                            svc->name[1] == 'q' ? "SqsParameters" : "SnsParameters");
    if (g && g[0] == '$') {
        if (!(t->group_path = sb_jsonpath_new(g, err)))
            return err ? err->code : SB_EINVAL;
        if (!sb_jsonpath_is_definite(t->group_path))
            return sb_error_set(err, SB_EINVAL,
                                "target %s: MessageGroupId %s must select one value (no wildcard)",
                                spec->id, g);
    } else if (g && !(t->group_static = strdup(g))) {
        return sb_error_set(err, SB_ENOMEM, "out of memory");
    }
    /* the deduplication id tells deliveries of one event by different rules or targets
     * apart: the same event sent to one queue by two rules is two messages */
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    sb_buf key;
    sb_buf_init(&key);
    sb_buf_append(&key, spec->id, strlen(spec->id) + 1);
    sb_buf_puts(&key, spec->arn);
    int ok = !sb_buf_failed(&key) &&
             EVP_Digest(key.data, key.len, md, &mdlen, EVP_sha256(), NULL) == 1 && mdlen >= 8;
    sb_buf_free(&key);
    if (!ok)
        return sb_error_set(err, SB_ENOMEM, "target %s: cannot hash its id", spec->id);
    for (int i = 0; i < 8; i++)
        snprintf(t->dedup_suffix + 2 * i, 3, "%02x", md[i]);
    if (!(t->linger = evtimer_new(t->base, on_linger, t)))
        return sb_error_set(err, SB_ENOMEM, "out of memory");
    if (!(t->creds = sb_aws_creds_acquire(t->base, t->http, t->timeout_ms, err)))
        return err ? err->code : SB_EINVAL;
    t->state = svc->prepare ? SB_AWS_UNPREPARED : SB_AWS_READY;
    return SB_OK;
}

void sb_aws_target_destroy(void *state) {
    sb_aws_target *t = state;
    if (!t)
        return;
    for (aws_call *c = t->calls; c; c = c->next)
        c->t = NULL;
    if (t->creds) {
        sb_aws_creds_cancel(t->creds, t);
        sb_aws_creds_release(t->creds);
    }
    if (t->linger)
        event_free(t->linger);
    sb_jsonpath_free(t->group_path);
    free(t->group_static);
    /* nothing should wait: the router destroys a target only when its deliveries are done */
    while (t->head) {
        sb_aws_item *it = t->head;
        t->head = it->next;
        free(it->group);
        free(it);
    }
    free(state);
}

void sb_aws_settle(sb_aws_item *it, sb_send_result r, const char *code, const char *message) {
    sb_delivery *d = it->d;
    free(it->group);
    free(it);
    d->done(d, r, r == SB_SEND_OK ? NULL : code, r == SB_SEND_OK ? NULL : message);
}

/* Settles a detached list of items, as the last thing the caller does with its target. */
static void settle_list(sb_aws_item *list, sb_send_result r, const char *code, const char *msg) {
    while (list) {
        sb_aws_item *next = list->next;
        sb_aws_settle(list, r, code, msg);
        list = next;
    }
}

static sb_aws_item *take_all(sb_aws_target *t) {
    sb_aws_item *list = t->head;
    t->head = t->tail = NULL;
    t->npending = t->pending_bytes = 0;
    t->linger_over = false;
    if (t->linger_armed) {
        evtimer_del(t->linger);
        t->linger_armed = false;
    }
    return list;
}

/* The message group of d: the static value, or the JSONPath's value in the event (a string as
 * it is, another scalar as its JSON text). false when the event has none. */
static bool group_of(const sb_aws_target *t, const sb_delivery *d, char **out, char *why,
                     size_t whylen) {
    *out = NULL;
    if (t->group_static) {
        if ((*out = strdup(t->group_static)))
            return true;
        snprintf(why, whylen, "out of memory");
        return false;
    }
    if (!t->group_path)
        return true;
    sb_arena a;
    sb_arena_init(&a, 4096);
    sb_jnode *root;
    const sb_jnode *v = NULL;
    if (d->event && sb_json_parse(d->event, d->event_len, &a, false, &root, NULL, NULL) == SB_OK)
        v = sb_jsonpath_get(t->group_path, root);
    sb_buf b;
    sb_buf_init(&b);
    if (v && v->type == SB_JSON_STRING)
        sb_buf_append(&b, v->u.str.s, v->u.str.len);
    else if (v && v->type != SB_JSON_OBJECT && v->type != SB_JSON_ARRAY && v->type != SB_JSON_NULL)
        sb_json_write(&b, v);
    sb_arena_free(&a);
    if (b.len == 0 || b.len > 128) {
        snprintf(why, whylen, "MessageGroupId %s selects %s in the event",
                 sb_jsonpath_text(t->group_path),
                 !v            ? "nothing"
                 : b.len > 128 ? "more than 128 characters"
                               : "no scalar");
        sb_buf_free(&b);
        return false;
    }
    if ((*out = sb_buf_take(&b, NULL)))
        return true;
    snprintf(why, whylen, "out of memory");
    return false;
}

size_t sb_aws_attributes(const sb_delivery *d, const char *names[SB_AWS_MAX_ATTRIBUTES],
                         const char *values[SB_AWS_MAX_ATTRIBUTES]) {
    size_t n = 0;
    names[n] = "signalbox.event-id", values[n++] = d->event_id;
    if (d->rule)
        names[n] = "signalbox.rule", values[n++] = d->rule;
    if (d->target_id)
        names[n] = "signalbox.target", values[n++] = d->target_id;
    if (d->traceparent)
        names[n] = "traceparent", values[n++] = d->traceparent;
    for (size_t i = 0; i + 1 < 2 * d->nattributes && n < SB_AWS_MAX_ATTRIBUTES; i += 2)
        names[n] = d->attributes[i], values[n++] = d->attributes[i + 1];
    return n;
}

static size_t entry_size(const sb_delivery *d, const char *group) {
    const char *names[SB_AWS_MAX_ATTRIBUTES], *values[SB_AWS_MAX_ATTRIBUTES];
    size_t n = sb_aws_attributes(d, names, values), size = d->len;
    for (size_t i = 0; i < n; i++)
        size += strlen(names[i]) + strlen(values[i]) + 6; /* + "String" */
    return size + (group ? strlen(group) : 0);
}

void sb_aws_target_send(void *state, sb_delivery *d) {
    sb_aws_target *t = state;
    sb_aws_item *it = calloc(1, sizeof *it);
    if (!it) {
        d->done(d, SB_SEND_RETRY, "InternalFailure", "out of memory");
        return;
    }
    it->d = d;
    char why[200];
    if (!group_of(t, d, &it->group, why, sizeof why)) {
        sb_aws_settle(it, SB_SEND_FAIL, "InvalidMessageGroupId", why);
        return;
    }
    it->size = entry_size(d, it->group);
    if (it->size > t->svc->max_entry_bytes) {
        snprintf(why, sizeof why, "the message and its attributes are %zu bytes, above %s's %zu",
                 it->size, t->svc->name, t->svc->max_entry_bytes);
        sb_aws_settle(it, SB_SEND_FAIL, "MessageTooLong", why);
        return;
    }
    if (t->tail)
        t->tail->next = it;
    else
        t->head = it;
    t->tail = it;
    t->npending++;
    t->pending_bytes += it->size;
    pump(t);
}

static void call_unlink(aws_call *c) {
    sb_aws_target *t = c->t;
    if (!t)
        return;
    if (c->prev)
        c->prev->next = c->next;
    else
        t->calls = c->next;
    if (c->next)
        c->next->prev = c->prev;
}

static void on_call_answer(const sb_http_result *res, void *arg);

int sb_aws_call(sb_aws_target *t, const char *body, size_t len, struct curl_slist *headers,
                sb_aws_call_done done, void *arg, const char **why) {
    aws_call *c = calloc(1, sizeof *c);
    if (!c) {
        curl_slist_free_all(headers);
        *why = "out of memory";
        return SB_ENOMEM;
    }
    c->done = done;
    c->arg = arg;
    const sb_aws_keys *k = sb_aws_creds_current(t->creds, why);
    if (!k) {
        curl_slist_free_all(headers);
        free(c);
        return SB_ENOTFOUND;
    }
    char userpwd[512];
    snprintf(userpwd, sizeof userpwd, "%s:%s", k->access_key_id, k->secret_access_key);
    struct curl_slist *h = headers;
    if (k->session_token) {
        /* curl signs every header it is given, this one too, as AWS asks */
        size_t n = strlen(k->session_token) + 32;
        char *line = malloc(n);
        if (line) {
            snprintf(line, n, "X-Amz-Security-Token: %s", k->session_token);
            h = curl_slist_append(h, line);
            memset(line, 0, n);
            free(line);
        } else {
            h = NULL;
        }
    }
    sb_http_request_opts o = {"POST", t->url, h, body, len, t->timeout_ms, userpwd, t->sigv4, NULL};
    int rc = h ? sb_http_request_start_opts(t->http, &o, on_call_answer, c) : -1;
    memset(userpwd, 0, sizeof userpwd);
    if (rc != 0) {
        if (!h)
            curl_slist_free_all(headers);
        free(c);
        *why = "cannot start the request (out of memory)";
        return SB_ENOMEM;
    }
    c->t = t;
    c->next = t->calls;
    if (c->next)
        c->next->prev = c;
    t->calls = c;
    t->in_flight++;
    return SB_OK;
}

static void on_call_answer(const sb_http_result *res, void *arg) {
    aws_call *c = arg;
    sb_aws_target *t = c->t;
    call_unlink(c);
    if (t)
        t->in_flight--;
    sb_aws_call_done done = c->done;
    void *darg = c->arg;
    free(c);
    /* a detached call ends into its own callback with no target (prepare's lookups just stop;
     * batches settle their entries) */
    done(t, res, darg);
}

/* ---- batches ---- */

typedef struct batch {
    size_t n;
    sb_aws_item *items[];
} batch;

static void on_batch_answer(sb_aws_target *t, const sb_http_result *res, void *arg) {
    batch *b = arg;
    sb_aws_item **items = b->items;
    size_t n = b->n;
    if (!t) { /* cannot happen: a target goes only when none of its deliveries is out */
        for (size_t i = 0; i < n; i++)
            sb_aws_settle(items[i], SB_SEND_RETRY, "InternalFailure", "the target was removed");
        free(b);
        return;
    }
    if (res->status >= 200 && res->status < 300) {
        /* let what waits go out before settling: settling may free the target */
        pump(t);
        t->svc->answer(t, items, n, res);
        free(b);
        return;
    }
    char code[112], msg[300];
    sb_send_result r = sb_aws_answer_error(res, code, sizeof code, msg, sizeof msg);
    long retry_after = 0;
    if (r == SB_SEND_RETRY && res->retry_after) {
        char *end;
        long secs = strtol(res->retry_after, &end, 10);
        if (end != res->retry_after && *end == '\0' && secs > 0 && secs <= 86400)
            retry_after = secs * 1000;
    }
    if (sb_aws_expired_credentials(code))
        sb_aws_creds_expired(t->creds);
    pump(t);
    for (size_t i = 0; i < n; i++) {
        items[i]->d->retry_after_ms = retry_after;
        sb_aws_settle(items[i], r, code, msg);
    }
    free(b);
}

sb_send_result sb_aws_answer_error(const sb_http_result *res, char *code, size_t codelen, char *msg,
                                   size_t msglen) {
    if (res->status == 0) {
        snprintf(code, codelen, "%s", res->timed_out ? "Timeout" : "ConnectionError");
        snprintf(msg, msglen, "%s", res->error ? res->error : "no answer");
        return SB_SEND_RETRY;
    }
    sb_aws_error e;
    sb_aws_error_parse(res->body, res->body_len, &e);
    if (e.code[0])
        snprintf(code, codelen, "%s", e.code);
    else
        snprintf(code, codelen, "HTTP %ld", res->status);
    snprintf(msg, msglen, "HTTP %ld: %s", res->status,
             e.message[0]    ? e.message
             : res->body_len ? "(no message)"
                             : "(empty answer)");
    return sb_aws_classify(res->status, e.code);
}

/* Takes the next batch off the queue: up to max_entries entries within max_batch_bytes; an
 * entry larger than the batch limit goes alone. */
static batch *take_batch(sb_aws_target *t) {
    const sb_aws_service *s = t->svc;
    batch *b = malloc(sizeof *b + s->max_entries * sizeof(sb_aws_item *));
    if (!b)
        return NULL;
    b->n = 0;
    size_t bytes = 0;
    while (t->head && b->n < s->max_entries) {
        sb_aws_item *it = t->head;
        bool alone = it->size > s->max_batch_bytes;
        if (b->n > 0 && (alone || bytes + it->size > s->max_batch_bytes))
            break;
        t->head = it->next;
        if (!t->head)
            t->tail = NULL;
        it->next = NULL;
        it->slot = (unsigned)b->n;
        b->items[b->n++] = it;
        bytes += it->size;
        t->npending--;
        t->pending_bytes -= it->size;
        if (alone)
            break;
    }
    return b;
}

static void on_creds(void *arg) {
    sb_aws_target *t = arg;
    t->waiting_creds = false;
    pump(t);
}

static void on_prepared_creds(void *arg);

/* Starts as many calls as the queue, the linger and the concurrency allow. */
static void pump(sb_aws_target *t) {
    if (!t->head || t->waiting_creds)
        return;
    if (t->state != SB_AWS_READY) {
        if (t->state == SB_AWS_UNPREPARED) {
            t->state = SB_AWS_PREPARING;
            t->svc->prepare(t);
        }
        return;
    }
    sb_aws_item *failed = NULL;
    const char *fail_why = NULL;
    while (t->head && t->in_flight < t->concurrency) {
        bool full =
            t->npending >= t->svc->max_entries || t->pending_bytes >= t->svc->max_batch_bytes;
        if (!full && !t->linger_over) {
            if (!t->linger_armed) {
                struct timeval tv = {t->linger_ms / 1000, (t->linger_ms % 1000) * 1000};
                evtimer_add(t->linger, &tv);
                t->linger_armed = true;
            }
            break;
        }
        const char *why = NULL;
        if (!sb_aws_creds_current(t->creds, &why)) {
            if (sb_aws_creds_fetching(t->creds) &&
                sb_aws_creds_wait(t->creds, on_creds, t) == SB_OK) {
                t->waiting_creds = true;
                break;
            }
            fail_why = why;
            failed = take_all(t);
            break;
        }
        batch *b = take_batch(t);
        sb_buf body;
        sb_buf_init(&body);
        struct curl_slist *h = NULL;
        int rc = b ? t->svc->build(t, b->items, b->n, &body, &h) : SB_ENOMEM;
        if (rc == SB_OK && sb_buf_failed(&body))
            rc = SB_ENOMEM;
        if (rc == SB_OK)
            rc = sb_aws_call(t, body.data, body.len, h, on_batch_answer, b, &why);
        else
            curl_slist_free_all(h);
        sb_buf_free(&body);
        if (rc != SB_OK) {
            /* back to the failed list: retried later by the router */
            for (size_t i = 0; b && i < b->n; i++) {
                b->items[i]->next = failed;
                failed = b->items[i];
            }
            free(b);
            fail_why = why ? why : "out of memory";
            break;
        }
    }
    if (!t->head) {
        t->linger_over = false;
        if (t->linger_armed) {
            evtimer_del(t->linger);
            t->linger_armed = false;
        }
    }
    if (failed)
        settle_list(failed, SB_SEND_RETRY, "CredentialsUnavailable", fail_why);
}

/* ---- prepare ---- */

static void on_prepared_creds(void *arg) {
    sb_aws_target *t = arg;
    t->waiting_creds = false;
    t->state = SB_AWS_UNPREPARED;
    pump(t);
}

void sb_aws_prepared(sb_aws_target *t, sb_send_result r, const char *code, const char *message) {
    if (r == SB_SEND_OK) {
        t->state = SB_AWS_READY;
        pump(t);
        return;
    }
    t->state = SB_AWS_UNPREPARED;
    if (strcmp(code, "CredentialsUnavailable") == 0 && sb_aws_creds_fetching(t->creds) &&
        sb_aws_creds_wait(t->creds, on_prepared_creds, t) == SB_OK) {
        t->waiting_creds = true;
        return;
    }
    sb_log(SB_LOG_WARN, "aws", "target %s: %s: %s", t->spec->id, code, message);
    settle_list(take_all(t), r, code, message);
}

void sb_aws_dedup_id(const sb_aws_target *t, const sb_delivery *d, char *out, size_t outlen) {
    snprintf(out, outlen, "%s-%s", d->event_id, t->dedup_suffix);
}

struct curl_slist *sb_aws_json_headers(const char *target) {
    char line[128];
    snprintf(line, sizeof line, "X-Amz-Target: %s", target);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/x-amz-json-1.0");
    struct curl_slist *h2 = h ? curl_slist_append(h, line) : NULL;
    if (!h2)
        curl_slist_free_all(h);
    return h2;
}

void sb_aws_form_escape(sb_buf *b, const char *s, size_t n) {
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            sb_buf_putc(b, (char)c);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            sb_buf_append(b, e, 3);
        }
    }
}
