/* test_events_invalid.c - events that are not one valid JSON object are refused with
 * SB_EINVAL and a message saying what and where; nothing matches, nothing crashes, and the
 * matcher answers the next event correctly. Validation covers the parts of the event that no
 * pattern names as well as the named ones. */
#include "helpers.h"

/* a pattern naming "a" (values decoded) but not "z" (values only validated and skipped) */
#define PAT "{\"a\": [\"x\"], \"n\": {\"m\": [{\"exists\": true}]}}"

#define BAD(event, ...) expect_event_error(PAT, (event), __VA_ARGS__, NULL)

static void test_truncated(void **state) {
    (void)state;
    BAD("{\"a\": \"x\"", "unterminated");
    BAD("{\"a\": \"x\",", "line 1");
    BAD("{\"a\": ", "end of input");
    BAD("{\"a\"", "':'");
    BAD("{", "line 1");
    BAD("{\"a\": \"x", "unterminated string");
    BAD("{\"z\": \"x", "unterminated string");
    BAD("{\"a\": [\"y\", \"x\"", "line 1");
    BAD("{\"z\": [1, [2, {\"q\": 3}", "line 1");
    BAD("{\"a\": tru", "literal");
    BAD("{\"z\": nul", "literal");
    BAD("{\"z\": 1.", "number");
    BAD("{\"a\": -", "number");
    BAD("{\"z\": 1e", "number");
    BAD("{\"z\": \"\\u00", "line 1");
}

static void test_trailing_data(void **state) {
    (void)state;
    BAD("{\"a\": \"x\"} x", "after", "column 12 (byte offset 11)");
    BAD("{\"a\": \"x\"}}", "after");
    BAD("{\"a\": \"x\"},", "after");
    BAD("{} {}", "after");
    BAD("{\"a\": \"x\"}\n\n  0", "after", "line 3, column 3 (byte offset 14)");
    /* trailing whitespace is fine */
    MATCH("{\"a\": [\"x\"]}", "\r\n {\"a\": \"x\"} \t\r\n ");
}

static void test_not_an_object(void **state) {
    (void)state;
    BAD("[{\"a\": \"x\"}]", "object", "column 1 ");
    BAD("\"x\"", "object");
    BAD("5", "object");
    BAD("null", "object");
    BAD("  true", "object", "column 3 ");
    BAD("", "empty");
    BAD(" \n\t ", "empty");
}

static void test_syntax(void **state) {
    (void)state;
    BAD("{\"a\" \"x\"}", "':'");
    BAD("{\"a\": \"x\" \"z\": 1}", "','");
    BAD("{\"a\": \"x\",}", "key");
    BAD("{\"z\": [1,]}", "line 1");
    BAD("{\"z\": [1 2]}", "','");
    BAD("{\"z\": {\"q\": 1,}}", "key");
    BAD("{\"z\": {\"q\" 1}}", "':'");
    BAD("{\"z\": {1: 2}}", "key");
    BAD("{'a': 'x'}", "key");
    BAD("{a: \"x\"}", "key");
    BAD("{\"z\": [}", "line 1");
    BAD("{\"z\": {]}", "line 1");
    BAD("{\"a\": [\"x\"}", "line 1");
}

static void test_numbers(void **state) {
    (void)state;
    const char *bad[] = {"01",  "+1",   ".5",  "1.",       "1e",        "1e+",   "-",
                         "--1", "0x10", "NaN", "Infinity", "-Infinity", "1.5.2", "1e5e5"};
    char ev[64];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(ev, sizeof ev, "{\"a\": %s}", bad[i]);
        BAD(ev, "line 1");
        snprintf(ev, sizeof ev, "{\"z\": [%s]}", bad[i]);
        BAD(ev, "line 1");
    }
}

static void test_whitespace(void **state) {
    (void)state;
    /* only space, tab, CR and LF are JSON whitespace */
    BAD("{\"a\":\f\"x\"}", "line 1");
    BAD("{\"a\":\v\"x\"}", "line 1");
    BAD("{\"a\":\xc2\xa0\"x\"}", "line 1");
}

static void test_invalid_utf8(void **state) {
    (void)state;
    const char *seqs[] = {
        "\xff",             /* never valid */
        "\x80",             /* a lone continuation byte */
        "\xc0\x80",         /* overlong NUL */
        "\xc1\xbf",         /* overlong */
        "\xe0\x80\xaf",     /* overlong */
        "\xed\xa0\x80",     /* a UTF-16 surrogate encoded in UTF-8 */
        "\xf4\x90\x80\x80", /* above U+10FFFF */
        "\xf5\x80\x80\x80", /* never valid */
        "\xe6\xac",         /* cut short before the quote */
        "\xc3x",            /* a lead byte without its continuation */
    };
    char ev[64];
    for (size_t i = 0; i < sizeof seqs / sizeof seqs[0]; i++) {
        /* in a named value, in a skipped value, in a key, deep in a skipped container */
        snprintf(ev, sizeof ev, "{\"a\": \"x%s\"}", seqs[i]);
        BAD(ev, "UTF-8", "column 9 (byte offset 8)");
        snprintf(ev, sizeof ev, "{\"z\": \"%s\"}", seqs[i]);
        BAD(ev, "UTF-8");
        snprintf(ev, sizeof ev, "{\"k%s\": 1}", seqs[i]);
        BAD(ev, "UTF-8");
        snprintf(ev, sizeof ev, "{\"z\": [{\"q\": [\"%s\"]}]}", seqs[i]);
        BAD(ev, "UTF-8");
        snprintf(ev, sizeof ev, "{\"n\": {\"m\": \"%s\"}}", seqs[i]);
        BAD(ev, "UTF-8");
    }
    /* valid multi-byte characters of every length pass */
    MATCH("{\"a\": [\"\xc3\xa9\xe6\xac\xa1\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"]}",
          "{\"z\": \"\xc3\xa9\xe6\xac\xa1\xf0\x9f\x98\x80\", \"a\": "
          "\"\xc3\xa9\xe6\xac\xa1\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"}");
}

static void test_bad_escapes(void **state) {
    (void)state;
    const char *escs[] = {"\\q",     "\\x41", "\\u12", "\\u12G4", "\\uZZZZ",
                          "\\U0041", "\\",    "\\'",   "\\0"};
    char ev[64];
    for (size_t i = 0; i < sizeof escs / sizeof escs[0]; i++) {
        snprintf(ev, sizeof ev, "{\"a\": \"x%s\"}", escs[i]);
        BAD(ev, "line 1");
        snprintf(ev, sizeof ev, "{\"z\": [\"%s\"]}", escs[i]);
        BAD(ev, "line 1");
        snprintf(ev, sizeof ev, "{\"k%s\": 1}", escs[i]);
        BAD(ev, "line 1");
    }
    BAD("{\"a\": \"x\\q\"}", "escape", "column 9 (byte offset 8)");
}

static void test_lone_surrogates(void **state) {
    (void)state;
    const char *escs[] = {"\\ud800",        "\\udbff",  "\\udc00",        "\\udfff",
                          "\\ud800\\u0041", "\\ud800x", "\\ud800\\ud800", "\\ude00\\ud83d"};
    char ev[64];
    for (size_t i = 0; i < sizeof escs / sizeof escs[0]; i++) {
        snprintf(ev, sizeof ev, "{\"a\": \"%s\"}", escs[i]);
        BAD(ev, "surrogate");
        snprintf(ev, sizeof ev, "{\"z\": {\"q\": \"%s\"}}", escs[i]);
        BAD(ev, "surrogate");
        snprintf(ev, sizeof ev, "{\"%s\": 1}", escs[i]);
        BAD(ev, "surrogate");
    }
    /* a proper pair is fine */
    MATCH("{\"a\": [\"\xf0\x9f\x98\x80\"]}",
          "{\"z\": \"\\ud83d\\ude00\", \"a\": \"\\ud83d\\ude00\"}");
}

static void test_control_characters(void **state) {
    (void)state;
    const char ctl[] = {'\n', '\t', '\r', '\x01', '\x1f', '\0'};
    for (size_t i = 0; i < sizeof ctl; i++) {
        char ev[32];
        int n = snprintf(ev, sizeof ev, "{\"a\": \"x?\"}");
        ev[8] = ctl[i]; /* replaces the '?' */
        expect_event_error_len(PAT, ev, (size_t)n, "control character", "(byte offset 8)", NULL);
        n = snprintf(ev, sizeof ev, "{\"z\": \"?\"}");
        ev[7] = ctl[i];
        expect_event_error_len(PAT, ev, (size_t)n, "control character", NULL);
        n = snprintf(ev, sizeof ev, "{\"k?\": 1}");
        ev[3] = ctl[i];
        expect_event_error_len(PAT, ev, (size_t)n, "control character", NULL);
    }
    /* DEL is not a control character for JSON */
    MATCH("{\"a\": [\"x\x7f\"]}", "{\"a\": \"x\x7f\"}");
}

static void test_position_multiline(void **state) {
    (void)state;
    BAD("{\n  \"a\": \"x\",\n  \"b\": tru\n}", "literal", "line 3, column 8 (byte offset 21)");
    BAD("{\n  \"z\": [1,\n        2,,\n  3]}", "line 3, column 11 (byte offset 23)");
}

/* Builds "{\"<key>\": " + n opening brackets + "1" + n closing brackets + "}". */
static char *nested_arrays(const char *key, size_t n) {
    size_t cap = strlen(key) + 2 * n + 16;
    char *s = test_xmalloc(cap);
    assert_non_null(s);
    size_t o = (size_t)snprintf(s, cap, "{\"%s\": ", key);
    memset(s + o, '[', n);
    o += n;
    s[o++] = '1';
    memset(s + o, ']', n);
    o += n;
    s[o++] = '}';
    s[o] = '\0';
    return s;
}

/* Builds n nested objects {"<key>": {"<key>": ... 1 ...}} (n >= 1). */
static char *nested_objects(const char *key, size_t n) {
    size_t kl = strlen(key), cap = n * (kl + 6) + 16;
    char *s = test_xmalloc(cap);
    assert_non_null(s);
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(s + o, cap - o, "{\"%s\":", key);
    s[o++] = '1';
    memset(s + o, '}', n);
    o += n;
    s[o] = '\0';
    return s;
}

static void test_nesting_limit(void **state) {
    (void)state;
    /* the limit is 256 levels of objects and arrays, the event's own object included */
    const char *pat = "{\"a\": [1]}";
    char *ok = nested_arrays("a", 255), *deep = nested_arrays("a", 256);
    assert_int_equal(match1(pat, ok), 1);
    expect_event_error(pat, deep, "nesting", NULL);
    free(ok);
    free(deep);
    /* the same through a field no pattern names */
    ok = nested_arrays("z", 255);
    deep = nested_arrays("z", 256);
    assert_int_equal(match1(pat, ok), 0);
    expect_event_error(pat, deep, "nesting", NULL);
    free(ok);
    free(deep);
    ok = nested_objects("q", 256);
    deep = nested_objects("q", 257);
    assert_int_equal(match1(pat, ok), 0);
    expect_event_error(pat, deep, "nesting", NULL);
    free(ok);
    free(deep);
}

static void test_hostile_nesting(void **state) {
    (void)state;
    /* a million brackets: refused quickly, without deep recursion */
    const size_t n = 1000000;
    char *s = nested_arrays("a", n);
    expect_event_error(PAT, s, "nesting", NULL);
    free(s);
    s = nested_arrays("z", n);
    expect_event_error(PAT, s, "nesting", NULL);
    free(s);
    s = nested_objects("n", n);
    expect_event_error(PAT, s, "nesting", NULL);
    free(s);
    /* unbalanced: only opening brackets */
    s = test_xmalloc(n + 8);
    assert_non_null(s);
    memcpy(s, "{\"z\": ", 6);
    memset(s + 6, '[', n);
    s[n + 6] = '\0';
    expect_event_error(PAT, s, "line 1", NULL);
    free(s);
}

static void test_no_partial_match(void **state) {
    (void)state;
    /* the matching field comes first; the error after it still refuses the event */
    sbt_set s;
    sbt_init(&s);
    sbt_add(&s, 1, "{\"a\": [\"x\"]}");
    sbt_add(&s, 2, "{\"b\": [{\"exists\": false}]}");
    sbt_compile(&s);
    const char *events[] = {"{\"a\": \"x\", \"z\": tru}", "{\"a\": \"x\"} junk",
                            "{\"a\": \"x\", \"z\": \"\\ud800\"}", "{\"a\": \"x\", \"a\": }"};
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++) {
        sb_error err = {0};
        const uint32_t *ids = NULL;
        int n = sb_match(s.mt, events[i], strlen(events[i]), &ids, &err);
        assert_int_equal(n, SB_EINVAL);
        assert_contains(err.msg, "invalid event");
        /* and the next event is judged on its own */
        EXPECT_IDS(&s, "{\"a\": \"x\"}", 1, 2);
        EXPECT_NONE(&s, "{\"a\": \"y\", \"b\": 1}");
    }
    sbt_free(&s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_trailing_data),
        cmocka_unit_test(test_not_an_object),
        cmocka_unit_test(test_syntax),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_whitespace),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_bad_escapes),
        cmocka_unit_test(test_lone_surrogates),
        cmocka_unit_test(test_control_characters),
        cmocka_unit_test(test_position_multiline),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_hostile_nesting),
        cmocka_unit_test(test_no_partial_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
