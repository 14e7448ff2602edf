/* cloudevents_pb.c - protobuf CloudEvents through protobuf-c, into an ingest entry. */
#include "source/cloudevents_pb.h"

#include <openssl/evp.h>
#include <string.h>
#include <strings.h>

#include "cloudevents.pb-c.h"
#include "core/buf.h"
#include "source/events.h"

typedef Io__Cloudevents__V1__CloudEvent pb_event;
typedef Io__Cloudevents__V1__CloudEvent__CloudEventAttributeValue pb_attr;

/* protobuf-c allocates the decoded message from the arena: its strings then stay alive with
 * the entry, and nothing needs freeing one by one. */
static void *arena_alloc(void *data, size_t size) {
    return sb_arena_alloc(data, size ? size : 1);
}

static void arena_free(void *data, void *ptr) {
    (void)data;
    (void)ptr;
}

static const pb_attr *attribute(const pb_event *ev, const char *name) {
    for (size_t i = 0; i < ev->n_attributes; i++)
        if (ev->attributes[i]->key && strcmp(ev->attributes[i]->key, name) == 0)
            return ev->attributes[i]->value;
    return NULL;
}

static const char *attr_string(const pb_event *ev, const char *name) {
    const pb_attr *a = attribute(ev, name);
    if (!a)
        return NULL;
    switch (a->attr_case) {
    case IO__CLOUDEVENTS__V1__CLOUD_EVENT__CLOUD_EVENT_ATTRIBUTE_VALUE__ATTR_CE_STRING:
        return a->ce_string;
    case IO__CLOUDEVENTS__V1__CLOUD_EVENT__CLOUD_EVENT_ATTRIBUTE_VALUE__ATTR_CE_URI:
        return a->ce_uri;
    case IO__CLOUDEVENTS__V1__CLOUD_EVENT__CLOUD_EVENT_ATTRIBUTE_VALUE__ATTR_CE_URI_REF:
        return a->ce_uri_ref;
    default:
        return NULL;
    }
}

static void put_base64(sb_buf *b, const uint8_t *data, size_t len) {
    sb_buf_putc(b, '"');
    size_t need = 4 * ((len + 2) / 3) + 1;
    if (sb_buf_reserve(b, need)) {
        int n = EVP_EncodeBlock((unsigned char *)b->data + b->len, data, (int)len);
        if (n >= 0)
            b->len += (size_t)n;
    }
    sb_buf_putc(b, '"');
}

/* Is a datacontenttype one whose text is JSON? (absent counts as JSON, as in the JSON format) */
static bool json_type(const char *ct) {
    if (!ct || !*ct)
        return true;
    size_t n = strcspn(ct, "; ");
    return (n == 16 && strncasecmp(ct, "application/json", 16) == 0) ||
           (n == 9 && strncasecmp(ct, "text/json", 9) == 0) ||
           (n >= 5 && strncasecmp(ct + n - 5, "+json", 5) == 0);
}

static int set_data(const pb_event *ev, sb_arena *arena, sb_put_entry *e, sb_error *err) {
    sb_buf b;
    sb_buf_init(&b);
    int rc = SB_OK;
    switch (ev->data_case) {
    case IO__CLOUDEVENTS__V1__CLOUD_EVENT__DATA_TEXT_DATA: {
        const char *text = ev->text_data;
        size_t len = strlen(text);
        if (json_type(attr_string(ev, "datacontenttype"))) {
            sb_jnode *root;
            if (sb_json_parse(text, len, arena, false, &root, err, NULL) != SB_OK) {
                char why[SB_ERROR_MSG_MAX];
                snprintf(why, sizeof why, "%s", err->msg);
                rc = sb_error_set(err, SB_EINVAL, "text_data is not valid JSON: %s", why);
            } else if (root->type == SB_JSON_OBJECT) {
                e->detail = text;
                e->detail_len = len;
                return SB_OK;
            } else {
                sb_buf_puts(&b, "{\"data\":");
                sb_buf_append(&b, text, len);
                sb_buf_putc(&b, '}');
            }
        } else {
            sb_buf_puts(&b, "{\"data\":");
            sb_buf_json_str(&b, text, len);
            sb_buf_putc(&b, '}');
        }
        break;
    }
    case IO__CLOUDEVENTS__V1__CLOUD_EVENT__DATA_BINARY_DATA:
        sb_buf_puts(&b, "{\"data_base64\":");
        put_base64(&b, ev->binary_data.data, ev->binary_data.len);
        sb_buf_putc(&b, '}');
        break;
    case IO__CLOUDEVENTS__V1__CLOUD_EVENT__DATA_PROTO_DATA:
        sb_buf_puts(&b, "{\"proto_data\":{\"type_url\":");
        sb_buf_json_cstr(&b, ev->proto_data->type_url);
        sb_buf_puts(&b, ",\"value_base64\":");
        put_base64(&b, ev->proto_data->value.data, ev->proto_data->value.len);
        sb_buf_puts(&b, "}}");
        break;
    default:
        e->detail = "{}";
        e->detail_len = 2;
        return SB_OK;
    }
    if (rc == SB_OK) {
        char *d = sb_buf_failed(&b) ? NULL : sb_arena_alloc(arena, b.len ? b.len : 1);
        if (!d)
            rc = sb_error_set(err, SB_ENOMEM, "out of memory");
        else {
            memcpy(d, b.data, b.len);
            e->detail = d;
            e->detail_len = b.len;
        }
    }
    sb_buf_free(&b);
    return rc;
}

int sb_cloudevent_pb_decode(const void *buf, size_t len, sb_arena *arena, struct timespec now,
                            sb_put_entry *e, sb_error *err) {
    memset(e, 0, sizeof *e);
    e->time = now;
    e->bus = "default";
    ProtobufCAllocator alloc = {arena_alloc, arena_free, arena};
    pb_event *ev = io__cloudevents__v1__cloud_event__unpack(&alloc, len, buf);
    if (!ev)
        return sb_error_set(err, SB_EINVAL,
                            "not a protobuf io.cloudevents.v1.CloudEvent (%zu bytes that do not "
                            "decode, or a string that is not UTF-8)",
                            len);
    if (strcmp(ev->spec_version, "1.0") != 0)
        return sb_error_set(err, SB_EINVAL, "spec_version must be \"1.0\", not \"%.40s\"",
                            ev->spec_version);
    if (!*ev->id || !*ev->source || !*ev->type)
        return sb_error_set(err, SB_EINVAL, "a CloudEvent needs id, source and type");
    e->id = ev->id;
    e->source = ev->source;
    e->source_len = strlen(ev->source);
    e->detail_type = ev->type;
    e->detail_type_len = strlen(ev->type);
    const pb_attr *t = attribute(ev, "time");
    if (t && t->attr_case ==
                 IO__CLOUDEVENTS__V1__CLOUD_EVENT__CLOUD_EVENT_ATTRIBUTE_VALUE__ATTR_CE_TIMESTAMP) {
        if (t->ce_timestamp) {
            e->time.tv_sec = (time_t)t->ce_timestamp->seconds;
            e->time.tv_nsec = 0;
        }
    } else if (t) {
        const char *s = attr_string(ev, "time");
        if (!sb_events_time(s, &e->time))
            return sb_error_set(err, SB_EINVAL,
                                "the time attribute must be a timestamp or RFC 3339 "
                                "(2026-11-26T17:00:00Z)");
    }
    const char *subject = attr_string(ev, "subject");
    if (subject && *subject) {
        e->resources = sb_arena_alloc(arena, sizeof(char *));
        e->resource_lens = sb_arena_alloc(arena, sizeof(size_t));
        if (!e->resources || !e->resource_lens)
            return sb_error_set(err, SB_ENOMEM, "out of memory");
        e->resources[0] = subject;
        e->resource_lens[0] = strlen(subject);
        e->nresources = 1;
    }
    return set_data(ev, arena, e, err);
}
