/* helpers.h - shared helpers of the pattern unit tests (cmocka).
 *
 * match1() compiles one pattern and matches one event; sbt_set builds a machine of many
 * patterns and checks the exact id sets events produce; expect_pattern_error() and
 * expect_event_error() check that invalid input is refused with a useful message.
 * Everything here is static inline so that each test file uses what it needs. */
#ifndef SB_TEST_PATTERN_HELPERS_H
#define SB_TEST_PATTERN_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pattern/pattern.h"

#define SBT_ID 7u /* the id match1 gives its pattern */

/* malloc that never returns NULL (the tests cannot go on without the memory). */
static inline void *test_xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p)
        abort();
    return p;
}

/* Compiles `pattern` alone (id SBT_ID) and matches `event` against it (len bytes).
 * Returns 1 on a match, 0 on none, -1 when the pattern is rejected and -2 when the event is.
 * A match must report exactly the one id. */
static inline int match1_len(const char *pattern, const char *event, size_t len) {
    sb_error err = {0};
    sb_patterns *ps = sb_patterns_new();
    assert_non_null(ps);
    int result;
    if (sb_patterns_add(ps, SBT_ID, pattern, strlen(pattern), "t.json", &err) != SB_OK) {
        print_message("pattern rejected: %s\n", err.msg);
        sb_patterns_free(ps);
        return -1;
    }
    sb_machine *m = sb_machine_compile(ps, &err);
    assert_non_null(m);
    sb_matcher *mt = sb_matcher_new(m);
    assert_non_null(mt);
    const uint32_t *ids = NULL;
    int n = sb_match(mt, event, len, &ids, &err);
    if (n < 0) {
        print_message("event rejected: %s\n", err.msg);
        result = -2;
    } else {
        assert_true(n <= 1);
        if (n == 1)
            assert_int_equal(ids[0], SBT_ID);
        result = n;
    }
    sb_matcher_free(mt);
    sb_machine_free(m);
    sb_patterns_free(ps);
    return result;
}

static inline int match1(const char *pattern, const char *event) {
    return match1_len(pattern, event, strlen(event));
}

/* Asserts that pattern p matches (or does not match) event e. The macros keep the caller's
 * line in cmocka's report. */
#define MATCH(p, e) assert_int_equal(match1((p), (e)), 1)
#define NO_MATCH(p, e) assert_int_equal(match1((p), (e)), 0)

/* Fails unless haystack contains needle. */
#define assert_contains(haystack, needle)                                                          \
    do {                                                                                           \
        const char *h_ = (haystack), *n_ = (needle);                                               \
        if (!strstr(h_, n_))                                                                       \
            fail_msg("\"%s\" does not contain \"%s\"", h_, n_);                                    \
    } while (0)

/* Adds pattern (spelled as given) under origin "rule.json" and expects SB_EINVAL with a message
 * that contains each of the NULL-terminated substrings. The collection must stay empty. */
static inline void expect_pattern_error_v(const char *pattern, size_t len, va_list ap) {
    sb_error err = {0};
    sb_patterns *ps = sb_patterns_new();
    assert_non_null(ps);
    int rc = sb_patterns_add(ps, 1, pattern, len, "rule.json", &err);
    if (rc != SB_EINVAL)
        fail_msg("pattern %s: expected SB_EINVAL, got %d", pattern, rc);
    assert_int_equal(err.code, SB_EINVAL);
    assert_int_equal(sb_patterns_count(ps), 0);
    /* every message starts with the origin */
    if (strncmp(err.msg, "rule.json:", 10) != 0)
        fail_msg("message \"%s\" does not start with the origin", err.msg);
    const char *want;
    while ((want = va_arg(ap, const char *)) != NULL) {
        if (!strstr(err.msg, want))
            fail_msg("pattern %s: message \"%s\" lacks \"%s\"", pattern, err.msg, want);
    }
    sb_patterns_free(ps);
}

static inline void expect_pattern_error(const char *pattern, ...) {
    va_list ap;
    va_start(ap, pattern);
    expect_pattern_error_v(pattern, strlen(pattern), ap);
    va_end(ap);
}

/* Matches an invalid event (len bytes) against a machine holding `pattern` and expects
 * SB_EINVAL with "invalid event" and each NULL-terminated substring in the message. Then checks
 * that the same matcher still answers a valid event correctly (no state left behind). */
static inline void expect_event_error_v(const char *pattern, const char *event, size_t len,
                                        va_list ap) {
    sb_error err = {0};
    sb_patterns *ps = sb_patterns_new();
    assert_non_null(ps);
    assert_int_equal(sb_patterns_add(ps, 3, pattern, strlen(pattern), NULL, &err), SB_OK);
    sb_machine *m = sb_machine_compile(ps, &err);
    assert_non_null(m);
    sb_matcher *mt = sb_matcher_new(m);
    assert_non_null(mt);
    const uint32_t *ids = NULL;
    int n = sb_match(mt, event, len, &ids, &err);
    if (n != SB_EINVAL)
        fail_msg("event %.*s: expected SB_EINVAL, got %d", (int)(len > 200 ? 200 : len), event, n);
    assert_int_equal(err.code, SB_EINVAL);
    assert_contains(err.msg, "invalid event: ");
    const char *want;
    while ((want = va_arg(ap, const char *)) != NULL) {
        if (!strstr(err.msg, want))
            fail_msg("event %.*s: message \"%s\" lacks \"%s\"", (int)(len > 200 ? 200 : len), event,
                     err.msg, want);
    }
    sb_matcher_free(mt);
    sb_machine_free(m);
    sb_patterns_free(ps);
}

static inline void expect_event_error_len(const char *pattern, const char *event, size_t len, ...) {
    va_list ap;
    va_start(ap, len);
    expect_event_error_v(pattern, event, len, ap);
    va_end(ap);
}

static inline void expect_event_error(const char *pattern, const char *event, ...) {
    va_list ap;
    va_start(ap, event);
    expect_event_error_v(pattern, event, strlen(event), ap);
    va_end(ap);
}

/* ---- many patterns in one machine ---- */

typedef struct sbt_set {
    sb_patterns *ps;
    sb_machine *m;
    sb_matcher *mt;
} sbt_set;

static inline void sbt_init(sbt_set *s) {
    s->ps = sb_patterns_new();
    assert_non_null(s->ps);
    s->m = NULL;
    s->mt = NULL;
}

/* Adds a pattern that must be valid. */
static inline void sbt_add(sbt_set *s, uint32_t id, const char *pattern) {
    sb_error err = {0};
    int rc = sb_patterns_add(s->ps, id, pattern, strlen(pattern), NULL, &err);
    if (rc != SB_OK)
        fail_msg("pattern %s rejected: %s", pattern, err.msg);
}

/* Compiles what was added (again, if compiled before). */
static inline void sbt_compile(sbt_set *s) {
    sb_error err = {0};
    sb_matcher_free(s->mt);
    sb_machine_free(s->m);
    s->m = sb_machine_compile(s->ps, &err);
    if (!s->m)
        fail_msg("compile failed: %s", err.msg);
    s->mt = sb_matcher_new(s->m);
    assert_non_null(s->mt);
}

static inline void sbt_free(sbt_set *s) {
    sb_matcher_free(s->mt);
    sb_machine_free(s->m);
    sb_patterns_free(s->ps);
    s->ps = NULL;
    s->m = NULL;
    s->mt = NULL;
}

/* Matches event and checks that exactly the ids in want[0..nwant) come back, in that order. */
static inline void sbt_expect(sbt_set *s, const char *event, const uint32_t *want, size_t nwant) {
    sb_error err = {0};
    const uint32_t *ids = NULL;
    int n = sb_match(s->mt, event, strlen(event), &ids, &err);
    if (n < 0)
        fail_msg("event %s rejected: %s", event, err.msg);
    char got[512] = "", exp[512] = "";
    size_t o = 0;
    for (int i = 0; i < n && o < sizeof got - 16; i++)
        o += (size_t)snprintf(got + o, sizeof got - o, "%u ", ids[i]);
    o = 0;
    for (size_t i = 0; i < nwant && o < sizeof exp - 16; i++)
        o += (size_t)snprintf(exp + o, sizeof exp - o, "%u ", want[i]);
    if ((size_t)n != nwant)
        fail_msg("event %s: got ids [%s], want [%s]", event, got, exp);
    for (size_t i = 0; i < nwant; i++)
        if (ids[i] != want[i])
            fail_msg("event %s: got ids [%s], want [%s]", event, got, exp);
}

/* sbt_expect with the ids as arguments: EXPECT_IDS(&set, event, 1, 5, 9). */
#define EXPECT_IDS(s, event, ...)                                                                  \
    do {                                                                                           \
        const uint32_t want_[] = {__VA_ARGS__};                                                    \
        sbt_expect((s), (event), want_, sizeof want_ / sizeof want_[0]);                           \
    } while (0)
#define EXPECT_NONE(s, event) sbt_expect((s), (event), NULL, 0)

#endif
