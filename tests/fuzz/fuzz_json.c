/* fuzz_json.c - the position-keeping JSON parser (sb_json_parse) on arbitrary input.
 *
 * Checks, besides "no crash, no leak, no sanitizer report":
 *  - it accepts or refuses with SB_EINVAL, a message and an error offset within the input;
 *  - every node's [offset, end) lies in the input, inside its parent's, and starts and ends
 *    with the bytes its type implies; numbers keep their spelling; keys point at a quote;
 *  - what it accepts, written back out (sb_json_write), parses again to the same tree;
 *  - refusing duplicate keys only refuses more, and then says so;
 *  - it accepts an object exactly when the event flattener (sb_match) does, except where
 *    either refuses because of the nesting limit. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "pattern/pattern.h"

static sb_machine *machine;
static sb_matcher *matcher;

static void die(const char *what, const char *detail) {
    fprintf(stderr, "fuzz_json: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    abort();
}

static void cleanup(void) {
    sb_matcher_free(matcher);
    sb_machine_free(machine);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    /* a machine naming a few fields: the flattener parses those and skips the rest */
    static const char pattern[] = "{\"a\":[{\"exists\":true}],\"b\":{\"c\":[\"x\"]}}";
    sb_patterns *ps = sb_patterns_new();
    sb_error err;
    if (!ps || sb_patterns_add(ps, 1, pattern, sizeof pattern - 1, "fixed", &err) != SB_OK)
        die("cannot add the fixed pattern", NULL);
    machine = sb_machine_compile(ps, &err);
    sb_patterns_free(ps);
    if (!machine || !(matcher = sb_matcher_new(machine)))
        die("cannot compile the fixed pattern", NULL);
    atexit(cleanup);
    return 0;
}

static bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

/* Checks positions of n (and below) against text[0..size) and the parent's span [lo, hi). */
static void check_node(const sb_jnode *n, const char *text, size_t lo, size_t hi, int depth) {
    if (depth > SB_JSON_MAX_DEPTH + 1)
        die("a tree deeper than the limit", NULL);
    if (n->offset < lo || n->end > hi || n->offset >= n->end)
        die("a node's span lies outside its parent's", NULL);
    char first = text[n->offset], last = text[n->end - 1];
    bool ok = true;
    switch (n->type) {
    case SB_JSON_NULL:
        ok = n->end - n->offset == 4 && memcmp(text + n->offset, "null", 4) == 0;
        break;
    case SB_JSON_TRUE:
        ok = n->end - n->offset == 4 && memcmp(text + n->offset, "true", 4) == 0;
        break;
    case SB_JSON_FALSE:
        ok = n->end - n->offset == 5 && memcmp(text + n->offset, "false", 5) == 0;
        break;
    case SB_JSON_NUMBER:
        ok = (first == '-' || is_digit(first)) && is_digit(last) &&
             n->u.num.raw == text + n->offset && n->u.num.rawlen == n->end - n->offset;
        break;
    case SB_JSON_STRING:
        ok = first == '"' && last == '"' && n->end - n->offset >= 2 && n->u.str.s &&
             n->u.str.s[n->u.str.len] == '\0' && n->u.str.len <= n->end - n->offset - 2;
        break;
    case SB_JSON_ARRAY:
        ok = first == '[' && last == ']';
        for (size_t i = 0; ok && i < n->u.arr.n; i++) {
            const sb_jnode *c = n->u.arr.items[i];
            check_node(c, text, i ? n->u.arr.items[i - 1]->end : n->offset + 1, n->end - 1,
                       depth + 1);
        }
        break;
    case SB_JSON_OBJECT:
        ok = first == '{' && last == '}';
        for (size_t i = 0; ok && i < n->u.obj.n; i++) {
            const sb_jmember *m = &n->u.obj.members[i];
            size_t from = i ? n->u.obj.members[i - 1].value->end : n->offset + 1;
            if (m->key_offset < from || m->key_offset >= m->value->offset ||
                text[m->key_offset] != '"' || m->key[m->keylen] != '\0')
                die("a key's position is wrong", NULL);
            check_node(m->value, text, m->key_offset + 2, n->end - 1, depth + 1);
        }
        break;
    default:
        ok = false;
    }
    if (!ok)
        die("a node's bytes do not fit its type", sb_json_type_name(n->type));
}

static bool same_tree(const sb_jnode *x, const sb_jnode *y) {
    if (x->type != y->type)
        return false;
    switch (x->type) {
    case SB_JSON_NUMBER:
        return x->u.num.rawlen == y->u.num.rawlen &&
               memcmp(x->u.num.raw, y->u.num.raw, x->u.num.rawlen) == 0 &&
               x->u.num.finite == y->u.num.finite && (!x->u.num.finite || x->u.num.v == y->u.num.v);
    case SB_JSON_STRING:
        return x->u.str.len == y->u.str.len && memcmp(x->u.str.s, y->u.str.s, x->u.str.len) == 0;
    case SB_JSON_ARRAY:
        if (x->u.arr.n != y->u.arr.n)
            return false;
        for (size_t i = 0; i < x->u.arr.n; i++)
            if (!same_tree(x->u.arr.items[i], y->u.arr.items[i]))
                return false;
        return true;
    case SB_JSON_OBJECT:
        if (x->u.obj.n != y->u.obj.n)
            return false;
        for (size_t i = 0; i < x->u.obj.n; i++) {
            const sb_jmember *a = &x->u.obj.members[i], *b = &y->u.obj.members[i];
            if (a->keylen != b->keylen || memcmp(a->key, b->key, a->keylen) != 0 ||
                !same_tree(a->value, b->value))
                return false;
        }
        return true;
    default:
        return true;
    }
}

static bool nesting_error(const char *msg) {
    return strstr(msg, "nesting too deep") != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = (const char *)data;
    sb_arena a;
    sb_arena_init(&a, 0);
    sb_jnode *root = NULL, *strict = NULL;
    sb_error err, err2;
    size_t at = SIZE_MAX, at2 = SIZE_MAX;
    int rc = sb_json_parse(text, size, &a, false, &root, &err, &at);
    int rc2 = sb_json_parse(text, size, &a, true, &strict, &err2, &at2);

    if (rc != SB_OK) {
        if (rc != SB_EINVAL || err.code != rc || err.msg[0] == '\0')
            die("a refusal that is not SB_EINVAL with a message", err.msg);
        if (at > size)
            die("the error offset lies outside the input", err.msg);
        /* the strict parse fails at the same place, or earlier at a duplicate key */
        if (rc2 == SB_OK)
            die("refusing duplicate keys accepts an invalid input", NULL);
        if ((at2 != at || strcmp(err.msg, err2.msg) != 0) &&
            !(at2 <= at && strstr(err2.msg, "duplicate")))
            die("refusing duplicate keys changes how an invalid input is refused", err2.msg);
    } else {
        check_node(root, text, 0, size, 0);
        if (rc2 == SB_OK) {
            check_node(strict, text, 0, size, 0);
            if (!same_tree(root, strict))
                die("refusing duplicate keys changes the tree", NULL);
        } else if (rc2 != SB_EINVAL || at2 > size || !strstr(err2.msg, "duplicate")) {
            die("a valid input refused for something else than a duplicate key", err2.msg);
        }

        /* written back out, it parses again to the same tree */
        sb_buf b;
        sb_buf_init(&b);
        sb_json_write(&b, root);
        if (sb_buf_failed(&b))
            die("out of memory", NULL);
        sb_jnode *again;
        if (sb_json_parse(b.data, b.len, &a, false, &again, &err2, NULL) != SB_OK)
            die("what the parser accepted, written back out, is refused", err2.msg);
        if (!same_tree(root, again))
            die("what the parser accepted, written back out, parses to another tree", b.data);
        sb_buf_free(&b);
    }

    /* the flattener agrees on what is a valid JSON object */
    const uint32_t *ids;
    sb_error merr;
    int n = sb_match(matcher, text, size, &ids, &merr);
    bool dom_object = rc == SB_OK && root->type == SB_JSON_OBJECT;
    bool deep =
        (rc != SB_OK && nesting_error(err.msg)) || (n == SB_EINVAL && nesting_error(merr.msg));
    if (n < 0 && n != SB_EINVAL && n != SB_ELIMIT)
        die("sb_match: unexpected return code", merr.msg);
    if (!deep && dom_object != (n != SB_EINVAL))
        die(dom_object ? "the DOM parser accepts an object the flattener refuses"
                       : "the flattener accepts what the DOM parser refuses",
            dom_object    ? merr.msg
            : rc != SB_OK ? err.msg
                          : "not an object");

    sb_arena_free(&a);
    return 0;
}
