/* yaml.c - libyaml's document API, converted to sb_jnode trees. */
#include "rules/yaml.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/json_scan.h"

typedef struct conv {
    yaml_document_t *doc;
    const char *text;
    size_t len;
    size_t *line_starts; /* byte offset of each line */
    size_t nlines;
    sb_arena *arena;
    sb_error *err;
    size_t err_offset;
    size_t budget;
} conv;

/* libyaml marks count characters; turn (line, column) into a byte offset. */
static size_t mark_offset(const conv *c, yaml_mark_t mk) {
    if (mk.line >= c->nlines)
        return c->len;
    size_t o = c->line_starts[mk.line];
    for (size_t col = 0; col < mk.column && o < c->len && c->text[o] != '\n'; col++) {
        unsigned char b = (unsigned char)c->text[o];
        o += b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    }
    return o > c->len ? c->len : o;
}

static int fail(conv *c, size_t offset, const char *what) {
    c->err_offset = offset;
    return sb_error_set(c->err, SB_EINVAL, "%s", what);
}

static bool word_in(const char *s, size_t n, const char *const *words) {
    for (; *words; words++)
        if (strlen(*words) == n && memcmp(*words, s, n) == 0)
            return true;
    return false;
}

static int scalar(conv *c, yaml_node_t *y, sb_jnode *n) {
    const char *s = (const char *)y->data.scalar.value;
    size_t len = y->data.scalar.length;
    bool plain = y->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    static const char *const nulls[] = {"null", "Null", "NULL", "~", NULL};
    static const char *const trues[] = {"true", "True", "TRUE", NULL};
    static const char *const falses[] = {"false", "False", "FALSE", NULL};
    /* libyaml's loader tags every untagged scalar !!str, so tags cannot tell: a plain scalar
     * is typed by its text, a quoted one is a string */
    if (plain) {
        if (len == 0 || word_in(s, len, nulls)) {
            n->type = SB_JSON_NULL;
            return SB_OK;
        }
        if (word_in(s, len, trues)) {
            n->type = SB_JSON_TRUE;
            return SB_OK;
        }
        if (word_in(s, len, falses)) {
            n->type = SB_JSON_FALSE;
            return SB_OK;
        }
        const char *why, *where;
        if ((*s == '-' || (*s >= '0' && *s <= '9')) &&
            sb_json_scan_number(s, s + len, &why, &where) == s + len) {
            n->type = SB_JSON_NUMBER;
            n->u.num.raw = sb_arena_strndup(c->arena, s, len);
            n->u.num.rawlen = len;
            n->u.num.finite = sb_json_number_value(s, len, &n->u.num.v);
            return n->u.num.raw ? SB_OK : fail(c, n->offset, "out of memory");
        }
    }
    /* a string: it must be valid UTF-8 (libyaml checks its input) */
    n->type = SB_JSON_STRING;
    n->u.str.s = sb_arena_strndup(c->arena, s, len);
    n->u.str.len = len;
    return n->u.str.s ? SB_OK : fail(c, n->offset, "out of memory");
}

static int convert(conv *c, int index, int depth, sb_jnode **out) {
    yaml_node_t *y = yaml_document_get_node(c->doc, index);
    if (!y)
        return fail(c, 0, "YAML document refers to a missing node");
    size_t offset = mark_offset(c, y->start_mark);
    if (depth > SB_JSON_MAX_DEPTH)
        return fail(c, offset, "nesting too deep");
    if (c->budget-- == 0)
        return fail(c, offset, "YAML document expands to too many nodes (aliases?)");
    sb_jnode *n = sb_arena_calloc(c->arena, sizeof *n);
    if (!n)
        return fail(c, offset, "out of memory");
    n->offset = offset;
    n->end = mark_offset(c, y->end_mark);
    int rc = SB_OK;
    switch (y->type) {
    case YAML_SCALAR_NODE:
        rc = scalar(c, y, n);
        break;
    case YAML_SEQUENCE_NODE: {
        size_t count = (size_t)(y->data.sequence.items.top - y->data.sequence.items.start);
        n->type = SB_JSON_ARRAY;
        n->u.arr.n = count;
        n->u.arr.items = sb_arena_alloc(c->arena, (count ? count : 1) * sizeof(sb_jnode *));
        if (!n->u.arr.items)
            return fail(c, offset, "out of memory");
        for (size_t i = 0; i < count && rc == SB_OK; i++)
            rc = convert(c, y->data.sequence.items.start[i], depth + 1, &n->u.arr.items[i]);
        break;
    }
    case YAML_MAPPING_NODE: {
        size_t count = (size_t)(y->data.mapping.pairs.top - y->data.mapping.pairs.start);
        n->type = SB_JSON_OBJECT;
        n->u.obj.n = count;
        n->u.obj.members = sb_arena_calloc(c->arena, (count ? count : 1) * sizeof(sb_jmember));
        if (!n->u.obj.members)
            return fail(c, offset, "out of memory");
        for (size_t i = 0; i < count && rc == SB_OK; i++) {
            yaml_node_pair_t *pair = &y->data.mapping.pairs.start[i];
            yaml_node_t *k = yaml_document_get_node(c->doc, pair->key);
            sb_jmember *m = &n->u.obj.members[i];
            if (!k || k->type != YAML_SCALAR_NODE)
                return fail(c, k ? mark_offset(c, k->start_mark) : offset,
                            "mapping keys must be plain strings");
            m->key_offset = mark_offset(c, k->start_mark);
            m->keylen = k->data.scalar.length;
            m->key = sb_arena_strndup(c->arena, (const char *)k->data.scalar.value, m->keylen);
            if (!m->key)
                return fail(c, offset, "out of memory");
            for (size_t j = 0; j < i; j++)
                if (n->u.obj.members[j].keylen == m->keylen &&
                    memcmp(n->u.obj.members[j].key, m->key, m->keylen) == 0)
                    return fail(c, m->key_offset, "duplicate key in mapping");
            rc = convert(c, pair->value, depth + 1, &m->value);
        }
        break;
    }
    default:
        rc = fail(c, offset, "empty YAML node");
        break;
    }
    *out = n;
    return rc;
}

/* Length of the line break at text[i] as YAML reads it (CRLF, CR, LF, NEL, LS, PS), or 0. */
static size_t line_break(const char *text, size_t len, size_t i) {
    const unsigned char *u = (const unsigned char *)text + i;
    if (u[0] == '\n')
        return 1;
    if (u[0] == '\r')
        return i + 1 < len && u[1] == '\n' ? 2 : 1;
    if (u[0] == 0xC2 && i + 1 < len && u[1] == 0x85)
        return 2;
    if (u[0] == 0xE2 && i + 2 < len && u[1] == 0x80 && (u[2] == 0xA8 || u[2] == 0xA9))
        return 3;
    return 0;
}

int sb_yaml_parse(const char *text, size_t len, sb_arena *arena, sb_jnode **out, sb_error *err,
                  size_t *err_offset) {
    conv c = {0};
    c.text = text;
    c.len = len;
    c.arena = arena;
    c.err = err;
    c.budget = SB_YAML_MAX_NODES;
    /* libyaml's marks count lines as YAML does: a lone CR, NEL, LS and PS end lines too */
    size_t lines = 1;
    for (size_t i = 0, n; i < len; i += n ? n : 1)
        lines += (n = line_break(text, len, i)) > 0;
    c.line_starts = malloc(lines * sizeof *c.line_starts);
    if (!c.line_starts)
        return sb_error_set(err, SB_ENOMEM, "out of memory");
    c.line_starts[0] = 0;
    for (size_t i = 0, l = 1, n; i < len; i += n ? n : 1)
        if ((n = line_break(text, len, i)) > 0)
            c.line_starts[l++] = i + n;
    c.nlines = lines;

    yaml_parser_t parser;
    yaml_document_t doc;
    int rc = SB_OK;
    if (!yaml_parser_initialize(&parser)) {
        free(c.line_starts);
        return sb_error_set(err, SB_ENOMEM, "out of memory");
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        yaml_mark_t mk = parser.problem_mark;
        rc = sb_error_set(err, SB_EINVAL, "invalid YAML: %s%s%s",
                          parser.problem ? parser.problem : "syntax error",
                          parser.context ? " " : "", parser.context ? parser.context : "");
        c.err_offset = mark_offset(&c, mk);
    } else {
        c.doc = &doc;
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        if (!root) {
            sb_jnode *n = sb_arena_calloc(arena, sizeof *n);
            if (!n)
                rc = sb_error_set(err, SB_ENOMEM, "out of memory");
            else
                n->type = SB_JSON_NULL;
            *out = n;
        } else {
            rc = convert(&c, 1, 0, out);
        }
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    free(c.line_starts);
    if (rc && err_offset)
        *err_offset = c.err_offset;
    return rc;
}
