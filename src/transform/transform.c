/* transform.c - a target's Input, InputPath or InputTransformer, compiled and applied. */
#include "transform/transform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transform/template.h"

typedef enum { MODE_IDENTITY, MODE_INPUT, MODE_PATH, MODE_TEMPLATE } mode;

struct sb_transformer {
    mode mode;
    char *input;       /* MODE_INPUT: the constant */
    sb_jsonpath *path; /* MODE_PATH */
    sb_template tmpl;  /* MODE_TEMPLATE */
};

void sb_transformer_free(sb_transformer *t) {
    if (!t)
        return;
    free(t->input);
    sb_jsonpath_free(t->path);
    sb_template_release(&t->tmpl);
    free(t);
}

bool sb_transformer_is_identity(const sb_transformer *t) {
    return t->mode == MODE_IDENTITY;
}

bool sb_transformer_output_is_json(const sb_transformer *t) {
    return t->mode != MODE_TEMPLATE || t->tmpl.json;
}

/* Input: a copy of the constant, once it is known to be JSON. */
static int compile_input(sb_transformer *t, const char *input, sb_error *err) {
    sb_arena a;
    sb_arena_init(&a, 4096);
    sb_jnode *root;
    size_t off = 0;
    int rc = sb_json_parse(input, strlen(input), &a, false, &root, err, &off);
    sb_arena_free(&a);
    if (rc != SB_OK) {
        char why[SB_ERROR_MSG_MAX];
        snprintf(why, sizeof why, "%s", err ? err->msg : "");
        sb_error_set(err, rc, "Input is not valid JSON: %s", why);
        sb_error_locate(err, "Input", input, strlen(input), off);
        return rc;
    }
    if (!(t->input = strdup(input)))
        return sb_error_set(err, SB_ENOMEM, "out of memory");
    return SB_OK;
}

static int compile(sb_transformer *t, const sb_target_spec *spec, sb_error *err) {
    bool transformer = spec->input_template || spec->npaths_map > 0;
    if (!!spec->input + !!spec->input_path + transformer > 1)
        return sb_error_set(err, SB_EINVAL,
                            "a target takes at most one of Input, InputPath and InputTransformer");
    if (spec->input) {
        t->mode = MODE_INPUT;
        return compile_input(t, spec->input, err);
    }
    if (spec->input_path) {
        t->mode = MODE_PATH;
        if (!(t->path = sb_jsonpath_new(spec->input_path, err))) {
            char why[SB_ERROR_MSG_MAX];
            snprintf(why, sizeof why, "%s", err ? err->msg : "");
            return sb_error_set(err, err ? err->code : SB_EINVAL, "InputPath: %s", why);
        }
        return SB_OK;
    }
    if (transformer) {
        t->mode = MODE_TEMPLATE;
        return sb_template_compile(&t->tmpl, spec, err);
    }
    t->mode = MODE_IDENTITY;
    return SB_OK;
}

sb_transformer *sb_transformer_new(const sb_target_spec *spec, sb_error *err) {
    sb_transformer *t = calloc(1, sizeof *t);
    if (!t) {
        sb_error_set(err, SB_ENOMEM, "out of memory");
        return NULL;
    }
    int rc = compile(t, spec, err);
    if (rc == SB_OK)
        return t;
    if (err && spec->id) {
        char why[SB_ERROR_MSG_MAX];
        snprintf(why, sizeof why, "%s", err->msg);
        sb_error_set(err, rc, "target %s: %s", spec->id, why);
    }
    sb_transformer_free(t);
    return NULL;
}

int sb_transformer_apply(const sb_transformer *t, const sb_jnode *event, const char *event_text,
                         size_t event_len, const sb_transform_vars *vars, sb_buf *out,
                         sb_error *err) {
    switch (t->mode) {
    case MODE_IDENTITY:
        sb_buf_append(out, event_text, event_len);
        break;
    case MODE_INPUT:
        sb_buf_puts(out, t->input);
        break;
    case MODE_PATH:
        if (sb_jsonpath_is_root(t->path)) {
            sb_buf_append(out, event_text, event_len);
        } else if (sb_jsonpath_is_definite(t->path) && !sb_jsonpath_get(t->path, event)) {
            return sb_error_set(err, SB_EINVAL, "InputPath %s selects nothing in this event",
                                sb_jsonpath_text(t->path));
        } else {
            sb_render_path(out, t->path, event, SB_TCTX_VALUE);
        }
        break;
    case MODE_TEMPLATE:
        sb_template_render(&t->tmpl, event, vars, out);
        break;
    }
    return sb_buf_failed(out) ? sb_error_set(err, SB_ENOMEM, "out of memory") : SB_OK;
}
