/* test_json_scan.c - the scanning primitives (core/json_scan.h): number values (correctly
 * rounded, checked against strtod), unescaping, string and number scanning at every
 * alignment of the eight-byte fast paths, and UTF-8 sequence lengths. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* malloc that never returns NULL (the tests cannot go on without the memory). */
static void *test_xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p)
        abort();
    return p;
}

#include "core/json_scan.h"

/* Converts text with sb_json_number_value, which must succeed. */
static double num(const char *text) {
    double d = -12345.678;
    if (!sb_json_number_value(text, strlen(text), &d))
        fail_msg("%s: conversion failed", text);
    return d;
}

/* Bitwise equality (tells -0 from 0). */
#define assert_same_double(a, b)                                                                   \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (memcmp(&a_, &b_, sizeof a_) != 0)                                                      \
            fail_msg("%.17g != %.17g", a_, b_);                                                    \
    } while (0)

static void test_number_values(void **state) {
    (void)state;
    assert_same_double(num("0"), 0.0);
    assert_same_double(num("-0"), -0.0);
    assert_same_double(num("-0.0e5"), -0.0);
    assert_same_double(num("1"), 1.0);
    assert_same_double(num("-1.5"), -1.5);
    assert_same_double(num("300"), 300.0);
    assert_same_double(num("3e2"), 300.0);
    assert_same_double(num("3.0E+2"), 300.0);
    assert_same_double(num("30000e-2"), 300.0);
    assert_same_double(num("0.1"), 0.1);
    assert_same_double(num("0.30000000000000004"), 0.30000000000000004);
    assert_same_double(num("1e22"), 1e22);
    assert_same_double(num("1e23"), 1e23);
    assert_same_double(num("123456789012345678"), 123456789012345678.0);
    assert_same_double(num("9007199254740993"), 9007199254740992.0); /* a tie: to even */
    assert_same_double(num("9007199254740995"), 9007199254740996.0);
    assert_same_double(num("3.14159265358979323846264338327950288"),
                       3.14159265358979323846264338327950288);
    assert_same_double(num("1.7976931348623157e308"), DBL_MAX);
    assert_same_double(num("-1.7976931348623157e308"), -DBL_MAX);
    assert_same_double(num("2.2250738585072014e-308"), DBL_MIN);
    assert_same_double(num("4.9406564584124654e-324"), 4.9406564584124654e-324);
    assert_same_double(num("5e-324"), 4.9406564584124654e-324);
    assert_same_double(num("1e-400"), 0.0); /* underflows to zero: still a number */
    assert_same_double(num("-122.429163609223550"), -122.42916360922355);
    assert_same_double(num("0.000000000000000000000000000001"), 1e-30);
}

static void test_number_out_of_range(void **state) {
    (void)state;
    double d = 7;
    assert_false(sb_json_number_value("1e309", 5, &d));
    assert_false(sb_json_number_value("-1e400", 6, &d));
    assert_false(sb_json_number_value("1.7976931348623159e308", 22, &d));
    char big[400];
    memset(big, '9', 330);
    big[330] = '\0';
    assert_false(sb_json_number_value(big, 330, &d));
}

static void test_number_length_is_respected(void **state) {
    (void)state;
    double d = 0;
    assert_true(sb_json_number_value("12345", 3, &d));
    assert_same_double(d, 123.0);
    assert_true(sb_json_number_value("1.5e10", 3, &d));
    assert_same_double(d, 1.5);
    assert_true(sb_json_number_value("2e1000", 3, &d));
    assert_same_double(d, 20.0);
}

/* Compares against strtod (correctly rounded in glibc) on many spellings. */
static void check_against_strtod(const char *s) {
    double want = strtod(s, NULL), got = 0;
    bool ok = sb_json_number_value(s, strlen(s), &got);
    if (isinf(want)) {
        if (ok)
            fail_msg("%s: converted to %.17g, want out of range", s, got);
        return;
    }
    if (!ok)
        fail_msg("%s: conversion failed, want %.17g", s, want);
    if (memcmp(&got, &want, sizeof got) != 0)
        fail_msg("%s: got %.17g, want %.17g", s, got, want);
}

static void test_numbers_against_strtod(void **state) {
    (void)state;
    static const char *const fixed[] = {"0.1",
                                        "0.2",
                                        "0.7",
                                        "1.1",
                                        "2.675",
                                        "1.0000000000000002",
                                        "0.9999999999999999",
                                        "123456789012345",
                                        "1234567890123456",
                                        "12345678901234567",
                                        "123456789012345678",
                                        "1234567890123456789",
                                        "12345678901234567890",
                                        "18446744073709551615",
                                        "18446744073709551616",
                                        "9007199254740991",
                                        "9007199254740992",
                                        "9007199254740993",
                                        "4503599627370497.5",
                                        "2.2250738585072011e-308",
                                        "2.2250738585072012e-308",
                                        "1.00000000000000011102230246251565404236316680908203125",
                                        "1.00000000000000011102230246251565404236316680908203124",
                                        "1.00000000000000011102230246251565404236316680908203126",
                                        "7.038531e-26",
                                        "8.98846567431158e307",
                                        "1e-7",
                                        "1e-22",
                                        "1e-23",
                                        "1e27",
                                        "1e28",
                                        "9.999999999999999e22",
                                        "123.456e-5",
                                        "0.000123456e7",
                                        "-17.5e-3",
                                        "1e0",
                                        "1E-0",
                                        "1e+0",
                                        "100e-2",
                                        "2.4703282292062327e-324",
                                        "2.4703282292062328e-324",
                                        "1.7976931348623158e308",
                                        "1.7976931348623157e308",
                                        "1.797693134862315807e308",
                                        "1.797693134862315808e308"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        check_against_strtod(fixed[i]);
    /* a deterministic sweep: digits of many lengths with exponents around the fast paths */
    unsigned long long x = 88172645463325252ULL;
    char s[64];
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int digits = 1 + (int)(x % 20);
        int e = (int)((x >> 8) % 70) - 35;
        unsigned long long m = x >> 5;
        char ds[32];
        snprintf(ds, sizeof ds, "%llu", m);
        ds[digits < (int)strlen(ds) ? digits : (int)strlen(ds)] = '\0';
        switch (i % 3) {
        case 0:
            snprintf(s, sizeof s, "%se%d", ds, e);
            break;
        case 1:
            snprintf(s, sizeof s, "0.%se%d", ds, e);
            break;
        default:
            snprintf(s, sizeof s, "-%s", ds);
            if (strlen(ds) > 1) /* put a decimal point inside */
                snprintf(s, sizeof s, "-%.1s.%s", ds, ds + 1);
            break;
        }
        check_against_strtod(s);
    }
}

static void test_long_number_text(void **state) {
    (void)state;
    /* longer than any stack buffer: 0.000...0001 with 300 zeros */
    char s[400];
    strcpy(s, "0.");
    memset(s + 2, '0', 300);
    strcpy(s + 302, "1");
    check_against_strtod(s);
    assert_same_double(num(s), 1e-301);
    /* 310 significant digits */
    memset(s, '1', 310);
    s[310] = '\0';
    check_against_strtod(s);
}

/* ---- unescaping ---- */

static size_t unescape(const char *src, char *dst) {
    return sb_json_unescape(src, strlen(src), dst);
}

static void test_unescape(void **state) {
    (void)state;
    char out[64];
    assert_int_equal(unescape("abc", out), 3);
    assert_memory_equal(out, "abc", 3);
    assert_int_equal(unescape("a\\nb", out), 3);
    assert_memory_equal(out, "a\nb", 3);
    assert_int_equal(unescape("\\\"\\\\\\/\\b\\f\\n\\r\\t", out), 8);
    assert_memory_equal(out, "\"\\/\b\f\n\r\t", 8);
    assert_int_equal(unescape("\\u0041", out), 1);
    assert_memory_equal(out, "A", 1);
    assert_int_equal(unescape("\\u00e9\\u00E9", out), 4);
    assert_memory_equal(out, "\xc3\xa9\xc3\xa9", 4);
    assert_int_equal(unescape("\\u07ff\\u0800", out), 5);
    assert_memory_equal(out, "\xdf\xbf\xe0\xa0\x80", 5);
    assert_int_equal(unescape("\\u20ac", out), 3);
    assert_memory_equal(out, "\xe2\x82\xac", 3);
    assert_int_equal(unescape("\\uffff", out), 3);
    assert_memory_equal(out, "\xef\xbf\xbf", 3);
    assert_int_equal(unescape("\\ud83d\\ude00", out), 4);
    assert_memory_equal(out, "\xf0\x9f\x98\x80", 4);
    assert_int_equal(unescape("\\udbff\\udfff", out), 4);
    assert_memory_equal(out, "\xf4\x8f\xbf\xbf", 4);
    assert_int_equal(unescape("\\ud800\\udc00", out), 4);
    assert_memory_equal(out, "\xf0\x90\x80\x80", 4);
    assert_int_equal(unescape("x\\u0000y", out), 3);
    assert_memory_equal(out, "x\0y", 3);
    assert_int_equal(unescape("\xc3\xa9\\t\xe6\xac\xa1", out), 6); /* raw UTF-8 is copied */
    assert_memory_equal(out, "\xc3\xa9\t\xe6\xac\xa1", 6);
    assert_int_equal(unescape("", out), 0);
}

static void test_unescape_never_grows(void **state) {
    (void)state;
    /* every escape is at least as long as what it stands for */
    const char *srcs[] = {"\\u0001", "\\u007f",        "\\u0080", "\\u07ff", "\\u0800",
                          "\\ufffd", "\\ud800\\udc00", "\\n",     "\\\\"};
    char out[16];
    for (size_t i = 0; i < sizeof srcs / sizeof srcs[0]; i++)
        assert_true(unescape(srcs[i], out) <= strlen(srcs[i]));
}

/* ---- scanning ---- */

static void test_scan_string_alignments(void **state) {
    (void)state;
    /* the closing quote, a control byte, a backslash or a high byte at every offset 0..40 */
    char buf[64];
    for (size_t k = 0; k <= 40; k++) {
        memset(buf, 'a', sizeof buf);
        const char *why = NULL, *where = NULL;
        bool esc = true;
        buf[k] = '"';
        const char *after = sb_json_scan_string(buf, buf + sizeof buf, &esc, &why, &where);
        assert_ptr_equal(after, buf + k + 1);
        assert_false(esc);
        memset(buf, 'a', sizeof buf);
        buf[k] = '\x1f';
        buf[k + 3] = '"';
        after = sb_json_scan_string(buf, buf + sizeof buf, &esc, &why, &where);
        assert_null(after);
        assert_ptr_equal(where, buf + k);
        assert_non_null(strstr(why, "control"));
        memset(buf, 'a', sizeof buf);
        buf[k] = '\\';
        buf[k + 1] = 'n';
        buf[k + 5] = '"';
        after = sb_json_scan_string(buf, buf + sizeof buf, &esc, &why, &where);
        assert_ptr_equal(after, buf + k + 6);
        assert_true(esc);
        memset(buf, 'a', sizeof buf);
        memcpy(buf + k, "\xc3\xa9", 2);
        buf[k + 2] = '"';
        esc = true;
        after = sb_json_scan_string(buf, buf + sizeof buf, &esc, &why, &where);
        assert_ptr_equal(after, buf + k + 3);
        assert_false(esc);
        memset(buf, 'a', sizeof buf);
        buf[k] = '\xff';
        buf[k + 1] = '"';
        after = sb_json_scan_string(buf, buf + sizeof buf, &esc, &why, &where);
        assert_null(after);
        assert_ptr_equal(where, buf + k);
        assert_non_null(strstr(why, "UTF-8"));
    }
}

static void test_scan_string_ends(void **state) {
    (void)state;
    /* never reads past end: an unterminated string of every length */
    for (size_t n = 0; n <= 20; n++) {
        char *buf =
            test_xmalloc(n); /* exactly n bytes (1 when n is 0), so ASan sees any overread */
        assert_non_null(buf);
        memset(buf, 'b', n);
        const char *why = NULL, *where = NULL;
        bool esc;
        assert_null(sb_json_scan_string(buf, buf + n, &esc, &why, &where));
        assert_non_null(strstr(why, "unterminated"));
        if (n >= 1) { /* a backslash as the last byte */
            buf[n - 1] = '\\';
            assert_null(sb_json_scan_string(buf, buf + n, &esc, &why, &where));
        }
        if (n >= 3) { /* a \u escape cut short */
            memcpy(buf + n - 3, "\\u0", 3);
            assert_null(sb_json_scan_string(buf, buf + n, &esc, &why, &where));
        }
        if (n >= 2) { /* a multi-byte character cut short */
            memcpy(buf + n - 2, "x\xe6", 2);
            assert_null(sb_json_scan_string(buf, buf + n, &esc, &why, &where));
        }
        free(buf);
    }
}

static void test_scan_surrogates(void **state) {
    (void)state;
    const char *why, *where;
    bool esc;
    const char *ok = "\\ud83d\\ude00\"";
    assert_ptr_equal(sb_json_scan_string(ok, ok + strlen(ok), &esc, &why, &where), ok + strlen(ok));
    const char *bad[] = {"\\ud83d\"", "\\ud83d\\u0041\"", "\\ude00\"", "\\ud83d\\ud83d\"",
                         "\\ud83d\\ude0\""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_null(sb_json_scan_string(bad[i], bad[i] + strlen(bad[i]), &esc, &why, &where));
        assert_ptr_equal(where, bad[i]);
    }
}

static void test_scan_number(void **state) {
    (void)state;
    const char *why = NULL, *where = NULL;
    struct {
        const char *text;
        int len; /* scanned length, or -1 when invalid */
    } cases[] = {{"0", 1},    {"-0", 2},   {"123abc", 3}, {"0123", 1},
                 {"1.5,", 3}, {"1e5]", 3}, {"1E+05 ", 5}, {"-1.25e-3}", 8},
                 {"-", -1},   {"-a", -1},  {"1.", -1},    {"1.e5", -1},
                 {"1e", -1},  {"1e+", -1}, {".5", -1},    {"+1", -1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *t = cases[i].text;
        const char *after = sb_json_scan_number(t, t + strlen(t), &why, &where);
        if (cases[i].len < 0) {
            if (after)
                fail_msg("%s: scanned, want invalid", t);
            assert_ptr_equal(where, t);
        } else {
            if (after != t + cases[i].len)
                fail_msg("%s: scanned %td bytes, want %d", t, after ? after - t : -1, cases[i].len);
        }
    }
    /* digit runs of every length, then a non-digit; and runs cut by end */
    char buf[80];
    for (int n = 1; n <= 70; n++) {
        memset(buf, '7', (size_t)n);
        buf[n] = 'x';
        assert_ptr_equal(sb_json_scan_number(buf, buf + n + 1, &why, &where), buf + n);
        assert_ptr_equal(sb_json_scan_number(buf, buf + n, &why, &where), buf + n);
        /* bytes just outside '0'..'9' end the run */
        buf[n] = '/';
        assert_ptr_equal(sb_json_scan_number(buf, buf + n + 1, &why, &where), buf + n);
        buf[n] = ':';
        assert_ptr_equal(sb_json_scan_number(buf, buf + n + 1, &why, &where), buf + n);
        buf[n] = '\xb7';
        assert_ptr_equal(sb_json_scan_number(buf, buf + n + 1, &why, &where), buf + n);
    }
}

static void test_utf8_seq_len(void **state) {
    (void)state;
    struct {
        const char *bytes;
        int want;
    } cases[] = {{"A", 1},
                 {"\x7f", 1},
                 {"\xc2\x80", 2},
                 {"\xdf\xbf", 2},
                 {"\xc0\x80", 0},
                 {"\xc1\xbf", 0},
                 {"\xc2", 0},
                 {"\xc2\x41", 0},
                 {"\xe0\xa0\x80", 3},
                 {"\xe0\x9f\xbf", 0},
                 {"\xed\x9f\xbf", 3},
                 {"\xed\xa0\x80", 0},
                 {"\xef\xbf\xbf", 3},
                 {"\xe2\x82", 0},
                 {"\xf0\x90\x80\x80", 4},
                 {"\xf0\x8f\xbf\xbf", 0},
                 {"\xf4\x8f\xbf\xbf", 4},
                 {"\xf4\x90\x80\x80", 0},
                 {"\xf5\x80\x80\x80", 0},
                 {"\xff", 0},
                 {"\x80", 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const unsigned char *p = (const unsigned char *)cases[i].bytes;
        int got = sb_utf8_seq_len(p, p + strlen(cases[i].bytes));
        if (got != cases[i].want)
            fail_msg("case %zu: length %d, want %d", i, got, cases[i].want);
    }
}

static void test_skip_ws(void **state) {
    (void)state;
    const char *s = " \t\r\n x";
    assert_ptr_equal(sb_json_skip_ws(s, s + strlen(s)), s + 5);
    assert_ptr_equal(sb_json_skip_ws(s, s + 2), s + 2);
    const char *t = "\f\v\xa0";
    assert_ptr_equal(sb_json_skip_ws(t, t + 3), t);
    assert_ptr_equal(sb_json_skip_ws(t, t), t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_number_values),
        cmocka_unit_test(test_number_out_of_range),
        cmocka_unit_test(test_number_length_is_respected),
        cmocka_unit_test(test_numbers_against_strtod),
        cmocka_unit_test(test_long_number_text),
        cmocka_unit_test(test_unescape),
        cmocka_unit_test(test_unescape_never_grows),
        cmocka_unit_test(test_scan_string_alignments),
        cmocka_unit_test(test_scan_string_ends),
        cmocka_unit_test(test_scan_surrogates),
        cmocka_unit_test(test_scan_number),
        cmocka_unit_test(test_utf8_seq_len),
        cmocka_unit_test(test_skip_ws),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
