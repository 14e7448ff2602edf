/* test_eic.c - "equals-ignore-case", ASCII and Unicode.
 *
 * Only cases on which per-code-point case folding and event-ruler's scheme (each character
 * of the pattern stands for its lower- and its upper-case form) agree are asserted here. */
#include "helpers.h"

/* UTF-8 spellings */
#define E_ACUTE_CAP "\xc3\x89"  /* É */
#define E_ACUTE "\xc3\xa9"      /* é */
#define KELVIN "\xe2\x84\xaa"   /* U+212A KELVIN SIGN */
#define LONG_S "\xc5\xbf"       /* U+017F LATIN SMALL LETTER LONG S */
#define A_STROKE_CAP "\xc8\xba" /* U+023A, two bytes */
#define A_STROKE "\xe2\xb1\xa5" /* U+2C65, its small letter, three bytes */

static void test_ascii(void **state) {
    (void)state;
    const char *p = "{\"a\": [{\"equals-ignore-case\": \"AbC\"}]}";
    MATCH(p, "{\"a\": \"abc\"}");
    MATCH(p, "{\"a\": \"ABC\"}");
    MATCH(p, "{\"a\": \"aBc\"}");
    NO_MATCH(p, "{\"a\": \"abd\"}");
    NO_MATCH(p, "{\"a\": \"abcd\"}"); /* whole value */
    NO_MATCH(p, "{\"a\": \"ab\"}");
    NO_MATCH(p, "{\"a\": \"\"}");
    NO_MATCH(p, "{\"b\": \"abc\"}");
    /* digits and punctuation compare as they are */
    MATCH("{\"a\": [{\"equals-ignore-case\": \"a1-b_2!\"}]}", "{\"a\": \"A1-B_2!\"}");
    NO_MATCH("{\"a\": [{\"equals-ignore-case\": \"a1\"}]}", "{\"a\": \"A2\"}");
    MATCH("{\"a\": [{\"equals-ignore-case\": \"\"}]}", "{\"a\": \"\"}");
    NO_MATCH("{\"a\": [{\"equals-ignore-case\": \"\"}]}", "{\"a\": \"x\"}");
}

static void test_only_strings(void **state) {
    (void)state;
    NO_MATCH("{\"a\": [{\"equals-ignore-case\": \"true\"}]}", "{\"a\": true}");
    NO_MATCH("{\"a\": [{\"equals-ignore-case\": \"null\"}]}", "{\"a\": null}");
    NO_MATCH("{\"a\": [{\"equals-ignore-case\": \"12\"}]}", "{\"a\": 12}");
    MATCH("{\"a\": [{\"equals-ignore-case\": \"TRUE\"}]}", "{\"a\": \"true\"}");
}

static void test_accented_latin(void **state) {
    (void)state;
    const char *p = "{\"a\": [{\"equals-ignore-case\": \"" E_ACUTE_CAP "COLE\"}]}";
    MATCH(p, "{\"a\": \"" E_ACUTE "cole\"}");
    MATCH(p, "{\"a\": \"" E_ACUTE_CAP "cole\"}");
    MATCH(p, "{\"a\": \"\\u00e9COLE\"}"); /* escaped in the event */
    NO_MATCH(p, "{\"a\": \"ecole\"}");    /* case folding is not accent folding */
    NO_MATCH(p, "{\"a\": \"ECOLE\"}");
    MATCH("{\"a\": [{\"equals-ignore-case\": \"\\u00e9cole\"}]}",
          "{\"a\": \"" E_ACUTE_CAP "COLE\"}");
}

static void test_greek_and_cyrillic(void **state) {
    (void)state;
    /* ΑΘΉΝΑ against αθήνα */
    MATCH("{\"a\": [{\"equals-ignore-case\": \"\xce\x91\xce\x98\xce\x89\xce\x9d\xce\x91\"}]}",
          "{\"a\": \"\xce\xb1\xce\xb8\xce\xae\xce\xbd\xce\xb1\"}");
    /* σίσυφος (with its final sigma) against ΣΊΣΥΦΟΣ */
    const char *s = "{\"a\": [{\"equals-ignore-case\": "
                    "\"\xcf\x83\xce\xaf\xcf\x83\xcf\x85\xcf\x86\xce\xbf\xcf\x82\"}]}";
    MATCH(s, "{\"a\": \"\xce\xa3\xce\x8a\xce\xa3\xce\xa5\xce\xa6\xce\x9f\xce\xa3\"}");
    MATCH(s, "{\"a\": \"\xcf\x83\xce\xaf\xcf\x83\xcf\x85\xcf\x86\xce\xbf\xcf\x82\"}");
    /* without the tonos it is another word */
    NO_MATCH(s, "{\"a\": \"\xce\xa3\xce\x99\xce\xa3\xce\xa5\xce\xa6\xce\x9f\xce\xa3\"}");
    /* МОСКВА against москва */
    MATCH(
        "{\"a\": [{\"equals-ignore-case\": \"\xd0\x9c\xd0\x9e\xd0\xa1\xd0\x9a\xd0\x92\xd0\x90\"}]}",
        "{\"a\": \"\xd0\xbc\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0\"}");
    NO_MATCH(
        "{\"a\": [{\"equals-ignore-case\": \"\xd0\x9c\xd0\x9e\xd0\xa1\xd0\x9a\xd0\x92\xd0\x90\"}]}",
        "{\"a\": \"MOCKBA\"}"); /* Latin look-alikes */
}

static void test_case_pairs_of_different_lengths(void **state) {
    (void)state;
    /* U+023A and U+2C65 are a case pair whose UTF-8 forms differ in length */
    MATCH("{\"a\": [{\"equals-ignore-case\": \"x" A_STROKE_CAP "y\"}]}",
          "{\"a\": \"X" A_STROKE "Y\"}");
    MATCH("{\"a\": [{\"equals-ignore-case\": \"x" A_STROKE "y\"}]}",
          "{\"a\": \"x" A_STROKE_CAP "y\"}");
    NO_MATCH("{\"a\": [{\"equals-ignore-case\": \"x" A_STROKE "y\"}]}", "{\"a\": \"xay\"}");
}

static void test_kelvin_sign_and_long_s(void **state) {
    (void)state;
    /* the Kelvin sign's small letter is k; long s's capital is S */
    MATCH("{\"a\": [{\"equals-ignore-case\": \"" KELVIN "m\"}]}", "{\"a\": \"km\"}");
    MATCH("{\"a\": [{\"equals-ignore-case\": \"" KELVIN "m\"}]}", "{\"a\": \"\\u212aM\"}");
    NO_MATCH("{\"a\": [{\"equals-ignore-case\": \"" KELVIN "m\"}]}", "{\"a\": \"hm\"}");
    MATCH("{\"a\": [{\"equals-ignore-case\": \"" LONG_S "un\"}]}", "{\"a\": \"SUN\"}");
    MATCH("{\"a\": [{\"equals-ignore-case\": \"" LONG_S "un\"}]}", "{\"a\": \"" LONG_S "un\"}");
    NO_MATCH("{\"a\": [{\"equals-ignore-case\": \"" LONG_S "un\"}]}", "{\"a\": \"fun\"}");
}

static void test_with_other_values(void **state) {
    (void)state;
    const char *p = "{\"a\": [\"x\", {\"equals-ignore-case\": \"Y\"}]}";
    MATCH(p, "{\"a\": \"x\"}");
    MATCH(p, "{\"a\": \"y\"}");
    MATCH(p, "{\"a\": \"Y\"}");
    NO_MATCH(p, "{\"a\": \"X\"}"); /* the exact value stays case-sensitive */
    /* two fields, both ignoring case */
    const char *q = "{\"a\": [{\"equals-ignore-case\": \"aBc\"}], \"b\": [{\"equals-ignore-case\": "
                    "\"Def\"}]}";
    MATCH(q, "{\"a\": \"ABC\", \"b\": \"dEF\"}");
    NO_MATCH(q, "{\"a\": \"ABC\", \"b\": \"xyz\"}");
    NO_MATCH(q, "{\"a\": \"ABC\"}");
}

static void test_in_arrays(void **state) {
    (void)state;
    const char *p = "{\"a\": [{\"equals-ignore-case\": \"admin\"}]}";
    MATCH(p, "{\"a\": [\"user\", \"ADMIN\"]}");
    NO_MATCH(p, "{\"a\": [\"user\", \"ADMINS\"]}");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ascii),
        cmocka_unit_test(test_only_strings),
        cmocka_unit_test(test_accented_latin),
        cmocka_unit_test(test_greek_and_cyrillic),
        cmocka_unit_test(test_case_pairs_of_different_lengths),
        cmocka_unit_test(test_kelvin_sign_and_long_s),
        cmocka_unit_test(test_with_other_values),
        cmocka_unit_test(test_in_arrays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
