/* aws_target.h - what SQS and SNS targets share: deliveries wait in a queue until a batch is
 * full (10 entries, or the service's byte limit) or the linger has passed; at most
 * `concurrency` calls per target are in flight (one for FIFO queues and topics, so that
 * batches keep their order); calls are signed with SigV4 by libcurl with the credentials of
 * aws_creds; answers are classified by aws_error, and each entry of a batch is settled on its
 * own, so that a partial failure retries only the entries that failed.
 *
 * A service (sqs.c, sns.c) embeds sb_aws_target first in its state and gives an
 * sb_aws_service: how to write a call for some entries, how to read its answer, and what to
 * look up before the first call (a queue URL, whether a FIFO queue deduplicates by content).
 * Runs on the event loop's thread. */
#ifndef SB_AWS_TARGET_H
#define SB_AWS_TARGET_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "target/aws_creds.h"
#include "target/http_client.h"
#include "target/target.h"

struct event;
struct sb_jsonpath;

/* One delivery waiting in the queue or in a call. */
typedef struct sb_aws_item {
    sb_delivery *d;
    char *group;   /* MessageGroupId (FIFO), owned; NULL for none */
    size_t size;   /* what the entry counts against the size limits */
    unsigned slot; /* its index in the call, the batch entry's Id */
    struct sb_aws_item *next;
} sb_aws_item;

typedef struct sb_aws_target sb_aws_target;

typedef struct sb_aws_service {
    const char *name;       /* SigV4 service name: "sqs", "sns" */
    size_t max_entries;     /* entries per batch call */
    size_t max_batch_bytes; /* the sum of entry sizes per batch call */
    size_t max_entry_bytes; /* an entry above it fails at once (MessageTooLong) */
    /* Writes the call for items[0..n) (n == 1: the single-message action; an entry larger
     * than max_batch_bytes always goes alone): body and headers (Content-Type, X-Amz-Target).
     * Returns SB_OK, or an error (out of memory) that retries the entries. */
    int (*build)(sb_aws_target *t, sb_aws_item **items, size_t n, sb_buf *body,
                 struct curl_slist **headers);
    /* Reads a 2xx answer to the call for items[0..n) and settles each item with
     * sb_aws_settle (every item, exactly once). */
    void (*answer)(sb_aws_target *t, sb_aws_item **items, size_t n, const sb_http_result *res);
    /* Looks up what the target needs before its first call (NULL: nothing), with sb_aws_call,
     * and ends with sb_aws_prepared. */
    void (*prepare)(sb_aws_target *t);
} sb_aws_service;

struct aws_call;

struct sb_aws_target {
    const sb_aws_service *svc;
    const sb_target_spec *spec; /* borrowed from the rule set, which outlives the target */
    struct event_base *base;
    sb_http_client *http;
    sb_aws_creds *creds;
    char url[512];                  /* where calls go */
    char sigv4[128];                /* aws:amz:REGION:SERVICE */
    bool fifo;                      /* FIFO queue or topic */
    bool content_dedup;             /* it deduplicates by content: no MessageDeduplicationId */
    char dedup_suffix[17];          /* hex: the rule and target, after the event id */
    char *group_static;             /* MessageGroupId as given, or NULL */
    struct sb_jsonpath *group_path; /* or as a JSONPath into the event */
    long timeout_ms, linger_ms;
    size_t concurrency;
    /* the queue */
    sb_aws_item *head, *tail;
    size_t npending, pending_bytes;
    struct event *linger;
    bool linger_armed, linger_over;
    size_t in_flight;
    enum { SB_AWS_UNPREPARED, SB_AWS_PREPARING, SB_AWS_READY } state;
    bool waiting_creds;
    struct aws_call *calls; /* in flight, to detach them when the target goes */
};

/* Fills the shared part of a target: endpoint URL (from env's override for the service, else
 * the region's), signature parameter, credentials, limits, message group. SB_OK or an error
 * with err (no credentials, a bad endpoint, a FIFO target without a message group). */
int sb_aws_target_init(sb_aws_target *t, const sb_aws_service *svc, const sb_target_spec *spec,
                       const sb_target_env *env, const char *endpoint_override, sb_error *err);

/* The target's destroy(): frees what sb_aws_target_init made and the service's state around
 * it (state is that malloc'd struct, whose first member is the sb_aws_target; NULL: nothing).
 * Calls still in flight are detached. */
void sb_aws_target_destroy(void *state);

/* The target's send(): queues d (its MessageGroupId worked out now) on the sb_aws_target that
 * state starts with, and starts calls as the batch, linger and concurrency allow. d->done may
 * run before it returns. */
void sb_aws_target_send(void *state, sb_delivery *d);

/* Settles an item: d->done(r, code, message) and frees it. Touches nothing of the target,
 * which may be gone after the last item of the last rule set is settled. */
void sb_aws_settle(sb_aws_item *it, sb_send_result r, const char *code, const char *message);

typedef void (*sb_aws_call_done)(sb_aws_target *t, const sb_http_result *res, void *arg);

/* Starts a signed POST of body to t->url with headers (taken); done runs once with the answer
 * (never before this returns). SB_OK, or an error when there are no credentials now (then
 * `why` says why; headers are freed and done is not called). */
int sb_aws_call(sb_aws_target *t, const char *body, size_t len, struct curl_slist *headers,
                sb_aws_call_done done, void *arg, const char **why);

/* What an answer that is not 2xx (or no answer) means: the result (aws_error.h), and the AWS
 * error code ("Timeout", "ConnectionError" or "HTTP 418" when there is none) and a message
 * with the status, for the dead-letter record. */
sb_send_result sb_aws_answer_error(const sb_http_result *res, char *code, size_t codelen, char *msg,
                                   size_t msglen);

/* Ends prepare: r SB_SEND_OK makes the target ready and starts its calls; otherwise the
 * waiting deliveries are settled with r, code and message and the next delivery prepares
 * again. */
void sb_aws_prepared(sb_aws_target *t, sb_send_result r, const char *code, const char *message);

/* The MessageDeduplicationId of d for t: the event id, '-', the rule and target's hash. out
 * has room for 64 bytes. */
void sb_aws_dedup_id(const sb_aws_target *t, const sb_delivery *d, char *out, size_t outlen);

/* SQS's limit of message attributes per message. */
#define SB_AWS_MAX_ATTRIBUTES 10

/* The message attributes of d as an SQS message or SNS notification: name and value pairs
 * (event id, rule, target, traceparent when there is one, then d->attributes). Returns how
 * many (at most SB_AWS_MAX_ATTRIBUTES). */
size_t sb_aws_attributes(const sb_delivery *d, const char *names[SB_AWS_MAX_ATTRIBUTES],
                         const char *values[SB_AWS_MAX_ATTRIBUTES]);

/* Appends the headers of a JSON 1.0 call of action target ("AmazonSQS.SendMessageBatch"). */
struct curl_slist *sb_aws_json_headers(const char *target);

/* Appends s percent-encoded as in a form body (RFC 3986 unreserved bytes kept). */
void sb_aws_form_escape(sb_buf *b, const char *s, size_t n);

#endif
