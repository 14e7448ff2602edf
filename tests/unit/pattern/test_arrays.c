/* test_arrays.c - arrays in events: a field matches when any element does; fields matched
 * inside an array of objects must come from the same element (array consistency), and
 * exists:false is judged per element there. */
#include "helpers.h"

static void test_any_element(void **state) {
    (void)state;
    const char *p = "{\"a\": [\"x\"]}";
    MATCH(p, "{\"a\": [\"x\"]}");
    MATCH(p, "{\"a\": [\"y\", \"x\"]}");
    MATCH(p, "{\"a\": [1, null, [true], \"x\"]}");
    MATCH(p, "{\"a\": [1, null, {\"b\": 2}, \"x\"]}");
    MATCH(p, "{\"a\": [[\"y\"], [[\"x\"]]]}");
    NO_MATCH(p, "{\"a\": []}");
    NO_MATCH(p, "{\"a\": [\"y\", \"z\"]}");
    NO_MATCH(p, "{\"a\": [[]]}");
}

static void test_arrays_of_objects(void **state) {
    (void)state;
    const char *p = "{\"a\": {\"b\": [\"1\"]}}";
    MATCH(p, "{\"a\": [{\"b\": \"2\"}, {\"b\": \"1\"}]}");
    MATCH(p, "{\"a\": [{\"b\": [\"0\", \"1\"]}]}");
    MATCH(p, "{\"a\": [[{\"b\": \"1\"}]]}");
    MATCH(p, "{\"a\": [[{\"b\": [[\"1\"]]}]]}");
    NO_MATCH(p, "{\"a\": [{\"b\": \"2\"}, {\"c\": \"1\"}]}");
    /* a field outside the array with one inside */
    const char *q = "{\"top\": [\"t\"], \"a\": {\"b\": [\"1\"]}}";
    MATCH(q, "{\"top\": \"t\", \"a\": [{\"b\": \"2\"}, {\"b\": \"1\"}]}");
    NO_MATCH(q, "{\"top\": \"u\", \"a\": [{\"b\": \"2\"}, {\"b\": \"1\"}]}");
}

static void test_consistency(void **state) {
    (void)state;
    const char *p = "{\"a\": {\"b\": [1], \"c\": [4]}}";
    NO_MATCH(p, "{\"a\": [{\"b\": 1, \"c\": 2}, {\"b\": 3, \"c\": 4}]}");
    MATCH(p, "{\"a\": [{\"b\": 1, \"c\": 4}]}");
    MATCH(p, "{\"a\": [{\"b\": 3, \"c\": 2}, {\"b\": 1, \"c\": 4}]}");
    MATCH(p, "{\"a\": {\"b\": 1, \"c\": 4}}");
    NO_MATCH(p, "{\"a\": [{\"b\": 1}, {\"c\": 4}]}");
    /* the same element in a nested array of objects */
    NO_MATCH(p, "{\"a\": [[{\"b\": 1}], [{\"c\": 4}]]}");
    NO_MATCH(p, "{\"a\": [[{\"b\": 1}, {\"c\": 4}]]}");
    MATCH(p, "{\"a\": [[{\"b\": 1, \"c\": 4}]]}");
}

static void test_consistency_at_depth(void **state) {
    (void)state;
    const char *p = "{\"a\": {\"b\": {\"x\": [{\"exists\": true}], \"y\": [{\"exists\": true}]}}}";
    MATCH(p, "{\"a\": [{\"b\": [{\"x\": 1, \"y\": 2}]}]}");
    NO_MATCH(p, "{\"a\": [{\"b\": [{\"x\": 1}, {\"y\": 2}]}]}");
    NO_MATCH(p, "{\"a\": [{\"b\": {\"x\": 1}}, {\"b\": {\"y\": 2}}]}");
    MATCH(p, "{\"a\": [{\"b\": {\"x\": 1}}, {\"b\": {\"x\": 3, \"y\": 2}}]}");
    /* a field of the element and a field of an object inside it */
    const char *q = "{\"a\": {\"b\": [\"1\"], \"c\": {\"d\": [\"2\"]}}}";
    MATCH(q, "{\"a\": [{\"b\": \"1\", \"c\": {\"d\": \"2\"}}]}");
    NO_MATCH(q, "{\"a\": [{\"b\": \"1\", \"c\": {\"d\": \"3\"}}, {\"b\": \"0\", \"c\": {\"d\": "
                "\"2\"}}]}");
}

static void test_leaf_arrays_inside_elements(void **state) {
    (void)state;
    /* values of a leaf array belong to the element that holds it */
    const char *p = "{\"d\": {\"tags\": [\"admin\"], \"type\": [\"x\"]}}";
    MATCH(p, "{\"d\": [{\"tags\": [\"user\", \"admin\"], \"type\": \"x\"}]}");
    MATCH(p, "{\"d\": {\"tags\": [\"user\", \"admin\"], \"type\": \"x\"}}");
    NO_MATCH(p, "{\"d\": [{\"tags\": [\"admin\"]}, {\"type\": \"x\"}]}");
    NO_MATCH(p, "{\"d\": [{\"tags\": [\"admin\"], \"type\": \"y\"}, {\"tags\": [\"user\"], "
                "\"type\": \"x\"}]}");
}

static void test_separate_arrays_do_not_constrain(void **state) {
    (void)state;
    const char *p = "{\"a\": {\"x\": [\"1\"]}, \"b\": {\"y\": [\"2\"]}}";
    MATCH(p, "{\"a\": [{\"x\": \"0\"}, {\"x\": \"1\"}], \"b\": [{\"y\": \"2\"}, {\"y\": \"3\"}]}");
    NO_MATCH(p, "{\"a\": [{\"x\": \"0\"}], \"b\": [{\"y\": \"2\"}]}");
}

static void test_with_other_operators(void **state) {
    (void)state;
    const char *ab = "{\"u\": {\"s\": [{\"anything-but\": \"banned\"}], \"n\": [{\"exists\": "
                     "true}]}}";
    MATCH(ab, "{\"u\": [{\"n\": \"alice\", \"s\": \"banned\"}, {\"n\": \"bob\", \"s\": "
              "\"active\"}]}");
    NO_MATCH(ab, "{\"u\": [{\"n\": \"alice\", \"s\": \"banned\"}, {\"s\": \"active\"}]}");
    const char *num = "{\"i\": {\"p\": [{\"numeric\": [\">\", 0, \"<\", 100]}], \"n\": "
                      "[{\"exists\": true}]}}";
    MATCH(num, "{\"i\": [{\"n\": \"w\", \"p\": 50}, {\"n\": \"g\", \"p\": 200}]}");
    NO_MATCH(num, "{\"i\": [{\"n\": \"w\", \"p\": 200}, {\"p\": 50}]}");
    const char *pre = "{\"d\": {\"name\": [{\"prefix\": \"al\"}], \"status\": [{\"exists\": "
                      "true}]}}";
    MATCH(pre, "{\"d\": [{\"name\": \"alice\", \"status\": \"ok\"}]}");
    NO_MATCH(pre, "{\"d\": [{\"name\": \"alice\"}, {\"status\": \"ok\"}]}");
}

static void test_exists_false_per_element(void **state) {
    (void)state;
    const char *p = "{\"d\": {\"a\": [{\"exists\": true}], \"b\": [{\"exists\": false}]}}";
    MATCH(p, "{\"d\": [{\"a\": 1}]}");
    NO_MATCH(p, "{\"d\": [{\"a\": 1, \"b\": 2}]}");
    MATCH(p, "{\"d\": [{\"a\": 1, \"b\": 2}, {\"a\": 3}]}");
    NO_MATCH(p, "{\"d\": [{\"a\": 1, \"b\": 2}, {\"b\": 3}]}");
    MATCH(p, "{\"d\": {\"a\": 1}}");
    NO_MATCH(p, "{\"d\": {\"a\": 1, \"b\": 2}}");
    /* the event-ruler example: Anna has no ids, John has */
    const char *e = "{\"employees\": {\"firstName\": [\"Anna\"], \"ids\": [{\"exists\": false}]}}";
    MATCH(e, "{\"employees\": [[{\"firstName\": \"John\", \"ids\": [1234, 1000]}, "
             "{\"firstName\": \"Anna\", \"lastName\": \"Smith\"}], [{\"firstName\": \"Peter\", "
             "\"ids\": []}]]}");
    NO_MATCH(e, "{\"employees\": [[{\"firstName\": \"John\"}, {\"firstName\": \"Anna\", \"ids\": "
                "[1]}]]}");
}

static void test_long_array(void **state) {
    (void)state;
    enum { N = 10000 };
    size_t cap = (size_t)N * 16 + 64;
    char *ev = test_xmalloc(cap);
    assert_non_null(ev);
    size_t o = (size_t)snprintf(ev, cap, "{\"a\": [");
    for (int i = 0; i < N; i++)
        o += (size_t)snprintf(ev + o, cap - o, "%s{\"b\": %d}", i ? "," : "", i);
    snprintf(ev + o, cap - o, "]}");
    MATCH("{\"a\": {\"b\": [9999]}}", ev);
    NO_MATCH("{\"a\": {\"b\": [10000]}}", ev);
    MATCH("{\"a\": {\"b\": [{\"numeric\": [\">=\", 9999]}]}}", ev);
    free(ev);
}

/* Appends n copies of item, comma-separated, at s + *o. */
static void repeat(char *s, size_t *o, size_t cap, const char *item, size_t n) {
    for (size_t i = 0; i < n; i++) {
        *o += (size_t)snprintf(s + *o, cap - *o, "%s%s", i ? "," : "", item);
        if (*o >= cap)
            fail_msg("event buffer too small");
    }
}

static void test_leaves_that_cannot_conflict(void **state) {
    (void)state;
    /* 5000 x 5000 pairs of leaves that can never conflict (one array of scalars each, or the
     * same element): the answer must not cost a walk per pair */
    enum { N = 5000 };
    size_t cap = (size_t)N * 8 + 64, o = 0;
    char *ev = test_xmalloc(cap);
    o += (size_t)snprintf(ev + o, cap - o, "{\"x\": [");
    repeat(ev, &o, cap, "1", N);
    o += (size_t)snprintf(ev + o, cap - o, "], \"y\": [");
    repeat(ev, &o, cap, "2", N);
    snprintf(ev + o, cap - o, "], \"w\": [{\"q\": 1}]}");
    MATCH("{\"x\": [1], \"y\": [2], \"w\": {\"q\": [1]}}", ev);
    NO_MATCH("{\"x\": [1], \"y\": [3], \"w\": {\"q\": [1]}}", ev);
    o = 0;
    o += (size_t)snprintf(ev + o, cap - o, "{\"a\": [{\"b\": [");
    repeat(ev, &o, cap, "1", N);
    o += (size_t)snprintf(ev + o, cap - o, "], \"c\": [");
    repeat(ev, &o, cap, "2", N);
    snprintf(ev + o, cap - o, "]}]}");
    MATCH("{\"a\": {\"b\": [1], \"c\": [2]}}", ev);
    NO_MATCH("{\"a\": {\"b\": [1], \"c\": [3]}}", ev);
    free(ev);
}

static void test_work_limit(void **state) {
    (void)state;
    /* 5000 x 5000 pairs of leaves from different sub-arrays of one element: the answer is
     * either right or, past the documented step limit, SB_ELIMIT; never a hang or a wrong
     * answer, and the matcher is fine afterwards */
    enum { N = 5000 };
    size_t cap = (size_t)N * 24 + 64, o = 0;
    char *ev = test_xmalloc(cap);
    o += (size_t)snprintf(ev + o, cap - o, "{\"a\": [{\"b\": [");
    repeat(ev, &o, cap, "{\"x\": 1}", N);
    o += (size_t)snprintf(ev + o, cap - o, "], \"c\": [");
    repeat(ev, &o, cap, "{\"y\": 2}", N);
    snprintf(ev + o, cap - o, "]}]}");
    sbt_set s;
    sbt_init(&s);
    sbt_add(&s, 1, "{\"a\": {\"b\": {\"x\": [1]}, \"c\": {\"y\": [2]}}}");
    sbt_compile(&s);
    sb_error err = {0};
    const uint32_t *ids;
    int n = sb_match(s.mt, ev, strlen(ev), &ids, &err);
    if (n == SB_ELIMIT)
        assert_contains(err.msg, "too complex");
    else if (n != 1 || ids[0] != 1)
        fail_msg("got %d", n);
    EXPECT_NONE(&s, "{\"a\": [{\"b\": {\"x\": 1}}, {\"c\": {\"y\": 2}}]}");
    EXPECT_IDS(&s, "{\"a\": [{\"b\": [{\"x\": 1}], \"c\": {\"y\": 2}}]}", 1);
    sbt_free(&s);
    free(ev);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_any_element),
        cmocka_unit_test(test_arrays_of_objects),
        cmocka_unit_test(test_consistency),
        cmocka_unit_test(test_consistency_at_depth),
        cmocka_unit_test(test_leaf_arrays_inside_elements),
        cmocka_unit_test(test_separate_arrays_do_not_constrain),
        cmocka_unit_test(test_with_other_operators),
        cmocka_unit_test(test_exists_false_per_element),
        cmocka_unit_test(test_long_array),
        cmocka_unit_test(test_leaves_that_cannot_conflict),
        cmocka_unit_test(test_work_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
