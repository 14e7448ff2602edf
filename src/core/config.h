/* config.h - settings of `signalbox serve`, from one table (config.c) that also prints --help.
 *
 * Precedence: defaults < config file (--config FILE or SIGNALBOX_CONFIG: YAML or JSON, the same
 * names) < environment variables (SIGNALBOX_NAME: upper case, '-' -> '_') < flags (--name VALUE
 * or --name=VALUE). An unknown setting, in any of the three, is an error. Named connections
 * (credentials of HTTP targets) come from the file's `connections` mapping only. */
#ifndef SB_CONFIG_H
#define SB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/status.h"

typedef struct sb_connection {
    char *name;
    char *type; /* "api-key", "basic" or "oauth-client-credentials" */
    char *header, *value;
    char *username, *password;
    char *token_url, *client_id, *client_secret, *scope;
} sb_connection;

typedef struct sb_config {
    /* settings (see the table in config.c) */
    char *config;
    char *rules;
    char *listen;
    char *redis;
    char *account;
    char *region;
    long drain_timeout_ms;
    long http_timeout_ms;
    long max_body;
    char *log_level;
    /* derived from them */
    char listen_host[256];
    int listen_port;
    char *redis_host; /* or a Unix socket path when redis_port is 0 */
    int redis_port;
    char *redis_user, *redis_password;
    int redis_db;
    sb_connection *connections;
    size_t nconnections;
} sb_config;

/* Fills cfg from defaults, the config file, env (a NULL-terminated "NAME=value" array, like
 * environ) and argv[0..argc) (the arguments after the command name). Returns SB_OK; SB_EINVAL
 * with err saying which setting, where, and why; or 1 when --help was asked (nothing else is
 * done). cfg must be freed with sb_config_free in every case. */
int sb_config_load(sb_config *cfg, int argc, char **argv, char **env, sb_error *err);

/* Frees what cfg holds; secrets are zeroed first. */
void sb_config_free(sb_config *cfg);

/* Prints every setting with its flag, variable, default and meaning. */
void sb_config_help(FILE *out);

/* The connection named name, or NULL. */
const sb_connection *sb_config_connection(const sb_config *cfg, const char *name);

/* Parses a redis URL "redis://[user:password@]host:port[/db]" or "unix:///path[?db=N]" into cfg's
 * redis_* fields. SB_OK or SB_EINVAL with err. */
int sb_config_parse_redis_url(sb_config *cfg, const char *url, sb_error *err);

#endif
