/* test_json.c - the DOM parser (core/json.h): values, positions of every node, errors with
 * their byte offsets, duplicate keys, the nesting limit, and writing a tree back out. */
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

#include "core/json.h"

typedef struct fixture {
    sb_arena arena;
} fixture;

static int setup(void **state) {
    fixture *f = test_xmalloc(sizeof *f);
    sb_arena_init(&f->arena, 0);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    sb_arena_free(&f->arena);
    free(f);
    return 0;
}

/* Parses text (must succeed) and returns the root. */
static sb_jnode *parse_ok(fixture *f, const char *text, size_t len, bool reject_dups) {
    sb_jnode *root = NULL;
    sb_error err = {0};
    size_t at = 12345;
    int rc = sb_json_parse(text, len, &f->arena, reject_dups, &root, &err, &at);
    if (rc != SB_OK)
        fail_msg("parse of %s failed: %s", text, err.msg);
    assert_non_null(root);
    return root;
}

/* Parses text (must fail) and checks the error offset and a substring of the message. */
static void parse_bad(fixture *f, const char *text, size_t len, size_t want_at, const char *why) {
    sb_jnode *root = NULL;
    sb_error err = {0};
    size_t at = 12345;
    int rc = sb_json_parse(text, len, &f->arena, true, &root, &err, &at);
    if (rc != SB_EINVAL)
        fail_msg("parse of %s: expected SB_EINVAL, got %d", text, rc);
    assert_int_equal(err.code, SB_EINVAL);
    if (at != want_at)
        fail_msg("parse of %s: error at %zu, want %zu (%s)", text, at, want_at, err.msg);
    if (why && !strstr(err.msg, why))
        fail_msg("parse of %s: message \"%s\" lacks \"%s\"", text, err.msg, why);
}

#define OK(f, text) parse_ok((f), (text), strlen(text), true)
#define BAD(f, text, at, why) parse_bad((f), (text), strlen(text), (at), (why))

static void test_scalars(void **state) {
    fixture *f = *state;
    assert_int_equal(OK(f, "null")->type, SB_JSON_NULL);
    assert_int_equal(OK(f, "true")->type, SB_JSON_TRUE);
    assert_int_equal(OK(f, "false")->type, SB_JSON_FALSE);
    sb_jnode *n = OK(f, " \t\r\n-12.5e1 \n");
    assert_int_equal(n->type, SB_JSON_NUMBER);
    assert_true(n->u.num.v == -125.0);
    assert_true(n->u.num.finite);
    assert_int_equal(n->u.num.rawlen, 7);
    assert_memory_equal(n->u.num.raw, "-12.5e1", 7);
    assert_int_equal(n->offset, 4);
    assert_int_equal(n->end, 11);
    sb_jnode *s = OK(f, "\"h\\u00e9llo\\n\"");
    assert_int_equal(s->type, SB_JSON_STRING);
    assert_int_equal(s->u.str.len, 7);
    assert_memory_equal(s->u.str.s, "h\xc3\xa9llo\n", 8); /* NUL-terminated too */
    sb_jnode *e = OK(f, "\"\"");
    assert_int_equal(e->u.str.len, 0);
    assert_string_equal(e->u.str.s, "");
}

static void test_numbers(void **state) {
    fixture *f = *state;
    sb_jnode *n = OK(f, "1e400");
    assert_false(n->u.num.finite);
    assert_int_equal(n->u.num.rawlen, 5);
    n = OK(f, "-1e400");
    assert_false(n->u.num.finite);
    n = OK(f, "-0");
    assert_true(n->u.num.finite);
    assert_true(n->u.num.v == 0);
    n = OK(f, "1.7976931348623157e308");
    assert_true(n->u.num.finite);
    assert_true(n->u.num.v == 1.7976931348623157e308);
    n = OK(f, "4.9e-324");
    assert_true(n->u.num.v == 4.9e-324);
    n = OK(f, "[0.1, 3E+2, 30000e-2]");
    assert_true(n->u.arr.items[0]->u.num.v == 0.1);
    assert_true(n->u.arr.items[1]->u.num.v == 300.0);
    assert_true(n->u.arr.items[2]->u.num.v == 300.0);
    assert_memory_equal(n->u.arr.items[1]->u.num.raw, "3E+2", 4);
}

static void test_string_with_nul(void **state) {
    fixture *f = *state;
    sb_jnode *s = OK(f, "\"a\\u0000b\"");
    assert_int_equal(s->u.str.len, 3);
    assert_memory_equal(s->u.str.s, "a\0b", 4);
    sb_jnode *o = OK(f, "{\"k\\u0000\": 1}");
    assert_int_equal(o->u.obj.members[0].keylen, 2);
    assert_memory_equal(o->u.obj.members[0].key, "k\0", 3);
}

static void test_containers_and_positions(void **state) {
    fixture *f = *state;
    const char *t = "{\"a\": [1, \"xy\"], \"b\": {\"c\": null}}";
    sb_jnode *r = OK(f, t);
    assert_int_equal(r->type, SB_JSON_OBJECT);
    assert_int_equal(r->offset, 0);
    assert_int_equal(r->end, 34);
    assert_int_equal(r->u.obj.n, 2);
    const sb_jmember *a = &r->u.obj.members[0], *b = &r->u.obj.members[1];
    assert_string_equal(a->key, "a");
    assert_int_equal(a->keylen, 1);
    assert_int_equal(a->key_offset, 1);
    assert_int_equal(a->value->type, SB_JSON_ARRAY);
    assert_int_equal(a->value->offset, 6);
    assert_int_equal(a->value->end, 15);
    assert_int_equal(a->value->u.arr.n, 2);
    assert_int_equal(a->value->u.arr.items[0]->offset, 7);
    assert_int_equal(a->value->u.arr.items[0]->end, 8);
    assert_int_equal(a->value->u.arr.items[1]->offset, 10);
    assert_int_equal(a->value->u.arr.items[1]->end, 14);
    assert_string_equal(a->value->u.arr.items[1]->u.str.s, "xy");
    assert_string_equal(b->key, "b");
    assert_int_equal(b->key_offset, 17);
    assert_int_equal(b->value->offset, 22);
    assert_int_equal(b->value->end, 33);
    const sb_jmember *c = &b->value->u.obj.members[0];
    assert_int_equal(c->key_offset, 23);
    assert_int_equal(c->value->type, SB_JSON_NULL);
    assert_int_equal(c->value->offset, 28);
    assert_int_equal(c->value->end, 32);
    /* an escaped key: the offset is of its opening quote, the key is unescaped */
    sb_jnode *e = OK(f, "{\n  \"\\u0041b\" : [ ] }");
    assert_int_equal(e->u.obj.members[0].key_offset, 4);
    assert_string_equal(e->u.obj.members[0].key, "Ab");
    assert_int_equal(e->u.obj.members[0].value->offset, 16);
    assert_int_equal(e->u.obj.members[0].value->end, 19);
    assert_int_equal(e->u.obj.members[0].value->u.arr.n, 0);
}

static void test_order_and_empty(void **state) {
    fixture *f = *state;
    sb_jnode *r = OK(f, "{\"z\": 1, \"a\": 2, \"m\": {}, \"e\": []}");
    assert_int_equal(r->u.obj.n, 4);
    assert_string_equal(r->u.obj.members[0].key, "z");
    assert_string_equal(r->u.obj.members[1].key, "a");
    assert_string_equal(r->u.obj.members[2].key, "m");
    assert_int_equal(r->u.obj.members[2].value->type, SB_JSON_OBJECT);
    assert_int_equal(r->u.obj.members[2].value->u.obj.n, 0);
    assert_int_equal(r->u.obj.members[3].value->u.arr.n, 0);
    /* many members and items: the growable lists */
    enum { N = 1000 };
    char *t = test_xmalloc(N * 16 + 8);
    assert_non_null(t);
    size_t o = 0;
    t[o++] = '[';
    for (int i = 0; i < N; i++)
        o += (size_t)snprintf(t + o, N * 16 + 8 - o, "%s%d", i ? "," : "", i);
    t[o++] = ']';
    t[o] = '\0';
    sb_jnode *a = OK(f, t);
    assert_int_equal(a->u.arr.n, N);
    for (int i = 0; i < N; i++)
        assert_true(a->u.arr.items[i]->u.num.v == i);
    free(t);
}

static void test_get(void **state) {
    fixture *f = *state;
    sb_jnode *r = OK(f, "{\"a\": 1, \"ab\": 2, \"\": 3}");
    const sb_jmember *m = sb_json_get(r, "ab");
    assert_non_null(m);
    assert_true(m->value->u.num.v == 2);
    assert_non_null(sb_json_get(r, "a"));
    assert_true(sb_json_get(r, "")->value->u.num.v == 3);
    assert_null(sb_json_get(r, "b"));
    assert_null(sb_json_get(r, "abc"));
    assert_null(sb_json_get(OK(f, "[1]"), "a"));
    assert_null(sb_json_get(NULL, "a"));
}

static void test_type_names(void **state) {
    (void)state;
    assert_string_equal(sb_json_type_name(SB_JSON_NULL), "null");
    assert_string_equal(sb_json_type_name(SB_JSON_TRUE), "boolean");
    assert_string_equal(sb_json_type_name(SB_JSON_FALSE), "boolean");
    assert_string_equal(sb_json_type_name(SB_JSON_NUMBER), "number");
    assert_string_equal(sb_json_type_name(SB_JSON_STRING), "string");
    assert_string_equal(sb_json_type_name(SB_JSON_ARRAY), "array");
    assert_string_equal(sb_json_type_name(SB_JSON_OBJECT), "object");
}

static void test_errors_with_offsets(void **state) {
    fixture *f = *state;
    BAD(f, "", 0, "end of input");
    BAD(f, "   ", 3, "end of input");
    BAD(f, "[1,]", 3, NULL);
    BAD(f, "[1 2]", 3, "','");
    BAD(f, "[1", 2, "unterminated");
    BAD(f, "{", 1, NULL);
    BAD(f, "{\"a\" 1}", 5, "':'");
    BAD(f, "{\"a\": 1,}", 8, "key");
    BAD(f, "{\"a\": 1 \"b\": 2}", 8, "','");
    BAD(f, "{1: 2}", 1, "key");
    BAD(f, "tru", 0, "literal");
    BAD(f, "nul", 0, "literal");
    BAD(f, "[truex]", 5, NULL);
    BAD(f, "\"abc", 4, "unterminated");
    BAD(f, "\"a\\qb\"", 2, "escape");
    BAD(f, "\"a\\u12x4\"", 2, "escape");
    BAD(f, "\"\\ud800\"", 1, "surrogate");
    BAD(f, "\"x\\udc00\"", 2, "surrogate");
    BAD(f, "\"a\tb\"", 2, "control");
    BAD(f, "\"ab\xff\"", 3, "UTF-8");
    BAD(f, "\"ab\xed\xa0\x80\"", 3, "UTF-8");
    BAD(f, "[1] x", 4, "after");
    BAD(f, "01", 1, "after");
    BAD(f, "-", 0, "number");
    BAD(f, "[1.]", 1, "number");
    BAD(f, "[.5]", 1, NULL);
    BAD(f, "+1", 0, NULL);
    BAD(f, "NaN", 0, NULL);
    BAD(f, "[1,\n  @]", 6, NULL);
}

static void test_length_is_respected(void **state) {
    fixture *f = *state;
    /* only len bytes are read: the rest may be anything */
    sb_jnode *r = parse_ok(f, "[1, 2]garbage", 6, true);
    assert_int_equal(r->u.arr.n, 2);
    r = parse_ok(f, "123456", 3, true);
    assert_true(r->u.num.v == 123);
    parse_bad(f, "\"abc\"", 4, 4, "unterminated");
    parse_bad(f, "true", 3, 0, "literal");
}

static void test_duplicate_keys(void **state) {
    fixture *f = *state;
    const char *t = "{\"a\": 1, \"b\": 2, \"a\": 3}";
    BAD(f, t, 17, "duplicate");
    /* allowed when not rejected: both members are kept */
    sb_jnode *r = parse_ok(f, t, strlen(t), false);
    assert_int_equal(r->u.obj.n, 3);
    /* keys equal after unescaping are duplicates */
    BAD(f, "{\"a\": 1, \"\\u0061\": 2}", 9, "duplicate");
    /* the same key in different objects is fine */
    OK(f, "{\"a\": {\"a\": 1}, \"b\": {\"a\": 2}}");
}

static char *nested(size_t n) {
    char *s = test_xmalloc(2 * n + 2);
    assert_non_null(s);
    memset(s, '[', n);
    s[n] = '1';
    memset(s + n + 1, ']', n);
    s[2 * n + 1] = '\0';
    return s;
}

static void test_nesting_limit(void **state) {
    fixture *f = *state;
    char *s = nested(SB_JSON_MAX_DEPTH);
    OK(f, s);
    free(s);
    /* the 257th level of arrays is refused where it opens, as the event matcher refuses it */
    s = nested(300);
    BAD(f, s, SB_JSON_MAX_DEPTH, "nesting");
    free(s);
    s = nested(1000000);
    BAD(f, s, SB_JSON_MAX_DEPTH, "nesting");
    free(s);
}

static void test_null_error_outputs(void **state) {
    fixture *f = *state;
    sb_jnode *root = NULL;
    assert_int_equal(sb_json_parse("[1,", 3, &f->arena, true, &root, NULL, NULL), SB_EINVAL);
    assert_int_equal(sb_json_parse("[1]", 3, &f->arena, true, &root, NULL, NULL), SB_OK);
    assert_int_equal(root->u.arr.n, 1);
}

static void test_arena_reuse(void **state) {
    fixture *f = *state;
    for (int i = 0; i < 50; i++) {
        sb_jnode *r = OK(f, "{\"k\": [\"a long enough string to need some room\", 1, 2, 3]}");
        assert_int_equal(r->u.obj.members[0].value->u.arr.n, 4);
        sb_arena_reset(&f->arena);
    }
}

static void test_write_round_trip(void **state) {
    fixture *f = *state;
    const char *t = " { \"a\" : [ 1.50 , -0 , 3e2, true , null , \"x\\u00e9\\n\\\"\\\\\" ] ,"
                    " \"b\\u0000\" : { } , \"c\" : [ ] } ";
    sb_jnode *r = OK(f, t);
    sb_buf b;
    sb_buf_init(&b);
    sb_json_write(&b, r);
    assert_false(sb_buf_failed(&b));
    const char *want = "{\"a\":[1.50,-0,3e2,true,null,\"x\xc3\xa9\\n\\\"\\\\\"],"
                       "\"b\\u0000\":{},\"c\":[]}";
    assert_int_equal(b.len, strlen(want));
    assert_memory_equal(b.data, want, b.len);
    /* and it parses back to the same text */
    sb_jnode *r2 = parse_ok(f, b.data, b.len, true);
    sb_buf b2;
    sb_buf_init(&b2);
    sb_json_write(&b2, r2);
    assert_int_equal(b2.len, b.len);
    assert_memory_equal(b2.data, b.data, b.len);
    sb_buf_free(&b);
    sb_buf_free(&b2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_scalars, setup, teardown),
        cmocka_unit_test_setup_teardown(test_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_string_with_nul, setup, teardown),
        cmocka_unit_test_setup_teardown(test_containers_and_positions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_order_and_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_type_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors_with_offsets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_length_is_respected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nesting_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_null_error_outputs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arena_reuse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_round_trip, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
