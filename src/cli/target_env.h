/* target_env.h - what the commands that deliver (serve, dlq redrive) build alike for their
 * targets: the HTTP client with the router-wide TLS files, the config file's connections as
 * credentials, and the target settings, so that both deliver the same way. */
#ifndef SB_CLI_TARGET_ENV_H
#define SB_CLI_TARGET_ENV_H

#include <stddef.h>

#include "core/config.h"
#include "target/target.h"

struct sb_http_auth;

typedef struct sb_delivery_env {
    sb_target_env env; /* for sb_router_new; points into this struct (keep it in place) */
    struct sb_http_client *http;
    struct sb_http_auth **auths; /* one per connection of the config */
    size_t nauths;
} sb_delivery_env;

/* Builds de on base with redis (borrowed, may be NULL): the HTTP client, the connections'
 * credentials, the settings of cfg (the HTTP time limit, the default stream MAXLEN, the SQS
 * and SNS endpoints, the AWS batch linger and concurrency). cfg, base and redis must outlive
 * de. SB_OK, or SB_ENOMEM; either way sb_delivery_env_fini frees what was made. */
int sb_delivery_env_init(sb_delivery_env *de, const sb_config *cfg, struct event_base *base,
                         struct sb_redis *redis);

/* Frees the HTTP client (its requests in flight finish first, with errors) and the
 * credentials. */
void sb_delivery_env_fini(sb_delivery_env *de);

#endif
