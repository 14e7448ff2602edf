/* fuzz_flatten.c - the input is an event, matched against one machine compiled once from
 * patterns that use every operator (exact strings, numbers, null and booleans; prefix, suffix
 * and equals-ignore-case, also combined; wildcard; anything-but in every form; numeric ranges;
 * exists true and false; cidr v4 and v6; $or; nested fields; fields inside arrays of objects).
 *
 * Checks, besides "no crash, no leak, no sanitizer report":
 *  - the result is a count of ids or SB_EINVAL / SB_ELIMIT, with a message;
 *  - the ids are those of the patterns that match when each is compiled into a machine of its
 *    own (what sharing states and predicates adds must not change answers), once each, in
 *    order of first addition;
 *  - whether the event is valid does not depend on the machine (the flattener skips fields no
 *    pattern names with other code than it parses named ones), and agrees with the DOM parser
 *    (sb_json_parse) except where either refuses because of the nesting limit;
 *  - matching is repeatable: the same answer after the matcher has seen another event. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/json.h"
#include "pattern/pattern.h"

typedef struct fixed {
    uint32_t id; /* not in ascending order: the answer follows the order of first addition */
    const char *text;
} fixed;

static const fixed patterns[] = {
    /* exact values */
    {900, "{\"source\":[\"aws.ec2\",\"aws.s3\",\"\"]}"},
    {890, "{\"n\":[5,-1.5e3,0,1e-3,12345678901234567890,1e308]}"},
    {880, "{\"v\":[null,true,false]}"},
    {870, "{\"v\":[\"null\",\"true\"],\"n\":[\"5\"]}"},
    {860, "{\"detail-type\":[\"EC2 Instance State-change Notification\"],"
          "\"detail\":{\"state\":[\"running\",\"stopped\"]}}"},
    /* prefix, suffix, equals-ignore-case */
    {850, "{\"s\":[{\"prefix\":\"ab\"}]}"},
    {840, "{\"s\":[{\"suffix\":\"yz\"}],\"t\":[{\"prefix\":\"\"}]}"},
    {830, "{\"s\":[{\"equals-ignore-case\":\"\\u00c9cole \\u03a3\"},"
          "{\"equals-ignore-case\":\"stra\\u00dfe\"}]}"},
    {820, "{\"s\":[{\"prefix\":{\"equals-ignore-case\":\"AB\"}}]}"},
    {810, "{\"s\":[{\"suffix\":{\"equals-ignore-case\":\"\\u212aELVIN\"}}]}"},
    {800, "{\"s\":[{\"equals-ignore-case\":\"ABC\"},{\"anything-but\":{\"prefix\":\"ab\"}}]}"},
    /* wildcard */
    {790, "{\"s\":[{\"wildcard\":\"a*b*c\"},{\"wildcard\":\"*x\"},{\"wildcard\":\"*\\\\**\"}]}"},
    {780, "{\"w\":[{\"wildcard\":\"*\"},{\"wildcard\":\"\\\\\\\\\"},{\"wildcard\":\"x*y\"}]}"},
    /* anything-but in every form */
    {770, "{\"s\":[{\"anything-but\":\"abc\"}]}"},
    {760, "{\"s\":[{\"anything-but\":[\"a\",\"b\",\"\"]}]}"},
    {750, "{\"n\":[{\"anything-but\":5}]}"},
    {740, "{\"n\":[{\"anything-but\":[1,2.5,-0]}]}"},
    {730, "{\"s\":[{\"anything-but\":{\"prefix\":\"x\"}}]}"},
    {720, "{\"s\":[{\"anything-but\":{\"prefix\":[\"x\",\"yy\"]}}]}"},
    {710, "{\"s\":[{\"anything-but\":{\"suffix\":\"z\"}}]}"},
    {700, "{\"s\":[{\"anything-but\":{\"suffix\":[\"a\",\"bc\"]}}]}"},
    {690, "{\"s\":[{\"anything-but\":{\"equals-ignore-case\":\"Q\"}}]}"},
    {680, "{\"s\":[{\"anything-but\":{\"equals-ignore-case\":[\"Q\",\"\\u00df\"]}}]}"},
    {670, "{\"s\":[{\"anything-but\":{\"wildcard\":\"*q*\"}}]}"},
    {660, "{\"s\":[{\"anything-but\":{\"wildcard\":[\"x*\",\"*y\"]}}]}"},
    /* numeric */
    {650, "{\"n\":[{\"numeric\":[\">\",0,\"<=\",10]},{\"numeric\":[\"<\",-100]},"
          "{\"numeric\":[\"=\",3.5]},{\"numeric\":[\">=\",1e300]}]}"},
    {640, "{\"n\":[{\"numeric\":[\">=\",-5,\"<\",5]}],\"m\":[{\"numeric\":[\"<=\",0]}]}"},
    /* exists */
    {630, "{\"a\":{\"b\":[{\"exists\":true}],\"c\":[{\"exists\":false}]}}"},
    {620, "{\"s\":[\"exact\"],\"n\":[1],\"v\":[{\"exists\":false}]}"},
    {610, "{\"s\":[\"maybe\",{\"exists\":false}]}"},
    /* cidr */
    {600, "{\"ip\":[{\"cidr\":\"10.0.0.0/8\"},{\"cidr\":\"192.168.1.1/32\"},"
          "{\"cidr\":\"2001:db8::/32\"},{\"cidr\":\"::ffff:0:0/96\"}]}"},
    {590, "{\"ip\":[\"10.0.0.1\",{\"cidr\":\"0.0.0.0/0\"}],\"n\":[{\"exists\":true}]}"},
    /* $or, nested */
    {580,
     "{\"a\":{\"b\":[1],\"c\":[\"x\"]},\"$or\":[{\"d\":[{\"exists\":true}]},{\"e\":[\"y\"]}]}"},
    {570, "{\"$or\":[{\"s\":[\"or1\"]},{\"n\":[7]},{\"$or\":[{\"a\":{\"b\":[\"deep-or\"]}},"
          "{\"v\":[true]}]}]}"},
    {560, "{\"x\":{\"y\":{\"z\":[\"deep\"]}},\"k\\\"ey\":[\"v\"],\"\":[\"empty-key\"],"
          "\"uni\\u00e9\":[\"\\ud83d\\ude00\"]}"},
    /* fields inside arrays of objects (one element must satisfy them together) */
    {550, "{\"arr\":{\"id\":[1],\"name\":[\"one\"]}}"},
    {540, "{\"arr\":{\"id\":[{\"numeric\":[\">\",1]}],\"tags\":{\"k\":[\"x\"]}},"
          "\"source\":[{\"exists\":true}]}"},
    {530, "{\"detail\":{\"state\":[\"running\"],\"items\":{\"sku\":[{\"prefix\":\"A-\"}],"
          "\"qty\":[{\"numeric\":[\">\",0]}]}}}"},
    {520, "{\"arr\":{\"id\":[2]},\"a\":{\"b\":[{\"anything-but\":[0]}]}}"},
    /* an id shared by two patterns: it matches when either does */
    {850, "{\"s\":[{\"suffix\":\"!\"}]}"},
    {510, "{\"n\":[{\"anything-but\":{\"prefix\":\"1\"}}]}"},
};

#define NPAT (sizeof patterns / sizeof patterns[0])

/* An event the matcher sees between two matches of the input, to dirty its scratch state. */
static const char dirty[] = "{\"s\":\"abyz\",\"n\":[5,0,7],\"arr\":[{\"id\":1,\"name\":\"one\"},"
                            "{\"id\":2,\"tags\":{\"k\":\"x\"}}],\"ip\":\"10.1.2.3\",\"v\":true,"
                            "\"a\":{\"b\":1,\"c\":\"x\"},\"d\":{}}";

static sb_machine *machine, *singles[NPAT], *empty;
static sb_matcher *matcher, *single_matchers[NPAT], *empty_matcher;

static void die(const char *what, const char *detail) {
    fprintf(stderr, "fuzz_flatten: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    abort();
}

static sb_matcher *compile(const fixed *p, size_t n, sb_machine **m) {
    sb_patterns *ps = sb_patterns_new();
    sb_error err;
    if (!ps)
        die("out of memory", NULL);
    for (size_t i = 0; i < n; i++)
        if (sb_patterns_add(ps, p[i].id, p[i].text, strlen(p[i].text), "fixed", &err) != SB_OK)
            die("a fixed pattern is invalid", err.msg);
    *m = sb_machine_compile(ps, &err);
    sb_patterns_free(ps);
    if (!*m)
        die("compile failed", err.msg);
    sb_matcher *mt = sb_matcher_new(*m);
    if (!mt)
        die("out of memory", NULL);
    return mt;
}

static void cleanup(void) {
    sb_matcher_free(matcher);
    sb_machine_free(machine);
    for (size_t i = 0; i < NPAT; i++) {
        sb_matcher_free(single_matchers[i]);
        sb_machine_free(singles[i]);
    }
    sb_matcher_free(empty_matcher);
    sb_machine_free(empty);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    matcher = compile(patterns, NPAT, &machine);
    for (size_t i = 0; i < NPAT; i++)
        single_matchers[i] = compile(&patterns[i], 1, &singles[i]);
    static const fixed none = {1, "{\"no such field\":[\"x\"]}"};
    empty_matcher = compile(&none, 1, &empty);
    atexit(cleanup); /* so that LeakSanitizer reports only what matching leaks */
    return 0;
}

static bool nesting_error(const char *msg) {
    return strstr(msg, "nesting too deep") != NULL;
}

static void check_rc(int n, const sb_error *err) {
    if (n >= 0)
        return;
    if (n != SB_EINVAL && n != SB_ELIMIT)
        die("unexpected return code", err->msg);
    if (err->code != n || err->msg[0] == '\0' ||
        strnlen(err->msg, sizeof err->msg) >= sizeof err->msg)
        die("an error without a proper message", err->msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = (const char *)data;
    const uint32_t *ids;
    sb_error err;
    int n = sb_match(matcher, text, size, &ids, &err);
    check_rc(n, &err);
    bool invalid = n == SB_EINVAL, limited = n == SB_ELIMIT;
    bool deep = invalid && nesting_error(err.msg);

    uint32_t got[NPAT];
    int ngot = n > 0 ? n : 0;
    if (ngot > (int)NPAT)
        die("more ids than patterns", NULL);
    memcpy(got, ids, (size_t)ngot * sizeof *got);

    /* repeatable, also after another event */
    const uint32_t *ids2;
    if (sb_match(matcher, dirty, sizeof dirty - 1, &ids2, &err) < 0)
        die("the fixed event does not match", err.msg);
    int n2 = sb_match(matcher, text, size, &ids2, &err);
    if (n2 != n || (n > 0 && memcmp(ids2, got, (size_t)n * sizeof *got) != 0))
        die("a second match of the same event answers differently", NULL);

    /* validity does not depend on the machine, and agrees with the DOM parser */
    int ne = sb_match(empty_matcher, text, size, &ids2, &err);
    check_rc(ne, &err);
    if ((ne == SB_EINVAL) != invalid)
        die(invalid ? "valid for a machine that names no field, invalid for the rich one"
                    : "invalid for a machine that names no field, valid for the rich one",
            ne == SB_EINVAL ? err.msg : NULL);
    if (ne > 0)
        die("a machine whose field never occurs matched", NULL);
    {
        sb_arena a;
        sb_arena_init(&a, 0);
        sb_jnode *root;
        sb_error jerr;
        int rc = sb_json_parse(text, size, &a, false, &root, &jerr, NULL);
        bool dom_valid = rc == SB_OK && root->type == SB_JSON_OBJECT;
        if (dom_valid == invalid && !deep && !(rc != SB_OK && nesting_error(jerr.msg)))
            die(invalid ? "the DOM parser accepts an event the matcher refuses"
                        : "the matcher accepts an event the DOM parser refuses",
                invalid       ? NULL
                : rc != SB_OK ? jerr.msg
                              : "not an object");
        sb_arena_free(&a);
    }

    /* each pattern on its own: its id matches the same events */
    uint32_t want[NPAT];
    size_t nwant = 0;
    bool skip = limited;
    for (size_t i = 0; i < NPAT; i++) {
        int k = sb_match(single_matchers[i], text, size, &ids2, &err);
        check_rc(k, &err);
        if ((k == SB_EINVAL) != invalid)
            die("validity of the event depends on the patterns", err.msg);
        if (k == SB_ELIMIT)
            skip = true;
        if (k > 1 || (k == 1 && ids2[0] != patterns[i].id))
            die("a single-pattern machine answers another id", NULL);
        if (k == 1) {
            bool seen = false;
            for (size_t j = 0; j < nwant && !seen; j++)
                seen = want[j] == patterns[i].id;
            if (!seen)
                want[nwant++] = patterns[i].id;
        }
    }
    if (!invalid && !skip) {
        /* want lists ids in order of the first matching pattern; the answer is in order of
         * first addition of the id, which differs only for a shared id */
        uint32_t order[NPAT];
        size_t norder = 0;
        for (size_t i = 0; i < NPAT; i++) {
            bool matched = false, seen = false;
            for (size_t j = 0; j < nwant && !matched; j++)
                matched = want[j] == patterns[i].id;
            for (size_t j = 0; j < norder && !seen; j++)
                seen = order[j] == patterns[i].id;
            if (matched && !seen)
                order[norder++] = patterns[i].id;
        }
        if ((size_t)ngot != norder || memcmp(got, order, norder * sizeof *got) != 0) {
            char msg[1024];
            int o = snprintf(msg, sizeof msg, "multi-pattern machine:");
            for (int i = 0; i < ngot && o < 900; i++)
                o += snprintf(msg + o, sizeof msg - (size_t)o, " %u", got[i]);
            o += snprintf(msg + o, sizeof msg - (size_t)o, "; one machine per pattern:");
            for (size_t i = 0; i < norder && o < 1000; i++)
                o += snprintf(msg + o, sizeof msg - (size_t)o, " %u", order[i]);
            die("the shared machine and the single-pattern machines disagree", msg);
        }
    }
    return 0;
}
