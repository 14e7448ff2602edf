/* test_errors.c - what sb_transformer_new refuses at rule load time, and the exact message. */
#include "helpers.h"

static void expect_input_path_refused(const char *path, const char *want) {
    sb_target_spec spec = {0};
    spec.id = "t1";
    spec.input_path = path;
    expect_refused(&spec, SB_EINVAL, want);
}

static void test_invalid_input_paths(void **state) {
    (void)state;
    expect_input_path_refused("detail",
                              "target t1: InputPath: JSONPath \"detail\" must start with $");
    expect_input_path_refused("$.", "target t1: InputPath: JSONPath \"$.\": empty key after '.' at "
                                    "byte 1");
    expect_input_path_refused("$..a", "target t1: InputPath: JSONPath \"$..a\": recursive descent "
                                      "(..) at byte 1 is not supported");
    expect_input_path_refused("$a", "target t1: InputPath: JSONPath \"$a\": unexpected 'a' at byte "
                                    "1 (a step starts with '.' or '[')");
    expect_input_path_refused("$.a]", "target t1: InputPath: JSONPath \"$.a]\": unexpected ']' at "
                                      "byte 3 (a step starts with '.' or '[')");
    expect_input_path_refused("$.a[x]", "target t1: InputPath: JSONPath \"$.a[x]\": [x] at byte 3: "
                                        "not a key, an index or * (use ['key'], [N] or [*])");
    expect_input_path_refused("$.a[-1]", "target t1: InputPath: JSONPath \"$.a[-1]\": [-1] at byte "
                                         "3: negative indices are not supported (use ['key'], [N] "
                                         "or [*])");
    expect_input_path_refused("$.a[?(@.b)]", "target t1: InputPath: JSONPath \"$.a[?(@.b)]\": "
                                             "[?(@.b)] at byte 3: filters are not supported (use "
                                             "['key'], [N] or [*])");
    expect_input_path_refused("$.a[0:2]", "target t1: InputPath: JSONPath \"$.a[0:2]\": [0:2] at "
                                          "byte 3: slices are not supported (use ['key'], [N] or "
                                          "[*])");
    expect_input_path_refused("$.a[0,1]", "target t1: InputPath: JSONPath \"$.a[0,1]\": [0,1] at "
                                          "byte 3: unions are not supported (use ['key'], [N] or "
                                          "[*])");
    expect_input_path_refused("$.a[]",
                              "target t1: InputPath: JSONPath \"$.a[]\": [] at byte 3: not "
                              "a key, an index or * (use ['key'], [N] or [*])");
    expect_input_path_refused("$.a[0",
                              "target t1: InputPath: JSONPath \"$.a[0\": [0 at byte 3: '[' "
                              "is not closed (use ['key'], [N] or [*])");
    expect_input_path_refused("$['a", "target t1: InputPath: JSONPath \"$['a\": unterminated "
                                      "['...'] at byte 1");
    expect_input_path_refused("$['a'", "target t1: InputPath: JSONPath \"$['a'\": unterminated "
                                       "['...'] at byte 1");
    expect_input_path_refused("$.a[99999999999999999999999]",
                              "target t1: InputPath: JSONPath \"$.a[99999999999999999999999]\": "
                              "array index at byte 3 is too large");
}

static void test_invalid_paths_map(void **state) {
    (void)state;
    sb_kv bad_path[] = {{"ok", "$.a"}, {"x", "$.a..b"}};
    expect_template_refused(
        bad_path, NMAP(bad_path), "<x>", SB_EINVAL,
        "target t1: InputPathsMap \"x\": JSONPath \"$.a..b\": recursive descent "
        "(..) at byte 3 is not supported");
    sb_kv bad_name[] = {{"bad name", "$.a"}};
    expect_template_refused(bad_name, NMAP(bad_name), "\"x\"", SB_EINVAL,
                            "target t1: InputPathsMap name \"bad name\" must be letters, digits, "
                            "'.', '-' or '_'");
    sb_kv empty_name[] = {{"", "$.a"}};
    expect_template_refused(empty_name, NMAP(empty_name), "\"x\"", SB_EINVAL,
                            "target t1: InputPathsMap name \"\" must be letters, digits, '.', '-' "
                            "or '_'");
    sb_kv reserved[] = {{"aws.events.event", "$.a"}};
    expect_template_refused(reserved, NMAP(reserved), "\"x\"", SB_EINVAL,
                            "target t1: InputPathsMap name \"aws.events.event\" is reserved for "
                            "EventBridge's predefined variable");
    sb_kv twice[] = {{"a", "$.a"}, {"a", "$.b"}};
    expect_template_refused(twice, NMAP(twice), "\"x\"", SB_EINVAL,
                            "target t1: InputPathsMap name \"a\" appears twice");
}

/* EventBridge refuses, in PutTargets, a placeholder that names nothing. */
static void test_unknown_placeholder(void **state) {
    (void)state;
    sb_kv map[] = {{"detail-type", "$.detail-type"}};
    expect_template_refused(
        map, NMAP(map), "\"Event of <detail-type> type, with not defined key <notdefinedkey>\"",
        SB_EINVAL,
        "target t1: InputTemplate:1:52: placeholder "
        "<notdefinedkey> is neither a name of InputPathsMap nor a predefined "
        "variable (aws.events.rule-arn, aws.events.rule-name, aws.events.event, "
        "aws.events.event.json, aws.events.event.ingestion-time)");
    expect_template_refused(
        map, NMAP(map), "{\n  \"a\": <aws.events.nope>\n}", SB_EINVAL,
        "target t1: InputTemplate:2:8: placeholder "
        "<aws.events.nope> is neither a name of InputPathsMap nor a predefined "
        "variable (aws.events.rule-arn, aws.events.rule-name, aws.events.event, "
        "aws.events.event.json, aws.events.event.ingestion-time)");
}

static void test_invalid_templates(void **state) {
    (void)state;
    sb_kv map[] = {{"k", "$.k"}, {"v", "$.v"}};
    expect_template_refused(map, NMAP(map), "{\"a\": 1, <k>: <v>}", SB_EINVAL,
                            "target t1: InputTemplate:1:10: a placeholder cannot be "
                            "an object key (put it inside the key's quotes)");
    expect_template_refused(map, NMAP(map), "{\"a\": <v>,}", SB_EINVAL,
                            "target t1: InputTemplate:1:11: not JSON once its placeholders are "
                            "filled, though it starts with '{': expected a string key in "
                            "object");
    expect_template_refused(map, NMAP(map), "  [<v> <v>]", SB_EINVAL,
                            "target t1: InputTemplate:1:8: not JSON once its placeholders are "
                            "filled, though it starts with '[': expected ',' or ']' in "
                            "array");
    /* a placeholder does not merge with its neighbours into one JSON token */
    expect_template_refused(map, NMAP(map), "[1<v>]", SB_EINVAL,
                            "target t1: InputTemplate:1:3: not JSON once its placeholders are "
                            "filled, though it starts with '[': expected ',' or ']' in array");
    expect_template_refused(map, NMAP(map), "{\"a\": -<v>}", SB_EINVAL,
                            "target t1: InputTemplate:1:7: not JSON once its placeholders are "
                            "filled, though it starts with '{': invalid number");
    expect_template_refused(map, NMAP(map), "", SB_EINVAL, "target t1: InputTemplate is empty");
    sb_target_spec spec = {0};
    spec.id = "t1";
    spec.paths_map = map;
    spec.npaths_map = NMAP(map);
    expect_refused(&spec, SB_EINVAL, "target t1: InputTransformer needs an InputTemplate");
}

static void test_limits(void **state) {
    (void)state;
    char *big = malloc(8194);
    assert_non_null(big);
    memset(big, 'x', 8193);
    big[8193] = '\0';
    expect_template_refused(NULL, 0, big, SB_ELIMIT,
                            "target t1: InputTemplate has 8193 bytes (at most 8192)");
    big[8192] = '\0'; /* 8192 bytes: accepted */
    EXPECT_STR(tr_template("{}", NULL, 0, big), big);
    free(big);
    sb_kv many[101];
    char names[101][8];
    for (size_t i = 0; i < 101; i++) {
        snprintf(names[i], sizeof names[i], "v%zu", i);
        many[i] = (sb_kv){names[i], "$.a"};
    }
    expect_template_refused(many, 101, "\"x\"", SB_ELIMIT,
                            "target t1: InputPathsMap has 101 entries (at most 100)");
    EXPECT_STR(tr_template("{\"a\":7}", many, 100, "[<v0>, <v99>]"), "[7, 7]");
}

static void test_invalid_input(void **state) {
    (void)state;
    sb_target_spec spec = {0};
    spec.id = "t1";
    spec.input = "{\"a\": }";
    expect_refused(&spec, SB_EINVAL,
                   "target t1: Input:1:7: Input is not valid JSON: unexpected character "
                   "(expected a value)");
}

static void test_more_than_one_option(void **state) {
    (void)state;
    sb_target_spec spec = {0};
    spec.input = "{}";
    spec.input_path = "$.detail";
    expect_refused(&spec, SB_EINVAL,
                   "a target takes at most one of Input, InputPath and InputTransformer");
    spec.input = NULL;
    spec.input_template = "\"x\"";
    expect_refused(&spec, SB_EINVAL,
                   "a target takes at most one of Input, InputPath and InputTransformer");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid_input_paths),
        cmocka_unit_test(test_invalid_paths_map),
        cmocka_unit_test(test_unknown_placeholder),
        cmocka_unit_test(test_invalid_templates),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_invalid_input),
        cmocka_unit_test(test_more_than_one_option),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
