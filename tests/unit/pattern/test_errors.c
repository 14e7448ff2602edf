/* test_errors.c - invalid patterns are refused as a whole, with a message that names the
 * origin, the line and column of the offending token, the field path and the operator. */
#include "helpers.h"

/* ---- positions ---- */

static void test_unknown_operator_multiline(void **state) {
    (void)state;
    const char *p = "{\n"
                    "  \"source\": [\"aws.ec2\"],\n"
                    "  \"detail\": {\n"
                    "    \"n\": [{\"numerc\": 5}]\n"
                    "  }\n"
                    "}\n";
    /* the operator's key is at line 4, column 12 */
    expect_pattern_error(p, "rule.json:4:12: ", "field \"detail.n\"", "unknown operator \"numerc\"",
                         NULL);
}

static void test_wrong_operand_multiline(void **state) {
    (void)state;
    const char *p = "{\n"
                    "  \"detail\": {\n"
                    "    \"x\": [{\"prefix\": 5}]\n"
                    "  }\n"
                    "}";
    /* the operand 5 is at line 3, column 22 */
    expect_pattern_error(p, "rule.json:3:22: ", "field \"detail.x\"", "\"prefix\"", "number", NULL);
    /* CRLF line ends count as one line each */
    const char *q = "{\r\n  \"a\": {\r\n    \"b\": [{\"suffix\": true}]\r\n  }\r\n}";
    expect_pattern_error(q, "rule.json:3:22: ", "field \"a.b\"", "\"suffix\"", NULL);
}

static void test_position_of_second_test_in_list(void **state) {
    (void)state;
    const char *p = "{\"a\": [\"ok\",\n"
                    "       {\"wildcard\": \"x**\"}]}";
    /* the wildcard string is at line 2, column 21 */
    expect_pattern_error(p, "rule.json:2:21: ", "field \"a\"", "\"wildcard\"", "x**", NULL);
}

static void test_position_after_multibyte_text(void **state) {
    (void)state;
    /* columns count bytes, and an e-acute takes two */
    const char *p = "{\"\xc3\xa9\": [{\"exists\": 1}]}";
    expect_pattern_error(p, "rule.json:1:20: ", "field \"\xc3\xa9\"", "\"exists\"", NULL);
}

static void test_origin_defaults(void **state) {
    (void)state;
    sb_error err = {0};
    sb_patterns *ps = sb_patterns_new();
    assert_non_null(ps);
    const char *p = "{\"x\": [{\"prefix\": 1}]}";
    assert_int_equal(sb_patterns_add(ps, 1, p, strlen(p), NULL, &err), SB_EINVAL);
    if (strncmp(err.msg, "<pattern>:1:19: ", 16) != 0)
        fail_msg("message \"%s\" does not start with \"<pattern>:1:19: \"", err.msg);
    assert_int_equal(sb_patterns_count(ps), 0);
    /* a NULL error report is allowed */
    assert_int_equal(sb_patterns_add(ps, 1, p, strlen(p), NULL, NULL), SB_EINVAL);
    sb_patterns_free(ps);
}

/* ---- per operator ---- */

static void test_unknown_operators(void **state) {
    (void)state;
    expect_pattern_error("{\"x\": [{\"bogus\": 1}]}", "rule.json:1:9: ", "field \"x\"",
                         "unknown operator \"bogus\"", NULL);
    expect_pattern_error("{\"x\": [{\"Prefix\": \"a\"}]}", "unknown operator \"Prefix\"", NULL);
    expect_pattern_error("{\"d\": {\"x\": [{\"anything-but\": {\"numeric\": [\">\", 1]}}]}}",
                         "field \"d.x\"", "\"numeric\"", "anything-but", NULL);
    expect_pattern_error("{\"x\": [{\"prefix\": {\"wildcard\": \"a*\"}}]}", "field \"x\"",
                         "\"prefix\"", "equals-ignore-case", NULL);
    expect_pattern_error("{\"x\": [{\"suffix\": {\"equals-ignore-case\": \"a\", \"x\": 1}}]}",
                         "field \"x\"", "\"suffix\"", NULL);
}

static void test_operator_object_shape(void **state) {
    (void)state;
    expect_pattern_error("{\"x\": [{}]}", "rule.json:1:8: ", "field \"x\"", "empty operator", NULL);
    expect_pattern_error("{\"x\": [{\"prefix\": \"a\", \"suffix\": \"b\"}]}",
                         "rule.json:1:8: ", "field \"x\"", "one operator", NULL);
    expect_pattern_error("{\"x\": [[\"a\"]]}", "rule.json:1:8: ", "field \"x\"", "list", NULL);
}

static void test_string_operators_wrong_type(void **state) {
    (void)state;
    expect_pattern_error("{\"x\": [{\"prefix\": 1}]}", "rule.json:1:19: ", "field \"x\"",
                         "\"prefix\"", "number", NULL);
    expect_pattern_error("{\"x\": [{\"prefix\": [\"a\"]}]}", "field \"x\"", "\"prefix\"", "array",
                         NULL);
    expect_pattern_error("{\"x\": [{\"suffix\": null}]}", "field \"x\"", "\"suffix\"", "null",
                         NULL);
    expect_pattern_error("{\"x\": [{\"prefix\": {\"equals-ignore-case\": 5}}]}", "field \"x\"",
                         "\"prefix\"", "number", NULL);
    expect_pattern_error("{\"x\": [{\"equals-ignore-case\": 5}]}", "field \"x\"",
                         "\"equals-ignore-case\"", "number", NULL);
    expect_pattern_error("{\"x\": [{\"equals-ignore-case\": [\"a\"]}]}", "field \"x\"",
                         "\"equals-ignore-case\"", NULL);
    expect_pattern_error("{\"x\": [{\"wildcard\": 5}]}", "field \"x\"", "\"wildcard\"", "number",
                         NULL);
    expect_pattern_error("{\"x\": [{\"cidr\": 10}]}", "field \"x\"", "\"cidr\"", "number", NULL);
}

static void test_wildcard_syntax(void **state) {
    (void)state;
    expect_pattern_error("{\"x\": [{\"wildcard\": \"a**b\"}]}", "rule.json:1:21: ", "field \"x\"",
                         "\"wildcard\"", "a**b", "**", NULL);
    expect_pattern_error("{\"x\": [{\"wildcard\": \"**\"}]}", "\"wildcard\"", NULL);
    /* a backslash must escape * or \ */
    expect_pattern_error("{\"x\": [{\"wildcard\": \"a\\\\b\"}]}", "field \"x\"", "\"wildcard\"",
                         "backslash", NULL);
    expect_pattern_error("{\"x\": [{\"wildcard\": \"ab\\\\\"}]}", "field \"x\"", "\"wildcard\"",
                         "backslash", NULL);
    /* the same checks inside anything-but */
    expect_pattern_error("{\"x\": [{\"anything-but\": {\"wildcard\": \"a**\"}}]}", "field \"x\"",
                         "wildcard", "**", NULL);
    expect_pattern_error("{\"x\": [{\"anything-but\": {\"wildcard\": [\"ok*\", \"a\\\\n\"]}}]}",
                         "field \"x\"", "wildcard", NULL);
}

static void test_anything_but_operands(void **state) {
    (void)state;
    expect_pattern_error("{\"x\": [{\"anything-but\": true}]}", "rule.json:1:25: ", "field \"x\"",
                         "\"anything-but\"", "boolean", NULL);
    expect_pattern_error("{\"x\": [{\"anything-but\": null}]}", "field \"x\"", "\"anything-but\"",
                         NULL);
    expect_pattern_error("{\"x\": [{\"anything-but\": []}]}", "rule.json:1:25: ", "field \"x\"",
                         "\"anything-but\"", NULL);
    /* mixed lists, and lists of other types */
    expect_pattern_error("{\"x\": [{\"anything-but\": [\"a\", 1]}]}",
                         "rule.json:1:31: ", "field \"x\"", "\"anything-but\"", NULL);
    expect_pattern_error("{\"x\": [{\"anything-but\": [1, \"a\"]}]}", "field \"x\"",
                         "\"anything-but\"", NULL);
    expect_pattern_error("{\"x\": [{\"anything-but\": [true]}]}", "field \"x\"", "\"anything-but\"",
                         NULL);
    expect_pattern_error("{\"x\": [{\"anything-but\": [[\"a\"]]}]}", "field \"x\"",
                         "\"anything-but\"", NULL);
    /* the object form takes exactly one of its operators */
    expect_pattern_error("{\"x\": [{\"anything-but\": {}}]}", "field \"x\"", "\"anything-but\"",
                         NULL);
    expect_pattern_error("{\"x\": [{\"anything-but\": {\"prefix\": \"a\", \"suffix\": \"b\"}}]}",
                         "field \"x\"", "\"anything-but\"", NULL);
    expect_pattern_error("{\"x\": [{\"anything-but\": {\"exists\": true}}]}", "field \"x\"",
                         "\"exists\"", "anything-but", NULL);
    /* operands of the object form */
    expect_pattern_error("{\"x\": [{\"anything-but\": {\"prefix\": 5}}]}", "field \"x\"",
                         "anything-but", "prefix", NULL);
    expect_pattern_error("{\"x\": [{\"anything-but\": {\"prefix\": \"\"}}]}", "field \"x\"",
                         "anything-but", "prefix", NULL);
    expect_pattern_error("{\"x\": [{\"anything-but\": {\"suffix\": [\"a\", \"\"]}}]}",
                         "field \"x\"", "anything-but", "suffix", NULL);
    expect_pattern_error("{\"x\": [{\"anything-but\": {\"equals-ignore-case\": [\"a\", 1]}}]}",
                         "field \"x\"", "anything-but", "equals-ignore-case", NULL);
}

static void test_numeric_operands(void **state) {
    (void)state;
    /* reversed and empty ranges */
    expect_pattern_error("{\"x\": [{\"numeric\": [\">\", 5, \"<\", 1]}]}",
                         "rule.json:1:20: ", "field \"x\"", "\"numeric\"", "reversed", NULL);
    expect_pattern_error("{\"x\": [{\"numeric\": [\">=\", 5, \"<\", 5]}]}", "field \"x\"",
                         "\"numeric\"", "empty", NULL);
    expect_pattern_error("{\"x\": [{\"numeric\": [\">\", 5, \"<=\", 5]}]}", "field \"x\"",
                         "\"numeric\"", NULL);
    /* a string where a number belongs */
    expect_pattern_error("{\"x\": [{\"numeric\": [\">\", \"1\"]}]}",
                         "rule.json:1:26: ", "field \"x\"", "\"numeric\"", "string", NULL);
    expect_pattern_error("{\"x\": [{\"numeric\": [\">\", 0, \"<\", \"5\"]}]}", "field \"x\"",
                         "\"numeric\"", NULL);
    /* operators */
    expect_pattern_error("{\"x\": [{\"numeric\": [\"!=\", 1]}]}", "rule.json:1:21: ", "field \"x\"",
                         "\"numeric\"", "\"!=\"", NULL);
    expect_pattern_error("{\"x\": [{\"numeric\": [1, \">\"]}]}", "field \"x\"", "\"numeric\"",
                         NULL);
    expect_pattern_error("{\"x\": [{\"numeric\": [\"<\", 5, \">\", 1]}]}", "field \"x\"",
                         "\"numeric\"", NULL);
    expect_pattern_error("{\"x\": [{\"numeric\": [\">\", 1, \">\", 2]}]}", "field \"x\"",
                         "\"numeric\"", NULL);
    expect_pattern_error("{\"x\": [{\"numeric\": [\"=\", 1, \"<\", 2]}]}", "field \"x\"",
                         "\"numeric\"", NULL);
    /* shape */
    expect_pattern_error("{\"x\": [{\"numeric\": 5}]}", "rule.json:1:20: ", "field \"x\"",
                         "\"numeric\"", NULL);
    expect_pattern_error("{\"x\": [{\"numeric\": []}]}", "field \"x\"", "\"numeric\"", NULL);
    expect_pattern_error("{\"x\": [{\"numeric\": [\">\"]}]}", "field \"x\"", "\"numeric\"", NULL);
    expect_pattern_error("{\"x\": [{\"numeric\": [\">\", 1, \"<\"]}]}", "field \"x\"",
                         "\"numeric\"", NULL);
    expect_pattern_error("{\"x\": [{\"numeric\": [\">\", 1, \"<\", 2, \"<\", 3]}]}", "field \"x\"",
                         "\"numeric\"", NULL);
    /* beyond the range of doubles */
    expect_pattern_error("{\"x\": [{\"numeric\": [\"<\", 1e400]}]}", "field \"x\"", "\"numeric\"",
                         "1e400", NULL);
}

static void test_exists_operand(void **state) {
    (void)state;
    expect_pattern_error("{\"x\": [{\"exists\": \"yes\"}]}", "rule.json:1:19: ", "field \"x\"",
                         "\"exists\"", "string", NULL);
    expect_pattern_error("{\"x\": [{\"exists\": 1}]}", "field \"x\"", "\"exists\"", NULL);
    expect_pattern_error("{\"x\": [{\"exists\": null}]}", "field \"x\"", "\"exists\"", NULL);
}

static void test_bad_cidr(void **state) {
    (void)state;
    const char *bad[] = {"10.0.0.0/33",    "10.0.0/8",    "abc",        "10.0.0.0",
                         "10.0.0.0/",      "10.0.0.0/-1", "10.0.0.0/x", "::/129",
                         "2001:db8::g/32", "/8",          "",           "10.0.0.256/8"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char p[128];
        snprintf(p, sizeof p, "{\"d\": {\"ip\": [{\"cidr\": \"%s\"}]}}", bad[i]);
        expect_pattern_error(p, "rule.json:1:24: ", "field \"d.ip\"", "\"cidr\"", NULL);
    }
}

/* ---- pattern structure ---- */

static void test_empty_list(void **state) {
    (void)state;
    expect_pattern_error("{\"x\": []}", "rule.json:1:7: ", "field \"x\"", "empty", NULL);
    expect_pattern_error("{\"d\": {\"e\": {\"x\": []}}}", "rule.json:1:19: ", "field \"d.e.x\"",
                         "empty", NULL);
}

static void test_leaf_not_a_list(void **state) {
    (void)state;
    expect_pattern_error("{\"x\": \"y\"}", "rule.json:1:7: ", "field \"x\"", "list", NULL);
    expect_pattern_error("{\"d\": {\"x\": 5}}", "rule.json:1:13: ", "field \"d.x\"", "list", NULL);
    expect_pattern_error("{\"x\": true}", "field \"x\"", NULL);
    expect_pattern_error("{\"x\": null}", "field \"x\"", NULL);
}

static void test_empty_object(void **state) {
    (void)state;
    expect_pattern_error("{\"d\": {}}", "rule.json:1:7: ", "field \"d\"", "empty object", NULL);
    expect_pattern_error("{\"a\": [\"x\"], \"d\": {\"e\": {}}}", "field \"d.e\"", "empty object",
                         NULL);
    expect_pattern_error("{}", "rule.json:1:1: ", "empty object", NULL);
    expect_pattern_error("  {  }", "rule.json:1:3: ", "empty object", NULL);
}

static void test_not_an_object(void **state) {
    (void)state;
    expect_pattern_error("[\"a\"]", "rule.json:1:1: ", "object", NULL);
    expect_pattern_error("\"a\"", "rule.json:1:1: ", "object", NULL);
    expect_pattern_error("5", "rule.json:1:1: ", "object", NULL);
    expect_pattern_error("null", "rule.json:1:1: ", "object", NULL);
    expect_pattern_error("\n  true", "rule.json:2:3: ", "object", NULL);
}

static void test_invalid_json(void **state) {
    (void)state;
    expect_pattern_error("", "rule.json:1:1: ", "JSON", NULL);
    expect_pattern_error("{\"a\": [\"x\"]", "rule.json:1:12: ", "JSON", NULL);
    expect_pattern_error("{\"a\": [\"x\"]} x", "rule.json:1:14: ", "JSON", NULL);
    expect_pattern_error("{a: [\"x\"]}", "rule.json:1:2: ", "JSON", NULL);
    expect_pattern_error("{\"a\": [\"x\",]}", "rule.json:1:12: ", "JSON", NULL);
    expect_pattern_error("{\"a\":\n [\"x\" \"y\"]}", "rule.json:2:7: ", "JSON", NULL);
    expect_pattern_error("{\"a\": [\"\\q\"]}", "rule.json:1:9: ", "JSON", NULL);
    expect_pattern_error("{\"a\": [\"\xff\"]}", "rule.json:1:9: ", "JSON", NULL);
    expect_pattern_error("{\"a\": [01]}", "JSON", NULL);
    expect_pattern_error("{\"a\": [NaN]}", "JSON", NULL);
}

static void test_duplicate_keys(void **state) {
    (void)state;
    expect_pattern_error("{\"a\": [\"x\"],\n \"a\": [\"y\"]}", "rule.json:2:2: ", "duplicate",
                         NULL);
    expect_pattern_error("{\"x\": [{\"prefix\": \"a\", \"prefix\": \"b\"}]}", "duplicate", NULL);
}

static void test_or_shape(void **state) {
    (void)state;
    expect_pattern_error("{\"$or\": {\"a\": [\"x\"]}}", "rule.json:1:9: ", "\"$or\"", "object",
                         NULL);
    expect_pattern_error("{\"$or\": [{\"a\": [\"x\"]}]}", "rule.json:1:9: ", "\"$or\"", "two",
                         NULL);
    expect_pattern_error("{\"$or\": []}", "\"$or\"", NULL);
    expect_pattern_error("{\"$or\": [{\"a\": [\"x\"]}, [\"b\"]]}", "rule.json:1:24: ", "\"$or\"",
                         NULL);
    expect_pattern_error("{\"$or\": [{\"a\": [\"x\"]}, {}]}", "rule.json:1:24: ", "empty object",
                         NULL);
    /* errors inside alternatives name the field path */
    expect_pattern_error("{\"d\": {\"$or\": [{\"a\": [\"x\"]}, {\"b\": [{\"prefix\": 1}]}]}}",
                         "field \"d.b\"", "\"prefix\"", NULL);
}

static void test_too_many_or_combinations(void **state) {
    (void)state;
    /* n nested objects with a two-way $or each: 2^n combinations; at most 1024 are allowed */
    char p[2048];
    for (int n = 10; n <= 11; n++) {
        size_t o = 0;
        o += (size_t)snprintf(p + o, sizeof p - o, "{");
        for (int i = 0; i < n; i++)
            o += (size_t)snprintf(p + o, sizeof p - o,
                                  "%s\"k%d\": {\"$or\": [{\"a\": [\"1\"]}, {\"b\": [\"1\"]}]}",
                                  i ? ", " : "", i);
        snprintf(p + o, sizeof p - o, "}");
        if (n == 10) {
            sb_error err = {0};
            sb_patterns *ps = sb_patterns_new();
            assert_non_null(ps);
            if (sb_patterns_add(ps, 1, p, strlen(p), NULL, &err) != SB_OK)
                fail_msg("1024 combinations rejected: %s", err.msg);
            sb_patterns_free(ps);
        } else {
            expect_pattern_error(p, "1024", NULL);
        }
    }
}

static void test_too_deep(void **state) {
    (void)state;
    /* 300 nested objects: beyond the nesting limit of 256 */
    enum { N = 300 };
    char *p = test_xmalloc(N * 8 + 16);
    assert_non_null(p);
    size_t o = 0;
    for (int i = 0; i < N; i++) {
        memcpy(p + o, "{\"a\": ", 6);
        o += 6;
    }
    memcpy(p + o, "[1]", 3);
    o += 3;
    for (int i = 0; i < N; i++)
        p[o++] = '}';
    p[o] = '\0';
    expect_pattern_error(p, "rule.json:1:", NULL);
    free(p);
}

/* ---- patterns inside a larger document ---- */

static void test_add_node_positions(void **state) {
    (void)state;
    /* a rule file holding two patterns; positions are those of the file */
    const char *doc = "{\"rules\": [\n"
                      "  {\"a\": [\"x\"]},\n"
                      "  {\"b\": [{\"prefix\": 7}]}\n"
                      "]}";
    sb_arena arena;
    sb_arena_init(&arena, 0);
    sb_jnode *root = NULL;
    sb_error err = {0};
    assert_int_equal(sb_json_parse(doc, strlen(doc), &arena, true, &root, &err, NULL), SB_OK);
    const sb_jnode *rules = sb_json_get(root, "rules")->value;
    sb_patterns *ps = sb_patterns_new();
    assert_non_null(ps);
    assert_int_equal(
        sb_patterns_add_node(ps, 1, rules->u.arr.items[0], "rules.json", doc, strlen(doc), &err),
        SB_OK);
    assert_int_equal(
        sb_patterns_add_node(ps, 2, rules->u.arr.items[1], "rules.json", doc, strlen(doc), &err),
        SB_EINVAL);
    if (strncmp(err.msg, "rules.json:3:21: ", 17) != 0)
        fail_msg("message \"%s\" does not start with \"rules.json:3:21: \"", err.msg);
    assert_contains(err.msg, "field \"b\"");
    assert_contains(err.msg, "\"prefix\"");
    /* a node that is not an object */
    assert_int_equal(sb_patterns_add_node(ps, 3, rules, "rules.json", doc, strlen(doc), &err),
                     SB_EINVAL);
    if (strncmp(err.msg, "rules.json:1:11: ", 17) != 0)
        fail_msg("message \"%s\" does not start with \"rules.json:1:11: \"", err.msg);
    assert_int_equal(sb_patterns_count(ps), 1);
    /* the pattern added from the tree outlives the tree */
    sb_arena_free(&arena);
    sb_machine *m = sb_machine_compile(ps, &err);
    assert_non_null(m);
    sb_matcher *mt = sb_matcher_new(m);
    assert_non_null(mt);
    const uint32_t *ids;
    assert_int_equal(sb_match(mt, "{\"a\": \"x\"}", 10, &ids, &err), 1);
    assert_int_equal(ids[0], 1);
    sb_matcher_free(mt);
    sb_machine_free(m);
    sb_patterns_free(ps);
}

/* ---- the collection after an error ---- */

static void test_failed_add_changes_nothing(void **state) {
    (void)state;
    sbt_set s;
    sbt_init(&s);
    sbt_add(&s, 1, "{\"a\": [\"x\"]}");
    sb_error err = {0};
    const char *bad = "{\"a\": [\"y\"], \"b\": [{\"prefix\": 1}]}";
    assert_int_equal(sb_patterns_add(s.ps, 2, bad, strlen(bad), NULL, &err), SB_EINVAL);
    assert_int_equal(sb_patterns_count(s.ps), 1);
    sbt_add(&s, 3, "{\"a\": [\"y\"]}");
    assert_int_equal(sb_patterns_count(s.ps), 2);
    sbt_compile(&s);
    EXPECT_IDS(&s, "{\"a\": \"x\"}", 1);
    EXPECT_IDS(&s, "{\"a\": \"y\"}", 3);
    EXPECT_NONE(&s, "{\"b\": \"z\"}");
    sbt_free(&s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_operator_multiline),
        cmocka_unit_test(test_wrong_operand_multiline),
        cmocka_unit_test(test_position_of_second_test_in_list),
        cmocka_unit_test(test_position_after_multibyte_text),
        cmocka_unit_test(test_origin_defaults),
        cmocka_unit_test(test_unknown_operators),
        cmocka_unit_test(test_operator_object_shape),
        cmocka_unit_test(test_string_operators_wrong_type),
        cmocka_unit_test(test_wildcard_syntax),
        cmocka_unit_test(test_anything_but_operands),
        cmocka_unit_test(test_numeric_operands),
        cmocka_unit_test(test_exists_operand),
        cmocka_unit_test(test_bad_cidr),
        cmocka_unit_test(test_empty_list),
        cmocka_unit_test(test_leaf_not_a_list),
        cmocka_unit_test(test_empty_object),
        cmocka_unit_test(test_not_an_object),
        cmocka_unit_test(test_invalid_json),
        cmocka_unit_test(test_duplicate_keys),
        cmocka_unit_test(test_or_shape),
        cmocka_unit_test(test_too_many_or_combinations),
        cmocka_unit_test(test_too_deep),
        cmocka_unit_test(test_add_node_positions),
        cmocka_unit_test(test_failed_add_changes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
