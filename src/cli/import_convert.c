/* import_convert.c - an EventBridge rule as the AWS CLI lists it (EventPattern as a JSON
 * string, targets listed apart) to a signalbox rule object (EventPattern as an object, targets
 * inline); what signalbox cannot run is reported, never dropped in silence. */
#include <stdio.h>
#include <string.h>

#include "cli/import_convert.h"
#include "cli/import_pretty.h"

/* Fields AWS lists that say nothing about matching or delivery: left out without a note. */
static const char *const rule_metadata[] = {"Arn", "RoleArn", "ManagedBy", "CreatedBy", NULL};
static const char *const target_metadata[] = {"RoleArn", NULL};
/* Target fields signalbox takes as they are (docs/rules.md). */
static const char *const target_kept[] = {"Id",
                                          "Arn",
                                          "Input",
                                          "InputPath",
                                          "InputTransformer",
                                          "RetryPolicy",
                                          "DeadLetterConfig",
                                          "SqsParameters",
                                          "HttpParameters",
                                          NULL};

static bool listed(const char *const *list, const char *key) {
    for (; *list; list++)
        if (strcmp(*list, key) == 0)
            return true;
    return false;
}

static const char *str(const sb_jnode *o, const char *key) {
    const sb_jmember *m = sb_json_get(o, key);
    return m && m->value->type == SB_JSON_STRING ? m->value->u.str.s : NULL;
}

/* What an AWS ARN that signalbox cannot deliver to names, and what to do, for the report;
 * NULL for SQS and SNS (and for what is not an AWS ARN: the loader judges those). */
static const char *undeliverable(const char *arn, const char **hint) {
    static const struct {
        const char *service, *what;
    } kinds[] = {
        {":lambda:", "a Lambda function"},
        {":states:", "a Step Functions state machine"},
        {":kinesis:", "a Kinesis stream"},
        {":firehose:", "a Firehose delivery stream"},
        {":logs:", "a CloudWatch Logs group"},
        {":ecs:", "an ECS cluster"},
        {":batch:", "a Batch job queue"},
        {":ssm:", "a Systems Manager target"},
        {":codebuild:", "a CodeBuild project"},
        {":codepipeline:", "a CodePipeline pipeline"},
        {":sagemaker:", "a SageMaker pipeline"},
        {":redshift:", "a Redshift cluster"},
        {":execute-api:", "an API Gateway endpoint"},
        {":appsync:", "an AppSync API"},
        {":inspector:", "an Inspector assessment"},
    };
    *hint = "signalbox delivers to SQS, SNS, HTTP(S) and Redis";
    if (strncmp(arn, "arn:", 4) != 0 || strstr(arn, ":sqs:") || strstr(arn, ":sns:"))
        return NULL;
    if (strstr(arn, ":events:") && strstr(arn, ":api-destination/")) {
        *hint = "write its endpoint as an http(s) URL target with HttpParameters and a "
                "ConnectionName";
        return "an API destination";
    }
    if (strstr(arn, ":events:") && strstr(arn, ":event-bus/"))
        return "an event bus";
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strstr(arn, kinds[i].service))
            return kinds[i].what;
    return "not an SQS queue or SNS topic";
}

/* One target: the kept fields, or NULL when skipped (reported). */
static sb_jnode *target(sb_arena *a, const char *rule, const sb_jnode *t, size_t index,
                        FILE *report, sb_import_counts *c) {
    const char *id = str(t, "Id"), *arn = str(t, "Arn");
    if (t->type != SB_JSON_OBJECT || !id || !arn) {
        fprintf(report, "skipped target #%zu of rule %s: it needs a string Id and Arn\n", index + 1,
                rule);
        c->targets_skipped++;
        return NULL;
    }
    const char *hint, *what = undeliverable(arn, &hint);
    if (what) {
        fprintf(report,
                "skipped target \"%s\" of rule %s: %s is %s, which signalbox cannot "
                "deliver to (%s)\n",
                id, rule, arn, what, hint);
        c->targets_skipped++;
        return NULL;
    }
    sb_jnode *o = sb_import_container(a, false, t->u.obj.n);
    if (!o) {
        fprintf(report, "skipped target \"%s\" of rule %s: out of memory\n", id, rule);
        c->targets_skipped++;
        return NULL;
    }
    for (size_t i = 0; i < t->u.obj.n; i++) {
        const sb_jmember *m = &t->u.obj.members[i];
        if (listed(target_kept, m->key)) {
            sb_import_put(o, m->key, m->value);
        } else if (!listed(target_metadata, m->key)) {
            fprintf(report,
                    "note: rule %s, target \"%s\": %s left out (signalbox has no such "
                    "setting)\n",
                    rule, id, m->key);
            c->notes++;
        }
    }
    c->targets++;
    return o;
}

static sb_jnode *skip(FILE *report, sb_import_counts *c, const char *name, const char *why,
                      const char *detail) {
    fprintf(report, "skipped rule %s: %s%s\n", name, why, detail ? detail : "");
    c->rules_skipped++;
    return NULL;
}

/* The EventPattern: a JSON string as AWS lists it (or already an object). */
static const sb_jnode *pattern(sb_arena *a, const sb_jnode *v, sb_error *err) {
    if (v->type == SB_JSON_OBJECT)
        return v;
    if (v->type != SB_JSON_STRING) {
        sb_error_set(err, SB_EINVAL, "a %s, not a JSON string", sb_json_type_name(v->type));
        return NULL;
    }
    sb_jnode *root;
    size_t at = 0;
    if (sb_json_parse(v->u.str.s, v->u.str.len, a, true, &root, err, &at) != SB_OK) {
        char why[SB_ERROR_MSG_MAX];
        snprintf(why, sizeof why, "%s", err->msg);
        sb_error_set(err, SB_EINVAL, "%s (at byte %zu)", why, at);
        return NULL;
    }
    return root;
}

sb_jnode *sb_import_rule(sb_arena *a, const sb_jnode *rule, const sb_jnode *targets, FILE *report,
                         sb_import_counts *c) {
    static const char *const copied[] = {"Name", "Description", "EventBusName", "State", NULL};
    const char *name = str(rule, "Name");
    if (rule->type != SB_JSON_OBJECT || !name)
        return skip(report, c, "(without a Name)", "a rule needs a string Name", NULL);
    const sb_jmember *pm = sb_json_get(rule, "EventPattern");
    const char *schedule = str(rule, "ScheduleExpression");
    if (!pm && schedule) {
        char why[512];
        snprintf(why, sizeof why,
                 "a schedule (%.400s) with no EventPattern; signalbox matches events and has no "
                 "scheduler",
                 schedule);
        return skip(report, c, name, why, NULL);
    }
    if (!pm)
        return skip(report, c, name, "no EventPattern", NULL);
    sb_error err = {0};
    const sb_jnode *pat = pattern(a, pm->value, &err);
    if (!pat)
        return skip(report, c, name, "EventPattern is not valid JSON: ", err.msg);
    sb_jnode *out = sb_import_container(a, false, 6);
    sb_jnode *ts = sb_import_container(a, true, targets ? targets->u.arr.n : 0);
    if (!out || !ts)
        return skip(report, c, name, "out of memory", NULL);
    for (const char *const *k = copied; *k; k++) {
        const sb_jmember *m = sb_json_get(rule, *k);
        if (m)
            sb_import_put(out, *k, m->value);
        const sb_jnode *dflt =
            m || strcmp(*k, "EventBusName") != 0 ? NULL : sb_import_str(a, "default");
        if (dflt)
            sb_import_put(out, *k, dflt);
    }
    sb_import_put(out, "EventPattern", pat);
    if (schedule) {
        fprintf(report, "note: rule %s: ScheduleExpression %s left out (no scheduler)\n", name,
                schedule);
        c->notes++;
    }
    for (size_t i = 0; i < rule->u.obj.n; i++) {
        const char *key = rule->u.obj.members[i].key;
        if (!listed(copied, key) && !listed(rule_metadata, key) &&
            strcmp(key, "EventPattern") != 0 && strcmp(key, "ScheduleExpression") != 0) {
            fprintf(report, "note: rule %s: %s left out (signalbox has no such setting)\n", name,
                    key);
            c->notes++;
        }
    }
    for (size_t i = 0; targets && i < targets->u.arr.n; i++) {
        sb_jnode *t = target(a, name, targets->u.arr.items[i], i, report, c);
        if (t)
            sb_import_push(ts, t);
    }
    sb_import_put(out, "Targets", ts);
    c->rules++;
    return out;
}
