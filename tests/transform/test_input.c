/* test_input.c - no option (the event unchanged), Input (a constant) and InputPath (one value of
 * the event, as JSON). */
#include "helpers.h"

/* Spaced on purpose: only `$` and the identity keep the event's own text. */
static const char event[] = "{ \"version\": \"0\", \"detail-type\": \"EC2 Instance State-change "
                            "Notification\", \"resources\": [ \"arn:a\", \"arn:b\" ], \"detail\": "
                            "{ \"instance-id\": \"i-0123456789\", \"state\": \"RUNNING\", \"n\": "
                            "1.50, \"tags\": [ \"x\", { \"k\": null } ] } }";

static char *input_path(const char *path) {
    sb_target_spec spec = {0};
    spec.id = "t1";
    spec.input_path = path;
    return tr_apply(&spec, event);
}

static void test_identity(void **state) {
    (void)state;
    sb_target_spec spec = {0};
    sb_error err = {0};
    sb_transformer *t = sb_transformer_new(&spec, &err);
    assert_non_null(t);
    assert_true(sb_transformer_is_identity(t));
    assert_true(sb_transformer_output_is_json(t));
    sb_transformer_free(t);
    EXPECT_STR(tr_apply(&spec, event), event);
    sb_transformer_free(NULL);
}

static void test_input_constant(void **state) {
    (void)state;
    sb_target_spec spec = {0};
    spec.input = "{\"constant\": [1, 2.50, \"<not a placeholder>\"]}";
    EXPECT_STR(tr_apply(&spec, event), "{\"constant\": [1, 2.50, \"<not a placeholder>\"]}");
    spec.input = "\"just a string\"";
    EXPECT_STR(tr_apply(&spec, event), "\"just a string\"");
    spec.input = " 42 ";
    EXPECT_STR(tr_apply(&spec, event), " 42 ");
    sb_error err = {0};
    sb_transformer *t = sb_transformer_new(&spec, &err);
    assert_non_null(t);
    assert_false(sb_transformer_is_identity(t));
    sb_transformer_free(t);
}

static void test_input_path_values(void **state) {
    (void)state;
    EXPECT_STR(input_path("$.detail"), "{\"instance-id\":\"i-0123456789\",\"state\":\"RUNNING\","
                                       "\"n\":1.50,\"tags\":[\"x\",{\"k\":null}]}");
    EXPECT_STR(input_path("$.detail.state"), "\"RUNNING\"");
    EXPECT_STR(input_path("$.detail.n"), "1.50");
    EXPECT_STR(input_path("$.detail.tags[1]"), "{\"k\":null}");
    EXPECT_STR(input_path("$.detail.tags[1].k"), "null");
    EXPECT_STR(input_path("$.resources[1]"), "\"arn:b\"");
    EXPECT_STR(input_path("$['detail-type']"), "\"EC2 Instance State-change Notification\"");
    EXPECT_STR(input_path("$.detail['instance-id']"), "\"i-0123456789\"");
    EXPECT_STR(input_path("$[\"detail\"][\"tags\"][0]"), "\"x\"");
}

/* `$` is the event as it came, like no option at all. */
static void test_input_path_root(void **state) {
    (void)state;
    EXPECT_STR(input_path("$"), event);
}

static void test_input_path_wildcards(void **state) {
    (void)state;
    EXPECT_STR(input_path("$.resources[*]"), "[\"arn:a\",\"arn:b\"]");
    EXPECT_STR(input_path("$.detail.*"),
               "[\"i-0123456789\",\"RUNNING\",1.50,[\"x\",{\"k\":null}]]");
    EXPECT_STR(input_path("$.detail.tags[*].k"), "[null]");
    EXPECT_STR(input_path("$.detail.nothing[*]"), "[]");
}

/* A definite path that selects nothing fails this delivery. */
static void test_input_path_selects_nothing(void **state) {
    (void)state;
    EXPECT_STR(input_path("$.detail.nothing"),
               "ERROR: InputPath $.detail.nothing selects nothing in this event");
    EXPECT_STR(input_path("$.resources[2]"),
               "ERROR: InputPath $.resources[2] selects nothing in this event");
    EXPECT_STR(input_path("$.detail.state.x"),
               "ERROR: InputPath $.detail.state.x selects nothing in this event");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identity),
        cmocka_unit_test(test_input_constant),
        cmocka_unit_test(test_input_path_values),
        cmocka_unit_test(test_input_path_root),
        cmocka_unit_test(test_input_path_wildcards),
        cmocka_unit_test(test_input_path_selects_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
