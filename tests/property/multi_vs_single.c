/* multi_vs_single.c - one machine compiled from many random patterns must answer, for every
 * random event, exactly what one machine per pattern answers. This checks what sharing adds
 * (merged states, deduplicated predicates and value tables) against the plain case. Seeded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern/pattern.h"

static unsigned long long state = 0x2545F4914F6CDD1DULL;

static unsigned rnd(unsigned n) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (unsigned)(state % n);
}

static const char *tests[] = {"\"x\"",
                              "\"y\"",
                              "\"xy\"",
                              "1",
                              "0",
                              "-1.5",
                              "null",
                              "true",
                              "{\"prefix\":\"x\"}",
                              "{\"suffix\":\"y\"}",
                              "{\"equals-ignore-case\":\"X\"}",
                              "{\"prefix\":{\"equals-ignore-case\":\"Y\"}}",
                              "{\"wildcard\":\"*y\"}",
                              "{\"wildcard\":\"x*\"}",
                              "{\"wildcard\":\"*x*\"}",
                              "{\"wildcard\":\"x*y\"}",
                              "{\"anything-but\":{\"wildcard\":[\"x*\",\"*z\"]}}",
                              "{\"numeric\":[\"<\",1]}",
                              "{\"numeric\":[\"=\",0]}",
                              "{\"anything-but\":[\"x\"]}",
                              "{\"anything-but\":[1]}",
                              "{\"anything-but\":{\"prefix\":\"x\"}}",
                              "{\"anything-but\":{\"suffix\":\"y\"}}",
                              "{\"numeric\":[\">\",0]}",
                              "{\"numeric\":[\">=\",-2,\"<\",1]}",
                              "{\"exists\":true}",
                              "{\"exists\":false}",
                              "{\"cidr\":\"10.0.0.0/8\"}"};
static const char *values[] = {
    "\"x\"", "\"y\"", "\"xy\"", "\"yx\"", "\"X\"",        "\"\"", "1",  "0",         "-1.5",
    "2",     "null",  "true",   "false",  "\"10.1.2.3\"", "[]",   "{}", "[\"x\",1]", "\"Yz\""};

static int put(char *b, int o, const char *s) {
    size_t n = strlen(s);
    memcpy(b + o, s, n);
    return o + (int)n;
}

static int leaf_tests(char *b, int o) {
    o = put(b, o, "[");
    int n = 1 + (int)rnd(2);
    for (int i = 0; i < n; i++) {
        if (i)
            o = put(b, o, ",");
        o = put(b, o, tests[rnd(sizeof tests / sizeof tests[0])]);
    }
    return put(b, o, "]");
}

/* A random pattern body (members without braces) over a, b, c.d, c.e, arr.x, arr.y. */
static int pattern_members(char *b, int o, int depth) {
    int n = 0;
    if (rnd(2)) {
        o = put(b, o, "\"a\":");
        o = leaf_tests(b, o);
        n++;
    }
    if (rnd(3) == 0) {
        o = put(b, o, n++ ? ",\"b\":" : "\"b\":");
        o = leaf_tests(b, o);
    }
    if (rnd(3) == 0) {
        o = put(b, o, n++ ? ",\"c\":{\"d\":" : "\"c\":{\"d\":");
        o = leaf_tests(b, o);
        if (rnd(2)) {
            o = put(b, o, ",\"e\":");
            o = leaf_tests(b, o);
        }
        o = put(b, o, "}");
    }
    if (rnd(2)) {
        o = put(b, o, n++ ? ",\"arr\":{\"x\":" : "\"arr\":{\"x\":");
        o = leaf_tests(b, o);
        if (rnd(2)) {
            o = put(b, o, ",\"y\":");
            o = leaf_tests(b, o);
        }
        o = put(b, o, "}");
    }
    if (depth == 0 && rnd(4) == 0) {
        o = put(b, o, n++ ? ",\"$or\":[{" : "\"$or\":[{");
        o = pattern_members(b, o, 1);
        o = put(b, o, "},{");
        o = pattern_members(b, o, 1);
        o = put(b, o, "}]");
    }
    if (n == 0) {
        o = put(b, o, "\"b\":");
        o = leaf_tests(b, o);
    }
    return o;
}

static int event(char *b) {
    int o = put(b, 0, "{\"id\":7");
    if (rnd(4)) {
        o = put(b, o, ",\"a\":");
        o = put(b, o, values[rnd(sizeof values / sizeof values[0])]);
    }
    if (rnd(2)) {
        o = put(b, o, ",\"b\":");
        o = put(b, o, values[rnd(sizeof values / sizeof values[0])]);
    }
    if (rnd(2)) {
        o = put(b, o, ",\"c\":{\"d\":");
        o = put(b, o, values[rnd(sizeof values / sizeof values[0])]);
        o = put(b, o, ",\"e\":");
        o = put(b, o, values[rnd(sizeof values / sizeof values[0])]);
        o = put(b, o, "}");
    }
    if (rnd(4)) {
        o = put(b, o, ",\"arr\":[");
        int n = (int)rnd(4);
        for (int i = 0; i < n; i++) {
            o = put(b, o, i ? ",{" : "{");
            int m = 0;
            if (rnd(3)) {
                o = put(b, o, "\"x\":");
                o = put(b, o, values[rnd(sizeof values / sizeof values[0])]);
                m++;
            }
            if (rnd(3)) {
                o = put(b, o, m ? ",\"y\":" : "\"y\":");
                o = put(b, o, values[rnd(sizeof values / sizeof values[0])]);
            }
            o = put(b, o, "}");
        }
        o = put(b, o, "]");
    }
    return put(b, o, "}");
}

#define NPAT 40
#define NEV 300
#define ROUNDS 40

int main(void) {
    long passed = 0, failed = 0, matches = 0, pairs = 0;
    static char pats[NPAT][4096];
    static char ev[4096];
    for (int round = 0; round < ROUNDS; round++) {
        sb_patterns *all = sb_patterns_new();
        sb_machine *single[NPAT];
        sb_matcher *smt[NPAT];
        sb_error err;
        int np = 0;
        for (int i = 0; i < NPAT; i++) {
            int o = put(pats[np], 0, "{");
            o = pattern_members(pats[np], o, 0);
            o = put(pats[np], o, "}");
            pats[np][o] = '\0';
            sb_patterns *one = sb_patterns_new();
            if (sb_patterns_add(one, (uint32_t)np, pats[np], (size_t)o, NULL, &err) != SB_OK) {
                /* a random combination may be invalid (e.g. a field twice via $or): skip it */
                sb_patterns_free(one);
                continue;
            }
            sb_patterns_add(all, (uint32_t)np, pats[np], (size_t)o, NULL, &err);
            single[np] = sb_machine_compile(one, &err);
            smt[np] = sb_matcher_new(single[np]);
            sb_patterns_free(one);
            np++;
        }
        sb_machine *m = sb_machine_compile(all, &err);
        sb_matcher *mt = sb_matcher_new(m);
        for (int e = 0; e < NEV; e++) {
            int len = event(ev);
            ev[len] = '\0';
            const uint32_t *ids;
            int n = sb_match(mt, ev, (size_t)len, &ids, &err);
            char want[NPAT] = {0}, got[NPAT] = {0};
            for (int k = 0; k < n; k++)
                got[ids[k]] = 1;
            for (int p = 0; p < np; p++) {
                const uint32_t *one;
                want[p] = sb_match(smt[p], ev, (size_t)len, &one, &err) > 0;
                matches += want[p];
                pairs++;
            }
            if (n < 0 || memcmp(want, got, (size_t)np) != 0) {
                if (failed++ < 5) {
                    printf("FAIL event %s\n", ev);
                    for (int p = 0; p < np; p++)
                        if (want[p] != got[p])
                            printf("  pattern %s: alone %d, together %d\n", pats[p], want[p],
                                   got[p]);
                }
            } else {
                passed++;
            }
        }
        sb_matcher_free(mt);
        sb_machine_free(m);
        sb_patterns_free(all);
        for (int p = 0; p < np; p++) {
            sb_matcher_free(smt[p]);
            sb_machine_free(single[p]);
        }
    }
    printf("%ld (event, pattern) pairs, %ld of them matching\n", pairs, matches);
    printf("%ld passed, %ld failed\n", passed, failed);
    /* a run where almost nothing (or everything) matches would prove little */
    return failed != 0 || matches * 20 < pairs || matches * 20 > pairs * 19;
}
