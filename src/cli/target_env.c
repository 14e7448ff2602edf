/* target_env.c - target settings from the configuration. */
#include "cli/target_env.h"

void sb_target_env_from_config(sb_target_env *env, const sb_config *cfg) {
    env->http_timeout_ms = cfg->http_timeout_ms;
    env->redis_stream_maxlen = cfg->redis_stream_maxlen;
    env->sqs_endpoint = cfg->sqs_endpoint;
    env->sns_endpoint = cfg->sns_endpoint;
    env->aws_linger_ms = cfg->aws_linger_ms;
    env->aws_concurrency = cfg->aws_concurrency;
}
