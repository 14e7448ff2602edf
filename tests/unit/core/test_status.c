/* test_status.c - error reports (core/status.h): codes, messages, line and column of a byte
 * offset, and the "origin:line:col: " prefix. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/status.h"

static void test_error_set(void **state) {
    (void)state;
    sb_error err = {0};
    assert_int_equal(sb_error_set(&err, SB_EINVAL, "bad %s at %d", "thing", 7), SB_EINVAL);
    assert_int_equal(err.code, SB_EINVAL);
    assert_string_equal(err.msg, "bad thing at 7");
    assert_int_equal(sb_error_set(NULL, SB_ENOMEM, "x"), SB_ENOMEM);
    /* a long message is cut, not overflowed */
    char big[2 * SB_ERROR_MSG_MAX];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    sb_error_set(&err, SB_ELIMIT, "%s", big);
    assert_int_equal(err.code, SB_ELIMIT);
    assert_int_equal(strlen(err.msg), SB_ERROR_MSG_MAX - 1);
}

static void test_codes_are_distinct_and_negative(void **state) {
    (void)state;
    const int codes[] = {SB_ENOMEM, SB_EINVAL, SB_ELIMIT, SB_EIO, SB_ENOTFOUND};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        assert_true(codes[i] < 0);
        for (size_t j = 0; j < i; j++)
            assert_int_not_equal(codes[i], codes[j]);
    }
    assert_int_equal(SB_OK, 0);
}

static void pos(const char *text, size_t off, unsigned want_line, unsigned want_col) {
    unsigned line = 0, col = 0;
    sb_text_position(text, strlen(text), off, &line, &col);
    if (line != want_line || col != want_col)
        fail_msg("offset %zu: %u:%u, want %u:%u", off, line, col, want_line, want_col);
}

static void test_text_position(void **state) {
    (void)state;
    const char *t = "ab\ncd\n\nef";
    pos(t, 0, 1, 1);
    pos(t, 1, 1, 2);
    pos(t, 2, 1, 3); /* the newline itself ends line 1 */
    pos(t, 3, 2, 1);
    pos(t, 5, 2, 3);
    pos(t, 6, 3, 1);
    pos(t, 7, 4, 1);
    pos(t, 8, 4, 2);
    pos(t, 9, 4, 3);  /* just past the end */
    pos(t, 99, 4, 3); /* beyond: clamped to the end */
    pos("", 0, 1, 1);
    /* CR does not start a line; bytes are columns */
    pos("a\r\nb", 3, 2, 1);
    pos("\xc3\xa9x", 2, 1, 3);
}

static void test_error_locate(void **state) {
    (void)state;
    sb_error err = {0};
    const char *text = "{\n  \"a\": 1\n}";
    sb_error_set(&err, SB_EINVAL, "something is wrong");
    sb_error_locate(&err, "rules/x.json", text, strlen(text), 9);
    assert_string_equal(err.msg, "rules/x.json:2:8: something is wrong");
    assert_int_equal(err.code, SB_EINVAL);
    sb_error_set(&err, SB_EINVAL, "again");
    sb_error_locate(&err, NULL, text, strlen(text), 0);
    assert_string_equal(err.msg, "<input>:1:1: again");
    sb_error_locate(NULL, "x", text, strlen(text), 0); /* a no-op */
}

static void test_error_locate_long_message(void **state) {
    (void)state;
    sb_error err = {0};
    char big[SB_ERROR_MSG_MAX];
    memset(big, 'm', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    sb_error_set(&err, SB_EINVAL, "%s", big);
    sb_error_locate(&err, "f.json", "abc", 3, 1);
    assert_int_equal(strncmp(err.msg, "f.json:1:2: mmm", 15), 0);
    assert_true(strlen(err.msg) <= SB_ERROR_MSG_MAX - 1);
    /* an origin too long for the message leaves it as it was */
    char origin[SB_ERROR_MSG_MAX + 10];
    memset(origin, 'o', sizeof origin - 1);
    origin[sizeof origin - 1] = '\0';
    sb_error_set(&err, SB_EINVAL, "short");
    sb_error_locate(&err, origin, "abc", 3, 1);
    assert_true(strlen(err.msg) <= SB_ERROR_MSG_MAX - 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_set),
        cmocka_unit_test(test_codes_are_distinct_and_negative),
        cmocka_unit_test(test_text_position),
        cmocka_unit_test(test_error_locate),
        cmocka_unit_test(test_error_locate_long_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
