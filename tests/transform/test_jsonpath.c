/* test_jsonpath.c - the JSONPath subset on its own: what each step selects, definite or not. */
#include "helpers.h"

#include "transform/jsonpath.h"

static const char doc[] = "{\"a\":{\"b\":[10,{\"c\":\"d\"},[true]],\"e-f\":1,\"g/h\":2,\"i_j\":3,"
                          "\"\":4,\"k l\":5,\"m'n\":6,\"0\":7},\"z\":null}";

typedef struct fixture {
    sb_arena arena;
    sb_jnode *root;
} fixture;

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    sb_arena_init(&f->arena, 0);
    sb_error err;
    assert_int_equal(sb_json_parse(doc, strlen(doc), &f->arena, false, &f->root, &err, NULL),
                     SB_OK);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    sb_arena_free(&f->arena);
    free(f);
    return 0;
}

static void collect(const sb_jnode *v, void *arg) {
    sb_buf *b = arg;
    if (b->len)
        sb_buf_putc(b, ' ');
    sb_json_write(b, v);
}

/* The values `path` selects in doc, written as JSON and separated by spaces ("" for none). */
static char *select_all(const fixture *f, const char *path) {
    sb_error err = {0};
    sb_jsonpath *p = sb_jsonpath_new(path, &err);
    if (!p)
        fail_msg("%s refused: %s", path, err.msg);
    assert_string_equal(sb_jsonpath_text(p), path);
    sb_buf b;
    sb_buf_init(&b);
    size_t n = sb_jsonpath_each(p, f->root, collect, &b);
    if (sb_jsonpath_is_definite(p)) {
        /* get agrees with each */
        const sb_jnode *v = sb_jsonpath_get(p, f->root);
        assert_int_equal(n, v ? 1 : 0);
    } else {
        assert_null(sb_jsonpath_get(p, f->root));
    }
    sb_jsonpath_free(p);
    char *s = sb_buf_take(&b, NULL); /* NULL when nothing was written */
    return s ? s : strdup("");
}

#define SEL(path, want) EXPECT_STR(select_all(*state, path), want)

static void test_keys(void **state) {
    SEL("$",
        "{\"a\":{\"b\":[10,{\"c\":\"d\"},[true]],\"e-f\":1,\"g/h\":2,\"i_j\":3,\"\":4,\"k l\":5,"
        "\"m'n\":6,\"0\":7},\"z\":null}");
    SEL("$.z", "null");
    SEL("$.a.e-f", "1");
    SEL("$.a.g/h", "2");
    SEL("$.a.i_j", "3");
    SEL("$.a.k l", "5");
    SEL("$.a.0", "7");
    SEL("$['a']['']", "4");
    SEL("$.a[\"m'n\"]", "6");
    SEL("$.a['e-f']", "1");
    SEL("$.nope", "");
    SEL("$.z.x", "");
}

static void test_indices(void **state) {
    SEL("$.a.b[0]", "10");
    SEL("$.a.b[1].c", "\"d\"");
    SEL("$.a.b[2][0]", "true");
    SEL("$.a.b[3]", "");
    SEL("$.a[0]", ""); /* an index into an object selects nothing */
    SEL("$.a.b[00]", "10");
}

static void test_wildcards(void **state) {
    SEL("$.a.b[*]", "10 {\"c\":\"d\"} [true]");
    SEL("$.a.b.*", "10 {\"c\":\"d\"} [true]");
    SEL("$.*", "{\"b\":[10,{\"c\":\"d\"},[true]],\"e-f\":1,\"g/h\":2,\"i_j\":3,\"\":4,"
               "\"k l\":5,\"m'n\":6,\"0\":7} null");
    SEL("$.a.b[*].c", "\"d\"");
    SEL("$.a.b[*][0]", "true");
    SEL("$.a.*[1].c", "\"d\"");
    SEL("$.z[*]", "");
}

static void test_flags(void **state) {
    (void)state;
    sb_error err;
    sb_jsonpath *p = sb_jsonpath_new("$", &err);
    assert_true(sb_jsonpath_is_root(p));
    assert_true(sb_jsonpath_is_definite(p));
    sb_jsonpath_free(p);
    p = sb_jsonpath_new("$.a[*]", &err);
    assert_false(sb_jsonpath_is_root(p));
    assert_false(sb_jsonpath_is_definite(p));
    assert_int_equal(sb_jsonpath_each(p, NULL, collect, NULL), 0);
    sb_jsonpath_free(p);
    sb_jsonpath_free(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indices, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wildcards, setup, teardown),
        cmocka_unit_test(test_flags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
