#define _GNU_SOURCE /* strptime, timegm, strncasecmp */
/* events.c - `POST /events` bodies: EventBridge events and CloudEvents 1.0. */
#include "source/events.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/json_scan.h"

static const sb_jnode *member(const sb_jnode *o, const char *key) {
    const sb_jmember *m = sb_json_get(o, key);
    return m ? m->value : NULL;
}

static void fail_entry(sb_put_entry *e, const char *code, const char *msg) {
    if (e->error_code)
        return;
    e->error_code = code;
    snprintf(e->error_message, sizeof e->error_message, "%s", msg);
}

/* The raw JSON text of node n inside body. */
static void raw(const char *body, const sb_jnode *n, const char **s, size_t *len) {
    *s = body + n->offset;
    *len = n->end - n->offset;
}

/* detail from a data value: an object as it is, anything else as {"data": value}. */
static void set_detail(sb_put_entry *e, const char *text, size_t len, bool is_object,
                       sb_arena *arena) {
    if (is_object) {
        e->detail = text;
        e->detail_len = len;
        return;
    }
    char *d = sb_arena_alloc(arena, len + 10);
    if (!d) {
        fail_entry(e, "InternalFailure", "out of memory");
        return;
    }
    memcpy(d, "{\"data\":", 8);
    memcpy(d + 8, text, len);
    d[8 + len] = '}';
    e->detail = d;
    e->detail_len = len + 9;
}

bool sb_events_time(const char *s, struct timespec *out) {
    struct tm tm = {0};
    if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))
        return false;
    out->tv_sec = timegm(&tm);
    out->tv_nsec = 0;
    return true;
}

static void set_time(sb_put_entry *e, const char *s) {
    if (!sb_events_time(s, &e->time))
        fail_entry(e, "InvalidArgument", "time must be RFC 3339 (2026-11-26T17:00:00Z)");
}

static const char *str_member(const sb_jnode *o, const char *key, size_t *len) {
    const sb_jnode *v = member(o, key);
    if (!v || v->type != SB_JSON_STRING || v->u.str.len == 0)
        return NULL;
    if (len)
        *len = v->u.str.len;
    return v->u.str.s;
}

static void eventbridge_entry(const char *body, const sb_jnode *o, sb_arena *arena,
                              sb_put_entry *e) {
    (void)arena;
    if (o->type != SB_JSON_OBJECT) {
        fail_entry(e, "InvalidArgument", "an event must be a JSON object");
        return;
    }
    e->source = str_member(o, "source", &e->source_len);
    e->detail_type = str_member(o, "detail-type", &e->detail_type_len);
    const sb_jnode *detail = member(o, "detail");
    if (!e->source)
        fail_entry(e, "InvalidArgument", "\"source\" is required (a non-empty string)");
    if (!e->detail_type)
        fail_entry(e, "InvalidArgument", "\"detail-type\" is required (a non-empty string)");
    if (!detail || detail->type != SB_JSON_OBJECT)
        fail_entry(e, "MalformedDetail", "\"detail\" is required and must be an object");
    else
        raw(body, detail, &e->detail, &e->detail_len);
    e->id = str_member(o, "id", NULL);
    const char *t = str_member(o, "time", NULL);
    if (t)
        set_time(e, t);
    const sb_jnode *res = member(o, "resources");
    if (res && res->type == SB_JSON_ARRAY) {
        e->resources = sb_arena_alloc(arena, (res->u.arr.n + 1) * sizeof(char *));
        e->resource_lens = sb_arena_alloc(arena, (res->u.arr.n + 1) * sizeof(size_t));
        for (size_t i = 0; e->resources && e->resource_lens && i < res->u.arr.n; i++) {
            if (res->u.arr.items[i]->type != SB_JSON_STRING) {
                fail_entry(e, "InvalidArgument", "\"resources\" must be a list of strings");
                break;
            }
            e->resources[e->nresources] = res->u.arr.items[i]->u.str.s;
            e->resource_lens[e->nresources++] = res->u.arr.items[i]->u.str.len;
        }
    } else if (res && res->type != SB_JSON_NULL) {
        fail_entry(e, "InvalidArgument", "\"resources\" must be a list of strings");
    }
}

static void cloudevent_entry(const char *body, const sb_jnode *o, sb_arena *arena,
                             sb_put_entry *e) {
    if (o->type != SB_JSON_OBJECT) {
        fail_entry(e, "InvalidArgument", "a CloudEvent must be a JSON object");
        return;
    }
    const char *spec = str_member(o, "specversion", NULL);
    if (!spec || strcmp(spec, "1.0") != 0)
        fail_entry(e, "InvalidArgument", "\"specversion\" must be \"1.0\"");
    e->id = str_member(o, "id", NULL);
    e->source = str_member(o, "source", &e->source_len);
    e->detail_type = str_member(o, "type", &e->detail_type_len);
    if (!e->id || !e->source || !e->detail_type)
        fail_entry(e, "InvalidArgument", "a CloudEvent needs \"id\", \"source\" and \"type\"");
    const char *t = str_member(o, "time", NULL);
    if (t)
        set_time(e, t);
    size_t sl;
    const char *subject = str_member(o, "subject", &sl);
    if (subject) {
        e->resources = sb_arena_alloc(arena, sizeof(char *));
        e->resource_lens = sb_arena_alloc(arena, sizeof(size_t));
        if (e->resources && e->resource_lens) {
            e->resources[0] = subject;
            e->resource_lens[0] = sl;
            e->nresources = 1;
        }
    }
    const sb_jnode *data = member(o, "data"), *b64 = member(o, "data_base64");
    const char *text;
    size_t len;
    if (data) {
        raw(body, data, &text, &len);
        set_detail(e, text, len, data->type == SB_JSON_OBJECT, arena);
    } else if (b64) {
        raw(body, b64, &text, &len);
        char *d = sb_arena_alloc(arena, len + 18);
        if (d) {
            int n = snprintf(d, len + 18, "{\"data_base64\":%.*s}", (int)len, text);
            e->detail = d;
            e->detail_len = (size_t)n;
        }
    } else {
        e->detail = "{}";
        e->detail_len = 2;
    }
}

/* True when s (NULL counts) is UTF-8: header values are bytes, and envelope strings must be. */
static bool utf8(const char *s) {
    if (!s)
        return true;
    const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
    for (int n; p < end; p += n)
        if ((n = sb_utf8_seq_len(p, end)) == 0)
            return false;
    return true;
}

static bool type_is(const char *ct, const char *want) {
    size_t n = strlen(want);
    return ct && strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

int sb_events_parse(const char *content_type, sb_header_fn header, void *header_arg,
                    const char *body, size_t len, sb_arena *arena, struct timespec now,
                    sb_put_request *req, int *status, sb_error *err) {
    memset(req, 0, sizeof *req);
    *status = 400;
    bool structured = type_is(content_type, "application/cloudevents+json");
    bool batch = type_is(content_type, "application/cloudevents-batch+json");
    bool binary = header(header_arg, "ce-specversion") != NULL;
    if (!structured && !batch && !type_is(content_type, "application/json")) {
        *status = 415;
        return sb_error_set(err, SB_EINVAL,
                            "unsupported Content-Type %s: use application/json, "
                            "application/cloudevents+json or application/cloudevents-batch+json",
                            content_type ? content_type : "(none)");
    }
    sb_jnode *root;
    if (sb_json_parse(body, len, arena, false, &root, err, NULL) != SB_OK) {
        char why[SB_ERROR_MSG_MAX];
        snprintf(why, sizeof why, "%s", err->msg);
        return sb_error_set(err, SB_EINVAL, "the body is not valid JSON: %s", why);
    }
    if (binary) {
        /* binary mode: attributes in ce-* headers, the body is the data */
        req->entries = sb_arena_calloc(arena, sizeof *req->entries);
        if (!req->entries)
            return sb_error_set(err, SB_ENOMEM, "out of memory");
        req->n = 1;
        sb_put_entry *e = req->entries;
        e->time = now;
        e->bus = "default";
        const char *spec = header(header_arg, "ce-specversion");
        if (strcmp(spec, "1.0") != 0)
            fail_entry(e, "InvalidArgument", "ce-specversion must be 1.0");
        e->id = header(header_arg, "ce-id");
        e->source = header(header_arg, "ce-source");
        e->detail_type = header(header_arg, "ce-type");
        if (!e->id || !e->source || !e->detail_type || !*e->id || !*e->source || !*e->detail_type)
            fail_entry(e, "InvalidArgument",
                       "binary CloudEvents need ce-id, ce-source and ce-type");
        else {
            e->source_len = strlen(e->source);
            e->detail_type_len = strlen(e->detail_type);
        }
        const char *t = header(header_arg, "ce-time");
        if (t)
            set_time(e, t);
        const char *subject = header(header_arg, "ce-subject");
        if (!utf8(e->id) || !utf8(e->source) || !utf8(e->detail_type) || !utf8(subject))
            fail_entry(e, "InvalidArgument",
                       "ce-id, ce-source, ce-type and ce-subject must be UTF-8");
        if (subject) {
            e->resources = sb_arena_alloc(arena, sizeof(char *));
            e->resource_lens = sb_arena_alloc(arena, sizeof(size_t));
            if (e->resources && e->resource_lens) {
                e->resources[0] = subject;
                e->resource_lens[0] = strlen(subject);
                e->nresources = 1;
            }
        }
        set_detail(e, body + root->offset, root->end - root->offset, root->type == SB_JSON_OBJECT,
                   arena);
        return SB_OK;
    }
    bool many = root->type == SB_JSON_ARRAY;
    if (batch && !many)
        return sb_error_set(err, SB_EINVAL, "a CloudEvents batch must be a JSON array");
    if (structured && many)
        return sb_error_set(err, SB_EINVAL,
                            "a structured CloudEvent is one object (use "
                            "application/cloudevents-batch+json for a list)");
    size_t n = many ? root->u.arr.n : 1;
    if (n == 0)
        return sb_error_set(err, SB_EINVAL, "the list of events is empty");
    if (n > SB_EVENTS_MAX_ENTRIES) {
        *status = 413;
        return sb_error_set(err, SB_ELIMIT, "%zu events in one request: at most %d", n,
                            SB_EVENTS_MAX_ENTRIES);
    }
    req->entries = sb_arena_calloc(arena, n * sizeof *req->entries);
    if (!req->entries)
        return sb_error_set(err, SB_ENOMEM, "out of memory");
    req->n = n;
    for (size_t i = 0; i < n; i++) {
        sb_put_entry *e = &req->entries[i];
        e->time = now;
        e->bus = "default";
        const sb_jnode *o = many ? root->u.arr.items[i] : root;
        if (structured || batch)
            cloudevent_entry(body, o, arena, e);
        else
            eventbridge_entry(body, o, arena, e);
    }
    return SB_OK;
}
