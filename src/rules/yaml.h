/* yaml.h - YAML documents read into the same position-keeping tree as JSON (core/json.h), so
 * that rule files in either language go through one validator and report file:line:column.
 *
 * Plain scalars take JSON's types: null (also ~ and empty), true/false, numbers in JSON's
 * grammar; everything else, and every quoted or block scalar, is a string (explicit tags such as
 * !!str are not honoured: write "1000" to get a string). Anchors and aliases
 * are expanded (bounded, against alias bombs); duplicate keys are errors. */
#ifndef SB_YAML_H
#define SB_YAML_H

#include "core/json.h"

/* At most this many nodes are built from one document (aliases count each time). */
#define SB_YAML_MAX_NODES 1000000

/* Parses the first YAML document of text[0..len) into *out (nodes in arena; node offsets are
 * byte offsets into text). Returns SB_OK, or SB_EINVAL with err and *err_offset set. An empty
 * document yields a null node. */
int sb_yaml_parse(const char *text, size_t len, sb_arena *arena, sb_jnode **out, sb_error *err,
                  size_t *err_offset);

#endif
