/* putevents.h - EventBridge's PutEvents request (AWS JSON 1.1), parsed and validated entry by
 * entry, as EventBridge does: a request-level problem fails the call (ValidationException),
 * an entry-level problem fails only that entry (ErrorCode, ErrorMessage). No I/O here. */
#ifndef SB_PUTEVENTS_H
#define SB_PUTEVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/arena.h"
#include "core/json.h"
#include "core/status.h"

#define SB_PUTEVENTS_MAX_ENTRIES 10
#define SB_PUTEVENTS_MAX_BYTES (256 * 1024) /* EventBridge's entry size limit, per request */

typedef struct sb_put_entry {
    const char *error_code; /* NULL when the entry is valid */
    char error_message[256];

    const char *id; /* an id the sender chose (CloudEvents id, event id), or NULL for a new one */
    const char *source, *detail_type, *detail, *bus, *trace_header;
    size_t source_len, detail_type_len, detail_len;
    const char **resources;
    size_t *resource_lens;
    size_t nresources;
    struct timespec time; /* Time, or the time of the call when absent */
} sb_put_entry;

typedef struct sb_put_request {
    sb_put_entry *entries;
    size_t n;
} sb_put_request;

/* Parses body[0..len). On success fills req (memory from arena) and returns SB_OK; entries may
 * still carry their own errors. A request-level problem returns SB_EINVAL with err->msg the
 * message and *type the AWS error type ("ValidationException", "SerializationException"). */
int sb_putevents_parse(const char *body, size_t len, sb_arena *arena, struct timespec now,
                       sb_put_request *req, const char **type, sb_error *err);

/* The bus name of an EventBusName value: the name itself, or the name in an event bus ARN
 * (arn:aws:events:REGION:ACCOUNT:event-bus/NAME). Points into value. */
const char *sb_bus_name(const char *value);

#endif
