/* aws_keys.c - AWS credentials from the shared files' INI text and from the container
 * endpoint's JSON. Pure functions: no environment, no files, no network. */
#include "target/aws_keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/json.h"

static void wipe_free(char *s) {
    if (!s)
        return;
    volatile char *p = s;
    while (*p)
        *p++ = 0;
    free(s);
}

void sb_aws_keys_clear(sb_aws_keys *k) {
    if (!k)
        return;
    wipe_free(k->access_key_id);
    wipe_free(k->secret_access_key);
    wipe_free(k->session_token);
    memset(k, 0, sizeof *k);
}

static char *dup_n(const char *s, size_t n) {
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

int sb_aws_keys_copy(sb_aws_keys *dst, const sb_aws_keys *src) {
    sb_aws_keys_clear(dst);
    dst->access_key_id = strdup(src->access_key_id ? src->access_key_id : "");
    dst->secret_access_key = strdup(src->secret_access_key ? src->secret_access_key : "");
    dst->session_token = src->session_token ? strdup(src->session_token) : NULL;
    dst->expires = src->expires;
    if (!dst->access_key_id || !dst->secret_access_key ||
        (src->session_token && !dst->session_token)) {
        sb_aws_keys_clear(dst);
        return SB_ENOMEM;
    }
    return SB_OK;
}

/* [s, e) without surrounding blanks */
static void trim(const char **s, const char **e) {
    while (*s < *e && (**s == ' ' || **s == '\t' || **s == '\r'))
        (*s)++;
    while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r'))
        (*e)--;
}

static bool is(const char *s, const char *e, const char *word) {
    size_t n = strlen(word);
    return (size_t)(e - s) == n && memcmp(s, word, n) == 0;
}

/* Is [s, e) the header of the wanted section? In a config file "profile NAME", or "default"
 * for the default profile; in a credentials file just "NAME". */
static bool wanted_section(const char *s, const char *e, const char *profile, bool config_file) {
    if (!config_file || strcmp(profile, "default") == 0)
        if (is(s, e, profile))
            return true;
    if (!config_file || (size_t)(e - s) < 8 || memcmp(s, "profile", 7) != 0 ||
        (s[7] != ' ' && s[7] != '\t'))
        return false;
    s += 8;
    trim(&s, &e);
    return is(s, e, profile);
}

int sb_aws_keys_from_ini(const char *text, size_t len, const char *profile, bool config_file,
                         sb_aws_keys *out, sb_error *err) {
    memset(out, 0, sizeof *out);
    const char *p = text, *end = text + len;
    bool in = false, found = false;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end, *s = p, *e = le;
        p = nl ? nl + 1 : end;
        trim(&s, &e);
        if (s == e || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            const char *close = memchr(s, ']', (size_t)(e - s));
            if (!close)
                continue;
            const char *ns = s + 1, *ne = close;
            trim(&ns, &ne);
            in = wanted_section(ns, ne, profile, config_file);
            found = found || in;
            continue;
        }
        const char *eq = memchr(s, '=', (size_t)(e - s));
        if (!in || !eq)
            continue;
        const char *ks = s, *ke = eq, *vs = eq + 1, *ve = e;
        trim(&ks, &ke);
        trim(&vs, &ve);
        char **slot = is(ks, ke, "aws_access_key_id")       ? &out->access_key_id
                      : is(ks, ke, "aws_secret_access_key") ? &out->secret_access_key
                      : is(ks, ke, "aws_session_token")     ? &out->session_token
                                                            : NULL;
        if (!slot || vs == ve)
            continue;
        wipe_free(*slot);
        if (!(*slot = dup_n(vs, (size_t)(ve - vs)))) {
            sb_aws_keys_clear(out);
            return sb_error_set(err, SB_ENOMEM, "out of memory");
        }
    }
    if (!found || !out->access_key_id) {
        sb_aws_keys_clear(out);
        return SB_ENOTFOUND;
    }
    if (!out->secret_access_key) {
        sb_aws_keys_clear(out);
        return sb_error_set(err, SB_EINVAL,
                            "profile %s has aws_access_key_id but no aws_secret_access_key",
                            profile);
    }
    return SB_OK;
}

static long days_from_civil(long y, long m, long d) {
    /* Howard Hinnant's algorithm: days since 1970-01-01 of a proleptic Gregorian date */
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int sb_aws_parse_time(const char *s, time_t *t) {
    int y, mo, d, h, mi, sec, n = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
        return SB_EINVAL;
    const char *r = s + n;
    if (*r == '.')
        for (r++; *r >= '0' && *r <= '9'; r++)
            ;
    if (strcmp(r, "Z") != 0 && strcmp(r, "+00:00") != 0)
        return SB_EINVAL;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return SB_EINVAL;
    *t = (time_t)(days_from_civil(y, mo, d) * 86400L + h * 3600L + mi * 60L + sec);
    return SB_OK;
}

static const char *member_str(const sb_jnode *o, const char *key) {
    const sb_jmember *m = sb_json_get(o, key);
    return m && m->value->type == SB_JSON_STRING && m->value->u.str.len ? m->value->u.str.s : NULL;
}

int sb_aws_keys_from_json(const char *text, size_t len, sb_aws_keys *out, sb_error *err) {
    memset(out, 0, sizeof *out);
    sb_arena a;
    sb_arena_init(&a, 0);
    sb_jnode *root;
    sb_error perr;
    int rc = SB_OK;
    if (sb_json_parse(text, len, &a, false, &root, &perr, NULL) != SB_OK ||
        root->type != SB_JSON_OBJECT) {
        rc = sb_error_set(err, SB_EINVAL, "the credentials answer is not a JSON object");
        goto out;
    }
    const char *id = member_str(root, "AccessKeyId"), *secret = member_str(root, "SecretAccessKey"),
               *token = member_str(root, "Token"), *exp = member_str(root, "Expiration");
    if (!id || !secret) {
        rc = sb_error_set(err, SB_EINVAL,
                          "the credentials answer has no AccessKeyId or SecretAccessKey");
        goto out;
    }
    if (exp && sb_aws_parse_time(exp, &out->expires) != SB_OK) {
        rc = sb_error_set(err, SB_EINVAL, "the credentials answer has a malformed Expiration");
        goto out;
    }
    out->access_key_id = strdup(id);
    out->secret_access_key = strdup(secret);
    out->session_token = token ? strdup(token) : NULL;
    if (!out->access_key_id || !out->secret_access_key || (token && !out->session_token))
        rc = sb_error_set(err, SB_ENOMEM, "out of memory");
out:
    if (rc != SB_OK)
        sb_aws_keys_clear(out);
    sb_arena_free(&a);
    return rc;
}
