/* sqs.c - SQS targets: SendMessageBatch (up to 10 messages, 256 KiB per call) and SendMessage
 * (one message, or one too large for a batch, up to 1 MiB) in the JSON 1.0 protocol.
 *
 * The queue is an ARN (arn:aws:sqs:REGION:ACCOUNT:NAME) or a queue URL. A queue URL is sent as
 * it is, to the sqs-endpoint override or else to the URL's own host. An ARN becomes the AWS
 * queue URL; with an endpoint override it is looked up once with GetQueueUrl instead, since
 * emulators have URLs of their own. FIFO queues (NAME.fifo) get SqsParameters.MessageGroupId
 * and, unless GetQueueAttributes says the queue deduplicates by content, a deduplication id
 * made of the event id and the rule and target. Each message carries the event id, rule,
 * target and traceparent as message attributes, and the trace as AWSTraceHeader. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/json.h"
#include "core/log.h"
#include "target/aws_endpoint.h"
#include "target/aws_error.h"
#include "target/aws_target.h"

#define SQS_BATCH_BYTES (256 * 1024)
#define SQS_MESSAGE_BYTES (1024 * 1024)

typedef struct sqs_target {
    sb_aws_target t; /* first */
    char queue_url[512];
    bool url_known; /* else GetQueueUrl first */
} sqs_target;

/* traceparent "00-TRACEID-PARENT-FLAGS" as X-Ray's "Root=1-XXXXXXXX-Y...;Parent=...;Sampled=N".
 * false when it is not a version 00 traceparent. */
static bool xray_header(const char *tp, char *out, size_t outlen) {
    if (!tp || strlen(tp) != 55 || strncmp(tp, "00-", 3) != 0 || tp[35] != '-' || tp[52] != '-')
        return false;
    int sampled = (tp[54] >= '0' && tp[54] <= '9' ? tp[54] - '0' : (tp[54] | 0x20) - 'a' + 10) & 1;
    snprintf(out, outlen, "Root=1-%.8s-%.24s;Parent=%.16s;Sampled=%d", tp + 3, tp + 11, tp + 36,
             sampled);
    return true;
}

/* The members of one message: body, attributes, FIFO ids. */
static void write_message(sqs_target *s, const sb_aws_item *it, sb_buf *b) {
    const sb_delivery *d = it->d;
    sb_buf_puts(b, "\"MessageBody\":");
    sb_buf_json_str(b, d->payload, d->len);
    const char *names[SB_AWS_MAX_ATTRIBUTES], *values[SB_AWS_MAX_ATTRIBUTES];
    size_t n = sb_aws_attributes(d, names, values);
    sb_buf_puts(b, ",\"MessageAttributes\":{");
    for (size_t i = 0; i < n; i++) {
        sb_buf_printf(b, "%s\"%s\":{\"DataType\":\"String\",\"StringValue\":", i ? "," : "",
                      names[i]);
        sb_buf_json_cstr(b, values[i]);
        sb_buf_putc(b, '}');
    }
    sb_buf_putc(b, '}');
    char xray[128];
    if (xray_header(d->traceparent, xray, sizeof xray))
        sb_buf_printf(b,
                      ",\"MessageSystemAttributes\":{\"AWSTraceHeader\":{\"DataType\":\"String\","
                      "\"StringValue\":\"%s\"}}",
                      xray);
    if (it->group) {
        sb_buf_puts(b, ",\"MessageGroupId\":");
        sb_buf_json_cstr(b, it->group);
    }
    if (s->t.fifo && !s->t.content_dedup) {
        char id[128];
        sb_aws_dedup_id(&s->t, d, id, sizeof id);
        sb_buf_puts(b, ",\"MessageDeduplicationId\":");
        sb_buf_json_cstr(b, id);
    }
}

static int sqs_build(sb_aws_target *t, sb_aws_item **items, size_t n, sb_buf *body,
                     struct curl_slist **headers) {
    sqs_target *s = (sqs_target *)t;
    sb_buf_puts(body, "{\"QueueUrl\":");
    sb_buf_json_cstr(body, s->queue_url);
    if (n == 1) {
        sb_buf_putc(body, ',');
        write_message(s, items[0], body);
    } else {
        sb_buf_puts(body, ",\"Entries\":[");
        for (size_t i = 0; i < n; i++) {
            sb_buf_printf(body, "%s{\"Id\":\"%u\",", i ? "," : "", items[i]->slot);
            write_message(s, items[i], body);
            sb_buf_putc(body, '}');
        }
        sb_buf_putc(body, ']');
    }
    sb_buf_putc(body, '}');
    *headers = sb_aws_json_headers(n == 1 ? "AmazonSQS.SendMessage" : "AmazonSQS.SendMessageBatch");
    return *headers ? SB_OK : SB_ENOMEM;
}

static const char *jstr(const sb_jnode *o, const char *key) {
    const sb_jmember *m = sb_json_get(o, key);
    return m && m->value->type == SB_JSON_STRING ? m->value->u.str.s : NULL;
}

/* The slot an entry Id names, or -1. */
static long slot_of(const sb_jnode *entry, size_t n) {
    const char *id = jstr(entry, "Id");
    char *end;
    long v = id ? strtol(id, &end, 10) : -1;
    return id && *id && !*end && v >= 0 && (size_t)v < n ? v : -1;
}

static void sqs_answer(sb_aws_target *t, sb_aws_item **items, size_t n, const sb_http_result *res) {
    (void)t;
    if (n == 1) {
        sb_aws_settle(items[0], SB_SEND_OK, NULL, NULL);
        return;
    }
    /* per entry: what happened to it, or nothing when the answer does not say */
    sb_send_result r[10];
    char codes[10][96], msgs[10][256];
    bool seen[10] = {false};
    sb_arena a;
    sb_arena_init(&a, 8192);
    sb_jnode *root;
    if (sb_json_parse(res->body, res->body_len, &a, false, &root, NULL, NULL) == SB_OK &&
        root->type == SB_JSON_OBJECT) {
        const sb_jmember *ok = sb_json_get(root, "Successful"), *bad = sb_json_get(root, "Failed");
        for (size_t i = 0; ok && ok->value->type == SB_JSON_ARRAY && i < ok->value->u.arr.n; i++) {
            long k = slot_of(ok->value->u.arr.items[i], n);
            if (k >= 0) {
                seen[k] = true;
                r[k] = SB_SEND_OK;
            }
        }
        for (size_t i = 0; bad && bad->value->type == SB_JSON_ARRAY && i < bad->value->u.arr.n;
             i++) {
            const sb_jnode *e = bad->value->u.arr.items[i];
            long k = slot_of(e, n);
            if (k < 0)
                continue;
            const char *code = jstr(e, "Code"), *msg = jstr(e, "Message");
            const sb_jmember *sf = sb_json_get(e, "SenderFault");
            bool sender = sf && sf->value->type == SB_JSON_TRUE;
            seen[k] = true;
            r[k] = sb_aws_classify_entry(code ? code : "", sender);
            snprintf(codes[k], sizeof codes[k], "%s", code && *code ? code : "EntryFailed");
            snprintf(msgs[k], sizeof msgs[k], "%s", msg ? msg : "");
        }
    }
    sb_arena_free(&a);
    for (size_t i = 0; i < n; i++) {
        if (!seen[i])
            sb_aws_settle(items[i], SB_SEND_RETRY, "NoAnswer",
                          "the SendMessageBatch answer does not mention this entry");
        else
            sb_aws_settle(items[i], r[i], codes[i], msgs[i]);
    }
}

/* ---- prepare: the queue URL (GetQueueUrl), then content-based deduplication ---- */

static void prepare_failed(sqs_target *s, const sb_http_result *res, const char *action) {
    char code[112], msg[300], full[400];
    sb_send_result r = sb_aws_answer_error(res, code, sizeof code, msg, sizeof msg);
    snprintf(full, sizeof full, "%s %s: %s", action, s->t.spec->resource, msg);
    sb_aws_prepared(&s->t, r, code, full);
}

static void on_attributes(sb_aws_target *t, const sb_http_result *res, void *arg) {
    (void)arg;
    if (!t)
        return;
    sqs_target *s = (sqs_target *)t;
    if (res->status < 200 || res->status >= 300) {
        char code[112], msg[300];
        sb_send_result r = sb_aws_answer_error(res, code, sizeof code, msg, sizeof msg);
        if (r == SB_SEND_RETRY || strcmp(code, "QueueDoesNotExist") == 0 ||
            strcmp(code, "AWS.SimpleQueueService.NonExistentQueue") == 0) {
            prepare_failed(s, res, "GetQueueAttributes");
            return;
        }
        /* not allowed to look (sqs:GetQueueAttributes): send deduplication ids, which a
         * queue with content-based deduplication takes as well */
        sb_log(SB_LOG_WARN, "aws",
               "target %s: GetQueueAttributes %s: %s; sending MessageDeduplicationId", t->spec->id,
               t->spec->resource, code);
        t->content_dedup = false;
        sb_aws_prepared(t, SB_SEND_OK, NULL, NULL);
        return;
    }
    sb_arena a;
    sb_arena_init(&a, 4096);
    sb_jnode *root;
    t->content_dedup = false;
    if (sb_json_parse(res->body, res->body_len, &a, false, &root, NULL, NULL) == SB_OK) {
        const sb_jmember *attrs = sb_json_get(root, "Attributes");
        const char *v = attrs ? jstr(attrs->value, "ContentBasedDeduplication") : NULL;
        t->content_dedup = v && strcmp(v, "true") == 0;
    }
    sb_arena_free(&a);
    sb_aws_prepared(t, SB_SEND_OK, NULL, NULL);
}

static void prepare_call(sqs_target *s, const char *action, sb_buf *body, sb_aws_call_done done) {
    const char *why = "out of memory";
    struct curl_slist *h = sb_aws_json_headers(action);
    if (!h || sb_buf_failed(body) ||
        sb_aws_call(&s->t, body->data, body->len, h, done, NULL, &why) != SB_OK) {
        if (!h || sb_buf_failed(body))
            curl_slist_free_all(h);
        sb_aws_prepared(&s->t, SB_SEND_RETRY, "CredentialsUnavailable", why);
    }
    sb_buf_free(body);
}

static void get_attributes(sqs_target *s) {
    sb_buf b;
    sb_buf_init(&b);
    sb_buf_puts(&b, "{\"QueueUrl\":");
    sb_buf_json_cstr(&b, s->queue_url);
    sb_buf_puts(&b, ",\"AttributeNames\":[\"ContentBasedDeduplication\"]}");
    prepare_call(s, "AmazonSQS.GetQueueAttributes", &b, on_attributes);
}

static void on_queue_url(sb_aws_target *t, const sb_http_result *res, void *arg) {
    (void)arg;
    if (!t)
        return;
    sqs_target *s = (sqs_target *)t;
    if (res->status < 200 || res->status >= 300) {
        prepare_failed(s, res, "GetQueueUrl");
        return;
    }
    sb_arena a;
    sb_arena_init(&a, 4096);
    sb_jnode *root;
    const char *url = NULL;
    if (sb_json_parse(res->body, res->body_len, &a, false, &root, NULL, NULL) == SB_OK)
        url = jstr(root, "QueueUrl");
    bool ok = url && strlen(url) < sizeof s->queue_url;
    if (ok) {
        snprintf(s->queue_url, sizeof s->queue_url, "%s", url);
        s->url_known = true;
        sb_log(SB_LOG_INFO, "aws", "target %s: queue %s is %s", t->spec->id, t->spec->resource,
               s->queue_url);
    }
    sb_arena_free(&a);
    if (!ok)
        sb_aws_prepared(t, SB_SEND_RETRY, "InvalidAnswer", "GetQueueUrl answered no QueueUrl");
    else if (t->fifo)
        get_attributes(s);
    else
        sb_aws_prepared(t, SB_SEND_OK, NULL, NULL);
}

static void sqs_prepare(sb_aws_target *t) {
    sqs_target *s = (sqs_target *)t;
    if (s->url_known) {
        get_attributes(s); /* only FIFO queues prepare with a known URL */
        return;
    }
    sb_buf b;
    sb_buf_init(&b);
    sb_buf_puts(&b, "{\"QueueName\":");
    sb_buf_json_cstr(&b, t->spec->resource);
    sb_buf_puts(&b, ",\"QueueOwnerAWSAccountId\":");
    sb_buf_json_cstr(&b, t->spec->account);
    sb_buf_putc(&b, '}');
    prepare_call(s, "AmazonSQS.GetQueueUrl", &b, on_queue_url);
}

static const sb_aws_service sqs_service = {
    "sqs", 10, SQS_BATCH_BYTES, SQS_MESSAGE_BYTES, sqs_build, sqs_answer, sqs_prepare};

static int sqs_create(const sb_target_spec *spec, const sb_target_env *env, void **state,
                      sb_error *err) {
    sqs_target *s = calloc(1, sizeof *s);
    if (!s)
        return sb_error_set(err, SB_ENOMEM, "out of memory");
    const char *override = env->sqs_endpoint && *env->sqs_endpoint ? env->sqs_endpoint : NULL;
    char origin[512];
    bool is_url = strncmp(spec->arn, "http", 4) == 0;
    int rc = SB_OK;
    if (is_url) {
        /* a queue URL: sent as it is, to the override or else to its own host */
        if (strlen(spec->arn) >= sizeof s->queue_url ||
            sb_aws_url_origin(spec->arn, origin, sizeof origin) != SB_OK)
            rc = sb_error_set(err, SB_EINVAL, "target %s: queue URL too long", spec->id);
        snprintf(s->queue_url, sizeof s->queue_url, "%s", spec->arn);
        s->url_known = true;
        if (!override)
            override = origin;
    } else if (!override) {
        s->url_known = sb_aws_sqs_queue_url(spec->region, spec->account, spec->resource,
                                            s->queue_url, sizeof s->queue_url) == SB_OK;
    }
    if (rc == SB_OK)
        rc = sb_aws_target_init(&s->t, &sqs_service, spec, env, override, err);
    if (rc != SB_OK) {
        sb_aws_target_destroy(s);
        return rc;
    }
    if (s->url_known && !s->t.fifo)
        s->t.state = SB_AWS_READY; /* nothing to look up */
    *state = s;
    return SB_OK;
}

const sb_target_ops sb_sqs_target_ops = {"sqs", sqs_create, sb_aws_target_send,
                                         sb_aws_target_destroy, false};
