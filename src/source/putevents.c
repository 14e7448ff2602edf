#define _GNU_SOURCE /* strptime, timegm */
/* putevents.c - PutEvents request validation. */
#include "source/putevents.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *sb_bus_name(const char *value) {
    const char *slash = strncmp(value, "arn:", 4) == 0 ? strstr(value, ":event-bus/") : NULL;
    return slash ? slash + strlen(":event-bus/") : value;
}

static void entry_error(sb_put_entry *e, const char *code, const char *fmt, const char *arg) {
    if (e->error_code)
        return; /* the first problem is the one reported */
    e->error_code = code;
    snprintf(e->error_message, sizeof e->error_message, fmt, arg);
}

static const sb_jnode *member(const sb_jnode *o, const char *key) {
    const sb_jmember *m = sb_json_get(o, key);
    return m ? m->value : NULL;
}

/* A required or optional string parameter of an entry. */
static const char *string_param(sb_put_entry *e, const sb_jnode *o, const char *key, bool required,
                                size_t *len) {
    const sb_jnode *v = member(o, key);
    if (!v || v->type == SB_JSON_NULL) {
        if (required)
            entry_error(e, "InvalidArgument", "Parameter %s is not valid. Reason: it is required.",
                        key);
        return NULL;
    }
    if (v->type != SB_JSON_STRING || (required && v->u.str.len == 0)) {
        entry_error(e, "InvalidArgument",
                    "Parameter %s is not valid. Reason: it must be a non-empty string.", key);
        return NULL;
    }
    if (memchr(v->u.str.s, '\0', v->u.str.len)) {
        entry_error(e, "InvalidArgument", "Parameter %s is not valid. Reason: NUL character.", key);
        return NULL;
    }
    *len = v->u.str.len;
    return v->u.str.s;
}

static void parse_entry(const sb_jnode *o, sb_arena *arena, struct timespec now, sb_put_entry *e,
                        size_t *bytes) {
    memset(e, 0, sizeof *e);
    e->time = now;
    e->bus = "default";
    if (o->type != SB_JSON_OBJECT) {
        entry_error(e, "InvalidArgument", "%s",
                    "Entry is not valid. Reason: it must be an object.");
        return;
    }
    size_t n;
    e->source = string_param(e, o, "Source", true, &e->source_len);
    e->detail_type = string_param(e, o, "DetailType", true, &e->detail_type_len);
    const char *detail = string_param(e, o, "Detail", true, &n);
    if (e->source_len > 256)
        entry_error(e, "InvalidArgument", "%s",
                    "Parameter Source is not valid. Reason: longer "
                    "than 256 characters.");
    if (e->detail_type_len > 128)
        entry_error(e, "InvalidArgument", "%s",
                    "Parameter DetailType is not valid. Reason: "
                    "longer than 128 characters.");
    *bytes += e->source_len + e->detail_type_len + (detail ? n : 0);
    if (detail) {
        sb_jnode *root;
        sb_error err;
        if (sb_json_parse(detail, n, arena, false, &root, &err, NULL) != SB_OK ||
            root->type != SB_JSON_OBJECT) {
            entry_error(e, "MalformedDetail", "%s", "Detail is malformed.");
        } else {
            e->detail = detail;
            e->detail_len = n;
        }
    }
    const sb_jnode *res = member(o, "Resources");
    if (res && res->type != SB_JSON_NULL) {
        if (res->type != SB_JSON_ARRAY) {
            entry_error(e, "InvalidArgument", "%s",
                        "Parameter Resources is not valid. Reason: it must be a list of strings.");
        } else {
            e->nresources = res->u.arr.n;
            e->resources = sb_arena_alloc(arena, (res->u.arr.n + 1) * sizeof(char *));
            e->resource_lens = sb_arena_alloc(arena, (res->u.arr.n + 1) * sizeof(size_t));
            for (size_t i = 0; e->resources && e->resource_lens && i < res->u.arr.n; i++) {
                const sb_jnode *r = res->u.arr.items[i];
                if (r->type != SB_JSON_STRING) {
                    entry_error(e, "InvalidArgument", "%s",
                                "Parameter Resources is not valid. Reason: it must be a list of "
                                "strings.");
                    break;
                }
                e->resources[i] = r->u.str.s;
                e->resource_lens[i] = r->u.str.len;
                *bytes += r->u.str.len;
            }
        }
    }
    const sb_jnode *t = member(o, "Time");
    *bytes += 14; /* EventBridge counts 14 bytes for the time */
    if (t && t->type == SB_JSON_NUMBER) {
        double s = t->u.num.v;
        if (!t->u.num.finite || s < 0 || s > 253402300799.0) {
            entry_error(e, "InvalidArgument", "%s", "Parameter Time is not valid.");
        } else {
            e->time.tv_sec = (time_t)floor(s);
            e->time.tv_nsec = (long)((s - floor(s)) * 1e9);
        }
    } else if (t && t->type == SB_JSON_STRING) {
        struct tm tm = {0};
        const char *end = strptime(t->u.str.s, "%Y-%m-%dT%H:%M:%S", &tm);
        if (!end) {
            entry_error(e, "InvalidArgument", "%s",
                        "Parameter Time is not valid. Reason: use epoch seconds or RFC 3339.");
        } else {
            e->time.tv_sec = timegm(&tm);
            e->time.tv_nsec = 0;
        }
    } else if (t && t->type != SB_JSON_NULL) {
        entry_error(e, "InvalidArgument", "%s", "Parameter Time is not valid.");
    }
    const char *bus = string_param(e, o, "EventBusName", false, &n);
    if (bus)
        e->bus = sb_bus_name(bus);
    e->trace_header = string_param(e, o, "TraceHeader", false, &n);
}

int sb_putevents_parse(const char *body, size_t len, sb_arena *arena, struct timespec now,
                       sb_put_request *req, const char **type, sb_error *err) {
    sb_jnode *root;
    memset(req, 0, sizeof *req);
    if (sb_json_parse(body, len, arena, false, &root, err, NULL) != SB_OK) {
        char why[SB_ERROR_MSG_MAX];
        snprintf(why, sizeof why, "%s", err->msg);
        *type = "SerializationException";
        return sb_error_set(err, SB_EINVAL, "The request body is not valid JSON: %s", why);
    }
    const sb_jnode *entries = root->type == SB_JSON_OBJECT ? member(root, "Entries") : NULL;
    *type = "ValidationException";
    if (!entries || entries->type != SB_JSON_ARRAY)
        return sb_error_set(err, SB_EINVAL,
                            "1 validation error detected: Value null at 'entries' failed to "
                            "satisfy constraint: Member must not be null");
    if (entries->u.arr.n < 1 || entries->u.arr.n > SB_PUTEVENTS_MAX_ENTRIES)
        return sb_error_set(err, SB_EINVAL,
                            "1 validation error detected: Value '%zu' at 'entries' failed to "
                            "satisfy constraint: Member must have length less than or equal to "
                            "10 and greater than or equal to 1",
                            entries->u.arr.n);
    req->n = entries->u.arr.n;
    req->entries = sb_arena_alloc(arena, req->n * sizeof *req->entries);
    if (!req->entries) {
        *type = "InternalFailure";
        return sb_error_set(err, SB_ENOMEM, "out of memory");
    }
    size_t bytes = 0;
    for (size_t i = 0; i < req->n; i++)
        parse_entry(entries->u.arr.items[i], arena, now, &req->entries[i], &bytes);
    if (bytes > SB_PUTEVENTS_MAX_BYTES)
        return sb_error_set(err, SB_ELIMIT,
                            "Total size of the entries in the request is over the limit.");
    return SB_OK;
}
