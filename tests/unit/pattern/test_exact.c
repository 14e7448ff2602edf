/* test_exact.c - exact matching of strings, numbers, true, false and null; value lists are
 * OR, fields are AND, nested objects name nested fields. */
#include "helpers.h"

static void test_string_exact(void **state) {
    (void)state;
    const char *p = "{\"a\": [\"x\"]}";
    MATCH(p, "{\"a\": \"x\"}");
    NO_MATCH(p, "{\"a\": \"y\"}");
    NO_MATCH(p, "{\"a\": \"X\"}");  /* case-sensitive */
    NO_MATCH(p, "{\"a\": \"xx\"}"); /* whole value, not a prefix */
    NO_MATCH(p, "{\"a\": \"x \"}");
    NO_MATCH(p, "{\"a\": \"\"}");
    NO_MATCH(p, "{\"b\": \"x\"}"); /* field missing */
    NO_MATCH(p, "{}");
    /* other fields are ignored, wherever they are */
    MATCH(p, "{\"z\": [1, {\"q\": null}], \"a\": \"x\", \"b\": \"y\"}");
}

static void test_empty_string(void **state) {
    (void)state;
    const char *p = "{\"a\": [\"\"]}";
    MATCH(p, "{\"a\": \"\"}");
    NO_MATCH(p, "{\"a\": \" \"}");
    NO_MATCH(p, "{\"a\": null}");
    NO_MATCH(p, "{\"b\": \"\"}");
}

static void test_value_list_is_or(void **state) {
    (void)state;
    const char *p = "{\"a\": [\"x\", \"y\", \"z\"]}";
    MATCH(p, "{\"a\": \"x\"}");
    MATCH(p, "{\"a\": \"y\"}");
    MATCH(p, "{\"a\": \"z\"}");
    NO_MATCH(p, "{\"a\": \"w\"}");
    NO_MATCH(p, "{\"a\": \"xyz\"}");
}

static void test_fields_are_and(void **state) {
    (void)state;
    const char *p = "{\"a\": [\"1\"], \"b\": [\"2\"], \"c\": [\"3\"]}";
    MATCH(p, "{\"a\": \"1\", \"b\": \"2\", \"c\": \"3\"}");
    MATCH(p, "{\"c\": \"3\", \"a\": \"1\", \"b\": \"2\"}"); /* order of fields is irrelevant */
    NO_MATCH(p, "{\"a\": \"1\", \"b\": \"2\"}");
    NO_MATCH(p, "{\"a\": \"1\", \"b\": \"2\", \"c\": \"4\"}");
    NO_MATCH(p, "{\"b\": \"2\", \"c\": \"3\"}");
}

static void test_nested_fields(void **state) {
    (void)state;
    const char *p = "{\"detail\": {\"state\": [\"running\"], \"info\": {\"zone\": [\"z1\"]}}}";
    MATCH(p, "{\"detail\": {\"state\": \"running\", \"info\": {\"zone\": \"z1\"}}}");
    NO_MATCH(p, "{\"detail\": {\"state\": \"running\", \"info\": {\"zone\": \"z2\"}}}");
    NO_MATCH(p, "{\"detail\": {\"state\": \"running\"}}");
    /* the same names at other levels do not count */
    NO_MATCH(p, "{\"state\": \"running\", \"zone\": \"z1\"}");
    NO_MATCH(p, "{\"detail\": {\"state\": \"running\", \"zone\": \"z1\"}}");
    NO_MATCH(p,
             "{\"detail\": {\"detail\": {\"state\": \"running\", \"info\": {\"zone\": \"z1\"}}}}");
    /* a value where an object is expected, and the reverse */
    NO_MATCH(p, "{\"detail\": \"running\"}");
    NO_MATCH("{\"a\": [\"x\"]}", "{\"a\": {\"b\": \"x\"}}");
    NO_MATCH("{\"a\": [null]}", "{\"a\": {}}");
    /* an object under a leaf field is still validated */
    assert_int_equal(match1("{\"a\": [\"x\"]}", "{\"a\": {\"b\": tru}}"), -2);
}

static void test_numbers_by_value(void **state) {
    (void)state;
    const char *p = "{\"a\": [300]}";
    MATCH(p, "{\"a\": 300}");
    MATCH(p, "{\"a\": 300.0}");
    MATCH(p, "{\"a\": 3.0e2}");
    MATCH(p, "{\"a\": 3e2}");
    MATCH(p, "{\"a\": 3E+2}");
    MATCH(p, "{\"a\": 30000e-2}");
    MATCH(p, "{\"a\": 300.000000}");
    NO_MATCH(p, "{\"a\": 301}");
    NO_MATCH(p, "{\"a\": 299.99}");
    NO_MATCH(p, "{\"a\": -300}");
    /* spelled differently in the pattern */
    MATCH("{\"a\": [3.0e2]}", "{\"a\": 300}");
    MATCH("{\"a\": [300.0]}", "{\"a\": 3e2}");
    MATCH("{\"a\": [1.5]}", "{\"a\": 15e-1}");
    MATCH("{\"a\": [1.5]}", "{\"a\": 1.50}");
    NO_MATCH("{\"a\": [1.5]}", "{\"a\": 1.4}");
}

static void test_numbers_never_match_strings(void **state) {
    (void)state;
    NO_MATCH("{\"a\": [300]}", "{\"a\": \"300\"}");
    NO_MATCH("{\"a\": [\"300\"]}", "{\"a\": 300}");
    MATCH("{\"a\": [\"300\"]}", "{\"a\": \"300\"}");
    NO_MATCH("{\"a\": [\"300\"]}", "{\"a\": \"3e2\"}"); /* strings compare as strings */
    NO_MATCH("{\"a\": [\"300\"]}", "{\"a\": \"300.0\"}");
    NO_MATCH("{\"a\": [1]}", "{\"a\": true}");
    NO_MATCH("{\"a\": [0]}", "{\"a\": false}");
    NO_MATCH("{\"a\": [0]}", "{\"a\": null}");
}

static void test_negative_numbers(void **state) {
    (void)state;
    const char *p = "{\"a\": [-5]}";
    MATCH(p, "{\"a\": -5}");
    MATCH(p, "{\"a\": -5.0}");
    MATCH(p, "{\"a\": -0.5e1}");
    NO_MATCH(p, "{\"a\": 5}");
    NO_MATCH(p, "{\"a\": \"-5\"}");
    MATCH("{\"a\": [-122.42916360922355]}", "{\"a\": -122.429163609223550}");
}

static void test_minus_zero_is_zero(void **state) {
    (void)state;
    MATCH("{\"a\": [0]}", "{\"a\": -0}");
    MATCH("{\"a\": [0]}", "{\"a\": -0.0}");
    MATCH("{\"a\": [0]}", "{\"a\": 0e10}");
    MATCH("{\"a\": [-0]}", "{\"a\": 0}");
    MATCH("{\"a\": [-0.0]}", "{\"a\": 0.0}");
    NO_MATCH("{\"a\": [0]}", "{\"a\": 1e-300}");
}

static void test_large_and_small_numbers(void **state) {
    (void)state;
    MATCH("{\"a\": [1e300]}", "{\"a\": 1.0E300}");
    MATCH("{\"a\": [1e300]}", "{\"a\": 10e299}");
    NO_MATCH("{\"a\": [1e300]}", "{\"a\": 1e301}");
    NO_MATCH("{\"a\": [1e300]}", "{\"a\": 1e299}");
    MATCH("{\"a\": [-1e300]}", "{\"a\": -1.0e300}");
    MATCH("{\"a\": [1.7976931348623157e308]}", "{\"a\": 1.7976931348623157E+308}");
    MATCH("{\"a\": [1e-300]}", "{\"a\": 1.0e-300}");
    MATCH("{\"a\": [1e-300]}", "{\"a\": 0.1e-299}");
    NO_MATCH("{\"a\": [1e-300]}", "{\"a\": 1e-301}");
    NO_MATCH("{\"a\": [1e-300]}", "{\"a\": 0}");
    /* the smallest subnormal, spelled two ways */
    MATCH("{\"a\": [4.9e-324]}", "{\"a\": 49e-325}");
    NO_MATCH("{\"a\": [4.9e-324]}", "{\"a\": 0}");
    NO_MATCH("{\"a\": [4.9e-324]}", "{\"a\": -4.9e-324}");
}

static void test_decimal_precision(void **state) {
    (void)state;
    /* 0.1 + 0.2 is not 0.3 in doubles; each spelling matches itself */
    NO_MATCH("{\"a\": [0.30000000000000004]}", "{\"a\": 0.3}");
    MATCH("{\"a\": [0.30000000000000004]}", "{\"a\": 0.30000000000000004}");
    MATCH("{\"a\": [0.3]}", "{\"a\": 0.30}");
    MATCH("{\"a\": [123456789012]}", "{\"a\": 123456789012}"); /* an account number */
    NO_MATCH("{\"a\": [123456789012]}", "{\"a\": 123456789013}");
}

static void test_true_false_null(void **state) {
    (void)state;
    MATCH("{\"a\": [true]}", "{\"a\": true}");
    NO_MATCH("{\"a\": [true]}", "{\"a\": false}");
    NO_MATCH("{\"a\": [true]}", "{\"a\": \"true\"}");
    NO_MATCH("{\"a\": [true]}", "{\"a\": 1}");
    NO_MATCH("{\"a\": [true]}", "{\"a\": null}");
    MATCH("{\"a\": [false]}", "{\"a\": false}");
    NO_MATCH("{\"a\": [false]}", "{\"a\": true}");
    NO_MATCH("{\"a\": [false]}", "{\"a\": 0}");
    NO_MATCH("{\"a\": [false]}", "{\"a\": null}");
    NO_MATCH("{\"a\": [false]}", "{}");
    MATCH("{\"a\": [null]}", "{\"a\": null}");
    NO_MATCH("{\"a\": [null]}", "{\"a\": \"null\"}");
    NO_MATCH("{\"a\": [null]}", "{\"a\": false}");
    NO_MATCH("{\"a\": [null]}", "{\"a\": 0}");
    NO_MATCH("{\"a\": [null]}", "{\"a\": \"\"}");
    NO_MATCH("{\"a\": [null]}", "{}"); /* missing is not null */
    NO_MATCH("{\"a\": [\"true\"]}", "{\"a\": true}");
    NO_MATCH("{\"a\": [\"null\"]}", "{\"a\": null}");
}

static void test_mixed_value_list(void **state) {
    (void)state;
    const char *p = "{\"a\": [1, \"one\", true, null]}";
    MATCH(p, "{\"a\": 1}");
    MATCH(p, "{\"a\": 1.0}");
    MATCH(p, "{\"a\": \"one\"}");
    MATCH(p, "{\"a\": true}");
    MATCH(p, "{\"a\": null}");
    NO_MATCH(p, "{\"a\": \"1\"}");
    NO_MATCH(p, "{\"a\": false}");
    NO_MATCH(p, "{\"a\": 2}");
}

static void test_escapes_and_unicode(void **state) {
    (void)state;
    /* escapes in the event and in the pattern denote the same characters */
    MATCH("{\"a\": [\"\xc3\xa9t\xc3\xa9\"]}", "{\"a\": \"\\u00e9t\\u00E9\"}");
    MATCH("{\"a\": [\"\\u00e9t\\u00e9\"]}", "{\"a\": \"\xc3\xa9t\xc3\xa9\"}");
    MATCH("{\"a\": [\"q\\\"uo\\\\te\"]}", "{\"a\": \"q\\u0022uo\\u005cte\"}");
    MATCH("{\"a\": [\"tab\\there\"]}", "{\"a\": \"tab\\u0009here\"}");
    MATCH("{\"a\": [\"a/b\"]}", "{\"a\": \"a\\/b\"}");
    MATCH("{\"a\": [\"\\b\\f\\n\\r\\t\"]}", "{\"a\": \"\\u0008\\u000c\\u000a\\u000d\\u0009\"}");
    /* a surrogate pair and the UTF-8 it stands for */
    MATCH("{\"a\": [\"\xf0\x9f\x98\x80\"]}", "{\"a\": \"\\ud83d\\ude00\"}");
    MATCH("{\"a\": [\"\\uD83D\\uDE00\"]}", "{\"a\": \"\xf0\x9f\x98\x80\"}");
    NO_MATCH("{\"a\": [\"\xf0\x9f\x98\x80\"]}", "{\"a\": \"\\ud83d\\ude01\"}");
    /* escaped keys */
    MATCH("{\"k\\\"ey\": [\"v\"]}", "{\"k\\u0022ey\": \"v\"}");
    MATCH("{\"d\\u00e9tail\": {\"x\": [\"v\"]}}", "{\"d\xc3\xa9tail\": {\"\\u0078\": \"v\"}}");
    /* precomposed and decomposed forms are different strings (no normalisation) */
    NO_MATCH("{\"a\": [\"\xc3\xa9\"]}", "{\"a\": \"e\xcc\x81\"}");
}

/* Writes a JSON object with one member: key of n 'k's, every one escaped as \u006b when
 * `escape`, and value "v". */
static char *long_key_event(size_t n, bool escape) {
    char *s = test_xmalloc(n * 6 + 32);
    assert_non_null(s);
    size_t o = 0;
    s[o++] = '{';
    s[o++] = '"';
    for (size_t i = 0; i < n; i++) {
        if (escape) {
            memcpy(s + o, "\\u006b", 6);
            o += 6;
        } else {
            s[o++] = 'k';
        }
    }
    memcpy(s + o, "\": \"v\"}", 8); /* with its NUL */
    return s;
}

static void test_long_and_escaped_keys(void **state) {
    (void)state;
    const size_t lens[] = {1, 42, 43, 255, 256, 300, 5000};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        size_t n = lens[i];
        char *pat = test_xmalloc(n + 32);
        assert_non_null(pat);
        memset(pat, 'k', n + 2);
        memcpy(pat, "{\"", 2);
        memcpy(pat + 2 + n, "\": [\"v\"]}", 10); /* with its NUL */
        char *plain = long_key_event(n, false), *escaped = long_key_event(n, true);
        MATCH(pat, plain);
        MATCH(pat, escaped); /* the escaped key is the same key */
        char *shorter = long_key_event(n - 1 + (n == 1), true);
        if (n > 1)
            NO_MATCH(pat, shorter);
        free(shorter);
        free(plain);
        free(escaped);
        free(pat);
    }
}

static void test_embedded_nul(void **state) {
    (void)state;
    const char *p = "{\"a\": [\"x\\u0000y\"]}";
    MATCH(p, "{\"a\": \"x\\u0000y\"}");
    NO_MATCH(p, "{\"a\": \"x\"}");
    NO_MATCH(p, "{\"a\": \"xy\"}");
    NO_MATCH("{\"a\": [\"x\"]}", "{\"a\": \"x\\u0000\"}");
}

static void test_long_values(void **state) {
    (void)state;
    enum { N = 20000 };
    char *v = test_xmalloc(N + 1);
    assert_non_null(v);
    memset(v, 'q', N);
    v[N] = '\0';
    size_t cap = N + 64;
    char *pat = test_xmalloc(cap), *ev = test_xmalloc(cap);
    assert_non_null(pat);
    assert_non_null(ev);
    snprintf(pat, cap, "{\"a\": [\"%s\"]}", v);
    snprintf(ev, cap, "{\"a\": \"%s\"}", v);
    MATCH(pat, ev);
    ev[N / 2 + 7] = 'r'; /* one byte different in the middle */
    NO_MATCH(pat, ev);
    free(v);
    free(pat);
    free(ev);
}

static void test_event_length_is_respected(void **state) {
    (void)state;
    /* the event need not be NUL-terminated: only len bytes count */
    const char *text = "{\"a\": \"x\"}{\"a\": \"y\"}";
    assert_int_equal(match1_len("{\"a\": [\"x\"]}", text, 10), 1);
    assert_int_equal(match1_len("{\"a\": [\"y\"]}", text, 10), 0);
    /* a string cut short by len is unterminated */
    assert_int_equal(match1_len("{\"a\": [\"x\"]}", "{\"a\": \"xyz\"}", 9), -2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_string_exact),
        cmocka_unit_test(test_empty_string),
        cmocka_unit_test(test_value_list_is_or),
        cmocka_unit_test(test_fields_are_and),
        cmocka_unit_test(test_nested_fields),
        cmocka_unit_test(test_numbers_by_value),
        cmocka_unit_test(test_numbers_never_match_strings),
        cmocka_unit_test(test_negative_numbers),
        cmocka_unit_test(test_minus_zero_is_zero),
        cmocka_unit_test(test_large_and_small_numbers),
        cmocka_unit_test(test_decimal_precision),
        cmocka_unit_test(test_true_false_null),
        cmocka_unit_test(test_mixed_value_list),
        cmocka_unit_test(test_escapes_and_unicode),
        cmocka_unit_test(test_long_and_escaped_keys),
        cmocka_unit_test(test_embedded_nul),
        cmocka_unit_test(test_long_values),
        cmocka_unit_test(test_event_length_is_respected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
