/* entry_check.h - what the PutEvents and POST /events fuzzers check of every parsed entry: an
 * entry is an error with a code and a message, or valid (source, detail-type, bus, time in
 * years 0-9999, resources, a Detail that is a JSON object), and the envelope ingest writes for
 * a valid entry carries them back unchanged and is matched by the router's matcher. A failed
 * check prints what and aborts, which libFuzzer reports as a crash. */
#ifndef SB_FUZZ_ENTRY_CHECK_H
#define SB_FUZZ_ENTRY_CHECK_H

#include <stddef.h>

#include "core/arena.h"
#include "source/putevents.h"

/* Prints "NAME: what: detail" (detail may be NULL) and aborts. */
_Noreturn void fuzz_die(const char *what, const char *detail);

/* Compiles the fixed pattern the envelopes must match; name prefixes failure messages. Call
 * once, from LLVMFuzzerInitialize. */
void fuzz_entry_check_init(const char *name);

/* Checks e as above. A valid entry's source and detail-type must have 1 to source_max and
 * detail_type_max bytes, without NUL when no_nul. Temporary parses go into arena. */
void fuzz_check_entry(const sb_put_entry *e, sb_arena *arena, size_t source_max,
                      size_t detail_type_max, int no_nul);

#endif
