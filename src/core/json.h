/* json.h - a JSON document model that remembers where each value came from.
 *
 * Used for patterns and rule files, where every error must name file:line:column; jansson
 * keeps no positions, so this small parser does. Numbers keep their original spelling and
 * their double value. All nodes live in the caller's arena. The event hot path does not use
 * this: see pattern/flatten.c. */
#ifndef SB_JSON_H
#define SB_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/status.h"

typedef enum {
    SB_JSON_NULL,
    SB_JSON_FALSE,
    SB_JSON_TRUE,
    SB_JSON_NUMBER,
    SB_JSON_STRING,
    SB_JSON_ARRAY,
    SB_JSON_OBJECT
} sb_json_type;

typedef struct sb_jnode sb_jnode;
typedef struct sb_jmember sb_jmember;

struct sb_jnode {
    sb_json_type type;
    size_t offset; /* byte offset of the value's first byte in the source */
    size_t end;    /* byte offset just past the value */
    union {
        struct {
            const char *s; /* unescaped, NUL-terminated (may contain NUL bytes: use len) */
            size_t len;
        } str;
        struct {
            double v; /* the value; `finite` false when out of the double range */
            bool finite;
            const char *raw; /* the original spelling (not NUL-terminated) */
            size_t rawlen;
        } num;
        struct {
            sb_jnode **items;
            size_t n;
        } arr;
        struct {
            sb_jmember *members;
            size_t n;
        } obj;
    } u;
};

struct sb_jmember {
    const char *key; /* unescaped, NUL-terminated */
    size_t keylen;
    size_t key_offset; /* byte offset of the key's opening quote */
    sb_jnode *value;
};

/* Limits that keep a hostile document cheap to refuse. */
#define SB_JSON_MAX_DEPTH 256

/* Parses text[0..len) as one JSON value (surrounding whitespace allowed). On success stores the
 * root in *out and returns SB_OK; nodes are allocated from arena and live as long as it. On
 * failure returns SB_EINVAL with err describing the problem and *err_offset (if not NULL) set
 * to the byte offset where it was found. Rejects duplicate keys in an object when
 * reject_duplicates is true. */
int sb_json_parse(const char *text, size_t len, sb_arena *arena, bool reject_duplicates,
                  sb_jnode **out, sb_error *err, size_t *err_offset);

/* Returns the member of object node o named key, or NULL (also when o is not an object). */
const sb_jmember *sb_json_get(const sb_jnode *o, const char *key);

/* A short name of a node's type for messages ("string", "number", "object", ...). */
const char *sb_json_type_name(sb_json_type t);

/* Appends node n as compact JSON text to b (numbers keep their original spelling). */
void sb_json_write(sb_buf *b, const sb_jnode *n);

#endif
