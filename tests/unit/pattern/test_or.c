/* test_or.c - "$or": alternatives of a pattern, nested, inside nested objects, and the
 * event-ruler rule that a field named again by a later part of the pattern overrides it. */
#include "helpers.h"

static void test_top_level(void **state) {
    (void)state;
    const char *p = "{\"$or\": [{\"a\": [\"1\"]}, {\"b\": [\"2\"]}]}";
    MATCH(p, "{\"a\": \"1\"}");
    MATCH(p, "{\"b\": \"2\"}");
    MATCH(p, "{\"a\": \"1\", \"b\": \"2\"}");
    MATCH(p, "{\"a\": \"0\", \"b\": \"2\"}");
    NO_MATCH(p, "{\"a\": \"2\", \"b\": \"1\"}");
    NO_MATCH(p, "{}");
}

static void test_with_common_fields(void **state) {
    (void)state;
    const char *p = "{\"src\": [\"s\"], \"$or\": [{\"a\": [\"1\"]}, {\"b\": [{\"numeric\": [\">\", "
                    "10]}]}]}";
    MATCH(p, "{\"src\": \"s\", \"a\": \"1\"}");
    MATCH(p, "{\"src\": \"s\", \"b\": 11}");
    NO_MATCH(p, "{\"src\": \"t\", \"a\": \"1\"}");
    NO_MATCH(p, "{\"a\": \"1\"}");
    NO_MATCH(p, "{\"src\": \"s\", \"b\": 10}");
    NO_MATCH(p, "{\"src\": \"s\"}");
}

static void test_alternatives_with_several_fields(void **state) {
    (void)state;
    const char *p = "{\"$or\": [{\"foo\": [\"a\"], \"bar\": [\"1\"]}, {\"foo\": [\"b\"], \"bar\": "
                    "[\"2\"]}]}";
    MATCH(p, "{\"foo\": \"a\", \"bar\": \"1\"}");
    MATCH(p, "{\"foo\": \"b\", \"bar\": \"2\"}");
    NO_MATCH(p, "{\"foo\": \"a\", \"bar\": \"2\"}");
    NO_MATCH(p, "{\"foo\": \"b\", \"bar\": \"1\"}");
    NO_MATCH(p, "{\"foo\": \"a\"}");
}

static void test_inside_nested_object(void **state) {
    (void)state;
    const char *p =
        "{\"detail\": {\"$or\": [{\"c-count\": [{\"numeric\": [\">\", 0, \"<=\", 5]}]}, "
        "{\"d-count\": [{\"numeric\": [\"<\", 10]}]}, {\"x-limit\": [{\"numeric\": "
        "[\"=\", 3.018e2]}]}]}}";
    MATCH(p, "{\"detail\": {\"c-count\": 5}}");
    MATCH(p, "{\"detail\": {\"d-count\": 9}}");
    MATCH(p, "{\"detail\": {\"x-limit\": 301.8}}");
    NO_MATCH(p, "{\"detail\": {\"c-count\": 6, \"d-count\": 10, \"x-limit\": 301.9}}");
    /* the alternatives' fields are under "detail" */
    NO_MATCH(p, "{\"c-count\": 5}");
}

static void test_nested_or(void **state) {
    (void)state;
    const char *p = "{\"a\": [\"1\"], \"$or\": [{\"b\": [\"2\"]}, {\"$or\": [{\"c\": [\"3\"]}, "
                    "{\"d\": [\"4\"]}]}]}";
    MATCH(p, "{\"a\": \"1\", \"b\": \"2\"}");
    MATCH(p, "{\"a\": \"1\", \"c\": \"3\"}");
    MATCH(p, "{\"a\": \"1\", \"d\": \"4\"}");
    NO_MATCH(p, "{\"b\": \"2\", \"c\": \"3\", \"d\": \"4\"}");
    NO_MATCH(p, "{\"a\": \"1\", \"e\": \"5\"}");
    /* an $or inside an alternative, combined with the alternative's own field */
    const char *q = "{\"$or\": [{\"x\": [\"1\"], \"$or\": [{\"y\": [\"1\"]}, {\"z\": [\"1\"]}]}, "
                    "{\"w\": [\"1\"]}]}";
    MATCH(q, "{\"x\": \"1\", \"z\": \"1\"}");
    MATCH(q, "{\"w\": \"1\"}");
    NO_MATCH(q, "{\"x\": \"1\"}");
    NO_MATCH(q, "{\"z\": \"1\", \"y\": \"1\"}");
}

static void test_two_ors_multiply(void **state) {
    (void)state;
    const char *p = "{\"$or\": [{\"a\": [\"1\"]}, {\"b\": [\"1\"]}], \"n\": {\"$or\": [{\"c\": "
                    "[\"1\"]}, {\"d\": [\"1\"]}]}}";
    MATCH(p, "{\"a\": \"1\", \"n\": {\"c\": \"1\"}}");
    MATCH(p, "{\"b\": \"1\", \"n\": {\"d\": \"1\"}}");
    NO_MATCH(p, "{\"a\": \"1\", \"b\": \"1\"}");
    NO_MATCH(p, "{\"n\": {\"c\": \"1\", \"d\": \"1\"}}");
}

static void test_with_exists_false(void **state) {
    (void)state;
    const char *p = "{\"$or\": [{\"a\": [{\"exists\": false}]}, {\"b\": [\"x\"]}]}";
    MATCH(p, "{}");
    MATCH(p, "{\"a\": 1, \"b\": \"x\"}");
    NO_MATCH(p, "{\"a\": 1}");
    NO_MATCH(p, "{\"a\": 1, \"b\": \"y\"}");
}

static void test_alternative_overrides_enclosing_field(void **state) {
    (void)state;
    /* event-ruler: the first alternative replaces name ["a","b"] with anything-but "a" */
    const char *p = "{\"name\": [\"a\", \"b\"], \"$or\": [{\"name\": [{\"anything-but\": \"a\"}]}, "
                    "{\"condition1\": [\"x\"]}]}";
    MATCH(p, "{\"name\": \"a\", \"condition1\": \"x\"}");
    MATCH(p, "{\"name\": \"c\"}");
    MATCH(p, "{\"name\": \"b\"}");
    NO_MATCH(p, "{\"name\": \"a\"}");
    MATCH(p, "{\"name\": \"c\", \"condition1\": \"y\"}"); /* the first alternative */
    NO_MATCH(p, "{\"name\": \"a\", \"condition1\": \"y\"}");
}

static void test_later_field_overrides_alternatives(void **state) {
    (void)state;
    /* a field after the $or replaces the alternatives' constraint on it */
    const char *p = "{\"$or\": [{\"a\": [\"1\"]}, {\"b\": [\"2\"]}], \"a\": [\"3\"]}";
    MATCH(p, "{\"a\": \"3\"}");
    MATCH(p, "{\"a\": \"3\", \"b\": \"2\"}");
    NO_MATCH(p, "{\"a\": \"1\"}");
    NO_MATCH(p, "{\"a\": \"1\", \"b\": \"2\"}");
    NO_MATCH(p, "{\"b\": \"2\"}");
}

static void test_override_of_nested_fields(void **state) {
    (void)state;
    const char *p =
        "{\"a\": {\"b\": [\"1\"]}, \"$or\": [{\"a\": {\"b\": [\"2\"]}}, {\"c\": [\"3\"]}]}";
    MATCH(p, "{\"a\": {\"b\": \"2\"}}");
    MATCH(p, "{\"a\": {\"b\": \"1\"}, \"c\": \"3\"}");
    NO_MATCH(p, "{\"a\": {\"b\": \"1\"}}");
    NO_MATCH(p, "{\"a\": {\"b\": \"3\"}, \"c\": \"3\"}");
    /* the same with the $or inside the object */
    const char *q = "{\"a\": {\"b\": [\"1\"], \"$or\": [{\"b\": [\"2\"]}, {\"c\": [\"3\"]}]}}";
    MATCH(q, "{\"a\": {\"b\": \"2\"}}");
    MATCH(q, "{\"a\": {\"b\": \"1\", \"c\": \"3\"}}");
    NO_MATCH(q, "{\"a\": {\"b\": \"1\"}}");
    NO_MATCH(q, "{\"a\": {\"c\": \"3\"}}");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_top_level),
        cmocka_unit_test(test_with_common_fields),
        cmocka_unit_test(test_alternatives_with_several_fields),
        cmocka_unit_test(test_inside_nested_object),
        cmocka_unit_test(test_nested_or),
        cmocka_unit_test(test_two_ors_multiply),
        cmocka_unit_test(test_with_exists_false),
        cmocka_unit_test(test_alternative_overrides_enclosing_field),
        cmocka_unit_test(test_later_field_overrides_alternatives),
        cmocka_unit_test(test_override_of_nested_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
