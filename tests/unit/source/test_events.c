/* test_events.c - `POST /events` bodies (source/events.h): CloudEvents binary mode takes its
 * attributes from headers, which are bytes; those that are not UTF-8 fail the entry instead of
 * reaching the envelope (found by tests/fuzz/fuzz_events.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "source/events.h"

/* ce-* headers of one request: names[i] -> values[i], NULL-terminated */
typedef struct hdrs {
    const char *const *names, *const *values;
} hdrs;

static const char *lookup(void *arg, const char *name) {
    const hdrs *h = arg;
    for (size_t i = 0; h->names[i]; i++)
        if (strcasecmp(h->names[i], name) == 0)
            return h->values[i];
    return NULL;
}

/* Parses body `{}` in binary mode with source and subject; returns the entry's error code. */
static const char *binary(const char *source, const char *subject) {
    static const char *const names[] = {"ce-specversion", "ce-id",      "ce-type",
                                        "ce-source",      "ce-subject", NULL};
    const char *values[] = {"1.0", "id-1", "t", source, subject, NULL};
    hdrs h = {names, values};
    sb_arena a;
    sb_arena_init(&a, 0);
    sb_put_request req;
    int status = 0;
    sb_error err = {0};
    struct timespec now = {1795000000, 0};
    assert_int_equal(
        sb_events_parse("application/json", lookup, &h, "{}", 2, &a, now, &req, &status, &err),
        SB_OK);
    assert_int_equal(req.n, 1);
    const char *code = req.entries[0].error_code;
    if (code)
        assert_string_equal(req.entries[0].error_message,
                            "ce-id, ce-source, ce-type and ce-subject must be UTF-8");
    sb_arena_free(&a);
    return code;
}

static void test_binary_attributes_must_be_utf8(void **state) {
    (void)state;
    assert_null(binary("caf\xc3\xa9", "order/\xe2\x82\xac"));
    assert_string_equal(binary("s\xff", "x"), "InvalidArgument");
    assert_string_equal(binary("t\xc3", "x"), "InvalidArgument");        /* cut short */
    assert_string_equal(binary("s", "\xed\xa0\x80"), "InvalidArgument"); /* a surrogate */
    assert_string_equal(binary("\xc0\xaf", "x"), "InvalidArgument");     /* overlong */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_binary_attributes_must_be_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
