/* test_numeric.c - "numeric" comparisons: =, <, <=, >, >= and two-sided ranges. They apply
 * to JSON numbers only. */
#include "helpers.h"

#define NUM(ops) "{\"a\": [{\"numeric\": [" ops "]}]}"
#define EVN(v) "{\"a\": " v "}"

static void test_equals(void **state) {
    (void)state;
    MATCH(NUM("\"=\", 5"), EVN("5"));
    MATCH(NUM("\"=\", 5"), EVN("5.0"));
    MATCH(NUM("\"=\", 5"), EVN("0.5e1"));
    NO_MATCH(NUM("\"=\", 5"), EVN("4.99"));
    NO_MATCH(NUM("\"=\", 5"), EVN("5.0000001"));
    MATCH(NUM("\"=\", 3.018e2"), EVN("301.8"));
    MATCH(NUM("\"=\", 0"), EVN("-0"));
    MATCH(NUM("\"=\", -2.5"), EVN("-25e-1"));
}

static void test_less(void **state) {
    (void)state;
    MATCH(NUM("\"<\", 5"), EVN("4.999"));
    MATCH(NUM("\"<\", 5"), EVN("-1e300"));
    NO_MATCH(NUM("\"<\", 5"), EVN("5"));
    NO_MATCH(NUM("\"<\", 5"), EVN("6"));
    MATCH(NUM("\"<=\", 5"), EVN("5"));
    MATCH(NUM("\"<=\", 5"), EVN("5.0"));
    MATCH(NUM("\"<=\", 5"), EVN("-5"));
    NO_MATCH(NUM("\"<=\", 5"), EVN("5.0001"));
}

static void test_greater(void **state) {
    (void)state;
    MATCH(NUM("\">\", 5"), EVN("5.0001"));
    MATCH(NUM("\">\", 5"), EVN("1e300"));
    NO_MATCH(NUM("\">\", 5"), EVN("5"));
    NO_MATCH(NUM("\">\", 5"), EVN("4"));
    MATCH(NUM("\">=\", 5"), EVN("5"));
    MATCH(NUM("\">=\", 5"), EVN("50e-1"));
    NO_MATCH(NUM("\">=\", 5"), EVN("4.9999"));
}

static void test_two_sided_ranges(void **state) {
    (void)state;
    const char *p = NUM("\">\", 0, \"<=\", 5");
    NO_MATCH(p, EVN("0"));
    NO_MATCH(p, EVN("-0.0"));
    MATCH(p, EVN("0.0001"));
    MATCH(p, EVN("4.9e-324"));
    MATCH(p, EVN("5"));
    NO_MATCH(p, EVN("5.01"));
    NO_MATCH(p, EVN("-1"));
    const char *q = NUM("\">=\", 0, \"<\", 5");
    MATCH(q, EVN("0"));
    MATCH(q, EVN("-0"));
    MATCH(q, EVN("4.999999"));
    NO_MATCH(q, EVN("5"));
    const char *r = NUM("\">=\", -10, \"<\", -2");
    MATCH(r, EVN("-10"));
    MATCH(r, EVN("-2.0001"));
    NO_MATCH(r, EVN("-2"));
    NO_MATCH(r, EVN("-10.5"));
    NO_MATCH(r, EVN("5"));
    const char *w = NUM("\">\", -1e300, \"<\", 1e300");
    MATCH(w, EVN("0"));
    MATCH(w, EVN("-9.9e299"));
    NO_MATCH(w, EVN("1e300"));
    NO_MATCH(w, EVN("-1.7976931348623157e308"));
    MATCH(NUM("\">\", 124, \"<\", 126"), EVN("125"));
    MATCH(NUM("\">=\", 99.999, \"<=\", 100"), EVN("100"));
}

static void test_extreme_values(void **state) {
    (void)state;
    MATCH(NUM("\">\", 1e308"), EVN("1.7976931348623157e308"));
    MATCH(NUM("\"<\", 1e-300"), EVN("1e-301"));
    NO_MATCH(NUM("\"<\", 1e-300"), EVN("1e-299"));
    MATCH(NUM("\">\", 0"), EVN("4.9e-324"));
    NO_MATCH(NUM("\"<\", 0"), EVN("-0"));
    MATCH(NUM("\"<\", 0"), EVN("-4.9e-324"));
    /* 17 significant digits are told apart */
    MATCH(NUM("\">\", 0.1"), EVN("0.10000000000000002"));
    NO_MATCH(NUM("\">\", 0.1"), EVN("0.1"));
}

static void test_never_matches_non_numbers(void **state) {
    (void)state;
    const char *p = NUM("\">\", 0");
    NO_MATCH(p, EVN("\"5\""));
    NO_MATCH(p, EVN("\"1e3\""));
    NO_MATCH(p, EVN("true"));
    NO_MATCH(p, EVN("null"));
    NO_MATCH(p, EVN("{\"b\": 5}"));
    NO_MATCH(p, EVN("[{\"b\": 5}]"));
    NO_MATCH(p, "{}");
    NO_MATCH(NUM("\"=\", 0"), EVN("false"));
    NO_MATCH(NUM("\"=\", 0"), EVN("\"0\""));
}

static void test_arrays(void **state) {
    (void)state;
    const char *p = NUM("\">\", 0, \"<\", 10");
    MATCH(p, EVN("[100, 5, 200]"));
    NO_MATCH(p, EVN("[100, 10, 200]"));
    MATCH(p, EVN("[\"5\", 6]"));
    NO_MATCH(p, EVN("[\"5\"]"));
}

static void test_several_ranges_and_values(void **state) {
    (void)state;
    /* the list is an OR: below 0 or above 10, or exactly 5 */
    const char *p = "{\"a\": [{\"numeric\": [\"<\", 0]}, {\"numeric\": [\">\", 10]}, 5]}";
    MATCH(p, EVN("-1"));
    MATCH(p, EVN("11"));
    MATCH(p, EVN("5"));
    NO_MATCH(p, EVN("0"));
    NO_MATCH(p, EVN("10"));
    NO_MATCH(p, EVN("4"));
    /* AND across fields */
    const char *q =
        "{\"w\": [{\"numeric\": [\"<\", 1000]}], \"h\": [{\"numeric\": [\"<=\", 600]}]}";
    MATCH(q, "{\"w\": 800, \"h\": 600}");
    NO_MATCH(q, "{\"w\": 800, \"h\": 601}");
    NO_MATCH(q, "{\"w\": 1000, \"h\": 600}");
    NO_MATCH(q, "{\"w\": 800}");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equals),         cmocka_unit_test(test_less),
        cmocka_unit_test(test_greater),        cmocka_unit_test(test_two_sided_ranges),
        cmocka_unit_test(test_extreme_values), cmocka_unit_test(test_never_matches_non_numbers),
        cmocka_unit_test(test_arrays),         cmocka_unit_test(test_several_ranges_and_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
