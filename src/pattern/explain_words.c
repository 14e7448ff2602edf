/* explain_words.c - the sentences of `test-pattern --explain`: a field's tests in words
 * (`is not one of ["stopped","terminated"]`, `is not in the range >= 10`) and the event's
 * values as JSON. */
#include <arpa/inet.h>
#include <math.h>
#include <sys/socket.h>

#include "pattern/explain_words.h"

static void value(sb_buf *b, const sb_jnode *const *leaves, size_t n) {
    if (n > 1)
        sb_buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_buf_putc(b, ',');
        sb_json_write(b, leaves[i]);
    }
    if (n > 1)
        sb_buf_putc(b, ']');
}

static void strs(sb_buf *b, const sb_test *t) {
    if (t->nstrs > 1)
        sb_buf_putc(b, '[');
    for (size_t i = 0; i < t->nstrs; i++) {
        if (i)
            sb_buf_putc(b, ',');
        sb_buf_json_str(b, t->strs[i].s, t->strs[i].len);
    }
    if (t->nstrs > 1)
        sb_buf_putc(b, ']');
}

static void nums(sb_buf *b, const sb_test *t) {
    if (t->nnums > 1)
        sb_buf_putc(b, '[');
    for (size_t i = 0; i < t->nnums; i++) {
        if (i)
            sb_buf_putc(b, ',');
        sb_buf_json_double(b, t->nums[i]);
    }
    if (t->nnums > 1)
        sb_buf_putc(b, ']');
}

static void range(sb_buf *b, const sb_test *t) {
    bool lo = !isinf(t->lo), hi = !isinf(t->hi); /* open sides are infinite */
    if (lo) {
        sb_buf_puts(b, t->lo_incl ? ">= " : "> ");
        sb_buf_json_double(b, t->lo);
    }
    if (hi) {
        sb_buf_puts(b, lo ? " and " : "");
        sb_buf_puts(b, t->hi_incl ? "<= " : "< ");
        sb_buf_json_double(b, t->hi);
    }
    if (!lo && !hi)
        sb_buf_puts(b, "of all numbers");
}

static void cidr(sb_buf *b, const sb_test *t) {
    char text[INET6_ADDRSTRLEN];
    if (!inet_ntop(t->ip_len == 4 ? AF_INET : AF_INET6, t->ip, text, sizeof text))
        text[0] = '\0';
    sb_buf_printf(b, "%s/%d", text, t->prefix_bits);
}

/* One test as the pattern language spells it, shortened: `prefix "i-"`, `numeric > 3`. */
static void test_name(sb_buf *b, const sb_test *t) {
    switch (t->kind) {
    case MK_EXACT_STR:
        strs(b, t);
        return;
    case MK_EXACT_NUM:
        nums(b, t);
        return;
    case MK_TRUE:
        sb_buf_puts(b, "true");
        return;
    case MK_FALSE:
        sb_buf_puts(b, "false");
        return;
    case MK_NULL:
        sb_buf_puts(b, "null");
        return;
    case MK_PREFIX:
    case MK_PREFIX_EIC:
        sb_buf_puts(b, "prefix ");
        break;
    case MK_SUFFIX:
    case MK_SUFFIX_EIC:
        sb_buf_puts(b, "suffix ");
        break;
    case MK_EIC:
        sb_buf_puts(b, "equals-ignore-case ");
        break;
    case MK_WILDCARD:
        sb_buf_puts(b, "wildcard ");
        break;
    case MK_NUMERIC:
        sb_buf_puts(b, "numeric ");
        range(b, t);
        return;
    case MK_CIDR:
        sb_buf_puts(b, "cidr ");
        cidr(b, t);
        return;
    case MK_EXISTS:
        sb_buf_puts(b, "exists");
        return;
    case MK_AB_NUM:
        sb_buf_puts(b, "anything-but ");
        nums(b, t);
        return;
    case MK_AB_STR:
        sb_buf_puts(b, "anything-but ");
        break;
    case MK_AB_PREFIX:
        sb_buf_puts(b, "anything-but prefix ");
        break;
    case MK_AB_SUFFIX:
        sb_buf_puts(b, "anything-but suffix ");
        break;
    case MK_AB_EIC:
        sb_buf_puts(b, "anything-but equals-ignore-case ");
        break;
    case MK_AB_WILDCARD:
        sb_buf_puts(b, "anything-but wildcard ");
        break;
    case MK_COUNT:
        return;
    }
    strs(b, t);
    if (t->kind == MK_PREFIX_EIC || t->kind == MK_SUFFIX_EIC)
        sb_buf_puts(b, " (ignoring case)");
}

static bool is_exact(sb_mkind k) {
    return k == MK_EXACT_STR || k == MK_EXACT_NUM || k == MK_TRUE || k == MK_FALSE || k == MK_NULL;
}

/* What the field's tests ask, as a predicate: "is one of [...]" (positive) or "is not one of
 * [...]" (negated). */
static void predicate(sb_buf *b, const sb_cfield *cf, bool pos) {
    bool exact = true;
    for (size_t i = 0; i < cf->ntests; i++)
        exact = exact && is_exact(cf->tests[i].kind);
    if (exact) {
        sb_buf_puts(b, pos ? "is " : "is not ");
        sb_buf_puts(b, cf->ntests > 1 ? "one of [" : "");
        for (size_t i = 0; i < cf->ntests; i++) {
            sb_buf_puts(b, i ? "," : "");
            test_name(b, &cf->tests[i]);
        }
        sb_buf_puts(b, cf->ntests > 1 ? "]" : "");
        return;
    }
    const sb_test *t = &cf->tests[0];
    if (cf->ntests > 1) {
        sb_buf_puts(b, pos ? "passes one of: " : "passes none of: ");
        for (size_t i = 0; i < cf->ntests; i++) {
            sb_buf_puts(b, i ? ", " : "");
            test_name(b, &cf->tests[i]);
        }
        return;
    }
    switch (t->kind) {
    case MK_NUMERIC:
        sb_buf_puts(b, pos ? "is in the range " : "is not in the range ");
        range(b, t);
        return;
    case MK_PREFIX:
    case MK_PREFIX_EIC:
        sb_buf_puts(b, pos ? "starts with " : "does not start with ");
        break;
    case MK_SUFFIX:
    case MK_SUFFIX_EIC:
        sb_buf_puts(b, pos ? "ends with " : "does not end with ");
        break;
    case MK_EIC:
        sb_buf_puts(b, pos ? "equals " : "does not equal ");
        strs(b, t);
        sb_buf_puts(b, " ignoring case");
        return;
    case MK_WILDCARD:
        sb_buf_puts(b, pos ? "matches the wildcard " : "does not match the wildcard ");
        break;
    case MK_CIDR:
        sb_buf_puts(b, pos ? "is an IP address in " : "is not an IP address in ");
        cidr(b, t);
        return;
    default:
        /* exists and the anything-but kinds */
        sb_buf_puts(b, pos ? "passes " : "is excluded by ");
        test_name(b, t);
        return;
    }
    strs(b, t);
    if (t->kind == MK_PREFIX_EIC || t->kind == MK_SUFFIX_EIC)
        sb_buf_puts(b, " (ignoring case)");
}

static bool numeric_kind(sb_mkind k) {
    return k == MK_EXACT_NUM || k == MK_NUMERIC;
}

static bool string_kind(sb_mkind k) {
    return k == MK_EXACT_STR || k == MK_PREFIX || k == MK_PREFIX_EIC || k == MK_SUFFIX ||
           k == MK_SUFFIX_EIC || k == MK_EIC || k == MK_WILDCARD || k == MK_CIDR;
}

/* A hint when the one value is of a type that none of the tests can pass. */
static void type_hint(sb_buf *b, const sb_cfield *cf, const sb_jnode *v) {
    bool all_num = true, all_str = true;
    for (size_t i = 0; i < cf->ntests; i++) {
        all_num = all_num && numeric_kind(cf->tests[i].kind);
        all_str = all_str && string_kind(cf->tests[i].kind);
    }
    if (all_num && v->type == SB_JSON_STRING)
        sb_buf_puts(b, " (it is a string; numeric tests pass numbers only)");
    else if (all_num && v->type == SB_JSON_NUMBER && !v->u.num.finite)
        sb_buf_puts(b, " (it is beyond the range of doubles)");
    else if (all_str && v->type != SB_JSON_STRING)
        sb_buf_printf(b, " (it is %s; string tests pass strings only)",
                      v->type == SB_JSON_NUMBER ? "a number" : "not a string");
}

void sb_explain_failed(sb_buf *b, const sb_cfield *cf, const sb_jnode *const *leaves, size_t n) {
    sb_buf_printf(b, "%s: ", cf->path);
    if (n == 1) {
        value(b, leaves, n);
        sb_buf_putc(b, ' ');
        predicate(b, cf, false);
        type_hint(b, cf, leaves[0]);
        return;
    }
    sb_buf_puts(b, "no value of ");
    value(b, leaves, n);
    sb_buf_putc(b, ' ');
    predicate(b, cf, true);
}

void sb_explain_present(sb_buf *b, const sb_cfield *cf, const sb_jnode *const *leaves, size_t n) {
    sb_buf_printf(b, "%s: ", cf->path);
    value(b, leaves, n);
    sb_buf_puts(b, " is present, but the pattern needs the field absent ({\"exists\": false})");
}

void sb_explain_missing(sb_buf *b, const sb_cfield *cf, bool reached, bool object) {
    if (!reached)
        sb_buf_printf(b, "%s: missing", cf->path);
    else if (object)
        sb_buf_printf(b, "%s: is an object, and patterns test values (name a field inside it)",
                      cf->path);
    else
        sb_buf_printf(b, "%s: is an empty list (no value to test)", cf->path);
}
