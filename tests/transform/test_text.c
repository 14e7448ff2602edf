/* test_text.c - templates that are not JSON: each placeholder gets the value's text, unescaped,
 * and the rest is copied as it is. */
#include "helpers.h"

/* {"detail":{"instance":"i-1","state":"stopped","levels":["HIGH"],"flags":["A","B"],
 *  "owner":{"k":"v","n":1},"q":"say \"hi\" \\ back","ml":"a\nb","n":1.50,"ok":true}} */
static const char event[] =
    "{\"detail\":{\"instance\":\"i-1\",\"state\":\"stopped\",\"levels\":[\"HIGH\"],\"flags\":["
    "\"A\","
    "\"B\"],\"owner\":{\"k\":\"v\",\"n\":1},\"q\":\"say \\\"hi\\\" \\\\ back\",\"ml\":\"a\\nb\","
    "\"n\":1.50,\"ok\":true}}";

static const sb_kv map[] = {
    {"instance", "$.detail.instance"},
    {"state", "$.detail.state"},
    {"levels", "$.detail.levels"},
    {"flags", "$.detail.flags"},
    {"owner", "$.detail.owner"},
    {"q", "$.detail.q"},
    {"ml", "$.detail.ml"},
    {"n", "$.detail.n"},
    {"ok", "$.detail.ok"},
    {"missing", "$.detail.nothing"},
};

#define T(tmpl) tr_template(event, map, NMAP(map), tmpl)

static void test_plain_text(void **state) {
    (void)state;
    EXPECT_STR(T("Instance <instance> is in <state>"), "Instance i-1 is in stopped");
    EXPECT_STR(T("<instance>,<state>"), "i-1,stopped");
    EXPECT_STR(T("<instance> <state>"), "i-1 stopped");
    EXPECT_STR(T("n=<n> ok=<ok> missing=[<missing>]"), "n=1.50 ok=true missing=[]");
    EXPECT_STR(T("v<n>x 1<n>"), "v1.50x 11.50");
}

/* Strings go in unescaped: text has no quoting to respect. */
static void test_values_unescaped(void **state) {
    (void)state;
    EXPECT_STR(T("q: <q>; ml: <ml>"), "q: say \"hi\" \\ back; ml: a\nb");
}

/* Objects and arrays in EventBridge's quote-less form. */
static void test_objects_and_arrays(void **state) {
    (void)state;
    EXPECT_STR(T("owner <owner> levels <levels> flags <flags>"),
               "owner {k:v,n:1} levels [HIGH] flags [A,B]");
}

/* Lines of quoted strings are not one JSON value: EventBridge fills them as text. */
static void test_lines_of_strings(void **state) {
    (void)state;
    EXPECT_STR(
        T("\"<levels> single list item\"\n\"<flags> multiple list items\"\n\"<missing> none\"\n"
          "\"<owner> object\""),
        "\"[HIGH] single list item\"\n\"[A,B] multiple list items\"\n\" none\"\n"
        "\"{k:v,n:1} object\"");
}

/* Only JSON templates promise JSON. */
static void test_output_kind(void **state) {
    (void)state;
    sb_target_spec spec = {0};
    spec.paths_map = (sb_kv *)map;
    spec.npaths_map = NMAP(map);
    const char *text[] = {"<instance> is <state>", "\"a\" \"<state>\"", "x", "<n> <n>"};
    const char *json[] = {"\"<instance> is <state>\"", "<n>", "[<n>, \"<n>\"]", "{\"a\": <owner>}",
                          "true"};
    for (size_t i = 0; i < NMAP(text) + NMAP(json); i++) {
        bool is_json = i >= NMAP(text);
        spec.input_template = is_json ? json[i - NMAP(text)] : text[i];
        sb_error err = {0};
        sb_transformer *t = sb_transformer_new(&spec, &err);
        assert_non_null(t);
        if (sb_transformer_output_is_json(t) != is_json)
            fail_msg("%s: output_is_json should be %d", spec.input_template, is_json);
        sb_transformer_free(t);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_text),         cmocka_unit_test(test_values_unescaped),
        cmocka_unit_test(test_objects_and_arrays), cmocka_unit_test(test_lines_of_strings),
        cmocka_unit_test(test_output_kind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
