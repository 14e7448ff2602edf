/* fuzz_pattern.c - the input is a pattern: parse and compile it; when it compiles, match it
 * against a few fixed events. Nothing may crash, leak or read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pattern/pattern.h"

static const char *const events[] = {
    "{\"source\":\"aws.ec2\",\"detail-type\":\"x\",\"detail\":{\"state\":\"running\",\"n\":5}}",
    "{\"a\":[{\"b\":1,\"c\":\"x\"},{\"b\":[2,null],\"c\":{\"d\":true}}],\"e\":-1.5e3}",
    "{\"ip\":\"10.1.2.3\",\"ip6\":\"2001:db8::1\",\"s\":\"\\u00c9cole \\u03c3\",\"k\":\"\\u212a\"}",
    "{\"x\":[],\"y\":{},\"z\":[[1,[2]],{\"w\":\"*\"}],\"q\":\"a*b\\\\c\"}",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    sb_patterns *ps = sb_patterns_new();
    if (!ps)
        return 0;
    sb_error err;
    if (sb_patterns_add(ps, 7, (const char *)data, size, "fuzz", &err) == SB_OK) {
        /* a second copy under another id exercises the sharing of states */
        sb_patterns_add(ps, 8, (const char *)data, size, "fuzz", &err);
        sb_machine *m = sb_machine_compile(ps, &err);
        sb_matcher *mt = m ? sb_matcher_new(m) : NULL;
        for (size_t i = 0; mt && i < sizeof events / sizeof events[0]; i++) {
            const uint32_t *ids;
            int n = sb_match(mt, events[i], strlen(events[i]), &ids, &err);
            if (n == 1 || n > 2)
                __builtin_trap(); /* the two copies match together or not at all */
        }
        sb_matcher_free(mt);
        sb_machine_free(m);
    } else if (err.msg[0] == '\0') {
        __builtin_trap(); /* every rejection says why */
    }
    sb_patterns_free(ps);
    return 0;
}
