/* aws_error.c - error codes out of AWS answers, and OK / RETRY / FAIL from them. */
#include "target/aws_error.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/json.h"
#include "target/aws_xml.h"

void sb_aws_error_code(const char *type, size_t len, char *out, size_t outlen) {
    const char *hash = memchr(type, '#', len);
    if (hash) {
        len -= (size_t)(hash + 1 - type);
        type = hash + 1;
    }
    /* a colon may follow with the error's URI (JSON 1.0 answers of some services) */
    const char *colon = memchr(type, ':', len);
    if (colon)
        len = (size_t)(colon - type);
    snprintf(out, outlen, "%.*s", (int)len, type);
}

static const sb_jnode *member(const sb_jnode *o, const char *a, const char *b) {
    const sb_jmember *m = sb_json_get(o, a);
    if (!m || m->value->type != SB_JSON_STRING)
        m = sb_json_get(o, b);
    return m && m->value->type == SB_JSON_STRING ? m->value : NULL;
}

void sb_aws_error_parse(const char *body, size_t len, sb_aws_error *out) {
    out->code[0] = out->message[0] = '\0';
    size_t i = 0;
    while (i < len && (body[i] == ' ' || body[i] == '\n' || body[i] == '\r' || body[i] == '\t'))
        i++;
    if (i < len && body[i] == '{') {
        sb_arena a;
        sb_arena_init(&a, 4096);
        sb_jnode *root;
        if (sb_json_parse(body, len, &a, false, &root, NULL, NULL) == SB_OK &&
            root->type == SB_JSON_OBJECT) {
            const sb_jnode *t = member(root, "__type", "code");
            const sb_jnode *m = member(root, "message", "Message");
            if (t)
                sb_aws_error_code(t->u.str.s, t->u.str.len, out->code, sizeof out->code);
            if (m)
                snprintf(out->message, sizeof out->message, "%.*s", (int)m->u.str.len, m->u.str.s);
        }
        sb_arena_free(&a);
        return;
    }
    if (i < len && body[i] == '<') {
        sb_xml_span s = {body, body + len}, v;
        if (sb_xml_find(s, "Code", &v))
            sb_xml_text(v, out->code, sizeof out->code);
        if (sb_xml_find(s, "Message", &v))
            sb_xml_text(v, out->message, sizeof out->message);
    }
}

static bool any(const char *code, const char *const *list) {
    for (; *list; list++)
        if (strcasecmp(code, *list) == 0)
            return true;
    return false;
}

static const char *const throttled[] = {"Throttling",
                                        "ThrottlingException",
                                        "ThrottledException",
                                        "RequestThrottled",
                                        "RequestThrottledException",
                                        "TooManyRequestsException",
                                        "ProvisionedThroughputExceededException",
                                        "RequestLimitExceeded",
                                        "BandwidthLimitExceeded",
                                        "SlowDown",
                                        "PriorRequestNotComplete",
                                        "EC2ThrottledException",
                                        "KMS.ThrottlingException",
                                        "KmsThrottled",
                                        "ServiceUnavailable",
                                        "ServiceUnavailableException",
                                        "InternalError",
                                        "InternalFailure",
                                        "InternalErrorException",
                                        "RequestTimeout",
                                        "RequestTimeoutException",
                                        "AWS.SimpleQueueService.RequestThrottled",
                                        NULL};

static const char *const expired[] = {"ExpiredToken", "ExpiredTokenException", "RequestExpired",
                                      NULL};

bool sb_aws_expired_credentials(const char *code) {
    return any(code, expired);
}

sb_send_result sb_aws_classify(long status, const char *code) {
    if (status >= 200 && status < 300)
        return SB_SEND_OK;
    if (status == 0 || status == 429 || status >= 500)
        return SB_SEND_RETRY;
    if (any(code, throttled) || any(code, expired))
        return SB_SEND_RETRY;
    return SB_SEND_FAIL;
}

sb_send_result sb_aws_classify_entry(const char *code, bool sender_fault) {
    if (any(code, throttled) || any(code, expired))
        return SB_SEND_RETRY;
    return sender_fault ? SB_SEND_FAIL : SB_SEND_RETRY;
}
