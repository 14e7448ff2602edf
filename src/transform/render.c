/* render.c - filling a compiled InputTemplate with one event's values.
 *
 * A value is written in one of three forms: its compact JSON (standing alone in a JSON template),
 * or its bare text, escaped for a JSON string or not (inside a string, or in a text template).
 * The bare text of a string is its characters without quotes; of an object or array, EventBridge's
 * quote-less form: {"a":["x",1]} is {a:[x,1]}. */
#include "transform/template.h"

#include <string.h>

/* Appends s[0..n), escaped for the inside of a JSON string when esc. */
static void put_text(sb_buf *out, const char *s, size_t n, bool esc) {
    if (!esc) {
        sb_buf_append(out, s, n);
        return;
    }
    size_t at = out->len;
    sb_buf_json_str(out, s, n);
    if (sb_buf_failed(out))
        return;
    /* drop the quotes sb_buf_json_str put around it */
    memmove(out->data + at, out->data + at + 1, out->len - at - 2);
    out->len -= 2;
    out->data[out->len] = '\0';
}

static void put_bare(sb_buf *out, const sb_jnode *v, bool esc) {
    switch (v->type) {
    case SB_JSON_STRING:
        put_text(out, v->u.str.s, v->u.str.len, esc);
        break;
    case SB_JSON_ARRAY:
        sb_buf_putc(out, '[');
        for (size_t i = 0; i < v->u.arr.n; i++) {
            if (i)
                sb_buf_putc(out, ',');
            put_bare(out, v->u.arr.items[i], esc);
        }
        sb_buf_putc(out, ']');
        break;
    case SB_JSON_OBJECT:
        sb_buf_putc(out, '{');
        for (size_t i = 0; i < v->u.obj.n; i++) {
            const sb_jmember *m = &v->u.obj.members[i];
            if (i)
                sb_buf_putc(out, ',');
            put_text(out, m->key, m->keylen, esc);
            sb_buf_putc(out, ':');
            put_bare(out, m->value, esc);
        }
        sb_buf_putc(out, '}');
        break;
    default: /* numbers as spelled, true, false, null */
        sb_json_write(out, v);
        break;
    }
}

static void put_node(sb_buf *out, const sb_jnode *v, sb_tctx ctx) {
    if (ctx == SB_TCTX_VALUE)
        sb_json_write(out, v);
    else
        put_bare(out, v, ctx == SB_TCTX_STRING);
}

typedef struct matches {
    sb_buf *out;
    sb_tctx ctx;
    size_t n;
} matches;

static void put_match(const sb_jnode *v, void *arg) {
    matches *m = arg;
    if (m->n++)
        sb_buf_putc(m->out, ',');
    put_node(m->out, v, m->ctx);
}

void sb_render_path(sb_buf *out, const sb_jsonpath *p, const sb_jnode *event, sb_tctx ctx) {
    if (sb_jsonpath_is_definite(p)) {
        const sb_jnode *v = sb_jsonpath_get(p, event);
        if (v)
            put_node(out, v, ctx);
        else if (ctx == SB_TCTX_VALUE)
            sb_buf_puts(out, "\"\""); /* what EventBridge puts for a missing value */
        return;
    }
    matches m = {out, ctx, 0};
    sb_buf_putc(out, '[');
    sb_jsonpath_each(p, event, put_match, &m);
    sb_buf_putc(out, ']');
}

static void put_string_var(sb_buf *out, const char *s, sb_tctx ctx) {
    if (!s)
        s = "";
    if (ctx == SB_TCTX_VALUE)
        sb_buf_json_cstr(out, s);
    else
        put_text(out, s, strlen(s), ctx == SB_TCTX_STRING);
}

/* The event as compact JSON: whole, or as <aws.events.event> has it (no detail, detailType). */
static void write_event(sb_buf *b, const sb_jnode *event, bool whole) {
    if (whole || event->type != SB_JSON_OBJECT) {
        sb_json_write(b, event);
        return;
    }
    sb_buf_putc(b, '{');
    size_t k = 0;
    for (size_t i = 0; i < event->u.obj.n; i++) {
        const sb_jmember *m = &event->u.obj.members[i];
        if (strcmp(m->key, "detail") == 0)
            continue;
        if (k++)
            sb_buf_putc(b, ',');
        if (strcmp(m->key, "detail-type") == 0)
            sb_buf_puts(b, "\"detailType\"");
        else
            sb_buf_json_str(b, m->key, m->keylen);
        sb_buf_putc(b, ':');
        sb_json_write(b, m->value);
    }
    sb_buf_putc(b, '}');
}

static void put_event_var(sb_buf *out, const sb_jnode *event, bool whole, sb_tctx ctx) {
    if (ctx != SB_TCTX_STRING) {
        write_event(out, event, whole);
        return;
    }
    sb_buf tmp;
    sb_buf_init(&tmp);
    write_event(&tmp, event, whole);
    if (sb_buf_failed(&tmp))
        out->failed = true;
    else
        put_text(out, tmp.data, tmp.len, true);
    sb_buf_free(&tmp);
}

void sb_template_render(const sb_template *t, const sb_jnode *event, const sb_transform_vars *vars,
                        sb_buf *out) {
    static const sb_transform_vars none = {0};
    if (!vars)
        vars = &none;
    for (size_t i = 0; i < t->npieces; i++) {
        const sb_tpiece *pc = &t->pieces[i];
        sb_buf_append(out, t->text + pc->lit_off, pc->lit_len);
        if (!pc->has_var)
            continue;
        switch (pc->var) {
        case SB_TVAR_PATH:
            sb_render_path(out, t->paths[pc->path], event, pc->ctx);
            break;
        case SB_TVAR_RULE_ARN:
            put_string_var(out, vars->rule_arn, pc->ctx);
            break;
        case SB_TVAR_RULE_NAME:
            put_string_var(out, vars->rule_name, pc->ctx);
            break;
        case SB_TVAR_INGESTION_TIME:
            put_string_var(out, vars->ingestion_time, pc->ctx);
            break;
        case SB_TVAR_EVENT:
        case SB_TVAR_EVENT_JSON:
            put_event_var(out, event, pc->var == SB_TVAR_EVENT_JSON, pc->ctx);
            break;
        }
    }
}
