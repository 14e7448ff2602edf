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

#include "core/json.h"
#include "entry_check.h"
#include "source/events.h"
#include "source/putevents.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    fuzz_entry_check_init("fuzz_putevents");
    return 0;
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
            fuzz_die("refused without SB_EINVAL or SB_ELIMIT, a message and a type", err.msg);
        if ((strcmp(type, "SerializationException") == 0) == json)
            fuzz_die(
                "SerializationException is not the answer to exactly the bodies that are not JSON",
                err.msg);
    } else {
        if (!json)
            fuzz_die("accepted a body that is not JSON", NULL);
        if (req.n < 1 || req.n > SB_PUTEVENTS_MAX_ENTRIES || !req.entries)
            fuzz_die("accepted a request with no entries or too many", NULL);
        for (size_t i = 0; i < req.n; i++)
            fuzz_check_entry(&req.entries[i], &arena, 256, 128, 1);
    }
    sb_arena_free(&arena);
    return 0;
}
