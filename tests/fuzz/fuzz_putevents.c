/* fuzz_putevents.c - EventBridge's PutEvents request parser (sb_putevents_parse) on arbitrary
 * bodies.
 *
 * Checks, besides "no crash, no leak, no sanitizer report":
 *  - a request is accepted, or refused with SB_EINVAL or SB_ELIMIT, a message and an AWS error
 *    type (SerializationException exactly when the body is not JSON);
 *  - an accepted request has 1 to 10 entries; each entry either carries an error code and a
 *    message, or has a Source of 1-256 bytes, a DetailType of 1-128 bytes, neither holding NUL,
 *    a Detail that is a JSON object (sb_json_parse agrees), its resources, a bus name and a time
 *    in years 0 to 9999 with nanoseconds below one second;
 *  - the envelope written for a valid entry (sb_envelope_write, as ingest does) is a JSON object
 *    that carries the entry's source, detail-type, detail and time back unchanged, and the
 *    router's matcher (sb_match) accepts it and matches a pattern on its source. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/envelope.h"
#include "core/json.h"
#include "pattern/pattern.h"
#include "source/events.h"
#include "source/putevents.h"

static sb_machine *machine;
static sb_matcher *matcher;

static void die(const char *what, const char *detail) {
    fprintf(stderr, "fuzz_putevents: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
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
    if (!e->source || e->source_len < 1 || e->source_len > 256 ||
        memchr(e->source, '\0', e->source_len))
        die("a valid entry with a missing, too long or NUL-holding Source", NULL);
    if (!e->detail_type || e->detail_type_len < 1 || e->detail_type_len > 128 ||
        memchr(e->detail_type, '\0', e->detail_type_len))
        die("a valid entry with a missing, too long or NUL-holding DetailType", NULL);
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
        die("a valid entry whose Detail is not JSON", err.msg);
    if (detail->type != SB_JSON_OBJECT)
        die("a valid entry whose Detail is not an object", NULL);

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
    const char *body = (const char *)data;
    sb_arena arena;
    sb_arena_init(&arena, 4096);
    struct timespec now = {1795000000, 123};
    sb_put_request req;
    const char *type = NULL;
    sb_error err = {0};
    int rc = sb_putevents_parse(body, size, &arena, now, &req, &type, &err);
    sb_jnode *root;
    sb_error jerr;
    bool json = sb_json_parse(body, size, &arena, false, &root, &jerr, NULL) == SB_OK;
    if (rc != SB_OK) {
        if ((rc != SB_EINVAL && rc != SB_ELIMIT) || !err.msg[0] || !type || !*type)
            die("refused without SB_EINVAL or SB_ELIMIT, a message and a type", err.msg);
        if ((strcmp(type, "SerializationException") == 0) == json)
            die("SerializationException is not the answer to exactly the bodies that are not JSON",
                err.msg);
    } else {
        if (!json)
            die("accepted a body that is not JSON", NULL);
        if (req.n < 1 || req.n > SB_PUTEVENTS_MAX_ENTRIES || !req.entries)
            die("accepted a request with no entries or too many", NULL);
        for (size_t i = 0; i < req.n; i++)
            check_entry(&req.entries[i], &arena);
    }
    sb_arena_free(&arena);
    return 0;
}
