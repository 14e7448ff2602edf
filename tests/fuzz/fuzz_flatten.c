/* fuzz_flatten.c - the input is an event, matched against one machine compiled once from
 * patterns that use every operator, nested fields and arrays of objects. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "pattern/pattern.h"

static const char *const patterns[] = {
    "{\"source\":[\"aws.ec2\",\"x\"],\"n\":[5,-1.5e3,null,true,false]}",
    "{\"s\":[{\"prefix\":\"a\"},{\"suffix\":\"z\"},{\"equals-ignore-case\":\"\\u00e9cole\"}]}",
    "{\"s\":[{\"prefix\":{\"equals-ignore-case\":\"AB\"}},{\"suffix\":{\"equals-ignore-case\":"
    "\"YZ\"}}]}",
    "{\"s\":[{\"wildcard\":\"a*b*c\"},{\"wildcard\":\"*x\"},{\"wildcard\":\"*\\\\**\"}]}",
    "{\"s\":[{\"anything-but\":[\"a\",\"b\"]}],\"n\":[{\"anything-but\":[1,2]}]}",
    "{\"s\":[{\"anything-but\":{\"prefix\":\"x\"}}],\"t\":[{\"anything-but\":{\"suffix\":[\"a\","
    "\"b\"]}}]}",
    "{\"s\":[{\"anything-but\":{\"equals-ignore-case\":[\"Q\"]}},{\"anything-but\":{\"wildcard\":"
    "\"*q*\"}}]}",
    "{\"n\":[{\"numeric\":[\">\",0,\"<=\",10]},{\"numeric\":[\"<\",-100]},{\"numeric\":[\"=\",3.5]}"
    "]}",
    "{\"ip\":[{\"cidr\":\"10.0.0.0/8\"},{\"cidr\":\"2001:db8::/32\"}]}",
    "{\"a\":{\"b\":[{\"exists\":true}],\"c\":[{\"exists\":false}]}}",
    "{\"a\":{\"b\":[1],\"c\":[\"x\"]},\"$or\":[{\"d\":[{\"exists\":true}]},{\"e\":[\"y\"]}]}",
    "{\"x\":{\"y\":{\"z\":[\"deep\"]}},\"k\\\"ey\":[\"v\"]}",
};

static sb_machine *machine;
static sb_matcher *matcher;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    sb_patterns *ps = sb_patterns_new();
    sb_error err;
    for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++)
        if (sb_patterns_add(ps, (uint32_t)i, patterns[i], __builtin_strlen(patterns[i]), "fuzz",
                            &err) != SB_OK)
            abort(); /* the fixed patterns must be valid */
    machine = sb_machine_compile(ps, &err);
    matcher = machine ? sb_matcher_new(machine) : NULL;
    sb_patterns_free(ps);
    if (!matcher)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const uint32_t *ids;
    sb_error err;
    int n = sb_match(matcher, (const char *)data, size, &ids, &err);
    if (n > (int)(sizeof patterns / sizeof patterns[0]))
        __builtin_trap();
    for (int i = 1; i < n; i++)
        if (ids[i] <= ids[i - 1])
            __builtin_trap(); /* ids come once each, in order */
    return 0;
}
