/* entry_check.c - the checks of entry_check.h. */
#include "entry_check.h"

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

static const char *fuzzer = "fuzz";
static sb_machine *machine;
static sb_matcher *matcher;

void fuzz_die(const char *what, const char *detail) {
    fprintf(stderr, "%s: %s%s%s\n", fuzzer, what, detail ? ": " : "", detail ? detail : "");
    abort();
}

static void cleanup(void) {
    sb_matcher_free(matcher);
    sb_machine_free(machine);
}

void fuzz_entry_check_init(const char *name) {
    fuzzer = name;
    static const char pattern[] = "{\"source\":[{\"exists\":true}]}";
    sb_patterns *ps = sb_patterns_new();
    sb_error err = {0};
    if (!ps || sb_patterns_add(ps, 7, pattern, sizeof pattern - 1, "fixed", &err) != SB_OK)
        fuzz_die("cannot add the fixed pattern", NULL);
    machine = sb_machine_compile(ps, &err);
    sb_patterns_free(ps);
    if (!machine || !(matcher = sb_matcher_new(machine)))
        fuzz_die("cannot compile the fixed pattern", NULL);
    atexit(cleanup);
}

static bool is_str(const sb_jnode *o, const char *key, const char *s, size_t n) {
    const sb_jmember *m = sb_json_get(o, key);
    return m && m->value->type == SB_JSON_STRING && m->value->u.str.len == n &&
           memcmp(m->value->u.str.s, s, n) == 0;
}

void fuzz_check_entry(const sb_put_entry *e, sb_arena *arena, size_t source_max,
                      size_t detail_type_max, int no_nul) {
    if (e->error_code) {
        if (!*e->error_code || !e->error_message[0])
            fuzz_die("an entry error without a code and a message", e->error_message);
        return;
    }
    if (!e->source || e->source_len < 1 || e->source_len > source_max ||
        (no_nul && memchr(e->source, '\0', e->source_len)))
        fuzz_die("a valid entry with a missing, too long or NUL-holding Source", NULL);
    if (!e->detail_type || e->detail_type_len < 1 || e->detail_type_len > detail_type_max ||
        (no_nul && memchr(e->detail_type, '\0', e->detail_type_len)))
        fuzz_die("a valid entry with a missing, too long or NUL-holding DetailType", NULL);
    if (!e->bus)
        fuzz_die("a valid entry without a bus", NULL);
    if (e->time.tv_sec < -62167219200 || e->time.tv_sec > 253402300799 || e->time.tv_nsec < 0 ||
        e->time.tv_nsec >= 1000000000)
        fuzz_die("a valid entry with a time out of range", NULL);
    for (size_t i = 0; i < e->nresources; i++)
        if (!e->resources || !e->resource_lens || !e->resources[i])
            fuzz_die("a valid entry with a missing resource", NULL);
    sb_jnode *detail = NULL;
    sb_error err = {0};
    if (!e->detail ||
        sb_json_parse(e->detail, e->detail_len, arena, false, &detail, &err, NULL) != SB_OK)
        fuzz_die("a valid entry whose Detail is not JSON", err.msg);
    if (detail->type != SB_JSON_OBJECT)
        fuzz_die("a valid entry whose Detail is not an object", NULL);

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
        fuzz_die("out of memory", NULL);
    sb_jnode *root;
    if (sb_json_parse(env.data, env.len, arena, false, &root, &err, NULL) != SB_OK)
        fuzz_die("the envelope is not JSON", err.msg);
    if (root->type != SB_JSON_OBJECT)
        fuzz_die("the envelope is not an object", NULL);
    if (!is_str(root, "source", e->source, e->source_len) ||
        !is_str(root, "detail-type", e->detail_type, e->detail_type_len))
        fuzz_die("the envelope changed the source or the detail-type", NULL);
    const sb_jmember *d = sb_json_get(root, "detail");
    if (!d || d->value->end - d->value->offset != detail->end - detail->offset ||
        memcmp(env.data + d->value->offset, e->detail + detail->offset,
               detail->end - detail->offset))
        fuzz_die("the envelope changed the detail", NULL);
    const sb_jmember *tm = sb_json_get(root, "time");
    struct timespec back;
    if (!tm || tm->value->type != SB_JSON_STRING || !sb_events_time(tm->value->u.str.s, &back) ||
        back.tv_sec != e->time.tv_sec)
        fuzz_die("the envelope's time does not read back as the entry's", NULL);
    const sb_jmember *res = sb_json_get(root, "resources");
    if (!res || res->value->type != SB_JSON_ARRAY || res->value->u.arr.n != e->nresources)
        fuzz_die("the envelope lost resources", NULL);
    const uint32_t *ids;
    int n = sb_match(matcher, env.data, env.len, &ids, &err);
    if (n != 1 || ids[0] != 7)
        fuzz_die("the matcher refused the envelope or did not match its source", err.msg);
    sb_buf_free(&env);
}
