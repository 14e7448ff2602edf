/* config.h - settings of `signalbox serve`, from one table (config.c) that also writes --help.
 *
 * Precedence, lowest first: defaults < config file < environment variables < flags.
 *   - config file: --config FILE (or SIGNALBOX_CONFIG), YAML or JSON (by the .json extension),
 *     a flat mapping of the setting names, plus a `connections` section (file only);
 *   - environment: SIGNALBOX_NAME, the name upper-cased with '-' -> '_';
 *   - flags: --name VALUE or --name=VALUE; a boolean also as --name / --no-name.
 * An unknown setting is an error in all three: the file's errors say file:line:col, the others
 * name the variable or flag. One exception, for Kubernetes: the service-link variables that
 * a Service named "signalbox" puts in every pod of its namespace (SIGNALBOX_PORT,
 * SIGNALBOX_PORT_<n>_<proto>..., SIGNALBOX_SERVICE_HOST, SIGNALBOX_SERVICE_PORT...) are ignored
 * unless the table has a setting of that name.
 *
 * Secrets (connection credentials, the Redis password) never appear in error messages or in
 * sb_config_dump, and are zeroed when the config is freed. */
#ifndef SB_CONFIG_H
#define SB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/buf.h"
#include "core/status.h"

/* sb_config_load's answer when --help (or -h) was given. */
#define SB_CONFIG_HELP 1

/* One extra form parameter of an OAuth token request (e.g. audience). */
typedef struct sb_param {
    char *name;
    char *value; /* treated as a secret: redacted in dumps */
} sb_param;

/* A named connection: the credentials of HTTP targets (EventBridge's ConnectionName), and the
 * TLS files of HTTPS to them. */
typedef struct sb_connection {
    char *name;
    char *type; /* "api-key", "basic", "oauth-client-credentials" or "none" (TLS only) */
    /* api-key: header name and value (secret) */
    char *header, *value;
    /* basic: username and password (secret) */
    char *username, *password;
    /* oauth-client-credentials: client_secret is a secret; scope may be NULL */
    char *token_url, *client_id, *client_secret, *scope;
    sb_param *params; /* extra token request parameters, in file order */
    size_t nparams;
    /* tls: files for HTTPS to the connection's targets, checked at load (paths, relative ones
     * made from the config file's folder); NULL: the router-wide http-ca-file, and
     * http-client-cert with http-client-key. The client certificate and key go together. */
    char *tls_ca_file, *tls_client_cert, *tls_client_key;
    char *tls_key_password; /* secret, from a file or variable; NULL: the key is not encrypted */
} sb_connection;

typedef struct sb_config {
    /* settings, one per line of the table in config.c; strings are never NULL after load */
    char *config;               /* config file path, "" for none */
    char *rules;                /* folder or file of rules */
    char *listen;               /* HOST:PORT as given */
    char *redis;                /* the Redis URL as given (holds the password: never log it) */
    char *account;              /* 12 digits */
    char *region;               /* e.g. us-east-1 */
    long drain_timeout_ms;      /* duration */
    char *log_level;            /* debug, info, warn or error */
    long http_timeout_ms;       /* duration */
    long max_body;              /* bytes */
    long redis_stream_maxlen;   /* 0: no MAXLEN */
    char *ingest_topic;         /* "" for none */
    char *auth_file;            /* "" for none */
    bool allow_unauthenticated; /* no ingest keys on a non-loopback listen */
    bool admin_allow_unauthenticated;         /* no admin keys on a non-loopback admin-listen */
    char *admin_listen;                       /* HOST:PORT, "" for the main listener */
    char *tls_cert, *tls_key;                 /* "" for plain HTTP */
    char *admin_tls_cert, *admin_tls_key;     /* "" for plain HTTP on admin-listen */
    long client_timeout_ms;                   /* duration */
    char *http_ca_file;                       /* "" for the system bundle */
    char *http_client_cert, *http_client_key; /* "" for none */
    bool watch_rules;                         /* reload on file changes */
    bool idempotency;                         /* claim a key per rule, target and event */
    long idempotency_ttl_ms;                  /* duration */
    long idempotency_lease_ms;                /* duration */
    long max_in_flight;                       /* deliveries; above it ingest answers 429 */
    bool kafka_mock;
    char *kafka_brokers; /* "" for none */
    char *kafka_group;
    char *kafka_topics; /* TOPIC[=BUS][:FORMAT],... */
    long kafka_max_in_flight;
    char *kafka_properties; /* librdkafka K=V,... */
    char *sqs_endpoint;     /* "" for AWS's */
    char *sns_endpoint;     /* "" for AWS's */
    long aws_linger_ms;     /* duration */
    long aws_concurrency;   /* calls in flight per target */
    /* derived from them once every source is applied */
    char listen_host[256]; /* without the brackets of an IPv6 address */
    int listen_port;       /* 0-65535; 0 lets the system choose */
    char *redis_host;      /* host name or address, or the socket path when redis_port is 0 */
    int redis_port;
    char *redis_user, *redis_password; /* NULL when not given */
    int redis_db;
    /* the config file's connections, in file order */
    sb_connection *connections;
    size_t nconnections;
} sb_config;

/* Fills cfg from defaults, the config file, env (a NULL-terminated "NAME=value" array like
 * environ; NULL for none) and argv[0..argc) (the arguments after the command name; positional
 * arguments are errors). env is also where `*-env` secrets of connections are looked up.
 * Returns SB_OK; SB_CONFIG_HELP when --help or -h is among the arguments (nothing else is
 * read); or a negative SB_E... code with err saying which setting, where it came from and why.
 * cfg must be released with sb_config_free in every case. */
int sb_config_load(sb_config *cfg, int argc, char **argv, char **env, sb_error *err);

/* Frees what cfg holds, zeroing secrets first, and clears it. NULL is a no-op. */
void sb_config_free(sb_config *cfg);

/* Writes "usage: signalbox COMMAND [--config FILE] [--SETTING VALUE ...]" and then the same
 * text as sb_config_help. */
void sb_config_print_help(FILE *out, const char *command);

/* Writes every setting with its flag, environment variable, default and meaning, then how
 * connections are written; for commands that print their own usage line first. */
void sb_config_help(FILE *out);

/* The connection named name, or NULL. The pointer lives as long as cfg. */
const sb_connection *sb_config_connection(const sb_config *cfg, const char *name);

/* Appends cfg as one line of compact JSON: every setting but `config` under its name (durations
 * as "10s"-style strings, sizes in bytes), then "connections" by name. Every secret is written
 * as "***", and the Redis URL's password too. Check sb_buf_failed(out) for out of memory. */
void sb_config_dump(const sb_config *cfg, sb_buf *out);

/* ---- the value parsers behind the table, for tests and for other settings-like inputs ---- */

/* "500ms", "5s", "2m", "1h", also combined ("1m30s") and with decimals ("1.5s"); a bare "0".
 * Stores milliseconds. SB_OK, or SB_EINVAL for anything else, a negative value, a fraction of
 * a millisecond, or more than 2^53 ms. */
int sb_config_parse_duration(const char *s, long *ms);

/* A number of bytes: "512", "512B", "256KB", "1MB", "1GB" (also K/M/G and KiB/MiB/GiB, in any
 * case; all powers of 1024), with decimals when the result is whole ("1.5MB"). SB_OK or
 * SB_EINVAL (also above 2^53 bytes). */
int sb_config_parse_size(const char *s, long *bytes);

/* "true"/"false", "yes"/"no", "on"/"off", "1"/"0" (any case). SB_OK or SB_EINVAL. */
int sb_config_parse_bool(const char *s, bool *out);

/* HOST:PORT, with an IPv6 address in brackets ([::1]:8080). Stores the host without brackets
 * (host has room for hostlen bytes) and the port (0-65535). SB_OK or SB_EINVAL with err. */
int sb_config_parse_listen(const char *s, char *host, size_t hostlen, int *port, sb_error *err);

/* A parsed Redis URL; every string is malloc'd. */
typedef struct sb_redis_url {
    char *host; /* name, IPv4 or IPv6 address (no brackets), or the socket path (port 0) */
    int port;
    char *user, *password; /* percent-decoded; NULL when absent */
    int db;
} sb_redis_url;

/* Parses "redis://[[user]:password@]host[:port][/db]" (port 6379 and db 0 by default; user and
 * password percent-decoded; a userinfo without ':' is the password, as redis-cli reads it) or
 * "unix:///path[?db=N]". Fills *out (free it with sb_redis_url_free) and returns SB_OK, or
 * returns SB_EINVAL/SB_ENOMEM with err and *out empty (nothing to free); the message never
 * contains the password. */
int sb_redis_url_parse(const char *url, sb_redis_url *out, sb_error *err);

/* Frees the strings of u (the password zeroed first) and clears it. NULL is a no-op. */
void sb_redis_url_free(sb_redis_url *u);

/* Appends url to out with its password (or the whole userinfo when it has no user) replaced
 * by "***", for messages and dumps. */
void sb_redis_url_redact(const char *url, sb_buf *out);

#endif
