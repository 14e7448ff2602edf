/* run_conformance.c - runs every case of an EventBridge conformance file (JSON lines with
 * "id", "pattern", "event" and the expected "match") through the library and reports each
 * disagreement. Patterns and events are handed over in their original spelling. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "pattern/pattern.h"

static int read_all(const char *path, char **out, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *out = malloc((size_t)n + 1);
    if (!*out || fread(*out, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        return -1;
    }
    (*out)[n] = '\0';
    *len = (size_t)n;
    fclose(f);
    return 0;
}

/* Returns 1 when the case passes, 0 when it fails (with a message printed). */
static int run_case(const char *line, size_t len, unsigned lineno) {
    sb_arena arena;
    sb_arena_init(&arena, 0);
    sb_error err = {0};
    sb_jnode *root;
    int ok = 0;
    if (sb_json_parse(line, len, &arena, false, &root, &err, NULL) != SB_OK) {
        printf("line %u: unreadable case: %s\n", lineno, err.msg);
        goto out;
    }
    const sb_jmember *id = sb_json_get(root, "id"), *pat = sb_json_get(root, "pattern"),
                     *ev = sb_json_get(root, "event"), *want = sb_json_get(root, "match");
    if (!id || !pat || !ev || !want) {
        printf("line %u: case lacks id, pattern, event or match\n", lineno);
        goto out;
    }
    bool expected = want->value->type == SB_JSON_TRUE;
    sb_patterns *ps = sb_patterns_new();
    sb_machine *m = NULL;
    sb_matcher *mt = NULL;
    int rc = sb_patterns_add(ps, 1, line + pat->value->offset, pat->value->end - pat->value->offset,
                             id->value->u.str.s, &err);
    if (rc == SB_OK && (m = sb_machine_compile(ps, &err)) && (mt = sb_matcher_new(m))) {
        const uint32_t *ids;
        int n =
            sb_match(mt, line + ev->value->offset, ev->value->end - ev->value->offset, &ids, &err);
        if (n < 0)
            printf("%s: event rejected: %s\n", id->value->u.str.s, err.msg);
        else if ((n > 0) != expected)
            printf("%s: expected %s, got %s\n", id->value->u.str.s, expected ? "true" : "false",
                   n > 0 ? "true" : "false");
        else
            ok = 1;
    } else {
        printf("%s: pattern rejected: %s\n", id->value->u.str.s, err.msg);
    }
    sb_matcher_free(mt);
    sb_machine_free(m);
    sb_patterns_free(ps);
out:
    sb_arena_free(&arena);
    return ok;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: run_conformance CASES.jsonl\n");
        return 2;
    }
    char *text;
    size_t len;
    if (read_all(argv[1], &text, &len) != 0) {
        fprintf(stderr, "run_conformance: cannot read %s\n", argv[1]);
        return 2;
    }
    unsigned passed = 0, failed = 0, lineno = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len;
        lineno++;
        if (end > i) {
            if (run_case(text + i, end - i, lineno))
                passed++;
            else
                failed++;
        }
        i = end + 1;
    }
    free(text);
    printf("%u passed, %u failed\n", passed, failed);
    return failed || passed == 0 ? 1 : 0;
}
