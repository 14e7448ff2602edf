/* loader.c - rule files (JSON or YAML) to a validated, compiled sb_ruleset.
 *
 * A file holds one rule or {"Rules": [...]}, with EventBridge's field names. Every problem is
 * reported as file:line:column with what is wrong; loading goes on through every file so that
 * `signalbox check` shows all problems at once, but any problem fails the load. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/util.h"
#include "core/buf.h"
#include "core/json.h"
#include "pattern/keymap.h"
#include "rules/rule.h"
#include "rules/yaml.h"

typedef struct lctx {
    sb_ruleset *rs;
    sb_diag *diag;
    const char *file; /* in rs->arena */
    const char *text;
    size_t len;
    int errors;
    /* rules collected so far */
    sb_rule *rules;
    size_t nrules, cap;
    sb_jnode **patterns; /* parsed pattern of each rule (arena of the file: valid while loading) */
    const char **pattern_src; /* the text its offsets refer to */
    size_t *pattern_srclen;
    const char **pattern_origin;
    uint64_t hash; /* of the files' names and contents: the rule set's version */
    /* per bus, the patterns of its enabled rules (pattern id = rule index) */
    const char **bus_names;
    sb_patterns **bus_patterns;
    size_t nbuses;
} lctx;

void sb_diag_add(sb_diag *d, const char *msg) {
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        char **m = realloc(d->msgs, cap * sizeof *m);
        if (!m)
            return;
        d->msgs = m;
        d->cap = cap;
    }
    char *c = strdup(msg);
    if (c)
        d->msgs[d->n++] = c;
}

void sb_diag_free(sb_diag *d) {
    for (size_t i = 0; i < d->n; i++)
        free(d->msgs[i]);
    free(d->msgs);
    memset(d, 0, sizeof *d);
}

const char *sb_target_kind_name(sb_target_kind k) {
    switch (k) {
    case SB_TARGET_REDIS_STREAM:
        return "redis-stream";
    case SB_TARGET_REDIS_LIST:
        return "redis-list";
    case SB_TARGET_REDIS_PUBLISH:
        return "redis-publish";
    case SB_TARGET_HTTP:
        return "http";
    case SB_TARGET_SQS:
        return "sqs";
    case SB_TARGET_SNS:
        return "sns";
    }
    return "?";
}

static void problem(lctx *c, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(lctx *c, size_t offset, const char *fmt, ...) {
    char what[SB_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    unsigned line, col;
    sb_text_position(c->text, c->len, offset, &line, &col);
    char msg[SB_ERROR_MSG_MAX + 256];
    snprintf(msg, sizeof msg, "%s:%u:%u: %s", c->file, line, col, what);
    sb_diag_add(c->diag, msg);
    c->errors++;
}

static const char *dup(lctx *c, const char *s, size_t n) {
    return sb_arena_strndup(&c->rs->arena, s, n);
}

/* Checks that object o has only keys from `allowed` (NULL-terminated). */
static bool only_keys(lctx *c, const sb_jnode *o, const char *what, const char *const *allowed) {
    bool ok = true;
    for (size_t i = 0; i < o->u.obj.n; i++) {
        const sb_jmember *m = &o->u.obj.members[i];
        const char *const *a = allowed;
        while (*a && strcmp(*a, m->key) != 0)
            a++;
        if (!*a) {
            char list[512] = "";
            for (a = allowed; *a; a++) {
                strncat(list, *a, sizeof list - strlen(list) - 1);
                if (a[1])
                    strncat(list, ", ", sizeof list - strlen(list) - 1);
            }
            problem(c, m->key_offset, "unknown field \"%s\" in %s (known: %s)", m->key, what, list);
            ok = false;
        }
    }
    return ok;
}

static const sb_jnode *get(const sb_jnode *o, const char *key) {
    const sb_jmember *m = sb_json_get(o, key);
    return m ? m->value : NULL;
}

/* A string member: NULL when absent; reports (and returns NULL) when not a string. */
static const char *get_str(lctx *c, const sb_jnode *o, const char *key, const char *what,
                           bool required, size_t maxlen) {
    const sb_jnode *v = get(o, key);
    if (!v) {
        if (required)
            problem(c, o->offset, "%s needs \"%s\"", what, key);
        return NULL;
    }
    if (v->type != SB_JSON_STRING) {
        problem(c, v->offset, "\"%s\" in %s must be a string, not %s", key, what,
                sb_json_type_name(v->type));
        return NULL;
    }
    if (maxlen && v->u.str.len > maxlen) {
        problem(c, v->offset, "\"%s\" in %s is longer than %zu characters", key, what, maxlen);
        return NULL;
    }
    if (required && v->u.str.len == 0) {
        problem(c, v->offset, "\"%s\" in %s is empty", key, what);
        return NULL;
    }
    return dup(c, v->u.str.s, v->u.str.len);
}

static bool valid_name(const char *s) {
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '.' || *s == '-' || *s == '_'))
            return false;
    return true;
}

static bool get_int(lctx *c, const sb_jnode *o, const char *key, const char *what, long lo, long hi,
                    int *out) {
    const sb_jnode *v = get(o, key);
    if (!v)
        return true;
    if (v->type != SB_JSON_NUMBER || !v->u.num.finite || v->u.num.v != (double)(long)v->u.num.v) {
        problem(c, v->offset, "\"%s\" in %s must be a whole number", key, what);
        return false;
    }
    long n = (long)v->u.num.v;
    if (n < lo || n > hi) {
        problem(c, v->offset, "\"%s\" in %s must be between %ld and %ld, not %ld", key, what, lo,
                hi, n);
        return false;
    }
    *out = (int)n;
    return true;
}

/* A map of strings ({"k": "v"}) into kv pairs. */
static bool get_kvs(lctx *c, const sb_jnode *o, const char *key, const char *what, sb_kv **out,
                    size_t *n) {
    const sb_jnode *v = get(o, key);
    *out = NULL;
    *n = 0;
    if (!v)
        return true;
    if (v->type != SB_JSON_OBJECT) {
        problem(c, v->offset, "\"%s\" in %s must be an object of strings", key, what);
        return false;
    }
    *out = sb_arena_alloc(&c->rs->arena, (v->u.obj.n ? v->u.obj.n : 1) * sizeof(sb_kv));
    if (!*out)
        return false;
    for (size_t i = 0; i < v->u.obj.n; i++) {
        const sb_jmember *m = &v->u.obj.members[i];
        if (m->value->type != SB_JSON_STRING) {
            problem(c, m->value->offset, "\"%s\" in %s.%s must be a string", m->key, what, key);
            return false;
        }
        (*out)[i].key = dup(c, m->key, m->keylen);
        (*out)[i].value = dup(c, m->value->u.str.s, m->value->u.str.len);
    }
    *n = v->u.obj.n;
    return true;
}

/* redis:stream:KEY[?maxlen=N], redis:list:KEY, redis:publish:CHANNEL, URLs, SQS and SNS ARNs or
 * an SQS queue URL. */
static bool parse_arn(lctx *c, const sb_jnode *at, const char *arn, sb_target_spec *t) {
    static const struct {
        const char *prefix;
        sb_target_kind kind;
    } redis[] = {{"redis:stream:", SB_TARGET_REDIS_STREAM},
                 {"redis:list:", SB_TARGET_REDIS_LIST},
                 {"redis:publish:", SB_TARGET_REDIS_PUBLISH}};
    for (size_t i = 0; i < sizeof redis / sizeof redis[0]; i++) {
        size_t pl = strlen(redis[i].prefix);
        if (strncmp(arn, redis[i].prefix, pl) != 0)
            continue;
        t->kind = redis[i].kind;
        const char *key = arn + pl, *q = strchr(key, '?');
        size_t klen = q ? (size_t)(q - key) : strlen(key);
        if (klen == 0) {
            problem(c, at->offset, "target Arn \"%s\" names no Redis key", arn);
            return false;
        }
        t->resource = dup(c, key, klen);
        if (q) {
            char *end;
            if (t->kind != SB_TARGET_REDIS_STREAM || strncmp(q, "?maxlen=", 8) != 0 ||
                (t->maxlen = strtol(q + 8, &end, 10)) <= 0 || *end) {
                problem(c, at->offset,
                        "target Arn \"%s\": the only option is ?maxlen=N (N > 0) on redis:stream",
                        arn);
                return false;
            }
        }
        return true;
    }
    if (strncmp(arn, "redis:", 6) == 0) {
        problem(c, at->offset,
                "target Arn \"%s\": Redis targets are redis:stream:KEY, redis:list:KEY or "
                "redis:publish:CHANNEL",
                arn);
        return false;
    }
    if (strncmp(arn, "arn:", 4) == 0) {
        /* arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE */
        char part[6][256];
        const char *p = arn;
        int n = 0;
        while (n < 6) {
            const char *colon = n < 5 ? strchr(p, ':') : p + strlen(p);
            if (!colon || (size_t)(colon - p) >= sizeof part[0])
                break;
            memcpy(part[n], p, (size_t)(colon - p));
            part[n][colon - p] = '\0';
            n++;
            p = *colon ? colon + 1 : colon;
        }
        bool sqs = n == 6 && strcmp(part[2], "sqs") == 0,
             sns = n == 6 && strcmp(part[2], "sns") == 0;
        if (!(sqs || sns) || strncmp(part[1], "aws", 3) != 0 || !*part[3] || !*part[5] ||
            strlen(part[4]) != 12 || strspn(part[4], "0123456789") != 12 || !valid_name(part[5])) {
            problem(c, at->offset,
                    "target Arn \"%s\" is not a valid SQS or SNS ARN "
                    "(arn:aws:sqs|sns:REGION:ACCOUNT:NAME, a 12-digit account)",
                    arn);
            return false;
        }
        t->kind = sqs ? SB_TARGET_SQS : SB_TARGET_SNS;
        t->region = dup(c, part[3], strlen(part[3]));
        t->account = dup(c, part[4], strlen(part[4]));
        t->resource = dup(c, part[5], strlen(part[5]));
        return true;
    }
    if (strncmp(arn, "https://sqs.", 12) == 0 || strncmp(arn, "http://sqs.", 11) == 0) {
        /* a queue URL: https://sqs.REGION.amazonaws.com/ACCOUNT/NAME */
        const char *host = strchr(arn, '.') + 1, *slash = strchr(host, '/');
        const char *dot = strchr(host, '.');
        if (!slash || !dot || dot > slash) {
            problem(c, at->offset, "target Arn \"%s\" is not an SQS queue URL", arn);
            return false;
        }
        const char *acct = slash + 1, *s2 = strchr(acct, '/');
        if (!s2 || s2 - acct != 12 || !valid_name(s2 + 1)) {
            problem(c, at->offset,
                    "target Arn \"%s\": an SQS queue URL ends in /ACCOUNT/QUEUE_NAME", arn);
            return false;
        }
        t->kind = SB_TARGET_SQS;
        t->region = dup(c, host, (size_t)(dot - host));
        t->account = dup(c, acct, 12);
        t->resource = dup(c, s2 + 1, strlen(s2 + 1));
        return true;
    }
    if (strncmp(arn, "http://", 7) == 0 || strncmp(arn, "https://", 8) == 0) {
        const char *host = strstr(arn, "://") + 3;
        if (!*host || *host == '/' || strpbrk(arn, " \t\r\n")) {
            problem(c, at->offset, "target Arn \"%s\" is not a valid URL", arn);
            return false;
        }
        t->kind = SB_TARGET_HTTP;
        t->resource = t->arn;
        return true;
    }
    problem(c, at->offset,
            "target Arn \"%s\" is not supported (use redis:stream:KEY, redis:list:KEY, "
            "redis:publish:CHANNEL, an http(s) URL, or an SQS or SNS ARN)",
            arn);
    return false;
}

static bool valid_jsonpath(const char *p) {
    return p[0] == '$' && (p[1] == '\0' || p[1] == '.' || p[1] == '[');
}

static bool load_target(lctx *c, const sb_jnode *o, sb_target_spec *t) {
    static const char *const keys[] = {"Id",
                                       "Arn",
                                       "RoleArn",
                                       "Input",
                                       "InputPath",
                                       "InputTransformer",
                                       "RetryPolicy",
                                       "DeadLetterConfig",
                                       "SqsParameters",
                                       "SnsParameters",
                                       "HttpParameters",
                                       "ConnectionName",
                                       NULL};
    if (o->type != SB_JSON_OBJECT) {
        problem(c, o->offset, "a target must be an object, not %s", sb_json_type_name(o->type));
        return false;
    }
    int before = c->errors;
    only_keys(c, o, "target", keys);
    memset(t, 0, sizeof *t);
    t->retry_attempts = 185;
    t->retry_max_age = 86400;
    t->id = get_str(c, o, "Id", "target", true, 64);
    if (t->id && !valid_name(t->id))
        problem(c, get(o, "Id")->offset,
                "target Id \"%s\" may only hold letters, digits, '.', '-' and '_'", t->id);
    t->arn = get_str(c, o, "Arn", "target", true, 1600);
    if (t->arn)
        parse_arn(c, get(o, "Arn"), t->arn, t);
    t->input = get_str(c, o, "Input", "target", false, 8192);
    if (t->input) {
        sb_arena tmp;
        sb_arena_init(&tmp, 0);
        sb_jnode *root;
        sb_error err;
        if (sb_json_parse(t->input, strlen(t->input), &tmp, false, &root, &err, NULL) != SB_OK)
            problem(c, get(o, "Input")->offset, "target Input must be valid JSON text: %s",
                    err.msg);
        sb_arena_free(&tmp);
    }
    t->input_path = get_str(c, o, "InputPath", "target", false, 256);
    if (t->input_path && !valid_jsonpath(t->input_path))
        problem(c, get(o, "InputPath")->offset, "target InputPath \"%s\" must start with $",
                t->input_path);
    const sb_jnode *tr = get(o, "InputTransformer");
    if (tr) {
        static const char *const tkeys[] = {"InputPathsMap", "InputTemplate", NULL};
        if (tr->type != SB_JSON_OBJECT) {
            problem(c, tr->offset, "InputTransformer must be an object");
        } else {
            only_keys(c, tr, "InputTransformer", tkeys);
            get_kvs(c, tr, "InputPathsMap", "InputTransformer", &t->paths_map, &t->npaths_map);
            if (t->npaths_map > 100)
                problem(c, tr->offset, "InputPathsMap holds more than 100 entries");
            for (size_t i = 0; i < t->npaths_map; i++) {
                const sb_jmember *m = &get(tr, "InputPathsMap")->u.obj.members[i];
                if (!valid_name(t->paths_map[i].key) ||
                    strncmp(t->paths_map[i].key, "aws.", 4) == 0)
                    problem(c, m->key_offset,
                            "InputPathsMap name \"%s\" must be letters, digits, '.', '-' or '_' "
                            "and must not start with \"aws.\"",
                            t->paths_map[i].key);
                if (!valid_jsonpath(t->paths_map[i].value))
                    problem(c, m->value->offset, "InputPathsMap path \"%s\" must start with $",
                            t->paths_map[i].value);
            }
            t->input_template = get_str(c, tr, "InputTemplate", "InputTransformer", true, 8192);
        }
    }
    if (!!t->input + !!t->input_path + !!tr > 1)
        problem(c, o->offset,
                "a target takes at most one of Input, InputPath and InputTransformer");
    const sb_jnode *rp = get(o, "RetryPolicy");
    if (rp) {
        static const char *const rkeys[] = {"MaximumRetryAttempts", "MaximumEventAgeInSeconds",
                                            NULL};
        if (rp->type != SB_JSON_OBJECT) {
            problem(c, rp->offset, "RetryPolicy must be an object");
        } else {
            only_keys(c, rp, "RetryPolicy", rkeys);
            get_int(c, rp, "MaximumRetryAttempts", "RetryPolicy", 0, 185, &t->retry_attempts);
            get_int(c, rp, "MaximumEventAgeInSeconds", "RetryPolicy", 60, 86400, &t->retry_max_age);
        }
    }
    const sb_jnode *dl = get(o, "DeadLetterConfig");
    if (dl) {
        static const char *const dkeys[] = {"Arn", NULL};
        if (dl->type != SB_JSON_OBJECT) {
            problem(c, dl->offset, "DeadLetterConfig must be an object");
        } else {
            only_keys(c, dl, "DeadLetterConfig", dkeys);
            t->dlq_arn = get_str(c, dl, "Arn", "DeadLetterConfig", true, 1600);
            sb_target_spec probe = {0};
            const sb_jnode *at = get(dl, "Arn");
            if (t->dlq_arn && parse_arn(c, at, t->dlq_arn, &probe)) {
                size_t rl = probe.resource ? strlen(probe.resource) : 0;
                if (probe.kind != SB_TARGET_REDIS_STREAM && probe.kind != SB_TARGET_SQS)
                    problem(c, at->offset,
                            "DeadLetterConfig Arn must be redis:stream:KEY or an SQS queue");
                else if (probe.kind == SB_TARGET_SQS && rl > 5 &&
                         strcmp(probe.resource + rl - 5, ".fifo") == 0)
                    problem(c, at->offset,
                            "DeadLetterConfig Arn \"%s\" is a FIFO queue: dead-letter queues are "
                            "standard SQS queues (as in EventBridge)",
                            t->dlq_arn);
                else if (probe.kind == SB_TARGET_SQS &&
                         (t->dlq_sqs = sb_arena_alloc(&c->rs->arena, sizeof *t->dlq_sqs))) {
                    probe.id = t->id;
                    probe.arn = t->dlq_arn;
                    probe.retry_attempts = 0;
                    probe.retry_max_age = 60;
                    *t->dlq_sqs = probe;
                }
            }
        }
    }
    const sb_jnode *sq = get(o, "SqsParameters");
    if (sq) {
        static const char *const skeys[] = {"MessageGroupId", NULL};
        if (sq->type != SB_JSON_OBJECT) {
            problem(c, sq->offset, "SqsParameters must be an object");
        } else {
            only_keys(c, sq, "SqsParameters", skeys);
            t->message_group_id = get_str(c, sq, "MessageGroupId", "SqsParameters", true, 128);
            if (t->kind != SB_TARGET_SQS && t->arn)
                problem(c, sq->offset, "SqsParameters apply only to SQS targets");
        }
    }
    const sb_jnode *np = get(o, "SnsParameters");
    if (np) {
        /* our addition: the subject and, for FIFO topics, the message group */
        static const char *const nkeys[] = {"Subject", "MessageGroupId", NULL};
        if (np->type != SB_JSON_OBJECT) {
            problem(c, np->offset, "SnsParameters must be an object");
        } else {
            only_keys(c, np, "SnsParameters", nkeys);
            t->subject = get_str(c, np, "Subject", "SnsParameters", false, 100);
            const char *group = get_str(c, np, "MessageGroupId", "SnsParameters", false, 128);
            if (group)
                t->message_group_id = group;
            if (t->kind != SB_TARGET_SNS && t->arn)
                problem(c, np->offset, "SnsParameters apply only to SNS targets");
        }
    }
    if (t->message_group_id && t->message_group_id[0] == '$' &&
        !valid_jsonpath(t->message_group_id))
        problem(c, o->offset, "MessageGroupId \"%s\": a JSONPath must start with $. or $[",
                t->message_group_id);
    const sb_jnode *hp = get(o, "HttpParameters");
    if (hp) {
        static const char *const hkeys[] = {"PathParameterValues", "HeaderParameters",
                                            "QueryStringParameters", "HttpMethod", NULL};
        if (hp->type != SB_JSON_OBJECT) {
            problem(c, hp->offset, "HttpParameters must be an object");
        } else {
            only_keys(c, hp, "HttpParameters", hkeys);
            get_kvs(c, hp, "HeaderParameters", "HttpParameters", &t->headers, &t->nheaders);
            get_kvs(c, hp, "QueryStringParameters", "HttpParameters", &t->query, &t->nquery);
            t->http_method = get_str(c, hp, "HttpMethod", "HttpParameters", false, 16);
            static const char *const methods[] = {"GET",    "POST", "PUT",     "PATCH",
                                                  "DELETE", "HEAD", "OPTIONS", NULL};
            if (t->http_method) {
                const char *const *mm = methods;
                while (*mm && strcmp(*mm, t->http_method) != 0)
                    mm++;
                if (!*mm)
                    problem(c, get(hp, "HttpMethod")->offset,
                            "HttpMethod \"%s\" is not one of GET, POST, PUT, PATCH, DELETE, HEAD, "
                            "OPTIONS",
                            t->http_method);
            }
            const sb_jnode *pv = get(hp, "PathParameterValues");
            if (pv) {
                if (pv->type != SB_JSON_ARRAY) {
                    problem(c, pv->offset, "PathParameterValues must be a list of strings");
                } else {
                    t->path_values = sb_arena_alloc(&c->rs->arena, (pv->u.arr.n ? pv->u.arr.n : 1) *
                                                                       sizeof(char *));
                    for (size_t i = 0; t->path_values && i < pv->u.arr.n; i++) {
                        const sb_jnode *e = pv->u.arr.items[i];
                        if (e->type != SB_JSON_STRING) {
                            problem(c, e->offset, "PathParameterValues must be a list of strings");
                            break;
                        }
                        t->path_values[t->npath_values++] = dup(c, e->u.str.s, e->u.str.len);
                    }
                }
            }
            if (t->kind != SB_TARGET_HTTP && t->arn)
                problem(c, hp->offset, "HttpParameters apply only to HTTP targets");
        }
    }
    t->connection = get_str(c, o, "ConnectionName", "target", false, 64);
    if (t->connection && t->kind != SB_TARGET_HTTP && t->arn)
        problem(c, get(o, "ConnectionName")->offset, "ConnectionName applies only to HTTP targets");
    return c->errors == before;
}

/* The pattern: an object, or a JSON string holding one (as AWS exports rules). */
static bool take_pattern(lctx *c, const sb_jnode *v, sb_arena *file_arena, size_t index) {
    if (v->type == SB_JSON_OBJECT) {
        c->patterns[index] = (sb_jnode *)v;
        c->pattern_src[index] = c->text;
        c->pattern_srclen[index] = c->len;
        c->pattern_origin[index] = c->file;
        return true;
    }
    if (v->type != SB_JSON_STRING) {
        problem(c, v->offset, "EventPattern must be an object or a JSON string, not %s",
                sb_json_type_name(v->type));
        return false;
    }
    sb_jnode *root;
    sb_error err;
    size_t at = 0;
    if (sb_json_parse(v->u.str.s, v->u.str.len, file_arena, true, &root, &err, &at) != SB_OK) {
        unsigned line, col;
        sb_text_position(v->u.str.s, v->u.str.len, at, &line, &col);
        problem(c, v->offset,
                "EventPattern string is not valid JSON: %s (at line %u, column %u "
                "of the string)",
                err.msg, line, col);
        return false;
    }
    c->patterns[index] = root;
    c->pattern_src[index] = v->u.str.s;
    c->pattern_srclen[index] = v->u.str.len;
    char origin[512];
    unsigned line, col;
    sb_text_position(c->text, c->len, v->offset, &line, &col);
    snprintf(origin, sizeof origin, "%s:%u:%u: EventPattern string", c->file, line, col);
    c->pattern_origin[index] = dup(c, origin, strlen(origin));
    return true;
}

static bool grow_rules(lctx *c) {
    if (c->nrules < c->cap)
        return true;
    size_t cap = c->cap ? c->cap * 2 : 16;
    sb_rule *r = realloc(c->rules, cap * sizeof *r);
    sb_jnode **p = realloc(c->patterns, cap * sizeof *p);
    const char **s = realloc(c->pattern_src, cap * sizeof *s);
    size_t *l = realloc(c->pattern_srclen, cap * sizeof *l);
    const char **o = realloc(c->pattern_origin, cap * sizeof *o);
    if (r)
        c->rules = r;
    if (p)
        c->patterns = p;
    if (s)
        c->pattern_src = s;
    if (l)
        c->pattern_srclen = l;
    if (o)
        c->pattern_origin = o;
    if (!r || !p || !s || !l || !o)
        return false;
    c->cap = cap;
    return true;
}

static void load_rule(lctx *c, const sb_jnode *o, sb_arena *file_arena) {
    static const char *const keys[] = {
        "Name",    "Description", "EventBusName", "State", "EventPattern",       "Targets", "Arn",
        "RoleArn", "ManagedBy",   "CreatedBy",    "Tags",  "IdempotencyKeyPath", NULL};
    if (o->type != SB_JSON_OBJECT) {
        problem(c, o->offset, "a rule must be an object, not %s", sb_json_type_name(o->type));
        return;
    }
    int before = c->errors;
    only_keys(c, o, "rule", keys);
    if (!grow_rules(c)) {
        problem(c, o->offset, "out of memory");
        return;
    }
    sb_rule *r = &c->rules[c->nrules];
    memset(r, 0, sizeof *r);
    r->file = c->file;
    unsigned col;
    sb_text_position(c->text, c->len, o->offset, &r->line, &col);
    r->name = get_str(c, o, "Name", "rule", true, 64);
    if (r->name && !valid_name(r->name))
        problem(c, get(o, "Name")->offset,
                "rule Name \"%s\" may only hold letters, digits, '.', '-' and '_'", r->name);
    r->description = get_str(c, o, "Description", "rule", false, 512);
    r->idempotency_key_path = get_str(c, o, "IdempotencyKeyPath", "rule", false, 256);
    if (r->idempotency_key_path && r->idempotency_key_path[0] != '$')
        problem(c, get(o, "IdempotencyKeyPath")->offset,
                "IdempotencyKeyPath must be a JSONPath into the event ($.detail.orderId), not "
                "\"%s\"",
                r->idempotency_key_path);
    r->bus = get_str(c, o, "EventBusName", "rule", false, 256);
    if (!r->bus && !get(o, "EventBusName"))
        r->bus = "default";
    const char *state = get_str(c, o, "State", "rule", false, 64);
    r->enabled = true;
    if (state) {
        if (strcmp(state, "DISABLED") == 0)
            r->enabled = false;
        else if (strcmp(state, "ENABLED") != 0 &&
                 strcmp(state, "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS") != 0)
            problem(c, get(o, "State")->offset,
                    "rule State must be ENABLED or DISABLED, not \"%s\"", state);
    }
    const sb_jnode *pat = get(o, "EventPattern");
    if (!pat)
        problem(c, o->offset, "rule needs an EventPattern (schedules are not supported)");
    else
        take_pattern(c, pat, file_arena, c->nrules);
    const sb_jnode *ts = get(o, "Targets");
    if (ts && ts->type != SB_JSON_ARRAY) {
        problem(c, ts->offset, "Targets must be a list");
    } else if (ts) {
        r->ntargets = ts->u.arr.n;
        r->targets = sb_arena_calloc(&c->rs->arena,
                                     (ts->u.arr.n ? ts->u.arr.n : 1) * sizeof(sb_target_spec));
        for (size_t i = 0; r->targets && i < ts->u.arr.n; i++) {
            load_target(c, ts->u.arr.items[i], &r->targets[i]);
            for (size_t j = 0; j < i; j++)
                if (r->targets[i].id && r->targets[j].id &&
                    strcmp(r->targets[i].id, r->targets[j].id) == 0)
                    problem(c, ts->u.arr.items[i]->offset, "target Id \"%s\" appears twice in rule",
                            r->targets[i].id);
        }
    }
    if (c->errors == before)
        c->nrules++;
}

/* The pattern collection of bus `name`, created on first use; NULL when out of memory. */
static sb_patterns *bus_patterns(lctx *c, const char *name) {
    for (size_t b = 0; b < c->nbuses; b++)
        if (strcmp(c->bus_names[b], name) == 0)
            return c->bus_patterns[b];
    const char **names = realloc(c->bus_names, (c->nbuses + 1) * sizeof *names);
    if (names)
        c->bus_names = names;
    sb_patterns **ps = realloc(c->bus_patterns, (c->nbuses + 1) * sizeof *ps);
    if (ps)
        c->bus_patterns = ps;
    if (!names || !ps || !(ps[c->nbuses] = sb_patterns_new()))
        return NULL;
    names[c->nbuses] = name;
    return ps[c->nbuses++];
}

static void load_text(lctx *c, bool yaml) {
    sb_arena arena;
    sb_arena_init(&arena, 0);
    sb_jnode *root;
    sb_error err;
    size_t at = 0;
    int rc = yaml ? sb_yaml_parse(c->text, c->len, &arena, &root, &err, &at)
                  : sb_json_parse(c->text, c->len, &arena, true, &root, &err, &at);
    if (rc != SB_OK) {
        problem(c, at, "%s", err.msg);
        sb_arena_free(&arena);
        return;
    }
    const sb_jnode *list = get(root, "Rules");
    size_t first = c->nrules;
    if (list && root->u.obj.n == 1) {
        if (list->type != SB_JSON_ARRAY)
            problem(c, list->offset, "\"Rules\" must be a list of rules");
        else
            for (size_t i = 0; i < list->u.arr.n; i++)
                load_rule(c, list->u.arr.items[i], &arena);
    } else if (root->type == SB_JSON_NULL) {
        /* an empty YAML file: no rules */
    } else {
        load_rule(c, root, &arena);
    }
    /* patterns of this file are parsed now, while their tree is alive: their text is kept */
    for (size_t i = first; i < c->nrules; i++) {
        sb_buf b;
        sb_buf_init(&b);
        sb_json_write(&b, c->patterns[i]);
        c->rules[i].pattern = sb_buf_failed(&b) ? "" : dup(c, b.data, b.len);
        sb_buf_free(&b);
        /* added while its tree is alive: to its bus when enabled, else only validated */
        sb_patterns *into = bus_patterns(c, c->rules[i].bus);
        sb_patterns *scratch = c->rules[i].enabled ? NULL : sb_patterns_new();
        if (!into || (!c->rules[i].enabled && !scratch)) {
            problem(c, 0, "out of memory");
        } else if (sb_patterns_add_node(scratch ? scratch : into, (uint32_t)i, c->patterns[i],
                                        c->pattern_origin[i], c->pattern_src[i],
                                        c->pattern_srclen[i], &err) != SB_OK) {
            sb_diag_add(c->diag, err.msg);
            c->errors++;
        }
        sb_patterns_free(scratch);
    }
    sb_arena_free(&arena);
}

static bool has_ext(const char *name, const char *ext) {
    size_t n = strlen(name), e = strlen(ext);
    return n > e && strcmp(name + n - e, ext) == 0;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_file(lctx *c, const char *path) {
    FILE *f = fopen(path, "rb");
    c->file = dup(c, path, strlen(path));
    c->text = "";
    c->len = 0;
    if (!f) {
        problem(c, 0, "cannot open: %s", strerror(errno));
        return;
    }
    sb_buf b;
    sb_buf_init(&b);
    int got = sb_buf_read_stream(&b, f, SIZE_MAX - 1);
    bool err = ferror(f);
    fclose(f);
    if (got != 0) {
        problem(c, 0, "cannot read: %s", err ? strerror(errno) : "out of memory");
        sb_buf_free(&b);
        return;
    }
    c->text = b.data ? b.data : "";
    c->len = b.len;
    c->hash = sb_hash_bytes(c->hash, path, strlen(path));
    c->hash = sb_hash_bytes(c->hash, c->text, c->len);
    load_text(c, has_ext(path, ".yaml") || has_ext(path, ".yml"));
    sb_buf_free(&b);
    c->text = "";
    c->len = 0;
}

static void load_path(lctx *c, const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) {
        char msg[SB_ERROR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s: cannot read: %s", path, strerror(errno));
        sb_diag_add(c->diag, msg);
        c->errors++;
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        load_file(c, path);
        return;
    }
    DIR *d = opendir(path);
    if (!d) {
        char msg[SB_ERROR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s: cannot open directory: %s", path, strerror(errno));
        sb_diag_add(c->diag, msg);
        c->errors++;
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !(has_ext(e->d_name, ".json") || has_ext(e->d_name, ".yaml") ||
                                     has_ext(e->d_name, ".yml")))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn)
                break;
            names = nn;
        }
        size_t need = strlen(path) + strlen(e->d_name) + 2;
        names[n] = malloc(need);
        if (!names[n])
            break;
        snprintf(names[n], need, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/",
                 e->d_name);
        n++;
    }
    closedir(d);
    sb_sort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        /* a symlinked directory entry (Kubernetes ConfigMaps) is followed; a subdirectory with a
         * rule-file name is not a file */
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
            load_file(c, names[i]);
        free(names[i]);
    }
    free(names);
}

static int compile_buses(lctx *c) {
    sb_ruleset *rs = c->rs;
    rs->buses = sb_arena_calloc(&rs->arena, (c->nbuses ? c->nbuses : 1) * sizeof(sb_bus));
    if (!rs->buses)
        return SB_ENOMEM;
    for (size_t b = 0; b < c->nbuses; b++) {
        sb_error err;
        rs->buses[b].name = c->bus_names[b];
        rs->buses[b].nrules = sb_patterns_count(c->bus_patterns[b]);
        rs->buses[b].machine = sb_machine_compile(c->bus_patterns[b], &err);
        rs->nbuses++;
        if (!rs->buses[b].machine)
            return SB_ENOMEM;
    }
    return SB_OK;
}

int sb_ruleset_load(const char *const *paths, size_t npaths, sb_ruleset **out, sb_diag *diag) {
    *out = NULL;
    sb_ruleset *rs = calloc(1, sizeof *rs);
    if (!rs)
        return SB_ENOMEM;
    sb_arena_init(&rs->arena, 0);
    lctx c = {0};
    c.rs = rs;
    c.diag = diag;
    c.hash = 0x5349474E414C424FULL;
    for (size_t i = 0; i < npaths; i++)
        load_path(&c, paths[i]);
    int rc = SB_OK;
    {
        /* names are unique per bus (checked among the rules that loaded) */
        for (size_t i = 0; i < c.nrules; i++)
            for (size_t j = 0; j < i; j++)
                if (strcmp(c.rules[i].name, c.rules[j].name) == 0 &&
                    strcmp(c.rules[i].bus, c.rules[j].bus) == 0) {
                    char msg[SB_ERROR_MSG_MAX];
                    snprintf(msg, sizeof msg,
                             "%s:%u: rule \"%s\" is already defined on bus \"%s\" at %s:%u",
                             c.rules[i].file, c.rules[i].line, c.rules[i].name, c.rules[i].bus,
                             c.rules[j].file, c.rules[j].line);
                    sb_diag_add(diag, msg);
                    c.errors++;
                }
    }
    if (c.errors) {
        rc = SB_EINVAL;
    } else {
        rc = compile_buses(&c);
    }
    if (rc == SB_OK) {
        rs->rules = sb_arena_alloc(&rs->arena, (c.nrules ? c.nrules : 1) * sizeof(sb_rule));
        if (!rs->rules) {
            rc = SB_ENOMEM;
        } else {
            if (c.nrules)
                memcpy(rs->rules, c.rules, c.nrules * sizeof(sb_rule));
            rs->nrules = c.nrules;
            snprintf(rs->version, sizeof rs->version, "%016llx", (unsigned long long)c.hash);
        }
    }
    free(c.rules);
    free(c.patterns);
    free(c.pattern_src);
    free(c.pattern_srclen);
    free(c.pattern_origin);
    for (size_t b = 0; b < c.nbuses; b++)
        sb_patterns_free(c.bus_patterns[b]);
    free(c.bus_patterns);
    free(c.bus_names);
    if (rc != SB_OK) {
        if (rc == SB_ENOMEM)
            sb_diag_add(diag, "out of memory while loading rules");
        sb_ruleset_free(rs);
        return rc;
    }
    *out = rs;
    return SB_OK;
}

void sb_ruleset_free(sb_ruleset *rs) {
    if (!rs)
        return;
    for (size_t b = 0; b < rs->nbuses; b++)
        sb_machine_free(rs->buses[b].machine);
    sb_arena_free(&rs->arena);
    free(rs);
}

const sb_bus *sb_ruleset_bus(const sb_ruleset *rs, const char *name) {
    for (size_t b = 0; b < rs->nbuses; b++)
        if (strcmp(rs->buses[b].name, name) == 0)
            return &rs->buses[b];
    return NULL;
}
