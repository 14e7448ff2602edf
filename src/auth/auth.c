/* auth.c - the auth file, API keys, admin keys, principals and their rate limits. */
#define _GNU_SOURCE /* strndup */
#include "auth/auth.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/sigv4.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/json.h"
#include "rules/yaml.h"

struct sb_principal {
    char *name;
    bool sigv4;
    bool admin;               /* an admin key: the admin paths, never ingest */
    unsigned char sha256[32]; /* API keys: the key's hash */
    char *secret;             /* access keys: the secret (zeroed on free) */
    char **buses;             /* NULL: every bus */
    size_t nbuses;
    double rate; /* requests per second, 0: unlimited */
    double tokens, last_ms;
};

struct sb_auth {
    sb_principal *p;
    size_t n;
};

static void principal_free(sb_principal *p) {
    free(p->name);
    if (p->secret) {
        OPENSSL_cleanse(p->secret, strlen(p->secret));
        free(p->secret);
    }
    for (size_t i = 0; i < p->nbuses; i++)
        free(p->buses[i]);
    free(p->buses);
}

void sb_auth_free(sb_auth *a) {
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++)
        principal_free(&a->p[i]);
    free(a->p);
    free(a);
}

typedef struct loader {
    const char *path, *text;
    size_t len;
    sb_error *err;
} loader;

static int fail(loader *l, const sb_jnode *at, const char *msg, const char *what) {
    unsigned line = 0, col = 0;
    if (at)
        sb_text_position(l->text, l->len, at->offset, &line, &col);
    return sb_error_set(l->err, SB_EINVAL, "%s:%u:%u: %s%s", l->path, line, col, msg,
                        what ? what : "");
}

static const sb_jnode *get(const sb_jnode *o, const char *key) {
    const sb_jmember *m = sb_json_get(o, key);
    return m ? m->value : NULL;
}

static char *str(const sb_jnode *n) {
    return n && n->type == SB_JSON_STRING ? strndup(n->u.str.s, n->u.str.len) : NULL;
}

static int from_hex(const char *s, unsigned char out[32]) {
    if (strlen(s) != 64)
        return -1;
    for (int i = 0; i < 32; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1)
            return -1;
        out[i] = (unsigned char)v;
    }
    return 0;
}

/* The secret of an access key, from secret_env or secret_file (never inline). */
static int read_secret(loader *l, const sb_jnode *o, sb_principal *p) {
    const sb_jnode *env = get(o, "secret_env"), *file = get(o, "secret_file");
    if (get(o, "secret"))
        return fail(l, get(o, "secret"),
                    "write the secret in a file (secret_file) or a variable "
                    "(secret_env), not in the auth file",
                    NULL);
    if (!!env == !!file)
        return fail(l, o, "an access key needs one of secret_env and secret_file", NULL);
    char *name = str(env ? env : file);
    if (!name)
        return fail(l, env ? env : file, "secret_env and secret_file are strings", NULL);
    if (env) {
        const char *v = getenv(name);
        p->secret = v && *v ? strdup(v) : NULL;
        if (!p->secret) {
            int rc = fail(l, env, "the variable named by secret_env is not set: ", name);
            free(name);
            return rc;
        }
    } else {
        FILE *f = fopen(name, "r");
        char buf[512];
        size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
        if (f)
            fclose(f);
        buf[n] = '\0';
        while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
            buf[--n] = '\0';
        if (!f || !n) {
            int rc = fail(l, file, "cannot read the secret file ", name);
            free(name);
            return rc;
        }
        p->secret = strdup(buf);
        OPENSSL_cleanse(buf, sizeof buf);
    }
    free(name);
    return SB_OK;
}

/* An admin key: a name and a hash, nothing else (it sends no events, so it has no buses and
 * no rate). */
static int check_admin_key(loader *l, const sb_jnode *o) {
    for (size_t i = 0; i < o->u.obj.n; i++) {
        const sb_jmember *m = &o->u.obj.members[i];
        if (strcmp(m->key, "name") != 0 && strcmp(m->key, "sha256") != 0)
            return fail(l, m->value,
                        "an admin key has a name and a sha256 only (it sends no events), not ",
                        m->key);
    }
    return SB_OK;
}

static int load_principal(loader *l, const sb_jnode *o, bool sigv4, bool admin, sb_principal *p) {
    if (o->type != SB_JSON_OBJECT)
        return fail(l, o, "each key is a mapping", NULL);
    p->sigv4 = sigv4;
    p->admin = admin;
    p->name = str(get(o, sigv4 ? "id" : "name"));
    if (!p->name || !*p->name)
        return fail(l, o,
                    sigv4   ? "an access key needs an id"
                    : admin ? "an admin key needs a name"
                            : "an API key needs a name",
                    NULL);
    if (admin && check_admin_key(l, o) != SB_OK)
        return SB_EINVAL;
    if (!admin && get(o, "admin"))
        return fail(l, get(o, "admin"),
                    "a key of api_keys or access_keys sends events only: list a key for the "
                    "admin paths under admin_keys",
                    NULL);
    if (sigv4) {
        if (read_secret(l, o, p) != SB_OK)
            return SB_EINVAL;
    } else {
        char *h = str(get(o, "sha256"));
        int bad = !h || from_hex(h, p->sha256) != 0;
        free(h);
        if (bad)
            return fail(l, get(o, "sha256") ? get(o, "sha256") : o,
                        "an API key needs sha256: the key's SHA-256 in 64 hex digits "
                        "(printf %s KEY | sha256sum)",
                        NULL);
    }
    const sb_jnode *buses = get(o, "buses");
    if (buses) {
        if (buses->type != SB_JSON_ARRAY)
            return fail(l, buses, "buses is a list of bus names (\"*\" for all)", NULL);
        bool all = false;
        p->buses = calloc(buses->u.arr.n + 1, sizeof *p->buses);
        for (size_t i = 0; p->buses && i < buses->u.arr.n; i++) {
            char *b = str(buses->u.arr.items[i]);
            if (!b)
                return fail(l, buses->u.arr.items[i], "a bus name is a string", NULL);
            all |= strcmp(b, "*") == 0;
            p->buses[p->nbuses++] = b;
        }
        if (all) {
            for (size_t i = 0; i < p->nbuses; i++)
                free(p->buses[i]);
            free(p->buses);
            p->buses = NULL;
            p->nbuses = 0;
        } else if (!p->buses) {
            return sb_error_set(l->err, SB_ENOMEM, "out of memory");
        }
    }
    const sb_jnode *rate = get(o, "rate");
    if (rate) {
        if (rate->type != SB_JSON_NUMBER || rate->u.num.v < 0)
            return fail(l, rate, "rate is requests per second, 0 or more", NULL);
        p->rate = rate->u.num.v;
        p->tokens = p->rate;
    }
    return SB_OK;
}

sb_auth *sb_auth_load(const char *path, sb_error *err) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        sb_error_set(err, SB_EIO, "cannot read the auth file %s: %s", path, strerror(errno));
        return NULL;
    }
    sb_buf text;
    sb_buf_init(&text);
    int got = sb_buf_read_stream(&text, f, SIZE_MAX - 1);
    fclose(f);
    if (got != 0) {
        sb_error_set(err, SB_EIO, "cannot read the auth file %s: %s", path,
                     sb_buf_failed(&text) ? "out of memory" : strerror(errno));
        sb_buf_free(&text);
        return NULL;
    }
    sb_auth *a = calloc(1, sizeof *a);
    sb_arena arena;
    sb_arena_init(&arena, 8192);
    loader l = {path, text.data ? text.data : "", text.len, err};
    sb_jnode *root = NULL;
    size_t at = 0;
    int rc = a ? SB_OK : sb_error_set(err, SB_ENOMEM, "out of memory");
    if (rc == SB_OK && sb_yaml_parse(l.text, l.len, &arena, &root, err, &at) != SB_OK) {
        unsigned line, col;
        sb_text_position(l.text, l.len, at, &line, &col);
        char msg[SB_ERROR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err->msg);
        rc = sb_error_set(err, SB_EINVAL, "%s:%u:%u: %s", path, line, col, msg);
    }
    if (rc == SB_OK && root->type != SB_JSON_OBJECT)
        rc = fail(&l, root, "the auth file is a mapping with api_keys, access_keys and admin_keys",
                  NULL);
    for (size_t i = 0; rc == SB_OK && i < root->u.obj.n; i++) {
        const sb_jmember *m = &root->u.obj.members[i];
        bool sigv4 = strcmp(m->key, "access_keys") == 0;
        bool admin = strcmp(m->key, "admin_keys") == 0;
        if (!sigv4 && !admin && strcmp(m->key, "api_keys") != 0) {
            rc = fail(&l, m->value, "unknown section (api_keys, access_keys, admin_keys)", NULL);
            break;
        }
        if (m->value->type != SB_JSON_ARRAY) {
            rc = fail(&l, m->value, "api_keys, access_keys and admin_keys are lists", NULL);
            break;
        }
        sb_principal *grown = realloc(a->p, (a->n + m->value->u.arr.n + 1) * sizeof *a->p);
        if (!grown) {
            rc = sb_error_set(err, SB_ENOMEM, "out of memory");
            break;
        }
        a->p = grown;
        for (size_t k = 0; rc == SB_OK && k < m->value->u.arr.n; k++) {
            memset(&a->p[a->n], 0, sizeof a->p[a->n]);
            rc = load_principal(&l, m->value->u.arr.items[k], sigv4, admin, &a->p[a->n]);
            a->n++;
        }
    }
    if (rc == SB_OK && a->n == 0)
        rc = sb_error_set(err, SB_EINVAL,
                          "%s names no key (api_keys, access_keys, admin_keys): it would protect "
                          "nothing",
                          path);
    sb_arena_free(&arena);
    if (text.data)
        OPENSSL_cleanse(text.data, text.len);
    sb_buf_free(&text);
    if (rc != SB_OK) {
        sb_auth_free(a);
        return NULL;
    }
    return a;
}

/* The API key r presents (X-Api-Key, or Authorization: Bearer), or NULL. */
static const char *presented_key(const sb_auth_request *r) {
    const char *authz = r->header(r->header_arg, "Authorization");
    const char *key = r->header(r->header_arg, "X-Api-Key");
    if (!key && authz && strncasecmp(authz, "Bearer ", 7) == 0)
        key = authz + 7;
    return key;
}

/* The index of the API or admin key whose hash is key's, or a->n. Every stored hash is
 * compared (no early exit), so the time does not tell how much of a hash matched, nor which. */
static size_t find_key(const sb_auth *a, const char *key) {
    unsigned char md[32];
    unsigned int n = 0;
    EVP_Digest(key, strlen(key), md, &n, EVP_sha256(), NULL);
    size_t found = a->n;
    for (size_t i = 0; i < a->n; i++)
        if (!a->p[i].sigv4 && CRYPTO_memcmp(md, a->p[i].sha256, 32) == 0)
            found = i;
    OPENSSL_cleanse(md, sizeof md);
    return found;
}

sb_principal *sb_auth_identify(sb_auth *a, const sb_auth_request *r, int *status, char *why,
                               size_t why_size) {
    const char *authz = r->header(r->header_arg, "Authorization");
    const char *key = presented_key(r);
    *status = 401;
    if (key) {
        size_t i = find_key(a, key);
        if (i == a->n) {
            snprintf(why, why_size, "the API key is not valid");
            return NULL;
        }
        if (a->p[i].admin) {
            *status = 403;
            snprintf(why, why_size,
                     "%.64s is an admin key: it opens the admin paths and sends no events",
                     a->p[i].name);
            return NULL;
        }
        return &a->p[i];
    }
    sb_sigv4_auth s;
    if (authz && sb_sigv4_parse(authz, &s)) {
        for (size_t i = 0; i < a->n; i++) {
            if (!a->p[i].sigv4 || strcmp(a->p[i].name, s.key_id) != 0)
                continue;
            if (sb_sigv4_verify(r, &s, a->p[i].secret, why, why_size) == SB_OK)
                return &a->p[i];
            *status = 403;
            return NULL;
        }
        snprintf(why, why_size,
                 "The security token included in the request is invalid (unknown "
                 "access key %.32s)",
                 s.key_id);
        *status = 403;
        return NULL;
    }
    snprintf(why, why_size,
             "authentication required: an API key (Authorization: Bearer KEY or "
             "X-Api-Key) or an AWS SigV4 signature");
    return NULL;
}

bool sb_auth_has_ingest_keys(const sb_auth *a) {
    for (size_t i = 0; i < a->n; i++)
        if (!a->p[i].admin)
            return true;
    return false;
}

bool sb_auth_has_admin_keys(const sb_auth *a) {
    for (size_t i = 0; i < a->n; i++)
        if (a->p[i].admin)
            return true;
    return false;
}

bool sb_auth_admin(const sb_auth *a, const sb_auth_request *r, int *status, char *why,
                   size_t why_size) {
    const char *key = presented_key(r);
    *status = 401;
    if (!key) {
        snprintf(why, why_size,
                 "authentication required: an admin key (Authorization: Bearer KEY or "
                 "X-Api-Key)");
        return false;
    }
    size_t i = find_key(a, key);
    if (i == a->n) {
        snprintf(why, why_size, "the admin key is not valid");
        return false;
    }
    if (!a->p[i].admin) {
        *status = 403;
        snprintf(why, why_size,
                 "%.64s sends events and does not open the admin paths: use a key of admin_keys",
                 a->p[i].name);
        return false;
    }
    return true;
}

const char *sb_principal_name(const sb_principal *p) {
    return p->name;
}

bool sb_principal_allows(const sb_principal *p, const char *bus) {
    if (p->admin)
        return false;
    if (!p->buses)
        return true;
    for (size_t i = 0; i < p->nbuses; i++)
        if (strcmp(p->buses[i], bus) == 0)
            return true;
    return false;
}

bool sb_principal_take(sb_principal *p, double now_ms, int *retry_after_s) {
    if (p->rate <= 0)
        return true;
    if (p->last_ms > 0)
        p->tokens += (now_ms - p->last_ms) / 1000.0 * p->rate;
    if (p->tokens > p->rate)
        p->tokens = p->rate > 1 ? p->rate : 1;
    p->last_ms = now_ms;
    if (p->tokens >= 1) {
        p->tokens -= 1;
        return true;
    }
    double wait_s = (1 - p->tokens) / p->rate;
    *retry_after_s = wait_s < 1 ? 1 : (int)(wait_s + 0.999);
    return false;
}
