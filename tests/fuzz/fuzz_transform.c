/* fuzz_transform.c - the input transformer (sb_transformer_new, sb_transformer_apply: Input,
 * InputPath, InputTransformer with its JSONPaths and InputTemplate) on arbitrary specs and events.
 *
 * The input is a spec, a line "====", then an event:
 *
 *   NAME=PATH           any number of lines: InputPathsMap entries (NAME up to the first '=')
 *   T:TEMPLATE          the InputTemplate: the rest of the spec, newlines included
 *   I:INPUT             or Input: the rest of the spec
 *   P:PATH              or InputPath: the rest of the line
 *   ====
 *   EVENT               JSON; when it is not, a fixed EventBridge event is used instead
 *
 * Checks, besides "no crash, no leak, no sanitizer report":
 *  - a spec is compiled or refused with SB_EINVAL or SB_ELIMIT and a message;
 *  - a template that starts with '{' or '[' is compiled only as a JSON template;
 *  - what compiles applies to the event (and to a fixed one) with SB_OK, or SB_EINVAL and a
 *    message only for an InputPath that selects nothing;
 *  - when the transformer promises JSON (Input, InputPath, JSON templates), the payload parses
 *    with sb_json_parse, whatever the event's strings and the predefined variables hold;
 *  - Input gives the constant, no transform and InputPath `$` give the event's text, a definite
 *    InputPath gives the compact JSON of sb_jsonpath_get's node, a template without placeholders
 *    gives itself;
 *  - applying again gives the same bytes. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "transform/jsonpath.h"
#include "transform/transform.h"

#define SEP "\n====\n"
#define MAX_PATHS 120 /* beyond SB_PATHS_MAX, to reach the limit */

static const char fixed_event[] =
    "{\"version\":\"0\",\"id\":\"7bf73129-1428-4cd3-a780-95db273d1602\",\"detail-type\":\"EC2 "
    "Instance State-change Notification\",\"source\":\"aws.ec2\",\"account\":\"123456789012\","
    "\"time\":\"2015-11-11T21:29:54Z\",\"region\":\"us-east-1\",\"resources\":[\"arn:aws:ec2:us-"
    "east-1:123456789012:instance/i-abcd1111\"],\"detail\":{\"instance-id\":\"i-0123456789\","
    "\"state\":\"RUNNING\",\"n\":-1.5e3,\"a\":[1,{\"b\":null},\"q\\\"<x>\\\\\"],\"o\":{\"k\":"
    "true,\"\\u0000\":\"\\ud83d\\ude00\"}}}";

/* predefined variables with quotes, backslashes, '<' and non-ASCII, to test escaping */
static const sb_transform_vars vars = {"arn:aws:events:us-east-1:123456789012:rule/\"q\\<x>",
                                       "rule-\xc3\xa9\"\\\t", "2015-11-11T21:29:55Z"};

static void die(const char *what, const char *detail) {
    fprintf(stderr, "fuzz_transform: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    abort();
}

/* A NUL-terminated copy of s[0..n) (a NUL inside ends the string early, as in a C string). */
static char *copy(const char *s, size_t n) {
    char *c = malloc(n + 1);
    if (!c)
        die("out of memory", NULL);
    memcpy(c, s, n);
    c[n] = '\0';
    return c;
}

static const char *find(const char *s, size_t n, const char *what) {
    size_t wl = strlen(what);
    for (size_t i = 0; i + wl <= n; i++)
        if (memcmp(s + i, what, wl) == 0)
            return s + i;
    return NULL;
}

/* Applies t to one event and checks the payload; returns it (the caller frees it) or NULL when
 * the transform refused this event. */
static char *apply(const sb_transformer *t, const sb_target_spec *spec, const sb_jnode *ev,
                   const char *text, size_t len, size_t *outlen) {
    sb_buf out;
    sb_buf_init(&out);
    sb_error err = {0};
    int rc = sb_transformer_apply(t, ev, text, len, &vars, &out, &err);
    if (rc != SB_OK) {
        if (rc != SB_EINVAL || !err.msg[0])
            die("apply failed without SB_EINVAL and a message", err.msg);
        if (!spec->input_path)
            die("apply refused an event, though only InputPath may", err.msg);
        sb_buf_free(&out);
        return NULL;
    }
    if (sb_buf_failed(&out))
        die("out of memory", NULL);
    if (sb_transformer_output_is_json(t)) {
        sb_arena a;
        sb_arena_init(&a, 4096);
        sb_jnode *root;
        size_t off = 0;
        if (sb_json_parse(out.data ? out.data : "", out.len, &a, false, &root, &err, &off) !=
            SB_OK) {
            fprintf(stderr, "payload (%zu bytes, error at %zu): %.*s\n", out.len, off, (int)out.len,
                    out.data ? out.data : "");
            die("a transformer that promises JSON made something else", err.msg);
        }
        sb_arena_free(&a);
    }
    size_t n;
    char *s = sb_buf_take(&out, &n);
    if (!s)
        s = copy("", 0);
    *outlen = n;
    return s;
}

static bool same(const char *a, size_t an, const char *b, size_t bn) {
    return an == bn && memcmp(a, b, an) == 0;
}

static void check_event(const sb_transformer *t, const sb_target_spec *spec, const sb_jsonpath *p,
                        const sb_jnode *ev, const char *text, size_t len) {
    size_t n1 = 0, n2 = 0;
    char *p1 = apply(t, spec, ev, text, len, &n1);
    char *p2 = apply(t, spec, ev, text, len, &n2);
    if (!p1 != !p2 || (p1 && !same(p1, n1, p2, n2)))
        die("applying twice gave two answers", NULL);
    if (p1) {
        if (sb_transformer_is_identity(t) && !same(p1, n1, text, len))
            die("no transform, yet the payload is not the event", NULL);
        if (spec->input && !same(p1, n1, spec->input, strlen(spec->input)))
            die("Input delivered something else than the constant", NULL);
        if (p && sb_jsonpath_is_root(p) && !same(p1, n1, text, len))
            die("InputPath $ delivered something else than the event", NULL);
        if (p && !sb_jsonpath_is_root(p) && sb_jsonpath_is_definite(p)) {
            const sb_jnode *v = sb_jsonpath_get(p, ev);
            if (!v)
                die("InputPath selects nothing, yet the event was transformed", NULL);
            sb_buf b;
            sb_buf_init(&b);
            sb_json_write(&b, v);
            if (sb_buf_failed(&b) || !same(p1, n1, b.data, b.len))
                die("InputPath delivered something else than the value it selects", NULL);
            sb_buf_free(&b);
        }
        if (spec->input_template && !strchr(spec->input_template, '<') &&
            !same(p1, n1, spec->input_template, strlen(spec->input_template)))
            die("a template without placeholders did not deliver itself", NULL);
    } else if (p && sb_jsonpath_is_definite(p) && !sb_jsonpath_is_root(p) &&
               sb_jsonpath_get(p, ev)) {
        die("InputPath selects a value, yet the event was refused", NULL);
    }
    free(p1);
    free(p2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *in = (const char *)data;
    const char *sep = find(in, size, SEP);
    size_t speclen = sep ? (size_t)(sep - in) : size;
    const char *evtext = sep ? sep + strlen(SEP) : "";
    size_t evlen = sep ? size - speclen - strlen(SEP) : 0;

    /* the spec */
    sb_target_spec spec = {0};
    spec.id = "fuzz";
    sb_kv paths[MAX_PATHS];
    size_t at = 0;
    char *value = NULL; /* the template, Input or InputPath */
    while (at < speclen) {
        const char *line = in + at;
        const char *nl = memchr(line, '\n', speclen - at);
        size_t ll = nl ? (size_t)(nl - line) : speclen - at;
        if (ll >= 2 && line[1] == ':' && (line[0] == 'T' || line[0] == 'I')) {
            value = copy(line + 2, speclen - at - 2);
            if (line[0] == 'T')
                spec.input_template = value;
            else
                spec.input = value;
            break;
        }
        if (ll >= 2 && line[0] == 'P' && line[1] == ':') {
            value = copy(line + 2, ll - 2);
            spec.input_path = value;
            break;
        }
        const char *eq = memchr(line, '=', ll);
        if (eq && spec.npaths_map < MAX_PATHS) {
            paths[spec.npaths_map].key = copy(line, (size_t)(eq - line));
            paths[spec.npaths_map].value = copy(eq + 1, ll - (size_t)(eq - line) - 1);
            spec.npaths_map++;
        }
        at += ll + 1;
    }
    spec.paths_map = spec.npaths_map ? paths : NULL;

    sb_error err = {0};
    sb_transformer *t = sb_transformer_new(&spec, &err);
    if (!t) {
        if ((err.code != SB_EINVAL && err.code != SB_ELIMIT) || !err.msg[0])
            die("refused without SB_EINVAL or SB_ELIMIT and a message", err.msg);
    } else {
        if (spec.input_template) {
            const char *s = spec.input_template;
            s += strspn(s, " \t\r\n");
            if ((*s == '{' || *s == '[') && !sb_transformer_output_is_json(t))
                die("a template that starts with '{' or '[' compiled as text", NULL);
        }
        sb_jsonpath *p = NULL;
        if (spec.input_path && !(p = sb_jsonpath_new(spec.input_path, &err)))
            die("InputPath compiled in the transformer but not alone", err.msg);

        sb_arena a;
        sb_arena_init(&a, 4096);
        sb_jnode *ev;
        if (sb_json_parse(evtext, evlen, &a, false, &ev, &err, NULL) == SB_OK)
            check_event(t, &spec, p, ev, evtext, evlen);
        if (sb_json_parse(fixed_event, sizeof fixed_event - 1, &a, false, &ev, &err, NULL) != SB_OK)
            die("the fixed event does not parse", err.msg);
        check_event(t, &spec, p, ev, fixed_event, sizeof fixed_event - 1);
        sb_arena_free(&a);
        sb_jsonpath_free(p);
        sb_transformer_free(t);
    }
    for (size_t i = 0; i < spec.npaths_map; i++) {
        free((char *)paths[i].key);
        free((char *)paths[i].value);
    }
    free(value);
    return 0;
}
