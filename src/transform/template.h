/* template.h - InputTransformer internals: a compiled InputTemplate and its rendering.
 *
 * Private to src/transform/ (transform.c is the public face). An InputTemplate compiles to a list
 * of pieces, each a run of literal template text followed by at most one placeholder, and each
 * placeholder knows where it stands: alone as a JSON value, inside a JSON string, or in a text
 * (non-JSON) template. Rendering walks the pieces once per event. */
#ifndef SB_TRANSFORM_TEMPLATE_H
#define SB_TRANSFORM_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/status.h"
#include "rules/rule.h"
#include "transform/jsonpath.h"
#include "transform/transform.h"

#define SB_TEMPLATE_MAX 8192 /* InputTemplate bytes (EventBridge's limit) */
#define SB_PATHS_MAX 100     /* InputPathsMap entries (EventBridge's limit) */

typedef enum {
    SB_TVAR_PATH,           /* a name of InputPathsMap */
    SB_TVAR_RULE_ARN,       /* aws.events.rule-arn */
    SB_TVAR_RULE_NAME,      /* aws.events.rule-name */
    SB_TVAR_INGESTION_TIME, /* aws.events.event.ingestion-time */
    SB_TVAR_EVENT,          /* aws.events.event: the envelope without detail */
    SB_TVAR_EVENT_JSON      /* aws.events.event.json: the whole event */
} sb_tvar;

typedef enum {
    SB_TCTX_VALUE,  /* standing alone as a value of a JSON template */
    SB_TCTX_STRING, /* inside a string of a JSON template */
    SB_TCTX_TEXT    /* anywhere in a text template */
} sb_tctx;

typedef struct sb_tpiece {
    size_t lit_off, lit_len; /* literal template text written before the placeholder */
    bool has_var;            /* false for the last piece (literal tail only) */
    sb_tvar var;
    size_t path; /* SB_TVAR_PATH: index into the template's paths */
    sb_tctx ctx;
} sb_tpiece;

typedef struct sb_template {
    char *text; /* the InputTemplate */
    bool json;  /* the template is JSON once its placeholders are filled */
    char **names;
    sb_jsonpath **paths; /* paths[i] is the JSONPath of names[i] */
    size_t npaths;
    sb_tpiece *pieces;
    size_t npieces;
} sb_template;

/* Compiles spec's InputTransformer into *t (zeroed by the caller). On failure returns SB_EINVAL,
 * SB_ELIMIT or SB_ENOMEM with err, and *t must still be released with sb_template_release. */
int sb_template_compile(sb_template *t, const sb_target_spec *spec, sb_error *err);

/* Frees what *t holds (not t itself). */
void sb_template_release(sb_template *t);

/* Appends the template filled for `event` (the parsed envelope) to out. Never fails on its own:
 * out's failed mark tells of memory exhaustion. */
void sb_template_render(const sb_template *t, const sb_jnode *event, const sb_transform_vars *vars,
                        sb_buf *out);

/* Appends the values `p` selects in `event` as they stand in context ctx (see transform.h). */
void sb_render_path(sb_buf *out, const sb_jsonpath *p, const sb_jnode *event, sb_tctx ctx);

#endif
