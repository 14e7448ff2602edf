/* test_docs.c - the examples of EventBridge's documentation, with their documented outputs:
 * the user guide's "Input transform examples" table (EC2 instance state change), its tutorial
 * ("This event was of customerCreated type."), and the API reference of InputTransformer. */
#include "helpers.h"

static const sb_kv ec2_map[] = {
    {"timestamp", "$.time"}, {"instance", "$.detail.instance-id"}, {"state", "$.detail.state"}};

#define EC2(tmpl) tr_template(tr_ec2_event, ec2_map, NMAP(ec2_map), tmpl)

static void test_simple_string(void **state) {
    (void)state;
    EXPECT_STR(EC2("\"instance <instance> is in <state>\""),
               "\"instance i-0123456789 is in RUNNING\"");
}

/* The documented output is the console's; escaped quotes stay escaped in the JSON string. */
static void test_string_with_escaped_quotes(void **state) {
    (void)state;
    EXPECT_STR(EC2("\"instance \\\"<instance>\\\" is in <state>\""),
               "\"instance \\\"i-0123456789\\\" is in RUNNING\"");
}

static void test_simple_json(void **state) {
    (void)state;
    EXPECT_STR(EC2("{\n  \"instance\" : <instance>,\n  \"state\": <state>\n}"),
               "{\n  \"instance\" : \"i-0123456789\",\n  \"state\": \"RUNNING\"\n}");
}

static void test_json_with_strings_and_variables(void **state) {
    (void)state;
    EXPECT_STR(EC2("{\n \"instance\" : <instance>,\n \"state\": \"<state>\",\n \"instanceStatus\": "
                   "\"instance \\\"<instance>\\\" is in <state>\"\n}"),
               "{\n \"instance\" : \"i-0123456789\",\n \"state\": \"RUNNING\",\n "
               "\"instanceStatus\": \"instance \\\"i-0123456789\\\" is in RUNNING\"\n}");
}

/* The documentation shows the output re-indented; the template's own layout is kept. */
static void test_json_with_static_information(void **state) {
    (void)state;
    EXPECT_STR(EC2("{\n  \"instance\" : <instance>,\n  \"state\": [ 9, <state>, true ],\n  "
                   "\"Transformed\" : \"Yes\"\n}\n"),
               "{\n  \"instance\" : \"i-0123456789\",\n  \"state\": [ 9, \"RUNNING\", true ],\n  "
               "\"Transformed\" : \"Yes\"\n}\n");
}

/* "originalEvent" is elided in the documentation ("commented for brevity"); EventBridge puts
 * the envelope without its detail there, detail-type spelled detailType. */
static void test_reserved_variables_in_json(void **state) {
    (void)state;
    EXPECT_STR(EC2("{\n  \"instance\" : <instance>,\n  \"state\": <state>,\n  \"ruleArn\" : "
                   "<aws.events.rule-arn>,\n  \"ruleName\" : <aws.events.rule-name>,\n  "
                   "\"originalEvent\" : <aws.events.event>\n}"),
               "{\n  \"instance\" : \"i-0123456789\",\n  \"state\": \"RUNNING\",\n  \"ruleArn\" : "
               "\"arn:aws:events:us-east-2:123456789012:rule/example\",\n  \"ruleName\" : "
               "\"example\",\n  \"originalEvent\" : "
               "{\"version\":\"0\",\"id\":\"7bf73129-1428-4cd3-a780-95db273d1602\",\"detailType\":"
               "\"EC2 Instance State-change "
               "Notification\",\"source\":\"aws.ec2\",\"account\":\"123456789012\",\"time\":\"2015-"
               "11-11T21:29:54Z\",\"region\":\"us-east-1\",\"resources\":[\"arn:aws:ec2:us-east-1:"
               "123456789012:instance/i-abcd1111\"]}\n}");
}

static void test_reserved_variables_in_string(void **state) {
    (void)state;
    EXPECT_STR(EC2("\"<aws.events.rule-name> triggered\""), "\"example triggered\"");
}

/* The documentation shows what CloudWatch Logs displays (quotes unescaped, the timestamp bare);
 * the payload itself is this JSON. */
static void test_cloudwatch_log_group(void **state) {
    (void)state;
    EXPECT_STR(
        EC2("{\n  \"timestamp\" : <timestamp>,\n  \"message\": \"instance \\\"<instance>\\\" "
            "is in <state>\"\n}"),
        "{\n  \"timestamp\" : \"2015-11-11T21:29:54Z\",\n  \"message\": \"instance "
        "\\\"i-0123456789\\\" is in RUNNING\"\n}");
}

/* The tutorial: detail-type of a customerCreated event into an SNS message. */
static void test_tutorial(void **state) {
    (void)state;
    static const sb_kv map[] = {{"detail-type", "$.detail-type"}};
    EXPECT_STR(tr_template("{\"detail-type\":\"customerCreated\",\"source\":\"TestEvent\","
                           "\"detail\":{}}",
                           map, NMAP(map), "\"This event was of <detail-type> type.\""),
               "\"This event was of customerCreated type.\"");
}

/* The API reference's three templates (written there as JSON strings of a request). */
static void test_api_reference(void **state) {
    (void)state;
    static const sb_kv map[] = {{"instance", "$.detail.instance"}, {"status", "$.detail.status"}};
    static const char event[] = "{\"source\":\"aws.ec2\",\"detail-type\":\"x\",\"detail\":"
                                "{\"instance\":\"i-0abc\",\"status\":\"stopped\"}}";
    EXPECT_STR(tr_template(event, map, NMAP(map), "<instance> is in state <status>"),
               "i-0abc is in state stopped");
    EXPECT_STR(tr_template(event, map, NMAP(map), "<instance> is in state \"<status>\""),
               "i-0abc is in state \"stopped\"");
    EXPECT_STR(tr_template(event, map, NMAP(map),
                           "{\"myInstance\": <instance>,\"myStatus\": \"<instance> is in state "
                           "\\\"<status>\\\"\"}"),
               "{\"myInstance\": \"i-0abc\",\"myStatus\": \"i-0abc is in state "
               "\\\"stopped\\\"\"}");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_string),
        cmocka_unit_test(test_string_with_escaped_quotes),
        cmocka_unit_test(test_simple_json),
        cmocka_unit_test(test_json_with_strings_and_variables),
        cmocka_unit_test(test_json_with_static_information),
        cmocka_unit_test(test_reserved_variables_in_json),
        cmocka_unit_test(test_reserved_variables_in_string),
        cmocka_unit_test(test_cloudwatch_log_group),
        cmocka_unit_test(test_tutorial),
        cmocka_unit_test(test_api_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
