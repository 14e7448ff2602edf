/* config.c - the settings table, and how each source fills it. */
#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "rules/yaml.h"

typedef enum { T_STRING, T_DURATION, T_SIZE } setting_type;

typedef struct setting {
    const char *name; /* flag --name, file key, SIGNALBOX_NAME */
    setting_type type;
    size_t offset;
    const char *def;
    const char *help;
} setting;

#define S(name, type, field, def, help)                                                            \
    { name, type, offsetof(sb_config, field), def, help }

/* Every setting, one line each. */
static const setting settings[] = {
    S("config", T_STRING, config, "", "configuration file (YAML or JSON) read before the rest"),
    S("rules", T_STRING, rules, "rules/", "folder (or file) of rule files: .json, .yaml, .yml"),
    S("listen", T_STRING, listen, "127.0.0.1:8080",
      "HOST:PORT of the HTTP listener ([::1]:8080 for IPv6)"),
    S("redis", T_STRING, redis, "redis://127.0.0.1:6379",
      "Redis: redis://[user:password@]host:port[/db] or unix:///path[?db=N]"),
    S("account", T_STRING, account, "123456789012", "AWS account id put in events (12 digits)"),
    S("region", T_STRING, region, "us-east-1", "AWS region put in events"),
    S("drain-timeout", T_DURATION, drain_timeout_ms, "10s",
      "on SIGTERM, how long to wait for deliveries in flight (500ms, 10s, 1m)"),
    S("http-timeout", T_DURATION, http_timeout_ms, "5s", "time limit of one HTTP target request"),
    S("max-body", T_SIZE, max_body, "1MB", "largest HTTP request body accepted (256KB, 1MB)"),
    S("log-level", T_STRING, log_level, "info", "debug, info, warn or error"),
};

#define NSETTINGS (sizeof settings / sizeof settings[0])

static char **str_field(sb_config *c, const setting *s) {
    return (char **)(void *)((char *)c + s->offset);
}

static long *long_field(sb_config *c, const setting *s) {
    return (long *)(void *)((char *)c + s->offset);
}

static const setting *find_setting(const char *name, size_t len) {
    for (size_t i = 0; i < NSETTINGS; i++)
        if (strlen(settings[i].name) == len && strncmp(settings[i].name, name, len) == 0)
            return &settings[i];
    return NULL;
}

/* "500ms", "10s", "2m", "1h", or a bare number of seconds. */
static int parse_duration(const char *v, long *ms) {
    char *end;
    errno = 0;
    double n = strtod(v, &end);
    if (end == v || errno || n < 0)
        return -1;
    double mul = 1000;
    if (strcmp(end, "ms") == 0)
        mul = 1;
    else if (strcmp(end, "s") == 0 || *end == '\0')
        mul = 1000;
    else if (strcmp(end, "m") == 0)
        mul = 60000;
    else if (strcmp(end, "h") == 0)
        mul = 3600000;
    else
        return -1;
    if (n * mul > 1e12)
        return -1;
    *ms = (long)(n * mul);
    return 0;
}

/* "256KB", "1MB", "512" (bytes), "1GB". */
static int parse_size(const char *v, long *bytes) {
    char *end;
    errno = 0;
    double n = strtod(v, &end);
    if (end == v || errno || n < 0)
        return -1;
    double mul = 1;
    if (strcasecmp(end, "KB") == 0 || strcasecmp(end, "K") == 0)
        mul = 1024;
    else if (strcasecmp(end, "MB") == 0 || strcasecmp(end, "M") == 0)
        mul = 1024 * 1024;
    else if (strcasecmp(end, "GB") == 0 || strcasecmp(end, "G") == 0)
        mul = 1024.0 * 1024 * 1024;
    else if (*end && strcasecmp(end, "B") != 0)
        return -1;
    if (n * mul > 1e12)
        return -1;
    *bytes = (long)(n * mul);
    return 0;
}

static int set_value(sb_config *c, const setting *s, const char *v, const char *where,
                     sb_error *err) {
    long n;
    switch (s->type) {
    case T_STRING: {
        char *d = strdup(v);
        if (!d)
            return sb_error_set(err, SB_ENOMEM, "out of memory");
        free(*str_field(c, s));
        *str_field(c, s) = d;
        return SB_OK;
    }
    case T_DURATION:
        if (parse_duration(v, &n) != 0)
            return sb_error_set(err, SB_EINVAL,
                                "%s: %s \"%s\" is not a duration (500ms, 10s, 2m, 1h)", where,
                                s->name, v);
        *long_field(c, s) = n;
        return SB_OK;
    case T_SIZE:
        if (parse_size(v, &n) != 0)
            return sb_error_set(err, SB_EINVAL, "%s: %s \"%s\" is not a size (512, 256KB, 1MB)",
                                where, s->name, v);
        *long_field(c, s) = n;
        return SB_OK;
    }
    return SB_OK;
}

static void free_connection(sb_connection *k) {
    char *secrets[] = {k->value, k->password, k->client_secret};
    for (size_t i = 0; i < 3; i++)
        if (secrets[i]) {
            memset(secrets[i], 0, strlen(secrets[i]));
            free(secrets[i]);
        }
    free(k->name);
    free(k->type);
    free(k->header);
    free(k->username);
    free(k->token_url);
    free(k->client_id);
    free(k->scope);
}

void sb_config_free(sb_config *c) {
    for (size_t i = 0; i < NSETTINGS; i++)
        if (settings[i].type == T_STRING)
            free(*str_field(c, &settings[i]));
    free(c->redis_host);
    free(c->redis_user);
    if (c->redis_password) {
        memset(c->redis_password, 0, strlen(c->redis_password));
        free(c->redis_password);
    }
    for (size_t i = 0; i < c->nconnections; i++)
        free_connection(&c->connections[i]);
    free(c->connections);
    memset(c, 0, sizeof *c);
}

const sb_connection *sb_config_connection(const sb_config *c, const char *name) {
    for (size_t i = 0; i < c->nconnections; i++)
        if (strcmp(c->connections[i].name, name) == 0)
            return &c->connections[i];
    return NULL;
}

void sb_config_help(FILE *out) {
    fprintf(out, "settings (flag / environment variable / default):\n");
    for (size_t i = 0; i < NSETTINGS; i++) {
        char env[64] = "SIGNALBOX_";
        size_t o = strlen(env);
        for (const char *p = settings[i].name; *p && o < sizeof env - 1; p++)
            env[o++] = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
        env[o] = '\0';
        fprintf(out, "  --%-15s %-26s default %s\n      %s\n", settings[i].name, env,
                *settings[i].def ? settings[i].def : "(none)", settings[i].help);
    }
    fprintf(out,
            "\nNamed connections (credentials of HTTP targets, ConnectionName in a target)\n"
            "are read from the config file's `connections` mapping; see docs/configuration.md.\n");
}

/* ---- the config file ---- */

static char *read_secret_file(const char *path, sb_error *err, const char *what) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        sb_error_set(err, SB_EINVAL, "%s: cannot read %s: %s", what, path, strerror(errno));
        return NULL;
    }
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    buf[n] = '\0';
    char *d = strdup(buf);
    memset(buf, 0, sizeof buf);
    return d;
}

/* A connection field: `key: value`, `key-file: PATH` or `key-env: VARIABLE`. */
static int conn_field(const sb_jnode *o, const char *key, char **out, bool secret,
                      const char *where, sb_error *err) {
    char k[64];
    const sb_jmember *m = sb_json_get(o, key);
    if (m) {
        if (m->value->type != SB_JSON_STRING)
            return sb_error_set(err, SB_EINVAL, "%s: \"%s\" must be a string", where, key);
        *out = strdup(m->value->u.str.s);
        return *out ? SB_OK : sb_error_set(err, SB_ENOMEM, "out of memory");
    }
    if (!secret)
        return SB_OK;
    snprintf(k, sizeof k, "%s-file", key);
    if ((m = sb_json_get(o, k))) {
        if (m->value->type != SB_JSON_STRING)
            return sb_error_set(err, SB_EINVAL, "%s: \"%s\" must be a path", where, k);
        *out = read_secret_file(m->value->u.str.s, err, where);
        return *out ? SB_OK : SB_EINVAL;
    }
    snprintf(k, sizeof k, "%s-env", key);
    if ((m = sb_json_get(o, k))) {
        const char *v = m->value->type == SB_JSON_STRING ? getenv(m->value->u.str.s) : NULL;
        if (!v)
            return sb_error_set(err, SB_EINVAL, "%s: \"%s\" names an unset environment variable",
                                where, k);
        *out = strdup(v);
        return *out ? SB_OK : sb_error_set(err, SB_ENOMEM, "out of memory");
    }
    return SB_OK;
}

static int load_connections(sb_config *c, const sb_jnode *map, const char *file, const char *text,
                            size_t len, sb_error *err) {
    if (map->type != SB_JSON_OBJECT)
        return sb_error_set(err, SB_EINVAL, "%s: connections must be a mapping of names", file);
    c->connections = calloc(map->u.obj.n + 1, sizeof *c->connections);
    if (!c->connections)
        return sb_error_set(err, SB_ENOMEM, "out of memory");
    static const char *const known[] = {"type",
                                        "header",
                                        "value",
                                        "value-file",
                                        "value-env",
                                        "username",
                                        "password",
                                        "password-file",
                                        "password-env",
                                        "token-url",
                                        "client-id",
                                        "client-secret",
                                        "client-secret-file",
                                        "client-secret-env",
                                        "scope",
                                        NULL};
    for (size_t i = 0; i < map->u.obj.n; i++) {
        const sb_jmember *m = &map->u.obj.members[i];
        sb_connection *k = &c->connections[c->nconnections++];
        unsigned line, col;
        sb_text_position(text, len, m->key_offset, &line, &col);
        char where[512];
        snprintf(where, sizeof where, "%s:%u:%u: connection %s", file, line, col, m->key);
        k->name = strdup(m->key);
        if (!k->name)
            return sb_error_set(err, SB_ENOMEM, "out of memory");
        const sb_jnode *o = m->value;
        if (o->type != SB_JSON_OBJECT)
            return sb_error_set(err, SB_EINVAL, "%s: must be a mapping", where);
        for (size_t j = 0; j < o->u.obj.n; j++) {
            const char *const *kn = known;
            while (*kn && strcmp(*kn, o->u.obj.members[j].key) != 0)
                kn++;
            if (!*kn)
                return sb_error_set(err, SB_EINVAL, "%s: unknown field \"%s\"", where,
                                    o->u.obj.members[j].key);
        }
        int rc;
        if ((rc = conn_field(o, "type", &k->type, false, where, err)) ||
            (rc = conn_field(o, "header", &k->header, false, where, err)) ||
            (rc = conn_field(o, "value", &k->value, true, where, err)) ||
            (rc = conn_field(o, "username", &k->username, false, where, err)) ||
            (rc = conn_field(o, "password", &k->password, true, where, err)) ||
            (rc = conn_field(o, "token-url", &k->token_url, false, where, err)) ||
            (rc = conn_field(o, "client-id", &k->client_id, false, where, err)) ||
            (rc = conn_field(o, "client-secret", &k->client_secret, true, where, err)) ||
            (rc = conn_field(o, "scope", &k->scope, false, where, err)))
            return rc;
        if (!k->type)
            return sb_error_set(err, SB_EINVAL,
                                "%s: needs a type (api-key, basic or oauth-client-credentials)",
                                where);
        if (strcmp(k->type, "api-key") == 0) {
            if (!k->header || !k->value)
                return sb_error_set(err, SB_EINVAL, "%s: api-key needs header and value", where);
        } else if (strcmp(k->type, "basic") == 0) {
            if (!k->username || !k->password)
                return sb_error_set(err, SB_EINVAL, "%s: basic needs username and password", where);
        } else if (strcmp(k->type, "oauth-client-credentials") == 0) {
            if (!k->token_url || !k->client_id || !k->client_secret)
                return sb_error_set(err, SB_EINVAL,
                                    "%s: oauth-client-credentials needs token-url, client-id and "
                                    "client-secret",
                                    where);
        } else {
            return sb_error_set(err, SB_EINVAL,
                                "%s: unknown type \"%s\" (api-key, basic or "
                                "oauth-client-credentials)",
                                where, k->type);
        }
    }
    return SB_OK;
}

static int load_file(sb_config *c, const char *path, sb_error *err) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return sb_error_set(err, SB_EINVAL, "config file %s: %s", path, strerror(errno));
    sb_buf b;
    sb_buf_init(&b);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        sb_buf_append(&b, chunk, n);
    fclose(f);
    if (sb_buf_failed(&b))
        return sb_error_set(err, SB_ENOMEM, "out of memory");
    const char *text = b.data ? b.data : "";
    sb_arena a;
    sb_arena_init(&a, 0);
    sb_jnode *root;
    size_t at = 0;
    int rc = sb_yaml_parse(text, b.len, &a, &root, err, &at);
    if (rc != SB_OK) {
        sb_error_locate(err, path, text, b.len, at);
    } else if (root->type == SB_JSON_OBJECT) {
        for (size_t i = 0; i < root->u.obj.n && rc == SB_OK; i++) {
            const sb_jmember *m = &root->u.obj.members[i];
            unsigned line, col;
            sb_text_position(text, b.len, m->key_offset, &line, &col);
            char where[512];
            snprintf(where, sizeof where, "%s:%u:%u", path, line, col);
            if (strcmp(m->key, "connections") == 0) {
                rc = load_connections(c, m->value, path, text, b.len, err);
                continue;
            }
            const setting *s = find_setting(m->key, m->keylen);
            if (!s || strcmp(s->name, "config") == 0) {
                rc = sb_error_set(err, SB_EINVAL, "%s: unknown setting \"%s\" (see --help)", where,
                                  m->key);
                break;
            }
            char num[64];
            const char *v;
            if (m->value->type == SB_JSON_STRING) {
                v = m->value->u.str.s;
            } else if (m->value->type == SB_JSON_NUMBER && m->value->u.num.rawlen < sizeof num) {
                memcpy(num, m->value->u.num.raw, m->value->u.num.rawlen);
                num[m->value->u.num.rawlen] = '\0';
                v = num;
            } else {
                rc = sb_error_set(err, SB_EINVAL, "%s: %s takes a string or a number", where,
                                  m->key);
                break;
            }
            rc = set_value(c, s, v, where, err);
        }
    } else if (root->type != SB_JSON_NULL) {
        rc = sb_error_set(err, SB_EINVAL, "%s: a config file is a mapping of settings", path);
    }
    sb_arena_free(&a);
    sb_buf_free(&b);
    return rc;
}

/* ---- derived values ---- */

static int parse_listen(sb_config *c, sb_error *err) {
    const char *v = c->listen, *colon;
    size_t hl;
    if (v[0] == '[') {
        const char *close = strchr(v, ']');
        if (!close || close[1] != ':')
            return sb_error_set(err, SB_EINVAL, "listen \"%s\": use [IPv6]:PORT", v);
        hl = (size_t)(close - v - 1);
        v++;
        colon = close + 1;
    } else {
        colon = strrchr(v, ':');
        if (!colon)
            return sb_error_set(err, SB_EINVAL, "listen \"%s\": use HOST:PORT", c->listen);
        hl = (size_t)(colon - v);
    }
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (hl == 0 || hl >= sizeof c->listen_host || *end || port < 0 || port > 65535 ||
        end == colon + 1)
        return sb_error_set(err, SB_EINVAL, "listen \"%s\": use HOST:PORT with a port 0-65535",
                            c->listen);
    memcpy(c->listen_host, v, hl);
    c->listen_host[hl] = '\0';
    c->listen_port = (int)port;
    return SB_OK;
}

int sb_config_parse_redis_url(sb_config *c, const char *url, sb_error *err) {
    free(c->redis_host);
    free(c->redis_user);
    free(c->redis_password);
    c->redis_host = c->redis_user = c->redis_password = NULL;
    c->redis_port = 6379;
    c->redis_db = 0;
    if (strncmp(url, "unix://", 7) == 0) {
        const char *path = url + 7, *q = strchr(path, '?');
        size_t pl = q ? (size_t)(q - path) : strlen(path);
        if (pl == 0 || path[0] != '/')
            return sb_error_set(err, SB_EINVAL, "redis \"%s\": use unix:///absolute/path", url);
        c->redis_host = strndup(path, pl);
        c->redis_port = 0;
        if (q && (strncmp(q, "?db=", 4) != 0 || (c->redis_db = atoi(q + 4)) < 0))
            return sb_error_set(err, SB_EINVAL, "redis \"%s\": the only option is ?db=N", url);
        return c->redis_host ? SB_OK : sb_error_set(err, SB_ENOMEM, "out of memory");
    }
    if (strncmp(url, "redis://", 8) != 0)
        return sb_error_set(err, SB_EINVAL,
                            "redis URL must be redis://[user:password@]host:port[/db] or "
                            "unix:///path (rediss:// TLS is not supported: see "
                            "docs/configuration.md)");
    const char *p = url + 8, *at = strrchr(p, '@');
    const char *slash = strchr(at ? at : p, '/');
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        if (colon) {
            if (colon > p)
                c->redis_user = strndup(p, (size_t)(colon - p));
            c->redis_password = strndup(colon + 1, (size_t)(at - colon - 1));
        } else {
            c->redis_password = strndup(p, (size_t)(at - p));
        }
        p = at + 1;
    }
    const char *hend = slash ? slash : p + strlen(p);
    const char *colon = NULL;
    for (const char *q = p; q < hend; q++)
        if (*q == ':')
            colon = q;
    if (colon) {
        char *end;
        long port = strtol(colon + 1, &end, 10);
        if (end != hend || port < 1 || port > 65535)
            return sb_error_set(err, SB_EINVAL, "redis URL has an invalid port");
        c->redis_port = (int)port;
    }
    const char *host_end = colon ? colon : hend;
    if (host_end == p)
        return sb_error_set(err, SB_EINVAL, "redis URL names no host");
    c->redis_host = strndup(p, (size_t)(host_end - p));
    if (slash && slash[1]) {
        char *end;
        long db = strtol(slash + 1, &end, 10);
        if (*end || db < 0 || db > 1000000)
            return sb_error_set(err, SB_EINVAL, "redis URL has an invalid database number");
        c->redis_db = (int)db;
    }
    return c->redis_host ? SB_OK : sb_error_set(err, SB_ENOMEM, "out of memory");
}

int sb_config_load(sb_config *c, int argc, char **argv, char **env, sb_error *err) {
    memset(c, 0, sizeof *c);
    int rc = SB_OK;
    for (size_t i = 0; i < NSETTINGS && rc == SB_OK; i++)
        rc = set_value(c, &settings[i], settings[i].def, "default", err);
    /* the config file comes first, wherever it is named */
    const char *file = NULL;
    for (char **e = env; e && *e; e++)
        if (strncmp(*e, "SIGNALBOX_CONFIG=", 17) == 0)
            file = *e + 17;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            file = argv[i + 1];
        else if (strncmp(argv[i], "--config=", 9) == 0)
            file = argv[i] + 9;
    }
    if (rc == SB_OK && file && *file)
        rc = load_file(c, file, err);
    for (char **e = env; e && *e && rc == SB_OK; e++) {
        if (strncmp(*e, "SIGNALBOX_", 10) != 0)
            continue;
        const char *eq = strchr(*e, '=');
        if (!eq)
            continue;
        char name[64];
        size_t n = (size_t)(eq - *e) - 10;
        if (n >= sizeof name) {
            rc = sb_error_set(err, SB_EINVAL, "unknown environment variable %.*s", (int)(eq - *e),
                              *e);
            break;
        }
        for (size_t k = 0; k < n; k++)
            name[k] = (*e)[10 + k] == '_' ? '-' : (char)tolower((unsigned char)(*e)[10 + k]);
        name[n] = '\0';
        const setting *s = find_setting(name, n);
        if (!s) {
            rc = sb_error_set(err, SB_EINVAL, "unknown environment variable %.*s (see --help)",
                              (int)(eq - *e), *e);
            break;
        }
        char where[80];
        snprintf(where, sizeof where, "environment variable %.*s", (int)(eq - *e), *e);
        rc = set_value(c, s, eq + 1, where, err);
    }
    for (int i = 0; i < argc && rc == SB_OK; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0) {
            rc = sb_error_set(err, SB_EINVAL, "unexpected argument \"%s\" (see --help)", a);
            break;
        }
        const char *eq = strchr(a, '=');
        size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
        const setting *s = find_setting(a + 2, n);
        if (!s) {
            rc = sb_error_set(err, SB_EINVAL, "unknown flag %.*s (see --help)", (int)(n + 2), a);
            break;
        }
        const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!v) {
            rc = sb_error_set(err, SB_EINVAL, "flag --%s needs a value", s->name);
            break;
        }
        char where[80];
        snprintf(where, sizeof where, "flag --%s", s->name);
        rc = set_value(c, s, v, where, err);
    }
    if (rc == SB_OK)
        rc = parse_listen(c, err);
    if (rc == SB_OK)
        rc = sb_config_parse_redis_url(c, c->redis, err);
    if (rc == SB_OK && (strlen(c->account) != 12 || strspn(c->account, "0123456789") != 12))
        rc = sb_error_set(err, SB_EINVAL, "account \"%s\" must be 12 digits", c->account);
    if (rc == SB_OK && (!*c->region || strpbrk(c->region, " \"\\/")))
        rc = sb_error_set(err, SB_EINVAL, "region \"%s\" is not a region name", c->region);
    if (rc == SB_OK && c->max_body < 1024)
        rc = sb_error_set(err, SB_EINVAL, "max-body must be at least 1KB");
    return rc;
}
