/* test_wildcard.c - "wildcard": '*' matches any run of characters (also none); "\*" is a
 * literal star and "\\" a literal backslash (in the wildcard string, so doubled again in the
 * JSON source and once more in C). */
#include "helpers.h"

#define W(glob) "{\"a\": [{\"wildcard\": \"" glob "\"}]}"
#define EV(value) "{\"a\": \"" value "\"}"

static void test_star_alone(void **state) {
    (void)state;
    MATCH(W("*"), EV("anything"));
    MATCH(W("*"), EV(""));
    NO_MATCH(W("*"), "{\"a\": 5}"); /* strings only */
    NO_MATCH(W("*"), "{\"a\": null}");
    NO_MATCH(W("*"), "{\"a\": true}");
    NO_MATCH(W("*"), "{}");
}

static void test_no_star_is_exact(void **state) {
    (void)state;
    MATCH(W("abc"), EV("abc"));
    NO_MATCH(W("abc"), EV("abcd"));
    NO_MATCH(W("abc"), EV("ABC"));
}

static void test_leading_and_trailing(void **state) {
    (void)state;
    MATCH(W("ab*"), EV("ab"));
    MATCH(W("ab*"), EV("abc"));
    NO_MATCH(W("ab*"), EV("xab"));
    MATCH(W("*ab"), EV("ab"));
    MATCH(W("*ab"), EV("xxab"));
    NO_MATCH(W("*ab"), EV("abx"));
    MATCH(W("*ab*"), EV("ab"));
    MATCH(W("*ab*"), EV("xaby"));
    NO_MATCH(W("*ab*"), EV("a-b"));
    MATCH(W("*l*"), EV("hello"));
    NO_MATCH(W("*l*"), EV(""));
}

static void test_inner_stars(void **state) {
    (void)state;
    MATCH(W("a*b"), EV("ab"));
    MATCH(W("a*b"), EV("axxxb"));
    MATCH(W("a*b"), EV("abab"));
    NO_MATCH(W("a*b"), EV("a"));
    NO_MATCH(W("a*b"), EV("ba"));
    NO_MATCH(W("a*b"), EV("abx"));
    MATCH(W("a*b*c"), EV("abc"));
    MATCH(W("a*b*c"), EV("aXbYc"));
    MATCH(W("a*b*c"), EV("abbbcc"));
    NO_MATCH(W("a*b*c"), EV("acb"));
    NO_MATCH(W("a*b*c"), EV("acbx"));
    MATCH(W("*b*d*"), EV("abcde"));
    NO_MATCH(W("*b*d*"), EV("adcbe"));
    MATCH(W("x*y*z"), EV("xyz"));
    /* literal runs may not overlap */
    NO_MATCH(W("a*a"), EV("a"));
    MATCH(W("a*a"), EV("aa"));
    NO_MATCH(W("ab*ba"), EV("aba"));
    MATCH(W("ab*ba"), EV("abba"));
    NO_MATCH(W("aba*aba"), EV("ababa"));
    MATCH(W("aba*aba"), EV("abaaba"));
    NO_MATCH(W("*aa*aa*"), EV("aaa"));
    MATCH(W("*aa*aa*"), EV("aaaa"));
    MATCH(W("https://www.example.*/*9943"), EV("https://www.example.com/image/481989943"));
    NO_MATCH(W("https://www.example.*/*9943"), EV("https://www.example.com/image/481989944"));
}

static void test_multibyte(void **state) {
    (void)state;
    MATCH(W("*\xe6\xac\xa1\xe6\x9c\x9f*"), EV("x_\xe6\xac\xa1\xe6\x9c\x9f_y"));
    NO_MATCH(W("\xe6\xac\xa1\xe6\x9c\x9f*"), EV("x\xe6\xac\xa1\xe6\x9c\x9f"));
    MATCH(W("caf*"), EV("caf\\u00e9"));
}

static void test_escaped_star(void **state) {
    (void)state;
    /* wildcard a\*b: a literal star between a and b */
    MATCH(W("a\\\\*b"), EV("a*b"));
    NO_MATCH(W("a\\\\*b"), EV("axb"));
    NO_MATCH(W("a\\\\*b"), EV("ab"));
    NO_MATCH(W("a\\\\*b"), EV("a\\\\b"));
    /* wildcard a\** : "a*" then anything */
    MATCH(W("a\\\\**"), EV("a*"));
    MATCH(W("a\\\\**"), EV("a*xyz"));
    NO_MATCH(W("a\\\\**"), EV("ab"));
    /* wildcard *\* : ends with a star */
    MATCH(W("*\\\\*"), EV("note*"));
    NO_MATCH(W("*\\\\*"), EV("note"));
}

static void test_escaped_backslash(void **state) {
    (void)state;
    /* wildcard a\\* : "a\" then anything */
    MATCH(W("a\\\\\\\\*"), EV("a\\\\z"));
    MATCH(W("a\\\\\\\\*"), EV("a\\\\"));
    NO_MATCH(W("a\\\\\\\\*"), EV("az"));
    /* wildcard C:\\*\\x.txt */
    MATCH(W("C:\\\\\\\\*\\\\\\\\x.txt"), EV("C:\\\\dir\\\\x.txt"));
    NO_MATCH(W("C:\\\\\\\\*\\\\\\\\x.txt"), EV("C:/dir/x.txt"));
}

static void test_several_wildcards(void **state) {
    (void)state;
    const char *p = "{\"a\": [{\"wildcard\": \"x*\"}, {\"wildcard\": \"*y\"}]}";
    MATCH(p, EV("x1"));
    MATCH(p, EV("1y"));
    NO_MATCH(p, EV("1x"));
    const char *q = "{\"a\": [{\"wildcard\": \"*bc\"}], \"b\": [{\"wildcard\": \"d*f\"}]}";
    MATCH(q, "{\"a\": \"abcbc\", \"b\": \"deeeef\"}");
    NO_MATCH(q, "{\"a\": \"abcbc\", \"b\": \"deeeeg\"}");
    NO_MATCH(q, "{\"a\": \"abcbc\"}");
}

static void test_in_arrays(void **state) {
    (void)state;
    MATCH(W("*.png"), "{\"a\": [\"a.txt\", \"b.png\"]}");
    NO_MATCH(W("*.png"), "{\"a\": [\"a.txt\", \"b.gif\"]}");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_star_alone),
        cmocka_unit_test(test_no_star_is_exact),
        cmocka_unit_test(test_leading_and_trailing),
        cmocka_unit_test(test_inner_stars),
        cmocka_unit_test(test_multibyte),
        cmocka_unit_test(test_escaped_star),
        cmocka_unit_test(test_escaped_backslash),
        cmocka_unit_test(test_several_wildcards),
        cmocka_unit_test(test_in_arrays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
