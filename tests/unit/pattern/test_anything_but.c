/* test_anything_but.c - "anything-but" with a string, a number, lists of them, and with
 * prefix, suffix, equals-ignore-case and wildcard. It never matches a missing field; it
 * matches null, booleans and values of the other type; on an array, one passing element is
 * enough. */
#include "helpers.h"

#define AB(operand) "{\"a\": [{\"anything-but\": " operand "}]}"

static void test_string(void **state) {
    (void)state;
    const char *p = AB("\"x\"");
    MATCH(p, "{\"a\": \"y\"}");
    MATCH(p, "{\"a\": \"X\"}");
    MATCH(p, "{\"a\": \"xx\"}");
    MATCH(p, "{\"a\": \"\"}");
    NO_MATCH(p, "{\"a\": \"x\"}");
    NO_MATCH(p, "{\"a\": \"\\u0078\"}"); /* the same string, escaped */
}

static void test_missing_field_never_matches(void **state) {
    (void)state;
    NO_MATCH(AB("\"x\""), "{}");
    NO_MATCH(AB("\"x\""), "{\"b\": \"y\"}");
    NO_MATCH(AB("5"), "{\"b\": 6}");
    NO_MATCH(AB("[\"x\", \"y\"]"), "{\"b\": \"z\"}");
    NO_MATCH(AB("{\"prefix\": \"x\"}"), "{\"b\": \"z\"}");
    NO_MATCH(AB("{\"suffix\": \"x\"}"), "{}");
    NO_MATCH(AB("{\"equals-ignore-case\": \"x\"}"), "{}");
    NO_MATCH(AB("{\"wildcard\": \"x*\"}"), "{}");
    /* nor an object or an empty array, which have no value */
    NO_MATCH(AB("\"x\""), "{\"a\": {\"b\": \"y\"}}");
    NO_MATCH(AB("\"x\""), "{\"a\": {}}");
    NO_MATCH(AB("\"x\""), "{\"a\": []}");
}

static void test_null_booleans_other_types(void **state) {
    (void)state;
    const char *p = AB("[\"x\", \"y\"]");
    MATCH(p, "{\"a\": null}");
    MATCH(p, "{\"a\": true}");
    MATCH(p, "{\"a\": false}");
    MATCH(p, "{\"a\": 1}"); /* a number against a string list */
    const char *n = AB("[1, 2]");
    MATCH(n, "{\"a\": \"1\"}"); /* a string against a number list */
    MATCH(n, "{\"a\": null}");
    MATCH(n, "{\"a\": false}");
    /* a number against the string operators */
    MATCH(AB("{\"prefix\": \"1\"}"), "{\"a\": 12}");
    MATCH(AB("{\"suffix\": \"2\"}"), "{\"a\": 12}");
    MATCH(AB("{\"equals-ignore-case\": \"12\"}"), "{\"a\": 12}");
    MATCH(AB("{\"wildcard\": \"*\"}"), "{\"a\": 12}");
    MATCH(AB("{\"prefix\": \"n\"}"), "{\"a\": null}");
    MATCH(AB("\"true\""), "{\"a\": true}");
}

static void test_string_list(void **state) {
    (void)state;
    const char *p = AB("[\"joe\", \"tim\"]");
    MATCH(p, "{\"a\": \"toe\"}");
    MATCH(p, "{\"a\": \"jo\"}");
    MATCH(p, "{\"a\": \"timm\"}");
    NO_MATCH(p, "{\"a\": \"joe\"}");
    NO_MATCH(p, "{\"a\": \"tim\"}");
    const char *q = AB("[\"tim\", \"time\", \"timed\"]");
    NO_MATCH(q, "{\"a\": \"tim\"}");
    NO_MATCH(q, "{\"a\": \"time\"}");
    NO_MATCH(q, "{\"a\": \"timed\"}");
    MATCH(q, "{\"a\": \"ti\"}");
    MATCH(q, "{\"a\": \"timer\"}");
}

static void test_number(void **state) {
    (void)state;
    const char *p = AB("5");
    MATCH(p, "{\"a\": 6}");
    MATCH(p, "{\"a\": -5}");
    MATCH(p, "{\"a\": 5.000001}");
    NO_MATCH(p, "{\"a\": 5}");
    NO_MATCH(p, "{\"a\": 5.0}");
    NO_MATCH(p, "{\"a\": 0.5e1}");
    MATCH(p, "{\"a\": \"5\"}");
    MATCH(p, "{\"a\": null}");
    /* by value, also for zero */
    NO_MATCH(AB("0"), "{\"a\": -0.0}");
    NO_MATCH(AB("-0"), "{\"a\": 0}");
    NO_MATCH(AB("1e300"), "{\"a\": 1.0E300}");
    MATCH(AB("1e300"), "{\"a\": 1e301}");
}

static void test_number_list(void **state) {
    (void)state;
    const char *p = AB("[111, 222, 3.5]");
    MATCH(p, "{\"a\": 444}");
    MATCH(p, "{\"a\": 3.4}");
    NO_MATCH(p, "{\"a\": 111}");
    NO_MATCH(p, "{\"a\": 222.0}");
    NO_MATCH(p, "{\"a\": 35e-1}");
    MATCH(p, "{\"a\": \"111\"}");
}

static void test_prefix(void **state) {
    (void)state;
    const char *p = AB("{\"prefix\": \"init\"}");
    MATCH(p, "{\"a\": \"running\"}");
    MATCH(p, "{\"a\": \"ini\"}");
    MATCH(p, "{\"a\": \"xinit\"}");
    MATCH(p, "{\"a\": \"INIT\"}");
    MATCH(p, "{\"a\": \"\"}");
    NO_MATCH(p, "{\"a\": \"init\"}");
    NO_MATCH(p, "{\"a\": \"initializing\"}");
    const char *l = AB("{\"prefix\": [\"$\", \"%\"]}");
    MATCH(l, "{\"a\": \"value$\"}");
    MATCH(l, "{\"a\": \"notvalue%\"}");
    NO_MATCH(l, "{\"a\": \"$notvalue\"}");
    NO_MATCH(l, "{\"a\": \"%notvalue\"}");
    /* overlapping prefixes */
    const char *o = AB("{\"prefix\": [\"ab\", \"abcd\"]}");
    NO_MATCH(o, "{\"a\": \"abc\"}");
    NO_MATCH(o, "{\"a\": \"abcde\"}");
    MATCH(o, "{\"a\": \"a\"}");
}

static void test_suffix(void **state) {
    (void)state;
    const char *p = AB("{\"suffix\": \"ing\"}");
    MATCH(p, "{\"a\": \"ran\"}");
    MATCH(p, "{\"a\": \"ingx\"}");
    NO_MATCH(p, "{\"a\": \"running\"}");
    NO_MATCH(p, "{\"a\": \"ing\"}");
    const char *l = AB("{\"suffix\": [\"$\", \"%\"]}");
    NO_MATCH(l, "{\"a\": \"value$\"}");
    NO_MATCH(l, "{\"a\": \"notvalue%\"}");
    MATCH(l, "{\"a\": \"$notvalue\"}");
    MATCH(l, "{\"a\": \"%notvalue\"}");
}

static void test_equals_ignore_case(void **state) {
    (void)state;
    const char *p = AB("{\"equals-ignore-case\": \"CamelCase\"}");
    MATCH(p, "{\"a\": \"nomatch\"}");
    MATCH(p, "{\"a\": \"CamelCases\"}");
    NO_MATCH(p, "{\"a\": \"camelcase\"}");
    NO_MATCH(p, "{\"a\": \"CAMELCASE\"}");
    const char *l = AB("{\"equals-ignore-case\": [\"yes\", \"please\"]}");
    MATCH(l, "{\"a\": \"value\"}");
    NO_MATCH(l, "{\"a\": \"YES\"}");
    NO_MATCH(l, "{\"a\": \"Please\"}");
    /* Unicode: É and é are one letter in two cases, e and é are two letters */
    const char *u = AB("{\"equals-ignore-case\": \"\xc3\x89"
                       "COLE\"}");
    NO_MATCH(u, "{\"a\": \"\xc3\xa9"
                "cole\"}");
    MATCH(u, "{\"a\": \"ecole\"}");
}

static void test_wildcard(void **state) {
    (void)state;
    const char *p = AB("{\"wildcard\": \"*foo*\"}");
    NO_MATCH(p, "{\"a\": \"foo\"}");
    NO_MATCH(p, "{\"a\": \"sfoos\"}");
    MATCH(p, "{\"a\": \"bar\"}");
    MATCH(p, "{\"a\": \"fo\"}");
    const char *l = AB("{\"wildcard\": [\"*foo*\", \"*bar*\"]}");
    NO_MATCH(l, "{\"a\": \"foo\"}");
    NO_MATCH(l, "{\"a\": \"sbar\"}");
    MATCH(l, "{\"a\": \"fobaor\"}");
    /* a literal star */
    const char *e = AB("{\"wildcard\": \"a\\\\*\"}");
    NO_MATCH(e, "{\"a\": \"a*\"}");
    MATCH(e, "{\"a\": \"ab\"}");
}

static void test_arrays_any_element(void **state) {
    (void)state;
    const char *p = AB("\"banned\"");
    MATCH(p, "{\"a\": [\"banned\", \"ok\"]}");
    MATCH(p, "{\"a\": [\"ok\", \"banned\"]}");
    NO_MATCH(p, "{\"a\": [\"banned\"]}");
    NO_MATCH(p, "{\"a\": [\"banned\", \"banned\"]}");
    /* every element excluded by the list */
    NO_MATCH(AB("[\"x\", \"y\"]"), "{\"a\": [\"x\", \"y\", \"x\"]}");
    MATCH(AB("[\"x\", \"y\"]"), "{\"a\": [\"x\", \"y\", \"z\"]}");
    NO_MATCH(AB("{\"prefix\": \"ad\"}"), "{\"a\": [\"admin\", \"adm\"]}");
    MATCH(AB("{\"prefix\": \"ad\"}"), "{\"a\": [\"admin\", \"user\"]}");
    NO_MATCH(AB("[1, 2]"), "{\"a\": [1, 2.0]}");
    MATCH(AB("[1, 2]"), "{\"a\": [1, 3]}");
}

static void test_combined_with_other_tests(void **state) {
    (void)state;
    /* two anything-buts in one list: either may pass */
    const char *p = "{\"a\": [{\"anything-but\": \"a\"}, {\"anything-but\": \"b\"}]}";
    MATCH(p, "{\"a\": \"b\"}");
    MATCH(p, "{\"a\": \"a\"}");
    MATCH(p, "{\"a\": \"c\"}");
    /* anything-but and an exact value of the same field */
    const char *q = "{\"a\": [{\"anything-but\": {\"prefix\": \"x\"}}, \"xyz\"]}";
    MATCH(q, "{\"a\": \"xyz\"}");
    MATCH(q, "{\"a\": \"abc\"}");
    NO_MATCH(q, "{\"a\": \"xy\"}");
    /* several fields */
    const char *r =
        "{\"a\": [{\"anything-but\": [\"dad0\", \"dad1\"]}], \"b\": [{\"anything-but\": "
        "[111, 222]}], \"c\": [{\"numeric\": [\">\", 0, \"<\", 1]}]}";
    MATCH(r, "{\"a\": \"child\", \"b\": 333, \"c\": 0.5}");
    NO_MATCH(r, "{\"a\": \"dad1\", \"b\": 333, \"c\": 0.5}");
    NO_MATCH(r, "{\"a\": \"child\", \"b\": 222, \"c\": 0.5}");
    NO_MATCH(r, "{\"a\": \"child\", \"b\": 333}");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_string),
        cmocka_unit_test(test_missing_field_never_matches),
        cmocka_unit_test(test_null_booleans_other_types),
        cmocka_unit_test(test_string_list),
        cmocka_unit_test(test_number),
        cmocka_unit_test(test_number_list),
        cmocka_unit_test(test_prefix),
        cmocka_unit_test(test_suffix),
        cmocka_unit_test(test_equals_ignore_case),
        cmocka_unit_test(test_wildcard),
        cmocka_unit_test(test_arrays_any_element),
        cmocka_unit_test(test_combined_with_other_tests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
