/* rule.h - rules as loaded from rule files: EventBridge's rule and target fields, validated.
 *
 * A rule set is immutable once loaded: the router shares it read-only and swaps in a new one on
 * reload. Everything a rule set holds lives in its arena. */
#ifndef SB_RULE_H
#define SB_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/status.h"
#include "pattern/pattern.h"

typedef enum {
    SB_TARGET_REDIS_STREAM,  /* redis:stream:KEY[?maxlen=N] - XADD KEY [MAXLEN ~ N] * event PAYLOAD
                              */
    SB_TARGET_REDIS_LIST,    /* redis:list:KEY - RPUSH KEY PAYLOAD */
    SB_TARGET_REDIS_PUBLISH, /* redis:publish:CHANNEL - PUBLISH CHANNEL PAYLOAD */
    SB_TARGET_HTTP,          /* http:// or https:// URL */
    SB_TARGET_SQS,           /* arn:aws:sqs:REGION:ACCOUNT:NAME or a queue URL */
    SB_TARGET_SNS            /* arn:aws:sns:REGION:ACCOUNT:NAME */
} sb_target_kind;

/* Returns a short name of a target kind ("redis-stream", "http", "sqs", ...). */
const char *sb_target_kind_name(sb_target_kind k);

typedef struct sb_kv {
    const char *key, *value;
} sb_kv;

typedef struct sb_target_spec {
    const char *id;
    const char *arn;
    sb_target_kind kind;
    const char *resource;         /* redis key or channel, URL, queue or topic name */
    const char *region, *account; /* SQS and SNS */
    long maxlen;                  /* redis streams: approximate MAXLEN, 0 for none */

    /* what is delivered: at most one of these three is set */
    const char *input;      /* Input: constant JSON text */
    const char *input_path; /* InputPath: a JSONPath into the event */
    sb_kv *paths_map;       /* InputTransformer.InputPathsMap: name -> JSONPath */
    size_t npaths_map;
    const char *input_template; /* InputTransformer.InputTemplate */

    int retry_attempts;  /* RetryPolicy.MaximumRetryAttempts (default 185) */
    int retry_max_age;   /* RetryPolicy.MaximumEventAgeInSeconds (default 86400) */
    const char *dlq_arn; /* DeadLetterConfig.Arn, or NULL */
    /* DeadLetterConfig.Arn when it is an SQS queue, as a target of its own (Id and Arn, the
     * queue's kind, region, account and name; nothing else set), or NULL */
    struct sb_target_spec *dlq_sqs;
    const char *message_group_id; /* SqsParameters.MessageGroupId (SnsParameters' for SNS);
                                     a JSONPath into the event when it starts with "$" */
    const char *subject;          /* SnsParameters.Subject (our addition), or NULL */

    /* HttpParameters */
    const char *http_method;  /* HttpMethod (our addition; default POST) */
    const char **path_values; /* PathParameterValues, filling '*' in the URL in order */
    size_t npath_values;
    sb_kv *headers; /* HeaderParameters */
    size_t nheaders;
    sb_kv *query; /* QueryStringParameters */
    size_t nquery;
    const char *connection; /* ConnectionName (our addition): auth from the config */
} sb_target_spec;

typedef struct sb_rule {
    const char *name;
    const char *description;
    const char *bus;
    bool enabled;
    const char *file; /* where it was defined */
    unsigned line;
    const char *pattern; /* the event pattern, as compact JSON text */
    /* IdempotencyKeyPath (our addition): a JSONPath into the event whose value keys
     * effectively-once delivery instead of the event id; NULL for none */
    const char *idempotency_key_path;
    sb_target_spec *targets;
    size_t ntargets;
} sb_rule;

typedef struct sb_bus {
    const char *name;
    sb_machine *machine; /* enabled rules of this bus; pattern id = index into rules */
    size_t nrules;       /* enabled rules */
} sb_bus;

typedef struct sb_ruleset {
    sb_arena arena;
    sb_rule *rules; /* all rules, enabled or not, in load order (files sorted by name) */
    size_t nrules;
    sb_bus *buses;
    size_t nbuses;
    char version[17]; /* 64-bit hash of the files' contents, in hex */
} sb_ruleset;

/* Messages collected while loading: every error, each "file:line:col: what". */
typedef struct sb_diag {
    char **msgs;
    size_t n, cap;
} sb_diag;

/* Appends a copy of msg to d (drops it silently when out of memory). */
void sb_diag_add(sb_diag *d, const char *msg);

/* Frees the messages; d may be reused. */
void sb_diag_free(sb_diag *d);

/* Loads every .json, .yaml and .yml file of the given paths (directories are read, not
 * recursively, in name order; plain files are taken as they are) and compiles their rules.
 * Returns SB_OK with *out set, or an error with every problem found (all files are checked)
 * added to diag and *out NULL. A rule set with no rule is valid. */
int sb_ruleset_load(const char *const *paths, size_t npaths, sb_ruleset **out, sb_diag *diag);

/* Frees a rule set (NULL is a no-op). */
void sb_ruleset_free(sb_ruleset *rs);

/* The bus named `name`, or NULL. */
const sb_bus *sb_ruleset_bus(const sb_ruleset *rs, const char *name);

#endif
