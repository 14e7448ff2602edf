/* fuzz_json.c - the position-keeping JSON parser on arbitrary input: it accepts or refuses,
 * and what it accepts written back out parses again to the same text. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    sb_arena a;
    sb_arena_init(&a, 0);
    sb_jnode *root;
    sb_error err;
    size_t at = 0;
    if (sb_json_parse((const char *)data, size, &a, false, &root, &err, &at) == SB_OK) {
        sb_buf b, c;
        sb_buf_init(&b);
        sb_buf_init(&c);
        sb_json_write(&b, root);
        sb_jnode *again;
        if (!sb_buf_failed(&b)) {
            if (sb_json_parse(b.data, b.len, &a, false, &again, &err, NULL) != SB_OK)
                __builtin_trap(); /* our own output must be valid JSON */
            sb_json_write(&c, again);
            if (!sb_buf_failed(&c) && (b.len != c.len || memcmp(b.data, c.data, b.len) != 0))
                __builtin_trap(); /* and stable */
        }
        sb_buf_free(&b);
        sb_buf_free(&c);
    } else if (at > size) {
        __builtin_trap(); /* the error position lies in the input */
    }
    sb_arena_free(&a);
    return 0;
}
