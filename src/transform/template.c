/* template.c - compiling an InputTransformer: names, paths, placeholders, JSON or text. */
#include "transform/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    sb_tvar var;
} predefined[] = {
    {"aws.events.rule-arn", SB_TVAR_RULE_ARN},
    {"aws.events.rule-name", SB_TVAR_RULE_NAME},
    {"aws.events.event.ingestion-time", SB_TVAR_INGESTION_TIME},
    {"aws.events.event", SB_TVAR_EVENT},
    {"aws.events.event.json", SB_TVAR_EVENT_JSON},
};

#define NPREDEFINED (sizeof predefined / sizeof predefined[0])

static bool name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_';
}

void sb_template_release(sb_template *t) {
    for (size_t i = 0; i < t->npaths; i++) {
        free(t->names[i]);
        sb_jsonpath_free(t->paths[i]);
    }
    free(t->names);
    free(t->paths);
    free(t->pieces);
    free(t->text);
    memset(t, 0, sizeof *t);
}

/* Checks and compiles InputPathsMap into t->names and t->paths. */
static int compile_paths(sb_template *t, const sb_target_spec *spec, sb_error *err) {
    if (spec->npaths_map > SB_PATHS_MAX)
        return sb_error_set(err, SB_ELIMIT, "InputPathsMap has %zu entries (at most %d)",
                            spec->npaths_map, SB_PATHS_MAX);
    t->names = calloc(spec->npaths_map + 1, sizeof *t->names);
    t->paths = calloc(spec->npaths_map + 1, sizeof *t->paths);
    if (!t->names || !t->paths)
        return sb_error_set(err, SB_ENOMEM, "out of memory");
    for (size_t i = 0; i < spec->npaths_map; i++) {
        const char *name = spec->paths_map[i].key;
        size_t n =
            strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_");
        if (n == 0 || name[n] != '\0')
            return sb_error_set(err, SB_EINVAL,
                                "InputPathsMap name \"%s\" must be letters, digits, '.', '-' or "
                                "'_'",
                                name);
        for (size_t k = 0; k < NPREDEFINED; k++)
            if (strcmp(name, predefined[k].name) == 0)
                return sb_error_set(err, SB_EINVAL,
                                    "InputPathsMap name \"%s\" is reserved for EventBridge's "
                                    "predefined variable",
                                    name);
        for (size_t k = 0; k < i; k++)
            if (strcmp(name, t->names[k]) == 0)
                return sb_error_set(err, SB_EINVAL, "InputPathsMap name \"%s\" appears twice",
                                    name);
        if (!(t->names[i] = strdup(name)))
            return sb_error_set(err, SB_ENOMEM, "out of memory");
        t->npaths = i + 1;
        if (!(t->paths[i] = sb_jsonpath_new(spec->paths_map[i].value, err))) {
            char why[SB_ERROR_MSG_MAX];
            snprintf(why, sizeof why, "%s", err ? err->msg : "");
            return sb_error_set(err, err ? err->code : SB_EINVAL, "InputPathsMap \"%s\": %s", name,
                                why);
        }
    }
    return SB_OK;
}

/* Resolves the placeholder name s[0..n) into pc; false when it names nothing. */
static bool resolve(const sb_template *t, const char *s, size_t n, sb_tpiece *pc) {
    for (size_t k = 0; k < NPREDEFINED; k++)
        if (strlen(predefined[k].name) == n && memcmp(predefined[k].name, s, n) == 0) {
            pc->var = predefined[k].var;
            return true;
        }
    for (size_t k = 0; k < t->npaths; k++)
        if (strlen(t->names[k]) == n && memcmp(t->names[k], s, n) == 0) {
            pc->var = SB_TVAR_PATH;
            pc->path = k;
            return true;
        }
    return false;
}

/* Splits t->text into pieces, noting whether each placeholder is inside a JSON string (as if
 * the template were JSON; classify() decides whether it is). */
static int scan(sb_template *t, sb_error *err) {
    const char *s = t->text;
    size_t len = strlen(s), lit = 0;
    /* a placeholder takes at least 3 bytes */
    if (!(t->pieces = calloc(len / 3 + 2, sizeof *t->pieces)))
        return sb_error_set(err, SB_ENOMEM, "out of memory");
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        if (in_string && s[i] == '\\' && s[i + 1] != '<') {
            i++; /* an escaped character, but "<" and ">" cannot be escaped */
            continue;
        }
        if (s[i] == '"') {
            in_string = !in_string;
            continue;
        }
        if (s[i] != '<')
            continue;
        size_t e = i + 1;
        while (name_char(s[e]))
            e++;
        if (e == i + 1 || s[e] != '>')
            continue; /* not <name>: literal text */
        sb_tpiece *pc = &t->pieces[t->npieces];
        if (!resolve(t, s + i + 1, e - i - 1, pc)) {
            sb_error_set(err, SB_EINVAL,
                         "placeholder <%.*s> is neither a name of InputPathsMap "
                         "nor a predefined variable (aws.events.rule-arn, aws.events.rule-name, "
                         "aws.events.event, aws.events.event.json, "
                         "aws.events.event.ingestion-time)",
                         (int)(e - i - 1), s + i + 1);
            sb_error_locate(err, "InputTemplate", s, len, i);
            return SB_EINVAL;
        }
        pc->lit_off = lit;
        pc->lit_len = i - lit;
        pc->has_var = true;
        pc->ctx = in_string ? SB_TCTX_STRING : SB_TCTX_VALUE;
        t->npieces++;
        lit = e + 1;
        i = e;
    }
    t->pieces[t->npieces++] = (sb_tpiece){.lit_off = lit, .lit_len = len - lit};
    return SB_OK;
}

/* Parses t->text with each placeholder standing alone replaced by `fill` within spaces, so
 * that it cannot merge with its neighbours ("[1<n>]" must not read as [10]). A placeholder takes
 * at least 3 bytes, as " 0 " does: offsets stay those of the template. */
static int probe(const sb_template *t, const char *fill, sb_error *perr, size_t *off) {
    size_t len = strlen(t->text);
    char *p = malloc(len + 1);
    if (!p)
        return sb_error_set(perr, SB_ENOMEM, "out of memory");
    memcpy(p, t->text, len + 1);
    for (size_t i = 0; i + 1 < t->npieces; i++) {
        const sb_tpiece *pc = &t->pieces[i];
        if (pc->ctx != SB_TCTX_VALUE)
            continue;
        size_t at = pc->lit_off + pc->lit_len, end = t->pieces[i + 1].lit_off;
        memset(p + at, ' ', end - at);
        memcpy(p + at, fill, strlen(fill));
    }
    sb_arena a;
    sb_arena_init(&a, 4096);
    sb_jnode *root;
    int rc = sb_json_parse(p, len, &a, false, &root, perr, off);
    sb_arena_free(&a);
    free(p);
    return rc;
}

/* Decides whether the template is JSON; refuses one that starts like JSON and is not. */
static int classify(sb_template *t, sb_error *err) {
    sb_error perr = {0};
    size_t off = 0;
    int rc = probe(t, " 0", &perr, &off);
    if (rc == SB_OK) {
        t->json = true;
        return SB_OK;
    }
    if (rc == SB_ENOMEM)
        return sb_error_set(err, SB_ENOMEM, "out of memory");
    const char *s = t->text;
    size_t len = strlen(s), first = strspn(s, " \t\r\n");
    if (s[first] != '{' && s[first] != '[') {
        for (size_t i = 0; i + 1 < t->npieces; i++)
            t->pieces[i].ctx = SB_TCTX_TEXT;
        return SB_OK;
    }
    size_t key_off = 0;
    if (probe(t, "\"\"", NULL, &key_off) == SB_OK) {
        /* valid with strings in place of the placeholders: one of them stands as a key */
        for (size_t i = 0; i + 1 < t->npieces; i++) {
            const sb_tpiece *pc = &t->pieces[i], *next = pc + 1;
            const char *after = s + next->lit_off;
            if (pc->ctx == SB_TCTX_VALUE && after[strspn(after, " \t\r\n")] == ':') {
                off = pc->lit_off + pc->lit_len;
                break;
            }
        }
        sb_error_set(err, SB_EINVAL,
                     "a placeholder cannot be an object key (put it inside the key's quotes)");
    } else {
        /* an error inside a placeholder's stand-in is reported at the placeholder */
        for (size_t i = 0; i + 1 < t->npieces; i++) {
            const sb_tpiece *pc = &t->pieces[i];
            size_t at = pc->lit_off + pc->lit_len;
            if (pc->ctx == SB_TCTX_VALUE && off >= at && off < t->pieces[i + 1].lit_off)
                off = at;
        }
        sb_error_set(err, SB_EINVAL,
                     "not JSON once its placeholders are filled, though it starts with '%c': %s",
                     s[first], perr.msg);
    }
    sb_error_locate(err, "InputTemplate", s, len, off);
    return SB_EINVAL;
}

int sb_template_compile(sb_template *t, const sb_target_spec *spec, sb_error *err) {
    const char *tmpl = spec->input_template;
    if (!tmpl)
        return sb_error_set(err, SB_EINVAL, "InputTransformer needs an InputTemplate");
    size_t len = strlen(tmpl);
    if (len == 0)
        return sb_error_set(err, SB_EINVAL, "InputTemplate is empty");
    if (len > SB_TEMPLATE_MAX)
        return sb_error_set(err, SB_ELIMIT, "InputTemplate has %zu bytes (at most %d)", len,
                            SB_TEMPLATE_MAX);
    int rc = compile_paths(t, spec, err);
    if (rc != SB_OK)
        return rc;
    if (!(t->text = strdup(tmpl)))
        return sb_error_set(err, SB_ENOMEM, "out of memory");
    if ((rc = scan(t, err)) != SB_OK)
        return rc;
    return classify(t, err);
}
