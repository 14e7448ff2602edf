/* fuzz_events.c - the `POST /events` body parser (sb_events_parse): EventBridge events, one or a
 * list, and CloudEvents 1.0 in structured, batched and binary mode, with arbitrary headers.
 *
 * The input reads like an HTTP request's tail:
 *
 *   CONTENT-TYPE        the first line ("-" for no Content-Type header)
 *   NAME: VALUE         any number of header lines (ce-id, ce-source, ...), up to 16
 *                       an empty line
 *   BODY                the rest
 *
 * Checks, besides "no crash, no leak, no sanitizer report":
 *  - a request is accepted, or refused with SB_EINVAL and status 400 or 415, or SB_ELIMIT and
 *    413, with a message; 415 exactly for a Content-Type that is not application/json,
 *    application/cloudevents+json or application/cloudevents-batch+json (parameters allowed);
 *  - an accepted request has 1 to 100 entries (one in binary mode, when ce-specversion is
 *    given); a batch is a JSON array, a structured CloudEvent an object;
 *  - each entry either carries an error code and a message, or has a non-empty source and
 *    detail-type, a detail that is a JSON object (sb_json_parse agrees), its resources and a
 *    time in years 0 to 9999;
 *  - the envelope written for a valid entry (sb_envelope_write, as ingest does) is a JSON object
 *    that carries the entry's source, detail-type, detail and time back unchanged, and the
 *    router's matcher (sb_match) accepts it and matches a pattern on its source. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/envelope.h"
#include "core/json.h"
#include "pattern/pattern.h"
#include "source/events.h"

#define MAX_HEADERS 16

static sb_machine *machine;
static sb_matcher *matcher;

typedef struct headers {
    char *name[MAX_HEADERS], *value[MAX_HEADERS];
    size_t n;
} headers;

static void die(const char *what, const char *detail) {
    fprintf(stderr, "fuzz_events: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    abort();
}

static void cleanup(void) {
    sb_matcher_free(matcher);
    sb_machine_free(machine);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    static const char pattern[] = "{\"source\":[{\"exists\":true}]}";
    sb_patterns *ps = sb_patterns_new();
    sb_error err = {0};
    if (!ps || sb_patterns_add(ps, 7, pattern, sizeof pattern - 1, "fixed", &err) != SB_OK)
        die("cannot add the fixed pattern", NULL);
    machine = sb_machine_compile(ps, &err);
    sb_patterns_free(ps);
    if (!machine || !(matcher = sb_matcher_new(machine)))
        die("cannot compile the fixed pattern", NULL);
    atexit(cleanup);
    return 0;
}

static char *copy(const char *s, size_t n) {
    char *c = malloc(n + 1);
    if (!c)
        die("out of memory", NULL);
    memcpy(c, s, n);
    c[n] = '\0';
    return c;
}

static const char *header(void *arg, const char *name) {
    const headers *h = arg;
    for (size_t i = 0; i < h->n; i++)
        if (strcasecmp(h->name[i], name) == 0)
            return h->value[i];
    return NULL;
}

/* True when ct is `want`, case aside, alone or followed by parameters. */
static bool type_is(const char *ct, const char *want) {
    size_t n = strlen(want);
    return ct && strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';');
}

static bool is_str(const sb_jnode *o, const char *key, const char *s, size_t n) {
    const sb_jmember *m = sb_json_get(o, key);
    return m && m->value->type == SB_JSON_STRING && m->value->u.str.len == n &&
           memcmp(m->value->u.str.s, s, n) == 0;
}

static void check_entry(const sb_put_entry *e, sb_arena *arena) {
    if (e->error_code) {
        if (!*e->error_code || !e->error_message[0])
            die("an entry error without a code and a message", e->error_message);
        return;
    }
    if (!e->source || e->source_len < 1)
        die("a valid entry without a source", NULL);
    if (!e->detail_type || e->detail_type_len < 1)
        die("a valid entry without a detail-type", NULL);
    if (!e->bus)
        die("a valid entry without a bus", NULL);
    if (e->time.tv_sec < -62167219200 || e->time.tv_sec > 253402300799 || e->time.tv_nsec < 0 ||
        e->time.tv_nsec >= 1000000000)
        die("a valid entry with a time out of range", NULL);
    for (size_t i = 0; i < e->nresources; i++)
        if (!e->resources || !e->resource_lens || !e->resources[i])
            die("a valid entry with a missing resource", NULL);
    sb_jnode *detail = NULL;
    sb_error err = {0};
    if (!e->detail ||
        sb_json_parse(e->detail, e->detail_len, arena, false, &detail, &err, NULL) != SB_OK)
        die("a valid entry whose detail is not JSON", err.msg);
    if (detail->type != SB_JSON_OBJECT)
        die("a valid entry whose detail is not an object", NULL);

    /* the envelope, as ingest writes it */
    sb_envelope_fields f = {
        e->id,          e->source,   e->source_len, e->detail_type, e->detail_type_len,
        "123456789012", "us-east-1", e->time,       e->resources,   e->resource_lens,
        e->nresources,  e->detail,   e->detail_len, NULL,           0};
    sb_buf env;
    sb_buf_init(&env);
    char id[37];
    sb_envelope_write(&env, &f, id);
    if (sb_buf_failed(&env))
        die("out of memory", NULL);
    sb_jnode *root;
    if (sb_json_parse(env.data, env.len, arena, false, &root, &err, NULL) != SB_OK)
        die("the envelope is not JSON", err.msg);
    if (root->type != SB_JSON_OBJECT)
        die("the envelope is not an object", NULL);
    if (!is_str(root, "source", e->source, e->source_len) ||
        !is_str(root, "detail-type", e->detail_type, e->detail_type_len))
        die("the envelope changed the source or the detail-type", NULL);
    const sb_jmember *d = sb_json_get(root, "detail");
    if (!d || d->value->end - d->value->offset != detail->end - detail->offset ||
        memcmp(env.data + d->value->offset, e->detail + detail->offset,
               detail->end - detail->offset))
        die("the envelope changed the detail", NULL);
    const sb_jmember *tm = sb_json_get(root, "time");
    struct timespec back;
    if (!tm || tm->value->type != SB_JSON_STRING || !sb_events_time(tm->value->u.str.s, &back) ||
        back.tv_sec != e->time.tv_sec)
        die("the envelope's time does not read back as the entry's", NULL);
    const sb_jmember *res = sb_json_get(root, "resources");
    if (!res || res->value->type != SB_JSON_ARRAY || res->value->u.arr.n != e->nresources)
        die("the envelope lost resources", NULL);
    const uint32_t *ids;
    int n = sb_match(matcher, env.data, env.len, &ids, &err);
    if (n != 1 || ids[0] != 7)
        die("the matcher refused the envelope or did not match its source", err.msg);
    sb_buf_free(&env);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *in = (const char *)data, *end = in + size;
    /* the Content-Type line */
    const char *nl = memchr(in, '\n', size);
    const char *lend = nl ? nl : end;
    char *ctype = (lend - in == 1 && in[0] == '-') ? NULL : copy(in, (size_t)(lend - in));
    const char *p = nl ? nl + 1 : end;
    /* header lines, up to an empty line */
    headers h = {0};
    while (p < end && *p != '\n') {
        nl = memchr(p, '\n', (size_t)(end - p));
        lend = nl ? nl : end;
        const char *colon = memchr(p, ':', (size_t)(lend - p));
        if (colon && h.n < MAX_HEADERS) {
            const char *v = colon + 1;
            while (v < lend && *v == ' ')
                v++;
            h.name[h.n] = copy(p, (size_t)(colon - p));
            h.value[h.n] = copy(v, (size_t)(lend - v));
            h.n++;
        }
        p = nl ? nl + 1 : end;
    }
    if (p < end)
        p++; /* the empty line */
    const char *body = p;
    size_t len = (size_t)(end - p);

    sb_arena arena;
    sb_arena_init(&arena, 4096);
    struct timespec now = {1795000000, 123};
    sb_put_request req;
    int status = 0;
    sb_error err = {0};
    int rc = sb_events_parse(ctype, header, &h, body, len, &arena, now, &req, &status, &err);
    bool known = type_is(ctype, "application/json") ||
                 type_is(ctype, "application/cloudevents+json") ||
                 type_is(ctype, "application/cloudevents-batch+json");
    bool binary = header(&h, "ce-specversion") != NULL;
    if (rc != SB_OK) {
        if (!err.msg[0] || !((rc == SB_EINVAL && (status == 400 || status == 415)) ||
                             (rc == SB_ELIMIT && status == 413)))
            die("refused without a message, or with a code that does not fit the status", err.msg);
        if (known && status == 415)
            die("415 for a supported Content-Type", ctype);
        if (!known && status != 415 && ctype && !strchr(ctype, ' '))
            die("an unsupported Content-Type did not get 415", ctype);
    } else {
        if (!ctype)
            die("accepted a body without a Content-Type", NULL);
        sb_jnode *root;
        sb_error jerr;
        if (sb_json_parse(body, len, &arena, false, &root, &jerr, NULL) != SB_OK)
            die("accepted a body that is not JSON", jerr.msg);
        if (req.n < 1 || req.n > SB_EVENTS_MAX_ENTRIES || !req.entries)
            die("accepted a request with no entries or too many", NULL);
        if (binary && req.n != 1)
            die("binary mode gave more than one entry", NULL);
        if (!binary && type_is(ctype, "application/cloudevents-batch+json") &&
            root->type != SB_JSON_ARRAY)
            die("accepted a batch that is not a list", NULL);
        if (!binary && type_is(ctype, "application/cloudevents+json") &&
            root->type == SB_JSON_ARRAY)
            die("accepted a list as a structured CloudEvent", NULL);
        for (size_t i = 0; i < req.n; i++)
            check_entry(&req.entries[i], &arena);
    }
    sb_arena_free(&arena);
    for (size_t i = 0; i < h.n; i++) {
        free(h.name[i]);
        free(h.value[i]);
    }
    free(ctype);
    return 0;
}
