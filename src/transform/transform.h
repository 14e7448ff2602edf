/* transform.h - what a target receives: EventBridge's Input, InputPath and InputTransformer.
 *
 * A transformer is compiled once per target when rules load (sb_transformer_new checks paths and
 * templates, so that mistakes surface at load time with a message) and applied per delivery to
 * the parsed envelope. Immutable once made: one transformer may be applied from many threads.
 *
 * What is delivered (sources: the EventBridge user guide "Amazon EventBridge input
 * transformation", the API reference of Target and InputTransformer, and EventBridge's answers
 * recorded by LocalStack's AWS-validated tests of input transformers):
 *
 * - None of the three: the event's text, unchanged.
 * - Input: that constant JSON text, as is.
 * - InputPath: the value the JSONPath selects, as compact JSON (a string with its quotes);
 *   `$` delivers the event's text unchanged, and a path with a wildcard delivers the JSON array of
 *   its matches. A definite path that selects nothing fails the delivery (SB_EINVAL): EventBridge
 *   does not document this case, and a failure reaches the dead-letter queue with its reason
 *   where an invented payload would reach the target unnoticed.
 * - InputTransformer: InputPathsMap names values, InputTemplate places them as <name> (names of
 *   letters, digits, '.', '-', '_'). A template is JSON when it parses as JSON with its
 *   placeholders filled; one that starts with '{' or '[' and does not is refused at load time.
 *   In a JSON template:
 *   - a placeholder standing alone as a value gets the value's compact JSON (a string with its
 *     quotes, numbers spelled as in the event, objects and arrays as JSON);
 *   - a placeholder inside a JSON string gets the value's text, escaped for the string: a
 *     string without its quotes, a number, true, false or null as spelled, an object or array
 *     in EventBridge's quote-less form ({k:v,...}, [a,b]).
 *   Any other template is text: each placeholder gets the value's text unescaped (strings
 *   without quotes, objects and arrays in the quote-less form). The output of a JSON template is
 *   always valid JSON: where EventBridge inserts a value unescaped and fails the delivery
 *   (quotes in a string, an object inside a string of an object template), we escape and
 *   deliver.
 *   A path that selects nothing gives "" standing alone and nothing inside a string or text
 *   (EventBridge answers {"command": ""} for {"command": <command>} with a missing path).
 *   Predefined variables: <aws.events.rule-arn>, <aws.events.rule-name>,
 *   <aws.events.event.ingestion-time> (strings), <aws.events.event.json> (the whole event as
 *   compact JSON) and <aws.events.event> (the event without its detail, detail-type spelled
 *   detailType, as EventBridge delivers it). EventBridge documents the last two as values only;
 *   inside a string we put their JSON, escaped.
 *   A '<' that does not open <name> is literal text; a <name> that is neither in InputPathsMap
 *   nor predefined is refused at load time, as EventBridge refuses it in PutTargets. */
#ifndef SB_TRANSFORM_H
#define SB_TRANSFORM_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/status.h"
#include "rules/rule.h"
#include "transform/jsonpath.h"

typedef struct sb_transformer sb_transformer;

/* Per delivery: what the predefined variables stand for. NULL fields count as "". */
typedef struct sb_transform_vars {
    const char *rule_arn;       /* arn:aws:events:REGION:ACCOUNT:rule/[BUS/]NAME */
    const char *rule_name;      /* the rule's name */
    const char *ingestion_time; /* RFC 3339 UTC, e.g. 2026-11-26T17:00:00Z */
} sb_transform_vars;

/* Compiles spec's Input, InputPath or InputTransformer (at most one may be set; none makes an
 * identity transformer). Returns the transformer (the caller frees it with sb_transformer_free;
 * it keeps no pointer into spec), or NULL with err: SB_EINVAL for invalid JSON in Input, an
 * unsupported JSONPath, an invalid template or name (the message names the target, the field
 * and the position), SB_ELIMIT past 8192 template bytes or 100 paths, SB_ENOMEM. */
sb_transformer *sb_transformer_new(const sb_target_spec *spec, sb_error *err);

/* Frees t (NULL is a no-op). */
void sb_transformer_free(sb_transformer *t);

/* True when the event is delivered unchanged (no Input, InputPath or InputTransformer). */
bool sb_transformer_is_identity(const sb_transformer *t);

/* True when every payload t produces is JSON (all but text templates): a target may then label
 * it application/json. */
bool sb_transformer_output_is_json(const sb_transformer *t);

/* Appends the payload for one event to out: `event` is the parsed envelope (the root object) and
 * event_text[0..event_len) the text it was parsed from; vars may be NULL when t uses no
 * predefined variable. Returns SB_OK, SB_EINVAL with err when this event cannot be transformed
 * (an InputPath that selects nothing: the delivery fails), or SB_ENOMEM. On failure out may hold
 * a partial payload. Borrows everything; thread-safe. */
int sb_transformer_apply(const sb_transformer *t, const sb_jnode *event, const char *event_text,
                         size_t event_len, const sb_transform_vars *vars, sb_buf *out,
                         sb_error *err);

#endif
