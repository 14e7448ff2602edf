/* test_values.c - how each kind of value fills a JSON template: standing alone (its JSON) or
 * inside a string (its text, escaped); array indices, wildcards, quoted keys, missing paths,
 * escapes and unicode, numbers as spelled, objects and arrays. */
#include "helpers.h"

/* The event as JSON text (written here with C escapes on top of JSON's):
 * {"version":"0","id":"e1","detail-type":"order placed","source":"shop",
 *  "account":"123456789012","time":"2026-11-26T17:00:00Z","region":"eu-west-1",
 *  "resources":["arn:aws:s3:::a","arn:aws:s3:::b"],
 *  "detail":{"items":[{"sku":"A-1","qty":2,"price":10.50},{"sku":"B-2","qty":1,"price":1e3}],
 *   "quote":"say \"hi\" \\ back","uni":"caf\u00e9 \u2713 \ud83d\ude00","ctl":"a\tb\nc",
 *   "n":1.50,"big":12345678901234567890,"neg":-0.0,"exp":2.5E-3,"t":true,"f":false,"z":null,
 *   "obj":{"a":"x","b":[1,"y",null]},"qobj":{"k\"1":"v\\2"},"empty":{},"none":[],"s":"",
 *   "a.b":"dotted","a/b":"slashed"}} */
static const char event[] =
    "{\"version\":\"0\",\"id\":\"e1\",\"detail-type\":\"order placed\",\"source\":\"shop\","
    "\"account\":\"123456789012\",\"time\":\"2026-11-26T17:00:00Z\",\"region\":\"eu-west-1\","
    "\"resources\":[\"arn:aws:s3:::a\",\"arn:aws:s3:::b\"],"
    "\"detail\":{\"items\":[{\"sku\":\"A-1\",\"qty\":2,\"price\":10.50},{\"sku\":\"B-2\",\"qty\":"
    "1,\"price\":1e3}],"
    "\"quote\":\"say \\\"hi\\\" \\\\ back\",\"uni\":\"caf\\u00e9 \\u2713 \\ud83d\\ude00\","
    "\"ctl\":\"a\\tb\\nc\","
    "\"n\":1.50,\"big\":12345678901234567890,\"neg\":-0.0,\"exp\":2.5E-3,\"t\":true,\"f\":false,"
    "\"z\":null,"
    "\"obj\":{\"a\":\"x\",\"b\":[1,\"y\",null]},\"qobj\":{\"k\\\"1\":\"v\\\\2\"},\"empty\":{},"
    "\"none\":[],\"s\":\"\","
    "\"a.b\":\"dotted\",\"a/b\":\"slashed\"}}";

static const sb_kv map[] = {
    {"item0", "$.detail.items[0]"},
    {"sku1", "$.detail.items[1].sku"},
    {"res1", "$.resources[1]"},
    {"b1", "$.detail.obj.b[1]"},
    {"past", "$.detail.items[2]"},
    {"quote", "$.detail.quote"},
    {"uni", "$.detail.uni"},
    {"ctl", "$.detail.ctl"},
    {"n", "$.detail.n"},
    {"big", "$.detail.big"},
    {"neg", "$.detail.neg"},
    {"exp", "$.detail.exp"},
    {"price1", "$.detail.items[1].price"},
    {"t", "$.detail.t"},
    {"f", "$.detail.f"},
    {"z", "$.detail.z"},
    {"obj", "$.detail.obj"},
    {"qobj", "$.detail.qobj"},
    {"empty", "$.detail.empty"},
    {"none", "$.detail.none"},
    {"items", "$.detail.items"},
    {"s", "$.detail.s"},
    {"missing", "$.detail.nothing"},
    {"under_scalar", "$.detail.n.x"},
    {"index_object", "$.detail.obj[0]"},
    {"key_array", "$.detail.items.sku"},
    {"skus", "$.detail.items[*].sku"},
    {"objall", "$.detail.obj.*"},
    {"nowhere", "$.detail.nothing[*]"},
    {"scalar_all", "$.detail.n[*]"},
    {"dtype", "$['detail-type']"},
    {"bracketed", "$[\"detail\"]['obj'].a"},
    {"dotted", "$.detail['a.b']"},
    {"slashed", "$.detail.a/b"},
};

#define T(tmpl) tr_template(event, map, NMAP(map), tmpl)

static void test_array_indices(void **state) {
    (void)state;
    EXPECT_STR(
        T("{\"first\": <item0>, \"sku\": <sku1>, \"res\": <res1>, \"b1\": <b1>}"),
        "{\"first\": {\"sku\":\"A-1\",\"qty\":2,\"price\":10.50}, \"sku\": \"B-2\", \"res\": "
        "\"arn:aws:s3:::b\", \"b1\": \"y\"}");
    EXPECT_STR(T("\"<sku1> of <res1>\""), "\"B-2 of arn:aws:s3:::b\"");
}

/* A path that selects nothing gives "" standing alone and nothing inside a string: past the
 * end of an array, a missing key, a key under a scalar, an index into an object, a key into an
 * array. */
static void test_missing(void **state) {
    (void)state;
    EXPECT_STR(T("{\"a\": <past>, \"b\": <missing>, \"c\": <under_scalar>, \"d\": <index_object>, "
                 "\"e\": <key_array>}"),
               "{\"a\": \"\", \"b\": \"\", \"c\": \"\", \"d\": \"\", \"e\": \"\"}");
    EXPECT_STR(T("{\"m\": \"[<missing>]\", \"n\": [<missing>, 1]}"),
               "{\"m\": \"[]\", \"n\": [\"\", 1]}");
    EXPECT_STR(T("\"x<missing>y<past>z\""), "\"xyz\"");
    EXPECT_STR(T("<missing>"), "\"\"");
}

static void test_escapes(void **state) {
    (void)state;
    EXPECT_STR(
        T("{\"alone\": <quote>, \"in\": \"q=<quote>!\"}"),
        "{\"alone\": \"say \\\"hi\\\" \\\\ back\", \"in\": \"q=say \\\"hi\\\" \\\\ back!\"}");
    EXPECT_STR(T("[<ctl>, \"<ctl>\"]"), "[\"a\\tb\\nc\", \"a\\tb\\nc\"]");
    /* keys and strings of an object inside a string */
    EXPECT_STR(T("\"<qobj>\""), "\"{k\\\"1:v\\\\2}\"");
    EXPECT_STR(T("{\"o\": <qobj>}"), "{\"o\": {\"k\\\"1\":\"v\\\\2\"}}");
    /* a template's own escapes are left alone, placeholders after them still count */
    EXPECT_STR(T("\"a\\\\<sku1>\\\"<n>\\u0041\""), "\"a\\\\B-2\\\"1.50\\u0041\"");
}

static void test_unicode(void **state) {
    (void)state;
    EXPECT_STR(T("{\"u\": <uni>, \"in\": \"<uni>?\", \"lit\": \"é <uni>\"}"),
               "{\"u\": \"café ✓ 😀\", \"in\": \"café ✓ 😀?\", \"lit\": \"é café ✓ 😀\"}");
}

static void test_numbers_keep_their_spelling(void **state) {
    (void)state;
    EXPECT_STR(T("{\"n\": <n>, \"big\": <big>, \"neg\": <neg>, \"exp\": <exp>, \"p\": <price1>}"),
               "{\"n\": 1.50, \"big\": 12345678901234567890, \"neg\": -0.0, \"exp\": 2.5E-3, "
               "\"p\": 1e3}");
    EXPECT_STR(T("\"n=<n> big=<big> neg=<neg> exp=<exp> p=<price1>\""),
               "\"n=1.50 big=12345678901234567890 neg=-0.0 exp=2.5E-3 p=1e3\"");
}

static void test_literals(void **state) {
    (void)state;
    EXPECT_STR(T("{\"t\": <t>, \"f\": <f>, \"z\": <z>}"),
               "{\"t\": true, \"f\": false, \"z\": null}");
    EXPECT_STR(T("\"<t> <f> <z>\""), "\"true false null\"");
    /* an empty string stays a string */
    EXPECT_STR(T("{\"s\": <s>, \"in\": \"[<s>]\"}"), "{\"s\": \"\", \"in\": \"[]\"}");
}

static void test_objects_and_arrays_standing_alone(void **state) {
    (void)state;
    EXPECT_STR(T("{\"o\": <obj>, \"e\": <empty>, \"a\": <none>, \"items\": <items>}"),
               "{\"o\": {\"a\":\"x\",\"b\":[1,\"y\",null]}, \"e\": {}, \"a\": [], \"items\": "
               "[{\"sku\":\"A-1\",\"qty\":2,\"price\":10.50},{\"sku\":\"B-2\",\"qty\":1,\"price\":"
               "1e3}]}");
    EXPECT_STR(T("<obj>"), "{\"a\":\"x\",\"b\":[1,\"y\",null]}");
}

/* Inside a string, objects and arrays take EventBridge's quote-less form. */
static void test_objects_and_arrays_in_strings(void **state) {
    (void)state;
    EXPECT_STR(T("\"obj=<obj> empty=<empty> none=<none>\""),
               "\"obj={a:x,b:[1,y,null]} empty={} none=[]\"");
    EXPECT_STR(T("{\"items\": \"<items>\"}"),
               "{\"items\": \"[{sku:A-1,qty:2,price:10.50},{sku:B-2,qty:1,price:1e3}]\"}");
}

/* A wildcard path selects a list: a JSON array standing alone, quote-less inside a string. */
static void test_wildcards(void **state) {
    (void)state;
    EXPECT_STR(T("{\"skus\": <skus>, \"all\": <objall>, \"none\": <nowhere>, \"s\": <scalar_all>}"),
               "{\"skus\": [\"A-1\",\"B-2\"], \"all\": [\"x\",[1,\"y\",null]], \"none\": [], "
               "\"s\": []}");
    EXPECT_STR(T("\"skus: <skus>\""), "\"skus: [A-1,B-2]\"");
}

static void test_quoted_keys_and_odd_names(void **state) {
    (void)state;
    EXPECT_STR(T("[<dtype>, <bracketed>, <dotted>, <slashed>]"),
               "[\"order placed\", \"x\", \"dotted\", \"slashed\"]");
}

static void test_placement(void **state) {
    (void)state;
    /* adjacent, repeated, and inside a key's quotes */
    EXPECT_STR(T("{\"<sku1>\": \"<sku1><n><sku1>\", \"k\": [<n>,<n>]}"),
               "{\"B-2\": \"B-21.50B-2\", \"k\": [1.50,1.50]}");
    /* a '<' that does not open <name> is text */
    EXPECT_STR(T("{\"cmp\": \"1 < 2 <= 3 <> < n> <n >\", \"n\": <n>}"),
               "{\"cmp\": \"1 < 2 <= 3 <> < n> <n >\", \"n\": 1.50}");
    /* whitespace around the template is kept */
    EXPECT_STR(T("  \n[<t>]\n"), "  \n[true]\n");
}

/* A template without placeholders is delivered as it is. */
static void test_constant_template(void **state) {
    (void)state;
    EXPECT_STR(T("{\"constant\": [1, 2.0, \"x\"]}"), "{\"constant\": [1, 2.0, \"x\"]}");
    EXPECT_STR(tr_template(event, NULL, 0, "\"hello\""), "\"hello\"");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_array_indices),
        cmocka_unit_test(test_missing),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_unicode),
        cmocka_unit_test(test_numbers_keep_their_spelling),
        cmocka_unit_test(test_literals),
        cmocka_unit_test(test_objects_and_arrays_standing_alone),
        cmocka_unit_test(test_objects_and_arrays_in_strings),
        cmocka_unit_test(test_wildcards),
        cmocka_unit_test(test_quoted_keys_and_odd_names),
        cmocka_unit_test(test_placement),
        cmocka_unit_test(test_constant_template),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
