/* fuzz_pattern.c - the input is a pattern: parse and compile it; when it compiles, match it
 * against fixed events (arrays of objects, numbers, unicode, addresses...) and against the
 * input itself read as an event (a pattern such as {"a":["x"]} matches itself).
 *
 * Checks, besides "no crash, no leak, no sanitizer report":
 *  - a rejection is SB_EINVAL with a message located in the input ("fuzz:LINE:COL: ..."), and
 *    leaves the collection unchanged;
 *  - compiled alone (machine 1) or among a few fixed patterns, twice under two ids (machine 2),
 *    the pattern matches the same events; the fixed patterns' answers do not change for its
 *    presence; the ids come once each, in order of first addition;
 *  - whether the input is a valid event does not depend on the machine. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern/pattern.h"

static const char *const events[] = {
    "{\"source\":\"aws.ec2\",\"detail-type\":\"x\",\"detail\":{\"state\":\"running\",\"n\":5}}",
    "{\"a\":[{\"b\":1,\"c\":\"x\"},{\"b\":[2,null],\"c\":{\"d\":true}}],\"e\":-1.5e3}",
    "{\"ip\":\"10.1.2.3\",\"ip6\":\"2001:db8::1\",\"s\":\"\\u00c9cole \\u03c3\",\"k\":\"\\u212a\"}",
    "{\"x\":[],\"y\":{},\"z\":[[1,[2]],{\"w\":\"*\"}],\"q\":\"a*b\\\\c\"}",
    "{\"s\":\"abc\",\"n\":[0,-0.0,1e-3,5,1e400,12345678901234567890],\"b\":true,\"f\":false,"
    "\"z\":null}",
    "{\"a\":{\"b\":[1,2,3],\"c\":[\"x\",\"y\"]},\"arr\":[{\"id\":1,\"name\":\"one\"},"
    "{\"id\":2,\"name\":\"two\",\"tags\":[{\"k\":\"x\"}]}]}",
    "{\"s\":\"stra\xc3\x9f"
    "e \xc3\x89"
    "COLE \xf0\x9f\x98\x80\",\"k\\\"ey\":\"v\",\"\":\"empty-key\",\"uni\\u00e9\":"
    "\"\\ud83d\\ude00\"}",
    "{\"detail\":{\"items\":[{\"sku\":\"A-1\",\"qty\":0},{\"sku\":\"B-2\",\"qty\":3}],"
    "\"state\":\"stopped\"},\"source\":\"aws.s3\"}",
    "{\"s\":\"\",\"n\":\"5\",\"v\":\"null\",\"ip\":\"::ffff:10.0.0.1\",\"w\":\"\\\\\"}",
    "{\"a\":[[{\"b\":\"x\"}],{\"b\":{\"c\":[1,{\"d\":\"deep\"}]}}],\"b\":-0,\"c\":1E+2}",
    "{}",
};

#define NEV (sizeof events / sizeof events[0])

/* Fixed patterns compiled with the input into machine 2, in this order, the input going in
 * after the second (id FUZZ_ID) and again at the end (id FUZZ_ID2). */
static const char *const others[] = {
    "{\"s\":[{\"prefix\":\"ab\"},\"x\"]}",
    "{\"a\":{\"b\":[1,{\"numeric\":[\">\",1]}]}}",
    ("{\"n\":[{\"anything-but\":[5]}],\"$or\":[{\"s\":[{\"exists\":true}]},"
     "{\"ip\":[{\"cidr\":\"10.0.0.0/8\"}]}]}"),
    "{\"s\":[{\"wildcard\":\"*b*\"},{\"equals-ignore-case\":\"\\u00e9cole\"}]}",
    "{\"a\":{\"c\":[{\"exists\":false}]},\"source\":[\"aws.ec2\"]}",
};

#define NOTHERS (sizeof others / sizeof others[0])
#define FUZZ_ID 100u
#define FUZZ_ID2 101u
#define FUZZ_AFTER 2 /* the input goes in after this many of `others` */

static sb_machine *fixed_machine;
static sb_matcher *fixed_matcher;

static void die(const char *what, const char *detail) {
    fprintf(stderr, "fuzz_pattern: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    abort();
}

static void add_fixed(sb_patterns *ps, size_t i) {
    sb_error err;
    if (sb_patterns_add(ps, (uint32_t)i + 1, others[i], strlen(others[i]), "fixed", &err) != SB_OK)
        die("a fixed pattern is invalid", err.msg);
}

static void cleanup(void) {
    sb_matcher_free(fixed_matcher);
    sb_machine_free(fixed_machine);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    sb_patterns *ps = sb_patterns_new();
    sb_error err;
    if (!ps)
        die("out of memory", NULL);
    for (size_t i = 0; i < NOTHERS; i++)
        add_fixed(ps, i);
    fixed_machine = sb_machine_compile(ps, &err);
    sb_patterns_free(ps);
    if (!fixed_machine || !(fixed_matcher = sb_matcher_new(fixed_machine)))
        die("cannot compile the fixed patterns", err.msg);
    atexit(cleanup);
    return 0;
}

static bool contains(const uint32_t *ids, int n, uint32_t id) {
    for (int i = 0; i < n; i++)
        if (ids[i] == id)
            return true;
    return false;
}

/* Matches event e against machine 1 (the input alone), machine 2 and the fixed machine, and
 * checks that they agree. */
static void check_event(sb_matcher *m1, sb_matcher *m2, const char *e, size_t len, bool fixed) {
    const uint32_t *ids;
    sb_error err;
    int n1 = sb_match(m1, e, len, &ids, &err);
    if (n1 > 1 || (n1 == 1 && ids[0] != FUZZ_ID))
        die("machine 1 answers an id it does not hold", NULL);
    bool hit = n1 == 1;
    int nf = sb_match(fixed_matcher, e, len, &ids, &err);
    uint32_t fixed_ids[NOTHERS];
    if (nf > (int)NOTHERS)
        die("the fixed machine answers too many ids", NULL);
    if (nf > 0)
        memcpy(fixed_ids, ids, (size_t)nf * sizeof *ids);
    int n2 = sb_match(m2, e, len, &ids, &err);
    if (n2 < 0 && n2 != SB_EINVAL && n2 != SB_ELIMIT)
        die("unexpected return code", err.msg);
    if (n2 < 0 && err.msg[0] == '\0')
        die("an error without a message", NULL);
    if (fixed && (n1 == SB_EINVAL || nf == SB_EINVAL || n2 == SB_EINVAL))
        die("a fixed event is refused", err.msg);
    if ((n1 == SB_EINVAL) != (n2 == SB_EINVAL) || (nf == SB_EINVAL) != (n2 == SB_EINVAL))
        die("validity of the event depends on the patterns", NULL);
    if (n1 == SB_ELIMIT || nf == SB_ELIMIT || n2 == SB_ELIMIT || n2 == SB_EINVAL)
        return; /* a machine may hit the step limit where another does not */
    /* what machine 2 must answer: the ids in order of first addition */
    uint32_t want[NOTHERS + 2];
    int nw = 0;
    for (size_t i = 0; i < NOTHERS; i++) {
        if (i == FUZZ_AFTER && hit)
            want[nw++] = FUZZ_ID;
        if (contains(fixed_ids, nf, (uint32_t)i + 1))
            want[nw++] = (uint32_t)i + 1;
    }
    if (hit)
        want[nw++] = FUZZ_ID2;
    if (n2 != nw || memcmp(ids, want, (size_t)nw * sizeof *ids) != 0) {
        char msg[512];
        int o = snprintf(msg, sizeof msg, "event %.*s: machine 2 answers",
                         len > 200 ? 200 : (int)len, e);
        for (int i = 0; i < n2 && i < 8; i++)
            o += snprintf(msg + o, sizeof msg - (size_t)o, " %u", ids[i]);
        o += snprintf(msg + o, sizeof msg - (size_t)o, ", expected");
        for (int i = 0; i < nw; i++)
            o += snprintf(msg + o, sizeof msg - (size_t)o, " %u", want[i]);
        die("the pattern answers differently alone and among others", msg);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = (const char *)data;
    sb_patterns *ps1 = sb_patterns_new();
    if (!ps1)
        return 0;
    sb_error err;
    memset(&err, 0, sizeof err);
    int rc = sb_patterns_add(ps1, FUZZ_ID, text, size, "fuzz", &err);
    if (rc != SB_OK) {
        if (rc != SB_EINVAL || err.code != rc)
            die("a rejection that is not SB_EINVAL", err.msg);
        if (strnlen(err.msg, sizeof err.msg) >= sizeof err.msg || strncmp(err.msg, "fuzz:", 5) != 0)
            die("a rejection that does not say where (origin:line:col:)", err.msg);
        if (sb_patterns_count(ps1) != 0)
            die("a rejected pattern was added", NULL);
        sb_patterns_free(ps1);
        return 0;
    }
    if (sb_patterns_count(ps1) != 1)
        die("an accepted pattern was not counted", NULL);

    sb_patterns *ps2 = sb_patterns_new();
    if (!ps2)
        die("out of memory", NULL);
    for (size_t i = 0; i < NOTHERS; i++) {
        if (i == FUZZ_AFTER && sb_patterns_add(ps2, FUZZ_ID, text, size, "fuzz", &err) != SB_OK)
            die("a pattern accepted once is refused the second time", err.msg);
        add_fixed(ps2, i);
    }
    if (sb_patterns_add(ps2, FUZZ_ID2, text, size, "fuzz", &err) != SB_OK)
        die("a pattern accepted once is refused the third time", err.msg);

    sb_machine *m1 = sb_machine_compile(ps1, &err);
    if (!m1)
        die("compile failed", err.msg);
    sb_machine *m2 = sb_machine_compile(ps2, &err);
    if (!m2)
        die("compile failed", err.msg);
    sb_patterns_free(ps1);
    sb_patterns_free(ps2); /* machines outlive their collections */
    sb_matcher *mt1 = sb_matcher_new(m1), *mt2 = sb_matcher_new(m2);
    if (!mt1 || !mt2)
        die("out of memory", NULL);

    for (size_t i = 0; i < NEV; i++)
        check_event(mt1, mt2, events[i], strlen(events[i]), true);
    check_event(mt1, mt2, text, size, false);

    sb_matcher_free(mt1);
    sb_matcher_free(mt2);
    sb_machine_free(m1);
    sb_machine_free(m2);
    return 0;
}
