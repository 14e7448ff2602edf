/* transform.h - what a target receives: EventBridge's Input, InputPath and InputTransformer.
 *
 * Compiled once per target when rules load (sb_transformer_new checks paths and templates) and
 * applied per delivery to the parsed envelope. Immutable once made: shareable across threads.
 *
 * - No option: the whole event, as its JSON text.
 * - Input: that constant JSON text.
 * - InputPath: the value a JSONPath selects ($, $.a.b, $.a[0], $['key']), as JSON. A path that
 *   selects nothing fails the delivery.
 * - InputTransformer: InputPathsMap names values, InputTemplate places them as <name>. A
 *   template that starts with '{', '[' or '"' is JSON: a placeholder inside a JSON string puts
 *   the value's text there (a string without its quotes, escaped for the string), one standing
 *   alone puts the value's JSON (a string with quotes). Any other template is text: each
 *   placeholder puts the value's text (strings without quotes). A path that selects nothing
 *   gives null standing alone and nothing inside a string or text. Predefined:
 *   <aws.events.rule-arn>, <aws.events.rule-name>, <aws.events.event.ingestion-time>,
 *   <aws.events.event> and <aws.events.event.json> (the whole event). */
#ifndef SB_TRANSFORM_H
#define SB_TRANSFORM_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/status.h"
#include "rules/rule.h"

typedef struct sb_transformer sb_transformer;

typedef struct sb_transform_vars {
    const char *rule_arn;
    const char *rule_name;
    const char *ingestion_time; /* RFC 3339 UTC */
} sb_transform_vars;

/* Compiles the target's Input / InputPath / InputTransformer. NULL with err when a path or the
 * template is invalid (or out of memory). */
sb_transformer *sb_transformer_new(const sb_target_spec *spec, sb_error *err);

/* Frees t (NULL is a no-op). */
void sb_transformer_free(sb_transformer *t);

/* True when the event is delivered unchanged. */
bool sb_transformer_is_identity(const sb_transformer *t);

/* Appends the payload for `event` (the parsed envelope and its JSON text) to out. SB_OK, or
 * SB_EINVAL with err when this event cannot be transformed (an InputPath that selects nothing). */
int sb_transformer_apply(const sb_transformer *t, const sb_jnode *event, const char *event_text,
                         size_t event_len, const sb_transform_vars *vars, sb_buf *out,
                         sb_error *err);

/* A compiled JSONPath, exposed for tests and for other users of paths (SQS MessageGroupId). */
typedef struct sb_jsonpath sb_jsonpath;

/* Compiles a JSONPath of the supported subset; NULL with err otherwise. */
sb_jsonpath *sb_jsonpath_new(const char *path, sb_error *err);
void sb_jsonpath_free(sb_jsonpath *p);

/* The node p selects in root, or NULL. */
const sb_jnode *sb_jsonpath_get(const sb_jsonpath *p, const sb_jnode *root);

#endif
