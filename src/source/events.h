/* events.h - the `POST /events` body: EventBridge-shaped events (one or a JSON array), or
 * CloudEvents 1.0 (structured `application/cloudevents+json`, batched
 * `application/cloudevents-batch+json`, or binary mode with ce-* headers). Parsed into the
 * same entries as PutEvents. No I/O here. */
#ifndef SB_EVENTS_H
#define SB_EVENTS_H

#include "source/putevents.h"

/* Looks a request header up by name (case-insensitive); NULL when absent. */
typedef const char *(*sb_header_fn)(void *arg, const char *name);

#define SB_EVENTS_MAX_ENTRIES 100

/* Reads an RFC 3339 time (2026-11-26T17:00:00Z) to the second into *out; false when s is NULL
 * or not such a time. */
bool sb_events_time(const char *s, struct timespec *out);

/* Parses a /events body. content_type may be NULL. Returns SB_OK with req filled (entries may
 * carry their own errors, as for PutEvents), or SB_EINVAL (bad request: err says why) or
 * SB_ELIMIT (too many events) for the whole call; *status is then the HTTP status to answer
 * (400, 413 or 415). */
int sb_events_parse(const char *content_type, sb_header_fn header, void *header_arg,
                    const char *body, size_t len, sb_arena *arena, struct timespec now,
                    sb_put_request *req, int *status, sb_error *err);

#endif
