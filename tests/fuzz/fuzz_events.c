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

#include "core/json.h"
#include "entry_check.h"
#include "source/events.h"

#define MAX_HEADERS 16

typedef struct headers {
    char *name[MAX_HEADERS], *value[MAX_HEADERS];
    size_t n;
} headers;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    fuzz_entry_check_init("fuzz_events");
    return 0;
}

static char *copy(const char *s, size_t n) {
    char *c = malloc(n + 1);
    if (!c)
        fuzz_die("out of memory", NULL);
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
            fuzz_die("refused without a message, or with a code that does not fit the status",
                     err.msg);
        if (known && status == 415)
            fuzz_die("415 for a supported Content-Type", ctype);
        if (!known && status != 415 && ctype && !strchr(ctype, ' '))
            fuzz_die("an unsupported Content-Type did not get 415", ctype);
    } else {
        if (!ctype)
            fuzz_die("accepted a body without a Content-Type", NULL);
        sb_jnode *root;
        sb_error jerr;
        if (sb_json_parse(body, len, &arena, false, &root, &jerr, NULL) != SB_OK)
            fuzz_die("accepted a body that is not JSON", jerr.msg);
        if (req.n < 1 || req.n > SB_EVENTS_MAX_ENTRIES || !req.entries)
            fuzz_die("accepted a request with no entries or too many", NULL);
        if (binary && req.n != 1)
            fuzz_die("binary mode gave more than one entry", NULL);
        if (!binary && type_is(ctype, "application/cloudevents-batch+json") &&
            root->type != SB_JSON_ARRAY)
            fuzz_die("accepted a batch that is not a list", NULL);
        if (!binary && type_is(ctype, "application/cloudevents+json") &&
            root->type == SB_JSON_ARRAY)
            fuzz_die("accepted a list as a structured CloudEvent", NULL);
        for (size_t i = 0; i < req.n; i++)
            fuzz_check_entry(&req.entries[i], &arena, SIZE_MAX, SIZE_MAX, 0);
    }
    sb_arena_free(&arena);
    for (size_t i = 0; i < h.n; i++) {
        free(h.name[i]);
        free(h.value[i]);
    }
    free(ctype);
    return 0;
}
