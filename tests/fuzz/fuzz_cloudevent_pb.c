/* fuzz_cloudevent_pb.c - the CloudEvents protobuf decoder (sb_cloudevent_pb_decode) on
 * arbitrary bytes.
 *
 * Checks, besides "no crash, no leak, no sanitizer report":
 *  - it accepts or refuses with SB_EINVAL and a message;
 *  - what it accepts has a non-empty id, source and type, at most one resource, and a detail
 *    that is a JSON object (sb_json_parse agrees), however odd the data was. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "source/cloudevents_pb.h"

static void die(const char *what, const char *detail) {
    fprintf(stderr, "fuzz_cloudevent_pb: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    sb_arena arena;
    sb_arena_init(&arena, 4096);
    struct timespec now = {1795000000, 0};
    sb_put_entry e;
    sb_error err = {0};
    int rc = sb_cloudevent_pb_decode(data, size, &arena, now, &e, &err);
    if (rc != SB_OK) {
        if ((rc != SB_EINVAL && rc != SB_ENOMEM) || !err.msg[0])
            die("refused without SB_EINVAL and a message", err.msg);
    } else {
        if (!e.id || !*e.id || !e.source || !e.source_len || !e.detail_type || !e.detail_type_len)
            die("accepted without id, source or type", NULL);
        if (e.nresources > 1)
            die("more than one resource", NULL);
        sb_jnode *root;
        if (sb_json_parse(e.detail, e.detail_len, &arena, false, &root, &err, NULL) != SB_OK)
            die("detail is not JSON", err.msg);
        if (root->type != SB_JSON_OBJECT)
            die("detail is not an object", NULL);
    }
    sb_arena_free(&arena);
    return 0;
}
