/* cloudevents_pb.h - the CloudEvents protobuf format (io.cloudevents.v1.CloudEvent, proto/)
 * decoded into the same entry as a structured CloudEvent in JSON. No I/O here. */
#ifndef SB_CLOUDEVENTS_PB_H
#define SB_CLOUDEVENTS_PB_H

#include <stddef.h>
#include <time.h>

#include "core/arena.h"
#include "core/status.h"
#include "source/putevents.h"

/* Decodes one protobuf CloudEvent from buf[0..len) into *e (memory from arena, which must
 * outlive e). The mapping is that of the JSON format: id, source and type; the `time` attribute
 * (a timestamp or an RFC 3339 string; now when absent); `subject` as the one resource; data as
 * detail: text_data that is JSON (datacontenttype absent, application/json or +json) as its
 * value (an object as it is, anything else as {"data": value}), other text as {"data":
 * "text"}, binary_data as {"data_base64": "..."}, proto_data as {"proto_data": {"type_url":
 * "...", "value_base64": "..."}}. Returns SB_OK, or SB_EINVAL with err saying what is wrong
 * (not protobuf, spec_version not 1.0, a missing id/source/type, text_data declared JSON that
 * is not). */
int sb_cloudevent_pb_decode(const void *buf, size_t len, sb_arena *arena, struct timespec now,
                            sb_put_entry *e, sb_error *err);

#endif
