/* sns.c - SNS targets: PublishBatch (up to 10 messages, 256 KiB per call) and Publish (one
 * message) in the query protocol, the body form-encoded, answers in XML.
 *
 * The topic is an ARN (arn:aws:sns:REGION:ACCOUNT:NAME), sent to the sns-endpoint override or
 * to the region's endpoint. SnsParameters (our addition) give a Subject and, for FIFO topics
 * (NAME.fifo), the MessageGroupId (a value or a JSONPath into the event); FIFO messages get a
 * deduplication id made of the event id and the rule and target unless GetTopicAttributes says
 * the topic deduplicates by content. Each message carries the event id, rule, target and
 * traceparent as message attributes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "target/aws_error.h"
#include "target/aws_target.h"
#include "target/aws_xml.h"

#define SNS_BATCH_BYTES (256 * 1024)
#define SNS_MESSAGE_BYTES (256 * 1024)

typedef struct sns_target {
    sb_aws_target t; /* first */
} sns_target;

static void param(sb_buf *b, const char *prefix, const char *name, const char *value, size_t len) {
    sb_buf_printf(b, "&%s%s=", prefix, name);
    sb_aws_form_escape(b, value, len);
}

/* One message's parameters, each name after prefix ("" for Publish,
 * "PublishBatchRequestEntries.member.N." in a batch). */
static void write_message(sns_target *s, const sb_aws_item *it, const char *prefix, sb_buf *b) {
    const sb_delivery *d = it->d;
    param(b, prefix, "Message", d->payload, d->len);
    if (s->t.spec->subject)
        param(b, prefix, "Subject", s->t.spec->subject, strlen(s->t.spec->subject));
    const char *names[SB_AWS_MAX_ATTRIBUTES], *values[SB_AWS_MAX_ATTRIBUTES];
    size_t n = sb_aws_attributes(d, names, values);
    for (size_t i = 0; i < n; i++) {
        sb_buf_printf(b, "&%sMessageAttributes.entry.%zu.Name=%s", prefix, i + 1, names[i]);
        sb_buf_printf(b, "&%sMessageAttributes.entry.%zu.Value.DataType=String", prefix, i + 1);
        sb_buf_printf(b, "&%sMessageAttributes.entry.%zu.Value.StringValue=", prefix, i + 1);
        sb_aws_form_escape(b, values[i], strlen(values[i]));
    }
    if (it->group)
        param(b, prefix, "MessageGroupId", it->group, strlen(it->group));
    if (s->t.fifo && !s->t.content_dedup) {
        char id[128];
        sb_aws_dedup_id(&s->t, d, id, sizeof id);
        param(b, prefix, "MessageDeduplicationId", id, strlen(id));
    }
}

static struct curl_slist *form_headers(void) {
    return curl_slist_append(NULL,
                             "Content-Type: application/x-www-form-urlencoded; charset=utf-8");
}

static int sns_build(sb_aws_target *t, sb_aws_item **items, size_t n, sb_buf *body,
                     struct curl_slist **headers) {
    sns_target *s = (sns_target *)t;
    sb_buf_puts(body, n == 1 ? "Action=Publish" : "Action=PublishBatch");
    sb_buf_puts(body, "&Version=2010-03-31");
    param(body, "", "TopicArn", t->spec->arn, strlen(t->spec->arn));
    if (n == 1) {
        write_message(s, items[0], "", body);
    } else {
        for (size_t i = 0; i < n; i++) {
            char prefix[64];
            snprintf(prefix, sizeof prefix, "PublishBatchRequestEntries.member.%zu.", i + 1);
            sb_buf_printf(body, "&%sId=%u", prefix, items[i]->slot);
            write_message(s, items[i], prefix, body);
        }
    }
    *headers = form_headers();
    return *headers ? SB_OK : SB_ENOMEM;
}

static long slot_of(sb_xml_span member, size_t n) {
    sb_xml_span v;
    char id[16], *end;
    if (!sb_xml_find(member, "Id", &v) || sb_xml_text(v, id, sizeof id) == 0)
        return -1;
    long k = strtol(id, &end, 10);
    return !*end && k >= 0 && (size_t)k < n ? k : -1;
}

static void sns_answer(sb_aws_target *t, sb_aws_item **items, size_t n, const sb_http_result *res) {
    (void)t;
    if (n == 1) {
        sb_aws_settle(items[0], SB_SEND_OK, NULL, NULL);
        return;
    }
    sb_send_result r[10];
    char codes[10][96], msgs[10][256];
    bool seen[10] = {false};
    sb_xml_span all = {res->body, res->body + res->body_len}, list, m;
    if (sb_xml_find(all, "Successful", &list))
        while (sb_xml_next(&list, "member", &m)) {
            long k = slot_of(m, n);
            if (k >= 0) {
                seen[k] = true;
                r[k] = SB_SEND_OK;
            }
        }
    if (sb_xml_find(all, "Failed", &list))
        while (sb_xml_next(&list, "member", &m)) {
            long k = slot_of(m, n);
            if (k < 0)
                continue;
            sb_xml_span v;
            char sender[8] = "";
            codes[k][0] = msgs[k][0] = '\0';
            if (sb_xml_find(m, "Code", &v))
                sb_xml_text(v, codes[k], sizeof codes[k]);
            if (sb_xml_find(m, "Message", &v))
                sb_xml_text(v, msgs[k], sizeof msgs[k]);
            if (sb_xml_find(m, "SenderFault", &v))
                sb_xml_text(v, sender, sizeof sender);
            seen[k] = true;
            r[k] = sb_aws_classify_entry(codes[k], strcmp(sender, "true") == 0);
            if (!codes[k][0])
                snprintf(codes[k], sizeof codes[k], "EntryFailed");
        }
    for (size_t i = 0; i < n; i++) {
        if (!seen[i])
            sb_aws_settle(items[i], SB_SEND_RETRY, "NoAnswer",
                          "the PublishBatch answer does not mention this entry");
        else
            sb_aws_settle(items[i], r[i], codes[i], msgs[i]);
    }
}

/* ---- prepare (FIFO topics): does the topic deduplicate by content? ---- */

static void on_attributes(sb_aws_target *t, const sb_http_result *res, void *arg) {
    (void)arg;
    if (!t)
        return;
    t->content_dedup = false;
    if (res->status < 200 || res->status >= 300) {
        char code[112], msg[300], full[400];
        sb_send_result r = sb_aws_answer_error(res, code, sizeof code, msg, sizeof msg);
        if (r == SB_SEND_RETRY || strcmp(code, "NotFound") == 0) {
            snprintf(full, sizeof full, "GetTopicAttributes %s: %s", t->spec->arn, msg);
            sb_aws_prepared(t, r, code, full);
            return;
        }
        sb_log(SB_LOG_WARN, "aws",
               "target %s: GetTopicAttributes %s: %s; sending MessageDeduplicationId", t->spec->id,
               t->spec->arn, code);
        sb_aws_prepared(t, SB_SEND_OK, NULL, NULL);
        return;
    }
    sb_xml_span all = {res->body, res->body + res->body_len}, e;
    while (sb_xml_next(&all, "entry", &e)) {
        sb_xml_span k, v;
        char key[64], val[16];
        if (sb_xml_find(e, "key", &k) && sb_xml_find(e, "value", &v)) {
            sb_xml_text(k, key, sizeof key);
            sb_xml_text(v, val, sizeof val);
            if (strcmp(key, "ContentBasedDeduplication") == 0)
                t->content_dedup = strcmp(val, "true") == 0;
        }
    }
    sb_aws_prepared(t, SB_SEND_OK, NULL, NULL);
}

static void sns_prepare(sb_aws_target *t) {
    sb_buf b;
    sb_buf_init(&b);
    sb_buf_puts(&b, "Action=GetTopicAttributes&Version=2010-03-31");
    param(&b, "", "TopicArn", t->spec->arn, strlen(t->spec->arn));
    const char *why = "out of memory";
    struct curl_slist *h = form_headers();
    if (!h || sb_buf_failed(&b) ||
        sb_aws_call(t, b.data, b.len, h, on_attributes, NULL, &why) != SB_OK) {
        if (!h || sb_buf_failed(&b))
            curl_slist_free_all(h);
        sb_aws_prepared(t, SB_SEND_RETRY, "CredentialsUnavailable", why);
    }
    sb_buf_free(&b);
}

static const sb_aws_service sns_service = {
    "sns", 10, SNS_BATCH_BYTES, SNS_MESSAGE_BYTES, sns_build, sns_answer, sns_prepare};

static int sns_create(const sb_target_spec *spec, const sb_target_env *env, void **state,
                      sb_error *err) {
    sns_target *s = calloc(1, sizeof *s);
    if (!s)
        return sb_error_set(err, SB_ENOMEM, "out of memory");
    int rc = sb_aws_target_init(&s->t, &sns_service, spec, env, env->sns_endpoint, err);
    if (rc == SB_OK && spec->subject && (strpbrk(spec->subject, "\r\n") || !*spec->subject))
        rc = sb_error_set(err, SB_EINVAL, "target %s: SnsParameters.Subject must be one line",
                          spec->id);
    if (rc != SB_OK) {
        sb_aws_target_destroy(s);
        return rc;
    }
    if (!s->t.fifo)
        s->t.state = SB_AWS_READY; /* nothing to look up */
    *state = s;
    return SB_OK;
}

const sb_target_ops sb_sns_target_ops = {"sns", sns_create, sb_aws_target_send,
                                         sb_aws_target_destroy, false};
