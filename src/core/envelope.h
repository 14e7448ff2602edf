/* envelope.h - the EventBridge event as signalbox delivers it:
 *   {"version":"0","id":UUID,"detail-type":..,"source":..,"account":..,"time":RFC3339,
 *    "region":..,"resources":[..],"detail":{..}}
 * built as JSON text once per event, with `detail` copied in its original spelling. */
#ifndef SB_ENVELOPE_H
#define SB_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/buf.h"

typedef struct sb_envelope_fields {
    const char *id; /* NULL: a new UUID v4 is made (see sb_uuid4) */
    const char *source;
    size_t source_len;
    const char *detail_type;
    size_t detail_type_len;
    const char *account;
    const char *region;
    struct timespec time;   /* the event's time (seconds are kept, as EventBridge does) */
    const char **resources; /* resources[i] of resource_lens[i] bytes */
    const size_t *resource_lens;
    size_t nresources;
    const char *detail; /* JSON text of an object, validated by the caller */
    size_t detail_len;
    const char *extra; /* more members, as JSON text ("\"kafka\":{...}"), or NULL */
    size_t extra_len;
} sb_envelope_fields;

/* Writes a fresh random UUID v4 ("8-4-4-4-12" lowercase hex) into out (37 bytes with NUL). */
void sb_uuid4(char out[37]);

/* Writes t as RFC 3339 UTC with seconds precision ("2026-11-26T17:00:00Z") into out. */
void sb_rfc3339(time_t t, char out[32]);

/* Appends the envelope JSON of f to out. Writes the id used into id_out (37 bytes) when not
 * NULL. The strings must be valid UTF-8; they are JSON-escaped here. */
void sb_envelope_write(sb_buf *out, const sb_envelope_fields *f, char id_out[37]);

#endif
