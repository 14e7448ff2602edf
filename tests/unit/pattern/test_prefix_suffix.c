/* test_prefix_suffix.c - "prefix" and "suffix", plain and with {"equals-ignore-case": ...}. */
#include "helpers.h"

static void test_prefix(void **state) {
    (void)state;
    const char *p = "{\"a\": [{\"prefix\": \"ab\"}]}";
    MATCH(p, "{\"a\": \"abc\"}");
    MATCH(p, "{\"a\": \"ab\"}"); /* the prefix itself */
    MATCH(p, "{\"a\": \"ab\\u0063\"}");
    NO_MATCH(p, "{\"a\": \"a\"}");
    NO_MATCH(p, "{\"a\": \"xab\"}");
    NO_MATCH(p, "{\"a\": \"Abc\"}"); /* case-sensitive */
    NO_MATCH(p, "{\"a\": \"\"}");
    NO_MATCH(p, "{\"b\": \"abc\"}");
    NO_MATCH(p, "{\"a\": null}");
}

static void test_prefix_never_matches_numbers(void **state) {
    (void)state;
    NO_MATCH("{\"a\": [{\"prefix\": \"1\"}]}", "{\"a\": 12}");
    MATCH("{\"a\": [{\"prefix\": \"1\"}]}", "{\"a\": \"12\"}");
    NO_MATCH("{\"a\": [{\"prefix\": \"t\"}]}", "{\"a\": true}");
    NO_MATCH("{\"a\": [{\"suffix\": \"2\"}]}", "{\"a\": 12}");
    NO_MATCH("{\"a\": [{\"suffix\": \"l\"}]}", "{\"a\": null}");
}

static void test_empty_prefix_and_suffix(void **state) {
    (void)state;
    /* an empty prefix or suffix is a prefix or suffix of every string, and only of strings */
    MATCH("{\"a\": [{\"prefix\": \"\"}]}", "{\"a\": \"anything\"}");
    MATCH("{\"a\": [{\"prefix\": \"\"}]}", "{\"a\": \"\"}");
    NO_MATCH("{\"a\": [{\"prefix\": \"\"}]}", "{\"a\": 5}");
    NO_MATCH("{\"a\": [{\"prefix\": \"\"}]}", "{}");
    MATCH("{\"a\": [{\"suffix\": \"\"}]}", "{\"a\": \"anything\"}");
    NO_MATCH("{\"a\": [{\"suffix\": \"\"}]}", "{\"a\": false}");
}

static void test_prefix_multibyte(void **state) {
    (void)state;
    const char *p = "{\"a\": [{\"prefix\": \"\xc3\xa9\"}]}"; /* é */
    MATCH(p, "{\"a\": \"\xc3\xa9"
             "cole\"}");
    MATCH(p, "{\"a\": \"\\u00e9cole\"}");
    NO_MATCH(p, "{\"a\": \"ecole\"}");
    NO_MATCH(p, "{\"a\": \"\xc3\x89"
                "COLE\"}"); /* É, another code point */
    MATCH("{\"a\": [{\"prefix\": \"\xe6\xac\xa1\"}]}", "{\"a\": \"\xe6\xac\xa1\xe6\x9c\x9f\"}");
}

static void test_suffix(void **state) {
    (void)state;
    const char *p = "{\"a\": [{\"suffix\": \"ing\"}]}";
    MATCH(p, "{\"a\": \"running\"}");
    MATCH(p, "{\"a\": \"ing\"}");
    NO_MATCH(p, "{\"a\": \"ingx\"}");
    NO_MATCH(p, "{\"a\": \"ng\"}");
    NO_MATCH(p, "{\"a\": \"RUNNING\"}");
    NO_MATCH(p, "{\"b\": \"running\"}");
    MATCH("{\"a\": [{\"suffix\": \".png\"}]}", "{\"a\": \"img/cat.png\"}");
    NO_MATCH("{\"a\": [{\"suffix\": \".png\"}]}", "{\"a\": \"img/cat.png.txt\"}");
    /* multibyte suffix: matched on whole characters */
    MATCH("{\"a\": [{\"suffix\": \"\xc3\xa9\"}]}", "{\"a\": \"caf\\u00e9\"}");
    NO_MATCH("{\"a\": [{\"suffix\": \"\xc3\xa9\"}]}", "{\"a\": \"cafe\"}");
}

static void test_several_prefixes_and_suffixes(void **state) {
    (void)state;
    const char *p =
        "{\"a\": [{\"prefix\": \"a\"}, {\"prefix\": \"abc\"}, {\"suffix\": \"z\"}, \"m\"]}";
    MATCH(p, "{\"a\": \"a\"}");
    MATCH(p, "{\"a\": \"abcd\"}");
    MATCH(p, "{\"a\": \"xyz\"}");
    MATCH(p, "{\"a\": \"m\"}");
    NO_MATCH(p, "{\"a\": \"bcd\"}");
    NO_MATCH(p, "{\"a\": \"mm\"}");
    /* prefix and suffix both required, on two fields */
    const char *q = "{\"a\": [{\"prefix\": \"x\"}], \"b\": [{\"suffix\": \"y\"}]}";
    MATCH(q, "{\"a\": \"x1\", \"b\": \"1y\"}");
    NO_MATCH(q, "{\"a\": \"x1\", \"b\": \"y1\"}");
}

static void test_prefix_equals_ignore_case(void **state) {
    (void)state;
    const char *p = "{\"a\": [{\"prefix\": {\"equals-ignore-case\": \"AbC\"}}]}";
    MATCH(p, "{\"a\": \"abcdef\"}");
    MATCH(p, "{\"a\": \"ABCx\"}");
    MATCH(p, "{\"a\": \"aBc\"}");
    NO_MATCH(p, "{\"a\": \"abxc\"}");
    NO_MATCH(p, "{\"a\": \"ab\"}");
    NO_MATCH(p, "{\"a\": \"xabc\"}");
    /* Unicode case folding */
    const char *u = "{\"a\": [{\"prefix\": {\"equals-ignore-case\": \"\xc3\x9c"
                    "BER\"}}]}"; /* ÜBER */
    MATCH(u, "{\"a\": \"\xc3\xbc"
             "bersicht\"}"); /* übersicht */
    MATCH(u, "{\"a\": \"\\u00dcBERSICHT\"}");
    NO_MATCH(u, "{\"a\": \"ubersicht\"}");
}

static void test_suffix_equals_ignore_case(void **state) {
    (void)state;
    const char *p = "{\"a\": [{\"suffix\": {\"equals-ignore-case\": \"STRASSE\"}}]}";
    MATCH(p, "{\"a\": \"Hauptstrasse\"}");
    MATCH(p, "{\"a\": \"HAUPTSTRASSE\"}");
    MATCH(p, "{\"a\": \"strasse\"}");
    NO_MATCH(p, "{\"a\": \"Hauptstrasse 1\"}");
    NO_MATCH(p, "{\"a\": \"trasse\"}");
    /* suffix "φος" (final sigma) against capitals and small letters */
    const char *g =
        "{\"a\": [{\"suffix\": {\"equals-ignore-case\": \"\xcf\x86\xce\xbf\xcf\x82\"}}]}";
    MATCH(g, "{\"a\": \"\xce\xa3\xce\x8a\xce\xa3\xce\xa5\xce\xa6\xce\x9f\xce\xa3\"}"); /* ΣΊΣΥΦΟΣ */
    MATCH(g, "{\"a\": \"\xcf\x83\xce\xaf\xcf\x83\xcf\x85\xcf\x86\xce\xbf\xcf\x82\"}"); /* σίσυφος */
    NO_MATCH(g, "{\"a\": \"\xcf\x86\xce\xbf\"}");
}

static void test_prefix_in_arrays(void **state) {
    (void)state;
    const char *p = "{\"a\": [{\"prefix\": \"ad\"}]}";
    MATCH(p, "{\"a\": [\"user\", \"admin\"]}");
    NO_MATCH(p, "{\"a\": [\"user\", \"dev\"]}");
    NO_MATCH(p, "{\"a\": []}");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prefix),
        cmocka_unit_test(test_prefix_never_matches_numbers),
        cmocka_unit_test(test_empty_prefix_and_suffix),
        cmocka_unit_test(test_prefix_multibyte),
        cmocka_unit_test(test_suffix),
        cmocka_unit_test(test_several_prefixes_and_suffixes),
        cmocka_unit_test(test_prefix_equals_ignore_case),
        cmocka_unit_test(test_suffix_equals_ignore_case),
        cmocka_unit_test(test_prefix_in_arrays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
