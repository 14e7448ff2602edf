/* target_env.c - the targets' environment from the configuration. */
#include "cli/target_env.h"

#include <stdlib.h>
#include <string.h>

#include "target/http_auth.h"
#include "target/http_client.h"

static struct sb_http_auth *auth_lookup(void *arg, const char *name) {
    sb_delivery_env *de = arg;
    return sb_http_auth_find(de->auths, de->nauths, name);
}

int sb_delivery_env_init(sb_delivery_env *de, const sb_config *cfg, struct event_base *base,
                         struct sb_redis *redis) {
    memset(de, 0, sizeof *de);
    de->http = sb_http_client_new(base);
    de->auths = calloc(cfg->nconnections + 1, sizeof *de->auths);
    if (!de->http || !de->auths ||
        sb_http_client_set_tls(de->http, cfg->http_ca_file, cfg->http_client_cert,
                               cfg->http_client_key) != SB_OK)
        return SB_ENOMEM;
    for (size_t i = 0; i < cfg->nconnections; i++) {
        struct sb_http_auth *a =
            sb_http_auth_from_connection(&cfg->connections[i], de->http, cfg->http_timeout_ms);
        if (!a)
            return SB_ENOMEM;
        de->auths[de->nauths++] = a;
    }
    sb_target_env *env = &de->env;
    env->base = base;
    env->redis = redis;
    env->http = de->http;
    env->http_timeout_ms = cfg->http_timeout_ms;
    env->redis_stream_maxlen = cfg->redis_stream_maxlen;
    env->sqs_endpoint = cfg->sqs_endpoint;
    env->sns_endpoint = cfg->sns_endpoint;
    env->aws_linger_ms = cfg->aws_linger_ms;
    env->aws_concurrency = cfg->aws_concurrency;
    env->auth = auth_lookup;
    env->auth_arg = de;
    return SB_OK;
}

void sb_delivery_env_fini(sb_delivery_env *de) {
    sb_http_client_free(de->http);
    de->http = NULL;
    for (size_t i = 0; i < de->nauths; i++)
        sb_http_auth_free(de->auths[i]);
    free(de->auths);
    de->auths = NULL;
    de->nauths = 0;
}
