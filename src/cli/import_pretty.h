/* import_pretty.h - JSON trees (core/json.h) written as indented JSON text, for the rule files
 * `signalbox rules import` writes, and the small tree builders it uses (internal to src/cli). */
#ifndef SB_CLI_IMPORT_PRETTY_H
#define SB_CLI_IMPORT_PRETTY_H

#include "core/arena.h"
#include "core/buf.h"
#include "core/json.h"

/* Appends n to b as JSON with two-space indentation; a list or object whose one-line form is
 * short (`["aws.ec2"]`, `{"prefix": "i-"}`) stays on one line. Strings are escaped, numbers
 * keep their spelling. Ends without a newline. */
void sb_import_pretty(sb_buf *b, const sb_jnode *n);

/* A string node holding a copy of s, or NULL when out of memory. */
sb_jnode *sb_import_str(sb_arena *a, const char *s);

/* An empty object (or, with `array`, list) node with room for cap members or items, or NULL
 * when out of memory. */
sb_jnode *sb_import_container(sb_arena *a, bool array, size_t cap);

/* Appends key -> v to object o (made with room for it); v and key are borrowed for o's life. */
void sb_import_put(sb_jnode *o, const char *key, const sb_jnode *v);

/* Appends v to list l (made with room for it). */
void sb_import_push(sb_jnode *l, const sb_jnode *v);

#endif
