/* helpers.h - shared helpers of the transform unit tests (cmocka).
 *
 * tr_apply() compiles a target spec and applies it to one event, returning the exact payload;
 * when the transformer promises JSON it also checks that the payload parses. tr_template() does
 * the same for an InputTransformer given as its parts. expect_refused() checks that a spec is
 * refused at load time with exactly the given message. */
#ifndef SB_TEST_TRANSFORM_HELPERS_H
#define SB_TEST_TRANSFORM_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/json.h"
#include "transform/transform.h"

/* The predefined variables of every test: the rule of the documentation's examples. */
static const sb_transform_vars tr_vars = {"arn:aws:events:us-east-2:123456789012:rule/example",
                                          "example", "2015-11-11T21:29:55Z"};

/* The EC2 event of the user guide's "Input transform examples", compact. */
static const char tr_ec2_event[] =
    "{\"version\":\"0\",\"id\":\"7bf73129-1428-4cd3-a780-95db273d1602\",\"detail-type\":\"EC2 "
    "Instance State-change Notification\",\"source\":\"aws.ec2\",\"account\":\"123456789012\","
    "\"time\":\"2015-11-11T21:29:54Z\",\"region\":\"us-east-1\",\"resources\":[\"arn:aws:ec2:us-"
    "east-1:123456789012:instance/i-abcd1111\"],\"detail\":{\"instance-id\":\"i-0123456789\","
    "\"state\":\"RUNNING\"}}";

/* Applies spec to event. Returns the payload (the caller frees it), or "ERROR: " and the
 * message when the transform fails for this event. Fails the test when spec is refused, or
 * when a transformer that promises JSON produces something else. */
static inline char *tr_apply(const sb_target_spec *spec, const char *event) {
    sb_error err = {0};
    sb_transformer *t = sb_transformer_new(spec, &err);
    if (!t)
        fail_msg("transformer refused: %s", err.msg);
    sb_arena a;
    sb_arena_init(&a, 0);
    sb_jnode *root;
    assert_int_equal(sb_json_parse(event, strlen(event), &a, false, &root, &err, NULL), SB_OK);
    sb_buf out;
    sb_buf_init(&out);
    int rc = sb_transformer_apply(t, root, event, strlen(event), &tr_vars, &out, &err);
    char *s;
    if (rc == SB_OK) {
        size_t len;
        s = sb_buf_take(&out, &len);
        assert_non_null(s);
        assert_int_equal(strlen(s), len); /* no NUL inside */
        if (sb_transformer_output_is_json(t)) {
            sb_jnode *check;
            size_t off = 0;
            if (sb_json_parse(s, len, &a, false, &check, &err, &off) != SB_OK)
                fail_msg("payload is not JSON (%s at byte %zu): %s", err.msg, off, s);
        }
    } else {
        sb_buf_free(&out);
        size_t n = strlen("ERROR: ") + strlen(err.msg) + 1;
        s = malloc(n);
        assert_non_null(s);
        snprintf(s, n, "ERROR: %s", err.msg);
    }
    sb_arena_free(&a);
    sb_transformer_free(t);
    return s;
}

/* Applies the InputTransformer {map[0..n), tmpl} to event. */
static inline char *tr_template(const char *event, const sb_kv *map, size_t n, const char *tmpl) {
    sb_target_spec spec = {0};
    spec.id = "t1";
    spec.paths_map = (sb_kv *)map;
    spec.npaths_map = n;
    spec.input_template = tmpl;
    return tr_apply(&spec, event);
}

/* Asserts that expr (a malloc'd string) is exactly want, and frees it. */
#define EXPECT_STR(expr, want)                                                                     \
    do {                                                                                           \
        char *got_ = (expr);                                                                       \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
    } while (0)

/* Asserts that spec is refused with code and exactly the message want. */
static inline void expect_refused(const sb_target_spec *spec, int code, const char *want) {
    sb_error err = {0};
    sb_transformer *t = sb_transformer_new(spec, &err);
    if (t) {
        sb_transformer_free(t);
        fail_msg("accepted, expected: %s", want);
    }
    assert_int_equal(err.code, code);
    assert_string_equal(err.msg, want);
}

/* As expect_refused, for the InputTransformer {map[0..n), tmpl} of target "t1". */
static inline void expect_template_refused(const sb_kv *map, size_t n, const char *tmpl, int code,
                                           const char *want) {
    sb_target_spec spec = {0};
    spec.id = "t1";
    spec.paths_map = (sb_kv *)map;
    spec.npaths_map = n;
    spec.input_template = tmpl;
    expect_refused(&spec, code, want);
}

#define NMAP(m) (sizeof(m) / sizeof((m)[0]))

#endif
