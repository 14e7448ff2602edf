/* test_multi.c - many patterns in one machine: exactly the right ids, each once, in the
 * order of their first addition; shared ids; several matchers; statistics; and brute-force
 * checks of ranges, prefixes and wildcards sharing one field. */
#include <math.h>

#include "helpers.h"

static void test_thousand_exact_and_friends(void **state) {
    (void)state;
    sbt_set s;
    sbt_init(&s);
    char p[64];
    for (int i = 0; i < 1000; i++) {
        snprintf(p, sizeof p, "{\"k\": [\"v%d\"]}", i);
        sbt_add(&s, (uint32_t)i + 1, p);
    }
    sbt_add(&s, 1001, "{\"k\": [{\"prefix\": \"v1\"}]}");
    sbt_add(&s, 1002, "{\"k\": [{\"prefix\": \"v99\"}]}");
    sbt_add(&s, 1003, "{\"k\": [{\"suffix\": \"7\"}]}");
    sbt_add(&s, 1004, "{\"k\": [{\"anything-but\": [\"v1\", \"v2\"]}]}");
    sbt_add(&s, 1005, "{\"k\": [{\"anything-but\": {\"prefix\": \"v9\"}}]}");
    sbt_add(&s, 1006, "{\"k\": [{\"wildcard\": \"v*5*\"}]}");
    sbt_add(&s, 1007, "{\"other\": [\"v1\"]}");
    sbt_add(&s, 1008, "{\"k\": [{\"equals-ignore-case\": \"V42\"}]}");
    sbt_add(&s, 1009, "{\"k\": [{\"numeric\": [\">\", 500]}]}");
    assert_int_equal(sb_patterns_count(s.ps), 1009);
    sbt_compile(&s);
    EXPECT_IDS(&s, "{\"k\": \"v17\"}", 18, 1001, 1003, 1004, 1005);
    EXPECT_IDS(&s, "{\"k\": \"v1\"}", 2, 1001, 1005);
    EXPECT_IDS(&s, "{\"k\": \"v2\"}", 3, 1005);
    EXPECT_IDS(&s, "{\"k\": \"v995\"}", 996, 1002, 1004, 1006);
    EXPECT_IDS(&s, "{\"k\": \"v42\"}", 43, 1004, 1005, 1008);
    EXPECT_IDS(&s, "{\"k\": \"V42\"}", 1004, 1005, 1008);
    EXPECT_IDS(&s, "{\"k\": 600}", 1004, 1005, 1009);
    EXPECT_IDS(&s, "{\"k\": 17}", 1004, 1005);
    EXPECT_IDS(&s, "{\"k\": \"nope\", \"other\": \"v1\"}", 1004, 1005, 1007);
    EXPECT_IDS(&s, "{\"k\": [\"v3\", \"v4\"]}", 4, 5, 1004, 1005);
    EXPECT_IDS(&s, "{\"k\": [\"v1\", \"v2\"]}", 2, 3, 1001, 1005);
    EXPECT_NONE(&s, "{\"x\": 1}");
    EXPECT_NONE(&s, "{\"k\": [], \"other\": \"v2\"}");
    sbt_free(&s);
}

static void test_shared_id_reported_once(void **state) {
    (void)state;
    sbt_set s;
    sbt_init(&s);
    sbt_add(&s, 5, "{\"a\": [\"1\"]}");
    sbt_add(&s, 5, "{\"b\": [\"2\"]}");
    sbt_add(&s, 5, "{\"a\": [{\"prefix\": \"1\"}]}");
    sbt_add(&s, 6, "{\"a\": [\"1\"]}");
    sbt_add(&s, 5, "{\"$or\": [{\"c\": [\"3\"]}, {\"a\": [\"1\"]}]}");
    sbt_compile(&s);
    EXPECT_IDS(&s, "{\"a\": \"1\", \"b\": \"2\", \"c\": \"3\"}", 5, 6);
    EXPECT_IDS(&s, "{\"a\": \"1\"}", 5, 6);
    EXPECT_IDS(&s, "{\"b\": \"2\"}", 5);
    EXPECT_IDS(&s, "{\"a\": [\"1\", \"10\", \"1\"]}", 5, 6);
    EXPECT_NONE(&s, "{\"b\": \"3\"}");
    sbt_free(&s);
}

static void test_order_of_first_addition(void **state) {
    (void)state;
    sbt_set s;
    sbt_init(&s);
    sbt_add(&s, 30, "{\"a\": [\"x\"]}");
    sbt_add(&s, 10, "{\"b\": [\"x\"]}");
    sbt_add(&s, 20, "{\"c\": [\"x\"]}");
    sbt_add(&s, 30, "{\"d\": [\"x\"]}");
    sbt_add(&s, 0, "{\"e\": [\"x\"]}");
    sbt_add(&s, UINT32_MAX, "{\"f\": [\"x\"]}");
    sbt_compile(&s);
    EXPECT_IDS(
        &s, "{\"f\": \"x\", \"e\": \"x\", \"d\": \"x\", \"c\": \"x\", \"b\": \"x\", \"a\": \"x\"}",
        30, 10, 20, 0, UINT32_MAX);
    EXPECT_IDS(&s, "{\"d\": \"x\", \"b\": \"x\"}", 30, 10);
    EXPECT_IDS(&s, "{\"f\": \"x\", \"c\": \"x\"}", 20, UINT32_MAX);
    EXPECT_IDS(&s, "{\"e\": \"x\"}", 0);
    sbt_free(&s);
}

static void test_identical_patterns_different_ids(void **state) {
    (void)state;
    sbt_set s;
    sbt_init(&s);
    for (uint32_t id = 1; id <= 50; id++)
        sbt_add(&s, id * 3, "{\"detail\": {\"state\": [\"running\"]}}");
    sbt_compile(&s);
    const uint32_t *ids;
    sb_error err = {0};
    const char *ev = "{\"detail\": {\"state\": \"running\"}}";
    int n = sb_match(s.mt, ev, strlen(ev), &ids, &err);
    assert_int_equal(n, 50);
    for (int i = 0; i < 50; i++)
        assert_int_equal(ids[i], (uint32_t)(i + 1) * 3);
    EXPECT_NONE(&s, "{\"detail\": {\"state\": \"stopped\"}}");
    sbt_free(&s);
}

static void test_nested_fields_sharing_prefixes(void **state) {
    (void)state;
    sbt_set s;
    sbt_init(&s);
    sbt_add(&s, 1, "{\"d\": {\"a\": [\"1\"]}}");
    sbt_add(&s, 2, "{\"d\": {\"a\": [\"1\"], \"b\": [\"2\"]}}");
    sbt_add(&s, 3, "{\"d\": {\"b\": [\"2\"]}, \"e\": [{\"exists\": false}]}");
    sbt_add(&s, 4, "{\"d\": {\"a\": {\"x\": [\"1\"]}}}");
    sbt_add(&s, 5, "{\"d\": [{\"exists\": false}]}");
    sbt_compile(&s);
    EXPECT_IDS(&s, "{\"d\": {\"a\": \"1\", \"b\": \"2\"}}", 1, 2, 3, 5);
    EXPECT_IDS(&s, "{\"d\": {\"a\": \"1\", \"b\": \"2\"}, \"e\": 0}", 1, 2, 5);
    EXPECT_IDS(&s, "{\"d\": {\"a\": {\"x\": \"1\"}}}", 4, 5);
    EXPECT_IDS(&s, "{\"d\": [{\"a\": \"1\"}, {\"b\": \"2\"}]}", 1, 3, 5);
    EXPECT_IDS(&s, "{}", 5);
    EXPECT_NONE(&s, "{\"d\": 1}");
    sbt_free(&s);
}

static void test_many_sibling_fields(void **state) {
    (void)state;
    /* 60 fields side by side, keys of equal and of different lengths */
    sbt_set s;
    sbt_init(&s);
    char p[64];
    for (int i = 0; i < 60; i++) {
        snprintf(p, sizeof p, "{\"d\": {\"f%d\": [%d]}}", i * 7, i);
        sbt_add(&s, (uint32_t)i, p);
    }
    sbt_compile(&s);
    char ev[2048];
    size_t o = (size_t)snprintf(ev, sizeof ev, "{\"d\": {");
    for (int i = 59; i >= 0; i--)
        o +=
            (size_t)snprintf(ev + o, sizeof ev - o, "%s\"f%d\": %d", i == 59 ? "" : ", ", i * 7, i);
    snprintf(ev + o, sizeof ev - o, "}}");
    uint32_t want[60];
    for (int i = 0; i < 60; i++)
        want[i] = (uint32_t)i;
    sbt_expect(&s, ev, want, 60);
    /* a few fields only, and names that are not fields */
    EXPECT_IDS(&s, "{\"d\": {\"f0\": 0, \"f413\": 59, \"f1\": 0, \"f7\": 2, \"f14\": 2}}", 0, 2,
               59);
    EXPECT_NONE(&s, "{\"d\": {\"f\": 0, \"f00\": 0, \"f4130\": 59, \"F7\": 1, \"f7 \": 1}}");
    EXPECT_NONE(&s, "{\"f7\": 1, \"d\": {\"g\": {\"f7\": 1}}}");
    sbt_free(&s);
}

static void test_dotted_keys_are_one_key(void **state) {
    (void)state;
    /* a chosen difference from event-ruler (docs/patterns.md): "a.b" is one key */
    sbt_set s;
    sbt_init(&s);
    sbt_add(&s, 1, "{\"a.b\": [\"x\"]}");
    sbt_add(&s, 2, "{\"a\": {\"b\": [\"x\"]}}");
    sbt_compile(&s);
    EXPECT_IDS(&s, "{\"a.b\": \"x\"}", 1);
    EXPECT_IDS(&s, "{\"a\": {\"b\": \"x\"}}", 2);
    EXPECT_IDS(&s, "{\"a\": {\"b\": \"x\"}, \"a.b\": \"x\"}", 1, 2);
    EXPECT_NONE(&s, "{\"a\": {\"b\": \"y\"}, \"a.b\": \"y\"}");
    sbt_free(&s);
}

static void test_no_patterns(void **state) {
    (void)state;
    sbt_set s;
    sbt_init(&s);
    sbt_compile(&s);
    EXPECT_NONE(&s, "{}");
    EXPECT_NONE(&s, "{\"a\": {\"b\": [1, {\"c\": 2}]}}");
    sb_error err = {0};
    const uint32_t *ids;
    assert_int_equal(sb_match(s.mt, "{\"a\": ", 6, &ids, &err), SB_EINVAL);
    sb_machine_stats st;
    sb_machine_stats_get(s.m, &st);
    assert_int_equal(st.patterns, 0);
    assert_int_equal(st.fields, 0);
    sbt_free(&s);
}

static void test_recompile_and_lifetimes(void **state) {
    (void)state;
    sb_error err = {0};
    sb_patterns *ps = sb_patterns_new();
    assert_non_null(ps);
    const char *p1 = "{\"a\": [\"x\"]}", *p2 = "{\"a\": [{\"prefix\": \"x\"}]}";
    assert_int_equal(sb_patterns_add(ps, 1, p1, strlen(p1), NULL, &err), SB_OK);
    sb_machine *m1 = sb_machine_compile(ps, &err);
    assert_non_null(m1);
    assert_int_equal(sb_patterns_add(ps, 2, p2, strlen(p2), NULL, &err), SB_OK);
    sb_machine *m2 = sb_machine_compile(ps, &err);
    assert_non_null(m2);
    /* the collection may go; its machines stay valid */
    sb_patterns_free(ps);
    sb_matcher *a = sb_matcher_new(m1), *b = sb_matcher_new(m2), *c = sb_matcher_new(m2);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    const uint32_t *ia, *ib, *ic;
    const char *ev = "{\"a\": \"xy\"}", *ev2 = "{\"a\": \"x\"}";
    assert_int_equal(sb_match(a, ev, strlen(ev), &ia, &err), 0);
    assert_int_equal(sb_match(b, ev, strlen(ev), &ib, &err), 1);
    assert_int_equal(ib[0], 2);
    /* two matchers of one machine do not disturb each other */
    assert_int_equal(sb_match(c, ev2, strlen(ev2), &ic, &err), 2);
    assert_int_equal(ib[0], 2);
    assert_int_equal(ic[0], 1);
    assert_int_equal(ic[1], 2);
    assert_int_equal(sb_match(a, ev2, strlen(ev2), &ia, &err), 1);
    assert_int_equal(ia[0], 1);
    sb_matcher_free(a);
    sb_matcher_free(b);
    sb_matcher_free(c);
    sb_machine_free(m1);
    sb_machine_free(m2);
    /* freeing NULL is a no-op */
    sb_matcher_free(NULL);
    sb_machine_free(NULL);
    sb_patterns_free(NULL);
}

static void test_matcher_reuse(void **state) {
    (void)state;
    /* one matcher, many events of varying shape: nothing carries over */
    sbt_set s;
    sbt_init(&s);
    sbt_add(&s, 1, "{\"a\": {\"b\": [1], \"c\": [4]}}");
    sbt_add(&s, 2, "{\"a\": {\"b\": [{\"anything-but\": 1}]}}");
    sbt_add(&s, 3, "{\"s\": [{\"equals-ignore-case\": \"\\u00e9t\\u00e9\"}]}");
    sbt_compile(&s);
    for (int round = 0; round < 3; round++) {
        EXPECT_IDS(&s, "{\"a\": [{\"b\": 1, \"c\": 4}]}", 1);
        EXPECT_IDS(&s, "{\"a\": [{\"b\": 1, \"c\": 2}, {\"b\": 3, \"c\": 4}]}", 2);
        EXPECT_IDS(&s, "{\"a\": {\"b\": 2}, \"s\": \"\\u00c9T\\u00c9\"}", 2, 3);
        EXPECT_NONE(&s, "{\"a\": {\"b\": 1}}");
        EXPECT_IDS(&s, "{\"a\": {\"b\": 1, \"c\": 4}, \"s\": \"\xc3\xa9t\xc3\xa9\"}", 1, 3);
    }
    sbt_free(&s);
}

static void test_stats(void **state) {
    (void)state;
    sbt_set s;
    sbt_init(&s);
    sbt_add(&s, 1, "{\"a\": [\"1\"]}");
    sbt_add(&s, 2, "{\"a\": [\"1\"]}"); /* the same test on the same field */
    sbt_add(&s, 2, "{\"b\": {\"c\": [{\"prefix\": \"x\"}]}}");
    sbt_compile(&s);
    sb_machine_stats st;
    memset(&st, 0xff, sizeof st);
    sb_machine_stats_get(s.m, &st);
    assert_int_equal(st.patterns, 3);
    assert_int_equal(st.fields, 2);
    assert_int_equal(st.predicates, 2);
    assert_true(st.states >= 3);
    assert_true(st.bytes > 0);
    sbt_free(&s);
}

/* ---- brute force: one field, many tests of one kind, every id checked ---- */

static void test_many_ranges(void **state) {
    (void)state;
    enum { N = 120 };
    double lo[N], hi[N];
    bool lo_in[N], hi_in[N];
    sbt_set s;
    sbt_init(&s);
    char p[160];
    for (int i = 0; i < N; i++) {
        /* overlapping ranges of many widths, some one-sided */
        lo[i] = (i * 7) % 50 - 10;
        hi[i] = lo[i] + (i % 13) + 0.5;
        lo_in[i] = i % 2 == 0;
        hi_in[i] = i % 3 == 0;
        if (i % 17 == 5) {
            snprintf(p, sizeof p, "{\"v\": [{\"numeric\": [\"%s\", %g]}]}", lo_in[i] ? ">=" : ">",
                     lo[i]);
            hi[i] = INFINITY;
        } else if (i % 17 == 11) {
            snprintf(p, sizeof p, "{\"v\": [{\"numeric\": [\"%s\", %g]}]}", hi_in[i] ? "<=" : "<",
                     hi[i]);
            lo[i] = -INFINITY;
        } else {
            snprintf(p, sizeof p, "{\"v\": [{\"numeric\": [\"%s\", %g, \"%s\", %g]}]}",
                     lo_in[i] ? ">=" : ">", lo[i], hi_in[i] ? "<=" : "<", hi[i]);
        }
        sbt_add(&s, (uint32_t)i, p);
    }
    sbt_compile(&s);
    char ev[64];
    uint32_t want[N];
    for (double d = -15; d <= 55; d += 0.25) {
        size_t nw = 0;
        for (int i = 0; i < N; i++) {
            bool above = lo_in[i] ? d >= lo[i] : d > lo[i];
            bool below = hi_in[i] ? d <= hi[i] : d < hi[i];
            if (above && below)
                want[nw++] = (uint32_t)i;
        }
        snprintf(ev, sizeof ev, "{\"v\": %.17g}", d);
        sbt_expect(&s, ev, want, nw);
    }
    sbt_free(&s);
}

static const char *const words[] = {
    "",    "a",    "ab",    "abc",   "abcd",   "abd",      "b",
    "ba",  "bab",  "cab",   "xyzzy", "x",      "\xc3\xa9", "\xc3\xa9t\xc3\xa9",
    "a*b", "a\\b", "aXbYc", "abab",  "banana", "ananas"};
#define NWORDS (sizeof words / sizeof words[0])

/* JSON string body for s (escapes backslashes; the words hold no quotes or controls). */
static void json_body(const char *s, char *out) {
    for (; *s; s++) {
        if (*s == '\\')
            *out++ = '\\';
        *out++ = *s;
    }
    *out = '\0';
}

static void test_many_prefixes_and_suffixes(void **state) {
    (void)state;
    sbt_set s;
    sbt_init(&s);
    char p[256], body[64];
    /* id 2i: prefix words[i]; id 2i+1: suffix words[i] */
    for (size_t i = 0; i < NWORDS; i++) {
        json_body(words[i], body);
        snprintf(p, sizeof p, "{\"v\": [{\"prefix\": \"%s\"}]}", body);
        sbt_add(&s, (uint32_t)(2 * i), p);
        snprintf(p, sizeof p, "{\"v\": [{\"suffix\": \"%s\"}]}", body);
        sbt_add(&s, (uint32_t)(2 * i + 1), p);
    }
    sbt_compile(&s);
    char ev[128];
    uint32_t want[2 * NWORDS];
    for (size_t j = 0; j < NWORDS; j++) {
        const char *v = words[j];
        size_t vn = strlen(v), nw = 0;
        for (size_t i = 0; i < NWORDS; i++) {
            size_t wn = strlen(words[i]);
            if (wn <= vn && memcmp(v, words[i], wn) == 0)
                want[nw++] = (uint32_t)(2 * i);
            if (wn <= vn && memcmp(v + vn - wn, words[i], wn) == 0)
                want[nw++] = (uint32_t)(2 * i + 1);
        }
        json_body(v, body);
        snprintf(ev, sizeof ev, "{\"v\": \"%s\"}", body);
        sbt_expect(&s, ev, want, nw);
    }
    sbt_free(&s);
}

/* Reference wildcard matcher: '*' any run, "\*" and "\\" literal. */
static bool glob_ref(const char *g, const char *v) {
    if (*g == '\0')
        return *v == '\0';
    if (*g == '*') {
        for (const char *t = v;; t++) {
            if (glob_ref(g + 1, t))
                return true;
            if (*t == '\0')
                return false;
        }
    }
    char lit = *g;
    if (lit == '\\')
        lit = *++g;
    return *v == lit && glob_ref(g + 1, v + 1);
}

static void test_many_wildcards(void **state) {
    (void)state;
    static const char *const globs[] = {
        "*",     "a*",   "*a",   "a*b",   "ab*",   "*ab*", "abc",   "a*b*c",  "b*a",    "",
        "*b*",   "*bab", "a*a",  "*na*s", "ba*na", "\\**", "*\\*b", "a\\\\b", "*\\\\*", "x*y*z*",
        "*abcd", "ab*d", "a*bc", "?",     "*ana*", "b*",   "*s",    "a\\*b"};
    enum { NG = sizeof globs / sizeof globs[0] };
    sbt_set s;
    sbt_init(&s);
    char p[256], body[64];
    for (size_t i = 0; i < NG; i++) {
        json_body(globs[i], body);
        snprintf(p, sizeof p, "{\"v\": [{\"wildcard\": \"%s\"}]}", body);
        sbt_add(&s, (uint32_t)i, p);
        /* the negation of every glob, as anything-but */
        snprintf(p, sizeof p, "{\"v\": [{\"anything-but\": {\"wildcard\": \"%s\"}}]}", body);
        sbt_add(&s, (uint32_t)(100 + i), p);
    }
    sbt_compile(&s);
    char ev[128];
    uint32_t want[2 * NG];
    for (size_t j = 0; j < NWORDS; j++) {
        /* ids come in the order they were added: i, 100 + i, i + 1, ... */
        size_t nw = 0;
        for (size_t i = 0; i < NG; i++)
            want[nw++] = glob_ref(globs[i], words[j]) ? (uint32_t)i : (uint32_t)(100 + i);
        json_body(words[j], body);
        snprintf(ev, sizeof ev, "{\"v\": \"%s\"}", body);
        sbt_expect(&s, ev, want, nw);
    }
    sbt_free(&s);
}

/* Reference tests on one value. */
static bool ascii_eq_fold(const char *a, const char *b) {
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
        char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
        if (x != y)
            return false;
    }
    return *a == *b;
}

static bool has_prefix(const char *v, const char *p) {
    return strncmp(v, p, strlen(p)) == 0;
}

static bool has_suffix(const char *v, const char *s) {
    size_t vn = strlen(v), sn = strlen(s);
    return sn <= vn && memcmp(v + vn - sn, s, sn) == 0;
}

static void test_mixed_string_tests_one_field(void **state) {
    (void)state;
    /* exact, equals-ignore-case, prefix, suffix, anything-but prefix and suffix, and
     * wildcards, all on one field: every id checked for every word */
    enum { EXACT, EIC, PREFIX, SUFFIX, AB_PREFIX, AB_SUFFIX, WILDCARD, NKINDS };
    static const char *const ops[] = {
        NULL, "equals-ignore-case", "prefix", "suffix", "prefix", "suffix", "wildcard"};
    static const char *const globs[] = {"a*", "*a", "ab*", "*ab", "a*b*c", "*an*", "b*a", "x*"};
    enum { NG = sizeof globs / sizeof globs[0] };
    struct {
        int kind;
        const char *operand;
    } added[NKINDS * NWORDS + NG];
    size_t nadded = 0;
    sbt_set s;
    sbt_init(&s);
    char p[256], body[64];
    for (size_t i = 0; i < NWORDS; i++) {
        json_body(words[i], body);
        for (int k = EXACT; k <= AB_SUFFIX; k++) {
            if ((k == AB_PREFIX || k == AB_SUFFIX) && words[i][0] == '\0')
                continue; /* an empty anything-but prefix or suffix is an error */
            if (k == EXACT)
                snprintf(p, sizeof p, "{\"v\": [\"%s\"]}", body);
            else if (k == AB_PREFIX || k == AB_SUFFIX)
                snprintf(p, sizeof p, "{\"v\": [{\"anything-but\": {\"%s\": \"%s\"}}]}", ops[k],
                         body);
            else
                snprintf(p, sizeof p, "{\"v\": [{\"%s\": \"%s\"}]}", ops[k], body);
            sbt_add(&s, (uint32_t)nadded, p);
            added[nadded].kind = k;
            added[nadded++].operand = words[i];
        }
    }
    for (size_t g = 0; g < NG; g++) {
        snprintf(p, sizeof p, "{\"v\": [{\"wildcard\": \"%s\"}]}", globs[g]);
        sbt_add(&s, (uint32_t)nadded, p);
        added[nadded].kind = WILDCARD;
        added[nadded++].operand = globs[g];
    }
    sbt_compile(&s);
    uint32_t want[NKINDS * NWORDS + NG];
    char ev[128];
    for (size_t j = 0; j < NWORDS; j++) {
        const char *v = words[j];
        size_t nw = 0;
        for (size_t a = 0; a < nadded; a++) {
            const char *o = added[a].operand;
            bool hit = false;
            switch (added[a].kind) {
            case EXACT:
                hit = strcmp(v, o) == 0;
                break;
            case EIC:
                hit = ascii_eq_fold(v, o);
                break;
            case PREFIX:
                hit = has_prefix(v, o);
                break;
            case SUFFIX:
                hit = has_suffix(v, o);
                break;
            case AB_PREFIX:
                hit = !has_prefix(v, o);
                break;
            case AB_SUFFIX:
                hit = !has_suffix(v, o);
                break;
            default:
                hit = glob_ref(o, v);
                break;
            }
            if (hit)
                want[nw++] = (uint32_t)a;
        }
        json_body(v, body);
        snprintf(ev, sizeof ev, "{\"v\": \"%s\"}", body);
        sbt_expect(&s, ev, want, nw);
    }
    sbt_free(&s);
}

static void test_many_anything_buts(void **state) {
    (void)state;
    /* id i excludes words[i] and words[i+1] */
    sbt_set s;
    sbt_init(&s);
    char p[256], b1[64], b2[64];
    for (size_t i = 0; i + 1 < NWORDS; i++) {
        json_body(words[i], b1);
        json_body(words[i + 1], b2);
        snprintf(p, sizeof p, "{\"v\": [{\"anything-but\": [\"%s\", \"%s\"]}]}", b1, b2);
        sbt_add(&s, (uint32_t)i, p);
    }
    sbt_compile(&s);
    char ev[128];
    uint32_t want[NWORDS];
    for (size_t j = 0; j < NWORDS; j++) {
        size_t nw = 0;
        for (size_t i = 0; i + 1 < NWORDS; i++)
            if (j != i && j != i + 1)
                want[nw++] = (uint32_t)i;
        json_body(words[j], b1);
        snprintf(ev, sizeof ev, "{\"v\": \"%s\"}", b1);
        sbt_expect(&s, ev, want, nw);
    }
    /* a number passes all of them */
    for (size_t i = 0; i + 1 < NWORDS; i++)
        want[i] = (uint32_t)i;
    sbt_expect(&s, "{\"v\": 1}", want, NWORDS - 1);
    sbt_free(&s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thousand_exact_and_friends),
        cmocka_unit_test(test_shared_id_reported_once),
        cmocka_unit_test(test_order_of_first_addition),
        cmocka_unit_test(test_identical_patterns_different_ids),
        cmocka_unit_test(test_nested_fields_sharing_prefixes),
        cmocka_unit_test(test_many_sibling_fields),
        cmocka_unit_test(test_dotted_keys_are_one_key),
        cmocka_unit_test(test_no_patterns),
        cmocka_unit_test(test_recompile_and_lifetimes),
        cmocka_unit_test(test_matcher_reuse),
        cmocka_unit_test(test_stats),
        cmocka_unit_test(test_many_ranges),
        cmocka_unit_test(test_many_prefixes_and_suffixes),
        cmocka_unit_test(test_many_wildcards),
        cmocka_unit_test(test_mixed_string_tests_one_field),
        cmocka_unit_test(test_many_anything_buts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
