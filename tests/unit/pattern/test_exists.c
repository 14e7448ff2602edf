/* test_exists.c - {"exists": true} matches any leaf value (null included) but not an empty
 * array or an object; {"exists": false} matches a missing field, an empty array and an object.
 * [null] matches JSON null only. */
#include "helpers.h"

#define EXISTS "{\"a\": [{\"exists\": true}]}"
#define ABSENT "{\"a\": [{\"exists\": false}]}"

static void test_exists_true(void **state) {
    (void)state;
    MATCH(EXISTS, "{\"a\": \"x\"}");
    MATCH(EXISTS, "{\"a\": \"\"}");
    MATCH(EXISTS, "{\"a\": 0}");
    MATCH(EXISTS, "{\"a\": -1.5e10}");
    MATCH(EXISTS, "{\"a\": true}");
    MATCH(EXISTS, "{\"a\": false}");
    MATCH(EXISTS, "{\"a\": null}");
    MATCH(EXISTS, "{\"a\": [1]}");
    MATCH(EXISTS, "{\"a\": [[], [null]]}");
    NO_MATCH(EXISTS, "{}");
    NO_MATCH(EXISTS, "{\"b\": 1}");
    NO_MATCH(EXISTS, "{\"a\": []}");
    NO_MATCH(EXISTS, "{\"a\": [[]]}");
    NO_MATCH(EXISTS, "{\"a\": {}}");
    NO_MATCH(EXISTS, "{\"a\": {\"b\": 1}}");
    NO_MATCH(EXISTS, "{\"a\": [{\"b\": 1}]}");
}

static void test_exists_false(void **state) {
    (void)state;
    MATCH(ABSENT, "{}");
    MATCH(ABSENT, "{\"b\": 1}");
    MATCH(ABSENT, "{\"a\": []}");
    MATCH(ABSENT, "{\"a\": [[], []]}");
    MATCH(ABSENT, "{\"a\": {}}");
    MATCH(ABSENT, "{\"a\": {\"b\": 1}}");
    MATCH(ABSENT, "{\"a\": [{\"b\": 1}]}");
    MATCH(ABSENT, "{\"A\": 1}"); /* names are case-sensitive */
    NO_MATCH(ABSENT, "{\"a\": null}");
    NO_MATCH(ABSENT, "{\"a\": \"\"}");
    NO_MATCH(ABSENT, "{\"a\": false}");
    NO_MATCH(ABSENT, "{\"a\": 0}");
    NO_MATCH(ABSENT, "{\"a\": [null]}");
    NO_MATCH(ABSENT, "{\"a\": [1, 2]}");
}

static void test_nested(void **state) {
    (void)state;
    const char *t = "{\"d\": {\"x\": [{\"exists\": true}]}}";
    MATCH(t, "{\"d\": {\"x\": 1}}");
    NO_MATCH(t, "{\"x\": 1}");
    NO_MATCH(t, "{\"d\": {\"y\": 1}}");
    NO_MATCH(t, "{\"d\": \"x\"}");
    const char *f = "{\"d\": {\"x\": [{\"exists\": false}]}}";
    MATCH(f, "{}");
    MATCH(f, "{\"d\": \"x\"}");
    MATCH(f, "{\"d\": {\"y\": 1}}");
    MATCH(f, "{\"x\": 1}");
    NO_MATCH(f, "{\"d\": {\"x\": 1}}");
    NO_MATCH(f, "{\"d\": {\"x\": null}}");
}

static void test_with_other_fields(void **state) {
    (void)state;
    const char *p = "{\"foo\": [\"a\"], \"bar\": [{\"exists\": false}]}";
    MATCH(p, "{\"foo\": \"a\"}");
    NO_MATCH(p, "{\"foo\": \"a\", \"bar\": \"1\"}");
    NO_MATCH(p, "{\"foo\": \"b\"}");
    const char *q = "{\"foo\": [\"a\"], \"bar\": [{\"exists\": true}]}";
    MATCH(q, "{\"foo\": \"a\", \"bar\": \"1\"}");
    NO_MATCH(q, "{\"foo\": \"a\"}");
    /* three fields absent */
    const char *r = "{\"x\": {\"c\": [{\"exists\": false}]}, \"d\": [{\"exists\": false}], \"e\": "
                    "[{\"exists\": false}]}";
    MATCH(r, "{}");
    MATCH(r, "{\"x\": {\"z\": 1}, \"f\": 2}");
    NO_MATCH(r, "{\"e\": 1}");
    NO_MATCH(r, "{\"x\": {\"c\": 1}}");
}

static void test_exists_false_or_a_value(void **state) {
    (void)state;
    /* absent, or present with value "1" */
    const char *p = "{\"a\": [{\"exists\": false}, \"1\"]}";
    MATCH(p, "{}");
    MATCH(p, "{\"a\": \"1\"}");
    NO_MATCH(p, "{\"a\": \"2\"}");
    /* present or absent: always */
    const char *q = "{\"a\": [{\"exists\": true}, {\"exists\": false}]}";
    MATCH(q, "{}");
    MATCH(q, "{\"a\": 1}");
}

static void test_null_exact(void **state) {
    (void)state;
    const char *p = "{\"a\": [null]}";
    MATCH(p, "{\"a\": null}");
    MATCH(p, "{\"a\": [1, null]}");
    NO_MATCH(p, "{}");
    NO_MATCH(p, "{\"a\": []}");
    NO_MATCH(p, "{\"a\": \"null\"}");
    NO_MATCH(p, "{\"a\": false}");
    NO_MATCH(p, "{\"a\": 0}");
    NO_MATCH(p, "{\"a\": {}}");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exists_true),
        cmocka_unit_test(test_exists_false),
        cmocka_unit_test(test_nested),
        cmocka_unit_test(test_with_other_fields),
        cmocka_unit_test(test_exists_false_or_a_value),
        cmocka_unit_test(test_null_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
