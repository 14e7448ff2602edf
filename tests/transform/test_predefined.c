/* test_predefined.c - <aws.events.rule-arn>, <aws.events.rule-name>,
 * <aws.events.event.ingestion-time>, <aws.events.event> and <aws.events.event.json>, standing
 * alone, inside strings and in text templates. */
#include "helpers.h"

#define EC2(tmpl) tr_template(tr_ec2_event, NULL, 0, tmpl)

/* tr_ec2_event as <aws.events.event> has it: no detail, detailType. */
#define EC2_NO_DETAIL                                                                              \
    "{\"version\":\"0\",\"id\":\"7bf73129-1428-4cd3-a780-95db273d1602\",\"detailType\":\"EC2 "     \
    "Instance State-change Notification\",\"source\":\"aws.ec2\",\"account\":\"123456789012\","    \
    "\"time\":\"2015-11-11T21:29:54Z\",\"region\":\"us-east-1\",\"resources\":[\"arn:aws:ec2:us-"  \
    "east-1:123456789012:instance/i-abcd1111\"]}"

static void test_strings_standing_alone(void **state) {
    (void)state;
    EXPECT_STR(EC2("{\"arn\": <aws.events.rule-arn>, \"name\": <aws.events.rule-name>, \"at\": "
                   "<aws.events.event.ingestion-time>}"),
               "{\"arn\": \"arn:aws:events:us-east-2:123456789012:rule/example\", \"name\": "
               "\"example\", \"at\": \"2015-11-11T21:29:55Z\"}");
}

/* EventBridge's own example: all three in one string. */
static void test_strings_inside_a_string(void **state) {
    (void)state;
    EXPECT_STR(EC2("\"Message containing all pre defined variables <aws.events.rule-arn> "
                   "<aws.events.rule-name> <aws.events.event.ingestion-time>\""),
               "\"Message containing all pre defined variables "
               "arn:aws:events:us-east-2:123456789012:rule/example example "
               "2015-11-11T21:29:55Z\"");
}

static void test_strings_in_text(void **state) {
    (void)state;
    EXPECT_STR(EC2("rule <aws.events.rule-name> (<aws.events.rule-arn>) at "
                   "<aws.events.event.ingestion-time>"),
               "rule example (arn:aws:events:us-east-2:123456789012:rule/example) at "
               "2015-11-11T21:29:55Z");
}

/* EventBridge's own example: both event variables as values. */
static void test_events_standing_alone(void **state) {
    (void)state;
    EXPECT_STR(EC2("{\"originalEvent\": <aws.events.event>, \"originalEventJson\": "
                   "<aws.events.event.json>}"),
               "{\"originalEvent\": " EC2_NO_DETAIL ", \"originalEventJson\": "
               "{\"version\":\"0\",\"id\":\"7bf73129-1428-4cd3-a780-95db273d1602\",\"detail-type\":"
               "\"EC2 Instance State-change "
               "Notification\",\"source\":\"aws.ec2\",\"account\":\"123456789012\",\"time\":\"2015-"
               "11-11T21:29:54Z\",\"region\":\"us-east-1\",\"resources\":[\"arn:aws:ec2:us-east-1:"
               "123456789012:instance/i-abcd1111\"],\"detail\":{\"instance-id\":\"i-0123456789\","
               "\"state\":\"RUNNING\"}}}");
    /* the whole template: the event, compact (the event's own spacing is not kept) */
    EXPECT_STR(tr_template("{ \"id\" : \"1\", \"detail\" : { \"a\" : [ 1 , 2 ] } }", NULL, 0,
                           "<aws.events.event.json>"),
               "{\"id\":\"1\",\"detail\":{\"a\":[1,2]}}");
}

/* Inside a string, the event's JSON is escaped, so that the payload stays JSON and the string
 * holds the event's text. */
static void test_events_inside_a_string(void **state) {
    (void)state;
    static const char ev[] =
        "{\"id\":\"1\",\"detail-type\":\"say \\\"hi\\\"\",\"detail\":{\"a\":1}}";
    EXPECT_STR(tr_template(ev, NULL, 0, "{\"raw\": \"<aws.events.event.json>\"}"),
               "{\"raw\": \"{\\\"id\\\":\\\"1\\\",\\\"detail-type\\\":\\\"say "
               "\\\\\\\"hi\\\\\\\"\\\",\\\"detail\\\":{\\\"a\\\":1}}\"}");
    EXPECT_STR(tr_template(ev, NULL, 0, "\"event: <aws.events.event>\""),
               "\"event: {\\\"id\\\":\\\"1\\\",\\\"detailType\\\":\\\"say "
               "\\\\\\\"hi\\\\\\\"\\\"}\"");
}

static void test_events_in_text(void **state) {
    (void)state;
    static const char ev[] = "{\"id\":\"1\",\"x\":[true],\"detail\":{\"a\":\"b\"}}";
    EXPECT_STR(tr_template(ev, NULL, 0, "event <aws.events.event> json <aws.events.event.json>"),
               "event {\"id\":\"1\",\"x\":[true]} json "
               "{\"id\":\"1\",\"x\":[true],\"detail\":{\"a\":\"b\"}}");
}

/* Variables the caller leaves out (NULL vars or fields) are empty strings. */
static void test_missing_vars(void **state) {
    (void)state;
    sb_target_spec spec = {0};
    spec.input_template = "{\"n\": <aws.events.rule-name>, \"s\": \"[<aws.events.rule-arn>]\"}";
    sb_error err = {0};
    sb_transformer *t = sb_transformer_new(&spec, &err);
    assert_non_null(t);
    sb_arena a;
    sb_arena_init(&a, 0);
    sb_jnode *root;
    assert_int_equal(sb_json_parse("{}", 2, &a, false, &root, &err, NULL), SB_OK);
    sb_buf out;
    sb_buf_init(&out);
    assert_int_equal(sb_transformer_apply(t, root, "{}", 2, NULL, &out, &err), SB_OK);
    assert_string_equal(out.data, "{\"n\": \"\", \"s\": \"[]\"}");
    sb_buf_reset(&out);
    sb_transform_vars partial = {NULL, "r", NULL};
    assert_int_equal(sb_transformer_apply(t, root, "{}", 2, &partial, &out, &err), SB_OK);
    assert_string_equal(out.data, "{\"n\": \"r\", \"s\": \"[]\"}");
    sb_buf_free(&out);
    sb_arena_free(&a);
    sb_transformer_free(t);
}

/* Names of the rule's map sit beside the predefined ones. */
static void test_with_paths(void **state) {
    (void)state;
    static const sb_kv map[] = {{"state", "$.detail.state"}};
    EXPECT_STR(
        tr_template(tr_ec2_event, map, NMAP(map),
                    "\"<aws.events.rule-name>: <state> at <aws.events.event.ingestion-time>\""),
        "\"example: RUNNING at 2015-11-11T21:29:55Z\"");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings_standing_alone),
        cmocka_unit_test(test_strings_inside_a_string),
        cmocka_unit_test(test_strings_in_text),
        cmocka_unit_test(test_events_standing_alone),
        cmocka_unit_test(test_events_inside_a_string),
        cmocka_unit_test(test_events_in_text),
        cmocka_unit_test(test_missing_vars),
        cmocka_unit_test(test_with_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
