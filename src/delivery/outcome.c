/* outcome.c - what happens around one attempt of a delivery: the circuit breaker and the
 * idempotency claim before it; after it, success, a retry (in memory, then in the Redis
 * schedule), or a dead letter. Each delivery ends exactly once in finish(). */
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/envelope.h"
#include "core/log.h"
#include "delivery/deadletter.h"
#include "delivery/idempotency.h"
#include "delivery/router_internal.h"
#include "target/redis_conn.h"

/* retries whose delay is at most this stay in memory (a few quick ones); later ones wait in
 * the schedule */
#define MEMORY_RETRIES 3
#define MEMORY_DELAY_MS 2000
#define BACKOFF_BASE_MS 200
#define BACKOFF_CAP_MS (5 * 60 * 1000)
#define DLQ_WRITE_TRIES 30

typedef enum { END_OK, END_DUPLICATE, END_SCHEDULED, END_DEAD_LETTER, END_LOST } ending;

int64_t sb_wall_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int64_t sb_mono_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static uint64_t next_random(sb_router *r) {
    if (!r->rng)
        r->rng = (uint64_t)sb_mono_ms() * 0x9E3779B97F4A7C15ULL | 1;
    r->rng ^= r->rng << 13;
    r->rng ^= r->rng >> 7;
    r->rng ^= r->rng << 17;
    return r->rng;
}

/* Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^(n-1))], at least
 * 20 ms, and at least what the target asked for (Retry-After). */
static int64_t backoff_ms(sb_router *r, int attempt, long retry_after_ms) {
    int64_t ceiling = BACKOFF_BASE_MS;
    for (int i = 1; i < attempt && ceiling < BACKOFF_CAP_MS; i++)
        ceiling *= 2;
    if (ceiling > BACKOFF_CAP_MS)
        ceiling = BACKOFF_CAP_MS;
    int64_t d = (int64_t)(next_random(r) % (uint64_t)(ceiling + 1));
    if (d < 20)
        d = 20;
    return d < retry_after_ms ? retry_after_ms : d;
}

static void unlink_waiting(delivery_ctx *c) {
    sb_router *r = c->router;
    if (c->prev)
        c->prev->next = c->next;
    else if (r->waiting == c)
        r->waiting = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
}

static void finish(delivery_ctx *c, ending how) {
    sb_router *r = c->router;
    r->stats.in_flight--;
    sb_send_result res = SB_SEND_OK;
    switch (how) {
    case END_OK:
        r->stats.delivered++;
        c->wait->delivered++;
        break;
    case END_DUPLICATE:
        r->stats.duplicates++;
        c->wait->delivered++;
        break;
    case END_SCHEDULED:
        r->stats.scheduled++;
        c->wait->delivered++; /* a scheduled retry counts as settled */
        res = SB_SEND_RETRY;
        break;
    case END_DEAD_LETTER:
    case END_LOST:
        r->stats.failed++;
        c->wait->failed++;
        res = SB_SEND_FAIL;
        break;
    }
    if (c->member && r->g.schedule)
        sb_schedule_remove(r->g.schedule, c->member, c->member_len);
    if (r->observe) {
        double secs = (double)(sb_mono_ms() * 1000000 - c->d.ingest_ns) / 1e9;
        r->observe(r->observe_arg, c->rule, c->lt->spec, res, secs);
    }
    sb_wait *w = c->wait;
    if (c->timer)
        event_free(c->timer);
    sb_live_unref(c->live);
    free(c->d.payload);
    free(c->event);
    free(c->idem_key);
    free(c->member);
    free(c);
    sb_wait_release(w);
}

/* Runs cb(c) after delay_ms, the delivery waiting in router->waiting meanwhile; false when
 * the timer cannot be set. */
static bool arm(delivery_ctx *c, event_callback_fn cb, int64_t delay_ms) {
    sb_router *r = c->router;
    if (!c->timer)
        c->timer = evtimer_new(r->env->base, cb, c);
    else
        event_assign(c->timer, r->env->base, -1, 0, cb, c);
    struct timeval tv = {(time_t)(delay_ms / 1000), (suseconds_t)(delay_ms % 1000) * 1000};
    if (!c->timer || evtimer_add(c->timer, &tv) != 0)
        return false;
    c->next = r->waiting;
    if (c->next)
        c->next->prev = c;
    r->waiting = c;
    return true;
}

static void lost(delivery_ctx *c, const char *why) {
    sb_log_fields(SB_LOG_ERROR, "delivery", c->d.event_id, c->rule->name, c->lt->spec->id,
                  "LOST: %s (Redis: %s); last error %s: %s; event %.*s", why,
                  c->router->env->redis ? sb_redis_last_error(c->router->env->redis) : "none",
                  c->code, c->message, (int)(c->event_len < 4096 ? c->event_len : 4096), c->event);
    finish(c, END_LOST);
}

static void send_now(delivery_ctx *c) {
    live_target *lt = c->lt;
    lt->ops->send(lt->state, &c->d);
}

/* ---- dead letters ---- */

static void dead_letter(delivery_ctx *c, const char *exhausted);

static void on_dlq_retry(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    delivery_ctx *c = arg;
    unlink_waiting(c);
    dead_letter(c, NULL);
}

static void on_dead_letter(bool stored, void *arg) {
    delivery_ctx *c = arg;
    if (stored) {
        c->router->stats.dead_letters++;
        sb_log_fields(SB_LOG_WARN, "delivery", c->d.event_id, c->rule->name, c->lt->spec->id,
                      "dead letter in %s after %d attempt(s): %s: %s", c->lt->dlq_key, c->attempts,
                      c->code, c->message);
        finish(c, END_DEAD_LETTER);
        return;
    }
    if (++c->dlq_tries >= DLQ_WRITE_TRIES || c->router->draining) {
        lost(c, "the dead letter could not be stored");
        return;
    }
    /* Redis is away: try again in a second, still in flight */
    if (!arm(c, on_dlq_retry, 1000))
        lost(c, "the dead letter could not be stored (no timer)");
}

/* A dead letter on its way to an SQS queue (DeadLetterConfig): the event as the message, with
 * EventBridge's attributes. */
typedef struct sqs_dead_letter {
    sb_delivery d; /* first: the SQS target sees only this */
    delivery_ctx *c;
    char retries[16];
    const char *attributes[12];
} sqs_dead_letter;

static void dead_letter_in_redis(delivery_ctx *c);

static void on_sqs_dead_letter(sb_delivery *d, sb_send_result res, const char *code,
                               const char *message) {
    sqs_dead_letter *q = (sqs_dead_letter *)d;
    delivery_ctx *c = q->c;
    free(q->d.payload);
    free(q);
    if (res == SB_SEND_OK) {
        c->router->stats.dead_letters++;
        sb_log_fields(SB_LOG_WARN, "delivery", c->d.event_id, c->rule->name, c->lt->spec->id,
                      "dead letter in %s after %d attempt(s): %s: %s", c->lt->spec->dlq_arn,
                      c->attempts, c->code, c->message);
        finish(c, END_DEAD_LETTER);
        return;
    }
    if (res == SB_SEND_RETRY && ++c->dlq_tries < DLQ_WRITE_TRIES && !c->router->draining &&
        arm(c, on_dlq_retry, 1000))
        return; /* the queue may come back: again in a second, still in flight */
    sb_log_fields(SB_LOG_WARN, "delivery", c->d.event_id, c->rule->name, c->lt->spec->id,
                  "the dead-letter queue %s did not take the event (%s: %s); into %s instead",
                  c->lt->spec->dlq_arn, code ? code : "Error", message ? message : "",
                  c->lt->dlq_key);
    c->dlq_fallback = true;
    c->dlq_tries = 0;
    dead_letter_in_redis(c);
}

/* Sends the event to the target's SQS dead-letter queue with RULE_ARN, TARGET_ARN,
 * ERROR_CODE, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION (when retries ran out) and
 * RETRY_ATTEMPTS (attempts after the first) as message attributes; empty values are left
 * out, since SQS refuses them. */
static void dead_letter_in_sqs(delivery_ctx *c) {
    sqs_dead_letter *q = calloc(1, sizeof *q);
    char *body = malloc(c->event_len + 1);
    if (!q || !body) {
        free(q);
        free(body);
        c->dlq_fallback = true; /* out of memory: the Redis stream needs none of this */
        dead_letter_in_redis(c);
        return;
    }
    memcpy(body, c->event, c->event_len);
    body[c->event_len] = '\0';
    q->c = c;
    q->d.payload = body;
    q->d.len = c->event_len;
    memcpy(q->d.event_id, c->d.event_id, sizeof q->d.event_id);
    q->d.rule = c->rule->name;
    q->d.target_id = c->lt->spec->id;
    q->d.traceparent = c->traceparent[0] ? c->traceparent : NULL;
    q->d.ingest_ns = c->d.ingest_ns;
    q->d.event = c->event;
    q->d.event_len = c->event_len;
    q->d.done = on_sqs_dead_letter;
    snprintf(q->retries, sizeof q->retries, "%d", c->attempts > 0 ? c->attempts - 1 : 0);
    const char *pairs[12] = {"RULE_ARN",
                             c->live->rule_arns[c->rule - c->live->rs->rules],
                             "TARGET_ARN",
                             c->lt->spec->arn,
                             "ERROR_CODE",
                             c->code,
                             "ERROR_MESSAGE",
                             c->message,
                             "EXHAUSTED_RETRY_CONDITION",
                             c->exhausted ? c->exhausted : "",
                             "RETRY_ATTEMPTS",
                             q->retries};
    size_t n = 0;
    for (size_t i = 0; i < 12; i += 2)
        if (pairs[i + 1] && pairs[i + 1][0]) {
            q->attributes[2 * n] = pairs[i];
            q->attributes[2 * n + 1] = pairs[i + 1];
            n++;
        }
    q->d.attributes = q->attributes;
    q->d.nattributes = n;
    c->lt->dlq_ops->send(c->lt->dlq_state, &q->d);
}

/* exhausted: "MaximumRetryAttemptsExceeded", "MaximumEventAgeExceeded", "" for a permanent
 * failure; NULL keeps the one of the first try (a repeated write). Into the target's SQS
 * dead-letter queue when it has one (its Redis stream when the queue does not take it), else
 * into its Redis stream. */
static void dead_letter(delivery_ctx *c, const char *exhausted) {
    if (exhausted)
        c->exhausted = exhausted;
    if (c->lt->dlq_ops && !c->dlq_fallback)
        dead_letter_in_sqs(c);
    else
        dead_letter_in_redis(c);
}

static void dead_letter_in_redis(delivery_ctx *c) {
    if (!c->router->env->redis) {
        sb_log_fields(SB_LOG_WARN, "delivery", c->d.event_id, c->rule->name, c->lt->spec->id,
                      "delivery failed after %d attempt(s) (no Redis for dead letters): %s: %s",
                      c->attempts, c->code, c->message);
        finish(c, END_LOST);
        return;
    }
    sb_dead_letter dl = {c->lt->dlq_key,
                         c->event,
                         c->event_len,
                         c->d.event_id,
                         c->rule->bus,
                         c->rule->name,
                         c->lt->spec->id,
                         c->lt->spec->arn,
                         c->code,
                         c->message,
                         c->exhausted ? c->exhausted : "",
                         c->attempts,
                         c->first_attempt_ms,
                         sb_wall_ms()};
    sb_dlq_write(c->router->env->redis, &dl, on_dead_letter, c);
}

/* ---- retries ---- */

static void on_retry_timer(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    delivery_ctx *c = arg;
    unlink_waiting(c);
    c->router->stats.retries++;
    sb_attempt(c);
}

static void wait_in_memory(delivery_ctx *c, int64_t delay_ms) {
    if (!arm(c, on_retry_timer, delay_ms)) {
        snprintf(c->message, sizeof c->message, "out of memory while waiting for a retry");
        dead_letter(c, "");
    }
}

typedef struct schedule_wait {
    delivery_ctx *c;
    int64_t delay_ms;
} schedule_wait;

static void on_scheduled(bool stored, void *arg) {
    schedule_wait *s = arg;
    delivery_ctx *c = s->c;
    int64_t delay = s->delay_ms;
    free(s);
    if (stored)
        finish(c, END_SCHEDULED);
    else if (c->router->draining)
        lost(c, "stopping, and the retry could not be scheduled");
    else
        wait_in_memory(c, delay); /* Redis is away: keep it here meanwhile */
}

static void to_schedule(delivery_ctx *c, int64_t delay_ms) {
    sb_router *r = c->router;
    char id[37];
    sb_uuid4(id);
    sb_scheduled rec = SIGNALBOX__V1__SCHEDULED_DELIVERY__INIT;
    rec.id = id;
    rec.rule = (char *)c->rule->name;
    rec.target = (char *)c->lt->spec->id;
    rec.bus = (char *)c->rule->bus;
    rec.event.data = (uint8_t *)c->event;
    rec.event.len = c->event_len;
    rec.event_id = c->d.event_id;
    rec.attempts = c->attempts;
    rec.first_attempt_ms = c->first_attempt_ms;
    rec.ingest_ms = c->ingest_ms;
    rec.traceparent = c->traceparent;
    rec.last_error_code = c->code;
    rec.last_error_message = c->message;
    rec.due_ms = sb_wall_ms() + delay_ms;
    schedule_wait *s = malloc(sizeof *s);
    if (!s) {
        wait_in_memory(c, delay_ms);
        return;
    }
    s->c = c;
    s->delay_ms = delay_ms;
    if (c->member) { /* it came from the schedule: the new member replaces the old one */
        sb_schedule_remove(r->g.schedule, c->member, c->member_len);
        free(c->member);
        c->member = NULL;
    }
    sb_schedule_add(r->g.schedule, &rec, on_scheduled, s);
}

/* Waits delay_ms before the next attempt: in memory for the first few, else in the schedule. */
static void retry_later(delivery_ctx *c, int64_t delay_ms) {
    sb_router *r = c->router;
    if (r->g.schedule &&
        (r->draining || c->attempts >= MEMORY_RETRIES || delay_ms > MEMORY_DELAY_MS))
        to_schedule(c, delay_ms);
    else
        wait_in_memory(c, delay_ms);
}

/* ---- the circuit breaker ---- */

/* 0 when the delivery may go now, else how long it should wait (ms). */
static int64_t breaker_wait(live_target *lt) {
    if (!lt->open_until)
        return 0;
    int64_t now = sb_mono_ms();
    if (now < lt->open_until)
        return lt->open_until - now;
    if (lt->probing)
        return 1000; /* a probe is finding out */
    lt->probing = true;
    return 0;
}

static void breaker_result(live_target *lt, sb_send_result res) {
    if (res == SB_SEND_RETRY) {
        /* deliveries that went out before the circuit opened (the rest of a batch, requests
         * in flight together) do not open it again: one outage is one trip */
        if (lt->open_until && !lt->probing && sb_mono_ms() < lt->open_until)
            return;
        if (++lt->fails >= SB_BREAKER_FAILURES || lt->probing) {
            int64_t open = 1000;
            for (int i = 0; i < lt->trips && open < 30000; i++)
                open *= 2;
            lt->open_until = sb_mono_ms() + (open > 30000 ? 30000 : open);
            if (lt->trips++ == 0)
                sb_log_fields(SB_LOG_WARN, "delivery", NULL, NULL, lt->spec->id,
                              "circuit open: %d failures in a row; probing again in %lld ms",
                              lt->fails, (long long)open);
            lt->probing = false;
        }
        return;
    }
    if (lt->open_until)
        sb_log_fields(SB_LOG_INFO, "delivery", NULL, NULL, lt->spec->id,
                      "circuit closed: the target answers again");
    lt->fails = lt->trips = 0;
    lt->open_until = 0;
    lt->probing = false;
}

/* ---- an attempt ---- */

static void on_claim(sb_idem_state st, void *arg) {
    delivery_ctx *c = arg;
    switch (st) {
    case SB_IDEM_CLAIMED:
        send_now(c);
        return;
    case SB_IDEM_DONE:
        sb_log_fields(SB_LOG_INFO, "delivery", c->d.event_id, c->rule->name, c->lt->spec->id,
                      "duplicate skipped: already delivered (idempotency key)");
        free(c->idem_key);
        c->idem_key = NULL; /* not ours to release */
        finish(c, END_DUPLICATE);
        return;
    case SB_IDEM_BUSY:
    case SB_IDEM_ERROR:
        /* another delivery holds the key, or Redis is away: never deliver unclaimed */
        snprintf(c->code, sizeof c->code, "%s",
                 st == SB_IDEM_BUSY ? "IdempotencyKeyBusy" : "IdempotencyUnavailable");
        retry_later(c, c->router->g.idempotency_lease_ms / 4 > 250
                           ? c->router->g.idempotency_lease_ms / 4
                           : 250);
        return;
    }
}

void sb_attempt(delivery_ctx *c) {
    if (!c->first_attempt_ms)
        c->first_attempt_ms = sb_wall_ms();
    int64_t wait = breaker_wait(c->lt);
    if (wait > 0) {
        snprintf(c->code, sizeof c->code, "CircuitOpen");
        retry_later(c, wait + (int64_t)(next_random(c->router) % 200));
        return;
    }
    c->d.idem_key = NULL;
    c->d.duplicate = false;
    if (c->idem_key && c->lt->ops->atomic_idempotency) {
        c->d.idem_key = c->idem_key; /* the target checks and marks in one step */
        c->d.idem_member = c->idem_key + SB_IDEM_KEY_MAX;
        c->d.idem_ttl_ms = c->router->g.idempotency_ttl_ms;
        send_now(c);
    } else if (c->idem_key && c->router->env->redis) {
        sb_idem_claim(c->router->env->redis, c->idem_key, c->router->g.idempotency_lease_ms,
                      on_claim, c);
    } else {
        send_now(c);
    }
}

void sb_attempt_done(sb_delivery *d, sb_send_result res, const char *code, const char *message) {
    delivery_ctx *c = (delivery_ctx *)d;
    sb_router *r = c->router;
    c->attempts++;
    if (res != SB_SEND_OK) {
        snprintf(c->code, sizeof c->code, "%s", code ? code : "Error");
        snprintf(c->message, sizeof c->message, "%s", message ? message : "");
    }
    if (strcmp(c->code, "TransformFailed") != 0)
        breaker_result(c->lt, res);
    if (res == SB_SEND_OK && d->idem_key && d->duplicate) {
        sb_log_fields(SB_LOG_INFO, "delivery", c->d.event_id, c->rule->name, c->lt->spec->id,
                      "duplicate skipped: already delivered (idempotency key)");
        finish(c, END_DUPLICATE);
        return;
    }
    if (c->idem_key && r->env->redis && !d->idem_key) {
        if (res == SB_SEND_OK)
            sb_idem_mark_done(r->env->redis, c->idem_key, r->g.idempotency_ttl_ms);
        else
            sb_idem_release(r->env->redis, c->idem_key);
    }
    if (res == SB_SEND_OK) {
        finish(c, END_OK);
        return;
    }
    if (res == SB_SEND_FAIL) {
        dead_letter(c, "");
        return;
    }
    int max = c->lt->spec->retry_attempts;
    if (r->retry_limit >= 0 && r->retry_limit < max)
        max = r->retry_limit;
    if (c->attempts > max) {
        dead_letter(c, "MaximumRetryAttemptsExceeded");
        return;
    }
    int64_t age_ms = sb_wall_ms() - c->ingest_ms;
    if (age_ms > (int64_t)c->lt->spec->retry_max_age * 1000) {
        dead_letter(c, "MaximumEventAgeExceeded");
        return;
    }
    retry_later(c, backoff_ms(r, c->attempts, d->retry_after_ms));
}

void sb_router_drain(sb_router *r) {
    r->draining = true;
    while (r->waiting) {
        delivery_ctx *c = r->waiting;
        unlink_waiting(c);
        event_del(c->timer);
        if (c->dlq_tries)
            dead_letter(c, NULL);
        else if (r->g.schedule)
            to_schedule(c, 0);
        else
            sb_attempt(c);
    }
}
